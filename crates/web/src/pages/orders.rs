//! 督办: orders of the account's reach with their lights; the district issues them (also from
//! a project page), the unit named answers, the issuer's side closes or sends back.

use taizhang_core::supervision::OrderState;

use super::*;

#[derive(Debug, Deserialize, Default)]
pub struct OrdersQuery {
    /// Prefills the issue form when opened from a project ("对此项目下达督办").
    pub subject: Option<String>,
    /// Prefills the form from a problem ("就问题下达督办"): its unit and project.
    pub problem: Option<i64>,
    /// 督办单号, matter or unit: part of it, its characters in order, or 拼音 initials.
    pub q: Option<String>,
    /// A unit's code or name picks its subtree; part of a name finds the units it names.
    pub unit: Option<String>,
    /// "open": orders not yet closed.
    pub show: Option<String>,
    /// A column to sort by (`-` first: descending): number, title, unit, deadline, state, light.
    pub sort: Option<String>,
    pub page: Option<usize>,
    pub size: Option<usize>,
    pub format: Option<String>,
}

pub async fn orders(Signed { state, user, uri }: Signed, Query(q): Query<OrdersQuery>) -> Result<Response, AppError> {
    let page = orders_page(&state, &user, &uri, &q, None).await?;
    page_or_xlsx(page, q.format.as_deref())
}

/// The list and, for the district, the issue form — prefilled from a problem or project, or
/// holding what was typed when it was refused (`typed`: the form, its wrong field, the message).
async fn orders_page(
    state: &AppState,
    user: &User,
    uri: &axum::http::Uri,
    q: &OrdersQuery,
    typed: Option<(&OrderForm, Option<&str>, String)>,
) -> Result<Page, AppError> {
    let acting = user.acting(state).await?;
    let today = taizhang_app::clock::today();
    let (scope, unit_part) = unit_filter(&acting, q.unit.as_deref());
    let query = q.q.as_deref().unwrap_or_default();
    let mut found: Vec<_> = acting
        .orders(scope.as_deref())
        .await?
        .into_iter()
        .filter(|o| q.show.as_deref() != Some("open") || o.state != OrderState::Closed)
        .filter(|o| taizhang_core::search::finds(&unit_part, &acting.unit_name(&o.unit)))
        .filter(|o| {
            [o.number().as_str(), o.title.as_str(), o.subject.as_str(), &acting.unit_name(&o.unit)]
                .iter()
                .any(|text| taizhang_core::search::finds(query, text))
        })
        .collect();
    let open = found.iter().filter(|o| o.state != OrderState::Closed).count();
    let lights = &acting.config().lights;
    sort_rows(&mut found, q.sort.as_deref(), |o, column| match column {
        "number" => Some(SortKey::number(o.id)),
        "title" => Some(SortKey::text(&o.title)),
        "unit" => Some(SortKey::text(&acting.unit_name(&o.unit))),
        "deadline" => Some(SortKey::number(o.deadline.unix_days())),
        "state" => Some(SortKey::number(OrderState::ALL.iter().position(|s| *s == o.state).unwrap_or(0) as u32)),
        "light" => Some(SortKey::red_first(o.light(today, lights).light)),
        _ => None,
    });
    let mut page = Page::open(&acting, user, format!("督办（未办结{open}件）")).await;
    let (found, paging) = paginate(found, q.page, q.size, q.format.as_deref() == Some("xlsx"));
    page.push(Block::Links(vec![("/orders?show=open".into(), "只看未办结".into()), ("/orders".into(), "全部".into())]));
    let filter = [q.q.as_deref(), q.unit.as_deref(), q.show.as_deref()];
    supervision_filter(&mut page, "/orders", "单号、事项、单位", filter, paging.size);
    let mut t = TableView::new(
        &paging.caption("件督办"),
        &["编号", "督办事项", "责任单位", "要求", "时限", "状态", "灯", "反馈"],
    )
    .sortable(
        uri,
        &[Some("number"), Some("title"), Some("unit"), None, Some("deadline"), Some("state"), Some("light"), None],
    );
    for o in &found {
        let lit = o.light(today, &acting.config().lights);
        t.rows.push(vec![
            CellView::link(o.number(), format!("/orders/{}/notice", o.id)),
            CellView::text(&o.title),
            CellView::text(acting.unit_name(&o.unit)),
            CellView::text(&o.requirement),
            CellView::text(o.deadline.to_string()),
            CellView::text(o.state.label_zh()),
            CellView::light(lit.light),
            CellView::text(&o.feedback),
        ]);
    }
    page.section("督办事项", t, "没有督办事项。");
    page.pager(uri, &paging);
    for o in found.iter().filter(|o| o.state != OrderState::Closed) {
        let answerable = matches!(o.state, OrderState::Issued | OrderState::Signed | OrderState::Returned);
        if answerable && acting.may(Action::HandleOrder, &o.unit) {
            page.form(
                &format!("/orders/{}/respond", o.id),
                user,
                vec![field("text", &format!("#{} {}：反馈（附件请写明名称）", o.id, o.title), FieldKind::Area, "")],
                "反馈",
            );
        }
        if o.state == OrderState::Feedback && acting.may(Action::ReviewOrder, &o.unit) {
            page.button(&format!("/orders/{}/close", o.id), user, vec![], &format!("#{} 办结", o.id));
            page.form(
                &format!("/orders/{}/rework", o.id),
                user,
                vec![field("text", &format!("#{} 退回重办原因", o.id), FieldKind::Text, "")],
                "退回重办",
            );
        }
    }
    if acting.allow_top(Action::IssueOrder).is_ok() {
        let units = acting.tree().units().iter().map(|u| (u.code.to_string(), u.name.clone())).collect();
        // Opened from a problem: its unit, project and words; from a project: its unit.
        let problem = match q.problem {
            Some(id) => Some(acting.problem(id).await?),
            None => None,
        };
        let subject = problem.as_ref().map(|p| p.project.clone()).or(q.subject.clone()).unwrap_or_default();
        let unit = match &problem {
            Some(p) => p.unit.clone(),
            None => acting.project(&subject).await.ok().flatten().map(|p| p.responsibility.unit).unwrap_or_default(),
        };
        let title = problem.as_ref().map(|p| format!("关于“{}”的督办", p.description)).unwrap_or_default();
        let from = problem.as_ref().map(|p| format!("problem:{}", p.id)).unwrap_or_default();
        let mut fields = match &typed {
            None => vec![
                field("from", "", FieldKind::Hidden, from),
                field("unit", "责任单位", FieldKind::Select(units), unit),
                field("subject", "督办对象（项目或任务编码，可空）", FieldKind::Text, subject),
                field("title", "督办事项", FieldKind::Text, title),
                field("requirement", "办理要求", FieldKind::Area, ""),
                field("deadline", "办理时限（如 2018-07-20）", FieldKind::Text, ""),
            ],
            Some((f, ..)) => vec![
                field("from", "", FieldKind::Hidden, &f.from),
                field("unit", "责任单位", FieldKind::Select(units), &f.unit),
                field("subject", "督办对象（项目或任务编码，可空）", FieldKind::Text, &f.subject),
                field("title", "督办事项", FieldKind::Text, &f.title),
                field("requirement", "办理要求", FieldKind::Area, &f.requirement),
                field("deadline", "办理时限（如 2018-07-20）", FieldKind::Text, &f.deadline),
            ],
        };
        if let Some((_, wrong, message)) = &typed {
            page.heading("下达督办");
            match wrong {
                Some(name) => {
                    page.notice("error", "未下达：请改正标出的一项");
                    mark_field(&mut fields, name, message);
                }
                None => {
                    page.notice("error", format!("未下达：{message}"));
                }
            }
        }
        page.form("/orders", user, fields, "下达督办");
    }
    exportable(&mut page, uri);
    Ok(page)
}

