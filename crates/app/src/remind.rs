//! 催报 and 催办 sent: the day's reminders planned into the outbox (once per key, so a restart
//! sends nothing twice), then each due one sent by mail or to a group robot; a failure is
//! recorded and tried again later, twice as long after each failure, and never holds up a
//! request — the sending is `serve`'s background job.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use taizhang_core::access::Action;
use taizhang_core::project::Date;
use taizhang_core::remind::{
    Channel, RemindConfig, Reminder, order_reminders, round_reminder, round_reminders, webhook_text,
};
use taizhang_core::workflow::{Round, RoundStatus};
use taizhang_store::Outgoing;

use crate::{Acting, Error, Result};

/// How long one send may take before it counts as failed.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// What one delivery pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub failed: usize,
}

impl crate::App {
    /// `serve`'s reminder job: every `every`, plan today's reminders and send the due ones, as
    /// the `admin` account. A failure is logged and tried again next time.
    pub async fn remind_every(self, every: Duration) {
        loop {
            // One server a round, when several share the database.
            if !self.lease("remind", every).await.unwrap_or(false) {
                tokio::time::sleep(every).await;
                continue;
            }
            let pass = async {
                let admin = self.as_user(crate::admin::ADMIN).await?;
                let queued = admin.plan_reminders(crate::clock::today()).await?;
                Ok::<_, Error>((queued, admin.deliver_reminders(now_seconds()).await?))
            };
            match pass.await {
                Ok((queued, d)) if queued > 0 || d.sent > 0 || d.failed > 0 => {
                    tracing::info!(queued, sent = d.sent, failed = d.failed, "reminders")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "planning or sending reminders failed; trying again later"),
            }
            tokio::time::sleep(every).await;
        }
    }
}

/// Seconds since 1970 now.
pub fn now_seconds() -> u64 {
    u64::try_from(jiff::Timestamp::now().as_second()).unwrap_or(0)
}

