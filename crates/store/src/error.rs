use taizhang_core::DomainError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{0}")]
    Domain(#[from] DomainError),
    #[error("{kind}“{key}”不存在")]
    NotFound { kind: &'static str, key: String },
    #[error("{0}")]
    Config(String),
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("口令处理失败：{0}")]
    Password(String),
    /// Someone saved the record since it was read: reload, then save again.
    #[error("记录已被他人修改（{0}）：请刷新后重新填报")]
    Conflict(String),
}

impl StoreError {
    pub(crate) fn not_found(kind: &'static str, key: impl Into<String>) -> Self {
        StoreError::NotFound { kind, key: key.into() }
    }
}
