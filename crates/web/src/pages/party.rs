//! 基层党建 (标准化): the 支部书记 fills in the checklist with evidence and submits, records
//! 三会一课; the 街道/部门 党(工)委 scores its items and approves or returns; the 区委组织部
//! adds bonuses, deductions and vetoes and confirms — each on the organisation's page, which
//! offers the account what its role, unit and the checklist's state allow. `/party` is the
//! overview: the year's 星级 by unit, every organisation's checklist, the month's 三会一课.

use taizhang_app::party::{OrgMonth, PartyRating, PartySheet, ScoreInput, change_text, party_event, rating_sentence};
use taizhang_core::party::{Meeting, MeetingKind, Scorer};

use super::*;

#[derive(Debug, Deserialize, Default)]
pub struct PartyQuery {
    pub year: Option<i32>,
    /// The month of 三会一课 (default: last month).
    pub month: Option<String>,
    pub format: Option<String>,
}

/// The year asked, else the latest with a scheme.
async fn year_of(acting: &Acting<'_>, asked: Option<i32>) -> Result<i32, AppError> {
    match asked {
        Some(y) => Ok(y),
        None => acting
            .party_years()
            .await?
            .first()
            .copied()
            .ok_or_else(|| AppError::BadRequest("尚未导入党建标准化考评方案（taizhang party scheme）".into())),
    }
}

/// The 星级 by unit: one row a unit, a column a star.
pub(crate) fn distribution(rating: &PartyRating) -> TableView {
    let names = rating.star_names();
    let mut headers: Vec<&str> = vec!["单位"];
    headers.extend(names.iter().map(String::as_str));
    headers.extend(["未定星", "整顿", "待确认"]);
    let mut t = TableView::new(&format!("{}年星级分布", rating.year), &headers);
    let n = |c: usize| CellView::num(Decimal::from(c as u64), 0);
    for (unit, counts, none, weak, pending) in rating.by_unit() {
        let mut row = vec![CellView::text(unit)];
        row.extend(counts.into_iter().map(n));
        row.extend([n(none), n(weak), n(pending)]);
        t.rows.push(row);
    }
    t
}

