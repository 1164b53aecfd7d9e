//! 数字城管 cases: reported at a point by a 监督员, stepped through 立案, 派遣, 处置, 核查 and
//! 结案 by the roles and units the permission table names; the classes they are reported in.

use super::*;
use taizhang_app::{CaseClass, CaseRecord, CaseStepRow};
use taizhang_app::{CaseReport, Moment, StepRequest};
use taizhang_core::cases::CaseState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseRow {
    pub id: i64,
    /// The 小类's code.
    pub class: String,
    /// The grid cell and street (unit code) the point lies in.
    pub cell: String,
    pub street: String,
    /// Degrees, as reported (exact decimals).
    pub lon: String,
    pub lat: String,
    pub address: String,
    pub description: String,
    pub photos: Vec<String>,
    pub reported_by: String,
    /// Local time, YYYY-MM-DD HH:MM.
    pub reported_at: String,
    /// reported, declined, filed, dispatched, disposed, verified, closed or suspended.
    pub state: String,
    /// 待立案, 处置中, 已结案 …
    pub state_zh: String,
    /// The unit disposing of it.
    pub unit: Option<String>,
    pub due_at: Option<String>,
    pub closed_at: Option<String>,
    /// 返工 and 延期 so far.
    pub reworks: u32,
    pub extensions: u32,
    pub version: i64,
}

