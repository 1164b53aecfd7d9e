//! Server-rendered pages for every role, through one escaped template (`page.html`): a page
//! is a list of blocks — headings, text, figures, tables, forms. Every list page also exports
//! the same table to Excel (`?format=xlsx`).

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use rust_decimal::Decimal;
use serde::Deserialize;
use taizhang_core::access::Role;
use taizhang_core::lights::Light;
use taizhang_core::period::Period;
use taizhang_core::project::{Date, completion_pct, lag_pp};
use taizhang_core::quantity::format_number;
use taizhang_core::report::{DocSection, Document, Table, TableCell, money_wan};
use taizhang_core::workflow::{EntryFigures, Round, RoundStatus};
use taizhang_core::workflow::{EntryState, Form as ReportForm};

use crate::auth::User;
use crate::{AppError, AppState};
use taizhang_app::Acting;

// ---------------------------------------------------------------- the page model

#[derive(Debug, Clone)]
pub struct Nav {
    pub links: Vec<(String, String)>,
    pub who: String,
    pub csrf: String,
}

#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: &'static str,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct CellView {
    pub text: String,
    pub href: Option<String>,
    pub light: Option<&'static str>,
    pub num: bool,
}

impl CellView {
    pub fn text(t: impl Into<String>) -> Self {
        Self { text: t.into(), ..Self::default() }
    }
    pub fn link(t: impl Into<String>, href: impl Into<String>) -> Self {
        Self { text: t.into(), href: Some(href.into()), ..Self::default() }
    }
    pub fn num(d: Decimal, dp: u32) -> Self {
        Self { text: format_number(d, dp), num: true, ..Self::default() }
    }
    pub fn light(l: Light) -> Self {
        Self { text: l.label_zh().into(), light: Some(l.code()), ..Self::default() }
    }
}

#[derive(Debug, Clone, Default)]
pub struct TableView {
    pub caption: String,
    pub export: Option<String>,
    pub headers: Vec<(String, Option<String>)>,
    pub rows: Vec<Vec<CellView>>,
}

impl TableView {
    pub fn new(caption: &str, headers: &[&str]) -> Self {
        Self {
            caption: caption.into(),
            headers: headers.iter().map(|h| (h.to_string(), None)).collect(),
            ..Self::default()
        }
    }

    /// The same table for Excel.
    fn to_table(&self) -> Table {
        Table {
            caption: self.caption.clone(),
            headers: self.headers.iter().map(|h| h.0.clone()).collect(),
            rows: self
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| match (c.num, c.text.parse::<Decimal>()) {
                            (true, Ok(d)) => TableCell::Number(d, d.scale()),
                            _ => TableCell::Text(c.text.clone()),
                        })
                        .collect()
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum FieldKind {
    Hidden,
    Text,
    Password,
    /// An .xlsx upload (the form becomes multipart).
    File,
    Area,
    Select(Vec<(String, String)>),
}

#[derive(Debug, Clone)]
pub struct FieldView {
    pub name: String,
    pub label: String,
    pub kind: FieldKind,
    pub value: String,
}

fn field(name: &str, label: &str, kind: FieldKind, value: impl Into<String>) -> FieldView {
    FieldView { name: name.into(), label: label.into(), kind, value: value.into() }
}

/// A form: posted with the session's CSRF token, or (`get`) a filter that changes nothing.
#[derive(Debug, Clone)]
pub struct FormView {
    pub action: String,
    pub csrf: String,
    pub fields: Vec<FieldView>,
    pub submit: String,
    pub inline: bool,
    pub multipart: bool,
    pub get: bool,
}

#[derive(Debug, Clone)]
pub enum Block {
    Heading(String),
    Para(String),
    Notice(Notice),
    /// (label, value, css class)
    Cards(Vec<(String, String, String)>),
    /// SVG drawn on the server from stored figures (the only unescaped output).
    Svg(String),
    Links(Vec<(String, String)>),
    Table(TableView),
    Form(FormView),
}

#[derive(Debug, Clone)]
pub struct Page {
    pub title: String,
    pub nav: Option<Nav>,
    pub blocks: Vec<Block>,
}

#[derive(Template)]
#[template(path = "page.html")]
struct PageTemplate<'a> {
    page: &'a Page,
}

pub fn render(page: &Page) -> Response {
    match (PageTemplate { page }).render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败").into_response()
        }
    }
}

impl Page {
    pub fn new(user: &User, title: impl Into<String>) -> Self {
        let role = user.0.user.role;
        let mut links = vec![("/".to_string(), "首页".to_string()), ("/projects".into(), "重点项目".into())];
        links.push(("/indicators".into(), "指标".into()));
        links.push(("/plan".into(), "计划".into()));
        if matches!(role, Role::Admin | Role::UnitLeader | Role::UnitReporter) {
            links.push(("/report".into(), "填报".into()));
        }
        if matches!(role, Role::Admin | Role::Reviewer | Role::UnitLeader) {
            links.push(("/review".into(), "审核".into()));
        }
        links.push(("/annual".into(), "年度总结".into()));
        if role == Role::Admin {
            links.push(("/admin".into(), "管理".into()));
        }
        let who = format!("{}（{}）", user.0.user.display_name, role.label_zh());
        Self { title: title.into(), nav: Some(Nav { links, who, csrf: user.csrf().into() }), blocks: vec![] }
    }

    pub fn login(message: Option<String>) -> Self {
        let mut blocks = Vec::new();
        if let Some(m) = message {
            blocks.push(Block::Notice(Notice { kind: "error", text: m }));
        }
        blocks.push(Block::Form(FormView {
            action: "/login".into(),
            csrf: String::new(),
            fields: vec![
                field("username", "账号", FieldKind::Text, ""),
                field("password", "口令", FieldKind::Password, ""),
            ],
            submit: "登录".into(),
            inline: false,
            multipart: false,
            get: false,
        }));
        Self { title: "登录台账".into(), nav: None, blocks }
    }

    pub fn password(user: &User, message: Option<String>) -> Self {
        let mut page = Page::new(user, "修改口令");
        if let Some(m) = message {
            page.notice(if m.contains("已修改") { "ok" } else { "error" }, m);
        }
        page.form(
            "/password",
            user,
            vec![
                field("old", "原口令", FieldKind::Password, ""),
                field("new", "新口令（至少8个字符）", FieldKind::Password, ""),
            ],
            "修改",
        );
        page
    }

