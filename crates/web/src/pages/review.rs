//! 审核: unit leaders and the district approve, accept or return a unit's submission.

use super::*;

pub async fn review(Signed { state, user, uri }: Signed, Query(q): Query<ExportQuery>) -> Result<Response, AppError> {
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
    let tree = acting.tree().clone();
    let mut any = false;
    for round in acting.rounds().await?.into_iter().filter(|r| r.status == RoundStatus::Open) {
        for standing in acting.round_status(&round, taizhang_app::clock::today()).await? {
            let entries: Vec<_> =
                acting.entries(&round, &standing.unit).await?.into_iter().filter(|e| e.state == wanted).collect();
            if entries.is_empty() {
                continue;
            }
            any = true;
            let name = tree.get(&standing.unit).map_or(standing.unit.clone(), |u| u.name.clone());
            page.heading(format!("{} {}：待审{}条", round_label(&round), name, entries.len()));
            let mut t = TableView::new(
                "",
                &["编码", "当月(万元)", "累计(万元)", "开工累计(万元)", "形象进度", "说明", "未通过的校验"],
            );
            for e in &entries {
                t.rows.push(vec![
                    CellView::text(&e.subject),
                    e.figures.month_wan.map_or(CellView::text(""), |m| CellView::num(m, 2)),
                    e.figures.ytd_wan.map_or(CellView::text(""), |m| CellView::num(m, 2)),
                    e.figures.since_start_wan.map_or(CellView::text(""), |m| CellView::num(m, 2)),
                    CellView::text(&e.figures.text),
                    CellView::text(&e.explanation),
                    CellView::text(&e.failures),
                ]);
            }
            page.table(t);
            page.button(&format!("/review/{}/{}/{action}", round.id, standing.unit), &user, vec![], label);
            // One record or all of them goes back, with the reason the reporter will read.
            let records = std::iter::once((String::new(), "全部待审记录".to_string()))
                .chain(entries.iter().map(|e| (e.subject.clone(), e.subject.clone())))
                .collect();
            page.form(
                &format!("/review/{}/{}/return", round.id, standing.unit),
                &user,
                vec![
                    field("subject", "退回的记录", FieldKind::Select(records), ""),
                    field("reason", "退回原因（必填，填报单位可见）", FieldKind::Text, ""),
                ],
                "退回",
            );
        }
    }
    if !any {
        page.para("没有待审核的记录。");
    }
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
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
    match action.as_str() {
        "approve" => acting.approve(&round, &unit).await?,
        "accept" => acting.accept(&round, &unit).await?,
        "return" => {
            let only: Vec<String> =
                Some(form.subject.trim().to_string()).filter(|s| !s.is_empty()).into_iter().collect();
            acting.return_entries(&round, &unit, &form.reason, &only).await?
        }
        other => return Err(AppError::NotFound(format!("操作“{other}”"))),
    };
    Ok(Redirect::to("/review").into_response())
}