impl From<CaseRecord> for CaseRow {
    fn from(c: CaseRecord) -> Self {
        CaseRow {
            id: c.id,
            class: c.class,
            cell: c.cell,
            street: c.street,
            lon: c.lon.normalize().to_string(),
            lat: c.lat.normalize().to_string(),
            address: c.address,
            description: c.description,
            photos: c.photos.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect(),
            reported_by: c.reported_by,
            reported_at: c.reported_at,
            state: c.status.state.code().into(),
            state_zh: c.status.state.label_zh().into(),
            unit: c.status.unit,
            due_at: c.due_at,
            closed_at: c.closed_at,
            reworks: c.status.reworks,
            extensions: c.status.extensions,
            version: c.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseStepView {
    pub step: String,
    pub note: String,
    pub actor: String,
    pub unit: Option<String>,
    pub at: String,
    pub from: String,
    pub to: String,
}

impl From<CaseStepRow> for CaseStepView {
    fn from(s: CaseStepRow) -> Self {
        CaseStepView {
            step: s.step,
            note: s.note,
            actor: s.actor,
            unit: s.unit,
            at: s.at,
            from: s.from.code().into(),
            to: s.to.code().into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    pub case: CaseRow,
    /// Every step, first first.
    pub steps: Vec<CaseStepView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseClassRow {
    pub code: String,
    /// 部件 or 事件.
    pub kind: String,
    pub major: String,
    pub name: String,
    pub file_rule: String,
    pub close_rule: String,
    pub time_limit: u32,
    /// hours (working hours) or days (working days).
    pub limit_unit: String,
    pub default_unit: Option<String>,
}

impl From<CaseClass> for CaseClassRow {
    fn from(c: CaseClass) -> Self {
        CaseClassRow {
            code: c.code,
            kind: c.kind,
            major: c.major,
            name: c.name,
            file_rule: c.file_rule,
            close_rule: c.close_rule,
            time_limit: c.time_limit,
            limit_unit: c.limit_unit,
            default_unit: c.default_unit,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseParams {
    /// Unit code: cases in its streets' cells or dispatched to it (default: the caller's reach).
    pub unit: Option<String>,
    /// reported, filed, dispatched, disposed, verified, closed, declined or suspended.
    pub state: Option<String>,
    /// Reported in this month, e.g. 2018-06.
    pub month: Option<String>,
}

/// Cases in the caller's reach, the latest reported first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseParams),
    responses((status = 200, description = "成功", body = [CaseRow]), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权查看该单位的记录", body = crate::ApiErrorBody)))]
pub async fn cases(Signed { state, user, .. }: Signed, Query(q): Query<CaseParams>) -> ApiResult<Vec<CaseRow>> {
    let acting = user.acting(&state).await?;
    let wanted = q
        .state
        .as_deref()
        .map(|s| s.parse::<CaseState>())
        .transpose()
        .map_err(|e| AppError::BadRequest(format!("state：{e}")))?;
    let month = q.month.as_deref().map(month_param).transpose()?;
    let found = acting.cases(q.unit.as_deref(), wanted, month).await.map_err(AppError::from)?;
    Ok(Json(found.into_iter().map(CaseRow::from).collect()))
}

/// A case as a 监督员 reports it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCaseBody {
    /// The 小类's code.
    pub class: String,
    /// Degrees as decimal strings, e.g. "113.6051".
    pub lon: String,
    pub lat: String,
    #[serde(default)]
    pub address: String,
    pub description: String,
    /// The photos' names.
    #[serde(default)]
    pub photos: Vec<String>,
}

fn degrees(field: &str, text: &str) -> Result<Decimal, AppError> {
    taizhang_app::degrees(text).map_err(|e| AppError::BadRequest(format!("{field}：{e}")))
}

fn month_param(text: &str) -> Result<(i32, u8), AppError> {
    taizhang_app::case_month(text).map_err(|e| AppError::BadRequest(format!("month：{e}")))
}

/// 信息收集: a case reported at a point, located to its grid cell (监督员).
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCaseBody,
    responses((status = 200, description = "成功", body = CaseRow), (status = 400, description = "请求有误（位置不在网格内、小类不存在…）", body = crate::ApiErrorBody), (status = 403, description = "无权上报城管案件", body = crate::ApiErrorBody)))]
pub async fn report_case(Signed { state, user, .. }: Signed, Json(body): Json<NewCaseBody>) -> ApiResult<CaseRow> {
    let acting = user.acting(&state).await?;
    let photos = body.photos.join("\n");
    let report = CaseReport {
        class: &body.class,
        lon: degrees("lon", &body.lon)?,
        lat: degrees("lat", &body.lat)?,
        address: &body.address,
        description: &body.description,
        photos: &photos,
        sample: false,
    };
    let id = acting.report_case(&report, taizhang_app::clock::now()).await.map_err(AppError::from)?;
    let (case, _) = acting.case_with_trail(id).await.map_err(AppError::from)?;
    Ok(Json(case.into()))
}

/// A case with every step it took.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path, description = "案件编号")),
    responses((status = 200, description = "成功", body = CaseDetail), (status = 403, description = "无权查看", body = crate::ApiErrorBody), (status = 404, description = "案件不存在", body = crate::ApiErrorBody)))]
pub async fn case(Signed { state, user, .. }: Signed, Path(id): Path<i64>) -> ApiResult<CaseDetail> {
    let acting = user.acting(&state).await?;
    let (case, steps) = acting.case_with_trail(id).await.map_err(AppError::from)?;
    Ok(Json(CaseDetail { case: case.into(), steps: steps.into_iter().map(CaseStepView::from).collect() }))
}

/// One step of a case.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CaseStepBody {
    /// file, decline, dispatch, send_back, dispose, check, close, extend, suspend or resume.
    pub step: String,
    /// dispatch: the unit (default: the class's).
    pub unit: Option<String>,
    /// decline, send_back, suspend: why; dispose: the result; check: what is still wrong.
    #[serde(default)]
    pub text: String,
    /// check: passed (true) or 返工 (false).
    pub passed: Option<bool>,
    /// extend: the new deadline, e.g. 2018-06-20.
    pub until: Option<String>,
}

fn step_request(body: CaseStepBody) -> Result<StepRequest, AppError> {
    let until =
        body.until.as_deref().map(Date::parse).transpose().map_err(|e| AppError::BadRequest(format!("until：{e}")))?;
    StepRequest::named(&body.step, body.unit, body.text, body.passed, until)
        .map_err(|e| AppError::BadRequest(format!("step：{e}")))
}

/// A step of a case (立案, 派遣, 处置, 核查, 结案 …), by the role and unit allowed, now.
#[utoipa::path(post, path = "/api/v1/cases/{id}/steps", tag = "cases", request_body = CaseStepBody,
    params(("id" = i64, Path, description = "案件编号")),
    responses((status = 200, description = "成功", body = CaseRow), (status = 400, description = "该环节不能办理（顺序不对、缺少理由…）", body = crate::ApiErrorBody), (status = 403, description = "无权办理", body = crate::ApiErrorBody), (status = 404, description = "案件不存在", body = crate::ApiErrorBody), (status = 409, description = "案件已被他人办理", body = crate::ApiErrorBody)))]
pub async fn case_step(
    Signed { state, user, .. }: Signed,
    Path(id): Path<i64>,
    Json(body): Json<CaseStepBody>,
) -> ApiResult<CaseRow> {
    let acting = user.acting(&state).await?;
    let request = step_request(body)?;
    let now: Moment = taizhang_app::clock::now();
    let case = acting.take_case_step(id, request, now).await.map_err(AppError::from)?;
    Ok(Json(case.into()))
}

/// The 部件 and 事件 classes cases are reported in, with their time limits.
#[utoipa::path(get, path = "/api/v1/case-classes", tag = "cases",
    responses((status = 200, description = "成功", body = [CaseClassRow])))]
