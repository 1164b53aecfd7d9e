//! Accounts: argon2id password hashes, a role, and the unit a unit role acts in.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sqlx::Row;
use taizhang_core::access::Role;

use crate::filter::Filtered;
use crate::ledger::unit_id;
use crate::{Result, Store, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit: Option<String>,
    /// Stopped by an admin: cannot sign in, and its sessions are gone.
    pub disabled: bool,
}

/// An account to create. The password is hashed before it reaches the database.
#[derive(Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub unit: Option<String>,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("role", &self.role)
            .field("unit", &self.unit)
            .field("password", &"***")
            .finish()
    }
}

/// A hash no password matches, verified for unknown accounts so that they take as long.
static UNKNOWN_ACCOUNT_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("no account has this password").unwrap_or_default());

/// An argon2id PHC string with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Password(e.to_string()))
}

/// Password hashing is slow on purpose: it runs on the blocking pool, two at a time, so that a
/// flood of sign-ins waits its turn instead of stalling the threads that answer requests.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

async fn verify_off_thread(password: &str, phc: String) -> bool {
    let Ok(_turn) = HASHING.acquire().await else { return false };
    let password = password.to_string();
    tokio::task::spawn_blocking(move || verify_password(&password, &phc)).await.unwrap_or(false)
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

impl Tx {
    /// Creates an account, or replaces its password, name, role and unit if it exists.
    pub async fn upsert_user(&mut self, user: &NewUser) -> Result<()> {
        taizhang_core::access::check_account(&user.username, user.role, user.unit.as_deref(), &user.password)?;
        let unit = match &user.unit {
            Some(code) => Some(unit_id(self.conn(), code).await?),
            None => None,
        };
        sqlx::query(
            "INSERT INTO users (username, display_name, password_hash, role, unit_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name,
                 password_hash = excluded.password_hash, role = excluded.role, unit_id = excluded.unit_id",
        )
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(hash_password(&user.password)?)
        .bind(user.role.code())
        .bind(unit)
        .bind(crate::now_iso())
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Store {
    /// The account when the password matches, else none (no hint which part was wrong).
    pub async fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>> {
        // A stopped account is checked like an unknown one: the same time, the same answer.
        let row = sqlx::query("SELECT password_hash FROM users WHERE username = $1 AND disabled_at IS NULL")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        // An unknown account is checked against a hash no password matches, so that the
        // answer takes as long as a wrong password and does not tell which accounts exist.
        let stored = match &row {
            Some(r) => Some(r.try_get::<String, _>(0)?),
            None => None,
        };
        let phc = stored.unwrap_or_else(|| UNKNOWN_ACCOUNT_HASH.clone());
        let matches = verify_off_thread(password, phc).await && row.is_some();
        if matches { self.user(username).await } else { Ok(None) }
    }

    pub async fn user(&self, username: &str) -> Result<Option<User>> {
        let rows = self.users_where(Some(username)).await?;
        Ok(rows.into_iter().next())
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        self.users_where(None).await
    }

    async fn users_where(&self, username: Option<&str>) -> Result<Vec<User>> {
        let q = Filtered::new(
            "SELECT s.username, s.display_name, s.role, u.code AS unit_code, s.disabled_at FROM users s
             LEFT JOIN org_units u ON u.id = s.unit_id WHERE 1 = 1",
            vec![],
        )
        .and_eq("s.username", username)
        .then("ORDER BY s.username");
        let q = q.query();
        self.read_rows(q, |r| {
            Ok(User {
                username: r.try_get("username")?,
                display_name: r.try_get("display_name")?,
                role: r.try_get::<String, _>("role")?.parse()?,
                unit: r.try_get("unit_code")?,
                disabled: r.try_get::<Option<String>, _>("disabled_at")?.is_some(),
            })
        })
        .await
    }
}

/// Sessions one account may hold at once (browsers, devices); signing in again ends the oldest.
pub const MAX_SESSIONS: usize = 10;

/// A signed-in browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub user: User,
    pub csrf: String,
}

impl Store {
    /// Stores a new session (ids and tokens are the caller's random strings).
    /// The account's older sessions beyond [`MAX_SESSIONS`] and its expired ones end with it.
    pub async fn create_session(&self, id: &str, username: &str, csrf: &str, expires_at: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        // To the microsecond: sessions opened within one second still have an order.
        let now = crate::now_iso_micros();
        tx.execute(
            "INSERT INTO sessions (id, username, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            vec![id.into(), username.into(), csrf.into(), now.into(), expires_at.into()],
        )
        .await?;
        tx.execute(
            "DELETE FROM sessions WHERE username = $1 AND expires_at <= $2",
            vec![username.into(), crate::now_iso().into()],
        )
        .await?;
        tx.execute(
            "DELETE FROM sessions WHERE username = $1 AND id NOT IN
                 (SELECT id FROM sessions WHERE username = $1 ORDER BY created_at DESC, id DESC LIMIT $2)",
            vec![username.into(), (MAX_SESSIONS as i64).into()],
        )
        .await?;
        tx.commit().await
    }

    /// The live session with this id, if any (expired ones are gone).
    pub async fn session(&self, id: &str, now: &str) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT s.username, s.csrf, a.display_name, a.role, u.code AS unit_code FROM sessions s
             JOIN users a ON a.username = s.username LEFT JOIN org_units u ON u.id = a.unit_id
             WHERE s.id = $1 AND s.expires_at > $2 AND a.disabled_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let user = User {
            username: r.try_get("username")?,
            display_name: r.try_get("display_name")?,
            role: r.try_get::<String, _>("role")?.parse()?,
            unit: r.try_get("unit_code")?,
            disabled: false,
        };
        Ok(Some(Session { id: id.to_string(), user, csrf: r.try_get("csrf")? }))
    }

    /// Ends an account's sessions, all but `keep` (the one changing its password).
    pub async fn end_sessions(&self, username: &str, keep: Option<&str>) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE username = $1 AND id <> $2")
            .bind(username)
            .bind(keep.unwrap_or(""))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stops an account (its sessions end with it) or lets it sign in again, in one write
    /// with its audit event. False when there is no such account.
    pub async fn set_disabled(&self, actor: &str, username: &str, disabled: bool) -> Result<bool> {
        if self.user(username).await?.is_none() {
            return Ok(false);
        }
        let mut tx = self.begin().await?;
        let at = disabled.then(crate::now_iso);
        tx.execute("UPDATE users SET disabled_at = $1 WHERE username = $2", vec![at.into(), username.into()]).await?;
        if disabled {
            tx.execute("DELETE FROM sessions WHERE username = $1", vec![username.into()]).await?;
        }
        let (action, words) = if disabled { ("user.disable", "停用") } else { ("user.enable", "启用") };
        tx.audit(actor, action, &format!("user:{username}"), words);
        tx.changes_no_figures();
        tx.commit().await?;
        Ok(true)
    }

    pub async fn delete_session(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }
}

impl Store {
    /// Failed sign-ins under `key` since `since_secs` (seconds since 1970).
    pub async fn signin_failures(&self, key: &str, since_secs: i64) -> Result<usize> {
        let row = sqlx::query("SELECT COUNT(*) FROM signin_failures WHERE key = $1 AND at_secs > $2")
            .bind(key)
            .bind(since_secs)
            .fetch_one(&self.pool)
            .await?;
        Ok(usize::try_from(row.try_get::<i64, _>(0)?).unwrap_or(0))
    }

    /// Records a failed sign-in under each key, forgetting those older than `forget_before`.
    pub async fn note_signin_failure(&self, keys: &[&str], at_secs: i64, forget_before: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM signin_failures WHERE at_secs <= $1").bind(forget_before).execute(&mut *tx).await?;
        for key in keys {
            sqlx::query("INSERT INTO signin_failures (key, at_secs) VALUES ($1, $2)")
                .bind(*key)
                .bind(at_secs)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Forgets the failed sign-ins under `key` (a sign-in succeeded, or an admin lifted it).
    pub async fn clear_signin_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM signin_failures WHERE key = $1").bind(key).execute(&self.pool).await?;
        Ok(())
    }
}
