//! The monthly reporting cycle: rounds, the forms they ask for, and the states a reported
//! record passes through — draft → submitted → approved (unit) → accepted (district), or
//! returned with a reason; locked when the round closes.

use std::fmt;

use rust_decimal::Decimal;

use crate::error::DomainError;
use crate::period::Period;
use crate::project::Date;

coded_enum! {
    /// What a round asks units to report.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Form ("填报表") {
        ProjectProgress = "projects" / "项目进度",
        TaskProgress = "tasks" / "重点工作进度",
        IndicatorValues = "indicators" / "指标数据",
    }
}

impl fmt::Display for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The default due date of a round: the 25th of the period's (last) month.
pub fn default_due(period: Period) -> Date {
    let p = period.closing_month();
    Date::new(p.year(), p.month_of_year(), 25).unwrap_or(Date { year: p.year(), month: p.month_of_year(), day: 25 })
}

coded_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum EntryState ("记录状态") {
        Draft = "draft" / "草稿",
        Submitted = "submitted" / "已上报",
        Approved = "approved" / "单位已审核",
        Accepted = "accepted" / "区级已通过",
        Returned = "returned" / "已退回",
        Locked = "locked" / "已锁定",
    }
}

impl EntryState {
    /// Whether the reporter may still change the figures.
    pub fn editable(self) -> bool {
        matches!(self, EntryState::Draft | EntryState::Returned)
    }
}

/// What can happen to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Submit,
    Approve,
    Accept,
    Return,
    Lock,
    Reopen,
}

impl Event {
    pub fn label_zh(self) -> &'static str {
        match self {
            Event::Submit => "上报",
            Event::Approve => "单位审核",
            Event::Accept => "区级审核通过",
            Event::Return => "退回",
            Event::Lock => "锁定",
            Event::Reopen => "重新开放",
        }
    }
}

/// The state machine of a reported record. A return needs a reason; the caller records it.
pub fn transition(from: EntryState, event: Event) -> Result<EntryState, DomainError> {
    use EntryState::*;
    let to = match (from, event) {
        (Draft | Returned, Event::Submit) => Submitted,
        (Submitted, Event::Approve) => Approved,
        (Approved, Event::Accept) => Accepted,
        (Submitted | Approved, Event::Return) => Returned,
        (s, Event::Lock) if s != Locked => Locked,
        (Locked, Event::Reopen) => Returned,
        _ => {
            return Err(DomainError::Invalid(format!("{}状态的记录不能{}", from.label_zh(), event.label_zh())));
        }
    };
    Ok(to)
}

/// 职责分离: may `actor` take a record a step further, given who has already handled it
/// (`drafted` wrote its figures or submitted it, `approved` approved it)? A refusal names why.
pub fn separation_breach(event: Event, actor: &str, drafted: &[String], approved: &[String]) -> Option<String> {
    let did = |list: &[String]| list.iter().any(|a| a == actor);
    match event {
        Event::Approve | Event::Accept if did(drafted) => {
            Some(format!("职责分离：{actor} 填报或上报了该记录，不能再{}", event.label_zh()))
        }
        Event::Accept if did(approved) => Some(format!("职责分离：{actor} 已单位审核该记录，不能再区级审核")),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundStatus {
    Open,
    Closed,
}

/// A monthly reporting round: what units owe for a period and form, and by when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub id: i64,
    pub period: Period,
    pub form: Form,
    pub due: Date,
    pub status: RoundStatus,
}

/// What a unit reports for one subject (a project, task or indicator) in a round.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryFigures {
    pub month_wan: Option<Decimal>,
    pub ytd_wan: Option<Decimal>,
    pub since_start_wan: Option<Decimal>,
    /// Indicator value, in the indicator's base unit.
    pub value: Option<Decimal>,
    pub growth: Option<Decimal>,
    /// Task completion, percent.
    pub percent: Option<Decimal>,
    /// 形象进度, task progress text, or a value's note.
    pub text: String,
    pub problems: String,
}

/// One unit's record of one subject in a round, in its workflow state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub round_id: i64,
    pub unit: String,
    pub subject: String,
    pub state: EntryState,
    pub version: i64,
    pub figures: EntryFigures,
    /// The reporter's 说明 when a rule failed and they submitted anyway.
    pub explanation: String,
    /// The rule failures the 说明 answers, for reviewers.
    pub failures: String,
    /// Why the record was last returned (退回原因), shown to the reporter while it is returned.
    pub return_reason: Option<String>,
}

/// One unit's standing in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitStanding {
    pub unit: String,
    pub name: String,
    pub owed: usize,
    /// Owed subjects reported: submitted (or further), or already in the ledger by import.
    pub sent: usize,
    pub by_state: Vec<(EntryState, usize)>,
    /// Past the due date with something owed not yet submitted.
    pub overdue: bool,
    /// Something was submitted after the due date.
    pub late: bool,
}

/// Of the units that owe something in a round, how many have reported all of it, and how
/// many owe: (reported, owing).
pub fn reported_units(standings: &[UnitStanding]) -> (usize, usize) {
    let owing = standings.iter().filter(|u| u.owed > 0);
    let reported = owing.clone().filter(|u| u.sent >= u.owed).count();
    (reported, owing.count())
}

