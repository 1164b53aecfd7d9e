//! Backup and restore: every table's rows written as JSON lines from one consistent snapshot
//! (a read transaction), and read back into an empty database of the same schema in one
//! write — the same format from SQLite or PostgreSQL, to either. A restore is verified (the
//! audit chain and each table's row count) before it reports success.

use std::io::{BufRead, Write};

use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Column, Row};

use crate::db::Backend;
use crate::{Result, Store, StoreError};

/// The tables a backup holds, in an order where every foreign key points to a table before
/// it (and within a table, rows go in key order, so a parent unit comes before its children).
/// Sessions are left out: a restored database starts signed out.
pub const TABLES: &[&str] = &[
    "org_units",
    "report_sections",
    "indicators",
    "indicator_aliases",
    "indicator_values",
    "plan_nodes",
    "plan_milestones",
    "plan_milestone_targets",
    "projects",
    "project_flags",
    "project_year_plans",
    "project_progress",
    "project_rollups",
    "project_month_plans",
    "problems",
    "tasks",
    "task_cooperators",
    "task_progress",
    "users",
    "settings",
    "rounds",
    "round_units",
    "round_events",
    "entries",
    "entry_events",
    "problem_events",
    "orders",
    "order_events",
    "extension_requests",
    "honours",
    "import_events",
    "indicator_value_versions",
    "targets",
    "project_nodes",
    "project_elements",
    "meetings",
    "meeting_projects",
    "meeting_decisions",
    "reminders",
    "grid_cells",
    "case_classes",
    "case_class_units",
    "cases",
    "case_steps",
    "party_orgs",
    "party_schemes",
    "party_assessments",
    "party_scores",
    "party_assessment_events",
    "party_meetings",
    "audit_events",
    "audit_head",
];

/// Tables a backup leaves out on purpose.
pub const NOT_BACKED_UP: &[&str] =
    &["taizhang_migrations", "sessions", "ledger_version", "job_leases", "signin_failures", "rollup_versions"];

/// What a backup or a restore moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub schema: i64,
    pub tables: usize,
    pub rows: usize,
}

/// A table being read back: its name, columns, the row count its header promised, and the
/// rows not yet written.
#[derive(Debug)]
struct Slice {
    table: String,
    columns: Vec<String>,
    expected: usize,
    rows: Vec<Vec<Value>>,
}

/// The first key column of a table (rows are copied in its order).
fn order_of(columns: &[String]) -> String {
    columns.first().cloned().unwrap_or_else(|| "1".into())
}

fn bad(line: usize, what: impl std::fmt::Display) -> StoreError {
    StoreError::Config(format!("备份文件第{line}行：{what}"))
}

