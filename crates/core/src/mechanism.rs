//! 三定四推五落实 as working data: each project's node plan (倒排工期), its 要素保障 items
//! until each is settled, and the 调度 meetings whose decisions become 督办 orders. The node
//! names, the items and the meeting kinds are configuration: other districts say 四定, 四包…

use serde::Deserialize;

use crate::error::DomainError;
use crate::lights::{Light, Lit};
use crate::project::Date;

/// The mechanism's names and lines, as a jurisdiction configures them (`[mechanism]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MechanismConfig {
    /// The nodes of every project's plan, in order (倒排工期).
    pub nodes: Vec<String>,
    /// The node whose date is the project's 立项: no other node may come before it.
    pub approval_node: String,
    /// The nodes whose actual dates are the project's 实际开工 and 实际竣工.
    pub start_node: String,
    pub finish_node: String,
    /// A node this many days past its planned date without an actual date is red (yellow before).
    pub node_red_days: i64,
    /// The 要素保障 items tracked per project (五落实).
    pub elements: Vec<String>,
    /// The kinds of 调度 meeting and the period each belongs to.
    pub meetings: Vec<MeetingKind>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingKind {
    pub name: String,
    pub cadence: Cadence,
}

/// How often a kind of meeting is held, which names the period it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cadence {
    Week,
    Xun,
    Month,
    Quarter,
}

impl Default for MechanismConfig {
    fn default() -> Self {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        Self {
            nodes: names(&["立项", "规划许可", "土地", "环评", "施工许可", "开工", "主体完工", "竣工验收"]),
            approval_node: "立项".into(),
            start_node: "开工".into(),
            finish_node: "竣工验收".into(),
            node_red_days: 30,
            elements: names(&["资金", "土地", "规划与审批手续", "征迁与施工条件", "进度节点"]),
            meetings: [
                ("周调度", Cadence::Week),
                ("旬调度", Cadence::Xun),
                ("月观摩", Cadence::Month),
                ("季讲评", Cadence::Quarter),
            ]
            .into_iter()
            .map(|(name, cadence)| MeetingKind { name: name.into(), cadence })
            .collect(),
        }
    }
}

impl MechanismConfig {
    /// The configuration's own consistency: the special nodes are nodes, names are unique.
    pub fn check(&self) -> Result<(), DomainError> {
        for (key, node) in [
            ("approval_node", &self.approval_node),
            ("start_node", &self.start_node),
            ("finish_node", &self.finish_node),
        ] {
            if !self.nodes.contains(node) {
                return Err(DomainError::Invalid(format!("配置文件：mechanism.{key}“{node}”不在 nodes 中")));
            }
        }
        for (key, list) in [("nodes", &self.nodes), ("elements", &self.elements)] {
            if let Some(dup) = list.iter().enumerate().find(|(i, n)| list[..*i].contains(n)) {
                return Err(DomainError::Invalid(format!("配置文件：mechanism.{key} 中“{}”重复", dup.1)));
            }
        }
        Ok(())
    }

    pub fn node(&self, name: &str) -> Result<&str, DomainError> {
        self.nodes.iter().find(|n| n.as_str() == name.trim()).map(|n| n.as_str()).ok_or_else(|| {
            DomainError::Invalid(format!("节点“{}”不是配置的节点（{}）", name.trim(), self.nodes.join("、")))
        })
    }

    pub fn element(&self, name: &str) -> Result<&str, DomainError> {
        self.elements.iter().find(|n| n.as_str() == name.trim()).map(|n| n.as_str()).ok_or_else(|| {
            DomainError::Invalid(format!("要素“{}”不是配置的要素保障事项（{}）", name.trim(), self.elements.join("、")))
        })
    }

    pub fn meeting(&self, name: &str) -> Result<&MeetingKind, DomainError> {
        self.meetings.iter().find(|k| k.name == name.trim()).ok_or_else(|| {
            let kinds: Vec<&str> = self.meetings.iter().map(|k| k.name.as_str()).collect();
            DomainError::Invalid(format!("会议类型“{}”不是配置的类型（{}）", name.trim(), kinds.join("、")))
        })
    }
}

/// One node of a project's plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodePlan {
    pub project: String,
    pub node: String,
    pub planned: Option<Date>,
    pub actual: Option<Date>,
    pub note: String,
}

