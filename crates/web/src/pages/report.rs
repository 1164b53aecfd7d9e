//! 填报: a unit's to-do list, the entry form prefilled from last month, uploads, submission.

use super::*;

pub(super) fn round_label(r: &Round) -> String {
    format!("{}{}（截止{}）", r.period.label_zh(false), r.form.label_zh(), r.due)
}

#[derive(Debug, Deserialize)]
pub struct ReportHomeQuery {
    pub format: Option<String>,
    /// The record just saved: its notice, with what the submission will ask to explain.
    pub saved: Option<String>,
}

pub async fn report_home(
    Signed { state, user, uri }: Signed,
    Query(q): Query<ReportHomeQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let mut page = Page::open(&acting, &user, "填报").await;
    let Some(unit) = user.0.user.unit.clone() else {
        page.para("本账号不属于填报单位。");
        return Ok(render(&page));
    };
    let rounds: Vec<Round> = acting.rounds().await?.into_iter().filter(|r| r.status == RoundStatus::Open).collect();
    if let Some(subject) = q.saved.as_deref() {
        for round in &rounds {
            let Some(entry) = acting.entry(round, &unit, subject).await? else { continue };
            // The same rules as at 上报, said as soon as the draft is saved.
            let warnings = acting.draft_warnings(round, &entry).await?;
            if warnings.is_empty() {
                page.notice("ok", format!("已保存{subject}"));
            } else {
                let n = warnings.len();
                let text =
                    format!("已保存{subject}；{n}项需说明（可修改，或上报时填写说明）：\n{}", warnings.join("\n"));
                page.notice("warn", text);
            }
        }
    }
    if rounds.is_empty() {
        page.para("目前没有开放的填报轮次。");
    }
    for round in rounds {
        todo_list(&state, &mut page, &user, &round, &unit, None).await?;
    }
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

/// A unit's to-do list in a round, with a submit form; failed checks ask for a 说明.
async fn todo_list(
    state: &AppState,
    page: &mut Page,
    user: &User,
    round: &Round,
    unit: &str,
    failures: Option<&[(String, String)]>,
) -> Result<(), AppError> {
    let acting = user.acting(state).await?;
    page.heading(round_label(round));
    let owed = acting.owed_by(round, unit).await?;
    let entries: HashMap<String, taizhang_core::workflow::Entry> =
        acting.entries(round, unit).await?.into_iter().map(|e| (e.subject.clone(), e)).collect();
    let names = subject_names(&acting, round.form, &owed).await?;
    let mut t = TableView::new(
        &format!("应报{}项", owed.len()),
        &["编码", "名称", "状态", "退回原因", "年初至报告期累计(万元)", "操作"],
    );
    for code in &owed {
        let e = entries.get(code);
        let state_text = e.map_or("未填报".to_string(), |e| e.state.label_zh().to_string());
        let editable = e.is_none_or(|e| e.state.editable());
        t.rows.push(vec![
            CellView::text(code),
            CellView::text(names.get(code).cloned().unwrap_or_default()),
            CellView::text(state_text),
            CellView::text(e.and_then(|e| e.return_reason.clone()).unwrap_or_default()),
            e.and_then(|e| e.figures.ytd_wan).map_or(CellView::text(""), |y| CellView::num(y, 2)),
            if editable {
                CellView::link("填报", format!("/report/{}/{unit}/{code}", round.id))
            } else {
                CellView::text("")
            },
        ]);
    }
    page.table(t);
    if round.form == ReportForm::ProjectProgress {
        page.form(
            &format!("/report/{}/{unit}/upload", round.id),
            user,
            vec![field("file", "或上传本单位的进度表（.xlsx，表头同“进度”导入模板）", FieldKind::File, "")],
            "上传并保存为草稿",
        );
        page.push(Block::Links(vec![(
            format!("/report/{}/{unit}/sheet", round.id),
            "下载本单位进度表（含当前草稿与版本，填好后上传）".into(),
        )]));
    }
    let drafts = entries.values().filter(|e| e.state.editable()).count();
    if drafts > 0 {
        let mut fields = Vec::new();
        if let Some(failures) = failures {
            page.notice("error", "以下记录未通过校验：请修改，或填写说明后强制上报。");
            for (subject, message) in failures {
                fields.push(field(
                    &format!("why_{subject}"),
                    &format!("{subject}：{message}。说明"),
                    FieldKind::Area,
                    "",
                ));
            }
        }
        page.form(&format!("/report/{}/{unit}/submit", round.id), user, fields, &format!("上报本单位{drafts}条草稿"));
    }
    Ok(())
}

pub(super) async fn subject_names(
    acting: &Acting<'_>,
    form: ReportForm,
    codes: &[String],
) -> Result<HashMap<String, String>, AppError> {
    let mut out = HashMap::new();
    match form {
        ReportForm::ProjectProgress => {
            for (code, r) in acting.projects_by_code(codes).await? {
                out.insert(code, r.project.name);
            }
        }
        ReportForm::TaskProgress => {
            for c in codes {
                if let Some(t) = acting.task(c).await? {
                    out.insert(c.clone(), t.name);
                }
            }
        }
        ReportForm::IndicatorValues => {
            let catalogue = acting.catalogue().await?;
            for c in codes {
                if let Some(i) = catalogue.find(c) {
                    out.insert(c.clone(), i.name.clone());
                }
            }
        }
    }
    Ok(out)
}

pub async fn entry_form(
    Signed { state, user, .. }: Signed,
    Path((round_id, unit, subject)): Path<(i64, String, String)>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let round = acting.round_of(round_id).await?;
    let page = entry_page(&state, &user, &round, &unit, &subject, None, None).await?;
    Ok(render(&page))
}

async fn entry_page(
    state: &AppState,
    user: &User,
    round: &Round,
    unit: &str,
    subject: &str,
    // What was typed, and the field it got wrong with its message.
    typed: Option<(&EntryForm, Option<(&str, &str)>)>,
    message: Option<(&'static str, String)>,
) -> Result<Page, AppError> {
    let (typed, wrong_field) = typed.map_or((None, None), |(f, w)| (Some(f), w));
    let acting = user.acting(state).await?;
    acting.check_read(unit)?;
    let existing = acting.entry(round, unit, subject).await?;
    let names = subject_names(&acting, round.form, &[subject.to_string()]).await?;
    let title = format!("填报：{} {}", subject, names.get(subject).cloned().unwrap_or_default());
    let mut page = Page::open(&acting, user, title).await;
    page.para(round_label(round));
    if round.form == ReportForm::ProjectProgress {
        // 存在问题 written below becomes the project's problem when the unit submits.
        page.push(Block::Links(vec![(format!("/projects/{subject}"), "维护本项目的倒排工期节点与要素保障".into())]));
    }
    if let Some(reason) = existing.as_ref().and_then(|e| e.return_reason.as_deref()) {
        page.notice("warn", format!("本条记录已被退回：{reason}。请修改后重新上报。"));
    }
    if let Some((kind, text)) = message {
        page.notice(kind, text);
    }
    // Prefilled from the draft, else from last month's accepted report.
    let last = match round.period {
        Period::Month(y, m) if m > 1 && round.form == ReportForm::ProjectProgress => {
            acting.progress(subject, Period::Month(y, m - 1)).await?
        }
        _ => None,
    };
    let value = |typed_v: Option<&String>, saved: Option<Decimal>| {
        typed_v.cloned().unwrap_or_else(|| saved.map(|d| format_number(d, 4)).unwrap_or_default())
    };
    let f = existing.as_ref().map(|e| e.figures.clone()).unwrap_or_default();
    if let Some(l) = &last {
        page.para(format!(
            "上月（{}）年初至报告期累计{}万元，开工至报告期累计{}万元。",
            l.period.label_zh(false),
            format_number(l.ytd_wan, 2),
            l.since_start_wan.map_or("—".into(), |s| format_number(s, 2))
        ));
    }
    let mut fields =
        vec![field("version", "", FieldKind::Hidden, existing.as_ref().map_or("0".into(), |e| e.version.to_string()))];
    match round.form {
        ReportForm::ProjectProgress => {
            fields.push(field(
                "month",
                "当月完成投资(万元)",
                FieldKind::Text,
                value(typed.map(|t| &t.month), f.month_wan),
            ));
            fields.push(field(
                "ytd",
                "年初至报告期累计(万元)",
                FieldKind::Text,
                value(typed.map(|t| &t.ytd), f.ytd_wan),
            ));
            let since = f.since_start_wan.or(last.as_ref().and_then(|l| l.since_start_wan));
            fields.push(field(
                "since_start",
                "开工至报告期累计(万元)",
                FieldKind::Text,
                value(typed.map(|t| &t.since_start), since),
            ));
            let text = typed.map(|t| t.text.clone()).unwrap_or_else(|| {
                if f.text.is_empty() {
                    last.as_ref().map(|l| l.image_progress.clone()).unwrap_or_default()
                } else {
                    f.text.clone()
                }
            });
            fields.push(field("text", "形象进度", FieldKind::Area, text));
            fields.push(field(
                "problems",
                "存在问题",
                FieldKind::Area,
                typed.map_or(f.problems.clone(), |t| t.problems.clone()),
            ));
        }
        ReportForm::TaskProgress => {
            fields.push(field("percent", "完成进度(%)", FieldKind::Text, value(typed.map(|t| &t.percent), f.percent)));
            fields.push(field("text", "进展情况", FieldKind::Area, typed.map_or(f.text.clone(), |t| t.text.clone())));
        }
        ReportForm::IndicatorValues => {
            fields.push(field("value", "数值（基本单位）", FieldKind::Text, value(typed.map(|t| &t.value), f.value)));
            fields.push(field("growth", "增长率(%)", FieldKind::Text, value(typed.map(|t| &t.growth), f.growth)));
            fields.push(field("text", "说明", FieldKind::Area, typed.map_or(f.text.clone(), |t| t.text.clone())));
        }
    }
    if let Some((name, error)) = wrong_field {
        mark_field(&mut fields, name, error);
    }
    page.form(&format!("/report/{}/{unit}/{subject}", round.id), user, fields, "保存草稿");
    page.push(Block::Links(vec![("/report".into(), "返回填报清单".into())]));
    Ok(page)
}

#[derive(Debug, Deserialize, Default)]
pub struct EntryForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub ytd: String,
    #[serde(default)]
    pub since_start: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub growth: String,
    #[serde(default)]
    pub percent: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub problems: String,
}

impl EntryForm {
    /// The typed figures, or the form field that is wrong and its problem.
    pub fn figures(&self) -> Result<EntryFigures, (&'static str, String)> {
        let numbers = [
            ("当月完成投资", Some(self.month.as_str())),
            ("年初至报告期累计", Some(self.ytd.as_str())),
            ("开工至报告期累计", Some(self.since_start.as_str())),
            ("数值", Some(self.value.as_str())),
            ("增长率", Some(self.growth.as_str())),
            ("完成进度", Some(self.percent.as_str())),
        ];
        crate::figures::typed_figures(numbers, &self.text, &self.problems)
            .map_err(|(place, message)| (Self::NUMBER_FIELDS[place], message))
    }

    /// The form's fields of the six figures, in `typed_figures`' order.
    const NUMBER_FIELDS: [&'static str; 6] = ["month", "ytd", "since_start", "value", "growth", "percent"];
}

pub async fn save_entry(
    Signed { state, user, .. }: Signed,
    Path((round_id, unit, subject)): Path<(i64, String, String)>,
    Form(form): Form<EntryForm>,
) -> Result<Response, AppError> {
    let (acting, round) = user.acting_on_round(&state, &form.csrf, round_id).await?;
    let figures = match form.figures() {
        Ok(f) => f,
        Err((name, message)) => {
            let notice = Some(("error", "未保存：请改正标出的一项".to_string()));
            let page =
                entry_page(&state, &user, &round, &unit, &subject, Some((&form, Some((name, &message)))), notice)
                    .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
        }
    };
    let version = form.version.parse::<i64>().ok().filter(|v| *v > 0);
    match acting.save_draft(&round, &unit, &subject, &figures, version).await {
        // Back to the list (a refresh does not post again), which says what was saved.
        Ok(_) => Ok(Redirect::to(&format!("/report?saved={}", percent_encode(&subject))).into_response()),
        Err(taizhang_app::Error::Denied(d)) => Err(AppError::Forbidden(d.to_string())),
        Err(
            e @ (taizhang_app::Error::Conflict(_) | taizhang_app::Error::Invalid(_) | taizhang_app::Error::Domain(_)),
        ) => {
            let page =
                entry_page(&state, &user, &round, &unit, &subject, Some((&form, None)), Some(("error", e.to_string())))
                    .await?;
            Ok((StatusCode::CONFLICT, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn submit(
    Signed { state, user, .. }: Signed,
    Path((round_id, unit)): Path<(i64, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let (acting, round) = user.acting_on_round(&state, form.get("_csrf").map_or("", String::as_str), round_id).await?;
    let explanations: HashMap<String, String> =
        form.iter().filter_map(|(k, v)| k.strip_prefix("why_").map(|s| (s.to_string(), v.clone()))).collect();
    match acting.submit(&round, &unit, &explanations).await {
        Ok(n) => {
            let mut page = Page::open(&acting, &user, "填报").await;
            page.notice("ok", format!("已上报{n}条记录"));
            todo_list(&state, &mut page, &user, &round, &unit, None).await?;
            Ok(render(&page))
        }
        Err(taizhang_app::Error::Rules(failures)) => {
            let mut page = Page::open(&acting, &user, "填报").await;
            todo_list(&state, &mut page, &user, &round, &unit, Some(&failures)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A unit's progress sheet to fill in offline and upload again (its 版本 column guards the
/// upload against a draft changed in between).
pub async fn progress_sheet(
    Signed { state, user, .. }: Signed,
    Path((round_id, unit)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    sheet_download(&user.acting(&state).await?, round_id, &unit).await
}

pub(crate) async fn sheet_download(acting: &Acting<'_>, round_id: i64, unit: &str) -> Result<Response, AppError> {
    let round = acting.round_of(round_id).await?;
    let bytes = acting.progress_sheet(&round, unit).await?;
    let name = format!("{}项目进度表（{}）.xlsx", acting.unit_name(unit), round.period.label_zh(false));
    Ok(download(bytes, &name))
}

/// A unit's progress sheet uploaded instead of typed: every row checked as the import checks
/// it, then each saved as the unit's draft for this round; any error and nothing is saved.
pub async fn upload(
    Signed { state, user, .. }: Signed,
    Path((round_id, unit)): Path<(i64, String)>,
    multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (fields, bytes) = read_upload(multipart).await?;
    let (acting, round) =
        user.acting_on_round(&state, fields.get("_csrf").map_or("", String::as_str), round_id).await?;
    acting.check_read(&unit)?;
    let (status, message) = match acting.progress_drafts(&round, &unit, &bytes, "上传的工作簿").await {
        Ok(Ok(saved)) if saved.to_explain.is_empty() => {
            (StatusCode::OK, format!("已从工作簿保存{}条草稿，核对后请上报", saved.count))
        }
        // The same words as a draft saved on the form: saved, and what the submission will ask.
        Ok(Ok(saved)) => (
            StatusCode::OK,
            format!(
                "已从工作簿保存{}条草稿；{}项需说明（可修改，或在表中“说明”列、上报时填写说明）：\n{}",
                saved.count,
                saved.to_explain.len(),
                saved.to_explain.join("\n")
            ),
        ),
        Ok(Err(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, format!("工作簿未通过校验，未保存任何数据：\n{}", errors.join("\n")))
        }
        Err(e @ taizhang_app::Error::Conflict(_)) => (StatusCode::CONFLICT, format!("未保存任何数据：{e}")),
        Err(e) => return Err(e.into()),
    };
    if status != StatusCode::OK {
        let mut page = Page::open(&acting, &user, "填报").await;
        page.notice("error", message);
        todo_list(&state, &mut page, &user, &round, &unit, None).await?;
        return Ok((status, render(&page)).into_response());
    }
    let mut page = Page::open(&acting, &user, "填报").await;
    page.notice(if message.contains("需说明") { "warn" } else { "ok" }, message);
    todo_list(&state, &mut page, &user, &round, &unit, None).await?;
    Ok(render(&page))
}
