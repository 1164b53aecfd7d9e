//! 城管案件 (数字城管): the 监督员 reports a case from a phone, the 值班长 files and dispatches
//! it, the unit disposes of it, the 监督员 checks it, the 值班长 closes it — each on the case's
//! page, which offers the account the steps its role and unit allow in the case's state.

use taizhang_app::{CaseRecord, CaseReport, StepRequest};
use taizhang_core::cases::CaseState;

use super::*;

#[derive(Debug, Deserialize, Default)]
pub struct CasesQuery {
    /// A state's code or name.
    pub state: Option<String>,
    /// Reported in this month (2018-06).
    pub month: Option<String>,
    /// xlsx: the list as an Excel workbook.
    pub format: Option<String>,
}

pub async fn cases(Signed { state, user, uri }: Signed, Query(q): Query<CasesQuery>) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let wanted = match q.state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(s.parse::<CaseState>().map_err(|e| AppError::BadRequest(e.to_string()))?),
        None => None,
    };
    let month = q.month.as_deref().filter(|s| !s.is_empty()).map(taizhang_app::case_month).transpose()?;
    let found = acting.cases(None, wanted, month).await?;
    let mut page = Page::open(&acting, &user, format!("城管案件（{}件）", found.len())).await;
    if acting.allow_top(Action::ReportCase).is_ok() {
        report_form(&acting, &user, &mut page).await?;
    }
    let states = std::iter::once((String::new(), "全部".to_string()))
        .chain(CaseState::ALL.iter().map(|s| (s.code().to_string(), s.label_zh().to_string())))
        .collect();
    page.get_form(
        "/cases",
        vec![
            field("state", "状态", FieldKind::Select(states), q.state.clone().unwrap_or_default()),
            field("month", "上报月份（如 2018-06）", FieldKind::Text, q.month.clone().unwrap_or_default()),
        ],
        "筛选",
    );
    let mut t = TableView::new(
        "案件",
        &["编号", "问题描述", "小类", "网格", "状态", "处置单位", "处置时限", "上报", "结案", "返工"],
    );
    for c in &found {
        t.rows.push(vec![
            CellView::link(format!("#{}", c.id), format!("/cases/{}", c.id)),
            CellView::link(&c.description, format!("/cases/{}", c.id)),
            CellView::text(&c.class),
            CellView::text(format!("{}（{}）", c.cell, acting.unit_name(&c.street))),
            CellView::text(c.status.state.label_zh()),
            CellView::text(c.status.unit.as_deref().map(|u| acting.unit_name(u)).unwrap_or_default()),
            CellView::text(c.due_at.clone().unwrap_or_default()),
            CellView::text(&c.reported_at),
            CellView::text(c.closed_at.clone().unwrap_or_default()),
            CellView::num(Decimal::from(c.status.reworks), 0),
        ]);
    }
    page.section("案件", t, "没有案件。");
    page.push(Block::Links(vec![("/case-evaluation".into(), "数字城管考评（按期结案率排名）".into())]));
    if acting.allow_top(Action::ManageLedger).is_ok() {
        page.heading("从 Excel 导入");
        page.para("单元网格（表头：网格编码、网格名称、街道、社区、边界——WKT 或 GeoJSON）；原系统的历史案件（原案件编号、小类编码、经度、纬度、地址、问题描述、上报人、上报时间、立案时间、派遣时间、处置单位、处置时限、处置时间、结案时间、返工次数、状态说明——“不予立案”或“挂账”）。整表校验通过才写入。");
        let what = vec![("grid".to_string(), "单元网格".to_string()), ("cases".to_string(), "历史案件".to_string())];
        page.form(
            "/cases/import",
            &user,
            vec![
                field("what", "导入内容", FieldKind::Select(what), "grid"),
                field("file", "工作簿（.xlsx）", FieldKind::File, ""),
            ],
            "导入",
        );
    }
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

/// The 监督员's form: short enough for a phone (a class, the point, what is wrong).
async fn report_form(acting: &Acting<'_>, user: &User, page: &mut Page) -> Result<(), AppError> {
    let classes = acting
        .case_classes()
        .await?
        .into_iter()
        .map(|c| (c.code.clone(), format!("{}／{}（{}）", c.major, c.name, c.kind)))
        .collect();
    page.heading("上报案件");
    page.form(
        "/cases",
        user,
        vec![
            field("class", "小类", FieldKind::Select(classes), ""),
            field("lon", "经度（如 113.6051）", FieldKind::Text, ""),
            field("lat", "纬度（如 34.7012）", FieldKind::Text, ""),
            field("address", "地址", FieldKind::Text, ""),
            field("description", "问题描述", FieldKind::Area, ""),
            field("photos", "照片文件名（每行一个）", FieldKind::Area, ""),
        ],
        "上报",
    );
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct CaseForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub class: String,
    pub lon: String,
    pub lat: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub photos: String,
}