pub async fn party(Signed { state, user, uri }: Signed, Query(q): Query<PartyQuery>) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    if q.year.is_none() && acting.party_years().await?.is_empty() {
        let mut page = Page::open(&acting, &user, "基层党建").await;
        page.para("尚未导入党建标准化考评方案：区委组织部用 taizhang party scheme 导入后，这里显示各党组织的考评、星级与三会一课。");
        return Ok(render(&page));
    }
    let year = year_of(&acting, q.year).await?;
    let rating = acting.party_rating(year).await?;
    let mut page = Page::open(&acting, &user, format!("基层党建（{year}年）")).await;
    let month = match q.month.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => m.parse::<Period>().map_err(|e| AppError::BadRequest(e.to_string()))?.closing_month(),
        None => last_month(),
    };
    page.get_form(
        "/party",
        vec![
            field("year", "考评年度", FieldKind::Text, year.to_string()),
            field("month", "三会一课月份（如 2018-06）", FieldKind::Text, month.key()),
        ],
        "查看",
    );
    page.para(rating.scheme.name.clone());
    page.para(rating_sentence(&rating));
    page.section("星级分布", distribution(&rating), "没有党组织。");
    let mut t = TableView::new(
        "党组织考评",
        &["名次", "党组织", "所属单位", "书记", "党员", "考评状态", "得分", "星级", "较上年", "整顿原因"],
    );
    let orgs = acting.party_orgs().await?;
    let secretary = |code: &str| orgs.iter().find(|o| o.code == code);
    for r in &rating.rated {
        let o = secretary(&r.rated.org);
        t.rows.push(vec![
            CellView::text(r.rated.place.to_string()),
            CellView::link(&r.rated.name, format!("/party/orgs/{}?year={year}", r.rated.org)),
            CellView::text(&r.unit_name),
            CellView::text(o.map(|o| o.secretary.clone()).unwrap_or_default()),
            CellView::num(Decimal::from(o.map_or(0, |o| o.members)), 0),
            CellView::text(EntryState::Accepted.label_zh()),
            CellView::num(r.rated.total, 2),
            CellView::text(r.rated.star_text()),
            CellView::text(change_text(&r.rated)),
            CellView::text(r.rated.weak.clone().unwrap_or_default()),
        ]);
    }
    for (o, st) in &rating.pending {
        t.rows.push(vec![
            CellView::text("—"),
            CellView::link(&o.name, format!("/party/orgs/{}?year={year}", o.code)),
            CellView::text(acting.unit_name(&o.unit)),
            CellView::text(&o.secretary),
            CellView::num(Decimal::from(o.members), 0),
            CellView::text(st.label_zh()),
            CellView::text("—"),
            CellView::text("待确认"),
            CellView::text(""),
            CellView::text(""),
        ]);
    }
    page.section("党组织考评", t, "没有党组织。");
    let months = acting.party_completeness(year, month, taizhang_app::clock::today()).await?;
    page.section(&format!("{}三会一课", month.label_zh(false)), meetings_table(&acting, &months), "没有党组织。");
    let reviews = acting.party_reviews(year).await?;
    if !reviews.is_empty() {
        page.heading("书记抓党建述职评议");
        page.para(taizhang_app::party::review_sentence(&rating.scheme, &reviews));
        let mut t = TableView::new("述职评议结果", &["党组织", "所属单位", "书记", "评议得分", "满分", "等次"]);
        for r in &reviews {
            t.rows.push(vec![
                CellView::text(&r.org.name),
                CellView::text(acting.unit_name(&r.org.unit)),
                CellView::text(&r.org.secretary),
                CellView::num(r.points, 2),
                CellView::num(r.full, 2),
                CellView::text(&r.grade),
            ]);
        }
        page.table(t);
    }
    if acting.allow_top(Action::ManageParty).is_ok() {
        manage_forms(&acting, &user, year, &mut page);
    }
    page.push(Block::Links(vec![
        (format!("/reports?kind=party&year={year}&period={}&format=docx", month.key()), "基层党建报告（Word）".into()),
        (format!("/reports?kind=party&year={year}&period={}&format=xlsx", month.key()), "基层党建报告（Excel）".into()),
    ]));
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

fn meetings_table(acting: &Acting<'_>, months: &[OrgMonth]) -> TableView {
    let mut t = TableView::new(
        "三会一课",
        &["党组织", "所属单位", "灯色", "支部党员大会", "支委会", "党小组会", "党课", "主题党日", "说明"],
    );
    for m in months {
        let held = |k: MeetingKind| CellView::num(Decimal::from(*m.completeness.held.get(&k).unwrap_or(&0) as u64), 0);
        t.rows.push(vec![
            CellView::text(&m.org.name),
            CellView::text(acting.unit_name(&m.org.unit)),
            CellView::light(m.completeness.light),
            held(MeetingKind::MemberAssembly),
            held(MeetingKind::BranchCommittee),
            held(MeetingKind::GroupMeeting),
            held(MeetingKind::PartyLecture),
            held(MeetingKind::ThemeDay),
            CellView::text(m.completeness.reason()),
        ]);
    }
    t
}

