//! 基层党建 (标准化): organisations, each one's checklist with its scores and steps, the
//! year's 星级 rating and a month's 三会一课 — the same acts as the pages, through the same
//! permission rule (支部书记, 党(工)委, 区委组织部).

use super::*;
use taizhang_app::party::{PartySheet, ScoreInput, change_text, party_event, rating_sentence};
use taizhang_core::party::{Meeting, PartyOrg};

#[derive(Debug, Serialize, ToSchema)]
pub struct PartyOrgRow {
    pub code: String,
    pub name: String,
    /// committee (党委/党工委), general (党总支) or branch (党支部).
    pub level: String,
    /// organ, community, rural, enterprise, social or other.
    pub kind: String,
    pub parent: Option<String>,
    /// The org unit (街道, 部门 …) it belongs to.
    pub unit: String,
    pub secretary: String,
    pub members: u32,
    pub sample: bool,
}

impl From<PartyOrg> for PartyOrgRow {
    fn from(o: PartyOrg) -> Self {
        PartyOrgRow {
            code: o.code,
            name: o.name,
            level: o.level.code().into(),
            kind: o.kind.code().into(),
            parent: o.parent,
            unit: o.unit,
            secretary: o.secretary,
            members: o.members,
            sample: o.sample,
        }
    }
}

/// The organisations in the caller's reach.
#[utoipa::path(get, path = "/api/v1/party/orgs", tag = "party",
    responses((status = 200, description = "成功", body = [PartyOrgRow])))]
