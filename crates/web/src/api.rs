//! `/api/v1`: the same resources and actions as the pages, through the same service layer
//! and permission rule, as JSON. Amounts travel as decimal strings (exact); errors as
//! `{"code": …, "message": …}` with a stable code and a Chinese message. Writes need the
//! session's token in `X-CSRF-Token` (returned by `POST /api/v1/session`).

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use taizhang_core::period::Period;
use taizhang_core::project::Date;
use taizhang_core::workflow::Entry;
use utoipa::ToSchema;

use crate::extract::Signed;
use crate::{ApiError, AppError, AppState};

type ApiResult<T> = Result<Json<T>, ApiError>;

fn dec(d: Option<Decimal>) -> Option<String> {
    d.map(|d| d.normalize().to_string())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    pub username: String,
    pub role: String,
    pub unit: Option<String>,
    /// Send as `X-CSRF-Token` with every write.
    pub csrf: String,
}

/// Signs in: sets the session cookie and returns the CSRF token.
#[utoipa::path(post, path = "/api/v1/session", tag = "auth", request_body = Credentials,
    responses((status = 200, description = "成功", body = SessionInfo), (status = 401, description = "未登录，或账号口令错误", body = crate::ApiErrorBody), (status = 429, description = "登录失败次数过多", body = crate::ApiErrorBody)))]
pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Json(c): Json<Credentials>,
) -> Result<Response, ApiError> {
    let (id, session) = crate::auth::open_session(&state, &c.username, &c.password, addr).await.map_err(ApiError)?;
    let body = SessionInfo {
        username: session.user.username,
        role: session.user.role.code().into(),
        unit: session.user.unit,
        csrf: session.csrf,
    };
    let jar = axum_extra::extract::cookie::CookieJar::new().add(crate::auth::session_cookie(id));
    Ok((jar, Json(body)).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectRow {
    pub code: String,
    pub name: String,
    pub category: String,
    pub nature: String,
    pub unit: String,
    pub total_investment_wan: String,
    pub planned_wan: Option<String>,
    pub flags: Vec<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParam {
    pub year: Option<i32>,
}

/// Projects with a plan in a year, within the caller's reach.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(YearParam),
    responses((status = 200, description = "成功", body = [ProjectRow]), (status = 401, description = "未登录，或账号口令错误", body = crate::ApiErrorBody)))]
pub async fn projects(Signed { state, user, .. }: Signed, Query(q): Query<YearParam>) -> ApiResult<Vec<ProjectRow>> {
    let acting = user.acting(&state).await?;
    let year = match q.year {
        Some(y) => y,
        None => acting.latest_progress_period().await.map_err(AppError::from)?.map_or(2018, |p| p.year()),
    };
    let scope = acting.reach(None)?;
    let records = acting.project_records(Some(year), scope.as_deref()).await.map_err(AppError::from)?;
    Ok(Json(
        records
            .into_iter()
            .map(|r| ProjectRow {
                planned_wan: dec(r.plans.first().map(|p| p.planned_wan)),
                code: r.project.code.into(),
                name: r.project.name,
                category: r.project.category,
                nature: r.project.nature.label_zh().into(),
                unit: r.project.responsibility.unit,
                total_investment_wan: r.project.total_investment_wan.normalize().to_string(),
                flags: r.project.flags,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WarningRow {
    pub light: String,
    pub kind: String,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub reason: String,
}

/// A period asked for in a query (`2018-05`, `2018Q2`, `2018`).
fn parse_period(text: &str) -> Result<Period, AppError> {
    text.parse().map_err(|e: taizhang_core::DomainError| AppError::BadRequest(e.to_string()))
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

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundRow {
    pub id: i64,
    pub period: String,
    pub form: String,
    pub due: String,
    pub open: bool,
}

/// Reporting rounds, newest first.
#[utoipa::path(get, path = "/api/v1/rounds", tag = "reporting", responses((status = 200, description = "成功", body = [RoundRow])))]
pub async fn rounds(Signed { state, user, .. }: Signed) -> ApiResult<Vec<RoundRow>> {
    let acting = user.acting(&state).await?;
    Ok(Json(
        acting
            .rounds()
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|r| RoundRow {
                id: r.id,
                period: r.period.key(),
                form: r.form.code().into(),
                due: r.due.to_string(),
                open: r.status == taizhang_core::workflow::RoundStatus::Open,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Default)]
pub struct Figures {
    pub month_wan: Option<String>,
    pub ytd_wan: Option<String>,
    pub since_start_wan: Option<String>,
    pub value: Option<String>,
    pub growth: Option<String>,
    pub percent: Option<String>,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub problems: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntryRow {
    pub subject: String,
    pub unit: String,
    pub state: String,
    pub version: i64,
    pub figures: Figures,
    pub explanation: String,
    pub failures: String,
}

fn entry_row(e: Entry) -> EntryRow {
    let f = e.figures;
    EntryRow {
        subject: e.subject,
        unit: e.unit,
        state: e.state.code().into(),
        version: e.version,
        figures: Figures {
            month_wan: dec(f.month_wan),
            ytd_wan: dec(f.ytd_wan),
            since_start_wan: dec(f.since_start_wan),
            value: dec(f.value),
            growth: dec(f.growth),
            percent: dec(f.percent),
            text: f.text,
            problems: f.problems,
        },
        explanation: e.explanation,
        failures: e.failures,
    }
}

/// A unit's entries in a round.
#[utoipa::path(get, path = "/api/v1/rounds/{round}/units/{unit}/entries", tag = "reporting",
    params(("round" = i64, Path), ("unit" = String, Path)),
    responses((status = 200, description = "成功", body = [EntryRow]), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody)))]
pub async fn entries(
    Signed { state, user, .. }: Signed,
    Path((round, unit)): Path<(i64, String)>,
) -> ApiResult<Vec<EntryRow>> {
    let acting = user.acting(&state).await?;
    let round = acting.round_of(round).await.map_err(AppError::from)?;
    Ok(Json(acting.entries(&round, &unit).await.map_err(AppError::from)?.into_iter().map(entry_row).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SaveEntry {
    /// The version loaded (absent for a new entry): a stale one is a 409 conflict.
    pub version: Option<i64>,
    pub figures: Figures,
}

/// Saves a draft.
#[utoipa::path(put, path = "/api/v1/rounds/{round}/units/{unit}/entries/{subject}", tag = "reporting",
    params(("round" = i64, Path), ("unit" = String, Path), ("subject" = String, Path)), request_body = SaveEntry,
    responses((status = 200, description = "成功", body = EntryRow), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody), (status = 409, description = "记录已被他人修改", body = crate::ApiErrorBody)))]
pub async fn save_entry(
    Signed { state, user, .. }: Signed,
    Path((round, unit, subject)): Path<(i64, String, String)>,
    Json(body): Json<SaveEntry>,
) -> ApiResult<EntryRow> {
    let f = &body.figures;
    let numbers = [
        ("month_wan", f.month_wan.as_deref()),
        ("ytd_wan", f.ytd_wan.as_deref()),
        ("since_start_wan", f.since_start_wan.as_deref()),
        ("value", f.value.as_deref()),
        ("growth", f.growth.as_deref()),
        ("percent", f.percent.as_deref()),
    ];
    let figures = crate::figures::typed_figures(numbers, &f.text, &f.problems).map_err(AppError::BadRequest)?;
    let acting = user.acting(&state).await?;
    let round = acting.round_of(round).await.map_err(AppError::from)?;
    let saved = acting.save_draft(&round, &unit, &subject, &figures, body.version).await.map_err(AppError::from)?;
    Ok(Json(entry_row(saved)))
}

#[derive(Debug, Deserialize, ToSchema, Default)]
pub struct SubmitBody {
    /// 说明 by subject, for records that fail a check (强制上报).
    #[serde(default)]
    pub explanations: HashMap<String, String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Count {
    pub count: usize,
}

/// Submits a unit's drafts; 422 `rules_failed` lists what needs a 说明.
#[utoipa::path(post, path = "/api/v1/rounds/{round}/units/{unit}/submit", tag = "reporting",
    params(("round" = i64, Path), ("unit" = String, Path)), request_body = SubmitBody,
    responses((status = 200, description = "成功", body = Count), (status = 422, description = "校验未通过", body = crate::ApiErrorBody)))]
pub async fn submit(
    Signed { state, user, .. }: Signed,
    Path((round, unit)): Path<(i64, String)>,
    Json(body): Json<SubmitBody>,
) -> ApiResult<Count> {
    let acting = user.acting(&state).await?;
    let round = acting.round_of(round).await.map_err(AppError::from)?;
    Ok(Json(Count { count: acting.submit(&round, &unit, &body.explanations).await.map_err(AppError::from)? }))
}

#[derive(Debug, Deserialize, ToSchema, Default)]
pub struct ActionBody {
    /// Required to return.
    #[serde(default)]
    pub reason: String,
}

/// approve (unit leader), accept (district) or return (with a reason) a unit's entries.
#[utoipa::path(post, path = "/api/v1/rounds/{round}/units/{unit}/{action}", tag = "reporting",
    params(("round" = i64, Path), ("unit" = String, Path), ("action" = String, Path, description = "approve | accept | return")),
    request_body = ActionBody,
    responses((status = 200, description = "成功", body = Count), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody), (status = 404, description = "不存在", body = crate::ApiErrorBody)))]
pub async fn act(
    Signed { state, user, .. }: Signed,
    Path((round, unit, action)): Path<(i64, String, String)>,
    Json(body): Json<ActionBody>,
) -> ApiResult<Count> {
    let acting = user.acting(&state).await?;
    let round = acting.round_of(round).await.map_err(AppError::from)?;
    let count = match action.as_str() {
        "approve" => acting.approve(&round, &unit).await,
        "accept" => acting.accept(&round, &unit).await,
        "return" => acting.return_entries(&round, &unit, &body.reason).await,
        other => return Err(ApiError(AppError::NotFound(format!("操作“{other}”")))),
    }
    .map_err(|e: taizhang_app::Error| ApiError(e.into()))?;
    Ok(Json(Count { count }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressRow {
    pub period: String,
    pub month_wan: Option<String>,
    pub ytd_wan: String,
    pub since_start_wan: Option<String>,
    pub image_progress: String,
    pub problems: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectDetail {
    pub project: ProjectRow,
    pub lead_leader: String,
    pub person: String,
    /// Monthly reports of the year asked (default: the latest reported).
    pub progress: Vec<ProgressRow>,
}

/// One project with its monthly reports of a year.
#[utoipa::path(get, path = "/api/v1/projects/{code}", tag = "projects", params(("code" = String, Path), YearParam),
    responses((status = 200, description = "成功", body = ProjectDetail), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody), (status = 404, description = "不存在", body = crate::ApiErrorBody)))]
pub async fn project(
    Signed { state, user, .. }: Signed,
    Path(code): Path<String>,
    Query(q): Query<YearParam>,
) -> ApiResult<ProjectDetail> {
    let acting = user.acting(&state).await?;
    // Found only when the caller may read the project's unit.
    let p = acting.project(&code).await?.ok_or_else(|| AppError::NotFound(format!("项目“{code}”")))?;
    let year = match q.year {
        Some(y) => y,
        None => acting.latest_progress_period().await.map_err(AppError::from)?.map_or(2018, |p| p.year()),
    };
    let plan = acting.year_plan(&code, year).await.map_err(AppError::from)?;
    let progress = acting.project_progress(&code, year).await.map_err(AppError::from)?;
    Ok(Json(ProjectDetail {
        lead_leader: p.responsibility.lead_leader.clone(),
        person: p.responsibility.person.clone(),
        progress: progress
            .into_iter()
            .map(|g| ProgressRow {
                period: g.period.key(),
                month_wan: dec(g.month_wan),
                ytd_wan: g.ytd_wan.normalize().to_string(),
                since_start_wan: dec(g.since_start_wan),
                image_progress: g.image_progress,
                problems: g.problems,
            })
            .collect(),
        project: ProjectRow {
            planned_wan: dec(plan.map(|y| y.planned_wan)),
            code: p.code.into(),
            name: p.name,
            category: p.category,
            nature: p.nature.label_zh().into(),
            unit: p.responsibility.unit,
            total_investment_wan: p.total_investment_wan.normalize().to_string(),
            flags: p.flags,
        },
    }))
}

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
