//! 三定四推五落实: a project's node plan (倒排工期) and 要素保障 items, and 调度 meetings whose
//! decisions become 督办 orders.

use taizhang_core::mechanism::{Decision, Element, NodePlan};

use super::*;

fn date_text(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn parse_opt(field: &str, text: Option<&str>) -> Result<Option<Date>, ApiError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => Date::parse(t).map(Some).map_err(|e| ApiError(AppError::BadRequest(format!("{field}：{e}")))),
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NodeRow {
    /// One of the configured nodes (立项, 规划许可, … 竣工验收).
    pub node: String,
    /// 2018-05-31
    pub planned: Option<String>,
    pub actual: Option<String>,
    #[serde(default)]
    pub note: String,
    /// red or yellow when past its date without an actual date (answers only).
    #[serde(default, skip_deserializing)]
    pub light: Option<String>,
    #[serde(default, skip_deserializing)]
    pub reason: Option<String>,
}

async fn node_rows(acting: &taizhang_app::Acting<'_>, code: &str) -> Result<Vec<NodeRow>, ApiError> {
    let today = taizhang_app::clock::today();
    let plan = acting.node_plan(code).await.map_err(AppError::from)?;
    Ok(plan
        .into_iter()
        .map(|n| {
            let lit = n.light(today, &acting.config().mechanism);
            NodeRow {
                planned: date_text(n.planned),
                actual: date_text(n.actual),
                light: lit.as_ref().map(|l| l.light.code().to_string()),
                reason: lit.map(|l| l.reason),
                node: n.node,
                note: n.note,
            }
        })
        .collect())
}

/// A project's node plan: every configured node with its dates and light today.
#[utoipa::path(get, path = "/api/v1/projects/{code}/nodes", tag = "mechanism", params(("code" = String, Path)),
    responses((status = 200, description = "成功", body = [NodeRow]), (status = 403, description = "无权查看该单位的记录", body = crate::ApiErrorBody), (status = 404, description = "项目不存在", body = crate::ApiErrorBody)))]
pub async fn nodes(Signed { state, user, .. }: Signed, Path(code): Path<String>) -> ApiResult<Vec<NodeRow>> {
    let acting = user.acting(&state).await?;
    Ok(Json(node_rows(&acting, &code).await?))
}

/// Writes nodes of a project's plan, all or none: each a configured node, none before the
/// 立项; the 开工 and 竣工验收 actual dates become the project's 实际开工 and 实际竣工.
#[utoipa::path(put, path = "/api/v1/projects/{code}/nodes", tag = "mechanism", params(("code" = String, Path)),
    request_body = [NodeRow],
    responses((status = 200, description = "成功", body = [NodeRow]), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody), (status = 404, description = "项目不存在", body = crate::ApiErrorBody)))]
