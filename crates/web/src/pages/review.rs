//! 审核: unit leaders and the district approve, accept or return a unit's submission.

use super::*;

#[derive(Debug, Deserialize)]
pub struct ReviewQuery {
    /// Unit, code or name of a record: part of it, its characters in order, or 拼音 initials.
    pub q: Option<String>,
    /// The page of units (from 1) and units a page.
    pub page: Option<usize>,
    pub size: Option<usize>,
    pub format: Option<String>,
}

/// Units a page of the queue shows unless asked otherwise.
const UNITS_A_PAGE: usize = 20;

pub async fn review(Signed { state, user, uri }: Signed, Query(q): Query<ReviewQuery>) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let mut page = Page::open(&acting, &user, "审核").await;
    // The district accepts what units approved; a unit's leader approves what was submitted.
    let (wanted, action, label) = if acting.allow_top(Action::Accept).is_ok() {
        (EntryState::Approved, "accept", "区级审核通过")
    } else {
        let own = acting.scope_of(None)?;
        acting.allow(Action::Approve, &own)?;
        (EntryState::Submitted, "approve", "审核通过")
    };
    let query = q.q.as_deref().unwrap_or_default();
    // The queue: (round, unit, its name, the records waiting with their names) that match.
    let mut queue = Vec::new();
    for round in acting.rounds().await?.into_iter().filter(|r| r.status == RoundStatus::Open) {
        for standing in acting.round_status(&round, taizhang_app::clock::today()).await? {
            let entries: Vec<_> =
                acting.entries(&round, &standing.unit).await?.into_iter().filter(|e| e.state == wanted).collect();
            if entries.is_empty() {
                continue;
            }
            let waiting = entries.len();
            let codes: Vec<String> = entries.iter().map(|e| e.subject.clone()).collect();
            let names = subject_names(&acting, round.form, &codes).await?;
            let unit_name = acting.unit_name(&standing.unit);
            let unit_matches = taizhang_core::search::finds(query, &unit_name);
            let entries: Vec<_> = entries
                .into_iter()
                .filter(|e| {
                    unit_matches
                        || [e.subject.as_str(), names.get(&e.subject).map_or("", String::as_str)]
                            .iter()
                            .any(|text| taizhang_core::search::finds(query, text))
                })
                .collect();
            if !entries.is_empty() {
                queue.push((round.clone(), standing.unit, unit_name, entries, names, waiting));
            }
        }
    }
    let waiting: usize = queue.iter().map(|g| g.3.len()).sum();
    let (queue, paging) =
        paginate(queue, q.page, Some(q.size.unwrap_or(UNITS_A_PAGE)), q.format.as_deref() == Some("xlsx"));
    page.get_form(
        "/review",
        vec![
            field("q", "搜索（单位、编码、名称；可用拼音首字母）", FieldKind::Text, query),
            size_choice("每页单位数", "个", [10, 20, 50], paging.size),
        ],
        "搜索",
    );
    if queue.is_empty() {
        page.para("没有待审核的记录。");
    } else {
        page.para(format!("待审{waiting}条，{}", paging.caption("个单位")));
    }
    for (round, unit, name, entries, names, waiting) in &queue {
        page.heading(format!("{} {}：待审{waiting}条", round_label(round), name));
        page.table(queue_table(&acting, round, entries, names).await?);
        // The decision is the unit's whole submission: say so when the search hides part of it.
        if *waiting > entries.len() {
            page.notice(
                "warn",
                format!(
                    "另有{}条待审记录未在搜索结果中显示；“{label}”对本单位全部{waiting}条生效",
                    waiting - entries.len()
                ),
            );
        }
        page.button(&format!("/review/{}/{}/{action}", round.id, unit), &user, vec![], label);
        // One record or all of them goes back, with the reason the reporter will read.
        let records = std::iter::once((String::new(), "全部待审记录".to_string()))
            .chain(entries.iter().map(|e| {
                let name = names.get(&e.subject).cloned().unwrap_or_default();
                (e.subject.clone(), format!("{} {name}", e.subject))
            }))
            .collect();
        page.form(
            &format!("/review/{}/{}/return", round.id, unit),
            &user,
            vec![
                field("subject", "退回的记录", FieldKind::Select(records), ""),
                field("reason", "退回原因（必填，填报单位可见）", FieldKind::Text, ""),
            ],
            "退回",
        );
    }
    page.pager(&uri, &paging);
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