pub async fn report_case(Signed { state, user, .. }: Signed, Form(form): Form<CaseForm>) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    let degrees =
        |name: &str, text: &str| taizhang_app::degrees(text).map_err(|e| AppError::BadRequest(format!("{name}：{e}")));
    let report = CaseReport {
        class: &form.class,
        lon: degrees("经度", &form.lon)?,
        lat: degrees("纬度", &form.lat)?,
        address: &form.address,
        description: &form.description,
        photos: form.photos.trim(),
        sample: false,
    };
    let id = acting.report_case(&report, taizhang_app::clock::now()).await?;
    Ok(crate::flash::done(&format!("/cases/{id}"), "case-reported"))
}

pub async fn case_page(Signed { state, user, .. }: Signed, Path(id): Path<i64>) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let (case, trail) = acting.case_with_trail(id).await?;
    let mut page = Page::open(&acting, &user, format!("案件 #{}（{}）", case.id, case.status.state.label_zh())).await;
    let unit = |code: &Option<String>| code.as_deref().map(|u| acting.unit_name(u)).unwrap_or_default();
    let mut facts = TableView::new("案件", &["项目", "内容"]);
    for (k, v) in [
        ("问题描述", case.description.clone()),
        ("小类", case.class.clone()),
        ("位置", format!("{}，{}（经度 {}，纬度 {}）", case.address, case.cell, case.lon, case.lat)),
        ("街道", acting.unit_name(&case.street)),
        ("照片", case.photos.lines().collect::<Vec<_>>().join("、")),
        ("上报", format!("{} {}", case.reported_by, case.reported_at)),
        ("处置单位", unit(&case.status.unit)),
        ("处置时限", case.due_at.clone().unwrap_or_default()),
        ("返工", format!("{}次", case.status.reworks)),
        ("结案", case.closed_at.clone().unwrap_or_default()),
    ] {
        facts.rows.push(vec![CellView::text(k), CellView::text(v)]);
    }
    page.table(facts);
    let mut steps = TableView::new("办理过程", &["时间", "环节", "办理人", "单位", "说明", "状态"]);
    for s in &trail {
        steps.rows.push(vec![
            CellView::text(&s.at),
            CellView::text(&s.step),
            CellView::text(&s.actor),
            CellView::text(unit(&s.unit)),
            CellView::text(&s.note),
            CellView::text(format!("{} → {}", s.from.label_zh(), s.to.label_zh())),
        ]);
    }
    page.table(steps);
    step_forms(&acting, &user, &case, &mut page);
    Ok(render(&page))
}

/// The steps this account may take now: the 值班长's, the unit's or the 监督员's.
fn step_forms(acting: &Acting<'_>, user: &User, case: &CaseRecord, page: &mut Page) {
    let action = format!("/cases/{}/step", case.id);
    let hidden = |step: &str| field("step", "", FieldKind::Hidden, step);
    let text = |label: &str| field("text", label, FieldKind::Text, "");
    let centre = acting.may(Action::DispatchCase, &case.street);
    let disposer = case.status.unit.as_deref().is_some_and(|u| acting.may(Action::DisposeCase, u));
    let checker = acting.may(Action::CheckCase, &case.street);
    match case.status.state {
        CaseState::Reported if centre => {
            page.button(&action, user, vec![hidden("file")], "立案");
            page.form(&action, user, vec![hidden("decline"), text("不予立案的理由")], "不予立案");
        }
        CaseState::Filed if centre => {
            let units = std::iter::once((String::new(), "按小类默认".to_string()))
                .chain(acting.tree().units().iter().map(|u| (u.code.to_string(), u.name.clone())))
                .collect();
            page.form(
                &action,
                user,
                vec![hidden("dispatch"), field("unit", "派遣单位", FieldKind::Select(units), "")],
                "派遣",
            );
            page.form(&action, user, vec![hidden("suspend"), text("挂账原因")], "挂账");
        }
        CaseState::Dispatched => {
            if disposer {
                page.form(&action, user, vec![hidden("dispose"), text("处置结果")], "处置");
                page.form(&action, user, vec![hidden("send_back"), text("回退理由（非本单位职责）")], "回退");
            }
            if centre {
                let until = field("until", "延期至（如 2018-06-20）", FieldKind::Text, "");
                page.form(&action, user, vec![hidden("extend"), until], "延期");
                page.form(&action, user, vec![hidden("suspend"), text("挂账原因")], "挂账");
            }
        }
        CaseState::Disposed if checker => {
            let passed = field("passed", "", FieldKind::Hidden, "true");
            page.button(&action, user, vec![hidden("check"), passed], "核查通过");
            let failed = field("passed", "", FieldKind::Hidden, "false");
            page.form(&action, user, vec![hidden("check"), failed, text("仍存在的问题")], "返工");
        }
        CaseState::Verified if centre => {
            page.button(&action, user, vec![hidden("close")], "结案");
        }
        CaseState::Suspended if centre => {
            page.button(&action, user, vec![hidden("resume")], "恢复办理");
        }
        _ => {}
    }
}

#[derive(Debug, Deserialize)]
pub struct CaseStepForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub step: String,
    #[serde(default)]
    pub text: String,
    pub unit: Option<String>,
    pub passed: Option<bool>,
    pub until: Option<String>,
}

