//! 催报 and 催办: which reminders are due on a day — a round's due date nearing or passed
//! for a unit that still owes, an order's deadline nearing or passed — each with a key that
//! makes it one reminder however often the job runs, and where each unit's go (e-mail, a
//! 企业微信 or 钉钉 group robot).

use serde::Deserialize;

use crate::error::DomainError;
use crate::project::Date;
use crate::supervision::{Order, OrderState};
use crate::workflow::{Round, RoundStatus, UnitStanding};

/// `[reminders]`: where reminders go and when.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RemindConfig {
    /// Days before a round's due date (or an order's deadline) a reminder goes out.
    pub days_before: i64,
    /// The mail relay; no mail is sent without one.
    pub smtp: Option<SmtpConfig>,
    /// Attempts before a reminder is given up (each failure waits twice as long as the last).
    pub max_attempts: i64,
    /// Seconds before the first retry.
    pub retry_after_secs: i64,
    /// Where each unit's reminders go.
    pub units: Vec<UnitContacts>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// The sender, e.g. "台账系统 <taizhang@erqi.gov.cn>".
    pub from: String,
}

fn default_smtp_port() -> u16 {
    25
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitContacts {
    /// Unit code.
    pub unit: String,
    #[serde(default)]
    pub emails: Vec<String>,
    /// A 企业微信 or 钉钉 group robot's URL (both take the same text message).
    #[serde(default)]
    pub webhook: Option<String>,
}

impl Default for RemindConfig {
    fn default() -> Self {
        Self { days_before: 2, smtp: None, max_attempts: 8, retry_after_secs: 60, units: vec![] }
    }
}

impl RemindConfig {
    /// Addresses that can be used at all: a webhook is http(s), an e-mail has an @.
    pub fn check(&self) -> Result<(), DomainError> {
        for u in &self.units {
            if let Some(url) = &u.webhook
                && !(url.starts_with("http://") || url.starts_with("https://"))
            {
                return Err(DomainError::Invalid(format!(
                    "配置文件：单位 {} 的 webhook 地址“{url}”不是 http(s) 地址",
                    u.unit
                )));
            }
            if let Some(bad) = u.emails.iter().find(|e| !e.contains('@') || e.contains(char::is_whitespace)) {
                return Err(DomainError::Invalid(format!("配置文件：单位 {} 的邮箱“{bad}”格式不对", u.unit)));
            }
        }
        if self.max_attempts < 1 || self.retry_after_secs < 1 {
            return Err(DomainError::Invalid("配置文件：max_attempts 与 retry_after_secs 应为正数".into()));
        }
        Ok(())
    }

    /// Where a unit's reminders go: (channel, target) pairs.
    pub fn targets(&self, unit: &str) -> Vec<(Channel, String)> {
        let Some(c) = self.units.iter().find(|c| c.unit == unit) else { return vec![] };
        let mut out: Vec<(Channel, String)> = c.emails.iter().map(|e| (Channel::Email, e.clone())).collect();
        out.extend(c.webhook.iter().map(|w| (Channel::Webhook, w.clone())));
        out
    }
}

coded_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Channel ("提醒渠道") {
        Email = "email" / "邮件",
        Webhook = "webhook" / "群机器人",
    }
}

/// A reminder due: the same key is the same reminder, sent once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub key: String,
    pub unit: String,
    pub subject: String,
    pub body: String,
}

/// 催报: for each open round, each unit still owing — two days before the due date, and
/// once overdue.
pub fn round_reminders(round: &Round, standings: &[UnitStanding], today: Date, cfg: &RemindConfig) -> Vec<Reminder> {
    if round.status != RoundStatus::Open {
        return vec![];
    }
    let soon = round.due.plus_days(-cfg.days_before).unwrap_or(round.due);
    standings
        .iter()
        .filter(|s| s.sent < s.owed)
        .filter_map(|s| {
            let stage = if today > round.due {
                "overdue"
            } else if today >= soon {
                "due"
            } else {
                return None;
            };
            Some(round_reminder(round, s, today, stage))
        })
        .collect()
}

