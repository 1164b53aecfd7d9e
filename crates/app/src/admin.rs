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
