//! Problems (问题清单) and their escalation, and 督办 orders: issue → sign (签收) → handle →
//! feedback → review → close, or return for rework; with extension requests.

use crate::config::LightConfig;
use crate::error::DomainError;
use crate::project::Date;

coded_enum! {
    /// Who answers for an unresolved problem: it climbs when it stays overdue.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum ProblemLevel ("问题层级") {
        Unit = "unit" / "责任单位",
        LeadLeader = "lead_leader" / "分包领导",
        District = "district" / "区级",
    }
}

impl ProblemLevel {
    fn next(self) -> Option<Self> {
        match self {
            ProblemLevel::Unit => Some(ProblemLevel::LeadLeader),
            ProblemLevel::LeadLeader => Some(ProblemLevel::District),
            ProblemLevel::District => None,
        }
    }
}

/// An open problem past its deadline climbs one level and gets a new deadline; none when it
/// is resolved, not yet due, or already at the top.
pub fn escalation(
    level: ProblemLevel,
    deadline: Date,
    resolved: bool,
    today: Date,
    cfg: &LightConfig,
) -> Option<(ProblemLevel, Date)> {
    if resolved || today <= deadline {
        return None;
    }
    let next = level.next()?;
    Some((next, today.plus_days(cfg.escalation_days).ok()?))
}

coded_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum OrderState ("督办状态") {
        Issued = "issued" / "已下达",
        Signed = "signed" / "已签收办理中",
        Feedback = "feedback" / "已反馈待审核",
        Returned = "returned" / "退回重办",
        Closed = "closed" / "已办结",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEvent {
    Sign,
    Feedback,
    Close,
    ReturnForRework,
}

impl OrderEvent {
    pub fn label_zh(self) -> &'static str {
        match self {
            OrderEvent::Sign => "签收",
            OrderEvent::Feedback => "反馈",
            OrderEvent::Close => "审核办结",
            OrderEvent::ReturnForRework => "退回重办",
        }
    }
}

pub fn order_transition(from: OrderState, event: OrderEvent) -> Result<OrderState, DomainError> {
    use OrderState::*;
    match (from, event) {
        (Issued, OrderEvent::Sign) => Ok(Signed),
        (Signed | Returned, OrderEvent::Feedback) => Ok(Feedback),
        (Feedback, OrderEvent::Close) => Ok(Closed),
        (Feedback, OrderEvent::ReturnForRework) => Ok(Returned),
        _ => Err(DomainError::Invalid(format!("{}的督办不能{}", from.label_zh(), event.label_zh()))),
    }
}

/// An extension must be asked for before the deadline and move it later.
pub fn check_extension_request(today: Date, deadline: Date, new_deadline: Date) -> Result<(), DomainError> {
    if today > deadline {
        return Err(DomainError::Invalid(format!("延期须在办理时限（{deadline}）之前申请")));
    }
    if new_deadline <= deadline {
        return Err(DomainError::Invalid(format!("申请的新时限（{new_deadline}）应晚于原时限（{deadline}）")));
    }
    Ok(())
}

/// A problem raised on a project, with who answers for it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemRecord {
    pub id: i64,
    pub project: String,
    pub unit: String,
    pub raised_on: Date,
    pub description: String,
    pub owner: String,
    pub deadline: Option<Date>,
    pub level: ProblemLevel,
    pub resolved_on: Option<Date>,
    pub resolution: String,
    /// The account that raised it: it confirms the resolution.
    pub raised_by: String,
    /// Where it was raised: 项目页, 填报, 导入, 要素保障, 接口, 命令行.
    pub source: String,
    /// When the raiser confirmed the resolution (确认办结).
    pub confirmed_on: Option<Date>,
}

impl ProblemRecord {
    /// Where it stands on `today`, as lists print it: 已办结（日期）：说明, 逾期未解决 or 办理中.
    pub fn state_zh(&self, today: Date) -> String {
        match self.resolved_on {
            Some(d) if self.confirmed_on.is_some() => format!("已办结（{d}，已确认）：{}", self.resolution),
            Some(d) => format!("已办结待确认（{d}）：{}", self.resolution),
            None if self.deadline.is_some_and(|d| d < today) => "逾期未解决".to_string(),
            None => "办理中".to_string(),
        }
    }

    /// Days open on `today` (to its resolution, once resolved).
    pub fn age_days(&self, today: Date) -> i64 {
        self.resolved_on.unwrap_or(today).unix_days() - self.raised_on.unix_days()
    }
}

/// A 督办 order addressed to a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: i64,
    pub unit: String,
    pub subject: String,
    pub title: String,
    pub requirement: String,
    pub issued_on: Date,
    pub deadline: Date,
    pub state: OrderState,
    pub feedback: String,
    pub version: i64,
    /// What it was issued from: "problem:12", "meeting:3", "light" or empty.
    pub issued_from: String,
    /// The account that issued it.
    pub issued_by: String,
}

impl Order {
    /// The 督办单 number: "督〔2018〕12号".
    pub fn number(&self) -> String {
        format!("督〔{}〕{}号", self.issued_on.year, self.id)
    }
}

impl Order {
    /// Its light on `today`: by the deadline, green once closed.
    pub fn light(&self, today: Date, cfg: &LightConfig) -> crate::lights::Lit {
        crate::lights::order_light(today, self.deadline, self.state == OrderState::Closed, cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u8, d: u8) -> Date {
        Date::new(2018, m, d).unwrap()
    }

    #[test]
    fn overdue_problems_climb_one_level_at_a_time() {
        let cfg = LightConfig::default();
        assert_eq!(
            escalation(ProblemLevel::Unit, day(6, 10), false, day(6, 10), &cfg),
            None,
            "due today is not overdue"
        );
        assert_eq!(
            escalation(ProblemLevel::Unit, day(6, 10), false, day(6, 11), &cfg),
            Some((ProblemLevel::LeadLeader, day(6, 18)))
        );
        assert_eq!(
            escalation(ProblemLevel::LeadLeader, day(6, 18), false, day(6, 20), &cfg),
            Some((ProblemLevel::District, day(6, 27)))
        );
        assert_eq!(
            escalation(ProblemLevel::District, day(6, 27), false, day(7, 1), &cfg),
            None,
            "the top has no higher level"
        );
        assert_eq!(escalation(ProblemLevel::Unit, day(6, 10), true, day(7, 1), &cfg), None, "resolved stays");
    }

    #[test]
    fn orders_go_the_full_loop_and_refuse_shortcuts() {
        use OrderEvent::*;
        let mut state = OrderState::Issued;
        for event in [Sign, Feedback, ReturnForRework, Feedback, Close] {
            state = order_transition(state, event).unwrap();
        }
        assert_eq!(state, OrderState::Closed);
        for (from, event) in [(OrderState::Issued, Feedback), (OrderState::Signed, Close), (OrderState::Closed, Sign)] {
            assert!(order_transition(from, event).unwrap_err().to_string().contains(from.label_zh()));
        }
    }

    #[test]
    fn extensions_are_asked_in_time_and_move_the_deadline_on() {
        assert!(check_extension_request(day(6, 1), day(6, 10), day(6, 20)).is_ok());
        assert!(check_extension_request(day(6, 11), day(6, 10), day(6, 20)).is_err());
        assert!(check_extension_request(day(6, 1), day(6, 10), day(6, 5)).is_err());
    }
}
