//! What every repository shares: exact amounts as scaled integers, ids looked up by code,
//! the event-log writer, settings and the ledger's counts. The aggregates have modules of
//! their own (units, catalogue, values, plan, projects, progress, tasks, honours).

use rust_decimal::Decimal;
use sqlx::AnyConnection;
use sqlx::{AssertSqlSafe, Row};
use taizhang_core::project::Date;
use taizhang_core::quantity::to_scaled;

use crate::filter::Arg;
use crate::{Result, Store, StoreError, Tx};

pub(crate) fn scaled(v: Decimal) -> Result<i64> {
    Ok(to_scaled(v)?)
}

pub(crate) fn opt_scaled(v: Option<Decimal>) -> Result<Option<i64>> {
    v.map(scaled).transpose()
}

pub(crate) fn opt_date(text: Option<String>) -> Result<Option<Date>> {
    Ok(text.map(|t| Date::parse(&t)).transpose()?)
}

pub(crate) async fn id_of(conn: &mut AnyConnection, sql: &'static str, kind: &'static str, key: &str) -> Result<i64> {
    sqlx::query(sql)
        .bind(key)
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get::<i64, _>(0))
        .transpose()?
        .ok_or_else(|| StoreError::not_found(kind, key))
}

pub(crate) async fn unit_id(conn: &mut AnyConnection, code: &str) -> Result<i64> {
    id_of(conn, "SELECT id FROM org_units WHERE code = $1", "单位", code).await
}

pub(crate) async fn indicator_id(conn: &mut AnyConnection, code: &str) -> Result<i64> {
    id_of(conn, "SELECT id FROM indicators WHERE code = $1", "指标", code).await
}

pub(crate) async fn project_id(conn: &mut AnyConnection, code: &str) -> Result<i64> {
    id_of(conn, "SELECT id FROM projects WHERE code = $1", "项目", code).await
}

pub(crate) async fn plan_node_id(conn: &mut AnyConnection, code: &str) -> Result<i64> {
    id_of(conn, "SELECT id FROM plan_nodes WHERE code = $1", "计划节点", code).await
}

pub(crate) async fn opt_plan_node_id(conn: &mut AnyConnection, code: Option<&str>) -> Result<Option<i64>> {
    match code {
        Some(c) => Ok(Some(plan_node_id(conn, c).await?)),
        None => Ok(None),
    }
}

/// How much the ledger holds, for summaries after loading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerCounts {
    pub units: i64,
    pub indicators: i64,
    pub values: i64,
    pub targets: i64,
    pub projects: i64,
    pub progress: i64,
    pub tasks: i64,
    pub users: i64,
}

impl Tx {
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Runs a write whose values are all text or whole numbers, bound to `$1…` in order.
    pub(crate) async fn execute(&mut self, sql: &'static str, values: Vec<Arg>) -> Result<()> {
        let mut q = sqlx::query(sql);
        for value in values {
            q = value.bind_to(q);
        }
        q.execute(self.conn()).await?;
        Ok(())
    }

    /// Replaces a record's list of children (an indicator's aliases, a project's flags, a
    /// task's cooperating units): the old rows go, one row per value is inserted.
    pub(crate) async fn replace_children(
        &mut self,
        table: &'static str,
        parent_column: &'static str,
        parent: i64,
        value_column: &'static str,
        values: impl IntoIterator<Item = impl Into<Arg>>,
    ) -> Result<()> {
        let delete = format!("DELETE FROM {table} WHERE {parent_column} = $1");
        sqlx::query(AssertSqlSafe(delete)).bind(parent).execute(self.conn()).await?;
        let insert = format!("INSERT INTO {table} ({value_column}, {parent_column}) VALUES ($1, $2)");
        for value in values {
            value.into().bind_to(sqlx::query(AssertSqlSafe(insert.clone()))).bind(parent).execute(self.conn()).await?;
        }
        Ok(())
    }

    /// Appends to an event log (`{table}`: the record's id, who, when, then `fields`), the
    /// one shape of every audit trail (rounds, entries, problems, 督办).
    pub(crate) async fn log_event(
        &mut self,
        table: &'static str,
        record_column: &'static str,
        record: i64,
        actor: &str,
        fields: &[(&'static str, &str)],
    ) -> Result<()> {
        let columns: Vec<&str> = fields.iter().map(|(c, _)| *c).collect();
        let placeholders: Vec<String> = (4..4 + fields.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({record_column}, actor, at, {}) VALUES ($1, $2, $3, {})",
            columns.join(", "),
            placeholders.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(record).bind(actor.to_string()).bind(crate::now_iso());
        for (_, value) in fields {
            q = q.bind(value.to_string());
        }
        q.execute(self.conn()).await?;
        // Every event log feeds the chained audit trail too.
        let kind = table.trim_end_matches("_events");
        let action = fields.iter().find(|(c, _)| *c == "to_state" || *c == "event").map_or("", |(_, v)| *v);
        let detail: Vec<String> =
            fields.iter().filter(|(_, v)| !v.is_empty()).map(|(c, v)| format!("{c}={v}")).collect();
        self.audit(actor, &format!("{kind}.{action}"), &format!("{kind}:{record}"), &detail.join("; "));
        Ok(())
    }

    pub async fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Store {
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// The ledger's version: moved on by every committed write, so that what was computed
    /// from the ledger at one version is known to be stale at another.
    pub async fn ledger_version(&self) -> Result<i64> {
        let row = sqlx::query("SELECT version FROM ledger_version WHERE id = 1").fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.try_get::<i64, _>(0)).transpose()?.unwrap_or(0))
    }

    /// The figures' version: moved on by every committed write but one that saves drafts only
    /// ([`Tx::changes_no_figures`]); what dashboards and lights computed is stale when it moves.
    pub async fn figures_version(&self) -> Result<i64> {
        let row =
            sqlx::query("SELECT figures_version FROM ledger_version WHERE id = 1").fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.try_get::<i64, _>(0)).transpose()?.unwrap_or(0))
    }

    /// Takes the lease of a scheduled job for `holder` until `until_secs` (seconds since 1970)
    /// when no one else holds it past `now_secs`: true when this holder runs the job now.
    /// Servers sharing the database each ask; one runs each round.
    pub async fn take_lease(&self, job: &str, holder: &str, now_secs: i64, until_secs: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO job_leases (job, holder, until_secs) VALUES ($1, $2, $3)
             ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, until_secs = excluded.until_secs
             WHERE job_leases.until_secs <= $4 OR job_leases.holder = excluded.holder",
        )
        .bind(job)
        .bind(holder)
        .bind(until_secs)
        .bind(now_secs)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Refreshes the query planner's statistics after a bulk load (both databases accept it).
    pub async fn analyze(&self) -> Result<()> {
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn counts(&self) -> Result<LedgerCounts> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM org_units), (SELECT COUNT(*) FROM indicators),
                 (SELECT COUNT(*) FROM indicator_values), (SELECT COUNT(*) FROM targets),
                 (SELECT COUNT(*) FROM projects), (SELECT COUNT(*) FROM project_progress),
                 (SELECT COUNT(*) FROM tasks), (SELECT COUNT(*) FROM users)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(LedgerCounts {
            units: row.try_get(0)?,
            indicators: row.try_get(1)?,
            values: row.try_get(2)?,
            targets: row.try_get(3)?,
            projects: row.try_get(4)?,
            progress: row.try_get(5)?,
            tasks: row.try_get(6)?,
            users: row.try_get(7)?,
        })
    }
}