impl NodePlan {
    /// Its light on `on`: done, or not yet due, is none; past its date, yellow, and red after
    /// the configured days.
    pub fn light(&self, on: Date, cfg: &MechanismConfig) -> Option<Lit> {
        let planned = self.planned?;
        if self.actual.is_some() || on <= planned {
            return None;
        }
        let late = on.unix_days() - planned.unix_days();
        let light = if late > cfg.node_red_days { Light::Red } else { Light::Yellow };
        Some(Lit {
            light, reason: format!("节点“{}”计划{planned}完成，逾期{late}天未完成", self.node)
        })
    }
}

/// A node's dates against the project's 立项 (the approval node's actual date, else its
/// planned one): nothing comes before it, and an actual date is not in the future.
pub fn check_node_dates(node: &NodePlan, approval: Option<Date>, today: Date) -> Result<(), DomainError> {
    if let Some(actual) = node.actual
        && actual > today
    {
        return Err(DomainError::Invalid(format!("节点“{}”的实际完成日期 {actual} 晚于今天（{today}）", node.node)));
    }
    let Some(approval) = approval else { return Ok(()) };
    for (what, date) in [("计划完成日期", node.planned), ("实际完成日期", node.actual)] {
        if let Some(d) = date
            && d < approval
        {
            return Err(DomainError::Invalid(format!("节点“{}”的{what} {d} 早于项目立项日期 {approval}", node.node)));
        }
    }
    Ok(())
}

coded_enum! {
    /// Where a 要素保障 item stands.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum ElementStatus ("落实情况") {
        Settled = "settled" / "已落实",
        Pushing = "pushing" / "推进中",
        Blocked = "blocked" / "存在困难",
    }
}

/// One 要素保障 item of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub project: String,
    pub item: String,
    pub status: ElementStatus,
    /// The unit that answers for settling it.
    pub unit: String,
    pub note: String,
    /// When it should be settled by.
    pub due: Option<Date>,
    pub updated_on: Date,
    /// The problem raised when it went past its date unsettled.
    pub problem: Option<i64>,
}

impl Element {
    /// Past its date and not settled, with no problem raised for it yet.
    pub fn needs_problem(&self, today: Date) -> bool {
        self.status != ElementStatus::Settled && self.problem.is_none() && self.due.is_some_and(|d| d < today)
    }

    /// The problem's words: "要素保障“土地”逾期未落实（计划2018-05-31前落实）：说明".
    pub fn problem_text(&self) -> String {
        let due = self.due.map(|d| format!("（计划{d}前落实）")).unwrap_or_default();
        let note = if self.note.trim().is_empty() { String::new() } else { format!("：{}", self.note.trim()) };
        format!("要素保障“{}”{}逾期未落实{due}{note}", self.item, self.status.label_zh())
    }
}

/// A 调度 meeting's decision: what, by whom, by when; it becomes a 督办 order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub text: String,
    pub unit: String,
    pub deadline: Date,
    pub order: Option<i64>,
}

impl Decision {
    /// A decision written on one line, "事项|责任单位|办理时限" (a form's line, a command's
    /// `--decision`); `n` is its 1-based number for the message.
    pub fn parse_line(n: usize, line: &str) -> Result<Self, DomainError> {
        let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
        let [text, unit, deadline] = parts.as_slice() else {
            return Err(DomainError::Invalid(format!("第{n}项议定事项应写作“事项|责任单位|办理时限”：{line}")));
        };
        let deadline =
            Date::parse(deadline).map_err(|e| DomainError::Invalid(format!("第{n}项议定事项的办理时限：{e}")))?;
        Ok(Decision { text: text.to_string(), unit: unit.to_string(), deadline, order: None })
    }
}

/// A 调度 meeting as recorded (会议纪要).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub id: i64,
    pub kind: String,
    pub held_on: Date,
    /// The period it belongs to: "2018W23", "2018-06上旬", "2018-06", "2018Q2".
    pub period: String,
    pub chair: String,
    pub attendees: String,
    /// Codes of the projects discussed.
    pub projects: Vec<String>,
    pub summary: String,
    pub decisions: Vec<Decision>,
}