/// A unit's records waiting for review, each beside what the reviewer weighs it against: for
/// a project its year plan and last month's cumulative figure, and the change between them.
async fn queue_table(
    acting: &Acting<'_>,
    round: &Round,
    entries: &[taizhang_core::workflow::Entry],
    names: &HashMap<String, String>,
) -> Result<TableView, AppError> {
    let blank = || CellView::text("");
    let amount = |d: Option<Decimal>| d.map_or(CellView::text(""), |d| CellView::num(d, 2));
    let name = |e: &taizhang_core::workflow::Entry| CellView::text(names.get(&e.subject).cloned().unwrap_or_default());
    let mut t;
    match round.form {
        ReportForm::ProjectProgress => {
            t = TableView::new(
                "",
                &[
                    "编码",
                    "名称",
                    "年度计划(万元)",
                    "上月累计(万元)",
                    "当月(万元)",
                    "本月累计(万元)",
                    "累计增加(万元)",
                    "占年计划%",
                    "开工累计(万元)",
                    "形象进度",
                    "说明",
                    "未通过的校验",
                ],
            );
            let codes: Vec<String> = entries.iter().map(|e| e.subject.clone()).collect();
            let records = acting.projects_by_code(&codes).await?;
            let last_month = match round.period {
                Period::Month(y, m) if m > 1 => Some(Period::Month(y, m - 1)),
                _ => None,
            };
            for e in entries {
                let plan = records
                    .get(&e.subject)
                    .and_then(|r| r.plans.iter().find(|p| p.year == round.period.year()))
                    .map(|p| p.planned_wan);
                // January starts the year's cumulative figure afresh.
                let before = match last_month {
                    Some(p) => acting.progress(&e.subject, p).await?.map(|g| g.ytd_wan),
                    None => Some(Decimal::ZERO),
                };
                let ytd = e.figures.ytd_wan;
                t.rows.push(vec![
                    CellView::text(&e.subject),
                    name(e),
                    amount(plan),
                    if last_month.is_some() {
                        before.map_or(CellView::text("未报"), |b| CellView::num(b, 2))
                    } else {
                        blank()
                    },
                    amount(e.figures.month_wan),
                    amount(ytd),
                    amount(ytd.zip(before).map(|(y, b)| y - b)),
                    ytd.zip(plan).and_then(|(y, p)| completion_pct(y, p)).map_or(blank(), |p| CellView::num(p, 1)),
                    amount(e.figures.since_start_wan),
                    CellView::text(&e.figures.text),
                    CellView::text(&e.explanation),
                    CellView::text(&e.failures),
                ]);
            }
        }
        ReportForm::TaskProgress => {
            t = TableView::new("", &["编码", "名称", "完成进度(%)", "进展情况", "说明", "未通过的校验"]);
            for e in entries {
                t.rows.push(vec![
                    CellView::text(&e.subject),
                    name(e),
                    e.figures.percent.map_or(blank(), |p| CellView::num(p, 1)),
                    CellView::text(&e.figures.text),
                    CellView::text(&e.explanation),
                    CellView::text(&e.failures),
                ]);
            }
        }
        ReportForm::IndicatorValues => {
            t = TableView::new("", &["编码", "名称", "数值", "增长率(%)", "说明", "未通过的校验"]);
            for e in entries {
                t.rows.push(vec![
                    CellView::text(&e.subject),
                    name(e),
                    e.figures.value.map_or(blank(), |v| CellView::num(v, 4)),
                    e.figures.growth.map_or(blank(), |g| CellView::num(g, 2)),
                    CellView::text(&e.explanation),
                    CellView::text(&e.failures),
                ]);
            }
        }
    }
    Ok(t)
}

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    #[serde(default)]
    pub reason: String,
    /// The one record to return; all when blank.
    #[serde(default)]
    pub subject: String,
}

pub async fn review_action(
    Signed { state, user, .. }: Signed,
    Path((round_id, unit, action)): Path<(i64, String, String)>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, AppError> {
    let (acting, round) = user.acting_on_round(&state, &form.csrf, round_id).await?;
    let said = match action.as_str() {
        "approve" => acting.approve(&round, &unit).await.map(|_| "approved")?,
        "accept" => acting.accept(&round, &unit).await.map(|_| "accepted")?,
        "return" => {
            let only: Vec<String> =
                Some(form.subject.trim().to_string()).filter(|s| !s.is_empty()).into_iter().collect();
            acting.return_entries(&round, &unit, &form.reason, &only).await.map(|_| "returned")?
        }
        other => return Err(AppError::NotFound(format!("操作“{other}”"))),
    };
    Ok(crate::flash::done("/review", said))
}
