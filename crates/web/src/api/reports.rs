//! Reports as files: the same requests as the 报表 page.

use super::*;
use crate::pages::ReportQuery;

/// A report (briefing, annual, assessment, ledger, dossier) as Markdown (default), HTML,
/// Word, Excel or PDF (when the server has LibreOffice), named as offices name it.
#[utoipa::path(get, path = "/api/v1/reports/{kind}", tag = "reports",
    params(("kind" = String, Path, description = "briefing | annual | assessment | ledger | dossier | city_cases | party"),
           ("period" = Option<String>, Query, description = "月份，如 2018-05（调度通报、台账）"),
           ("year" = Option<i32>, Query, description = "年度（年度总结、项目档案、基层党建报告）"),
           ("unit" = Option<String>, Query, description = "单位编码或名称"),
           ("scheme" = Option<String>, Query, description = "考核方案名称"),
           ("project" = Option<String>, Query, description = "项目编码（项目档案）"),
           ("format" = Option<String>, Query, description = "md | html | docx | xlsx | pdf")),
    responses((status = 200, description = "报表文件"),
              (status = 400, description = "请求有误", body = crate::ApiErrorBody),
              (status = 403, description = "无权查看该单位", body = crate::ApiErrorBody),
              (status = 404, description = "不存在", body = crate::ApiErrorBody)))]
pub async fn report(
    Signed { state, user, .. }: Signed,
    Path(kind): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let acting = user.acting(&state).await?;
    let kind: taizhang_app::ReportKind = kind.parse().map_err(AppError::from)?;
    let report = acting.report(&q.request(kind)?).await.map_err(AppError::from)?;
    let format = q.format.as_deref().unwrap_or("md");
    if let Some(file) = crate::pages::report_file(&report, format)? {
        return Ok(file);
    }
    let html = crate::report::html(&report.document).map_err(|_| AppError::Internal)?;
    Ok(axum::response::Html(html).into_response())
}
