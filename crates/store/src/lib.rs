//! taizhang-store: the ledger's persistence, one query code path for SQLite and PostgreSQL.
//!
//! Every query is written once in SQL both databases accept (`$n` parameters, `ON CONFLICT`,
//! `RETURNING`, `WITH RECURSIVE`) and run through sqlx's `Any` driver. Rows become domain
//! values at this boundary; the domain types know nothing of SQL. Exact decimals travel as
//! BIGINT counts of 1/10000 ([`taizhang_core::quantity::to_scaled`]) so that sums are exact
//! in the database on both backends.

mod audit;
mod backup;
mod briefing;
mod bulk;
mod cases;
mod catalogue;
mod db;
mod error;
mod exchange;
mod filter;
mod honours;
mod ledger;
mod mechanism;
mod party;
mod plan;
mod progress;
mod projects;
mod reminders;
mod reports;
mod rollups;
mod rounds;
mod supervision;
mod tasks;
pub mod testing;
mod units;
mod users;
mod values;
mod world;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::AnyPool;
use taizhang_core::org::OrgTree;

pub use audit::AuditReport;
pub use backup::{BackupSummary, NOT_BACKED_UP, TABLES};
pub use briefing::{StartDue, TotalsSet};
pub use bulk::{Ids, ProgressRow};
pub use cases::{CaseClass, CaseCounts, CaseDimension, CaseFilter, CaseRecord, CaseStepRow, GridCellRow, NewCase};
pub use db::{Backend, DEFAULT_SLOW_STATEMENT, Redacted};
pub use error::StoreError;
pub use exchange::{Classifier, ImportRecord, Writer};
pub use ledger::LedgerCounts;
pub use mechanism::Projects;
pub use party::{MeetingRow, PartyAssessment, PartyScore};
pub use progress::ProgressContext;
pub use reminders::Outgoing;
pub use reports::{FLAG_FLAGSHIP, FLAG_OVER_100M};
pub use rollups::{RollupCheck, RollupVersions, UnitCell, sum_lines};
pub use supervision::{ExtensionRequest, IndicatorLightRow, NewOrder, NewProblem, ProjectLightRow, TaskLightRow};
pub use users::{NewUser, Session, User, hash_password, verify_password};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An org tree as read at a version of the units.
type CachedTree = (i64, Arc<OrgTree>);

/// The ledger database: a pool of connections and the backend it speaks to.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The org tree as last read, shared by every request's service layer, with the units'
    /// version it was read at (moved on in the database by every unit written, by any server).
    tree: Arc<Mutex<Option<CachedTree>>>,
    /// SQLite has one writer at a time; waiting here (woken in turn) instead of in SQLite's
    /// busy handler (which sleeps in growing steps) keeps write latency even under load.
    writer: Arc<tokio::sync::Mutex<()>>,
}