impl Store {
    /// Every table's names as the database lists them (for the test that `TABLES` is whole).
    pub async fn table_names(&self) -> Result<Vec<String>> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            Backend::Postgres => "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = current_schema()",
        };
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok(r.try_get::<String, _>(0)?)).collect()
    }

    async fn schema_version(&self) -> Result<i64> {
        let r = sqlx::query("SELECT MAX(version) FROM taizhang_migrations").fetch_one(&self.pool).await?;
        Ok(r.try_get::<Option<i64>, _>(0)?.unwrap_or(0))
    }

    /// Writes every table from one snapshot: the server may keep writing meanwhile.
    pub async fn backup(&self, out: &mut (dyn Write + Send)) -> Result<BackupSummary> {
        let schema = self.schema_version().await?;
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        let mut tx = self.pool.begin_with(begin).await?;
        let io = |e: std::io::Error| StoreError::Config(format!("写备份文件失败：{e}"));
        let header = json!({"taizhang_backup": 1, "schema": schema, "taken_at": crate::now_iso()});
        writeln!(out, "{header}").map_err(io)?;
        let mut rows = 0;
        for table in TABLES {
            let probe =
                sqlx::query(AssertSqlSafe(format!("SELECT * FROM {table} LIMIT 1"))).fetch_all(&mut *tx).await?;
            let columns: Vec<String> = match probe.first() {
                Some(r) => r.columns().iter().map(|c| c.name().to_string()).collect(),
                None => {
                    writeln!(out, "{}", json!({"table": table, "columns": [], "rows": 0})).map_err(io)?;
                    continue;
                }
            };
            let sql = format!("SELECT * FROM {table} ORDER BY {}", order_of(&columns));
            let all = sqlx::query(AssertSqlSafe(sql)).fetch_all(&mut *tx).await?;
            writeln!(out, "{}", json!({"table": table, "columns": columns, "rows": all.len()})).map_err(io)?;
            for r in &all {
                let mut values = Vec::with_capacity(columns.len());
                for i in 0..columns.len() {
                    // Whole numbers and text are all the schema holds (amounts are scaled integers).
                    let v = match r.try_get::<Option<i64>, _>(i) {
                        Ok(Some(n)) => Value::from(n),
                        Ok(None) => Value::Null,
                        Err(_) => r.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::from),
                    };
                    values.push(v);
                }
                writeln!(out, "{}", Value::Array(values)).map_err(io)?;
            }
            rows += all.len();
        }
        out.flush().map_err(io)?;
        tx.rollback().await?;
        Ok(BackupSummary { schema, tables: TABLES.len(), rows })
    }

    /// Reads a backup into this database, which must be empty and of the same schema, in one
    /// write; then checks each table's row count and the audit chain before answering.
    pub async fn restore(&self, input: &mut dyn BufRead) -> Result<BackupSummary> {
        let schema = self.schema_version().await?;
        let mut lines = input.lines().enumerate().map(|(i, l)| (i + 1, l));
        let (n, first) = lines.next().ok_or_else(|| bad(1, "文件为空"))?;
        let first = first.map_err(|e| bad(n, e))?;
        let header: Value = serde_json::from_str(&first).map_err(|e| bad(n, format!("不是台账备份（{e}）")))?;
        if header["taizhang_backup"] != json!(1) {
            return Err(bad(n, "不是台账备份文件"));
        }
        if header["schema"] != json!(schema) {
            return Err(bad(
                n,
                format!("备份的数据结构版本为 {}，本库为 {schema}：请用相同版本的程序恢复", header["schema"]),
            ));
        }
        let occupied = sqlx::query("SELECT (SELECT COUNT(*) FROM org_units) + (SELECT COUNT(*) FROM users)")
            .fetch_one(&self.pool)
            .await?
            .try_get::<i64, _>(0)?;
        if occupied > 0 {
            return Err(StoreError::Config("目标数据库不是空库：只能恢复到新建的空数据库".into()));
        }
        let mut tx = self.begin().await?;
        // The migration's starting head is replaced by the backup's.
        tx.execute("DELETE FROM audit_head", vec![]).await?;
        let mut counts: Vec<(String, usize)> = Vec::new();
        let mut with_id: Vec<String> = Vec::new();
        let mut rows_total = 0;
        let mut pending: Option<Slice> = None;
        for (n, line) in lines {
            let line = line.map_err(|e| bad(n, e))?;
            let v: Value = serde_json::from_str(&line).map_err(|e| bad(n, format!("格式错误（{e}）")))?;
            if let Some(table) = v["table"].as_str() {
                if let Some(done) = pending.take() {
                    rows_total += self.insert_rows(&mut tx, &done).await?;
                    counts.push((done.table, done.expected));
                }
                if !TABLES.contains(&table) {
                    return Err(bad(n, format!("未知的表“{table}”")));
                }
                let columns: Vec<String> = v["columns"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.as_str().map(str::to_string))
                    .collect();
                let expected =
                    v["rows"].as_u64().and_then(|r| usize::try_from(r).ok()).ok_or_else(|| bad(n, "缺少行数"))?;
                if columns.iter().any(|c| c == "id") {
                    with_id.push(table.to_string());
                }
                pending = Some(Slice { table: table.to_string(), columns, expected, rows: Vec::new() });
            } else if let Value::Array(values) = v {
                let p = pending.as_mut().ok_or_else(|| bad(n, "数据行之前没有表头"))?;
                if values.len() != p.columns.len() {
                    return Err(bad(
                        n,
                        format!("表 {} 的行应有{}列，此行{}列", p.table, p.columns.len(), values.len()),
                    ));
                }
                p.rows.push(values);
                // Large tables go in slices, so memory stays bounded by the slice.
                if p.rows.len() >= 5_000 {
                    rows_total += self.insert_rows(&mut tx, p).await?;
                    p.rows.clear();
                }
            } else {
                return Err(bad(n, "既不是表头也不是数据行"));
            }
        }
        if let Some(done) = pending.take() {
            rows_total += self.insert_rows(&mut tx, &done).await?;
            counts.push((done.table, done.expected));
        }
        if self.backend == Backend::Postgres {
            // Identity columns continue after the restored keys.
            for table in &with_id {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)
                     WHERE pg_get_serial_sequence('{table}', 'id') IS NOT NULL"
                );
                sqlx::query(AssertSqlSafe(sql)).fetch_all(tx.conn()).await?;
            }
        }
        tx.commit().await?;
        for (table, expected) in &counts {
            let got: i64 = sqlx::query(AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?;
            if usize::try_from(got).ok() != Some(*expected) {
                return Err(StoreError::Config(format!("恢复后表 {table} 有{got}行，备份中为{expected}行")));
            }
        }
        let report = self.verify_audit(false).await?;
        if !report.is_clean() {
            return Err(StoreError::Config(format!("恢复后审计核验未通过：{}", report.summary())));
        }
        Ok(BackupSummary { schema, tables: counts.len(), rows: rows_total })
    }

    async fn insert_rows(&self, tx: &mut crate::Tx, p: &Slice) -> Result<usize> {
        let (table, columns, rows) = (&p.table, &p.columns, &p.rows);
        if rows.is_empty() {
            return Ok(0);
        }
        // PostgreSQL types a parameter, NULL included: an integer column's NULL goes as one.
        let integers: Vec<String> = match self.backend {
            Backend::Sqlite => vec![],
            Backend::Postgres => {
                let q = sqlx::query(
                    "SELECT CAST(column_name AS TEXT) FROM information_schema.columns WHERE table_schema = current_schema()
                     AND table_name = $1 AND data_type IN ('bigint', 'integer', 'smallint')",
                )
                .bind(table.clone());
                q.fetch_all(tx.conn()).await?.iter().map(|r| r.try_get::<String, _>(0)).collect::<Result<_, _>>()?
            }
        };
        let is_int: Vec<bool> = columns.iter().map(|c| integers.contains(c)).collect();
        let head = format!("INSERT INTO {table} ({}) VALUES", columns.join(", "));
        let statements = crate::bulk::build_inserts(self.backend, &head, columns.len(), "", rows, |mut q, row| {
            for (v, int) in row.iter().zip(&is_int) {
                q = match v {
                    Value::Null if *int => q.bind(None::<i64>),
                    Value::Null => q.bind(None::<String>),
                    Value::Number(n) => {
                        q.bind(n.as_i64().ok_or_else(|| StoreError::Config(format!("表 {table}：数值 {n} 不是整数")))?)
                    }
                    Value::String(s) => q.bind(s.clone()),
                    other => return Err(StoreError::Config(format!("表 {table}：无法恢复的值 {other}"))),
                };
            }
            Ok(q)
        })?;
        crate::bulk::run(tx.conn(), statements).await?;
        Ok(rows.len())
    }
}
