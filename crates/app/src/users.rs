//! Accounts and sign-in: who may create accounts and change passwords.

use std::collections::HashMap;

use taizhang_core::access::Action;

use crate::{Acting, App, Error, NewUser, Result, Session, User};

impl App {
    /// Failed sign-ins under a key (an account `u:name`, an address `a:ip`) within `window`,
    /// as every server sharing the database counts them.
    pub async fn signin_failures(&self, key: &str, window: std::time::Duration) -> Result<usize> {
        let now = i64::try_from(crate::now_seconds()).unwrap_or(i64::MAX);
        let since = now.saturating_sub(i64::try_from(window.as_secs()).unwrap_or(0));
        Ok(self.store.signin_failures(key, since).await?)
    }

    /// Records a failed sign-in under each key; what is older than `window` is forgotten.
    pub async fn note_signin_failure(&self, keys: &[&str], window: std::time::Duration) -> Result<()> {
        let now = i64::try_from(crate::now_seconds()).unwrap_or(i64::MAX);
        let forget = now.saturating_sub(i64::try_from(window.as_secs()).unwrap_or(0));
        Ok(self.store.note_signin_failure(keys, now, forget).await?)
    }

    /// Forgets a key's failed sign-ins (a sign-in succeeded, or an admin lifted the slowdown).
    pub async fn clear_signin_failures(&self, key: &str) -> Result<()> {
        Ok(self.store.clear_signin_failures(key).await?)
    }

    /// The account when the password matches, else none (no hint which part was wrong).
    /// Checks a password; success and failure both enter the audit trail.
    pub async fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>> {
        let found = self.store.authenticate(username, password).await?;
        // A name typed at sign-in is untrusted: kept short in the trail.
        let name: String = username.chars().take(64).collect();
        let (action, detail) =
            if found.is_some() { ("signin", "登录成功") } else { ("signin.fail", "账号或口令错误") };
        self.store.audit_alone(&name, action, &format!("user:{name}"), detail).await?;
        Ok(found)
    }

    /// Starts a browser session for a signed-in account (ids and tokens are the caller's
    /// random strings).
    pub async fn start_session(&self, id: &str, username: &str, csrf: &str, expires_at: &str) -> Result<()> {
        Ok(self.store.create_session(id, username, csrf, expires_at).await?)
    }

    /// The live session with this id, if any.
    pub async fn session(&self, id: &str) -> Result<Option<Session>> {
        Ok(self.store.session(id, &crate::clock::iso_after(0)).await?)
    }

    pub async fn end_session(&self, id: &str) -> Result<()> {
        Ok(self.store.delete_session(id).await?)
    }
}

