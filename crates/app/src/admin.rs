//! Setting a ledger up: the catalogue and the first account (before anyone can act), then
//! whole worlds loaded from files and generated cities, as an account that may manage the
//! ledger.

use taizhang_core::access::{Action, Role};
use taizhang_core::batch::ChangeSummary;
use taizhang_core::indicator::{Catalogue, Indicator};
use taizhang_core::world::World;

use crate::synthetic::{GenSpec, generate};
use crate::{Acting, App, ImportRecord, NewUser, Result};

/// The account every new database starts with.
pub const ADMIN: &str = "admin";

impl App {
    /// Installs `catalogue` into a database that has none, and makes sure the `admin`
    /// account exists: with `password` when given (replacing the old one), else with
    /// `generate()`'s, returned to be shown once. The installer's door: nobody can act yet.
    pub async fn bootstrap(
        &self,
        catalogue: &Catalogue,
        password: Option<&str>,
        generate: impl FnOnce() -> String,
    ) -> Result<Option<String>> {
        let mut tx = self.store.begin().await?;
        if self.store.counts().await?.indicators == 0 {
            tx.install_catalogue(catalogue).await?;
        }
        let existing = self.store.user(ADMIN).await?;
        let (password, generated) = match (password, &existing) {
            (Some(p), _) => (Some(p.to_string()), false),
            (None, None) => (Some(generate()), true),
            (None, Some(_)) => (None, false),
        };
        if let Some(password) = &password {
            let admin = NewUser {
                username: ADMIN.into(),
                display_name: "系统管理员".into(),
                password: password.clone(),
                role: Role::Admin,
                unit: None,
            };
            tx.upsert_user(&admin).await?;
            tx.audit("system", "user.save", "user:admin", "初始化：创建管理员账号");
        }
        tx.commit().await?;
        Ok(password.filter(|_| generated))
    }
}

impl Acting<'_> {
    /// Adds an indicator to the catalogue, or edits one by code (what the edit does not carry
    /// stays as stored); checked with the whole catalogue, and recorded like an import.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn save_indicator(&self, indicator: Indicator) -> Result<()> {
        self.allow_top(Action::ManageLedger)?;
        let catalogue = self.store.catalogue().await?;
        let stored = catalogue.find(indicator.code.as_str()).filter(|o| o.code == indicator.code);
        let indicator = indicator.keeping(stored);
        catalogue.with(std::slice::from_ref(&indicator))?;
        let summary = ChangeSummary {
            new: usize::from(stored.is_none()),
            changed: usize::from(stored.is_some_and(|s| *s != indicator)),
            unchanged: usize::from(stored == Some(&indicator)),
        };
        let mut tx = self.store.begin().await?;
        tx.upsert_indicator(&indicator).await?;
        let record = ImportRecord {
            actor: self.actor.username.clone(),
            kind: "catalogue".into(),
            file: "（网页编辑）".into(),
            sheet: indicator.name.clone(),
            rows: 1,
            summary,
        };
        tx.record_import(&record).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes a whole world (units, values, targets, plan, projects, tasks) in one
    /// transaction, with accounts and settings beside it (the demo's).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn load_world(&self, world: &World, accounts: &[NewUser], settings: &[(&str, &str)]) -> Result<()> {
        self.allow_top(Action::ManageLedger)?;
        let mut tx = self.store.begin().await?;
        tx.write_world(world, &self.actor.username).await?;
        for account in accounts {
            tx.upsert_user(account).await?;
        }
        for (key, value) in settings {
            tx.set_setting(key, value).await?;
        }
        let detail = format!("单位{}个，项目{}个，账号{}个", world.units.len(), world.projects.len(), accounts.len());
        tx.audit(&self.actor.username, "world.load", "world", &detail);
        Ok(tx.commit().await?)
    }

    /// A reproducible synthetic city into an empty ledger, for benchmarks; `on_district`
    /// hears each district done.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn generate_city(
        &self,
        catalogue: &Catalogue,
        spec: GenSpec,
        on_district: &(dyn Fn(u32) + Sync),
    ) -> Result<()> {
        self.allow_top(Action::ManageLedger)?;
        generate(self.store, catalogue, spec, on_district).await
    }
}

impl Acting<'_> {
    /// Writes a backup of the whole ledger from one snapshot (admins); writes may go on.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn backup(&self, out: &mut (dyn std::io::Write + Send)) -> Result<taizhang_store::BackupSummary> {
        self.allow_top(Action::ManageUsers)?;
        let summary = self.store.backup(out).await?;
        self.store.audit_alone(&self.actor.username, "backup", "database", &format!("{}行", summary.rows)).await?;
        Ok(summary)
    }
}

impl crate::App {
    /// Restores a backup into this database, which must be new and empty (no units, no
    /// accounts): checked row for row and by the audit chain before it answers.
    pub async fn restore_into_empty(&self, input: &mut dyn std::io::BufRead) -> Result<taizhang_store::BackupSummary> {
        Ok(self.store.restore(input).await?)
    }

    /// `serve`'s scheduled backup (`[backup]` in the config file): every `every_hours` a file
    /// `taizhang-<time>.jsonl` in `dir`, keeping the newest `keep`. A failure is logged and
    /// tried again next time.
    pub async fn backup_every(self) {
        let cfg = self.config.backup.clone();
        let Some(dir) = cfg.dir.clone() else { return };
        let every = std::time::Duration::from_secs(cfg.every_hours.max(1) * 3600);
        loop {
            // One server a round, when several share the database.
            if !self.lease("backup", every).await.unwrap_or(false) {
                tokio::time::sleep(every).await;
                continue;
            }
            match self.scheduled_backup(&dir, cfg.keep).await {
                Ok(path) => tracing::info!(file = %path.display(), "scheduled backup written"),
                Err(e) => tracing::warn!(error = %e, "scheduled backup failed; trying again next time"),
            }
            tokio::time::sleep(every).await;
        }
    }

    async fn scheduled_backup(&self, dir: &str, keep: usize) -> Result<std::path::PathBuf> {
        let io = |e: std::io::Error| crate::Error::Invalid(format!("备份目录 {dir}：{e}"));
        std::fs::create_dir_all(dir).map_err(io)?;
        let stamp: String = crate::clock::iso_after(0).chars().filter(char::is_ascii_alphanumeric).collect();
        let path = std::path::Path::new(dir).join(format!("taizhang-{stamp}.jsonl"));
        let partial = path.with_extension("partial");
        let mut file = std::io::BufWriter::new(std::fs::File::create(&partial).map_err(io)?);
        self.as_user(ADMIN).await?.backup(&mut file).await?;
        drop(file);
        // Only a finished file takes the backup's name.
        std::fs::rename(&partial, &path).map_err(io)?;
        let mut kept: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("taizhang-") && n.ends_with(".jsonl"))
            })
            .collect();
        kept.sort();
        for old in kept.iter().rev().skip(keep.max(1)) {
            std::fs::remove_file(old).map_err(io)?;
        }
        Ok(path)
    }
}