pub async fn party_org(
    Signed { state, user, .. }: Signed,
    Path(code): Path<String>,
    Query(q): Query<PartyQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let year = year_of(&acting, q.year).await?;
    let sheet = acting.party_sheet(&code, year).await?;
    let o = &sheet.org;
    let mut page =
        Page::open(&acting, &user, format!("{}　{year}年标准化考评（{}）", o.name, sheet.state().label_zh())).await;
    let mut facts = TableView::new("党组织", &["项目", "内容"]);
    for (k, v) in [
        ("层级", o.level.label_zh().to_string()),
        ("类型", o.kind.label_zh().to_string()),
        ("所属单位", acting.unit_name(&o.unit)),
        ("书记", o.secretary.clone()),
        ("党员人数", o.members.to_string()),
    ] {
        facts.rows.push(vec![CellView::text(k), CellView::text(v)]);
    }
    page.table(facts);
    if let Some(reason) = sheet.assessment.as_ref().and_then(|a| a.return_reason.clone())
        && sheet.state() == EntryState::Returned
    {
        page.notice("warn", format!("本考评已被退回：{reason}。请修改后重新上报。"));
    }
    checklist(&sheet, &mut page);
    if let Some(scorer) = sheet.scoring {
        score_form(&sheet, scorer, &user, year, &mut page);
    }
    step_forms(&sheet, &user, year, &mut page);
    let zone = &acting.config().time_zone;
    let actors: Vec<String> = sheet.trail.iter().map(|t| t.actor.clone()).collect();
    let people = acting.person_names(&actors).await?;
    let mut trail = TableView::new("办理过程", &["过程"]);
    for t in &sheet.trail {
        trail.rows.push(vec![CellView::text(t.sentence(zone, people.get(&t.actor).map_or(&t.actor, |n| n)))]);
    }
    page.section("办理过程", trail, "尚未开始考评。");
    let meetings = acting.party_meetings(Some(&o.code), year).await?;
    let mut t = TableView::new(&format!("{year}年会议记录"), &["日期", "会议类型", "参会人数", "主题", "记录人"]);
    for m in meetings.iter().rev() {
        t.rows.push(vec![
            CellView::text(m.meeting.held_on.to_string()),
            CellView::text(m.meeting.kind.label_zh()),
            CellView::num(Decimal::from(m.meeting.attendance), 0),
            CellView::text(&m.meeting.topic),
            CellView::text(&m.recorded_by),
        ]);
    }
    page.section("三会一课", t, "本年度尚无会议记录。");
    if acting.may(Action::AssessParty, &o.unit)
        && (o.secretary_account.as_deref() == Some(&user.0.user.username) || user.0.user.role != Role::PartySecretary)
    {
        let kinds = MeetingKind::ALL.iter().map(|k| (k.code().to_string(), k.label_zh().to_string())).collect();
        page.heading("登记会议");
        page.form(
            &format!("/party/orgs/{}/meetings", o.code),
            &user,
            vec![
                field("year", "", FieldKind::Hidden, year.to_string()),
                field("kind", "会议类型", FieldKind::Select(kinds), ""),
                field("held_on", "日期（如 2018-06-08）", FieldKind::Text, ""),
                field("attendance", "参会人数", FieldKind::Text, ""),
                field("topic", "主题", FieldKind::Text, ""),
            ],
            "登记",
        );
    }
    if acting.allow_top(Action::ManageParty).is_ok() {
        page.heading("修改党组织");
        page.form("/party/orgs", &user, org_fields(&acting, Some(o)), "保存党组织");
    }
    Ok(render(&page))
}

/// The checklist as it stands: every item with its 基本, 力, points, score and evidence.
fn checklist(sheet: &PartySheet, page: &mut Page) {
    let scheme = &sheet.scheme;
    let group = |key: &str| scheme.groups.iter().find(|g| g.key == key).map_or(key, |g| g.name.as_str()).to_string();
    let force = |key: &Option<String>| {
        key.as_deref()
            .and_then(|k| scheme.forces.iter().find(|f| f.key == k))
            .map(|f| f.name.clone())
            .unwrap_or_default()
    };
    let mut t = TableView::new("检查项目", &["编号", "项目", "基本", "力", "分值", "得分", "佐证材料", "打分环节"]);
    let mut total = Decimal::ZERO;
    for i in &scheme.items {
        let got = sheet.score(&i.key);
        total += got.map_or(Decimal::ZERO, |s| s.points);
        t.rows.push(vec![
            CellView::text(&i.key),
            CellView::text(&i.name),
            CellView::text(group(&i.group)),
            CellView::text(force(&i.force)),
            CellView::num(i.points, 2),
            got.map_or(CellView::text("—"), |s| CellView::num(s.points, 2)),
            CellView::text(got.map(|s| s.evidence.clone()).unwrap_or_default()),
            CellView::text(i.scorer.label_zh()),
        ]);
    }
    for a in &scheme.adjustments {
        if let Some(s) = sheet.score(&a.key) {
            t.rows.push(vec![
                CellView::text(&a.key),
                CellView::text(&a.name),
                CellView::text("加扣分"),
                CellView::text(""),
                CellView::num(a.cap, 2),
                CellView::num(s.points, 2),
                CellView::text(&s.evidence),
                CellView::text(Scorer::Confirm.label_zh()),
            ]);
        }
    }
    page.table(t);
    let mut forces: Vec<String> = scheme
        .by_force(&sheet.points())
        .into_iter()
        .map(|(name, got, full)| format!("{name}{}／{}", format_number(got, 2), format_number(full, 2)))
        .collect();
    forces.insert(
        0,
        format!("检查项目合计{}分（满分{}）", format_number(total, 2), format_number(scheme.full_points(), 2)),
    );
    page.para(forces.join("；"));
}

