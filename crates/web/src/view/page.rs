//! A page: its navigation, notices and blocks, rendered by one escaped template.

use super::*;

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

#[derive(Debug, Clone)]
pub enum Block {
    Heading(String),
    Para(String),
    Notice(Notice),
    /// (label, value, css class)
    Cards(Vec<(String, String, String)>),
    /// SVG drawn on the server from stored figures (the only unescaped output).
    Svg(String),
    /// Blocks rendered before (by [`render_blocks`], so escaped there): a page kept.
    Rendered(std::sync::Arc<str>),
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
    blocks: &'a [Block],
}

#[derive(Template)]
#[template(path = "blocks.html")]
struct BlocksTemplate<'a> {
    blocks: &'a [Block],
}

/// Blocks as HTML, to be kept and shown again as a [`Block::Rendered`].
pub fn render_blocks(blocks: &[Block]) -> Result<std::sync::Arc<str>, askama::Error> {
    Ok(BlocksTemplate { blocks }.render()?.into())
}

pub fn render(page: &Page) -> Response {
    match (PageTemplate { page, blocks: &page.blocks }).render() {
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
        links.push(("/problems".into(), "问题".into()));
        links.push(("/orders".into(), "督办".into()));
        links.push(("/meetings".into(), "调度会".into()));
        links.push(("/cases".into(), "城管案件".into()));
        if may(Action::AssessParty)
            || may(Action::ReviewParty)
            || may(Action::ConfirmParty)
            || role == taizhang_core::access::Role::Leader
        {
            links.push(("/party".into(), "基层党建".into()));
        }
        links.push(("/reports".into(), "报表".into()));
        if may(Action::ManageUsers) {
            links.push(("/admin".into(), "管理".into()));
        }
        // A display name that already says the role ("区发展改革委（管理员）") is not told twice.
        let name = &user.0.user.display_name;
        let said = format!("（{}）", role.label_zh());
        let who = if name.ends_with(&said) { name.clone() } else { format!("{name}{said}") };
        let blocks = user.1.map(|said| Block::Notice(Notice { kind: "ok", text: said.into() })).into_iter().collect();
        Self { title: title.into(), nav: Some(Nav { links, who, csrf: user.csrf().into() }), blocks }
    }

    /// A page whose menu shows how much supervision work is open in the account's reach:
    /// "问题（3）", "督办（2）" — unresolved problems and orders not yet closed.
    pub async fn open(acting: &taizhang_app::Acting<'_>, user: &User, title: impl Into<String>) -> Self {
        let mut page = Self::new(user, title);
        // A menu without counts is better than no page: a failed count is left out.
        let counts = acting.open_counts().await.ok();
        if let Some(nav) = &mut page.nav {
            for (href, label) in &mut nav.links {
                let open = match href.as_str() {
                    "/problems" => counts.map(|c| c.0),
                    "/orders" => counts.map(|c| c.1),
                    _ => None,
                };
                if let Some(n) = open.filter(|n| *n > 0) {
                    label.push_str(&format!("（{n}）"));
                }
            }
        }
        page
    }

    pub fn login(message: Option<String>, username: &str, token: &str) -> Self {
        let mut blocks = Vec::new();
        if let Some(m) = message {
            blocks.push(Block::Notice(Notice { kind: "error", text: m }));
        }
        blocks.push(Block::Form(FormView {
            action: "/login".into(),
            csrf: String::new(),
            fields: vec![
                field("_login", "", FieldKind::Hidden, token),
                field("username", "账号", FieldKind::Text, username.chars().take(64).collect::<String>()),
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
                field("again", "再次输入新口令", FieldKind::Password, ""),
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
    /// A form that asks for a page (method GET): pickers and filters, no token.
    pub(crate) fn get_form(&mut self, action: &str, fields: Vec<FieldView>, submit: &str) -> &mut Self {
        self.push(Block::Form(FormView {
            action: action.into(),
            csrf: String::new(),
            fields,
            submit: submit.into(),
            inline: false,
            multipart: false,
            get: true,
        }))
    }
    /// A section: its heading, then the table, or `empty` when the table has no rows.
    pub(crate) fn section(&mut self, heading: &str, table: TableView, empty: &str) -> &mut Self {
        self.heading(heading);
        if table.rows.is_empty() { self.para(empty) } else { self.table(table) }
    }
}
