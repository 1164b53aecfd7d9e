//! The indicator catalogue: read by everyone, extended and edited by administrators.

use super::*;

/// An indicator as the catalogue defines it; the same words a catalogue workbook and the
/// admin form use (汇总方式 求和/不汇总, 流量/存量, 方向 正向/逆向).
#[derive(Debug, Serialize, Deserialize, ToSchema, Default)]
pub struct CatalogueEntry {
    pub code: String,
    pub name: String,
    /// Aliases separated by 、
    #[serde(default)]
    pub aliases: String,
    /// 亿元, 万人, % …
    pub unit: String,
    /// sum or none (求和, 不汇总); blank: by the unit (a ratio is not summed).
    #[serde(default)]
    pub aggregation: String,
    /// flow or stock (流量, 存量).
    #[serde(default)]
    pub temporal: String,
    /// up or down (正向, 逆向).
    #[serde(default)]
    pub direction: String,
    /// The phrase template, with `{phrase}` and `{value}`: "{phrase}完成{value}".
    #[serde(default)]
    pub clause: String,
    /// Report section key or title.
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub decimals: String,
}

/// Every indicator of the catalogue.
#[utoipa::path(get, path = "/api/v1/catalogue", tag = "indicators",
    responses((status = 200, description = "成功", body = [CatalogueEntry])))]
pub async fn catalogue(Signed { state, user, .. }: Signed) -> ApiResult<Vec<CatalogueEntry>> {
    let acting = user.acting(&state).await?;
    let catalogue = acting.catalogue().await.map_err(AppError::from)?;
    Ok(Json(
        catalogue
            .indicators
            .iter()
            .map(|i| CatalogueEntry {
                code: i.code.to_string(),
                name: i.name.clone(),
                aliases: i.aliases.join("、"),
                unit: i.unit.to_string(),
                aggregation: i.aggregation.code().into(),
                temporal: i.temporal.code().into(),
                direction: i.direction.code().into(),
                clause: i.phrasing.clause.clone(),
                section: i.phrasing.section.clone(),
                decimals: i.decimals.to_string(),
            })
            .collect(),
    ))
}

/// Adds an indicator, or edits the one with that code (what the request leaves out of the
/// phrasing stays as stored). Administrators only; recorded like an import.
#[utoipa::path(post, path = "/api/v1/catalogue", tag = "indicators", request_body = CatalogueEntry,
    responses((status = 200, description = "成功", body = CatalogueEntry), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权修改指标目录", body = crate::ApiErrorBody)))]
pub async fn save_indicator(
    Signed { state, user, .. }: Signed,
    Json(body): Json<CatalogueEntry>,
) -> ApiResult<CatalogueEntry> {
    let acting = user.acting(&state).await?;
    let words = taizhang_core::indicator::IndicatorWords {
        code: body.code.clone(),
        name: body.name.clone(),
        aliases: body.aliases.clone(),
        unit: body.unit.clone(),
        aggregation: body.aggregation.clone(),
        temporal: body.temporal.clone(),
        direction: body.direction.clone(),
        clause: body.clause.clone(),
        section: body.section.clone(),
        decimals: body.decimals.clone(),
    };
    let catalogue = acting.catalogue().await.map_err(AppError::from)?;
    let indicator = words.read(&catalogue).map_err(|e| AppError::BadRequest(e.to_string()))?;
    acting.save_indicator(indicator).await.map_err(AppError::from)?;
    Ok(Json(body))
}
