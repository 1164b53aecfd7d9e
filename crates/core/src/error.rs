use thiserror::Error;

/// A value that does not fit the domain, named with what was expected, in the users' language.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("报告期“{value}”无法识别：应为 {expected}")]
    Period { value: String, expected: &'static str },
    #[error("数值“{value}”无法识别：{expected}")]
    Number { value: String, expected: String },
    #[error(
        "计量单位“{value}”无法识别：应为 元、万元、亿元、人、万人、平方米、万平方米、%、家、件、个、套、支、人次 等"
    )]
    Unit { value: String },
    #[error("“{value}”的计量单位与指标“{indicator}”（{expected}）不一致")]
    UnitMismatch { indicator: String, value: String, expected: String },
    #[error("{field}“{value}”不能为负数")]
    Negative { field: String, value: String },
    #[error("日期“{value}”无效：应为 YYYY-MM-DD 的真实日期")]
    Date { value: String },
    #[error("{0}")]
    Invalid(String),
}
