//! The one idiom for optional conditions: a condition is written only when it is asked for,
//! so that an index on the column can serve a single lookup (a `($n = '' OR col = $n)`
//! guard would hide the column from the planner).

use sqlx::any::AnyArguments;

pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, AnyArguments>;

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Int(i64),
    Text(String),
    /// Text or SQL NULL.
    MaybeText(Option<String>),
}

impl Arg {
    /// Binds this value to the next placeholder of `q`.
    pub(crate) fn bind_to(self, q: AnyQuery<'_>) -> AnyQuery<'_> {
        match self {
            Arg::Int(v) => q.bind(v),
            Arg::Text(v) => q.bind(v),
            Arg::MaybeText(v) => q.bind(v),
        }
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_string())
    }
}

impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::MaybeText(v)
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}

/// SQL text with its arguments, numbered `$1…` in the order they were added.
#[derive(Debug, Clone)]
pub(crate) struct Filtered {
    sql: String,
    args: Vec<Arg>,
}

impl Filtered {
    /// `sql` uses `$1…$n` for the `args` given here; conditions added later number on.
    pub(crate) fn new(sql: impl Into<String>, args: Vec<Arg>) -> Self {
        Self { sql: sql.into(), args }
    }

    /// Appends ` AND {condition}` when a value is given, every `{}` in it standing for the
    /// value's placeholder.
    pub(crate) fn and(mut self, condition: &str, value: Option<impl Into<Arg>>) -> Self {
        if let Some(v) = value {
            self.args.push(v.into());
            self.sql.push_str(" AND ");
            self.sql.push_str(&condition.replace("{}", &format!("${}", self.args.len())));
        }
        self
    }

    /// Appends ` AND {column} = $n` when a value is given.
    pub(crate) fn and_eq(self, column: &str, value: Option<impl Into<Arg>>) -> Self {
        self.and(&format!("{column} = {{}}"), value)
    }

    /// Appends a condition that `column` (a unit id) is the unit with the given code or one
    /// below it, when a unit is given.
    pub(crate) fn and_within(self, column: &str, unit: Option<&str>) -> Self {
        self.and(&within(column), unit)
    }

    /// Appends SQL text with no arguments (ORDER BY …).
    pub(crate) fn then(mut self, sql: &str) -> Self {
        self.sql.push(' ');
        self.sql.push_str(sql);
        self
    }

    pub(crate) fn query(&self) -> AnyQuery<'_> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.sql.as_str()));
        for a in &self.args {
            q = a.clone().bind_to(q);
        }
        q
    }
}

/// The condition that `column` (a unit id) is the unit whose code is the condition's `{}` or
/// one below it (for [`Filtered::and`], which may combine several).
pub(crate) fn within(column: &str) -> String {
    format!(
        "{column} IN (WITH RECURSIVE sub(id) AS (SELECT id FROM org_units WHERE code = {{}}
         UNION ALL SELECT c.id FROM org_units c JOIN sub s ON c.parent_id = s.id) SELECT id FROM sub)"
    )
}