    fn push(&mut self, b: Block) -> &mut Self {
        self.blocks.push(b);
        self
    }
    fn heading(&mut self, t: impl Into<String>) -> &mut Self {
        self.push(Block::Heading(t.into()))
    }
    fn para(&mut self, t: impl Into<String>) -> &mut Self {
        self.push(Block::Para(t.into()))
    }
    fn notice(&mut self, kind: &'static str, t: impl Into<String>) -> &mut Self {
        self.push(Block::Notice(Notice { kind, text: t.into() }))
    }
    fn table(&mut self, t: TableView) -> &mut Self {
        self.push(Block::Table(t))
    }
    fn form(&mut self, action: &str, user: &User, fields: Vec<FieldView>, submit: &str) -> &mut Self {
        let multipart = fields.iter().any(|f| matches!(f.kind, FieldKind::File));
        self.push(Block::Form(FormView {
            action: action.into(),
            csrf: user.csrf().into(),
            fields,
            submit: submit.into(),
            inline: false,
            multipart,
            get: false,
        }))
    }
    fn button(&mut self, action: &str, user: &User, fields: Vec<FieldView>, submit: &str) -> &mut Self {
        self.push(Block::Form(FormView {
            action: action.into(),
            csrf: user.csrf().into(),
            fields,
            submit: submit.into(),
            inline: true,
            multipart: false,
            get: false,
        }))
    }
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    pub format: Option<String>,
}

/// Gives every captioned table of a page the link that exports it (the page's own address
/// with `format=xlsx`).
fn exportable(page: &mut Page, uri: &axum::http::Uri) {
    let link = match uri.query() {
        Some(q) => format!("{}?{q}&format=xlsx", uri.path()),
        None => format!("{}?format=xlsx", uri.path()),
    };
    for block in &mut page.blocks {
        if let Block::Table(t) = block
            && t.export.is_none()
        {
            if t.caption.is_empty() {
                t.caption = "列表".into();
            }
            t.export = Some(link.clone());
        }
    }
}

/// A list page as HTML, or its tables as an Excel workbook with `?format=xlsx`.
fn page_or_xlsx(page: Page, format: Option<&str>) -> Result<Response, AppError> {
    if format == Some("xlsx") {
        let tables: Vec<Table> = page
            .blocks
            .iter()
            .filter_map(|b| if let Block::Table(t) = b { Some(t.to_table()) } else { None })
            .collect();
        let doc = Document {
            title: page.title.clone(),
            subtitle: None,
            sections: vec![DocSection { heading: page.title.clone(), tables, ..DocSection::default() }],
        };
        let bytes = taizhang_office::report::xlsx(&doc).map_err(|_| AppError::Internal)?;
        return Ok((
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"taizhang.xlsx\""),
            ],
            bytes,
        )
            .into_response());
    }
    Ok(render(&page))
}

/// The period a page shows: the one asked for, else the latest month with reports.
async fn period_of(acting: &Acting<'_>, asked: Option<&str>) -> Result<Period, AppError> {
    match asked.filter(|s| !s.is_empty()) {
        Some(p) => p.parse::<Period>().map(|p| p.closing_month()).map_err(|e| AppError::BadRequest(e.to_string())),
        None => Ok(acting
            .latest_progress_period()
            .await?
            .unwrap_or(Period::Month(taizhang_app::clock::today().year, taizhang_app::clock::today().month))),
    }
}

/// The day a period's lights are judged on: its last day.
fn as_of(period: Period) -> Date {
    Date::end_of(period)
}