pub async fn case_classes(Signed { state, user, .. }: Signed) -> ApiResult<Vec<CaseClassRow>> {
    let acting = user.acting(&state).await?;
    let classes = acting.case_classes().await.map_err(AppError::from)?;
    Ok(Json(classes.into_iter().map(CaseClassRow::from).collect()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvaluationParams {
    /// The period evaluated: a month (2018-06), a quarter (2018Q2) or a year (2018).
    pub month: String,
    /// street (default), unit or class.
    pub by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseScoreRow {
    /// The street's or unit's code, or the class's.
    pub key: String,
    pub name: String,
    pub reported: u64,
    pub filed: u64,
    pub dispatched: u64,
    /// 应结案数.
    pub due: u64,
    /// 结案数.
    pub closed: u64,
    /// 按期结案数.
    pub on_time: u64,
    /// 超期案件.
    pub overdue: u64,
    /// 结案率, 按期结案率 and 返工率, percent to 0.01; none when nothing was due (or closed).
    pub closing_rate: Option<String>,
    pub on_time_rate: Option<String>,
    pub rework_rate: Option<String>,
    /// 综合指标值: the rates weighed as the server's `[cases]` configures.
    pub index: Option<String>,
}

/// The month's 数字城管 evaluation in the caller's reach, by street, disposing unit or class,
/// ranked by 按期结案率 (GB/T 30428.4).
#[utoipa::path(get, path = "/api/v1/case-evaluation", tag = "cases", params(EvaluationParams),
    responses((status = 200, description = "成功", body = [CaseScoreRow]), (status = 400, description = "请求有误", body = crate::ApiErrorBody)))]
pub async fn case_evaluation(
    Signed { state, user, .. }: Signed,
    Query(q): Query<EvaluationParams>,
) -> ApiResult<Vec<CaseScoreRow>> {
    let acting = user.acting(&state).await?;
    let by = taizhang_app::dimension_named(q.by.as_deref().unwrap_or("street"))
        .map_err(|e| AppError::BadRequest(format!("by：{e}")))?;
    let period = taizhang_app::case_period(&q.month).map_err(|e| AppError::BadRequest(format!("month：{e}")))?;
    let scores = acting.case_evaluation_in(by, period).await.map_err(AppError::from)?;
    Ok(Json(
        scores
            .into_iter()
            .map(|s| CaseScoreRow {
                key: s.counts.key,
                name: s.name,
                reported: s.counts.reported,
                filed: s.counts.filed,
                dispatched: s.counts.dispatched,
                due: s.counts.due,
                closed: s.counts.closed,
                on_time: s.counts.on_time,
                overdue: s.counts.overdue,
                closing_rate: dec(s.closing_rate),
                on_time_rate: dec(s.on_time_rate),
                rework_rate: dec(s.rework_rate),
                index: dec(s.index),
            })
            .collect(),
    ))
}