/// The items whose turn it is, each with its points and evidence boxes.
fn score_form(sheet: &PartySheet, scorer: Scorer, user: &User, year: i32, page: &mut Page) {
    let mut fields = vec![
        field("year", "", FieldKind::Hidden, year.to_string()),
        field("version", "", FieldKind::Hidden, sheet.version().map(|v| v.to_string()).unwrap_or_default()),
    ];
    for i in sheet.scheme.items.iter().filter(|i| i.scorer == scorer) {
        let got = sheet.score(&i.key);
        let points = got.map(|s| s.points.normalize().to_string()).unwrap_or_default();
        let label = format!("{} {}（{}分）", i.key, i.name, format_number(i.points, 2));
        fields.push(field(&format!("points_{}", i.key), &label, FieldKind::Text, points));
        if i.evidence {
            let evidence = got.map(|s| s.evidence.clone()).unwrap_or_default();
            fields.push(field(
                &format!("evidence_{}", i.key),
                &format!("{} 佐证材料", i.key),
                FieldKind::Text,
                evidence,
            ));
        }
    }
    if scorer == Scorer::Confirm {
        for a in &sheet.scheme.adjustments {
            let got = sheet.score(&a.key);
            let what = match a.kind {
                taizhang_core::assessment::AdjustmentKind::Bonus => format!("加分，上限{}", format_number(a.cap, 2)),
                taizhang_core::assessment::AdjustmentKind::Deduction => {
                    format!("扣分，上限{}", format_number(a.cap, 2))
                }
                taizhang_core::assessment::AdjustmentKind::Veto => "一票否决：填1".into(),
            };
            let value = got.map(|s| s.points.normalize().to_string()).unwrap_or_default();
            fields.push(field(&format!("points_{}", a.key), &format!("{}（{what}）", a.name), FieldKind::Text, value));
            let evidence = got.map(|s| s.evidence.clone()).unwrap_or_default();
            fields.push(field(&format!("evidence_{}", a.key), &format!("{} 依据", a.name), FieldKind::Text, evidence));
        }
    }
    page.heading(format!("{}打分", scorer.label_zh()));
    page.form(&format!("/party/orgs/{}/scores", sheet.org.code), user, fields, "保存得分");
}

fn step_forms(sheet: &PartySheet, user: &User, year: i32, page: &mut Page) {
    let action = format!("/party/orgs/{}/step", sheet.org.code);
    let Some(version) = sheet.version() else { return };
    let hidden = |name: &str, value: String| field(name, "", FieldKind::Hidden, value);
    for e in &sheet.steps {
        let base = vec![hidden("year", year.to_string()), hidden("version", version.to_string())];
        let (step, label) = match e {
            taizhang_core::workflow::Event::Submit => ("submit", "上报"),
            taizhang_core::workflow::Event::Approve => ("approve", "审核通过"),
            taizhang_core::workflow::Event::Accept => ("accept", "确认"),
            _ => ("return", "退回"),
        };
        let mut fields = base;
        fields.push(hidden("step", step.into()));
        if step == "return" {
            fields.push(field("reason", "退回原因", FieldKind::Text, ""));
            page.form(&action, user, fields, label);
        } else {
            page.button(&action, user, fields, label);
        }
    }
}

