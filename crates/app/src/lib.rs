//! taizhang-app: the one door to the ledger. Every use case — the reporting cycle,
//! supervision, imports, reports, accounts — is a method of [`Acting`], the ledger as one
//! account sees it, and asks [`authorize`] before it reads or writes. The web and the CLI
//! reach data only through here; only `store` speaks SQL, and this crate holds the rules of
//! the use cases between them (time comes in as a parameter, from [`clock`] at the doors).

pub mod admin;
mod briefs;
mod cases;
pub mod clock;
mod cycle;
pub mod demo;
mod figures;
pub mod import;
mod mechanism;
mod memo;
pub mod party;
mod reads;
pub use mechanism::MeetingDraft;
mod remind;
mod reports;
pub use remind::{Delivered, http_client, now_seconds};
pub use reports::{Report, ReportKind, ReportRequest};
mod supervise;
pub use supervise::OrderDraft;
mod synthetic;
pub mod synthetic_cases;
pub mod testing;
mod users;

use std::sync::Arc;

use taizhang_core::access::{Action, Actor, Denied, authorize};
use taizhang_core::config::Config;
use taizhang_core::org::OrgTree;
use taizhang_store::{Store, StoreError};

pub use briefs::{AssessmentInput, Dashboard};
pub use cases::{
    CaseImport, CaseReport, CaseScore, Moment, StepRequest, case_month, case_period, degrees, dimension_named,
    due_after,
};
pub use import::{ImportRequest, Imported, WorkbookError};
pub use reads::ProjectList;
pub use synthetic::GenSpec;
pub use taizhang_store::{
    Backend, CaseClass, CaseCounts, CaseDimension, CaseRecord, CaseStepRow, ImportRecord, LedgerCounts, NewUser,
    Redacted, Session, User,
};

/// What a use case can answer instead of its result.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The account's role or unit does not allow it.
    #[error("{0}")]
    Denied(#[from] Denied),
    #[error("{kind}“{key}”不存在")]
    NotFound { kind: &'static str, key: String },
    /// The request is wrong as asked (a closed round, a missing reason, …).
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Domain(#[from] taizhang_core::DomainError),
    /// Someone saved the record since it was read: reload, then save again.
    #[error("记录已被他人修改（{0}）：请刷新后重新填报")]
    Conflict(String),
    /// Checks failed and no 说明 was given: nothing was submitted.
    #[error("校验未通过，请修改或填写说明后强制上报：\n{}", .0.iter().map(|(s, m)| format!("{s}：{m}")).collect::<Vec<_>>().join("\n"))]
    Rules(Vec<(String, String)>),
    /// The database or another part below failed: logged, never shown in detail.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { kind, key } => Error::NotFound { kind, key },
            StoreError::Config(m) => Error::Invalid(m),
            StoreError::Domain(d) => Error::Domain(d),
            StoreError::Conflict(c) => Error::Conflict(c),
            other => Error::Store(other),
        }
    }
}

impl Error {
    pub(crate) fn not_found(kind: &'static str, key: impl Into<String>) -> Self {
        Error::NotFound { kind, key: key.into() }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The ledger and the jurisdiction's rules, shared by every request.
#[derive(Debug, Clone)]
pub struct App {
    store: Store,
    config: Arc<Config>,
    memo: Arc<memo::Memo>,
    units_kept: Arc<figures::UnitFiguresKept>,
    /// This server among others on the same database (the holder of a job's lease).
    instance: Arc<str>,
    /// Whether this server held each scheduled job's lease at its last round (for /metrics).
    leases: Arc<std::sync::Mutex<std::collections::BTreeMap<String, bool>>>,
}

/// The ledger as one account sees it: every method asks [`authorize`] first.
#[derive(Debug)]
pub struct Acting<'a> {
    pub(crate) store: &'a Store,
    pub(crate) config: &'a Config,
    pub(crate) actor: Actor,
    pub(crate) tree: Arc<OrgTree>,
    pub(crate) memo: &'a memo::Memo,
    pub(crate) units_kept: &'a figures::UnitFiguresKept,
}

/// A name for this process among servers: its id and the moment it started.
fn instance_name() -> String {
    format!("{}-{}", std::process::id(), jiff::Timestamp::now().as_nanosecond())
}

impl App {
    pub fn new(store: Store, config: Config) -> Self {
        Self {
            store,
            config: Arc::new(config),
            memo: Arc::default(),
            units_kept: Arc::default(),
            instance: instance_name().into(),
            leases: Arc::default(),
        }
    }

    /// Opens (creating a SQLite file if needed) and migrates the database at `url`.
    pub async fn open(url: &str, config: Config) -> Result<Self> {
        Self::open_with(url, config, taizhang_store::DEFAULT_SLOW_STATEMENT).await
    }

