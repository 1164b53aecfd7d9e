//! 问题: the problems of the account's reach, with level, deadline and age; raised from a
//! project page, resolved here with a 办结说明.

use super::*;

#[derive(Debug, Deserialize)]
pub struct ProblemQuery {
    /// Project, description or unit: part of it, its characters in order, or 拼音 initials.
    pub q: Option<String>,
    /// A unit's code or name picks its subtree; part of a name finds the units it names.
    pub unit: Option<String>,
    /// "open": unresolved ones only.
    pub show: Option<String>,
    /// A column to sort by (`-` first: descending): id, project, unit, level, deadline, age, state.
    pub sort: Option<String>,
    pub page: Option<usize>,
    pub size: Option<usize>,
    pub format: Option<String>,
}

pub async fn problems(
    Signed { state, user, uri }: Signed,
    Query(q): Query<ProblemQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let today = taizhang_app::clock::today();
    let (scope, unit_part) = unit_filter(&acting, q.unit.as_deref());
    let open_only = q.show.as_deref() == Some("open");
    let query = q.q.as_deref().unwrap_or_default();
    let mut found: Vec<_> = acting
        .problems(scope.as_deref())
        .await?
        .into_iter()
        .filter(|p| !open_only || p.resolved_on.is_none())
        .filter(|p| taizhang_core::search::finds(&unit_part, &acting.unit_name(&p.unit)))
        .filter(|p| {
            [p.project.as_str(), p.description.as_str(), &acting.unit_name(&p.unit)]
                .iter()
                .any(|text| taizhang_core::search::finds(query, text))
        })
        .collect();
    let open = found.iter().filter(|p| p.resolved_on.is_none()).count();
    sort_rows(&mut found, q.sort.as_deref(), |p, column| match column {
        "id" => Some(SortKey::number(p.id)),
        "project" => Some(SortKey::Text(p.project.clone())),
        "unit" => Some(SortKey::text(&acting.unit_name(&p.unit))),
        "level" => Some(SortKey::number(
            taizhang_core::supervision::ProblemLevel::ALL.iter().position(|l| *l == p.level).unwrap_or(0) as u32,
        )),
        "deadline" => Some(SortKey::number(p.deadline.map_or(i64::MAX, |d| d.unix_days()))),
        "age" => Some(SortKey::number(p.age_days(today))),
        "state" => Some(SortKey::text(&p.state_zh(today))),
        _ => None,
    });
    let (shown, paging) = paginate(found, q.page, q.size, q.format.as_deref() == Some("xlsx"));
    let mut page = Page::open(&acting, &user, format!("问题（未解决{open}个）")).await;
    page.push(Block::Links(vec![
        ("/problems?show=open".into(), "只看未解决".into()),
        ("/problems".into(), "全部".into()),
    ]));
    let typed = [q.q.as_deref(), q.unit.as_deref(), q.show.as_deref()];
    supervision_filter(&mut page, "/problems", "项目、问题、单位", typed, paging.size);
    let mut t = TableView::new(
        &paging.caption("个问题"),
        &["编号", "项目", "责任单位", "问题", "层级", "时限", "已历天数", "状态"],
    )
    .sortable(
        &uri,
        &[Some("id"), Some("project"), Some("unit"), None, Some("level"), Some("deadline"), Some("age"), Some("state")],
    );
    for p in &shown {
        let state_text = p.state_zh(today);
        t.rows.push(vec![
            CellView::text(p.id.to_string()),
            CellView::link(&p.project, format!("/projects/{}", p.project)),
            CellView::text(acting.unit_name(&p.unit)),
            CellView::text(&p.description),
            CellView::text(p.level.label_zh()),
            CellView::text(p.deadline.map(|d| d.to_string()).unwrap_or_default()),
            CellView::num(Decimal::from(p.age_days(today)), 0),
            CellView::text(state_text),
        ]);
    }
    page.section("问题清单", t, "没有登记的问题。");
    page.pager(&uri, &paging);
    for p in shown.iter().filter(|p| p.resolved_on.is_none() && acting.may(Action::ResolveProblem, &p.unit)) {
        page.form(
            &format!("/problems/{}/resolve", p.id),
            &user,
            vec![field("resolution", &format!("#{} {}：办结说明", p.id, p.description), FieldKind::Text, "")],
            "办结",
        );
    }
    // The raiser confirms what was resolved, or sends it back open.
    let me = &acting.actor().username;
    for p in shown.iter().filter(|p| p.resolved_on.is_some() && p.confirmed_on.is_none() && &p.raised_by == me) {
        page.form(
            &format!("/problems/{}/confirm", p.id),
            &user,
            vec![
                field(
                    "accept",
                    "",
                    FieldKind::Select(vec![
                        ("yes".into(), "确认办结".into()),
                        ("no".into(), "不认可，退回办理".into()),
                    ]),
                    "yes",
                ),
                field("note", &format!("#{} {}：意见（不认可时必填）", p.id, p.description), FieldKind::Text, ""),
            ],
            "确认",
        );
    }
    if acting.allow_top(Action::IssueOrder).is_ok() {
        let links = shown
            .iter()
            .filter(|p| p.resolved_on.is_none())
            .map(|p| (format!("/orders?problem={}", p.id), format!("就问题 #{} 下达督办", p.id)))
            .collect();
        page.push(Block::Links(links));
    }
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

#[derive(Debug, Deserialize)]
pub struct ProblemForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub project: String,
    pub description: String,
    #[serde(default)]
    pub owner: String,
    pub deadline: String,
}

pub async fn raise_problem(
    Signed { state, user, .. }: Signed,
    Form(form): Form<ProblemForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    let deadline = Date::parse(&form.deadline).map_err(|e| AppError::BadRequest(format!("解决时限：{e}")))?;
    let today = taizhang_app::clock::today();
    acting.raise_problem(&form.project, &form.description, &form.owner, deadline, today, "项目页").await?;
    Ok(crate::flash::done(&format!("/projects/{}", form.project), "problem-raised"))
}

#[derive(Debug, Deserialize)]
pub struct ResolveForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub resolution: String,
}

pub async fn resolve_problem(
    Signed { state, user, .. }: Signed,
    Path(id): Path<i64>,
    Form(form): Form<ResolveForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    acting.resolve_problem(id, &form.resolution, taizhang_app::clock::today()).await?;
    Ok(crate::flash::done("/problems", "problem-resolved"))
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub accept: String,
    #[serde(default)]
    pub note: String,
}

pub async fn confirm_problem(
    Signed { state, user, .. }: Signed,
    Path(id): Path<i64>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    acting.confirm_problem(id, form.accept != "no", &form.note, taizhang_app::clock::today()).await?;
    Ok(crate::flash::done("/problems", "problem-confirmed"))
}
