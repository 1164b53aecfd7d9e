//! 督办 orders: issued to a unit, answered, extended, closed or sent back for rework.

use super::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderRow {
    pub id: i64,
    pub unit: String,
    /// A project or task code, or a problem number.
    pub subject: String,
    pub title: String,
    pub requirement: String,
    pub issued_on: String,
    pub deadline: String,
    /// issued, signed, feedback, returned or closed.
    pub state: String,
    pub feedback: String,
    /// red, yellow or green on the day asked.
    pub light: String,
    /// 督办单号, e.g. 督〔2018〕12号.
    pub number: String,
    /// What it was issued from: problem:12, meeting:3, light, or empty.
    pub issued_from: String,
}

fn order_row(o: taizhang_core::supervision::Order, acting: &taizhang_app::Acting<'_>, today: Date) -> OrderRow {
    let lit = o.light(today, &acting.config().lights);
    let number = o.number();
    OrderRow {
        id: o.id,
        unit: o.unit,
        subject: o.subject,
        title: o.title,
        requirement: o.requirement,
        issued_on: o.issued_on.to_string(),
        deadline: o.deadline.to_string(),
        state: o.state.code().into(),
        feedback: o.feedback,
        light: lit.light.code().into(),
        number,
        issued_from: o.issued_from,
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderParams {
    /// Unit code: orders addressed to its subtree (default: the caller's reach).
    pub unit: Option<String>,
}

/// 督办 orders addressed to a unit's subtree, each with its light today.
#[utoipa::path(get, path = "/api/v1/orders", tag = "supervision", params(OrderParams),
    responses((status = 200, description = "成功", body = [OrderRow]), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody)))]
pub async fn orders(Signed { state, user, .. }: Signed, Query(q): Query<OrderParams>) -> ApiResult<Vec<OrderRow>> {
    let acting = user.acting(&state).await?;
    let today = taizhang_app::clock::today();
    let found = acting.orders(q.unit.as_deref()).await.map_err(AppError::from)?;
    Ok(Json(found.into_iter().map(|o| order_row(o, &acting, today)).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewOrder {
    /// The unit that answers; may be left out when `problem` names one.
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub subject: String,
    pub title: String,
    #[serde(default)]
    pub requirement: String,
    /// 2018-07-20; not before today. Required.
    pub deadline: Option<String>,
    /// The problem the order is issued from: its unit and project become the order's.
    pub problem: Option<i64>,
    /// light: issued from a red or yellow light.
    #[serde(default)]
    pub issued_from: String,
}

/// Issues a 督办 order to a unit.
#[utoipa::path(post, path = "/api/v1/orders", tag = "supervision", request_body = NewOrder,
    responses((status = 200, description = "成功", body = OrderRow), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权下达督办", body = crate::ApiErrorBody)))]
pub async fn issue_order(Signed { state, user, .. }: Signed, Json(body): Json<NewOrder>) -> ApiResult<OrderRow> {
    let acting = user.acting(&state).await?;
    let today = taizhang_app::clock::today();
    let deadline = body
        .deadline
        .as_deref()
        .map(Date::parse)
        .transpose()
        .map_err(|e| AppError::BadRequest(format!("deadline：{e}")))?;
    let from = body.problem.map(|p| format!("problem:{p}")).unwrap_or(body.issued_from);
    let (unit, subject) = match body.problem {
        Some(p) => {
            let p = acting.problem(p).await.map_err(AppError::from)?;
            (if body.unit.is_empty() { p.unit } else { body.unit }, p.project)
        }
        None => (body.unit, body.subject),
    };
    let draft = taizhang_app::OrderDraft {
        unit: &unit,
        subject: &subject,
        title: &body.title,
        requirement: &body.requirement,
        deadline,
        from: &from,
    };
    let id = acting.issue_order(&draft, today).await.map_err(AppError::from)?;
    Ok(Json(order_row(acting.order(id).await.map_err(AppError::from)?, &acting, today)))
}

#[derive(Debug, Deserialize, ToSchema, Default)]
pub struct OrderAction {
    /// respond: the 反馈 (attachments named in it); rework: the reason; close: a note; extend: the reason.
    #[serde(default)]
    pub text: String,
    /// extend only: the deadline asked for.
    pub deadline: Option<String>,
}

/// respond (the unit), extend (the unit asks for a later deadline), close or rework (退回重办,
/// the issuer's side).
#[utoipa::path(post, path = "/api/v1/orders/{id}/{action}", tag = "supervision",
    params(("id" = i64, Path), ("action" = String, Path, description = "respond | extend | close | rework")),
    request_body = OrderAction,
    responses((status = 200, description = "成功", body = OrderRow), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody), (status = 404, description = "不存在", body = crate::ApiErrorBody)))]
pub async fn order_action(
    Signed { state, user, .. }: Signed,
    Path((id, action)): Path<(i64, String)>,
    Json(body): Json<OrderAction>,
) -> ApiResult<OrderRow> {
    let acting = user.acting(&state).await?;
    let today = taizhang_app::clock::today();
    let order = match action.as_str() {
        "respond" => acting.respond_order(id, &body.text).await,
        "close" => acting.review_order(id, true, &body.text).await,
        "rework" => acting.review_order(id, false, &body.text).await,
        "extend" => {
            let to =
                body.deadline.as_deref().ok_or_else(|| AppError::BadRequest("延期须给出新的时限 deadline".into()))?;
            let to = Date::parse(to).map_err(|e| AppError::BadRequest(format!("deadline：{e}")))?;
            acting.request_extension(id, to, &body.text, today).await.map_err(AppError::from)?;
            acting.order(id).await
        }
        other => return Err(ApiError(AppError::NotFound(format!("操作“{other}”")))),
    }
    .map_err(AppError::from)?;
    Ok(Json(order_row(order, &acting, today)))
}

/// Approves (the deadline moves) or refuses an extension request.
#[utoipa::path(post, path = "/api/v1/extensions/{request}/{decision}", tag = "supervision",
    params(("request" = i64, Path), ("decision" = String, Path, description = "approve | refuse")),
    responses((status = 200, description = "成功", body = OrderRow), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权审批延期", body = crate::ApiErrorBody), (status = 404, description = "不存在", body = crate::ApiErrorBody)))]
pub async fn decide_extension(
    Signed { state, user, .. }: Signed,
    Path((request, decision)): Path<(i64, String)>,
) -> ApiResult<OrderRow> {
    let acting = user.acting(&state).await?;
    let today = taizhang_app::clock::today();
    let approve = match decision.as_str() {
        "approve" => true,
        "refuse" => false,
        other => return Err(ApiError(AppError::NotFound(format!("操作“{other}”")))),
    };
    let order = acting.decide_extension(request, approve, today).await.map_err(AppError::from)?;
    Ok(Json(order_row(order, &acting, today)))
}
