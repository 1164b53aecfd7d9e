//! The import audit trail.

use super::*;

/// One import as the audit trail keeps it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRow {
    /// When (UTC, ISO 8601).
    pub at: String,
    pub actor: String,
    /// units, indicators, targets, projects, progress or tasks.
    pub kind: String,
    pub file: String,
    pub sheet: String,
    pub rows: usize,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// Workbooks imported into the ledger, newest first: who, when, which file, what changed.
#[utoipa::path(get, path = "/api/v1/imports", tag = "audit",
    responses((status = 200, description = "成功", body = [ImportRow]), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody)))]
pub async fn imports(Signed { state, user, .. }: Signed) -> ApiResult<Vec<ImportRow>> {
    let acting = user.acting(&state).await?;
    let rows = acting.imports().await?.into_iter().map(|(at, r)| ImportRow {
        at,
        actor: r.actor,
        kind: r.kind,
        file: r.file,
        sheet: r.sheet,
        rows: r.rows,
        new: r.summary.new,
        changed: r.summary.changed,
        unchanged: r.summary.unchanged,
    });
    Ok(Json(rows.collect()))
}