impl Acting<'_> {
    /// Creates or updates an account (admins only).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn save_user(&self, user: &NewUser) -> Result<()> {
        self.allow_top(Action::ManageUsers)?;
        if let Some(unit) = &user.unit
            && self.tree.get(unit).is_none()
        {
            return Err(Error::not_found("单位", unit));
        }
        let mut tx = self.store.begin().await?;
        tx.upsert_user(user).await?;
        let detail = format!(
            "{}，角色 {}，单位 {}",
            user.display_name,
            user.role.label_zh(),
            user.unit.as_deref().unwrap_or("—")
        );
        tx.audit(&self.actor.username, "user.save", &format!("user:{}", user.username), &detail);
        tx.changes_no_figures();
        Ok(tx.commit().await?)
    }

    /// Sets a new password for an existing account (admins, or the account itself); every
    /// session of the account ends but `keep` (the one it was changed from).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn set_password(&self, username: &str, password: &str, keep: Option<&str>) -> Result<()> {
        let user = self.store.user(username).await?.ok_or_else(|| Error::not_found("账号", username))?;
        if self.actor.username != username {
            self.allow_top(Action::ManageUsers)?;
        }
        let account = NewUser {
            username: user.username,
            display_name: user.display_name,
            password: password.into(),
            role: user.role,
            unit: user.unit,
        };
        let mut tx = self.store.begin().await?;
        tx.upsert_user(&account).await?;
        tx.audit(&self.actor.username, "user.password", &format!("user:{}", account.username), "口令已重设");
        tx.changes_no_figures();
        tx.commit().await?;
        Ok(self.store.end_sessions(username, keep).await?)
    }

    /// How the trail names the people behind accounts: "区住建局 张三" (their unit and name),
    /// the name alone without a unit, the account's own name when it has none or is gone.
    /// Names of colleagues are not restricted: whoever reads a record reads who touched it.
    pub async fn person_names(&self, usernames: &[String]) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        for username in usernames {
            if out.contains_key(username) {
                continue;
            }
            let said = match self.store.user(username).await? {
                Some(u) => {
                    let name = if u.display_name.trim().is_empty() { u.username.clone() } else { u.display_name };
                    match u.unit.as_deref() {
                        Some(unit) => format!("{} {name}", self.unit_name(unit)),
                        None => name,
                    }
                }
                None => username.clone(),
            };
            out.insert(username.clone(), said);
        }
        Ok(out)
    }

    /// An admin's reset of another account's password (a forgotten one): all its sessions end.
    pub async fn reset_password(&self, username: &str, password: &str) -> Result<()> {
        self.allow_top(Action::ManageUsers)?;
        self.set_password(username, password, None).await
    }

    /// Stops an account (it cannot sign in; its sessions end) or lets it sign in again; admins
    /// only, and never their own account.
    pub async fn set_account_disabled(&self, username: &str, disabled: bool) -> Result<()> {
        self.allow_top(Action::ManageUsers)?;
        if disabled && username == self.actor.username {
            return Err(Error::Invalid("不能停用自己正在使用的账号".into()));
        }
        if !self.store.set_disabled(&self.actor.username, username, disabled).await? {
            return Err(Error::not_found("账号", username));
        }
        Ok(())
    }

    /// Every account (admins only).
    pub async fn users(&self) -> Result<Vec<User>> {
        self.allow_top(Action::ManageUsers)?;
        Ok(self.store.users().await?)
    }
}

impl Acting<'_> {
    /// The latest events of the audit trail, newest first (admins).
    pub async fn audit_trail(&self, limit: i64) -> Result<Vec<taizhang_core::audit::AuditEvent>> {
        self.allow_top(Action::ManageUsers)?;
        Ok(self.store.audit_events(limit).await?)
    }

    /// Recomputes every maintained roll-up from the ledger's rows and compares (admins): a
    /// difference is a write that did not keep them, or the database edited by hand.
    pub async fn verify_rollups(&self) -> Result<taizhang_store::RollupCheck> {
        self.allow_top(Action::ManageUsers)?;
        let check = self.store.verify_rollups().await?;
        if !check.differences.is_empty() {
            tracing::error!(differences = check.differences.len(), "roll-ups differ from the rows");
        }
        Ok(check)
    }

    /// Recomputes every roll-up from the rows (admins), after the database was edited by hand.
    pub async fn rebuild_rollups(&self) -> Result<()> {
        self.allow_top(Action::ManageUsers)?;
        Ok(self.store.rebuild_rollups().await?)
    }

    /// Recomputes the audit chain and every ledger figure's digest, records the result, and
    /// returns it (admins).
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn verify_audit(&self) -> Result<taizhang_store::AuditReport> {
        self.allow_top(Action::ManageUsers)?;
        let report = self.store.verify_audit(true).await?;
        if !report.is_clean() {
            tracing::error!(summary = %report.summary(), "audit verification found a break");
        }
        Ok(report)
    }

    /// The last verification: when, up to which event, what it found.
    pub async fn last_verification(&self) -> Result<Option<(String, i64, String)>> {
        self.allow_top(Action::ManageUsers)?;
        Ok(self.store.last_verification().await?)
    }
}

impl Acting<'_> {
    /// Records that an admin lifted an account's sign-in slowdown (the slowdown itself lives
    /// in the server's memory).
    pub async fn note_unlock(&self, username: &str) -> Result<()> {
        self.allow_top(Action::ManageUsers)?;
        let name: String = username.chars().take(64).collect();
        Ok(self.store.audit_alone(&self.actor.username, "user.unlock", &format!("user:{name}"), "解除登录限速").await?)
    }
}
