//! Forms and their fields.

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
    /// What is wrong with the value typed, shown beside the field.
    pub error: Option<String>,
}

pub(crate) fn field(name: &str, label: &str, kind: FieldKind, value: impl Into<String>) -> FieldView {
    FieldView { name: name.into(), label: label.into(), kind, value: value.into(), error: None }
}

/// Puts `error` beside the field called `name`, if the form has one.
pub(crate) fn mark_field(fields: &mut [FieldView], name: &str, error: &str) {
    if let Some(f) = fields.iter_mut().find(|f| f.name == name) {
        f.error = Some(error.to_string());
    }
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

impl FormView {
    /// What the ids of this form's fields begin with: a filter's (GET) carry `q-`, so that a
    /// page with a filter and a form of the same field names (督办: 责任单位) keeps its ids
    /// unique and each label points at its own field.
    pub fn id_prefix(&self) -> &'static str {
        if self.get { "q-" } else { "" }
    }
}
