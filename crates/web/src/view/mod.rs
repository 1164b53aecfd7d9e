//! The page model every page is built from — a list of blocks (headings, text, figures,
//! tables, forms) rendered by one escaped template (`page.html`) — and the export of a
//! page's tables to Excel (`?format=xlsx`). No handler and no data access here.

pub mod chart;

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use rust_decimal::Decimal;
use serde::Deserialize;
use taizhang_core::access::{Action, permission};
use taizhang_core::lights::Light;
use taizhang_core::quantity::format_number;
use taizhang_core::report::{DocSection, Document, Table, TableCell};

use crate::AppError;
use crate::extract::User;

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
    pub(crate) fn to_table(&self) -> Table {
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

pub(crate) fn field(name: &str, label: &str, kind: FieldKind, value: impl Into<String>) -> FieldView {
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
        // Each menu is offered to the roles the permission table lets do its work.
        let may = |action: Action| permission(role, action).is_some();
        let mut links = vec![("/".to_string(), "首页".to_string()), ("/projects".into(), "重点项目".into())];
        links.push(("/indicators".into(), "指标".into()));
        links.push(("/plan".into(), "计划".into()));
        if may(Action::EditDraft) {
            links.push(("/report".into(), "填报".into()));
        }
        if may(Action::Approve) || may(Action::Accept) {
            links.push(("/review".into(), "审核".into()));
        }
        links.push(("/annual".into(), "年度总结".into()));
        if may(Action::ManageUsers) {
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

    pub(crate) fn push(&mut self, b: Block) -> &mut Self {
        self.blocks.push(b);
        self
    }
    pub(crate) fn heading(&mut self, t: impl Into<String>) -> &mut Self {
        self.push(Block::Heading(t.into()))
    }
    pub(crate) fn para(&mut self, t: impl Into<String>) -> &mut Self {
        self.push(Block::Para(t.into()))
    }
    pub(crate) fn notice(&mut self, kind: &'static str, t: impl Into<String>) -> &mut Self {
        self.push(Block::Notice(Notice { kind, text: t.into() }))
    }
    pub(crate) fn table(&mut self, t: TableView) -> &mut Self {
        self.push(Block::Table(t))
    }
    pub(crate) fn form(&mut self, action: &str, user: &User, fields: Vec<FieldView>, submit: &str) -> &mut Self {
        self.post_form(action, user, fields, submit, false)
    }
    /// A form of hidden fields and one button, inline with the text around it.
    pub(crate) fn button(&mut self, action: &str, user: &User, fields: Vec<FieldView>, submit: &str) -> &mut Self {
        self.post_form(action, user, fields, submit, true)
    }
    fn post_form(
        &mut self,
        action: &str,
        user: &User,
        fields: Vec<FieldView>,
        submit: &str,
        inline: bool,
    ) -> &mut Self {
        let multipart = fields.iter().any(|f| matches!(f.kind, FieldKind::File));
        self.push(Block::Form(FormView {
            action: action.into(),
            csrf: user.csrf().into(),
            fields,
            submit: submit.into(),
            inline,
            multipart,
            get: false,
        }))
    }
    /// A section: its heading, then the table, or `empty` when the table has no rows.
    pub(crate) fn section(&mut self, heading: &str, table: TableView, empty: &str) -> &mut Self {
        self.heading(heading);
        if table.rows.is_empty() { self.para(empty) } else { self.table(table) }
    }
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    pub format: Option<String>,
}

/// Gives every captioned table of a page the link that exports it (the page's own address
/// with `format=xlsx`).
pub(crate) fn exportable(page: &mut Page, uri: &axum::http::Uri) {
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
pub(crate) fn page_or_xlsx(page: Page, format: Option<&str>) -> Result<Response, AppError> {
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
