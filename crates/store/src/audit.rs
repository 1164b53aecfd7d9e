//! The audit chain: events appended at commit under `audit_head`'s row lock (one writer at a
//! time extends the chain), read back, and verified together with the ledger rows' digests.

use sqlx::Row;
use taizhang_core::audit::{AuditEvent, GENESIS, chain_break, row_digest};

use crate::{Backend, Result, Store, Tx};

/// An event waiting for its transaction's commit.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    actor: String,
    action: String,
    subject: String,
    detail: String,
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub events: i64,
    pub head: String,
    /// The first place the chain breaks, in words.
    pub chain_break: Option<String>,
    pub rows_checked: usize,
    /// Ledger rows whose content no longer matches the digest written with them.
    pub row_breaks: Vec<String>,
    /// Rows written before the trail existed (no digest): counted, not a break.
    pub unsealed: usize,
    /// SQLite's own check of its file (`PRAGMA integrity_check`): "ok", or what it found.
    /// PostgreSQL keeps its pages' checks to itself: none.
    pub integrity: Option<String>,
}

impl AuditReport {
    pub fn is_clean(&self) -> bool {
        self.chain_break.is_none() && self.row_breaks.is_empty() && self.integrity.as_deref().is_none_or(|i| i == "ok")
    }

    /// One line for the admin page and the command.
    pub fn summary(&self) -> String {
        let mut s = match self.integrity.as_deref() {
            None => String::new(),
            Some("ok") => "数据库文件完整性检查通过；".to_string(),
            Some(problem) => format!("数据库文件完整性检查发现问题：{problem}；"),
        };
        s.push_str(&format!(
            "审计链{}条记录，末端哈希 {}…；核对台账数据{}行",
            self.events,
            &self.head[..12],
            self.rows_checked
        ));
        if self.unsealed > 0 {
            s.push_str(&format!("（其中{}行早于审计链，未封存）", self.unsealed));
        }
        match (&self.chain_break, self.row_breaks.first()) {
            (None, None) => s.push_str("：一致"),
            (Some(b), _) => s.push_str(&format!("：{b}")),
            (None, Some(r)) => s.push_str(&format!("：{}行与审计记录不符，首处：{r}", self.row_breaks.len())),
        }
        s
    }
}

const PROGRESS_DIGEST: &str = "project_progress";
const VALUE_DIGEST: &str = "indicator_values";

/// The digest a progress row is written with: its key and figures as stored.
pub(crate) fn progress_digest(
    project_id: i64,
    period: &str,
    figures: [Option<i64>; 3],
    image: &str,
    problems: &str,
) -> String {
    let mut fields = vec![Some(project_id.to_string()), Some(period.to_string())];
    fields.extend(figures.iter().map(|f| f.map(|v| v.to_string())));
    fields.extend([Some(image.to_string()), Some(problems.to_string())]);
    row_digest(PROGRESS_DIGEST, &fields)
}

/// The digest an indicator value is written with: its key and the figures as stored.
pub(crate) fn value_digest(indicator: i64, unit: i64, period: &str, value: Option<i64>, growth: Option<i64>) -> String {
    let fields = [
        Some(indicator.to_string()),
        Some(unit.to_string()),
        Some(period.to_string()),
        value.map(|v| v.to_string()),
        growth.map(|v| v.to_string()),
    ];
    row_digest(VALUE_DIGEST, &fields)
}

impl Tx {
    /// Records an event of this write; it joins the chain when the transaction commits.
    pub fn audit(&mut self, actor: &str, action: &str, subject: &str, detail: &str) {
        self.pending.push(Pending {
            actor: actor.to_string(),
            action: action.to_string(),
            subject: subject.to_string(),
            detail: detail.to_string(),
        });
    }

    pub(crate) async fn append_audit(&mut self, p: &Pending) -> Result<()> {
        // Taking the head row serialises appenders (a row lock on PostgreSQL; SQLite has one
        // writer): each new event links to the one before it.
        let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(self.conn())
            .await?;
        let mut e = AuditEvent {
            seq: head.try_get(0)?,
            prev_hash: head.try_get(1)?,
            at: crate::now_iso_with(true),
            actor: p.actor.clone(),
            action: p.action.clone(),
            subject: p.subject.clone(),
            detail: p.detail.clone(),
            hash: String::new(),
        };
        e.hash = e.expected_hash();
        sqlx::query(
            "INSERT INTO audit_events (seq, at, actor, action, subject, detail, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(e.seq)
        .bind(&e.at)
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.subject)
        .bind(&e.detail)
        .bind(&e.prev_hash)
        .bind(&e.hash)
        .execute(self.conn())
        .await?;
        self.execute("UPDATE audit_head SET hash = $1 WHERE id = 1", vec![e.hash.into()]).await
    }
}