impl Cadence {
    /// The period a date belongs to at this cadence: ISO week "2018W23", 旬 "2018-06上旬",
    /// month "2018-06", quarter "2018Q2".
    pub fn period_of(self, d: Date) -> String {
        match self {
            Cadence::Week => {
                let (year, week) = d.iso_week();
                format!("{year}W{week:02}")
            }
            Cadence::Xun => {
                let part = match d.day {
                    1..=10 => "上旬",
                    11..=20 => "中旬",
                    _ => "下旬",
                };
                format!("{}-{:02}{part}", d.year, d.month)
            }
            Cadence::Month => format!("{}-{:02}", d.year, d.month),
            Cadence::Quarter => format!("{}Q{}", d.year, (d.month - 1) / 3 + 1),
        }
    }
}

/// The first and last day of a period written as `Cadence::period_of` writes it.
pub fn period_days(text: &str) -> Result<(Date, Date), DomainError> {
    let bad = || DomainError::Invalid(format!("期间“{text}”无法识别（如 2018W23、2018-06上旬、2018-06、2018Q2）"));
    let t = text.trim();
    let num = |s: &str| s.parse::<i64>().map_err(|_| bad());
    let month_end = |y: i32, m: u8| Date::end_of(crate::period::Period::Month(y, m));
    if let Some((y, w)) = t.split_once('W') {
        let year = i32::try_from(num(y)?).map_err(|_| bad())?;
        let week = u8::try_from(num(w)?).map_err(|_| bad())?;
        let monday = Date::iso_week_monday(year, week).ok_or_else(bad)?;
        return Ok((monday, monday.plus_days(6)?));
    }
    if let Some((y, q)) = t.split_once('Q') {
        let year = i32::try_from(num(y)?).map_err(|_| bad())?;
        let q = u8::try_from(num(q)?).ok().filter(|q| (1..=4).contains(q)).ok_or_else(bad)?;
        return Ok((Date::new(year, q * 3 - 2, 1)?, month_end(year, q * 3)));
    }
    let (ym, part) = match t.char_indices().find(|(_, c)| !c.is_ascii()) {
        Some((i, _)) => (&t[..i], Some(&t[i..])),
        None => (t, None),
    };
    let (y, m) = ym.split_once('-').ok_or_else(bad)?;
    let year = i32::try_from(num(y)?).map_err(|_| bad())?;
    let month = u8::try_from(num(m)?).ok().filter(|m| (1..=12).contains(m)).ok_or_else(bad)?;
    let first = Date::new(year, month, 1)?;
    match part {
        None => Ok((first, month_end(year, month))),
        Some("上旬") => Ok((first, Date::new(year, month, 10)?)),
        Some("中旬") => Ok((Date::new(year, month, 11)?, Date::new(year, month, 20)?)),
        Some("下旬") => Ok((Date::new(year, month, 21)?, month_end(year, month))),
        Some(_) => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u8, d: u8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    #[test]
    fn an_overdue_node_is_yellow_then_red_and_done_or_due_later_is_unlit() {
        let cfg = MechanismConfig::default();
        let node = |actual| NodePlan {
            project: "P1".into(),
            node: "施工许可".into(),
            planned: Some(day(2018, 5, 31)),
            actual,
            note: String::new(),
        };
        assert_eq!(node(None).light(day(2018, 5, 31), &cfg), None, "due today is not late");
        let yellow = node(None).light(day(2018, 6, 30), &cfg).unwrap();
        assert_eq!(yellow.light, Light::Yellow);
        assert_eq!(yellow.reason, "节点“施工许可”计划2018-05-31完成，逾期30天未完成");
        assert_eq!(node(None).light(day(2018, 7, 1), &cfg).unwrap().light, Light::Red);
        assert_eq!(node(Some(day(2018, 6, 20))).light(day(2018, 9, 1), &cfg), None);
    }

    #[test]
    fn no_node_comes_before_the_projects_approval() {
        let node = NodePlan {
            project: "P1".into(),
            node: "开工".into(),
            planned: Some(day(2018, 3, 1)),
            actual: None,
            note: String::new(),
        };
        let today = day(2018, 6, 1);
        assert!(check_node_dates(&node, Some(day(2018, 2, 1)), today).is_ok());
        let err = check_node_dates(&node, Some(day(2018, 4, 1)), today).unwrap_err().to_string();
        assert!(err.contains("早于项目立项日期 2018-04-01"), "{err}");
        let future = NodePlan { actual: Some(day(2018, 7, 1)), ..node };
        assert!(check_node_dates(&future, None, today).unwrap_err().to_string().contains("晚于今天"));
    }

    #[test]
    fn periods_of_weeks_xun_months_and_quarters_name_and_bound_their_days() {
        let d = day(2018, 6, 7);
        assert_eq!(Cadence::Week.period_of(d), "2018W23");
        assert_eq!(Cadence::Xun.period_of(d), "2018-06上旬");
        assert_eq!(Cadence::Xun.period_of(day(2018, 6, 21)), "2018-06下旬");
        assert_eq!(Cadence::Month.period_of(d), "2018-06");
        assert_eq!(Cadence::Quarter.period_of(d), "2018Q2");
        // 2018-12-31 is a Monday of 2019's first ISO week.
        assert_eq!(Cadence::Week.period_of(day(2018, 12, 31)), "2019W01");
        assert_eq!(period_days("2018W23").unwrap(), (day(2018, 6, 4), day(2018, 6, 10)));
        assert_eq!(period_days("2018-06中旬").unwrap(), (day(2018, 6, 11), day(2018, 6, 20)));
        assert_eq!(period_days("2018-02下旬").unwrap(), (day(2018, 2, 21), day(2018, 2, 28)));
        assert_eq!(period_days("2018Q2").unwrap(), (day(2018, 4, 1), day(2018, 6, 30)));
        assert_eq!(period_days("2018-06").unwrap(), (day(2018, 6, 1), day(2018, 6, 30)));
        for bad in ["2018W54", "2018-13", "2018-06末旬", "本周"] {
            assert!(period_days(bad).unwrap_err().to_string().contains(bad), "{bad}");
        }
    }

    #[test]
    fn an_unsettled_item_past_its_date_asks_for_one_problem() {
        let e = Element {
            project: "P1".into(),
            item: "土地".into(),
            status: ElementStatus::Blocked,
            unit: "zrzy".into(),
            note: "尚有3户未签约".into(),
            due: Some(day(2018, 5, 31)),
            updated_on: day(2018, 5, 1),
            problem: None,
        };
        assert!(!e.needs_problem(day(2018, 5, 31)));
        assert!(e.needs_problem(day(2018, 6, 1)));
        assert_eq!(e.problem_text(), "要素保障“土地”存在困难逾期未落实（计划2018-05-31前落实）：尚有3户未签约");
        assert!(!Element { problem: Some(3), ..e.clone() }.needs_problem(day(2018, 6, 1)));
        assert!(!Element { status: ElementStatus::Settled, ..e }.needs_problem(day(2018, 6, 1)));
    }

    #[test]
    fn the_configuration_names_its_special_nodes_among_its_nodes() {
        assert!(MechanismConfig::default().check().is_ok());
        let bad = MechanismConfig { start_node: "动工".into(), ..MechanismConfig::default() };
        assert!(bad.check().unwrap_err().to_string().contains("动工"));
        let cfg = MechanismConfig::default();
        assert!(cfg.node("环评").is_ok());
        assert!(cfg.node("环保").unwrap_err().to_string().contains("立项、规划许可"));
    }
}

/// The 督办通知单 as a document: number, addressee, what and by when, how to answer.
pub fn order_notice(order: &crate::supervision::Order, unit_name: &str, issuer: &str) -> crate::report::Document {
    use crate::report::{DocSection, Document};
    let mut sections = vec![DocSection::new(
        format!("{unit_name}："),
        vec![format!("现将“{}”列入督办，请按要求抓紧办理，并于{}前将办理情况书面反馈。", order.title, order.deadline)],
    )];
    sections.push(DocSection::new("一、督办事项", vec![order.title.clone()]));
    if !order.requirement.trim().is_empty() {
        sections.push(DocSection::new("二、办理要求", vec![order.requirement.clone()]));
    }
    let mut tail = vec![format!("办理时限：{}。", order.deadline)];
    if !order.subject.is_empty() {
        tail.push(format!("督办对象：{}。", order.subject));
    }
    tail.push("确需延期的，应在办理时限前提出申请并说明理由；逾期未办结的，按规定通报。".into());
    tail.push(issuer.to_string());
    tail.push(order.issued_on.to_string());
    sections
        .push(DocSection::new(if order.requirement.trim().is_empty() { "二、办理时限" } else { "三、办理时限" }, tail));
    Document { title: "督办通知单".into(), subtitle: Some(order.number()), sections, signature: None }
}

/// The 会议纪要 of a 调度 meeting: when, who, what was discussed and each decision with its
/// unit, deadline and the 督办 order it became.
pub fn meeting_minutes(
    m: &Meeting,
    unit_name: impl Fn(&str) -> String,
    project_name: impl Fn(&str) -> String,
) -> crate::report::Document {
    use crate::report::{DocSection, Document};
    let mut opening =
        format!("{}，{}主持召开{}", m.held_on, if m.chair.is_empty() { "会议" } else { &m.chair }, m.kind);
    if !m.attendees.is_empty() {
        opening.push_str(&format!("，{}参加", m.attendees));
    }
    opening.push('。');
    if !m.projects.is_empty() {
        let names: Vec<String> = m.projects.iter().map(|c| project_name(c)).collect();
        opening.push_str(&format!("会议研究了{}的推进情况。", names.join("、")));
    }
    let mut sections = vec![DocSection::new("", vec![opening])];
    if !m.summary.trim().is_empty() {
        sections.push(DocSection::new("一、会议情况", vec![m.summary.clone()]));
    }
    let decided: Vec<String> = m
        .decisions
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let order = d.order.map(|o| format!("（已列入督办，督〔{}〕{o}号）", m.held_on.year)).unwrap_or_default();
            format!(
                "{}. {}。责任单位：{}；完成时限：{}{order}。",
                i + 1,
                d.text.trim_end_matches('。'),
                unit_name(&d.unit),
                d.deadline
            )
        })
        .collect();
    if !decided.is_empty() {
        let heading = if m.summary.trim().is_empty() { "一、议定事项" } else { "二、议定事项" };
        sections.push(DocSection::new(heading, decided));
    }
    Document {
        title: format!("{}会议纪要", m.kind),
        subtitle: Some(format!("{}（{}）", m.period, m.held_on)),
        sections,
        signature: None,
    }
}

