//! Reporting rounds and entries: drafts, submission, review.

use super::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundRow {
    pub id: i64,
    pub period: String,
    pub form: String,
    pub due: String,
    pub open: bool,
}

/// A unit's sheet saved as drafts: how many, and what the submission will ask to explain
/// ("ZD2018-001：…"; a 说明 column answers it in the sheet, or `explanations` at submit).
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedSheet {
    pub count: usize,
    pub to_explain: Vec<String>,
}

/// Reporting rounds, newest first.
#[utoipa::path(get, path = "/api/v1/rounds", tag = "reporting", responses((status = 200, description = "成功", body = [RoundRow])))]
pub async fn rounds(Signed { state, user, .. }: Signed) -> ApiResult<Vec<RoundRow>> {
    let acting = user.acting(&state).await?;
    Ok(Json(acting.rounds().await.map_err(AppError::from)?.into_iter().map(round_row).collect()))
}

/// One unit's standing in a round.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandingRow {
    pub unit: String,
    pub name: String,
    /// Records the unit owes, and how many of them it has sent (submitted or further).
    pub owed: usize,
    pub sent: usize,
    /// Its records by state (draft, submitted, approved, accepted, returned, locked): count.
    pub states: std::collections::BTreeMap<String, usize>,
    /// Past the due date with something not yet sent (逾期未报).
    pub overdue: bool,
    /// Something was sent after the due date (逾期报送).
    pub late: bool,
}

/// Each owing unit's standing in a round today, within the caller's reach (各单位报送情况).
#[utoipa::path(get, path = "/api/v1/rounds/{round}/units", tag = "reporting", params(("round" = i64, Path)),
    responses((status = 200, description = "成功", body = [StandingRow]), (status = 404, description = "没有该轮次", body = crate::ApiErrorBody)))]
pub async fn round_units(Signed { state, user, .. }: Signed, Path(round): Path<i64>) -> ApiResult<Vec<StandingRow>> {
    let acting = user.acting(&state).await?;
    let round = acting.round_of(round).await.map_err(AppError::from)?;
    let standing = acting.round_status(&round, taizhang_app::clock::today()).await.map_err(AppError::from)?;
    Ok(Json(
        standing
            .into_iter()
            .map(|s| StandingRow {
                states: s.by_state.iter().map(|(state, n)| (state.code().to_string(), *n)).collect(),
                unit: s.unit,
                name: s.name,
                owed: s.owed,
                sent: s.sent,
                overdue: s.overdue,
                late: s.late,
            })
            .collect(),
    ))
}

fn round_row(r: taizhang_core::workflow::Round) -> RoundRow {
    RoundRow {
        id: r.id,
        period: r.period.key(),
        form: r.form.code().into(),
        due: r.due.to_string(),
        open: r.status == taizhang_core::workflow::RoundStatus::Open,
    }
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
    /// Why the record was returned, while it is returned (退回原因).
    pub return_reason: Option<String>,
    /// On a draft just saved: what the submission's rules will ask to explain (说明), said
    /// at once as the form says it; absent in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_explain: Option<Vec<String>>,
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
        return_reason: e.return_reason,
        to_explain: None,
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
    let figures =
        crate::figures::typed_figures(numbers, &f.text, &f.problems).map_err(|(_, m)| AppError::BadRequest(m))?;
    let acting = user.acting(&state).await?;
    let round = acting.round_of(round).await.map_err(AppError::from)?;
    let saved = acting.save_draft(&round, &unit, &subject, &figures, body.version).await.map_err(AppError::from)?;
    let to_explain = acting.draft_warnings(&round, &saved).await.map_err(AppError::from)?;
    Ok(Json(EntryRow { to_explain: Some(to_explain), ..entry_row(saved) }))
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
    /// return only: the records (subjects) to return; all the unit's submitted ones when empty.
    #[serde(default)]
    pub subjects: Vec<String>,
}