fn event_from_row(r: &sqlx::any::AnyRow) -> Result<AuditEvent> {
    Ok(AuditEvent {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        subject: r.try_get("subject")?,
        detail: r.try_get("detail")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

impl Store {
    /// An event on its own (a sign-in, a failed one): appended in a write of its own.
    pub async fn audit_alone(&self, actor: &str, action: &str, subject: &str, detail: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.audit(actor, action, subject, detail);
        tx.commit().await
    }

    /// The latest events, newest first.
    pub async fn audit_events(&self, limit: i64) -> Result<Vec<AuditEvent>> {
        let q = sqlx::query(
            "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_events ORDER BY seq DESC LIMIT $1",
        )
        .bind(limit);
        self.read_rows(q, event_from_row).await
    }

    /// The last verification: when, up to which event, and what it found.
    pub async fn last_verification(&self) -> Result<Option<(String, i64, String)>> {
        let r = sqlx::query("SELECT verified_at, verified_seq, verified_result FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let Some(at) = r.try_get::<Option<String>, _>(0)? else { return Ok(None) };
        let seq = r.try_get::<Option<i64>, _>(1)?.unwrap_or(0);
        Ok(Some((at, seq, r.try_get::<Option<String>, _>(2)?.unwrap_or_default())))
    }

    /// Each row of `q` (with its stored `row_hash`) against the digest `expected` recomputes,
    /// named as `expected` names it when they differ.
    async fn check_rows(
        &self,
        report: &mut AuditReport,
        q: crate::filter::AnyQuery<'_>,
        expected: impl Fn(&sqlx::any::AnyRow) -> Result<(String, String)>,
    ) -> Result<()> {
        for r in q.fetch_all(&self.pool).await? {
            report.rows_checked += 1;
            let Some(stored) = r.try_get::<Option<String>, _>("row_hash")? else {
                report.unsealed += 1;
                continue;
            };
            let (digest, place) = expected(&r)?;
            if digest != stored {
                report.row_breaks.push(place);
            }
        }
        Ok(())
    }

    /// Recomputes the chain from its start and every ledger figure's digest; records the
    /// result on the head (when asked) and returns it.
    pub async fn verify_audit(&self, record: bool) -> Result<AuditReport> {
        const PAGE: i64 = 5_000;
        let mut prev = GENESIS.to_string();
        let mut events = 0;
        let mut found = None;
        let mut after = 0_i64;
        loop {
            let q = sqlx::query(
                "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_events
                 WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(after)
            .bind(PAGE);
            let page = self.read_rows(q, event_from_row).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            events += i64::try_from(page.len()).unwrap_or(0);
            if found.is_none() {
                found = chain_break(&page, prev.clone());
            }
            prev = last.hash.clone();
        }
        let head: String =
            sqlx::query("SELECT hash FROM audit_head WHERE id = 1").fetch_one(&self.pool).await?.try_get(0)?;
        if found.is_none() && head != prev {
            found = Some("审计链末端与记录的末端哈希不符（末尾的记录被删除）".to_string());
        }
        let mut report = AuditReport {
            events,
            head: head.clone(),
            chain_break: found,
            rows_checked: 0,
            row_breaks: vec![],
            unsealed: 0,
            integrity: None,
        };
        if self.backend() == Backend::Sqlite {
            let found: Vec<String> = sqlx::query("PRAGMA integrity_check")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>(0))
                .collect::<std::result::Result<_, _>>()?;
            report.integrity = Some(found.into_iter().take(5).collect::<Vec<_>>().join("；"));
        }
        let progress = sqlx::query(
            "SELECT g.project_id, p.code, g.period, g.month_e4, g.ytd_e4, g.since_start_e4, g.image_progress,
                 g.problems, g.row_hash FROM project_progress g JOIN projects p ON p.id = g.project_id
             ORDER BY p.code, g.period",
        );
        self.check_rows(&mut report, progress, |r| {
            let period: String = r.try_get("period")?;
            let digest = progress_digest(
                r.try_get("project_id")?,
                &period,
                [r.try_get("month_e4")?, r.try_get("ytd_e4")?, r.try_get("since_start_e4")?],
                &r.try_get::<String, _>("image_progress")?,
                &r.try_get::<String, _>("problems")?,
            );
            Ok((digest, format!("项目进度 {} {period}", r.try_get::<String, _>("code")?)))
        })
        .await?;
        let values = sqlx::query(
            "SELECT v.indicator_id, v.unit_id, i.code AS indicator, u.code AS unit, v.period, v.value_e4, v.growth_e4,
                 v.row_hash FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id
                 JOIN org_units u ON u.id = v.unit_id ORDER BY i.code, u.code, v.period",
        );
        self.check_rows(&mut report, values, |r| {
            let period: String = r.try_get("period")?;
            let digest = value_digest(
                r.try_get("indicator_id")?,
                r.try_get("unit_id")?,
                &period,
                r.try_get("value_e4")?,
                r.try_get("growth_e4")?,
            );
            let (ind, unit): (String, String) = (r.try_get("indicator")?, r.try_get("unit")?);
            Ok((digest, format!("指标数据 {ind} {unit} {period}")))
        })
        .await?;
        if record {
            sqlx::query("UPDATE audit_head SET verified_at = $1, verified_seq = $2, verified_result = $3 WHERE id = 1")
                .bind(crate::now_iso())
                .bind(events)
                .bind(report.summary())
                .execute(&self.pool)
                .await?;
        }
        Ok(report)
    }
}