pub async fn save_nodes(
    Signed { state, user, .. }: Signed,
    Path(code): Path<String>,
    Json(body): Json<Vec<NodeRow>>,
) -> ApiResult<Vec<NodeRow>> {
    let acting = user.acting(&state).await?;
    let mut nodes = Vec::new();
    for (i, n) in body.into_iter().enumerate() {
        let place = format!("第{}个节点", i + 1);
        let plan = NodePlan {
            project: code.clone(),
            planned: parse_opt(&format!("{place} planned"), n.planned.as_deref())?,
            actual: parse_opt(&format!("{place} actual"), n.actual.as_deref())?,
            node: n.node,
            note: n.note,
        };
        nodes.push((place, plan));
    }
    acting.save_nodes(&nodes, taizhang_app::clock::today()).await.map_err(AppError::from)?;
    Ok(Json(node_rows(&acting, &code).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ElementRow {
    pub item: String,
    /// 已落实, 推进中 or 存在困难.
    pub status: String,
    pub unit: String,
    pub due: Option<String>,
    pub note: String,
    pub updated_on: String,
    /// The problem raised when it went past its date unsettled.
    pub problem: Option<i64>,
}

async fn element_rows(acting: &taizhang_app::Acting<'_>, code: &str) -> Result<Vec<ElementRow>, ApiError> {
    let found = acting.elements(code).await.map_err(AppError::from)?;
    Ok(found
        .into_iter()
        .map(|e| ElementRow {
            status: e.status.label_zh().into(),
            due: date_text(e.due),
            updated_on: e.updated_on.to_string(),
            item: e.item,
            unit: e.unit,
            note: e.note,
            problem: e.problem,
        })
        .collect())
}

/// A project's 要素保障 items (五落实), every configured one.
#[utoipa::path(get, path = "/api/v1/projects/{code}/elements", tag = "mechanism", params(("code" = String, Path)),
    responses((status = 200, description = "成功", body = [ElementRow]), (status = 403, description = "无权查看该单位的记录", body = crate::ApiErrorBody), (status = 404, description = "项目不存在", body = crate::ApiErrorBody)))]
pub async fn elements(Signed { state, user, .. }: Signed, Path(code): Path<String>) -> ApiResult<Vec<ElementRow>> {
    let acting = user.acting(&state).await?;
    Ok(Json(element_rows(&acting, &code).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ElementInput {
    /// 已落实, 推进中 or 存在困难.
    pub status: String,
    /// The unit answering for it (code or name; default: the project's).
    #[serde(default)]
    pub unit: String,
    pub due: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// Records where one 要素保障 item stands.
#[utoipa::path(put, path = "/api/v1/projects/{code}/elements/{item}", tag = "mechanism",
    params(("code" = String, Path), ("item" = String, Path)), request_body = ElementInput,
    responses((status = 200, description = "成功", body = [ElementRow]), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody), (status = 404, description = "项目不存在", body = crate::ApiErrorBody)))]
pub async fn save_element(
    Signed { state, user, .. }: Signed,
    Path((code, item)): Path<(String, String)>,
    Json(body): Json<ElementInput>,
) -> ApiResult<Vec<ElementRow>> {
    let acting = user.acting(&state).await?;
    let element =
        element_from(&code, &item, &body.status, &body.unit, body.due.as_deref(), &body.note).map_err(ApiError)?;
    acting.save_element(&element).await.map_err(AppError::from)?;
    Ok(Json(element_rows(&acting, &code).await?))
}

/// An item as a form or request writes it (a blank unit: the one answering now).
pub(crate) fn element_from(
    code: &str,
    item: &str,
    status: &str,
    unit: &str,
    due: Option<&str>,
    note: &str,
) -> Result<Element, AppError> {
    let status = status.parse().map_err(|e| AppError::BadRequest(format!("落实情况：{e}")))?;
    let due = parse_opt("计划落实日期", due).map_err(|e| e.0)?;
    Ok(Element {
        project: code.to_string(),
        item: item.to_string(),
        status,
        unit: unit.to_string(),
        note: note.to_string(),
        due,
        updated_on: taizhang_app::clock::today(),
        problem: None,
    })
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DecisionRow {
    pub text: String,
    /// Unit code or name.
    pub unit: String,
    /// 2018-06-20
    pub deadline: String,
    /// The 督办 order it became (answers only).
    #[serde(default, skip_deserializing)]
    pub order: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingRow {
    pub id: i64,
    pub kind: String,
    pub held_on: String,
    /// 2018W23, 2018-06上旬, 2018-06 or 2018Q2, by the kind's cadence.
    pub period: String,
    pub chair: String,
    pub attendees: String,
    pub projects: Vec<String>,
    pub summary: String,
    pub decisions: Vec<DecisionRow>,
}

fn meeting_row(m: taizhang_core::mechanism::Meeting) -> MeetingRow {
    MeetingRow {
        id: m.id,
        kind: m.kind,
        held_on: m.held_on.to_string(),
        period: m.period,
        chair: m.chair,
        attendees: m.attendees,
        projects: m.projects,
        summary: m.summary,
        decisions: m
            .decisions
            .into_iter()
            .map(|d| DecisionRow { text: d.text, unit: d.unit, deadline: d.deadline.to_string(), order: d.order })
            .collect(),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingParams {
    /// 2018W23, 2018-06上旬, 2018-06 or 2018Q2 (default: all).
    pub period: Option<String>,
}

/// 调度 meetings of a period, latest first; a unit sees those that concern it.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "mechanism", params(MeetingParams),
    responses((status = 200, description = "成功", body = [MeetingRow]), (status = 400, description = "请求有误", body = crate::ApiErrorBody)))]
pub async fn meetings(
    Signed { state, user, .. }: Signed,
    Query(q): Query<MeetingParams>,
) -> ApiResult<Vec<MeetingRow>> {
    let acting = user.acting(&state).await?;
    let found = acting.meetings(q.period.as_deref()).await.map_err(AppError::from)?;
    Ok(Json(found.into_iter().map(meeting_row).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewMeeting {
    /// 周调度, 旬调度, 月观摩 or 季讲评 (as configured).
    pub kind: String,
    /// 2018-06-07; not after today.
    pub held_on: String,
    #[serde(default)]
    pub chair: String,
    #[serde(default)]
    pub attendees: String,
    /// Codes of the projects discussed.
    #[serde(default)]
    pub projects: Vec<String>,
    #[serde(default)]
    pub summary: String,
    /// Each becomes a 督办 order to its unit.
    #[serde(default)]
    pub decisions: Vec<DecisionRow>,
}

/// Records a 调度 meeting; its decisions become 督办 orders, all in one write.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "mechanism", request_body = NewMeeting,
    responses((status = 200, description = "成功", body = MeetingRow), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权记录调度会", body = crate::ApiErrorBody)))]
pub async fn record_meeting(Signed { state, user, .. }: Signed, Json(body): Json<NewMeeting>) -> ApiResult<MeetingRow> {
    let acting = user.acting(&state).await?;
    let held_on = Date::parse(&body.held_on).map_err(|e| AppError::BadRequest(format!("held_on：{e}")))?;
    let mut decisions = Vec::new();
    for (i, d) in body.decisions.into_iter().enumerate() {
        let deadline = Date::parse(&d.deadline)
            .map_err(|e| AppError::BadRequest(format!("第{}项议定事项 deadline：{e}", i + 1)))?;
        decisions.push(Decision { text: d.text, unit: d.unit, deadline, order: None });
    }
    let draft = taizhang_app::MeetingDraft {
        kind: body.kind,
        held_on,
        chair: body.chair,
        attendees: body.attendees,
        projects: body.projects,
        summary: body.summary,
        decisions,
    };
    let m = acting.record_meeting(&draft, taizhang_app::clock::today()).await.map_err(AppError::from)?;
    Ok(Json(meeting_row(m)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderRow {
    pub id: i64,
    /// round:ID:UNIT:due|overdue or order:ID:DEADLINE:due|overdue, with the channel and target.
    pub key: String,
    /// email or webhook.
    pub channel: String,
    pub target: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    pub attempts: i64,
    pub next_at: String,
    pub sent_at: Option<String>,
    pub last_error: String,
}

/// The latest 催报/催办 reminders and how their sending went (admins).
#[utoipa::path(get, path = "/api/v1/reminders", tag = "mechanism",
    responses((status = 200, description = "成功", body = [ReminderRow]), (status = 403, description = "无权查看", body = crate::ApiErrorBody)))]
pub async fn reminders(Signed { state, user, .. }: Signed) -> ApiResult<Vec<ReminderRow>> {
    let acting = user.acting(&state).await?;
    let log = acting.reminder_log(200).await.map_err(AppError::from)?;
    Ok(Json(
        log.into_iter()
            .map(|r| ReminderRow {
                id: r.id,
                key: r.key,
                channel: r.channel.code().into(),
                target: r.target,
                subject: r.subject,
                body: r.body,
                created_at: r.created_at,
                attempts: r.attempts,
                next_at: r.next_at,
                sent_at: r.sent_at,
                last_error: r.last_error,
            })
            .collect(),
    ))
}

/// The 督办通知单 of an order as Word (.docx).
#[utoipa::path(get, path = "/api/v1/orders/{id}/notice", tag = "mechanism", params(("id" = i64, Path)),
    responses((status = 200, description = "Word 文档", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 403, description = "无权查看该单位的记录", body = crate::ApiErrorBody), (status = 404, description = "不存在", body = crate::ApiErrorBody)))]
pub async fn order_notice(Signed { state, user, .. }: Signed, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let acting = user.acting(&state).await?;
    let doc = acting.order_notice(id).await.map_err(AppError::from)?;
    Ok(crate::view::docx_download(&doc, &format!("duban-{id}"))?)
}

/// The 会议纪要 of a meeting as Word (.docx).
#[utoipa::path(get, path = "/api/v1/meetings/{id}/minutes", tag = "mechanism", params(("id" = i64, Path)),
    responses((status = 200, description = "Word 文档", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 404, description = "不存在", body = crate::ApiErrorBody)))]
pub async fn meeting_minutes(Signed { state, user, .. }: Signed, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let acting = user.acting(&state).await?;
    let doc = acting.meeting_minutes(id).await.map_err(AppError::from)?;
    Ok(crate::view::docx_download(&doc, &format!("minutes-{id}"))?)
}
