//! The leader's dashboard as data: what `/` shows, for another program (a big screen, a
//! comparison, a check).

use super::*;
use taizhang_core::project::{completion_pct, lag_pp};

/// Totals of a group of projects as of the period; amounts in 万元 as exact decimals.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsRow {
    pub label: String,
    pub projects: u64,
    pub planned_wan: String,
    pub month_wan: String,
    pub ytd_wan: String,
    /// Projects whose figure is carried from an earlier month (not reported this month).
    pub carried: u64,
}

/// How many items of a kind are lit red, yellow and green.
#[derive(Debug, Serialize, ToSchema)]
pub struct LightCount {
    pub kind: String,
    pub red: usize,
    pub yellow: usize,
    pub green: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardBody {
    pub unit_code: String,
    pub unit: String,
    pub period: String,
    /// "（填报中，已报3/5个单位）" while the month is being reported, else empty.
    pub note: String,
    pub projects: TotalsRow,
    /// 累计完成占年计划 %, to 0.01; none without a plan.
    pub completion_pct: Option<String>,
    /// 较序时进度, percentage points, to 0.01.
    pub lag_pp: Option<String>,
    /// Year-to-date investment as of each month, January through the period's.
    pub monthly_ytd_wan: Vec<String>,
    pub by_category: Vec<TotalsRow>,
    pub by_unit: Vec<TotalsRow>,
    pub lights: Vec<LightCount>,
    pub red_count: usize,
    /// The first red items (as the page lists them); the whole list is `/api/v1/warnings`.
    pub reds: Vec<WarningRow>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// 2017-12 (default: the latest month with reports)
    pub period: Option<String>,
}

/// The reds listed, as on the page.
const REDS_LISTED: usize = 50;

/// The dashboard of the account's unit (the district's, for the district's roles) for a
/// month: investment against plan and 序时进度, the monthly line, by category and by unit,
/// the lights of projects, tasks, indicators and orders, and the first red items.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "warnings", params(DashboardParams),
    responses((status = 200, description = "成功", body = DashboardBody), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody)))]
pub async fn dashboard(
    Signed { state, user, .. }: Signed,
    Query(q): Query<DashboardParams>,
) -> ApiResult<DashboardBody> {
    let acting = user.acting(&state).await?;
    let period = match q.period.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => parse_period(p)?.closing_month(),
        None => acting
            .default_period()
            .await
            .map_err(AppError::from)?
            .ok_or_else(|| AppError::BadRequest("还没有任何月度进度，请指定 period".into()))?,
    };
    let d = acting.dashboard(period, taizhang_app::clock::today()).await.map_err(AppError::from)?;
    let row = |t: &taizhang_core::briefing::Totals| TotalsRow {
        label: taizhang_core::briefing::label_of(t),
        projects: t.projects,
        planned_wan: t.planned_wan.normalize().to_string(),
        month_wan: t.month_wan.normalize().to_string(),
        ytd_wan: t.ytd_wan.normalize().to_string(),
        carried: t.carried,
    };
    let all = &d.input.all;
    let pct = completion_pct(all.ytd_wan, all.planned_wan);
    use taizhang_core::lights::{Light, WarningKind};
    let lights = [WarningKind::Project, WarningKind::Task, WarningKind::Indicator, WarningKind::Order]
        .into_iter()
        .map(|kind| {
            let count = |l: Light| d.warnings.iter().filter(|w| w.kind == kind && w.lit.light == l).count();
            LightCount {
                kind: kind.label_zh().into(),
                red: count(Light::Red),
                yellow: count(Light::Yellow),
                green: count(Light::Green),
            }
        })
        .collect();
    let reds = d.warnings.iter().filter(|w| w.lit.light == Light::Red);
    Ok(Json(DashboardBody {
        unit_code: d.top.code.to_string(),
        unit: d.top.name.clone(),
        period: period.key(),
        note: d.note.clone(),
        projects: row(all),
        completion_pct: pct.map(|p| p.round_dp(2).normalize().to_string()),
        lag_pp: pct.map(|p| lag_pp(p, period.time_progress()).normalize().to_string()),
        monthly_ytd_wan: d.by_month.iter().map(|v| v.normalize().to_string()).collect(),
        by_category: d.input.by_category.iter().map(row).collect(),
        by_unit: d.input.by_unit.iter().map(row).collect(),
        lights,
        red_count: reds.clone().count(),
        reds: reds.take(REDS_LISTED).map(WarningRow::from).collect(),
    }))
}