pub async fn party_orgs(Signed { state, user, .. }: Signed) -> ApiResult<Vec<PartyOrgRow>> {
    let acting = user.acting(&state).await?;
    Ok(Json(acting.party_orgs().await.map_err(AppError::from)?.into_iter().map(PartyOrgRow::from).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartyScoreView {
    /// The item's (or adjustment's) key in the scheme.
    pub item: String,
    /// Exact decimal.
    pub points: String,
    pub evidence: String,
    pub scored_by: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartySheetView {
    pub org: PartyOrgRow,
    pub year: i32,
    /// draft, submitted, approved, accepted, returned or locked.
    pub state: String,
    pub state_zh: String,
    /// None until something was scored; send it back with the next change.
    pub version: Option<i64>,
    pub return_reason: Option<String>,
    pub scores: Vec<PartyScoreView>,
    /// Whose items the caller may score now: self, review or confirm.
    pub scoring: Option<String>,
    /// The steps the caller may take now: submit, approve, accept, return.
    pub steps: Vec<String>,
    /// The checklist's steps as sentences, first first.
    pub trail: Vec<String>,
}

fn scorer_code(s: taizhang_core::party::Scorer) -> &'static str {
    match s {
        taizhang_core::party::Scorer::Own => "self",
        taizhang_core::party::Scorer::Review => "review",
        taizhang_core::party::Scorer::Confirm => "confirm",
    }
}

fn event_code(e: taizhang_core::workflow::Event) -> &'static str {
    match e {
        taizhang_core::workflow::Event::Submit => "submit",
        taizhang_core::workflow::Event::Approve => "approve",
        taizhang_core::workflow::Event::Accept => "accept",
        _ => "return",
    }
}

fn sheet_view(acting: &taizhang_app::Acting<'_>, sheet: PartySheet, year: i32) -> PartySheetView {
    let zone = &acting.config().time_zone;
    let state = sheet.state();
    PartySheetView {
        year,
        state: state.code().into(),
        state_zh: state.label_zh().into(),
        version: sheet.version(),
        return_reason: sheet.assessment.as_ref().and_then(|a| a.return_reason.clone()),
        scores: sheet
            .assessment
            .iter()
            .flat_map(|a| a.scores.iter())
            .map(|s| PartyScoreView {
                item: s.item.clone(),
                points: s.points.normalize().to_string(),
                evidence: s.evidence.clone(),
                scored_by: s.scored_by.clone(),
            })
            .collect(),
        scoring: sheet.scoring.map(|s| scorer_code(s).to_string()),
        steps: sheet.steps.iter().map(|e| event_code(*e).to_string()).collect(),
        trail: sheet.trail.iter().map(|t| t.sentence(zone, &t.actor)).collect(),
        org: sheet.org.into(),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// The year assessed, e.g. 2018.
    pub year: i32,
}

/// One organisation's checklist of a year, with what the caller may do to it now.
#[utoipa::path(get, path = "/api/v1/party/assessments/{org}", tag = "party", params(("org" = String, Path, description = "党组织编码"), YearParams),
    responses((status = 200, description = "成功", body = PartySheetView), (status = 403, description = "无权查看", body = crate::ApiErrorBody), (status = 404, description = "党组织或方案不存在", body = crate::ApiErrorBody)))]
pub async fn party_assessment(
    Signed { state, user, .. }: Signed,
    Path(org): Path<String>,
    Query(q): Query<YearParams>,
) -> ApiResult<PartySheetView> {
    let acting = user.acting(&state).await?;
    let sheet = acting.party_sheet(&org, q.year).await.map_err(AppError::from)?;
    Ok(Json(sheet_view(&acting, sheet, q.year)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ScoreBody {
    pub item: String,
    /// Exact decimal as a string, e.g. "7.5".
    pub points: String,
    #[serde(default)]
    pub evidence: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ScoresBody {
    pub year: i32,
    /// The checklist's version as read (none for a first draft).
    pub version: Option<i64>,
    pub scores: Vec<ScoreBody>,
}

/// Scores of the items whose turn it is (the organisation's, its 党(工)委's or the 区委组织部's
/// with bonuses, deductions and vetoes); all checked against the scheme before any is written.
#[utoipa::path(put, path = "/api/v1/party/assessments/{org}/scores", tag = "party", request_body = ScoresBody,
    params(("org" = String, Path, description = "党组织编码")),
    responses((status = 200, description = "成功", body = PartySheetView), (status = 400, description = "得分有误（超过分值、缺少佐证、不是本环节的项目…）", body = crate::ApiErrorBody), (status = 403, description = "无权打分", body = crate::ApiErrorBody), (status = 409, description = "已被他人修改", body = crate::ApiErrorBody)))]
pub async fn party_scores(
    Signed { state, user, .. }: Signed,
    Path(org): Path<String>,
    Json(body): Json<ScoresBody>,
) -> ApiResult<PartySheetView> {
    let acting = user.acting(&state).await?;
    let scores = body
        .scores
        .into_iter()
        .map(|s| {
            let points = taizhang_core::quantity::parse_number(&s.points)
                .map_err(|_| AppError::BadRequest(format!("第{}项的得分“{}”不是数字", s.item, s.points)))?;
            Ok(ScoreInput { item: s.item, points, evidence: s.evidence })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    acting.save_party_scores(&org, body.year, &scores, body.version).await.map_err(AppError::from)?;
    let sheet = acting.party_sheet(&org, body.year).await.map_err(AppError::from)?;
    Ok(Json(sheet_view(&acting, sheet, body.year)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PartyStepBody {
    pub year: i32,
    /// submit, approve, accept or return.
    pub step: String,
    /// return: why (required).
    #[serde(default)]
    pub reason: String,
    pub version: i64,
}

/// A step of the checklist: the organisation submits, its 党(工)委 approves, the 区委组织部
/// confirms; either returns it with a reason.
#[utoipa::path(post, path = "/api/v1/party/assessments/{org}/steps", tag = "party", request_body = PartyStepBody,
    params(("org" = String, Path, description = "党组织编码")),
    responses((status = 200, description = "成功", body = PartySheetView), (status = 400, description = "该环节不能办理", body = crate::ApiErrorBody), (status = 403, description = "无权办理", body = crate::ApiErrorBody), (status = 409, description = "已被他人办理", body = crate::ApiErrorBody)))]
pub async fn party_step(
    Signed { state, user, .. }: Signed,
    Path(org): Path<String>,
    Json(body): Json<PartyStepBody>,
) -> ApiResult<PartySheetView> {
    let acting = user.acting(&state).await?;
    let event = party_event(&body.step).map_err(|e| AppError::BadRequest(format!("step：{e}")))?;
    acting.party_step(&org, body.year, event, &body.reason, body.version).await.map_err(AppError::from)?;
    let sheet = acting.party_sheet(&org, body.year).await.map_err(AppError::from)?;
    Ok(Json(sheet_view(&acting, sheet, body.year)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatedRow {
    pub place: usize,
    pub org: String,
    pub name: String,
    pub unit: String,
    /// Exact decimal.
    pub total: String,
    /// None below the lowest line or under a veto.
    pub stars: Option<u8>,
    /// 五星级, 未定星, 一票否决（…）.
    pub star_text: String,
    pub last_year: Option<u8>,
    /// 升1星, 降1星, 持平, or empty.
    pub change: String,
    /// 软弱涣散: why it is named for 整顿.
    pub weak: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PendingRow {
    pub org: String,
    pub name: String,
    pub unit: String,
    pub state: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartyRatingView {
    pub year: i32,
    pub scheme: String,
    /// The rating in one sentence, as the report writes it.
    pub sentence: String,
    pub rated: Vec<RatedRow>,
    /// Not yet confirmed by the 区委组织部.
    pub pending: Vec<PendingRow>,
    /// 书记抓党建述职评议: each secretary reviewed so far, graded.
    pub reviews: Vec<ReviewRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewRow {
    pub org: String,
    pub secretary: String,
    /// Exact decimals: the review item's points and its full points.
    pub points: String,
    pub full: String,
    /// 好, 较好, 一般 or 差 (the scheme's grades).
    pub grade: String,
}

/// The year's 星级 rating of the confirmed checklists in the caller's reach: stars by the
/// scheme's lines, 软弱涣散 named, changes from last year.
#[utoipa::path(get, path = "/api/v1/party/rating", tag = "party", params(YearParams),
    responses((status = 200, description = "成功", body = PartyRatingView), (status = 404, description = "该年度没有方案", body = crate::ApiErrorBody)))]
pub async fn party_rating(
    Signed { state, user, .. }: Signed,
    Query(q): Query<YearParams>,
) -> ApiResult<PartyRatingView> {
    let acting = user.acting(&state).await?;
    let rating = acting.party_rating(q.year).await.map_err(AppError::from)?;
    let reviews = acting.party_reviews(q.year).await.map_err(AppError::from)?;
    Ok(Json(PartyRatingView {
        reviews: reviews
            .into_iter()
            .map(|r| ReviewRow {
                org: r.org.code,
                secretary: r.org.secretary,
                points: r.points.normalize().to_string(),
                full: r.full.normalize().to_string(),
                grade: r.grade,
            })
            .collect(),
        year: rating.year,
        scheme: rating.scheme.name.clone(),
        sentence: rating_sentence(&rating),
        rated: rating
            .rated
            .iter()
            .map(|r| RatedRow {
                place: r.rated.place,
                org: r.rated.org.clone(),
                name: r.rated.name.clone(),
                unit: r.unit.clone(),
                total: r.rated.total.normalize().to_string(),
                stars: r.rated.stars,
                star_text: r.rated.star_text(),
                last_year: r.rated.last_year,
                change: change_text(&r.rated),
                weak: r.rated.weak.clone(),
            })
            .collect(),
        pending: rating
            .pending
            .iter()
            .map(|(o, s)| PendingRow {
                org: o.code.clone(),
                name: o.name.clone(),
                unit: o.unit.clone(),
                state: s.code().into(),
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthParams {
    /// The month, e.g. 2018-06.
    pub month: String,
    /// Judged as of this day (default today), e.g. 2018-06-22.
    pub as_of: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingMonthRow {
    pub org: String,
    pub name: String,
    pub unit: String,
    /// green, yellow or red.
    pub light: String,
    /// Meetings held that month, by kind code.
    pub held: HashMap<String, usize>,
    /// What is missing, in words.
    pub reason: String,
}

/// A month's 三会一课 per organisation in the caller's reach, lit: a required meeting missing
/// from the scheme's warn day is yellow, from the month's (or quarter's) end red.
#[utoipa::path(get, path = "/api/v1/party/meetings", tag = "party", params(MonthParams),
    responses((status = 200, description = "成功", body = [MeetingMonthRow]), (status = 400, description = "请求有误", body = crate::ApiErrorBody)))]
pub async fn party_meetings(
    Signed { state, user, .. }: Signed,
    Query(q): Query<MonthParams>,
) -> ApiResult<Vec<MeetingMonthRow>> {
    let acting = user.acting(&state).await?;
    let month = match parse_period(&q.month)? {
        p @ Period::Month(..) => p,
        other => return Err(AppError::BadRequest(format!("month 应为月份（如 2018-06），而不是“{other}”")).into()),
    };
    let as_of = match q.as_of.as_deref() {
        Some(d) => Date::parse(d).map_err(|e| AppError::BadRequest(format!("as_of：{e}")))?,
        None => taizhang_app::clock::today(),
    };
    let months = acting.party_completeness(month.year(), month, as_of).await.map_err(AppError::from)?;
    Ok(Json(
        months
            .into_iter()
            .map(|m| MeetingMonthRow {
                reason: m.completeness.reason(),
                light: m.completeness.light.code().into(),
                held: m.completeness.held.iter().map(|(k, n)| (k.code().to_string(), *n)).collect(),
                unit: m.org.unit.clone(),
                name: m.org.name,
                org: m.org.code,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MeetingBody {
    pub org: String,
    /// member_assembly, branch_committee, group_meeting, party_lecture, theme_day (or the Chinese name).
    pub kind: String,
    /// e.g. 2018-06-08; not after today.
    pub date: String,
    /// No more than the organisation's members.
    pub attendance: u32,
    pub topic: String,
}

/// A meeting recorded by the organisation's 支部书记.
#[utoipa::path(post, path = "/api/v1/party/meetings", tag = "party", request_body = MeetingBody,
    responses((status = 200, description = "成功：登记的会议数", body = usize), (status = 400, description = "会议有误（日期在未来、人数超过党员数…）", body = crate::ApiErrorBody), (status = 403, description = "无权登记", body = crate::ApiErrorBody)))]
pub async fn record_party_meeting(
    Signed { state, user, .. }: Signed,
    Json(body): Json<MeetingBody>,
) -> ApiResult<usize> {
    let acting = user.acting(&state).await?;
    let meeting = Meeting {
        org: body.org,
        kind: body.kind.parse().map_err(|e: taizhang_core::DomainError| AppError::BadRequest(format!("kind：{e}")))?,
        held_on: Date::parse(&body.date).map_err(|e| AppError::BadRequest(format!("date：{e}")))?,
        attendance: body.attendance,
        topic: body.topic,
    };
    let n =
        acting.record_party_meetings(&[meeting], taizhang_app::clock::today(), false).await.map_err(AppError::from)?;
    Ok(Json(n))
}
