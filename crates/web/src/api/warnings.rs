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

impl From<&taizhang_core::lights::Warning> for WarningRow {
    fn from(w: &taizhang_core::lights::Warning) -> Self {
        WarningRow {
            light: w.lit.light.code().into(),
            kind: w.kind.label_zh().into(),
            code: w.code.clone(),
            name: w.name.clone(),
            unit: w.unit.clone(),
            reason: w.lit.reason.clone(),
        }
    }
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
    Ok(Json(rows.iter().map(WarningRow::from).collect()))
}

/// A figure to look at (数据核对), and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlagRow {
    pub period: String,
    pub indicator: String,
    pub unit: String,
    pub message: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlagParams {
    /// 2018
    pub year: i32,
    pub unit: Option<String>,
}

/// 数据核对 of a year's figures: parts against their total, a unit against the sum of its
/// sub-units (with how many reported), revisions beyond the configured share. Flags for a
/// person to look at; nothing is refused.
#[utoipa::path(get, path = "/api/v1/flags", tag = "warnings", params(FlagParams),
    responses((status = 200, description = "成功", body = [FlagRow]), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody)))]
pub async fn flags(Signed { state, user, .. }: Signed, Query(q): Query<FlagParams>) -> ApiResult<Vec<FlagRow>> {
    let acting = user.acting(&state).await?;
    let flags = acting.data_flags(q.year, q.unit.as_deref()).await.map_err(AppError::from)?;
    Ok(Json(
        flags
            .into_iter()
            .map(|f| FlagRow { period: f.period.key(), indicator: f.indicator, unit: f.unit, message: f.message })
            .collect(),
    ))
}