// ---------------------------------------------------------------- dashboard

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    pub period: Option<String>,
    pub unit: Option<String>,
    pub format: Option<String>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    user: User,
    uri: axum::http::Uri,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let period = period_of(&acting, q.period.as_deref()).await?;
    let scope = service_scope(&user);
    let top = match &scope {
        Some(u) => acting.find_unit(u)?,
        None => acting.top_unit()?,
    };
    let warnings = acting.warnings(period, Some(&top.code), as_of(period)).await?;
    let input = acting.briefing_with(period, &top.code, as_of(period), "", &warnings).await?;
    let mut page = Page::new(&user, format!("{}　{}", top.name, period.label_zh(true)));
    page.push(Block::Links(
        recent_months(period).into_iter().map(|p| (format!("/?period={}", p.key()), p.label_zh(false))).collect(),
    ));

    let count = |l: Light| warnings.iter().filter(|w| w.lit.light == l).count();
    let pct = completion_pct(input.all.ytd_wan, input.all.planned_wan);
    let lag = pct.map(|p| lag_pp(p, period.time_progress()));
    page.push(Block::Cards(vec![
        ("重点项目".into(), format!("{}个", input.all.projects), String::new()),
        ("年度计划".into(), money_wan(input.all.planned_wan), String::new()),
        ("累计完成".into(), money_wan(input.all.ytd_wan), String::new()),
        ("占年计划".into(), pct.map_or("—".into(), |p| format!("{}%", format_number(p, 1))), String::new()),
        ("较序时进度".into(), lag.map_or("—".into(), |l| format!("{}个百分点", format_number(l, 1))), String::new()),
        ("红灯".into(), count(Light::Red).to_string(), "red".into()),
        ("黄灯".into(), count(Light::Yellow).to_string(), "yellow".into()),
        ("绿灯".into(), count(Light::Green).to_string(), "green".into()),
    ]));

    page.heading("核心指标");
    let catalogue = acting.catalogue().await?;
    let mut t = TableView::new("", &["指标", "数值", "增长", "年度目标", "完成目标%", "灯"]);
    let mut completion: Vec<(String, Decimal)> = Vec::new();
    for ind in catalogue.indicators.iter().filter(|i| i.phrasing.section == "economy") {
        let value = match acting.value(&ind.code, &top.code, period).await? {
            Some(v) => Some(v),
            None => acting.value(&ind.code, &top.code, Period::Year(period.year())).await?,
        };
        let target = acting.target(&ind.code, &top.code, period.year()).await?;
        if value.is_none() && target.is_none() {
            continue;
        }
        let level = value.as_ref().and_then(|v| v.value);
        let done = level.zip(target.as_ref().and_then(|t| t.level)).and_then(|(v, t)| completion_pct(v, t));
        if let Some(d) = done {
            completion.push((ind.name.clone(), d.round_dp(1)));
        }
        let lit = level
            .zip(target.as_ref().and_then(|t| t.level))
            .and_then(|(v, t)| taizhang_core::lights::indicator_light(period, v, t, &acting.config().lights));
        t.rows.push(vec![
            CellView::link(&ind.name, format!("/indicators/{}?unit={}", ind.code, top.code)),
            CellView {
                text: level.map_or("—".into(), |v| ind.unit.format(v, ind.decimals)),
                num: true,
                ..CellView::default()
            },
            CellView {
                text: value
                    .and_then(|v| v.reported_growth)
                    .map_or("—".into(), |g| format!("{}%", format_number(g, 2))),
                num: true,
                ..CellView::default()
            },
            CellView::text(target.and_then(|t| t.level).map_or("—".into(), |v| ind.unit.format(v, ind.decimals))),
            done.map_or(CellView::text("—"), |d| CellView::num(d, 1)),
            lit.map_or(CellView::text("—"), |l| CellView {
                text: l.light.label_zh().into(),
                light: Some(l.light.code()),
                ..CellView::default()
            }),
        ]);
    }
    if t.rows.is_empty() {
        page.para("本期没有核心指标数据。");
    } else {
        if !completion.is_empty() {
            page.push(Block::Svg(crate::charts::indicator_bars_svg(&completion, period)?));
        }
        page.table(t);
    }

    page.heading("重点项目投资");
    let by_month = acting.monthly_ytd(&top.code, period.year(), period.month_of_year()).await?;
    page.push(Block::Svg(crate::charts::ytd_line_svg(&by_month, input.all.planned_wan, period)?));
    let mut monthly = TableView::new(
        "逐月累计完成与序时计划",
        &["月份", "年初至报告期累计(万元)", "序时计划(万元)", "较序时(百分点)"],
    );
    for (i, ytd) in by_month.iter().enumerate() {
        let m = Decimal::from(i as u64 + 1);
        let due = input.all.planned_wan * m / Decimal::from(12);
        let lag = completion_pct(*ytd, input.all.planned_wan).map(|p| lag_pp(p, m / Decimal::from(12)));
        monthly.rows.push(vec![
            CellView::text(format!("{}月", i + 1)),
            CellView::num(*ytd, 2),
            CellView::num(due, 2),
            lag.map_or(CellView::text("—"), |l| CellView::num(l, 1)),
        ]);
    }
    page.table(monthly);
    let by = |caption: &str, first: &str, rows: &[taizhang_core::briefing::Totals]| {
        let mut t = TableView::new(
            caption,
            &[first, "项目数", "年度计划(万元)", "当月(万元)", "累计(万元)", "占年计划%", "较序时(百分点)"],
        );
        for r in rows {
            let pct = completion_pct(r.ytd_wan, r.planned_wan);
            t.rows.push(vec![
                CellView::text(&r.label),
                CellView::num(Decimal::from(r.projects), 0),
                CellView::num(r.planned_wan, 2),
                CellView::num(r.month_wan, 2),
                CellView::num(r.ytd_wan, 2),
                pct.map_or(CellView::text("—"), |p| CellView::num(p, 1)),
                pct.map_or(CellView::text("—"), |p| CellView::num(lag_pp(p, period.time_progress()), 1)),
            ]);
        }
        t
    };
    page.push(Block::Svg(crate::charts::category_bars_svg(&input.by_category, period)?));
    page.table(by("按类别", "项目类别", &input.by_category));
    page.table(by("按责任单位", "责任单位", &input.by_unit));

    page.heading("红黄绿灯");
    page.push(Block::Svg(crate::charts::lights_svg(count(Light::Red), count(Light::Yellow), count(Light::Green))?));
    let mut reds = TableView::new("红灯清单", &["类别", "名称", "责任单位", "原因"]);
    for w in warnings.iter().filter(|w| w.lit.light == Light::Red) {
        let href = if w.kind == taizhang_core::lights::WarningKind::Project {
            Some(format!("/projects/{}", w.code))
        } else {
            None
        };
        reds.rows.push(vec![
            CellView::text(w.kind.label_zh()),
            CellView { text: w.name.clone(), href, ..CellView::default() },
            CellView::text(&w.unit),
            CellView::text(&w.lit.reason),
        ]);
    }
    if reds.rows.is_empty() {
        page.para("本期没有红灯。");
    } else {
        page.table(reds);
    }
    page.heading("逾期未报");
    if input.late_units.is_empty() {
        page.para("没有逾期未报的单位。");
    } else {
        page.para(input.late_units.join("、"));
    }
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

fn service_scope(user: &User) -> Option<String> {
    if user.0.user.role.needs_unit() { user.0.user.unit.clone() } else { None }
}

fn recent_months(period: Period) -> Vec<Period> {
    let (y, m) = (period.year(), period.month_of_year());
    (0..6)
        .rev()
        .map(|back| {
            let index = i32::from(m) - 1 - back;
            Period::Month(y + index.div_euclid(12), (index.rem_euclid(12) + 1) as u8)
        })
        .collect()
}

// ---------------------------------------------------------------- projects

#[derive(Debug, Deserialize)]
pub struct ProjectQuery {
    pub period: Option<String>,
    pub category: Option<String>,
    pub unit: Option<String>,
    pub nature: Option<String>,
    pub light: Option<String>,
    pub flag: Option<String>,
    pub sort: Option<String>,
    pub format: Option<String>,
}