#[cfg(test)]
mod document_tests {
    use super::*;
    use crate::supervision::{Order, OrderState};

    #[test]
    fn the_notice_and_the_minutes_say_who_does_what_by_when() {
        let order = Order {
            id: 12,
            unit: "erqi-zjj".into(),
            subject: "ZD2018-001".into(),
            title: "加快保利豫见里征迁".into(),
            requirement: "6月底前完成剩余3户签约".into(),
            issued_on: Date::new(2018, 6, 8).unwrap(),
            deadline: Date::new(2018, 6, 30).unwrap(),
            state: OrderState::Issued,
            feedback: String::new(),
            version: 1,
            issued_from: "meeting:3".into(),
            issued_by: "dcs_reviewer".into(),
        };
        let notice = order_notice(&order, "区住房城乡建设局", "二七区人民政府督查室");
        let md = notice.to_markdown();
        assert!(md.starts_with("# 督办通知单\n\n督〔2018〕12号"), "{md}");
        assert!(md.contains("区住房城乡建设局：") && md.contains("于2018-06-30前将办理情况书面反馈"), "{md}");
        assert!(md.contains("## 二、办理要求\n\n6月底前完成剩余3户签约"), "{md}");
        let meeting = Meeting {
            id: 3,
            kind: "周调度".into(),
            held_on: Date::new(2018, 6, 7).unwrap(),
            period: "2018W23".into(),
            chair: "区长".into(),
            attendees: "区住房城乡建设局".into(),
            projects: vec!["ZD2018-001".into()],
            summary: String::new(),
            decisions: vec![Decision {
                text: "加快征迁。".into(),
                unit: "erqi-zjj".into(),
                deadline: Date::new(2018, 6, 30).unwrap(),
                order: Some(12),
            }],
        };
        let md = meeting_minutes(&meeting, |_| "区住房城乡建设局".into(), |_| "保利豫见里".into()).to_markdown();
        assert!(
            md.contains("2018-06-07，区长主持召开周调度，区住房城乡建设局参加。会议研究了保利豫见里的推进情况。"),
            "{md}"
        );
        assert!(
            md.contains(
                "1. 加快征迁。责任单位：区住房城乡建设局；完成时限：2018-06-30（已列入督办，督〔2018〕12号）。"
            ),
            "{md}"
        );
    }
}