/// A transition of a record, as the audit trail shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub actor: String,
    pub at: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

impl Transition {
    /// The step as a sentence people read, in the office's time zone, by `who` (the actor as
    /// people know them): "2018年6月5日 14:03 区住建局 张三 上报（说明）".
    pub fn sentence(&self, zone: &crate::config::Zone, who: &str) -> String {
        let state = |code: &str| code.parse::<EntryState>().ok();
        let what = match (state(&self.from), state(&self.to)) {
            // A draft's own changes carry their words ("新建草稿：…", "修改：… → …"), as do
            // changes made to a record where it is (a reviewer's scores).
            (_, Some(EntryState::Draft)) if !self.reason.is_empty() => self.reason.clone(),
            (from, to) if from == to && !self.reason.is_empty() => self.reason.clone(),
            (_, Some(EntryState::Submitted)) => "上报".into(),
            (_, Some(EntryState::Approved)) => "单位审核通过".into(),
            (_, Some(EntryState::Accepted)) => "区级审核通过".into(),
            (_, Some(EntryState::Returned)) => "退回".into(),
            (_, Some(EntryState::Locked)) => "锁定".into(),
            (Some(from), Some(to)) => format!("{}→{}", from.label_zh(), to.label_zh()),
            _ => format!("{}→{}", self.from, self.to),
        };
        let reason = match self.to.parse::<EntryState>() {
            Ok(EntryState::Draft) | Err(_) => String::new(),
            Ok(_) if self.from == self.to => String::new(),
            Ok(_) if self.reason.is_empty() => String::new(),
            Ok(_) => format!("（{}）", self.reason),
        };
        format!("{} {who} {what}{reason}", crate::report::local_time(&self.at, zone))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntryState::*;

    #[test]
    fn records_move_through_the_cycle_and_refuse_shortcuts() {
        let allowed = [
            (Draft, Event::Submit, Submitted),
            (Returned, Event::Submit, Submitted),
            (Submitted, Event::Approve, Approved),
            (Approved, Event::Accept, Accepted),
            (Submitted, Event::Return, Returned),
            (Approved, Event::Return, Returned),
            (Draft, Event::Lock, Locked),
            (Accepted, Event::Lock, Locked),
            (Locked, Event::Reopen, Returned),
        ];
        for (from, event, to) in allowed {
            assert_eq!(transition(from, event).unwrap(), to, "{from:?} {event:?}");
        }
        let refused = [
            (Draft, Event::Approve),
            (Draft, Event::Accept),
            (Submitted, Event::Accept),
            (Accepted, Event::Return),
            (Accepted, Event::Submit),
            (Locked, Event::Submit),
            (Locked, Event::Lock),
            (Draft, Event::Reopen),
        ];
        for (from, event) in refused {
            let err = transition(from, event).unwrap_err().to_string();
            assert!(err.contains(from.label_zh()), "{from:?} {event:?}: {err}");
        }
        assert!(Draft.editable() && Returned.editable() && !Submitted.editable());
    }

    #[test]
    fn rounds_are_due_on_the_25th_of_their_month() {
        assert_eq!(default_due(Period::Month(2018, 6)).to_string(), "2018-06-25");
        assert_eq!(default_due(Period::Quarter(2018, 2)).to_string(), "2018-06-25");
        assert_eq!("项目进度".parse::<Form>().unwrap(), Form::ProjectProgress);
    }

    #[test]
    fn a_records_steps_read_as_sentences_in_beijing_time() {
        let step = |from: &str, to: &str, reason: &str| Transition {
            actor: "zjj_reporter".into(),
            at: "2018-06-05T06:03:00Z".into(),
            from: from.into(),
            to: to.into(),
            reason: reason.into(),
        };
        let beijing = crate::config::Zone::default();
        let said = |t: Transition| t.sentence(&beijing, "区住建局 张三");
        assert_eq!(
            said(step("draft", "draft", "新建草稿：累计60000万元")),
            "2018年6月5日 14:03 区住建局 张三 新建草稿：累计60000万元"
        );
        assert_eq!(said(step("draft", "submitted", "")), "2018年6月5日 14:03 区住建局 张三 上报");
        assert_eq!(
            said(step("submitted", "returned", "补充说明")),
            "2018年6月5日 14:03 区住建局 张三 退回（补充说明）"
        );
        assert_eq!(said(step("approved", "accepted", "")), "2018年6月5日 14:03 区住建局 张三 区级审核通过");
        assert_eq!(
            said(step("submitted", "submitted", "党(工)委评定：2.1 8分")),
            "2018年6月5日 14:03 区住建局 张三 党(工)委评定：2.1 8分",
            "a change where the record is says what changed"
        );
        // Another office's zone, configured.
        let urumqi = crate::config::Zone::named("Asia/Urumqi").unwrap();
        assert_eq!(step("draft", "submitted", "").sentence(&urumqi, "张三"), "2018年6月5日 12:03 张三 上报");
    }
}