/// A write transaction: everything done through it lands together on [`Tx::commit`], or not
/// at all (dropping it rolls back).
#[derive(Debug)]
pub struct Tx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    /// Audit events to append to the chain when the transaction commits (with it, or not).
    pending: Vec<audit::Pending>,
    /// The roll-ups its writes changed, recomputed when it commits.
    dirty: rollups::Dirty,
    /// Nothing figures are computed from written: the figures' version stays (see
    /// [`Tx::changes_no_figures`]).
    no_figures: bool,
    /// Held until the transaction ends (SQLite only). Declared after `tx` so that the
    /// transaction is finished (or rolled back) before the next writer is let in.
    _writer: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Self> {
        Self::open_with(url, db::DEFAULT_SLOW_STATEMENT).await
    }

    /// Opens the database, warning of every statement slower than `slow_statement`.
    pub async fn open_with(url: &str, slow_statement: Duration) -> Result<Self> {
        let (pool, backend) = db::connect(url, 8, slow_statement).await?;
        db::migrate(&pool, backend).await?;
        let store = Self { pool, backend, tree: Arc::default(), writer: Arc::default() };
        if store.rollups_missing().await? {
            store.rebuild_rollups().await?;
        }
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A write transaction (see [`Backend::begin_write`]). SQLite writers also take turns
    /// here before they begin.
    pub async fn begin(&self) -> Result<Tx> {
        let (tx, writer) = match self.backend.begin_write() {
            Some(begin) => {
                let guard = self.writer.clone().lock_owned().await;
                (self.pool.begin_with(begin).await?, Some(guard))
            }
            None => (self.pool.begin().await?, None),
        };
        Ok(Tx {
            tx,
            backend: self.backend,
            pending: Vec::new(),
            dirty: rollups::Dirty::default(),
            no_figures: false,
            _writer: writer,
        })
    }

    /// The org tree, from the cache when no unit was written since it was read — here or by
    /// another server on the same database. The version is read first, so the tree cached is
    /// never older than its version says.
    pub async fn org_tree_shared(&self) -> Result<Arc<OrgTree>> {
        let version: i64 = sqlx::query("SELECT units_version FROM ledger_version WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?
            .map(|r| sqlx::Row::try_get(&r, 0))
            .transpose()?
            .unwrap_or(0);
        if let Some((v, tree)) = self.tree.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
            && *v == version
        {
            return Ok(tree.clone());
        }
        let tree = Arc::new(self.org_tree().await?);
        *self.tree.lock().unwrap_or_else(|e| e.into_inner()) = Some((version, tree.clone()));
        Ok(tree)
    }

    /// Runs a read and turns each row into a value.
    pub(crate) async fn read_rows<T>(
        &self,
        q: filter::AnyQuery<'_>,
        from_row: impl Fn(&sqlx::any::AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        // Each row is turned into its record as it arrives: a large read never holds the
        // database's rows and the records at once.
        use futures_util::TryStreamExt;
        let mut rows = q.fetch(&self.pool);
        let mut out = Vec::new();
        while let Some(r) = rows.try_next().await? {
            out.push(from_row(&r)?);
        }
        Ok(out)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Tx {
    /// Says that this transaction writes nothing a total, a light or a round's standing is
    /// computed from — drafts and their trail, accounts, reminders sent — so that it leaves
    /// the figures' version where it is and dashboards kept stay good (the ledger's version
    /// still moves: the pages showing what it wrote change). A roll-up touched moves it anyway.
    pub fn changes_no_figures(&mut self) {
        self.no_figures = true;
    }

    /// Appends the transaction's audit events to the chain, then commits both together.
    pub async fn commit(mut self) -> Result<()> {
        // Every commit moves the ledger's version on: what was read before it is stale (the
        // version is in the database, so every server sharing it sees the move at once).
        if !self.no_figures || self.dirty.any() {
            // Moved first: the row's lock orders concurrent commits (PostgreSQL), so that each
            // stamps the units it recomputes with its own version, never one another had.
            let moved = sqlx::query(
                "UPDATE ledger_version SET version = version + 1, figures_version = figures_version + 1
                 WHERE id = 1 RETURNING figures_version",
            )
            .fetch_one(self.conn())
            .await?;
            self.refresh_rollups(sqlx::Row::try_get(&moved, 0)?).await?;
        } else {
            sqlx::query("UPDATE ledger_version SET version = version + 1 WHERE id = 1").execute(self.conn()).await?;
        }
        let pending = std::mem::take(&mut self.pending);
        for p in &pending {
            self.append_audit(p).await?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}

/// Now as ISO-8601 UTC text, for audit columns: the one place the store reads the clock
/// (the rules take dates as parameters from the app layer).
pub(crate) fn now_iso() -> String {
    now_iso_with(false)
}

/// Now with microseconds, fixed width (so that text order is time order within a second).
pub(crate) fn now_iso_micros() -> String {
    now_iso_with(true)
}

fn now_iso_with(micros: bool) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let seconds = taizhang_core::project::Date::iso_timestamp(now.as_secs());
    if !micros {
        return seconds;
    }
    format!("{}.{:06}Z", seconds.trim_end_matches('Z'), now.subsec_micros())
}
