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
    /// 数据状态 (初步预计, 最终核实 …), when published with one.
    pub status: Option<String>,
    /// 口径 (区属, 全社会, 同口径 …).
    pub caliber: Option<String>,
    /// 价格基础 of the growth (现价, 可比价).
    pub price_basis: Option<String>,
    /// 来源.
    pub source: Option<String>,
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
            status: value.as_ref().and_then(|v| v.vintage).map(|x| x.label_zh().into()),
            caliber: value.as_ref().and_then(|v| v.caliber).map(|x| x.label_zh().into()),
            price_basis: value.as_ref().and_then(|v| v.price_basis).map(|x| x.label_zh().into()),
            source: value.and_then(|v| v.source),
        });
    }
    Ok(Json(out))
}

/// One version of a figure: what a write made it, when and by whom.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValueVersionRow {
    pub period: String,
    pub value: Option<String>,
    pub reported_growth: Option<String>,
    pub status: Option<String>,
    pub caliber: Option<String>,
    pub price_basis: Option<String>,
    pub source: Option<String>,
    /// The write emptied the figure (清空).
    pub withdrawn: bool,
    pub recorded_by: String,
    pub recorded_at: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Unit code (default: the caller's unit, or the top unit).
    pub unit: Option<String>,
    /// Only this period (2017, 2017-09 …).
    pub period: Option<String>,
}

/// Every version of an indicator's figures for a unit, by period and then oldest first:
/// 初步预计 → 最终核实, who wrote each and from which source. Nothing is ever deleted.
#[utoipa::path(get, path = "/api/v1/indicators/{code}/history", tag = "indicators",
    params(("code" = String, Path, description = "指标编码、名称或别名"), HistoryParams),
    responses((status = 200, description = "成功", body = [ValueVersionRow]), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody), (status = 404, description = "指标不存在", body = crate::ApiErrorBody)))]
pub async fn indicator_history(
    Signed { state, user, .. }: Signed,
    Path(code): Path<String>,
    Query(q): Query<HistoryParams>,
) -> ApiResult<Vec<ValueVersionRow>> {
    let acting = user.acting(&state).await?;
    let catalogue = acting.catalogue().await.map_err(AppError::from)?;
    let ind = catalogue.find(&code).ok_or_else(|| AppError::NotFound(format!("指标“{code}”不存在")))?;
    let unit = match q.unit.or(acting.reach(None)?) {
        Some(u) => u,
        None => acting.top_unit()?.code.into(),
    };
    let period = q.period.as_deref().map(parse_period).transpose()?;
    let versions = acting.value_history(&ind.code, &unit, period).await.map_err(AppError::from)?;
    Ok(Json(
        versions
            .into_iter()
            .map(|v| ValueVersionRow {
                period: v.period.key(),
                value: dec(v.value),
                reported_growth: dec(v.reported_growth),
                status: v.vintage.map(|x| x.label_zh().into()),
                caliber: v.caliber.map(|x| x.label_zh().into()),
                price_basis: v.price_basis.map(|x| x.label_zh().into()),
                source: v.source,
                withdrawn: v.withdrawn,
                recorded_by: v.recorded_by,
                recorded_at: v.recorded_at,
            })
            .collect(),
    ))
}
