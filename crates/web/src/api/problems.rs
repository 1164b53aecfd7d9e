//! 问题: problems raised on projects, their escalation and resolution.

use super::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemRow {
    pub id: i64,
    pub project: String,
    pub unit: String,
    pub raised_on: String,
    pub description: String,
    pub owner: String,
    pub deadline: Option<String>,
    /// 责任单位, 分包领导 or 区级.
    pub level: String,
    pub resolved_on: Option<String>,
    pub resolution: String,
    /// Days open (to the resolution, once resolved).
    pub age_days: i64,
    /// The account that raised it (it confirms the resolution).
    pub raised_by: String,
    /// 项目页, 填报, 导入, 要素保障, 接口 or 命令行.
    pub source: String,
    pub confirmed_on: Option<String>,
    /// 办理中, 逾期未解决, 已办结待确认… as lists print it.
    pub state: String,
}

fn problem_row(p: taizhang_core::supervision::ProblemRecord, today: Date) -> ProblemRow {
    ProblemRow {
        age_days: p.age_days(today),
        state: p.state_zh(today),
        raised_by: p.raised_by.clone(),
        source: p.source.clone(),
        confirmed_on: p.confirmed_on.map(|d| d.to_string()),
        id: p.id,
        project: p.project,
        unit: p.unit,
        raised_on: p.raised_on.to_string(),
        description: p.description,
        owner: p.owner,
        deadline: p.deadline.map(|d| d.to_string()),
        level: p.level.label_zh().into(),
        resolved_on: p.resolved_on.map(|d| d.to_string()),
        resolution: p.resolution,
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemParams {
    /// Unit code: its subtree (default: the caller's reach).
    pub unit: Option<String>,
    /// Open problems only.
    #[serde(default)]
    pub open: bool,
    /// Project, description or unit: part of it, its characters in order, or 拼音 initials.
    pub q: Option<String>,
}

/// Problems of a unit's subtree, with level, deadline and age.
#[utoipa::path(get, path = "/api/v1/problems", tag = "supervision", params(ProblemParams),
    responses((status = 200, description = "成功", body = [ProblemRow]), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody)))]
pub async fn problems(
    Signed { state, user, .. }: Signed,
    Query(q): Query<ProblemParams>,
) -> ApiResult<Vec<ProblemRow>> {
    let acting = user.acting(&state).await?;
    let today = taizhang_app::clock::today();
    let found = acting.problems(q.unit.as_deref()).await.map_err(AppError::from)?;
    let query = q.q.as_deref().unwrap_or_default();
    Ok(Json(
        found
            .into_iter()
            .filter(|p| !q.open || p.resolved_on.is_none())
            .filter(|p| {
                [p.project.as_str(), p.description.as_str(), &acting.unit_name(&p.unit)]
                    .iter()
                    .any(|text| taizhang_core::search::finds(query, text))
            })
            .map(|p| problem_row(p, today))
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewProblem {
    pub project: String,
    pub description: String,
    /// Who answers for it (default: the project's responsible person).
    #[serde(default)]
    pub owner: String,
    /// 2018-07-15
    pub deadline: String,
}

/// Raises a problem on a project; it starts with the responsible unit.
#[utoipa::path(post, path = "/api/v1/problems", tag = "supervision", request_body = NewProblem,
    responses((status = 200, description = "成功", body = ProblemRow), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody), (status = 404, description = "项目不存在", body = crate::ApiErrorBody)))]
pub async fn raise_problem(Signed { state, user, .. }: Signed, Json(body): Json<NewProblem>) -> ApiResult<ProblemRow> {
    let acting = user.acting(&state).await?;
    let today = taizhang_app::clock::today();
    let deadline = Date::parse(&body.deadline).map_err(|e| AppError::BadRequest(format!("deadline：{e}")))?;
    let id = acting
        .raise_problem(&body.project, &body.description, &body.owner, deadline, today, "接口")
        .await
        .map_err(AppError::from)?;
    Ok(Json(problem_row(acting.problem(id).await.map_err(AppError::from)?, today)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Resolution {
    /// 办结说明.
    pub resolution: String,
}

/// Resolves a problem with its 办结说明.
#[utoipa::path(post, path = "/api/v1/problems/{id}/resolve", tag = "supervision", params(("id" = i64, Path)),
    request_body = Resolution,
    responses((status = 200, description = "成功", body = ProblemRow), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody), (status = 404, description = "不存在", body = crate::ApiErrorBody)))]
pub async fn resolve_problem(
    Signed { state, user, .. }: Signed,
    Path(id): Path<i64>,
    Json(body): Json<Resolution>,
) -> ApiResult<ProblemRow> {
    let acting = user.acting(&state).await?;
    let today = taizhang_app::clock::today();
    acting.resolve_problem(id, &body.resolution, today).await.map_err(AppError::from)?;
    Ok(Json(problem_row(acting.problem(id).await.map_err(AppError::from)?, today)))
}

/// Moves every overdue open problem up one level (责任单位 → 分包领导 → 区级); the district's daily job.
#[utoipa::path(post, path = "/api/v1/problems/escalate", tag = "supervision",
    responses((status = 200, description = "成功", body = [ProblemRow]), (status = 403, description = "无权操作", body = crate::ApiErrorBody)))]
pub async fn escalate_problems(Signed { state, user, .. }: Signed) -> ApiResult<Vec<ProblemRow>> {
    let acting = user.acting(&state).await?;
    let today = taizhang_app::clock::today();
    let mut out = Vec::new();
    for (id, _) in acting.escalate_overdue(today).await.map_err(AppError::from)? {
        out.push(problem_row(acting.problem(id).await.map_err(AppError::from)?, today));
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Confirmation {
    /// true: 确认办结; false: not satisfied, the problem reopens (a note is required).
    pub accept: bool,
    #[serde(default)]
    pub note: String,
}

/// The raiser confirms a resolved problem (确认办结), or sends it back open with a reason.
#[utoipa::path(post, path = "/api/v1/problems/{id}/confirm", tag = "supervision", params(("id" = i64, Path)),
    request_body = Confirmation,
    responses((status = 200, description = "成功", body = ProblemRow), (status = 400, description = "请求有误", body = crate::ApiErrorBody), (status = 403, description = "无权操作该单位的记录", body = crate::ApiErrorBody), (status = 404, description = "不存在", body = crate::ApiErrorBody)))]
pub async fn confirm_problem(
    Signed { state, user, .. }: Signed,
    Path(id): Path<i64>,
    Json(body): Json<Confirmation>,
) -> ApiResult<ProblemRow> {
    let acting = user.acting(&state).await?;
    let today = taizhang_app::clock::today();
    acting.confirm_problem(id, body.accept, &body.note, today).await.map_err(AppError::from)?;
    Ok(Json(problem_row(acting.problem(id).await.map_err(AppError::from)?, today)))
}