pub async fn projects(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ProjectQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let period = period_of(&acting, q.period.as_deref()).await?;
    let scope = service_scope(&user);
    let records = acting.project_records(Some(period.year()), scope.as_deref()).await?;
    let warnings: HashMap<String, taizhang_core::lights::Lit> = acting
        .warnings(period, scope.as_deref(), as_of(period))
        .await?
        .into_iter()
        .filter(|w| w.kind == taizhang_core::lights::WarningKind::Project)
        .map(|w| (w.code, w.lit))
        .collect();
    let progress: HashMap<String, taizhang_core::project::MonthlyProgress> = acting
        .progress_rows(period.year(), Some(period.month_of_year()), scope.as_deref())
        .await?
        .into_iter()
        .filter(|g| g.period == period)
        .map(|g| (g.project.clone(), g))
        .collect();
    let tree = acting.tree().clone();
    let unit_name = |c: &str| tree.get(c).map_or_else(|| c.to_string(), |u| u.name.clone());
    let keep = |wanted: &Option<String>, have: &str| wanted.as_deref().is_none_or(|w| w.is_empty() || w == have);
    let mut rows: Vec<(Light, Vec<CellView>, Decimal, String)> = Vec::new();
    for r in &records {
        let p = &r.project;
        let lit = warnings.get(&p.code);
        let light = lit.map_or(Light::Green, |l| l.light);
        let uname = unit_name(&p.responsibility.unit);
        if !(keep(&q.category, &p.category)
            && keep(&q.unit, &uname)
            && keep(&q.nature, p.nature.label_zh())
            && keep(&q.light, light.code())
            && q.flag.as_deref().is_none_or(|f| f.is_empty() || p.flags.iter().any(|x| x == f)))
        {
            continue;
        }
        let plan = r.plans.first().map(|y| y.planned_wan).unwrap_or_default();
        let ytd = progress.get(&p.code).map(|g| g.ytd_wan);
        let pct = ytd.and_then(|y| completion_pct(y, plan)).unwrap_or_default();
        rows.push((
            light,
            vec![
                CellView::link(&p.code, format!("/projects/{}", p.code)),
                CellView::link(&p.name, format!("/projects/{}", p.code)),
                CellView::text(&p.category),
                CellView::text(p.nature.label_zh()),
                CellView::text(&uname),
                CellView::num(plan, 2),
                ytd.map_or(CellView::text("未报"), |y| CellView::num(y, 2)),
                CellView::num(pct, 1),
                CellView::light(light),
                CellView::text(lit.map(|l| l.reason.clone()).unwrap_or_default()),
            ],
            pct,
            p.code.clone(),
        ));
    }
    match q.sort.as_deref() {
        Some("light") => rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.3.cmp(&b.3))),
        Some("completion") => rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.3.cmp(&b.3))),
        _ => rows.sort_by(|a, b| a.3.cmp(&b.3)),
    }
    let mut page = Page::new(&user, format!("重点项目（{}）", period.label_zh(true)));
    let categories: Vec<String> = {
        let mut c: Vec<String> = records.iter().map(|r| r.project.category.clone()).collect();
        c.sort();
        c.dedup();
        c
    };
    let options = |values: Vec<(String, String)>| {
        let mut all = vec![(String::new(), "全部".to_string())];
        all.extend(values);
        FieldKind::Select(all)
    };
    page.push(Block::Form(FormView {
        action: "/projects".into(),
        csrf: String::new(),
        fields: vec![
            field("period", "报告期", FieldKind::Text, period.key()),
            field(
                "category",
                "项目类别",
                options(categories.into_iter().map(|c| (c.clone(), c)).collect()),
                q.category.clone().unwrap_or_default(),
            ),
            field(
                "nature",
                "建设性质",
                options(["新开工", "续建", "前期", "竣工"].iter().map(|n| (n.to_string(), n.to_string())).collect()),
                q.nature.clone().unwrap_or_default(),
            ),
            field(
                "light",
                "灯",
                options(vec![
                    ("red".into(), "红灯".into()),
                    ("yellow".into(), "黄灯".into()),
                    ("green".into(), "绿灯".into()),
                ]),
                q.light.clone().unwrap_or_default(),
            ),
            field(
                "flag",
                "标签",
                options(vec![("出彩项目".into(), "出彩项目".into()), ("亿元以上".into(), "亿元以上".into())]),
                q.flag.clone().unwrap_or_default(),
            ),
            field("unit", "责任单位", FieldKind::Text, q.unit.clone().unwrap_or_default()),
        ],
        submit: "筛选".into(),
        inline: false,
        multipart: false,
        get: true,
    }));
    let query = |sort: &str| format!("/projects?period={}&sort={sort}", period.key());
    let mut t = TableView::new(&format!("共{}个项目", rows.len()), &[]);
    t.headers = vec![
        ("项目编码".into(), Some(query("code"))),
        ("项目名称".into(), None),
        ("项目类别".into(), None),
        ("建设性质".into(), None),
        ("责任单位".into(), None),
        ("年度计划(万元)".into(), None),
        ("年初至报告期累计(万元)".into(), None),
        ("占年计划%".into(), Some(query("completion"))),
        ("灯".into(), Some(query("light"))),
        ("原因".into(), None),
    ];
    t.export = Some(format!("/projects?period={}&format=xlsx", period.key()));
    t.rows = rows.into_iter().map(|r| r.1).collect();
    page.table(t);
    page_or_xlsx(page, q.format.as_deref())
}

