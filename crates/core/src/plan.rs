//! The year's programme as a tree of named levels, long-range milestones, and key tasks.
//!
//! Erqi 2018: one goal → two actions → three pillars ("三个二七") → six works → tasks and
//! projects. The level names are data (`level_label`); what the prose does with a level is
//! its kind.

use std::str::FromStr;

use crate::error::DomainError;
use crate::project::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanKind {
    Goal,
    Action,
    Pillar,
    Work,
    /// A concrete measure under an action or work (突出“战斗力”提升，抓书记、强队伍).
    Measure,
}

impl PlanKind {
    pub fn code(self) -> &'static str {
        match self {
            PlanKind::Goal => "goal",
            PlanKind::Action => "action",
            PlanKind::Pillar => "pillar",
            PlanKind::Work => "work",
            PlanKind::Measure => "measure",
        }
    }
}

impl FromStr for PlanKind {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [PlanKind::Goal, PlanKind::Action, PlanKind::Pillar, PlanKind::Work, PlanKind::Measure]
            .into_iter()
            .find(|k| k.code() == s.trim())
            .ok_or_else(|| {
                DomainError::Invalid(format!("计划层级类型“{s}”无法识别：应为 goal/action/pillar/work/measure"))
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanNode {
    pub code: String,
    pub parent: Option<String>,
    pub unit: String,
    pub year: i32,
    pub kind: PlanKind,
    /// The level's own name: 目标, 行动, 三个二七, 工作.
    pub level_label: String,
    pub title: String,
    pub order: i64,
}

/// A long-range milestone: 到2020年 …, 到2035年 …, 到本世纪中叶 ….
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub unit: String,
    pub horizon: String,
    pub order: i64,
    pub text: String,
    /// The quantified indicators the plan sets for the horizon, where it gives them:
    /// (indicator code, target as written, e.g. "1000亿元以上").
    pub targets: Vec<(String, String)>,
}

coded_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum TaskStatus ("任务状态") {
        NotStarted = "not_started" / "未开始",
        InProgress = "in_progress" / "推进中" | "进行中",
        Done = "done" / "已完成" | "完成",
    }
}

/// A key task (重点工作): lead unit, cooperating units, lead leader, deadline, target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTask {
    pub code: String,
    pub name: String,
    pub year: i32,
    pub plan_node: Option<String>,
    pub lead_unit: String,
    pub cooperating_units: Vec<String>,
    pub lead_leader: String,
    pub deadline: Option<Date>,
    pub target: String,
    pub status: TaskStatus,
    pub sample: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses_parse_from_their_codes_and_words() {
        assert_eq!("pillar".parse::<PlanKind>().unwrap(), PlanKind::Pillar);
        assert!("支柱".parse::<PlanKind>().is_err());
        assert_eq!("已完成".parse::<TaskStatus>().unwrap(), TaskStatus::Done);
        assert_eq!("in_progress".parse::<TaskStatus>().unwrap(), TaskStatus::InProgress);
        assert!("差不多".parse::<TaskStatus>().is_err());
    }
}
