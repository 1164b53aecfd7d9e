//! A unit's indicator values with the year's targets.

use super::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorRow {
    pub code: String,
    pub name: String,
    /// The unit of measure values are given in (their base unit: 元, 人 …).
    pub base_unit: String,
    pub value: Option<String>,
    pub reported_growth: Option<String>,
    pub target_level: Option<String>,
    pub target_growth: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorParams {
    /// 2017, 2017Q2, 2017-06
    pub period: String,
    /// Unit code (default: the caller's unit, or the top unit).
    pub unit: Option<String>,
}

/// A unit's indicator values of a period, with the year's targets. Missing figures stay missing.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "indicators", params(IndicatorParams),
    responses((status = 200, description = "成功", body = [IndicatorRow]), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody)))]
pub async fn indicators(
    Signed { state, user, .. }: Signed,
    Query(q): Query<IndicatorParams>,
) -> ApiResult<Vec<IndicatorRow>> {
    let acting = user.acting(&state).await?;
    let period = parse_period(&q.period)?;
    let unit = match q.unit.or(acting.reach(None)?) {
        Some(u) => u,
        None => acting.top_unit()?.code.into(),
    };
    acting.check_read(&unit).map_err(AppError::from)?;
    let catalogue = acting.catalogue().await.map_err(AppError::from)?;
    let mut out = Vec::new();
    for ind in &catalogue.indicators {
        let value = acting.value(&ind.code, &unit, period).await.map_err(AppError::from)?;
        let target = acting.target(&ind.code, &unit, period.year()).await.map_err(AppError::from)?;
        if value.is_none() && target.is_none() {
            continue;
        }
        out.push(IndicatorRow {
            code: ind.code.to_string(),
            name: ind.name.clone(),
            base_unit: ind.unit.base_symbol().to_string(),
            value: dec(value.as_ref().and_then(|v| v.value)),
            reported_growth: dec(value.as_ref().and_then(|v| v.reported_growth)),
            target_level: dec(target.as_ref().and_then(|t| t.level)),
            target_growth: dec(target.as_ref().and_then(|t| t.growth)),
        });
    }
    Ok(Json(out))
}