pub async fn case_step(
    Signed { state, user, .. }: Signed,
    Path(id): Path<i64>,
    Form(form): Form<CaseStepForm>,
) -> Result<Response, AppError> {
    let acting = user.acting_on_form(&state, &form.csrf).await?;
    let until = match form.until.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => Some(Date::parse(u).map_err(|e| AppError::BadRequest(format!("延期至：{e}")))?),
        None => None,
    };
    let request = StepRequest::named(&form.step, form.unit.clone(), form.text.clone(), form.passed, until)?;
    acting.take_case_step(id, request, taizhang_app::clock::now()).await?;
    Ok(crate::flash::done(&format!("/cases/{id}"), "case-stepped"))
}

#[derive(Debug, Deserialize, Default)]
pub struct EvaluationQuery {
    /// The period evaluated — 2018-06, 2018Q2, 2018 (default: last month).
    pub month: Option<String>,
    /// street (default), unit or class.
    pub by: Option<String>,
    pub format: Option<String>,
}

/// The month's evaluation (GB/T 30428.4), ranked by 按期结案率: the monthly ranking of streets
/// and of the units disposing.
pub async fn case_evaluation(
    Signed { state, user, uri }: Signed,
    Query(q): Query<EvaluationQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let period = match q.month.as_deref().filter(|m| !m.is_empty()) {
        Some(text) => taizhang_app::case_period(text)?,
        None => last_month(),
    };
    let by_text = q.by.clone().unwrap_or_else(|| "street".into());
    let by = taizhang_app::dimension_named(&by_text)?;
    let scores = acting.case_evaluation_in(by, period).await?;
    let title = format!("数字城管考评（{}）", period.label_zh(false));
    let mut page = Page::open(&acting, &user, title).await;
    let dims = vec![
        ("street".to_string(), "按街道".to_string()),
        ("unit".to_string(), "按处置单位".to_string()),
        ("class".to_string(), "按小类".to_string()),
    ];
    page.get_form(
        "/case-evaluation",
        vec![
            field("month", "月份、季度或年度（如 2018-06、2018Q2、2018）", FieldKind::Text, period.key()),
            field("by", "统计口径", FieldKind::Select(dims), by_text),
        ],
        "查看",
    );
    page.para(
        "应结案数：本月到期（或本月提前结案）的已派遣案件，挂账案件不计；按期结案：通过核查的处置在处置时限内；\
         结案率、按期结案率以应结案数为分母，返工率以结案数为分母；综合指标值按配置的权重（[cases]）合成。",
    );
    let mut t = TableView::new(
        "排名",
        &[
            "名次",
            "名称",
            "上报",
            "立案",
            "派遣",
            "应结案",
            "结案",
            "按期结案",
            "超期",
            "结案率%",
            "按期结案率%",
            "返工率%",
            "综合指标值",
        ],
    );
    let rate = |r: Option<Decimal>| r.map_or(CellView::text("—"), |r| CellView::num(r, 2));
    let count = |n: u64| CellView::num(Decimal::from(n), 0);
    for (i, s) in scores.iter().enumerate() {
        let c = &s.counts;
        t.rows.push(vec![
            CellView::text(if s.on_time_rate.is_some() { (i + 1).to_string() } else { "—".into() }),
            CellView::text(&s.name),
            count(c.reported),
            count(c.filed),
            count(c.dispatched),
            count(c.due),
            count(c.closed),
            count(c.on_time),
            count(c.overdue),
            rate(s.closing_rate),
            rate(s.on_time_rate),
            rate(s.rework_rate),
            rate(s.index),
        ]);
    }
    page.section("排名", t, "该期间没有案件。");
    // The map: each cell of the grid shaded by the cases reported in it this month.
    let reported = acting.case_evaluation_in(taizhang_app::CaseDimension::Cell, period).await?;
    let grid = acting.grid().await?;
    let cells: Vec<_> = grid
        .into_iter()
        .map(|cell| {
            let n = reported.iter().find(|s| s.counts.key == cell.code).map_or(0, |s| s.counts.reported);
            (cell, n)
        })
        .collect();
    if !cells.is_empty() {
        page.heading("各网格上报案件数");
        let caption = format!("{}各网格上报案件数", period.label_zh(false));
        page.push(Block::Svg(crate::view::chart::grid_map_svg(&cells, &caption)?));
    }
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

/// An admin imports grid cells or an old system's cases from a workbook, all or nothing.
pub async fn case_import(
    Signed { state, user, .. }: Signed,
    multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (fields, bytes) = super::admin::read_upload(multipart).await?;
    let acting = user.acting_on_form(&state, fields.get("_csrf").map_or("", String::as_str)).await?;
    let what = taizhang_app::CaseImport::named(fields.get("what").map_or("", String::as_str))?;
    let outcome = acting.import_case_workbook(&bytes, "上传的工作簿", what).await;
    super::imported(&acting, &user, "/cases", "返回城管案件", outcome).await
}