/// The 催报 to one unit owing in a round: by `stage` (due, overdue, or `manual` — an admin's
/// 催报 from 管理, once a day), its key making it one reminder.
pub fn round_reminder(round: &Round, s: &UnitStanding, today: Date, stage: &str) -> Reminder {
    let what = format!("{}{}", round.period.label_zh(false), round.form.label_zh());
    let left = s.owed.saturating_sub(s.sent);
    let (key, subject) = match stage {
        "overdue" => (format!("round:{}:{}:overdue", round.id, s.unit), format!("【催报】{what}已逾期")),
        "due" => (format!("round:{}:{}:due", round.id, s.unit), format!("【催报】{what}将于{}截止", round.due)),
        _ => (format!("round:{}:{}:{stage}:{today}", round.id, s.unit), format!("【催报】{what}")),
    };
    Reminder {
        key,
        unit: s.unit.clone(),
        body: format!("{}：{what}截止日期{}，尚有{left}项未报送，请及时填报。", s.name, round.due),
        subject,
    }
}

/// 催办: an order not closed, its deadline nearing or passed (each stage once per deadline,
/// so an extension earns a new reminder).
pub fn order_reminders(order: &Order, unit_name: &str, today: Date, cfg: &RemindConfig) -> Option<Reminder> {
    if order.state == OrderState::Closed {
        return None;
    }
    let soon = order.deadline.plus_days(-cfg.days_before).unwrap_or(order.deadline);
    let (stage, subject) = if today > order.deadline {
        ("overdue", format!("【催办】{}已逾期", order.number()))
    } else if today >= soon {
        ("due", format!("【催办】{}将于{}到期", order.number(), order.deadline))
    } else {
        return None;
    };
    Some(Reminder {
        key: format!("order:{}:{}:{stage}", order.id, order.deadline),
        unit: order.unit.clone(),
        body: format!(
            "{unit_name}：督办事项“{}”办理时限{}，当前状态：{}，请抓紧办理并反馈。",
            order.title,
            order.deadline,
            order.state.label_zh()
        ),
        subject,
    })
}

/// The JSON a 企业微信 or 钉钉 group robot takes: a text message.
pub fn webhook_text(subject: &str, body: &str) -> String {
    serde_json::json!({"msgtype": "text", "text": {"content": format!("{subject}\n{body}")}}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::Period;
    use crate::workflow::Form;

    fn day(m: u8, d: u8) -> Date {
        Date::new(2018, m, d).unwrap()
    }

    fn standing(sent: usize) -> UnitStanding {
        UnitStanding {
            unit: "erqi-zjj".into(),
            name: "区住房城乡建设局".into(),
            owed: 9,
            sent,
            by_state: vec![],
            overdue: false,
            late: false,
        }
    }

    #[test]
    fn a_unit_that_owes_is_reminded_before_the_due_date_and_once_overdue() {
        let cfg = RemindConfig::default();
        let round = Round {
            id: 7,
            period: Period::Month(2018, 6),
            form: Form::ProjectProgress,
            due: day(6, 25),
            status: RoundStatus::Open,
        };
        assert!(round_reminders(&round, &[standing(0)], day(6, 22), &cfg).is_empty(), "not yet");
        let due = round_reminders(&round, &[standing(3)], day(6, 23), &cfg);
        assert_eq!(due[0].key, "round:7:erqi-zjj:due");
        assert_eq!(due[0].subject, "【催报】2018年6月项目进度将于2018-06-25截止");
        assert_eq!(due[0].body, "区住房城乡建设局：2018年6月项目进度截止日期2018-06-25，尚有6项未报送，请及时填报。");
        assert_eq!(round_reminders(&round, &[standing(3)], day(6, 26), &cfg)[0].key, "round:7:erqi-zjj:overdue");
        assert!(round_reminders(&round, &[standing(9)], day(6, 26), &cfg).is_empty(), "all sent");
        let closed = Round { status: RoundStatus::Closed, ..round };
        assert!(round_reminders(&closed, &[standing(0)], day(6, 26), &cfg).is_empty());
    }

    #[test]
    fn webhook_urls_must_be_http_and_the_robot_text_is_escaped_json() {
        let bad = RemindConfig {
            units: vec![UnitContacts { unit: "erqi-zjj".into(), emails: vec![], webhook: Some("ftp://x".into()) }],
            ..RemindConfig::default()
        };
        assert!(bad.check().unwrap_err().to_string().contains("不是 http(s) 地址"));
        let text = webhook_text("【催报】\"6月\"", "第一行\n第二行");
        assert_eq!(text, r#"{"msgtype":"text","text":{"content":"【催报】\"6月\"\n第一行\n第二行"}}"#);
    }
}
