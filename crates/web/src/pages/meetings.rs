//! 调度会: the meetings of a period with their decisions and the 督办 orders they became; the
//! district records one here, each decision a line "事项|责任单位|办理时限".

use super::*;

#[derive(Debug, Deserialize)]
pub struct MeetingsQuery {
    /// 2018W23, 2018-06上旬, 2018-06 or 2018Q2.
    pub period: Option<String>,
    pub format: Option<String>,
}

pub async fn meetings(
    Signed { state, user, uri }: Signed,
    Query(q): Query<MeetingsQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let period = q.period.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let found = acting.meetings(period).await?;
    let title = match period {
        Some(p) => format!("调度会（{p}，{}次）", found.len()),
        None => format!("调度会（{}次）", found.len()),
    };
    let mut page = Page::open(&acting, &user, title).await;
    page.form(
        "/meetings",
        &user,
        vec![field(
            "period",
            "期间（如 2018W23、2018-06上旬、2018-06、2018Q2）",
            FieldKind::Text,
            period.unwrap_or(""),
        )],
        "查看",
    );
    if let Some(last) = page.blocks.last_mut()
        && let Block::Form(f) = last
    {
        f.get = true;
        f.inline = true;
    }
    let mut t = TableView::new("", &["期间", "类型", "日期", "主持", "议定项目", "议定事项", "督办", "纪要"]);
    for m in &found {
        let decided: Vec<String> = m
            .decisions
            .iter()
            .map(|d| format!("{}（{}，{}前）", d.text, acting.unit_name(&d.unit), d.deadline))
            .collect();
        let orders: Vec<String> = m.decisions.iter().filter_map(|d| d.order.map(|o| format!("#{o}"))).collect();
        t.rows.push(vec![
            CellView::text(&m.period),
            CellView::text(&m.kind),
            CellView::text(m.held_on.to_string()),
            CellView::text(&m.chair),
            CellView::text(m.projects.join("、")),
            CellView::text(decided.join("；")),
            CellView::link(orders.join(" "), "/orders"),
            CellView::link("会议纪要", format!("/meetings/{}/minutes", m.id)),
        ]);
    }
    page.section("会议记录", t, "没有调度会记录。");
    if acting.allow_top(Action::IssueOrder).is_ok() {
        let kinds = acting.config().mechanism.meetings.iter().map(|k| (k.name.clone(), k.name.clone())).collect();
        page.form(
            "/meetings",
            &user,
            vec![
                field("kind", "会议类型", FieldKind::Select(kinds), ""),
                field("held_on", "会议日期（如 2018-06-07）", FieldKind::Text, ""),
                field("chair", "主持", FieldKind::Text, ""),
                field("attendees", "参会单位", FieldKind::Text, ""),
                field("projects", "议定项目（项目编码，以顿号或逗号分隔）", FieldKind::Text, ""),
                field("summary", "会议纪要", FieldKind::Area, ""),
                field("decisions", "议定事项（每行一项：事项|责任单位|办理时限），每项下达督办", FieldKind::Area, ""),
            ],
            "记录调度会",
        );
    }
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

#[derive(Debug, Deserialize)]
pub struct MeetingForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub kind: String,
    pub held_on: String,
    #[serde(default)]
    pub chair: String,
    #[serde(default)]
    pub attendees: String,
    #[serde(default)]
    pub projects: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub decisions: String,
}

pub async fn record_meeting(
    Signed { state, user, .. }: Signed,
    Form(form): Form<MeetingForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    let held_on = Date::parse(&form.held_on).map_err(|e| AppError::BadRequest(format!("会议日期：{e}")))?;
    let mut decisions = Vec::new();
    for (i, line) in form.decisions.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let decision = taizhang_core::mechanism::Decision::parse_line(i + 1, line)
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        decisions.push(decision);
    }
    let projects = form
        .projects
        .split(['、', ',', '，', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    let draft = taizhang_app::MeetingDraft {
        kind: form.kind,
        held_on,
        chair: form.chair,
        attendees: form.attendees,
        projects,
        summary: form.summary,
        decisions,
    };
    let m = acting.record_meeting(&draft, taizhang_app::clock::today()).await?;
    Ok(crate::flash::done(&format!("/meetings?period={}", m.period), "meeting-recorded"))
}

/// The 会议纪要 as Word.
pub async fn meeting_minutes(Signed { state, user, .. }: Signed, Path(id): Path<i64>) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    docx_download(&acting.meeting_minutes(id).await?, &format!("minutes-{id}"))
}