/// The token a posted form carries (its fields are read as a map: scores name their items).
fn csrf_of(form: &HashMap<String, String>) -> &str {
    form.get("_csrf").map_or("", String::as_str)
}

fn form_year(form: &HashMap<String, String>) -> Result<i32, AppError> {
    form.get("year").and_then(|y| y.trim().parse().ok()).ok_or_else(|| AppError::BadRequest("缺少考评年度".into()))
}

fn form_version(form: &HashMap<String, String>) -> Option<i64> {
    form.get("version").and_then(|v| v.trim().parse().ok())
}

pub async fn party_scores(
    Signed { state, user, .. }: Signed,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, csrf_of(&form)).await?;
    let year = form_year(&form)?;
    let mut scores = vec![];
    let mut keys: Vec<&String> = form.keys().filter(|k| k.starts_with("points_")).collect();
    keys.sort();
    for key in keys {
        let item = &key["points_".len()..];
        let text = form[key].trim();
        if text.is_empty() {
            continue;
        }
        let points = taizhang_core::quantity::parse_number(text)
            .map_err(|_| AppError::BadRequest(format!("第{item}项的得分“{text}”不是数字")))?;
        let evidence = form.get(&format!("evidence_{item}")).cloned().unwrap_or_default();
        scores.push(ScoreInput { item: item.to_string(), points, evidence });
    }
    acting.save_party_scores(&code, year, &scores, form_version(&form)).await?;
    Ok(crate::flash::done(&format!("/party/orgs/{code}?year={year}"), "party-scored"))
}

pub async fn party_step(
    Signed { state, user, .. }: Signed,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, csrf_of(&form)).await?;
    let year = form_year(&form)?;
    let event = party_event(form.get("step").map_or("", String::as_str))?;
    let version = form_version(&form).ok_or_else(|| AppError::BadRequest("缺少版本号".into()))?;
    let reason = form.get("reason").cloned().unwrap_or_default();
    acting.party_step(&code, year, event, &reason, version).await?;
    Ok(crate::flash::done(&format!("/party/orgs/{code}?year={year}"), "party-stepped"))
}

pub async fn party_meeting(
    Signed { state, user, .. }: Signed,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, csrf_of(&form)).await?;
    let get = |k: &str| form.get(k).map_or("", |v| v.trim());
    let kind: MeetingKind =
        get("kind").parse().map_err(|e: taizhang_core::DomainError| AppError::BadRequest(e.to_string()))?;
    let held_on = Date::parse(get("held_on")).map_err(|e| AppError::BadRequest(format!("日期：{e}")))?;
    let attendance: u32 = get("attendance")
        .parse()
        .map_err(|_| AppError::BadRequest(format!("参会人数“{}”应为整数", get("attendance"))))?;
    let meeting = Meeting { org: code.clone(), kind, held_on, attendance, topic: get("topic").to_string() };
    acting.record_party_meetings(&[meeting], taizhang_app::clock::today(), false).await?;
    let year = held_on.year;
    Ok(crate::flash::done(&format!("/party/orgs/{code}?year={year}"), "party-meeting"))
}

