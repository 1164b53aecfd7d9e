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
}

fn order_row(o: taizhang_core::supervision::Order, acting: &taizhang_app::Acting<'_>, today: Date) -> OrderRow {
    let lit = o.light(today, &acting.config().lights);
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
    pub unit: String,
    #[serde(default)]
    pub subject: String,
    pub title: String,
    #[serde(default)]
    pub requirement: String,
    /// 2018-07-20; not before today.
    pub deadline: String,
}

/// Issues a 督办 order to a unit.
#[utoipa::path(post, path = "/api/v1/orders", tag = "supervision", request_body = NewOrder,
    responses((status = 200, description = "成功", body = OrderRow), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权下达督办", body = crate::ApiErrorBody)))]
pub async fn issue_order(Signed { state, user, .. }: Signed, Json(body): Json<NewOrder>) -> ApiResult<OrderRow> {
    let acting = user.acting(&state).await?;
    let today = taizhang_app::clock::today();
    let deadline = Date::parse(&body.deadline).map_err(|e| AppError::BadRequest(format!("deadline：{e}")))?;
    let id = acting
        .issue_order(&body.unit, &body.subject, &body.title, &body.requirement, deadline, today)
        .await
        .map_err(AppError::from)?;
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