    /// Opens the ledger, warning in the log of every statement slower than `slow_statement`.
    pub async fn open_with(url: &str, config: Config, slow_statement: std::time::Duration) -> Result<Self> {
        clock::use_zone(&config.time_zone);
        let store = Store::open_with(url, slow_statement).await?;
        Ok(Self::new(store, config))
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Checks the configuration against the stored catalogue (at start, after set-up).
    pub async fn check_config(&self) -> Result<()> {
        let catalogue = self.store.catalogue().await?;
        Ok(self.config.rules.check_against(&catalogue)?)
    }

    /// Whether this server runs a scheduled job's round now: it holds the job's lease for
    /// `every` (renewed each round), and another server on the same database skips it; a
    /// lease not renewed passes to the next server that asks.
    pub async fn lease(&self, job: &str, every: std::time::Duration) -> Result<bool> {
        let now = i64::try_from(remind::now_seconds()).unwrap_or(i64::MAX);
        let until = now.saturating_add(i64::try_from(every.as_secs()).unwrap_or(i64::MAX / 2));
        let held = self.store.take_lease(job, &self.instance, now, until).await?;
        self.leases.lock().unwrap_or_else(|e| e.into_inner()).insert(job.to_string(), held);
        Ok(held)
    }

    /// The scheduled jobs this server has asked to run, and whether it held the lease of each
    /// at its last round: of servers sharing a database, one holds each.
    pub fn leases_held(&self) -> Vec<(String, bool)> {
        self.leases.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(j, h)| (j.clone(), *h)).collect()
    }

    /// The ledger's version, moved on by every committed write (for caches and ETags).
    pub async fn ledger_version(&self) -> Result<i64> {
        Ok(self.store.ledger_version().await?)
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// The ledger as `actor` sees it.
    pub async fn as_actor(&self, actor: Actor) -> Result<Acting<'_>> {
        Ok(Acting {
            store: &self.store,
            config: &self.config,
            actor,
            tree: self.store.org_tree_shared().await?,
            memo: &self.memo,
            units_kept: &self.units_kept,
        })
    }

    /// The ledger as the account `username` sees it.
    pub async fn as_user(&self, username: &str) -> Result<Acting<'_>> {
        let user = self.store.user(username).await?.ok_or_else(|| Error::not_found("账号", username))?;
        self.as_actor(Actor { username: user.username, role: user.role, unit: user.unit }).await
    }

    /// How many records the ledger holds: the health check, open to anyone.
    pub async fn counts(&self) -> Result<LedgerCounts> {
        Ok(self.store.counts().await?)
    }

    pub async fn close(&self) {
        self.store.close().await;
    }
}

impl Acting<'_> {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn config(&self) -> &Config {
        self.config
    }

    /// The org tree as read when this account began acting.
    pub fn tree(&self) -> &OrgTree {
        &self.tree
    }

    /// Whether the actor may read a unit's records (pages check before they show one).
    pub fn check_read(&self, unit: &str) -> Result<()> {
        self.allow(Action::Read, unit)
    }

    pub fn allow(&self, action: Action, unit: &str) -> Result<()> {
        Ok(authorize(&self.actor, action, unit, &self.tree)?)
    }

    /// Whether the actor may do `action` on a unit, as a yes or no (pages offer buttons by it).
    pub fn may(&self, action: Action, unit: &str) -> bool {
        self.allow(action, unit).is_ok()
    }

    pub(crate) fn top_unit_code(&self) -> Result<String> {
        self.tree.roots().next().map(|u| u.code.to_string()).ok_or_else(|| Error::Invalid("数据库中还没有单位".into()))
    }

    /// Acts on the top unit: district-wide acts (rounds, imports of the whole ledger).
    /// Before any unit exists (a new database) the district is nameless, and only roles
    /// that act everywhere pass.
    pub fn allow_top(&self, action: Action) -> Result<()> {
        let top = self.tree.roots().next().map(|u| u.code.clone()).unwrap_or_default();
        self.allow(action, &top)
    }

    /// The unit a read covers: the one named, else the actor's own unit (unit roles) or the top.
    pub fn scope_of(&self, unit: Option<&str>) -> Result<String> {
        match unit {
            Some(u) => self.tree.find(u).map(|u| u.code.to_string()).ok_or_else(|| Error::not_found("单位", u)),
            None => match (&self.actor.unit, self.actor.role.needs_unit()) {
                (Some(own), true) => Ok(own.clone()),
                _ => self.top_unit_code(),
            },
        }
    }

    /// A unit's name, or its code when the tree does not know it.
    pub fn unit_name(&self, code: &str) -> String {
        self.tree.get(code).map_or_else(|| code.to_string(), |u| u.name.clone())
    }
}
