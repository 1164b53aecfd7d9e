//! Key projects and their monthly reports.

use super::*;

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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectParams {
    pub year: Option<i32>,
    /// Code, name, unit or leader: part of it, its characters in order, or 拼音 initials (dhj).
    pub q: Option<String>,
    /// Part of the responsible unit's name, or its code.
    pub unit: Option<String>,
}

/// Projects with a plan in a year, within the caller's reach, found as the 重点项目 page finds them.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ProjectParams),
    responses((status = 200, description = "成功", body = [ProjectRow]), (status = 401, description = "未登录，或账号口令错误", body = crate::ApiErrorBody)))]
pub async fn projects(
    Signed { state, user, .. }: Signed,
    Query(q): Query<ProjectParams>,
) -> ApiResult<Vec<ProjectRow>> {
    let acting = user.acting(&state).await?;
    let year = match q.year {
        Some(y) => y,
        None => acting.latest_progress_period().await.map_err(AppError::from)?.map_or(2018, |p| p.year()),
    };
    let scope = acting.reach(None)?;
    let records = acting.project_records(Some(year), scope.as_deref()).await.map_err(AppError::from)?;
    let finds = |wanted: &Option<String>, have: &[&str]| {
        wanted.as_deref().is_none_or(|w| have.iter().any(|h| taizhang_core::search::finds(w, h)))
    };
    Ok(Json(
        records
            .into_iter()
            .filter(|r| {
                let (p, unit) = (&r.project, acting.unit_name(&r.project.responsibility.unit));
                let who = &p.responsibility;
                finds(&q.unit, &[&unit, &who.unit])
                    && finds(&q.q, &[p.code.as_str(), &p.name, &unit, &who.lead_leader, &who.person])
            })
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
    let plan = acting.year_plan(&p, year).await?;
    let progress = acting.project_progress(&p, year).await?;
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
