//! The lit items of a period (红黄绿灯).

use super::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct WarningRow {
    pub light: String,
    pub kind: String,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub reason: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WarningParams {
    /// 2018-05
    pub period: String,
    pub unit: Option<String>,
    /// The day tasks and orders are judged on (default: the period's last day).
    pub today: Option<String>,
}

/// The lit items of a period (red, yellow and green), worst first, each with its reason.
#[utoipa::path(get, path = "/api/v1/warnings", tag = "warnings", params(WarningParams),
    responses((status = 200, description = "成功", body = [WarningRow]), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody)))]
pub async fn warnings(
    Signed { state, user, .. }: Signed,
    Query(q): Query<WarningParams>,
) -> ApiResult<Vec<WarningRow>> {
    let period = parse_period(&q.period)?;
    let today = match q.today {
        Some(t) => Date::parse(&t).map_err(|e| AppError::BadRequest(e.to_string()))?,
        None => Date::end_of(period),
    };
    let acting = user.acting(&state).await?;
    let rows = acting.warnings(period, q.unit.as_deref(), today).await.map_err(AppError::from)?;
    Ok(Json(
        rows.into_iter()
            .map(|w| WarningRow {
                light: w.lit.light.code().into(),
                kind: w.kind.label_zh().into(),
                code: w.code,
                name: w.name,
                unit: w.unit,
                reason: w.lit.reason,
            })
            .collect(),
    ))
}