#[derive(Debug, Deserialize)]
pub struct OrderForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub unit: String,
    #[serde(default)]
    pub subject: String,
    pub title: String,
    #[serde(default)]
    pub requirement: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub from: String,
}

pub async fn issue_order(
    Signed { state, user, uri }: Signed,
    Form(form): Form<OrderForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    // Refused, the form comes back as typed with what to put right.
    let refused = |wrong: Option<&'static str>, message: String| {
        let (state, user, uri, form) = (&state, &user, &uri, &form);
        async move {
            let page = orders_page(state, user, uri, &OrdersQuery::default(), Some((form, wrong, message))).await?;
            Ok::<_, AppError>((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    };
    let deadline = match form.deadline.trim() {
        "" => None,
        d => match Date::parse(d) {
            Ok(d) => Some(d),
            Err(e) => return refused(Some("deadline"), e.to_string()).await,
        },
    };
    let today = taizhang_app::clock::today();
    let draft = taizhang_app::OrderDraft {
        unit: &form.unit,
        subject: &form.subject,
        title: &form.title,
        requirement: &form.requirement,
        deadline,
        from: &form.from,
    };
    match acting.issue_order(&draft, today).await {
        Ok(_) => Ok(crate::flash::done("/orders", "order-issued")),
        Err(taizhang_app::Error::Invalid(message)) => refused(None, message).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct OrderStepForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    #[serde(default)]
    pub text: String,
}

pub async fn order_step(
    Signed { state, user, .. }: Signed,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<OrderStepForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    let said = match action.as_str() {
        "respond" => acting.respond_order(id, &form.text).await.map(|_| "order-answered")?,
        "close" => acting.review_order(id, true, &form.text).await.map(|_| "order-closed")?,
        "rework" => acting.review_order(id, false, &form.text).await.map(|_| "order-reworked")?,
        other => return Err(AppError::NotFound(format!("操作“{other}”"))),
    };
    Ok(crate::flash::done("/orders", said))
}

/// The 督办通知单 as Word.
pub async fn order_notice(Signed { state, user, .. }: Signed, Path(id): Path<i64>) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    docx_download(&acting.order_notice(id).await?, &format!("duban-{id}"))
}