impl Acting<'_> {
    /// Queues the reminders due on `today`: units owing in open rounds, orders near or past
    /// their deadline — each key once, to each of the unit's configured targets. Returns how
    /// many were queued now.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn plan_reminders(&self, today: Date) -> Result<usize> {
        self.allow_top(Action::OpenRound)?;
        let cfg = &self.config.reminders;
        let mut due: Vec<Reminder> = Vec::new();
        for round in self.rounds().await?.into_iter().filter(|r| r.status == RoundStatus::Open) {
            let standings = self.round_status(&round, today).await?;
            due.extend(round_reminders(&round, &standings, today, cfg));
        }
        for order in self.orders(None).await? {
            due.extend(order_reminders(&order, &self.unit_name(&order.unit), today, cfg));
        }
        self.enqueue(&due).await
    }

    /// An admin's 催报 of one unit owing in a round, now (once a day a unit): queued to each
    /// of the unit's configured targets and sent by the next delivery. Returns how many were
    /// queued; a unit with nothing owing, or without a configured target, is an error saying so.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, unit = %unit))]
    pub async fn remind_unit(&self, round: &Round, unit: &str, today: Date) -> Result<usize> {
        self.allow_top(Action::OpenRound)?;
        let standing = self
            .round_status(round, today)
            .await?
            .into_iter()
            .find(|s| s.unit == unit)
            .ok_or_else(|| Error::Invalid(format!("{}在本轮没有应报事项", self.unit_name(unit))))?;
        if standing.sent >= standing.owed {
            return Err(Error::Invalid(format!("{}已全部报送，无需催报", standing.name)));
        }
        if self.config.reminders.targets(unit).is_empty() {
            return Err(Error::Invalid(format!(
                "{}没有配置催报渠道（配置文件 [reminders] 中的邮箱或企业微信、钉钉机器人）",
                standing.name
            )));
        }
        self.enqueue(&[round_reminder(round, &standing, today, "manual")]).await
    }

    /// Queues reminders to each of their units' targets, each key once, in one transaction.
    async fn enqueue(&self, due: &[Reminder]) -> Result<usize> {
        let now = Date::iso_timestamp(now_seconds());
        let mut queued = 0;
        let mut tx = self.store.begin().await?;
        for r in due {
            for (channel, target) in self.config.reminders.targets(&r.unit) {
                let key = format!("{}|{}:{target}", r.key, channel.code());
                queued += usize::from(tx.enqueue_reminder(&key, channel, &target, &r.subject, &r.body, &now).await?);
            }
        }
        // 催报 is about figures, not one of them: no dashboard kept is stale for it.
        tx.changes_no_figures();
        tx.commit().await?;
        Ok(queued)
    }

    /// Sends every queued reminder due by `now` (seconds since 1970): each attempt recorded, a
    /// failure rescheduled with backoff until the configured attempts run out.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn deliver_reminders(&self, now: u64) -> Result<Delivered> {
        self.allow_top(Action::OpenRound)?;
        let cfg = &self.config.reminders;
        let at = Date::iso_timestamp(now);
        let mut done = Delivered::default();
        let due = self.store.due_reminders(&at, cfg.max_attempts).await?;
        if due.is_empty() {
            return Ok(done);
        }
        // One client (and its connections) for the whole pass.
        let http = http_client().timeout(SEND_TIMEOUT).build().map_err(|e| Error::Invalid(e.to_string()))?;
        for r in due {
            let outcome = send(cfg, &http, &r).await;
            let mut tx = self.store.begin().await?;
            match outcome {
                Ok(()) => {
                    tx.record_attempt(r.id, &at, None).await?;
                    done.sent += 1;
                }
                Err(e) => {
                    // 60 s, 120 s, 240 s … after the first, second, third failure.
                    let wait = cfg.retry_after_secs.saturating_mul(1 << r.attempts.clamp(0, 20));
                    let next = Date::iso_timestamp(now + u64::try_from(wait).unwrap_or(u64::MAX / 2));
                    let error = format!("第{}次发送失败：{e}", r.attempts + 1);
                    tracing::warn!(reminder = r.id, target = %r.target, error = %error, next = %next, "reminder not sent");
                    tx.record_attempt(r.id, &at, Some((&error, &next))).await?;
                    done.failed += 1;
                }
            }
            tx.changes_no_figures();
            tx.commit().await?;
        }
        Ok(done)
    }

    /// The latest reminders with how their sending went (admins).
    pub async fn reminder_log(&self, limit: i64) -> Result<Vec<Outgoing>> {
        self.allow_top(Action::OpenRound)?;
        Ok(self.store.reminder_log(limit).await?)
    }
}

/// An HTTP(S) client builder with the process's TLS provider installed (ring; once — a
/// second install is refused, harmlessly). Every reqwest client of the program starts here.
pub fn http_client() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

async fn send(cfg: &RemindConfig, http: &reqwest::Client, r: &Outgoing) -> std::result::Result<(), String> {
    match r.channel {
        Channel::Email => {
            let smtp = cfg.smtp.as_ref().ok_or("未配置邮件服务器（reminders.smtp）")?;
            let message = Message::builder()
                .from(smtp.from.parse().map_err(|e| format!("发件人地址“{}”有误：{e}", smtp.from))?)
                .to(r.target.parse().map_err(|e| format!("收件人地址“{}”有误：{e}", r.target))?)
                .subject(&r.subject)
                .header(ContentType::TEXT_PLAIN)
                .body(r.body.clone())
                .map_err(|e| e.to_string())?;
            let mailer = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
                .port(smtp.port)
                .timeout(Some(SEND_TIMEOUT))
                .build();
            mailer.send(message).await.map(|_| ()).map_err(|e| format!("邮件服务器 {}:{}：{e}", smtp.host, smtp.port))
        }
        Channel::Webhook => {
            let answer = http
                .post(&r.target)
                .header("content-type", "application/json")
                .body(webhook_text(&r.subject, &r.body))
                .send()
                .await
                .map_err(|e| format!("群机器人 {}：{e}", r.target))?;
            if answer.status().is_success() {
                Ok(())
            } else {
                Err(format!("群机器人 {} 答复 {}", r.target, answer.status()))
            }
        }
    }
}