/// approve (unit leader), accept (district) or return (with a reason) a unit's entries; or
/// remind (催报, admins): a message to a unit still owing, now — the count is of messages queued.
#[utoipa::path(post, path = "/api/v1/rounds/{round}/units/{unit}/{action}", tag = "reporting",
    params(("round" = i64, Path), ("unit" = String, Path), ("action" = String, Path, description = "approve | accept | return | remind")),
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
        "return" => acting.return_entries(&round, &unit, &body.reason, &body.subjects).await,
        "remind" => acting.remind_unit(&round, &unit, taizhang_app::clock::today()).await,
        other => return Err(ApiError(AppError::NotFound(format!("操作“{other}”")))),
    }
    .map_err(|e: taizhang_app::Error| ApiError(e.into()))?;
    Ok(Json(Count { count }))
}

#[derive(Debug, Deserialize, ToSchema, Default)]
pub struct ReopenBody {
    /// Why the closed round opens again (required).
    pub reason: String,
}

/// Reopens a closed round (admin, with a reason): its locked records go back to the units as
/// returned, to be corrected and submitted again.
#[utoipa::path(post, path = "/api/v1/rounds/{round}/reopen", tag = "reporting",
    params(("round" = i64, Path)), request_body = ReopenBody,
    responses((status = 200, description = "成功", body = RoundRow), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权重新开放", body = crate::ApiErrorBody), (status = 404, description = "不存在", body = crate::ApiErrorBody)))]
pub async fn reopen(
    Signed { state, user, .. }: Signed,
    Path(round): Path<i64>,
    Json(body): Json<ReopenBody>,
) -> ApiResult<RoundRow> {
    let acting = user.acting(&state).await?;
    let round = acting.round_of(round).await.map_err(AppError::from)?;
    acting.reopen_round(&round, &body.reason).await.map_err(AppError::from)?;
    let round = acting.round_of(round.id).await.map_err(AppError::from)?;
    Ok(Json(round_row(round)))
}

/// A unit's progress sheet for the round: each project it owes with its draft and the draft's
/// 版本, to be filled in and put back with `PUT` on the same path.
#[utoipa::path(get, path = "/api/v1/rounds/{round}/units/{unit}/sheet", tag = "reporting",
    params(("round" = i64, Path), ("unit" = String, Path)),
    responses((status = 200, description = "进度表", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody)))]
pub async fn progress_sheet(
    Signed { state, user, .. }: Signed,
    Path((round, unit)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    Ok(crate::pages::sheet_download(&user.acting(&state).await?, round, &unit).await?)
}

/// A unit's filled progress sheet (the .xlsx as the body) saved as its drafts: every row or
/// none; 422 lists each bad cell, 409 names the drafts changed since the sheet was taken.
#[utoipa::path(put, path = "/api/v1/rounds/{round}/units/{unit}/sheet", tag = "reporting",
    params(("round" = i64, Path), ("unit" = String, Path)),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, description = "已保存为草稿", body = SavedSheet),
              (status = 409, description = "下载后草稿已修改，未保存", body = crate::ApiErrorBody),
              (status = 422, description = "未通过校验，未保存", body = crate::ApiErrorBody)))]
pub async fn upload_sheet(
    Signed { state, user, .. }: Signed,
    Path((round, unit)): Path<(i64, String)>,
    bytes: axum::body::Bytes,
) -> ApiResult<SavedSheet> {
    let acting = user.acting(&state).await?;
    let round = acting.round_of(round).await.map_err(AppError::from)?;
    match acting.progress_drafts(&round, &unit, &bytes, "上传的工作簿").await.map_err(AppError::from)? {
        Ok(saved) => Ok(Json(SavedSheet { count: saved.count, to_explain: saved.to_explain })),
        Err(errors) => {
            Err(AppError::Rules(format!("工作簿未通过校验，未保存任何数据：\n{}", errors.join("\n"))).into())
        }
    }
}
