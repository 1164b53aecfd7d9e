//! The reminder outbox: one row per reminder key and target, so a reminder is queued once
//! however often it is planned (and across restarts), and each send attempt is recorded.

use sqlx::Row;
use taizhang_core::remind::Channel;

use crate::{Result, Store, Tx};

/// A queued reminder and how its sending went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub id: i64,
    pub key: String,
    pub channel: Channel,
    pub target: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    pub attempts: i64,
    pub next_at: String,
    pub sent_at: Option<String>,
    pub last_error: String,
}

const SELECT: &str = "SELECT id, reminder_key, channel, target, subject, body, created_at, attempts, next_at, sent_at,
    last_error FROM reminders";

fn outgoing(r: &sqlx::any::AnyRow) -> Result<Outgoing> {
    Ok(Outgoing {
        id: r.try_get("id")?,
        key: r.try_get("reminder_key")?,
        channel: r.try_get::<String, _>("channel")?.parse()?,
        target: r.try_get("target")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        created_at: r.try_get("created_at")?,
        attempts: r.try_get("attempts")?,
        next_at: r.try_get("next_at")?,
        sent_at: r.try_get("sent_at")?,
        last_error: r.try_get("last_error")?,
    })
}

impl Store {
    /// Reminders not yet sent whose next attempt is due by `now` and that have attempts left.
    pub async fn due_reminders(&self, now: &str, max_attempts: i64) -> Result<Vec<Outgoing>> {
        let sql = format!("{SELECT} WHERE sent_at IS NULL AND next_at <= $1 AND attempts < $2 ORDER BY id");
        self.read_rows(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now).bind(max_attempts), outgoing).await
    }

    /// The latest reminders, newest first (the admins' log).
    pub async fn reminder_log(&self, limit: i64) -> Result<Vec<Outgoing>> {
        let sql = format!("{SELECT} ORDER BY id DESC LIMIT $1");
        self.read_rows(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit), outgoing).await
    }
}

impl Tx {
    /// Queues a reminder to one target unless that key was queued before; true when queued now.
    pub async fn enqueue_reminder(
        &mut self,
        key: &str,
        channel: Channel,
        target: &str,
        subject: &str,
        body: &str,
        now: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO reminders (reminder_key, channel, target, subject, body, created_at, attempts, next_at, last_error)
             VALUES ($1, $2, $3, $4, $5, $6, 0, $6, '') ON CONFLICT (reminder_key) DO NOTHING",
        )
        .bind(key)
        .bind(channel.code())
        .bind(target)
        .bind(subject)
        .bind(body)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records one attempt: sent at `now`, or failed with the error and the next try's time.
    pub async fn record_attempt(&mut self, id: i64, now: &str, failed: Option<(&str, &str)>) -> Result<()> {
        match failed {
            None => {
                self.execute(
                    "UPDATE reminders SET attempts = attempts + 1, sent_at = $1, last_error = '' WHERE id = $2",
                    vec![now.into(), id.into()],
                )
                .await
            }
            Some((error, next_at)) => {
                self.execute(
                    "UPDATE reminders SET attempts = attempts + 1, last_error = $1, next_at = $2 WHERE id = $3",
                    vec![error.into(), next_at.into(), id.into()],
                )
                .await
            }
        }
    }
}