/// The organisation's fields, as the 区委组织部 adds or edits one.
fn org_fields(acting: &Acting<'_>, o: Option<&taizhang_core::party::PartyOrg>) -> Vec<FieldView> {
    use taizhang_core::party::{OrgLevel, OrgType};
    let levels = OrgLevel::ALL.iter().map(|l| (l.code().to_string(), l.label_zh().to_string())).collect();
    let kinds = OrgType::ALL.iter().map(|k| (k.code().to_string(), k.label_zh().to_string())).collect();
    let units = acting.tree().units().iter().map(|u| (u.code.to_string(), u.name.clone())).collect();
    let text = |f: fn(&taizhang_core::party::PartyOrg) -> String| o.map(f).unwrap_or_default();
    vec![
        field("code", "组织编码", FieldKind::Text, text(|o| o.code.clone())),
        field("name", "组织名称", FieldKind::Text, text(|o| o.name.clone())),
        field("level", "层级", FieldKind::Select(levels), text(|o| o.level.code().into())),
        field("kind", "类型", FieldKind::Select(kinds), text(|o| o.kind.code().into())),
        field("parent", "上级组织编码（可空）", FieldKind::Text, text(|o| o.parent.clone().unwrap_or_default())),
        field("unit", "所属单位", FieldKind::Select(units), text(|o| o.unit.clone())),
        field("secretary", "书记", FieldKind::Text, text(|o| o.secretary.clone())),
        field(
            "secretary_account",
            "书记账号（可空）",
            FieldKind::Text,
            text(|o| o.secretary_account.clone().unwrap_or_default()),
        ),
        field("members", "党员人数", FieldKind::Text, text(|o| o.members.to_string())),
    ]
}

/// The 区委组织部's forms on the overview: an organisation added, a workbook imported.
fn manage_forms(acting: &Acting<'_>, user: &User, year: i32, page: &mut Page) {
    page.heading("新增或修改党组织");
    page.form("/party/orgs", user, org_fields(acting, None), "保存党组织");
    page.heading("从 Excel 导入");
    page.para("党组织（表头：组织编码、组织名称、层级、类型、上级组织编码、所属单位、书记、书记账号、党员人数），考评得分（组织编码、项目编号、得分、佐证材料），三会一课（组织编码、会议类型、日期、参会人数、主题）。整表校验通过才写入。");
    let what = vec![
        ("orgs".to_string(), "党组织".to_string()),
        ("scores".to_string(), "考评得分".to_string()),
        ("meetings".to_string(), "三会一课".to_string()),
    ];
    page.form(
        "/party/import",
        user,
        vec![
            field("what", "导入内容", FieldKind::Select(what), "orgs"),
            field("year", "考评年度（导入得分时）", FieldKind::Text, year.to_string()),
            field("file", "工作簿（.xlsx）", FieldKind::File, ""),
        ],
        "导入",
    );
}

pub async fn party_save_org(
    Signed { state, user, .. }: Signed,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, csrf_of(&form)).await?;
    let get = |k: &str| form.get(k).map_or("", |v| v.trim()).to_string();
    let bad = |e: taizhang_core::DomainError| AppError::BadRequest(e.to_string());
    let optional = |k: &str| Some(get(k)).filter(|v| !v.is_empty());
    let org = taizhang_core::party::PartyOrg {
        code: get("code"),
        name: get("name"),
        level: get("level").parse().map_err(bad)?,
        kind: get("kind").parse().map_err(bad)?,
        parent: optional("parent"),
        unit: get("unit"),
        secretary: get("secretary"),
        secretary_account: optional("secretary_account"),
        members: get("members")
            .parse()
            .map_err(|_| AppError::BadRequest(format!("党员人数“{}”应为整数", get("members"))))?,
        sample: false,
    };
    acting.save_party_orgs(std::slice::from_ref(&org)).await?;
    Ok(crate::flash::done(&format!("/party/orgs/{}", org.code), "party-org-saved"))
}

pub async fn party_import(
    Signed { state, user, .. }: Signed,
    multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (fields, bytes) = super::admin::read_upload(multipart).await?;
    let acting = user.acting_on_form(&state, fields.get("_csrf").map_or("", String::as_str)).await?;
    let year = fields.get("year").and_then(|y| y.trim().parse().ok());
    let what = taizhang_app::party::PartyImport::named(
        fields.get("what").map_or("", String::as_str),
        year,
        taizhang_app::clock::today(),
    )?;
    let outcome = acting.import_party(&bytes, "上传的工作簿", what).await;
    super::imported(&acting, &user, "/party", "返回基层党建", outcome).await
}