pub async fn project(
    State(state): State<AppState>,
    user: User,
    uri: axum::http::Uri,
    Path(code): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let p = acting.project(&code).await?.ok_or_else(|| AppError::NotFound(format!("项目“{code}”")))?;
    acting.check_read(&p.responsibility.unit)?;
    let tree = acting.tree().clone();
    let mut page = Page::new(&user, p.name.clone());
    let r = &p.responsibility;
    let mut master = TableView::new("项目信息", &["项目", "内容"]);
    let rows = [
        ("项目编码", p.code.clone()),
        ("项目类别", p.category.clone()),
        ("建设性质", p.nature.label_zh().into()),
        ("建设地点", p.location.clone()),
        ("建设内容", p.content.clone()),
        ("总投资", money_wan(p.total_investment_wan)),
        ("计划开工", p.planned_start.map(|d| d.to_string()).unwrap_or_default()),
        ("计划竣工", p.planned_finish.map(|d| d.to_string()).unwrap_or_default()),
        ("实际开工", p.actual_start.map(|d| d.to_string()).unwrap_or_default()),
        ("标签", p.flags.join("、")),
        ("分包领导", r.lead_leader.clone()),
        ("责任单位", tree.get(&r.unit).map_or(r.unit.clone(), |u| u.name.clone())),
        ("责任人", r.person.clone()),
        ("联系电话", r.contact.clone()),
    ];
    for (k, v) in rows {
        master.rows.push(vec![CellView::text(k), CellView::text(v)]);
    }
    page.table(master);
    let year = acting.latest_progress_period().await?.map_or(taizhang_app::clock::today().year, |p| p.year());
    for y in [year, year - 1] {
        if let Some(plan) = acting.year_plan(&code, y).await? {
            page.heading(format!("{y}年计划与进度"));
            page.para(format!("年度计划投资{}；形象进度节点：{}", money_wan(plan.planned_wan), plan.milestones));
            let history = acting.project_progress(&code, y).await?;
            if !history.is_empty() {
                let months: Vec<Decimal> = history.iter().map(|g| g.ytd_wan).collect();
                let last = history.last().map_or(Period::Month(y, 12), |g| g.period);
                page.push(Block::Svg(crate::charts::ytd_line_svg(&months, plan.planned_wan, last)?));
                let mut t = TableView::new(
                    "月度进度",
                    &[
                        "报告期",
                        "当月完成(万元)",
                        "年初至报告期累计(万元)",
                        "占年计划%",
                        "开工至报告期累计(万元)",
                        "形象进度",
                        "存在问题",
                    ],
                );
                for g in history {
                    t.rows.push(vec![
                        CellView::text(g.period.label_zh(false)),
                        g.month_wan.map_or(CellView::text(""), |m| CellView::num(m, 2)),
                        CellView::num(g.ytd_wan, 2),
                        completion_pct(g.ytd_wan, plan.planned_wan).map_or(CellView::text(""), |c| CellView::num(c, 1)),
                        g.since_start_wan.map_or(CellView::text(""), |s| CellView::num(s, 2)),
                        CellView::text(g.image_progress),
                        CellView::text(g.problems),
                    ]);
                }
                page.table(t);
            }
        }
    }
    let problems = acting.project_problems(&code).await?;
    page.heading("问题清单");
    if problems.is_empty() {
        page.para("没有登记的问题。");
    } else {
        let mut t = TableView::new("", &["提出日期", "问题", "责任方", "时限", "解决情况"]);
        for q in problems {
            t.rows.push(vec![
                CellView::text(q.raised_on.to_string()),
                CellView::text(q.description),
                CellView::text(q.owner),
                CellView::text(q.deadline.map(|d| d.to_string()).unwrap_or_default()),
                CellView::text(q.resolved_on.map_or("未解决".to_string(), |d| format!("{d} {}", q.resolution))),
            ]);
        }
        page.table(t);
    }
    let orders: Vec<_> =
        acting.orders(None).await.unwrap_or_default().into_iter().filter(|o| o.subject == code).collect();
    page.heading("督办");
    if orders.is_empty() {
        page.para("没有督办事项。");
    } else {
        let mut t = TableView::new("", &["督办事项", "要求", "时限", "状态", "反馈"]);
        for o in orders {
            t.rows.push(vec![
                CellView::text(o.title),
                CellView::text(o.requirement),
                CellView::text(o.deadline.to_string()),
                CellView::text(o.state.label_zh()),
                CellView::text(o.feedback),
            ]);
        }
        page.table(t);
    }
    page.heading("填报记录");
    let mut t = TableView::new("", &["报告期", "单位", "状态", "版本", "说明", "操作记录"]);
    for (round, entry) in acting.entries_of_subject(&code).await? {
        let trail: Vec<String> = acting
            .history(&entry)
            .await?
            .into_iter()
            .map(|h| {
                format!(
                    "{} {} {}→{}{}",
                    h.at,
                    h.actor,
                    h.from,
                    h.to,
                    if h.reason.is_empty() { String::new() } else { format!("（{}）", h.reason) }
                )
            })
            .collect();
        t.rows.push(vec![
            CellView::text(round.period.label_zh(false)),
            CellView::text(tree.get(&entry.unit).map_or(entry.unit.clone(), |u| u.name.clone())),
            CellView::text(entry.state.label_zh()),
            CellView::num(Decimal::from(entry.version), 0),
            CellView::text(entry.explanation),
            CellView::text(trail.join("；")),
        ]);
    }
    page.table(t);
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

// ---------------------------------------------------------------- indicators and plan

pub async fn indicators(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let period = match q.period.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => p.parse::<Period>().map_err(|e| AppError::BadRequest(e.to_string()))?,
        None => Period::Year(period_of(&acting, None).await?.year() - 1),
    };
    let unit = match q.unit.as_deref().filter(|u| !u.is_empty()).or(service_scope(&user).as_deref()) {
        Some(u) => acting.find_unit(u)?,
        None => acting.top_unit()?,
    };
    user.acting(&state).await?.check_read(&unit.code)?;
    let catalogue = acting.catalogue().await?;
    let mut page = Page::new(&user, format!("{}指标（{}）", unit.name, period.label_zh(true)));
    let mut t = TableView::new("指标数据", &["指标", "数值", "增长率(%)", "目标值", "目标增长率(%)", "灯"]);
    t.export = Some(format!("/indicators?period={}&unit={}&format=xlsx", period.key(), unit.code));
    for ind in &catalogue.indicators {
        let value = acting.value(&ind.code, &unit.code, period).await?;
        let target = acting.target(&ind.code, &unit.code, period.year()).await?;
        if value.is_none() && target.is_none() {
            continue;
        }
        let level = value.as_ref().and_then(|v| v.value);
        let lit = level
            .zip(target.as_ref().and_then(|t| t.level))
            .and_then(|(v, t)| taizhang_core::lights::indicator_light(period, v, t, &acting.config().lights));
        t.rows.push(vec![
            CellView::link(&ind.name, format!("/indicators/{}?unit={}", ind.code, unit.code)),
            CellView {
                text: level.map_or(String::new(), |v| ind.unit.format(v, ind.decimals)),
                num: true,
                ..CellView::default()
            },
            value.as_ref().and_then(|v| v.reported_growth).map_or(CellView::text(""), |g| CellView::num(g, 2)),
            CellView::text(
                target.as_ref().and_then(|t| t.level).map_or(String::new(), |v| ind.unit.format(v, ind.decimals)),
            ),
            target.as_ref().and_then(|t| t.growth).map_or(CellView::text(""), |g| CellView::num(g, 2)),
            lit.map_or(CellView::text(""), |l| CellView::light(l.light)),
        ]);
    }
    page.table(t);
    page_or_xlsx(page, q.format.as_deref())
}

