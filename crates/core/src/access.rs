//! Roles of the people who use the ledger.

use std::fmt;
use std::str::FromStr;

use crate::error::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// 发改委 / 督查室 / 统计局: defines the year, reviews, publishes.
    Admin,
    /// District reviewer (区级审核).
    Reviewer,
    /// Head of a unit: approves or returns the unit's submission.
    UnitLeader,
    /// A unit's 填报员.
    UnitReporter,
    /// District leaders and 分包领导: read only.
    Leader,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Reviewer, Role::UnitLeader, Role::UnitReporter, Role::Leader];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reviewer => "reviewer",
            Role::UnitLeader => "unit_leader",
            Role::UnitReporter => "unit_reporter",
            Role::Leader => "leader",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Reviewer => "区级审核",
            Role::UnitLeader => "单位审核",
            Role::UnitReporter => "填报员",
            Role::Leader => "领导",
        }
    }

    /// Unit roles act only inside their unit's subtree and so must name a unit.
    pub fn needs_unit(self) -> bool {
        matches!(self, Role::UnitLeader | Role::UnitReporter)
    }
}

impl FromStr for Role {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.code() == s.trim() || r.label_zh() == s.trim()).ok_or_else(|| {
            DomainError::Invalid(format!(
                "角色“{s}”无法识别：应为 admin、reviewer、unit_leader、unit_reporter 或 leader"
            ))
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_code_or_chinese_label() {
        for r in Role::ALL {
            assert_eq!(r.code().parse::<Role>().unwrap(), r);
            assert_eq!(r.label_zh().parse::<Role>().unwrap(), r);
        }
        assert!("superuser".parse::<Role>().is_err());
        assert!(Role::UnitReporter.needs_unit() && !Role::Leader.needs_unit());
    }
}