pub async fn indicator(
    State(state): State<AppState>,
    user: User,
    uri: axum::http::Uri,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let catalogue = acting.catalogue().await?;
    let ind = catalogue.find(&code).ok_or_else(|| AppError::NotFound(format!("指标“{code}”")))?.clone();
    let unit = match q.unit.as_deref().filter(|u| !u.is_empty()).or(service_scope(&user).as_deref()) {
        Some(u) => acting.find_unit(u)?,
        None => acting.top_unit()?,
    };
    user.acting(&state).await?.check_read(&unit.code)?;
    let mut page = Page::new(&user, format!("{}：{}", unit.name, ind.name));
    let mut t = TableView::new("时间序列", &["报告期", "数值", "增长率(%)", "说明"]);
    for v in acting.indicator_series(&ind.code, &unit.code).await? {
        t.rows.push(vec![
            CellView::text(v.period.label_zh(false)),
            CellView {
                text: v.value.map_or(String::new(), |x| ind.unit.format(x, ind.decimals)),
                num: true,
                ..CellView::default()
            },
            v.reported_growth.map_or(CellView::text(""), |g| CellView::num(g, 2)),
            CellView::text(v.note.unwrap_or_default()),
        ]);
    }
    page.table(t);
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

#[derive(Debug, Deserialize)]
pub struct YearQuery {
    pub year: Option<i32>,
    pub unit: Option<String>,
    pub format: Option<String>,
}

pub async fn plan(
    State(state): State<AppState>,
    user: User,
    uri: axum::http::Uri,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let top = acting.top_unit()?;
    let year = q.year.unwrap_or(period_of(&acting, None).await?.year());
    let nodes = acting.plan_nodes(&top.code, year).await?;
    let mut page = Page::new(&user, format!("{}{}年工作计划", top.name, year));
    if nodes.is_empty() {
        page.para("本年度没有工作计划。");
    }
    let depth = |code: &str| {
        let mut d = 0;
        let mut at = nodes.iter().find(|n| n.code == code).and_then(|n| n.parent.clone());
        while let Some(p) = at {
            d += 1;
            at = nodes.iter().find(|n| n.code == p).and_then(|n| n.parent.clone());
        }
        d
    };
    // Each node's projects lit for the year's latest reported month, rolled up the tree.
    let period = match period_of(&acting, None).await? {
        p if p.year() == year => p,
        _ => Period::Month(year, 12),
    };
    let lights: HashMap<String, Light> = acting
        .warnings(period, None, as_of(period))
        .await?
        .into_iter()
        .filter(|w| w.kind == taizhang_core::lights::WarningKind::Project)
        .map(|w| (w.code, w.lit.light))
        .collect();
    let records = acting.project_records(Some(year), None).await?;
    let within = |node: &str, of: &str| {
        let mut at = Some(node.to_string());
        while let Some(code) = at {
            if code == of {
                return true;
            }
            at = nodes.iter().find(|n| n.code == code).and_then(|n| n.parent.clone());
        }
        false
    };
    let mut t = TableView::new(
        &format!("计划层级（{}）", period.label_zh(true)),
        &["层级", "名称", "项目数", "红灯", "黄灯", "绿灯", "状态"],
    );
    for n in &nodes {
        let linked: Vec<Light> = records
            .iter()
            .filter(|r| r.project.plan_node.as_deref().is_some_and(|p| within(p, &n.code)))
            .map(|r| lights.get(&r.project.code).copied().unwrap_or(Light::Green))
            .collect();
        let count = |l: Light| Decimal::from(linked.iter().filter(|x| **x == l).count() as u64);
        t.rows.push(vec![
            CellView::text(&n.level_label),
            CellView::text(format!("{}{}", "　".repeat(depth(&n.code)), n.title)),
            CellView::num(Decimal::from(linked.len() as u64), 0),
            CellView::num(count(Light::Red), 0),
            CellView::num(count(Light::Yellow), 0),
            CellView::num(count(Light::Green), 0),
            linked.iter().max().map_or(CellView::text("—"), |l| CellView::light(*l)),
        ]);
    }
    page.table(t);
    let milestones = acting.milestones(&top.code).await?;
    if !milestones.is_empty() {
        page.heading("远景目标");
        for m in milestones {
            page.para(format!("到{}，{}", m.horizon, m.text));
        }
    }
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

pub async fn annual(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let year = q.year.unwrap_or(period_of(&acting, None).await?.year() - 1);
    let unit = match q.unit.as_deref().filter(|u| !u.is_empty()).or(service_scope(&user).as_deref()) {
        Some(u) => acting.find_unit(u)?,
        None => acting.top_unit()?,
    };
    user.acting(&state).await?.check_read(&unit.code)?;
    let catalogue = acting.catalogue().await?;
    let doc =
        taizhang_core::report::annual_summary(&catalogue, &acting.annual_input(&catalogue, &unit.code, year).await?);
    let mut page = Page::new(&user, doc.title.clone());
    for s in doc.sections {
        page.heading(s.heading);
        for p in s.paragraphs {
            page.para(p);
        }
    }
    Ok(render(&page))
}

// ---------------------------------------------------------------- reporting (填报)

fn round_label(r: &Round) -> String {
    format!("{}{}（截止{}）", r.period.label_zh(false), r.form.label_zh(), r.due)
}

pub async fn report_home(
    State(state): State<AppState>,
    user: User,
    uri: axum::http::Uri,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let mut page = Page::new(&user, "填报");
    let Some(unit) = user.0.user.unit.clone() else {
        page.para("本账号不属于填报单位。");
        return Ok(render(&page));
    };
    let rounds: Vec<Round> = acting.rounds().await?.into_iter().filter(|r| r.status == RoundStatus::Open).collect();
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
    let mut t =
        TableView::new(&format!("应报{}项", owed.len()), &["编码", "名称", "状态", "年初至报告期累计(万元)", "操作"]);
    for code in &owed {
        let e = entries.get(code);
        let state_text = e.map_or("未填报".to_string(), |e| e.state.label_zh().to_string());
        let editable = e.is_none_or(|e| e.state.editable());
        t.rows.push(vec![
            CellView::text(code),
            CellView::text(names.get(code).cloned().unwrap_or_default()),
            CellView::text(state_text),
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

async fn subject_names(
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
    State(state): State<AppState>,
    user: User,
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
    typed: Option<&EntryForm>,
    message: Option<(&'static str, String)>,
) -> Result<Page, AppError> {
    let acting = user.acting(state).await?;
    acting.check_read(unit)?;
    let existing = acting.entry(round, unit, subject).await?;
    let names = subject_names(&acting, round.form, &[subject.to_string()]).await?;
    let mut page = Page::new(user, format!("填报：{} {}", subject, names.get(subject).cloned().unwrap_or_default()));
    page.para(round_label(round));
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
    /// The typed figures, or the field and its problem.
    pub fn figures(&self) -> Result<EntryFigures, String> {
        let num = |label: &str, v: &str| -> Result<Option<Decimal>, String> {
            if v.trim().is_empty() {
                return Ok(None);
            }
            taizhang_core::quantity::parse_number(v).map(Some).map_err(|_| format!("{label}“{}”不是数字", v.trim()))
        };
        Ok(EntryFigures {
            month_wan: num("当月完成投资", &self.month)?,
            ytd_wan: num("年初至报告期累计", &self.ytd)?,
            since_start_wan: num("开工至报告期累计", &self.since_start)?,
            value: num("数值", &self.value)?,
            growth: num("增长率", &self.growth)?,
            percent: num("完成进度", &self.percent)?,
            text: self.text.trim().to_string(),
            problems: self.problems.trim().to_string(),
        })
    }
}

pub async fn save_entry(
    State(state): State<AppState>,
    user: User,
    Path((round_id, unit, subject)): Path<(i64, String, String)>,
    Form(form): Form<EntryForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    let acting = user.acting(&state).await?;
    let round = acting.round_of(round_id).await?;
    let figures = match form.figures() {
        Ok(f) => f,
        Err(message) => {
            let page =
                entry_page(&state, &user, &round, &unit, &subject, Some(&form), Some(("error", message))).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
        }
    };
    let version = form.version.parse::<i64>().ok().filter(|v| *v > 0);
    match acting.save_draft(&round, &unit, &subject, &figures, version).await {
        Ok(_) => Ok(Redirect::to("/report").into_response()),
        Err(taizhang_app::Error::Denied(d)) => Err(AppError::Forbidden(d.to_string())),
        Err(
            e @ (taizhang_app::Error::Conflict(_) | taizhang_app::Error::Invalid(_) | taizhang_app::Error::Domain(_)),
        ) => {
            let page =
                entry_page(&state, &user, &round, &unit, &subject, Some(&form), Some(("error", e.to_string()))).await?;
            Ok((StatusCode::CONFLICT, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    user: User,
    Path((round_id, unit)): Path<(i64, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    user.check_csrf(form.get("_csrf").map_or("", String::as_str))?;
    let acting = user.acting(&state).await?;
    let round = acting.round_of(round_id).await?;
    let explanations: HashMap<String, String> =
        form.iter().filter_map(|(k, v)| k.strip_prefix("why_").map(|s| (s.to_string(), v.clone()))).collect();
    match acting.submit(&round, &unit, &explanations).await {
        Ok(n) => {
            let mut page = Page::new(&user, "填报");
            page.notice("ok", format!("已上报{n}条记录"));
            todo_list(&state, &mut page, &user, &round, &unit, None).await?;
            Ok(render(&page))
        }
        Err(taizhang_app::Error::Rules(failures)) => {
            let mut page = Page::new(&user, "填报");
            todo_list(&state, &mut page, &user, &round, &unit, Some(&failures)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A unit's progress sheet uploaded instead of typed: every row checked as the import checks
/// it, then each saved as the unit's draft for this round; any error and nothing is saved.
pub async fn upload(
    State(state): State<AppState>,
    user: User,
    Path((round_id, unit)): Path<(i64, String)>,
    multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (fields, bytes) = read_upload(multipart).await?;
    user.check_csrf(fields.get("_csrf").map_or("", String::as_str))?;
    let acting = user.acting(&state).await?;
    let round = acting.round_of(round_id).await?;
    acting.check_read(&unit)?;
    let rejected = |state: AppState, user: User, round: Round, unit: String, errors: Vec<String>| async move {
        let mut page = Page::new(&user, "填报");
        page.notice("error", format!("工作簿未通过校验，未保存任何数据：\n{}", errors.join("\n")));
        todo_list(&state, &mut page, &user, &round, &unit, None).await?;
        Ok::<Response, AppError>((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
    };
    let saved = match acting.progress_drafts(&round, &unit, &bytes, "上传的工作簿").await? {
        Ok(n) => n,
        Err(errors) => return rejected(state, user, round, unit, errors).await,
    };
    let mut page = Page::new(&user, "填报");
    page.notice("ok", format!("已从工作簿保存{saved}条草稿，核对后请上报"));
    todo_list(&state, &mut page, &user, &round, &unit, None).await?;
    Ok(render(&page))
}

// ---------------------------------------------------------------- review (审核)

pub async fn review(
    State(state): State<AppState>,
    user: User,
    uri: axum::http::Uri,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let acting = user.acting(&state).await?;
    let mut page = Page::new(&user, "审核");
    let (wanted, action, label) = match user.0.user.role {
        Role::UnitLeader => (EntryState::Submitted, "approve", "审核通过"),
        Role::Reviewer | Role::Admin => (EntryState::Approved, "accept", "区级审核通过"),
        _ => return Err(AppError::Forbidden(format!("{}无权审核", user.0.user.role.label_zh()))),
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
            page.form(
                &format!("/review/{}/{}/return", round.id, standing.unit),
                &user,
                vec![field("reason", "退回原因", FieldKind::Text, "")],
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
}

pub async fn review_action(
    State(state): State<AppState>,
    user: User,
    Path((round_id, unit, action)): Path<(i64, String, String)>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    let acting = user.acting(&state).await?;
    let round = acting.round_of(round_id).await?;
    match action.as_str() {
        "approve" => acting.approve(&round, &unit).await?,
        "accept" => acting.accept(&round, &unit).await?,
        "return" => acting.return_entries(&round, &unit, &form.reason).await?,
        other => return Err(AppError::NotFound(format!("操作“{other}”"))),
    };
    Ok(Redirect::to("/review").into_response())
}

// ---------------------------------------------------------------- admin

pub async fn admin(
    State(state): State<AppState>,
    user: User,
    uri: axum::http::Uri,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    if user.0.user.role != Role::Admin {
        return Err(AppError::Forbidden(format!("{}无权管理", user.0.user.role.label_zh())));
    }
    let acting = user.acting(&state).await?;
    let tree = acting.tree().clone();
    let mut page = Page::new(&user, "管理");
    page.heading("填报轮次");
    let mut t = TableView::new("", &["报告期", "填报表", "截止", "状态", "操作"]);
    for r in acting.rounds().await? {
        t.rows.push(vec![
            CellView::text(r.period.label_zh(false)),
            CellView::text(r.form.label_zh()),
            CellView::text(r.due.to_string()),
            CellView::text(if r.status == RoundStatus::Open { "填报中" } else { "已关闭" }),
            CellView::text(""),
        ]);
    }
    page.table(t);
    let forms = ReportForm::ALL.iter().map(|f| (f.code().to_string(), f.label_zh().to_string())).collect();
    page.form(
        "/admin/rounds",
        &user,
        vec![
            field("period", "报告期（如 2018-06）", FieldKind::Text, ""),
            field("form", "填报表", FieldKind::Select(forms), "projects"),
            field("due", "截止日期（默认25日）", FieldKind::Text, ""),
        ],
        "开启填报",
    );
    page.form(
        "/admin/rounds/close",
        &user,
        vec![
            field("period", "报告期", FieldKind::Text, ""),
            field(
                "form",
                "填报表",
                FieldKind::Select(
                    ReportForm::ALL.iter().map(|f| (f.code().to_string(), f.label_zh().to_string())).collect(),
                ),
                "projects",
            ),
        ],
        "关闭填报（锁定）",
    );
    page.heading("账号");
    let mut t = TableView::new("", &["账号", "姓名", "角色", "单位"]);
    for u in acting.users().await? {
        t.rows.push(vec![
            CellView::text(&u.username),
            CellView::text(&u.display_name),
            CellView::text(u.role.label_zh()),
            CellView::text(u.unit.as_deref().and_then(|c| tree.get(c)).map_or("—".to_string(), |x| x.name.clone())),
        ]);
    }
    page.table(t);
    let roles = Role::ALL.iter().map(|r| (r.code().to_string(), r.label_zh().to_string())).collect();
    let units: Vec<(String, String)> = std::iter::once((String::new(), "（无）".to_string()))
        .chain(tree.units().iter().map(|u| (u.code.clone(), u.name.clone())))
        .collect();
    page.form(
        "/admin/users",
        &user,
        vec![
            field("username", "账号", FieldKind::Text, ""),
            field("display_name", "姓名", FieldKind::Text, ""),
            field("role", "角色", FieldKind::Select(roles), "unit_reporter"),
            field("unit", "单位", FieldKind::Select(units), ""),
            field("password", "初始口令", FieldKind::Password, ""),
        ],
        "保存账号",
    );
    page.heading("导入Excel");
    let kinds = taizhang_office::Kind::ALL.iter().map(|k| (k.code().to_string(), k.sheet_name().to_string())).collect();
    page.form(
        "/admin/import",
        &user,
        vec![
            field("kind", "数据类别（表头同导出模板）", FieldKind::Select(kinds), "units"),
            field("file", "工作簿（.xlsx）", FieldKind::File, ""),
        ],
        "导入（有任何错误则不写入）",
    );
    page.heading("单位");
    let mut t = TableView::new("", &["编码", "名称", "类型", "上级"]);
    for u in tree.units() {
        t.rows.push(vec![
            CellView::text(&u.code),
            CellView::text(&u.name),
            CellView::text(u.kind.label_zh()),
            CellView::text(u.parent.clone().unwrap_or_default()),
        ]);
    }
    page.table(t);
    page.heading("指标目录");
    let mut t = TableView::new("", &["编码", "名称", "计量单位", "汇总方式", "时间属性", "别名"]);
    for i in &acting.catalogue().await?.indicators {
        t.rows.push(vec![
            CellView::text(&i.code),
            CellView::text(&i.name),
            CellView::text(i.unit.to_string()),
            CellView::text(i.aggregation.code()),
            CellView::text(i.temporal.code()),
            CellView::text(i.aliases.join("、")),
        ]);
    }
    page.table(t);
    page.heading("预警阈值");
    let l = &acting.config().lights;
    page.para(format!(
        "绿灯：落后序时进度不超过{}个百分点；红灯：落后超过{}个百分点；逾期{}个月未开工为红灯；任务距时限{}天内且完成不足{}%为黄灯；指标低于目标×序时进度{}个百分点为红灯。阈值由配置文件设定（taizhang --config）。",
        format_number(-l.yellow_below_pp, 2),
        format_number(-l.red_below_pp, 2),
        l.not_started_red_months,
        l.task_yellow_days,
        format_number(l.task_yellow_below_pct, 2),
        format_number(l.indicator_red_pp, 2)
    ));
    exportable(&mut page, &uri);
    page_or_xlsx(page, q.format.as_deref())
}

/// The fields of a multipart upload: the CSRF token, the other text fields, the file.
async fn read_upload(mut multipart: axum::extract::Multipart) -> Result<(HashMap<String, String>, Vec<u8>), AppError> {
    let mut fields = HashMap::new();
    let mut bytes = Vec::new();
    while let Some(part) =
        multipart.next_field().await.map_err(|e| AppError::BadRequest(format!("上传内容无法读取：{e}")))?
    {
        let name = part.name().unwrap_or_default().to_string();
        if name == "file" {
            bytes = part.bytes().await.map_err(|e| AppError::BadRequest(e.to_string()))?.to_vec();
        } else {
            fields.insert(name, part.text().await.map_err(|e| AppError::BadRequest(e.to_string()))?);
        }
    }
    Ok((fields, bytes))
}

/// An admin imports a workbook of any kind, all or nothing, as `taizhang import` does.
pub async fn admin_import(
    State(state): State<AppState>,
    user: User,
    multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (fields, bytes) = read_upload(multipart).await?;
    user.check_csrf(fields.get("_csrf").map_or("", String::as_str))?;
    let kind: taizhang_office::Kind = fields
        .get("kind")
        .map_or("", String::as_str)
        .parse()
        .map_err(|e: taizhang_office::ImportError| AppError::BadRequest(e.to_string()))?;
    let acting = user.acting(&state).await?;
    let mut page = Page::new(&user, "导入结果");
    let request = taizhang_app::ImportRequest {
        bytes,
        file: "上传的工作簿".into(),
        kind,
        sheet: None,
        year: taizhang_app::clock::today().year,
        dry_run: false,
    };
    let outcome = match acting.import_workbook(request, &|_| {}).await {
        Ok(done) => Ok(done),
        Err(taizhang_app::WorkbookError::Import(e)) => Err(e.to_string()),
        Err(taizhang_app::WorkbookError::App(e)) => return Err(e.into()),
    };
    match outcome {
        Ok(done) => {
            page.notice("ok", format!("已导入工作表“{}”{}行：{}", done.sheet, done.rows, done.summary));
            for warning in &done.warnings {
                page.notice("warn", format!("提示：{warning}"));
            }
            page.push(Block::Links(vec![("/admin".into(), "返回管理".into())]));
            Ok(render(&page))
        }
        Err(message) => {
            page.notice("error", format!("工作簿未通过校验，未写入任何数据：\n{message}"));
            page.push(Block::Links(vec![("/admin".into(), "返回管理".into())]));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct RoundForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub period: String,
    pub form: String,
    #[serde(default)]
    pub due: String,
}

pub async fn open_round(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<RoundForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    let acting = user.acting(&state).await?;
    let period: Period =
        form.period.parse().map_err(|e: taizhang_core::DomainError| AppError::BadRequest(e.to_string()))?;
    let due = if form.due.trim().is_empty() {
        None
    } else {
        Some(Date::parse(&form.due).map_err(|e| AppError::BadRequest(e.to_string()))?)
    };
    let kind: ReportForm =
        form.form.parse().map_err(|e: taizhang_core::DomainError| AppError::BadRequest(e.to_string()))?;
    acting.open_round(period, kind, due).await?;
    Ok(Redirect::to("/admin").into_response())
}

pub async fn close_round(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<RoundForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    let acting = user.acting(&state).await?;
    let period: Period =
        form.period.parse().map_err(|e: taizhang_core::DomainError| AppError::BadRequest(e.to_string()))?;
    let kind: ReportForm =
        form.form.parse().map_err(|e: taizhang_core::DomainError| AppError::BadRequest(e.to_string()))?;
    let round = acting.round(period, kind).await?;
    acting.close_round(&round).await?;
    Ok(Redirect::to("/admin").into_response())
}

#[derive(Debug, Deserialize)]
pub struct UserForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    #[serde(default)]
    pub unit: String,
    pub password: String,
}

pub async fn save_user(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<UserForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    let acting = user.acting(&state).await?;
    let account = taizhang_app::NewUser {
        username: form.username.trim().to_string(),
        display_name: form.display_name.trim().to_string(),
        password: form.password,
        role: form.role.parse().map_err(|e: taizhang_core::DomainError| AppError::BadRequest(e.to_string()))?,
        unit: Some(form.unit).filter(|u| !u.is_empty()),
    };
    acting.save_user(&account).await?;
    Ok(Redirect::to("/admin").into_response())
}
