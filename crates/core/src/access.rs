//! Who may do what to which record: roles, actions, and the one rule that decides.

use std::fmt;

use crate::error::DomainError;
use crate::org::OrgTree;

coded_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Role ("角色") {
        Admin = "admin" / "管理员",
        Reviewer = "reviewer" / "区级审核",
        UnitLeader = "unit_leader" / "单位审核",
        UnitReporter = "unit_reporter" / "填报员",
        Leader = "leader" / "领导",
        /// 数字城管 监督员: reports cases from the street and checks their disposal on site.
        Inspector = "inspector" / "监督员",
        /// 数字城管 受理员/值班长 (指挥中心): files, dispatches and closes cases, approves 延期 and 挂账.
        Dispatcher = "dispatcher" / "值班长",
        /// 基层党建: a 支部书记 fills in their own organisation's checklist and meetings.
        PartySecretary = "party_secretary" / "支部书记",
        /// 基层党建: a 街道/部门 党(工)委 reviews the organisations under its unit.
        PartyCommittee = "party_committee" / "党(工)委" | "党工委" | "党委",
        /// 基层党建: the 区委组织部 confirms ratings and keeps organisations and schemes.
        PartyOrganizer = "party_organizer" / "区委组织部" | "组织部",
    }
}

impl Role {
    /// Unit roles act only inside their unit's subtree and so must name a unit.
    pub fn needs_unit(self) -> bool {
        matches!(self, Role::UnitLeader | Role::UnitReporter | Role::PartySecretary | Role::PartyCommittee)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The shortest password an account may have.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Passwords too common to protect anything (the usual first guesses).
const COMMON_PASSWORDS: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "87654321",
    "11111111",
    "00000000",
    "88888888",
    "66666666",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "qwertyui",
    "qwerty123",
    "1qaz2wsx",
    "1q2w3e4r",
    "abc12345",
    "abcd1234",
    "admin123",
    "admin888",
    "administrator",
    "iloveyou",
    "woaini1314",
    "a1234567",
    "aa123456",
    "zxcvbnm1",
    "asdfghjk",
    "changeme",
    "letmein1",
    "welcome1",
    "taizhang",
    "12345678a",
];

/// Whether an account may exist as given: a user name without surrounding or inner spaces,
/// a unit for unit roles, and a password long enough, not all one character, not a common one.
pub fn check_account(username: &str, role: Role, unit: Option<&str>, password: &str) -> Result<(), DomainError> {
    let invalid = |m: String| Err(DomainError::Invalid(m));
    if username.is_empty() || username.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return invalid(format!("账号“{username}”不能为空，也不能含空格"));
    }
    if username.chars().count() > 64 {
        return invalid("账号不能超过64个字符".into());
    }
    if role.needs_unit() && unit.is_none() {
        return invalid(format!("角色 {} 需要指定所属单位", role.label_zh()));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return invalid(format!("口令至少需要 {MIN_PASSWORD_CHARS} 个字符"));
    }
    let mut chars = password.chars();
    let first = chars.next();
    if password.trim().is_empty() || chars.all(|c| Some(c) == first) {
        return invalid("口令不能全是同一个字符或空白".into());
    }
    if COMMON_PASSWORDS.contains(&password.to_lowercase().as_str()) || password.eq_ignore_ascii_case(username) {
        return invalid("口令过于常见（或与账号相同），请换一个".into());
    }
    Ok(())
}

/// Someone acting: their account, role and (for unit roles) unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    pub role: Role,
    pub unit: Option<String>,
}

/// Everything a person can ask the ledger to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See a unit's records (drafts included).
    Read,
    /// Type or change a draft (填报).
    EditDraft,
    /// Send the unit's drafts up (上报), forcing with a 说明 where a rule fails.
    Submit,
    /// The unit leader's approval (单位审核).
    Approve,
    /// The district's acceptance (区级审核): the figures enter the ledger.
    Accept,
    /// Send back for correction, with a reason.
    Return,
    OpenRound,
    CloseRound,
    /// Reopen a locked period: an audited admin act.
    Reopen,
    ManageUsers,
    RaiseProblem,
    ResolveProblem,
    /// Issue a 督办 order to a unit.
    IssueOrder,
    /// Sign for (签收) and answer (反馈) an order addressed to the unit.
    HandleOrder,
    /// Review an order's feedback: close it or return it for rework.
    ReviewOrder,
    RequestExtension,
    DecideExtension,
    /// Write the ledger's master data wholesale: imports of units, indicators, targets,
    /// projects and tasks, worlds loaded from files, generated cities.
    ManageLedger,
    /// 数字城管 信息收集: report a case from the street.
    ReportCase,
    /// 数字城管 核查: check a case's disposal on site.
    CheckCase,
    /// 数字城管 立案, 派遣, 结案, and approving 延期 and 挂账 (the 指挥中心's work).
    DispatchCase,
    /// 数字城管 处置 and 回退 of a case dispatched to the unit.
    DisposeCase,
    /// 基层党建: an organisation's self-assessment (自评) and its meetings (三会一课).
    AssessParty,
    /// 基层党建: the 党(工)委's review of its organisations' checklists.
    ReviewParty,
    /// 基层党建: the 区委组织部's confirmation, with bonuses, deductions and vetoes.
    ConfirmParty,
    /// 基层党建: organisations, schemes and imports.
    ManageParty,
}

impl Action {
    pub const ALL: [Action; 26] = [
        Action::Read,
        Action::EditDraft,
        Action::Submit,
        Action::Approve,
        Action::Accept,
        Action::Return,
        Action::OpenRound,
        Action::CloseRound,
        Action::Reopen,
        Action::ManageUsers,
        Action::RaiseProblem,
        Action::ResolveProblem,
        Action::IssueOrder,
        Action::HandleOrder,
        Action::ReviewOrder,
        Action::RequestExtension,
        Action::DecideExtension,
        Action::ManageLedger,
        Action::ReportCase,
        Action::CheckCase,
        Action::DispatchCase,
        Action::DisposeCase,
        Action::AssessParty,
        Action::ReviewParty,
        Action::ConfirmParty,
        Action::ManageParty,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Action::Read => "查看",
            Action::EditDraft => "填报",
            Action::Submit => "上报",
            Action::Approve => "单位审核",
            Action::Accept => "区级审核通过",
            Action::Return => "退回",
            Action::OpenRound => "开启填报轮次",
            Action::CloseRound => "关闭填报轮次",
            Action::Reopen => "重新开放已锁定期间",
            Action::ManageUsers => "管理账号",
            Action::RaiseProblem => "提出问题",
            Action::ResolveProblem => "办结问题",
            Action::IssueOrder => "下达督办",
            Action::HandleOrder => "签收办理督办",
            Action::ReviewOrder => "审核督办反馈",
            Action::RequestExtension => "申请延期",
            Action::DecideExtension => "审批延期",
            Action::ManageLedger => "维护台账基础数据",
            Action::ReportCase => "上报城管案件",
            Action::CheckCase => "核查城管案件",
            Action::DispatchCase => "立案派遣城管案件",
            Action::DisposeCase => "处置城管案件",
            Action::AssessParty => "填报党建自评",
            Action::ReviewParty => "审核党建考评",
            Action::ConfirmParty => "确认党建考评",
            Action::ManageParty => "维护党组织与考评方案",
        }
    }
}

/// Where a permission reaches: every unit, or the actor's own unit and those below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    OwnSubtree,
}

/// The permission table: what each role may do, and where.
pub fn permission(role: Role, action: Action) -> Option<Scope> {
    use Action::*;
    match (role, action) {
        (Role::Admin, _) => Some(Scope::All),
        (
            Role::Reviewer,
            Read | Accept | Return | RaiseProblem | ResolveProblem | IssueOrder | ReviewOrder | DecideExtension,
        ) => Some(Scope::All),
        (
            Role::UnitLeader,
            Read | EditDraft | Submit | Approve | Return | RaiseProblem | ResolveProblem | HandleOrder
            | RequestExtension | DisposeCase,
        ) => Some(Scope::OwnSubtree),
        (Role::UnitReporter, Read | EditDraft | Submit | RaiseProblem | HandleOrder | DisposeCase) => {
            Some(Scope::OwnSubtree)
        }
        // A district leader sees everything, raises problems and runs 督办: issues orders,
        // closes or sends them back, decides extensions.
        (Role::Leader, Read | RaiseProblem | IssueOrder | ReviewOrder | DecideExtension) => Some(Scope::All),
        // The 监督中心 and the 指挥中心 work over the whole city's grid.
        (Role::Inspector, Read | ReportCase | CheckCase) => Some(Scope::All),
        (Role::Dispatcher, Read | DispatchCase) => Some(Scope::All),
        // 基层党建: the 支部 fills in, its 党(工)委 reviews, the 区委组织部 confirms.
        (Role::PartySecretary, Read | AssessParty) => Some(Scope::OwnSubtree),
        (Role::PartyCommittee, Read | ReviewParty) => Some(Scope::OwnSubtree),
        (Role::PartyOrganizer, Read | ConfirmParty | ManageParty) => Some(Scope::All),
        _ => None,
    }
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("{role}无权{action}")]
    Role { role: &'static str, action: &'static str },
    #[error("无权{action}单位“{unit}”的记录：只能处理本单位及下属单位的记录")]
    Scope { action: &'static str, unit: String },
    /// 基层党建: a 支部书记 acts only for the organisation whose secretary account they are.
    #[error("只有“{org}”的书记账号才能{action}：本账号只能填报本支部的考评和会议")]
    Secretary { action: &'static str, org: String },
}

/// The one rule every read and write goes through: may `actor` do `action` to a record of
/// `unit`?
pub fn authorize(actor: &Actor, action: Action, unit: &str, tree: &OrgTree) -> Result<(), Denied> {
    match permission(actor.role, action) {
        None => Err(Denied::Role { role: actor.role.label_zh(), action: action.label_zh() }),
        Some(Scope::All) => Ok(()),
        Some(Scope::OwnSubtree) => match &actor.unit {
            Some(own) if tree.is_within(unit, own) => Ok(()),
            _ => Err(Denied::Scope { action: action.label_zh(), unit: unit.to_string() }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{OrgUnit, UnitKind};

    fn tree() -> OrgTree {
        let u = |code: &str, parent: Option<&str>| OrgUnit {
            code: code.parse().unwrap(),
            name: code.into(),
            kind: UnitKind::Department,
            parent: parent.map(Into::into),
        };
        OrgTree::new(vec![u("erqi", None), u("zjj", Some("erqi")), u("zjj-1", Some("zjj")), u("czj", Some("erqi"))])
            .unwrap()
    }

    /// The permission table as a domain expert reads it: role, action, own unit's record
    /// allowed?, another unit's record allowed?
    #[test]
    fn the_permission_table_covers_every_role_and_action() {
        use Action::*;
        let y = true;
        let n = false;
        #[rustfmt::skip]
        let table: &[(Role, Action, bool, bool)] = &[
            (Role::Admin, Read, y, y), (Role::Admin, EditDraft, y, y), (Role::Admin, Submit, y, y),
            (Role::Admin, Approve, y, y), (Role::Admin, Accept, y, y), (Role::Admin, Return, y, y),
            (Role::Admin, OpenRound, y, y), (Role::Admin, CloseRound, y, y), (Role::Admin, Reopen, y, y),
            (Role::Admin, ManageUsers, y, y), (Role::Admin, RaiseProblem, y, y), (Role::Admin, ResolveProblem, y, y),
            (Role::Admin, IssueOrder, y, y), (Role::Admin, HandleOrder, y, y), (Role::Admin, ReviewOrder, y, y),
            (Role::Admin, RequestExtension, y, y), (Role::Admin, DecideExtension, y, y), (Role::Admin, ManageLedger, y, y),
            (Role::Admin, ReportCase, y, y), (Role::Admin, CheckCase, y, y), (Role::Admin, DispatchCase, y, y), (Role::Admin, DisposeCase, y, y),
            (Role::Admin, AssessParty, y, y), (Role::Admin, ReviewParty, y, y), (Role::Admin, ConfirmParty, y, y), (Role::Admin, ManageParty, y, y),

            (Role::Reviewer, Read, y, y), (Role::Reviewer, EditDraft, n, n), (Role::Reviewer, Submit, n, n),
            (Role::Reviewer, Approve, n, n), (Role::Reviewer, Accept, y, y), (Role::Reviewer, Return, y, y),
            (Role::Reviewer, OpenRound, n, n), (Role::Reviewer, CloseRound, n, n), (Role::Reviewer, Reopen, n, n),
            (Role::Reviewer, ManageUsers, n, n), (Role::Reviewer, RaiseProblem, y, y), (Role::Reviewer, ResolveProblem, y, y),
            (Role::Reviewer, IssueOrder, y, y), (Role::Reviewer, HandleOrder, n, n), (Role::Reviewer, ReviewOrder, y, y),
            (Role::Reviewer, RequestExtension, n, n), (Role::Reviewer, DecideExtension, y, y), (Role::Reviewer, ManageLedger, n, n),
            (Role::Reviewer, ReportCase, n, n), (Role::Reviewer, CheckCase, n, n), (Role::Reviewer, DispatchCase, n, n), (Role::Reviewer, DisposeCase, n, n),
            (Role::Reviewer, AssessParty, n, n), (Role::Reviewer, ReviewParty, n, n), (Role::Reviewer, ConfirmParty, n, n), (Role::Reviewer, ManageParty, n, n),

            (Role::UnitLeader, Read, y, n), (Role::UnitLeader, EditDraft, y, n), (Role::UnitLeader, Submit, y, n),
            (Role::UnitLeader, Approve, y, n), (Role::UnitLeader, Accept, n, n), (Role::UnitLeader, Return, y, n),
            (Role::UnitLeader, OpenRound, n, n), (Role::UnitLeader, CloseRound, n, n), (Role::UnitLeader, Reopen, n, n),
            (Role::UnitLeader, ManageUsers, n, n), (Role::UnitLeader, RaiseProblem, y, n), (Role::UnitLeader, ResolveProblem, y, n),
            (Role::UnitLeader, IssueOrder, n, n), (Role::UnitLeader, HandleOrder, y, n), (Role::UnitLeader, ReviewOrder, n, n),
            (Role::UnitLeader, RequestExtension, y, n), (Role::UnitLeader, DecideExtension, n, n), (Role::UnitLeader, ManageLedger, n, n),
            (Role::UnitLeader, ReportCase, n, n), (Role::UnitLeader, CheckCase, n, n), (Role::UnitLeader, DispatchCase, n, n), (Role::UnitLeader, DisposeCase, y, n),
            (Role::UnitLeader, AssessParty, n, n), (Role::UnitLeader, ReviewParty, n, n), (Role::UnitLeader, ConfirmParty, n, n), (Role::UnitLeader, ManageParty, n, n),

            (Role::UnitReporter, Read, y, n), (Role::UnitReporter, EditDraft, y, n), (Role::UnitReporter, Submit, y, n),
            (Role::UnitReporter, Approve, n, n), (Role::UnitReporter, Accept, n, n), (Role::UnitReporter, Return, n, n),
            (Role::UnitReporter, OpenRound, n, n), (Role::UnitReporter, CloseRound, n, n), (Role::UnitReporter, Reopen, n, n),
            (Role::UnitReporter, ManageUsers, n, n), (Role::UnitReporter, RaiseProblem, y, n), (Role::UnitReporter, ResolveProblem, n, n),
            (Role::UnitReporter, IssueOrder, n, n), (Role::UnitReporter, HandleOrder, y, n), (Role::UnitReporter, ReviewOrder, n, n),
            (Role::UnitReporter, RequestExtension, n, n), (Role::UnitReporter, DecideExtension, n, n), (Role::UnitReporter, ManageLedger, n, n),
            (Role::UnitReporter, ReportCase, n, n), (Role::UnitReporter, CheckCase, n, n), (Role::UnitReporter, DispatchCase, n, n), (Role::UnitReporter, DisposeCase, y, n),
            (Role::UnitReporter, AssessParty, n, n), (Role::UnitReporter, ReviewParty, n, n), (Role::UnitReporter, ConfirmParty, n, n), (Role::UnitReporter, ManageParty, n, n),

            (Role::Leader, Read, y, y), (Role::Leader, EditDraft, n, n), (Role::Leader, Submit, n, n),
            (Role::Leader, Approve, n, n), (Role::Leader, Accept, n, n), (Role::Leader, Return, n, n),
            (Role::Leader, OpenRound, n, n), (Role::Leader, CloseRound, n, n), (Role::Leader, Reopen, n, n),
            (Role::Leader, ManageUsers, n, n), (Role::Leader, RaiseProblem, y, y), (Role::Leader, ResolveProblem, n, n),
            (Role::Leader, IssueOrder, y, y), (Role::Leader, HandleOrder, n, n), (Role::Leader, ReviewOrder, y, y),
            (Role::Leader, RequestExtension, n, n), (Role::Leader, DecideExtension, y, y), (Role::Leader, ManageLedger, n, n),
            (Role::Leader, ReportCase, n, n), (Role::Leader, CheckCase, n, n), (Role::Leader, DispatchCase, n, n), (Role::Leader, DisposeCase, n, n),
            (Role::Leader, AssessParty, n, n), (Role::Leader, ReviewParty, n, n), (Role::Leader, ConfirmParty, n, n), (Role::Leader, ManageParty, n, n),

            (Role::Inspector, Read, y, y), (Role::Inspector, EditDraft, n, n), (Role::Inspector, Submit, n, n),
            (Role::Inspector, Approve, n, n), (Role::Inspector, Accept, n, n), (Role::Inspector, Return, n, n),
            (Role::Inspector, OpenRound, n, n), (Role::Inspector, CloseRound, n, n), (Role::Inspector, Reopen, n, n),
            (Role::Inspector, ManageUsers, n, n), (Role::Inspector, RaiseProblem, n, n), (Role::Inspector, ResolveProblem, n, n),
            (Role::Inspector, IssueOrder, n, n), (Role::Inspector, HandleOrder, n, n), (Role::Inspector, ReviewOrder, n, n),
            (Role::Inspector, RequestExtension, n, n), (Role::Inspector, DecideExtension, n, n), (Role::Inspector, ManageLedger, n, n),
            (Role::Inspector, ReportCase, y, y), (Role::Inspector, CheckCase, y, y), (Role::Inspector, DispatchCase, n, n),
            (Role::Inspector, DisposeCase, n, n),
            (Role::Inspector, AssessParty, n, n), (Role::Inspector, ReviewParty, n, n), (Role::Inspector, ConfirmParty, n, n), (Role::Inspector, ManageParty, n, n),

            (Role::Dispatcher, Read, y, y), (Role::Dispatcher, EditDraft, n, n), (Role::Dispatcher, Submit, n, n),
            (Role::Dispatcher, Approve, n, n), (Role::Dispatcher, Accept, n, n), (Role::Dispatcher, Return, n, n),
            (Role::Dispatcher, OpenRound, n, n), (Role::Dispatcher, CloseRound, n, n), (Role::Dispatcher, Reopen, n, n),
            (Role::Dispatcher, ManageUsers, n, n), (Role::Dispatcher, RaiseProblem, n, n), (Role::Dispatcher, ResolveProblem, n, n),
            (Role::Dispatcher, IssueOrder, n, n), (Role::Dispatcher, HandleOrder, n, n), (Role::Dispatcher, ReviewOrder, n, n),
            (Role::Dispatcher, RequestExtension, n, n), (Role::Dispatcher, DecideExtension, n, n), (Role::Dispatcher, ManageLedger, n, n),
            (Role::Dispatcher, ReportCase, n, n), (Role::Dispatcher, CheckCase, n, n), (Role::Dispatcher, DispatchCase, y, y),
            (Role::Dispatcher, DisposeCase, n, n),
            (Role::Dispatcher, AssessParty, n, n), (Role::Dispatcher, ReviewParty, n, n), (Role::Dispatcher, ConfirmParty, n, n), (Role::Dispatcher, ManageParty, n, n),

            (Role::PartySecretary, Read, y, n), (Role::PartySecretary, EditDraft, n, n), (Role::PartySecretary, Submit, n, n), (Role::PartySecretary, Approve, n, n),
            (Role::PartySecretary, Accept, n, n), (Role::PartySecretary, Return, n, n), (Role::PartySecretary, OpenRound, n, n), (Role::PartySecretary, CloseRound, n, n),
            (Role::PartySecretary, Reopen, n, n), (Role::PartySecretary, ManageUsers, n, n), (Role::PartySecretary, RaiseProblem, n, n), (Role::PartySecretary, ResolveProblem, n, n),
            (Role::PartySecretary, IssueOrder, n, n), (Role::PartySecretary, HandleOrder, n, n), (Role::PartySecretary, ReviewOrder, n, n), (Role::PartySecretary, RequestExtension, n, n),
            (Role::PartySecretary, DecideExtension, n, n), (Role::PartySecretary, ManageLedger, n, n), (Role::PartySecretary, ReportCase, n, n), (Role::PartySecretary, CheckCase, n, n),
            (Role::PartySecretary, DispatchCase, n, n), (Role::PartySecretary, DisposeCase, n, n), (Role::PartySecretary, AssessParty, y, n), (Role::PartySecretary, ReviewParty, n, n),
            (Role::PartySecretary, ConfirmParty, n, n), (Role::PartySecretary, ManageParty, n, n),

            (Role::PartyCommittee, Read, y, n), (Role::PartyCommittee, EditDraft, n, n), (Role::PartyCommittee, Submit, n, n), (Role::PartyCommittee, Approve, n, n),
            (Role::PartyCommittee, Accept, n, n), (Role::PartyCommittee, Return, n, n), (Role::PartyCommittee, OpenRound, n, n), (Role::PartyCommittee, CloseRound, n, n),
            (Role::PartyCommittee, Reopen, n, n), (Role::PartyCommittee, ManageUsers, n, n), (Role::PartyCommittee, RaiseProblem, n, n), (Role::PartyCommittee, ResolveProblem, n, n),
            (Role::PartyCommittee, IssueOrder, n, n), (Role::PartyCommittee, HandleOrder, n, n), (Role::PartyCommittee, ReviewOrder, n, n), (Role::PartyCommittee, RequestExtension, n, n),
            (Role::PartyCommittee, DecideExtension, n, n), (Role::PartyCommittee, ManageLedger, n, n), (Role::PartyCommittee, ReportCase, n, n), (Role::PartyCommittee, CheckCase, n, n),
            (Role::PartyCommittee, DispatchCase, n, n), (Role::PartyCommittee, DisposeCase, n, n), (Role::PartyCommittee, AssessParty, n, n), (Role::PartyCommittee, ReviewParty, y, n),
            (Role::PartyCommittee, ConfirmParty, n, n), (Role::PartyCommittee, ManageParty, n, n),

            (Role::PartyOrganizer, Read, y, y), (Role::PartyOrganizer, EditDraft, n, n), (Role::PartyOrganizer, Submit, n, n), (Role::PartyOrganizer, Approve, n, n),
            (Role::PartyOrganizer, Accept, n, n), (Role::PartyOrganizer, Return, n, n), (Role::PartyOrganizer, OpenRound, n, n), (Role::PartyOrganizer, CloseRound, n, n),
            (Role::PartyOrganizer, Reopen, n, n), (Role::PartyOrganizer, ManageUsers, n, n), (Role::PartyOrganizer, RaiseProblem, n, n), (Role::PartyOrganizer, ResolveProblem, n, n),
            (Role::PartyOrganizer, IssueOrder, n, n), (Role::PartyOrganizer, HandleOrder, n, n), (Role::PartyOrganizer, ReviewOrder, n, n), (Role::PartyOrganizer, RequestExtension, n, n),
            (Role::PartyOrganizer, DecideExtension, n, n), (Role::PartyOrganizer, ManageLedger, n, n), (Role::PartyOrganizer, ReportCase, n, n), (Role::PartyOrganizer, CheckCase, n, n),
            (Role::PartyOrganizer, DispatchCase, n, n), (Role::PartyOrganizer, DisposeCase, n, n), (Role::PartyOrganizer, AssessParty, n, n), (Role::PartyOrganizer, ReviewParty, n, n),
            (Role::PartyOrganizer, ConfirmParty, y, y), (Role::PartyOrganizer, ManageParty, y, y),
        ];
        assert_eq!(table.len(), Role::ALL.len() * Action::ALL.len(), "every role × action is in the table");
        let tree = tree();
        for &(role, action, own, other) in table {
            let actor = Actor { username: "u".into(), role, unit: Some("zjj".into()) };
            // Own unit and a unit below it behave alike; a sibling unit is "other".
            for unit in ["zjj", "zjj-1"] {
                assert_eq!(authorize(&actor, action, unit, &tree).is_ok(), own, "{role} {action:?} on {unit}");
            }
            assert_eq!(authorize(&actor, action, "czj", &tree).is_ok(), other, "{role} {action:?} on czj");
        }
    }

    #[test]
    fn a_unit_role_without_a_unit_may_touch_nothing() {
        let actor = Actor { username: "u".into(), role: Role::UnitReporter, unit: None };
        let err = authorize(&actor, Action::EditDraft, "zjj", &tree()).unwrap_err();
        assert!(err.to_string().contains("zjj"), "{err}");
        let leader = Actor { username: "l".into(), role: Role::Leader, unit: None };
        assert_eq!(authorize(&leader, Action::Submit, "zjj", &tree()).unwrap_err().to_string(), "领导无权上报");
    }

    /// Accounts as people would try to make them: (user name, password, refused because …).
    #[test]
    fn accounts_need_a_plain_name_and_a_password_worth_having() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("zjj_reporter", "erqi-demo-2018", None),
            ("", "erqi-demo-2018", Some("不能为空")),
            (" zjj", "erqi-demo-2018", Some("不能含空格")),
            ("zjj reporter", "erqi-demo-2018", Some("不能含空格")),
            ("zjj", "1234567", Some("至少需要 8 个字符")),
            ("zjj", "12345678", Some("过于常见")),
            ("zjj", "Password1", Some("过于常见")),
            ("zjj", "        ", Some("同一个字符或空白")),
            ("zjj", "aaaaaaaaaa", Some("同一个字符或空白")),
            ("zhangsan1", "ZhangSan1", Some("与账号相同")),
        ];
        for &(name, password, refused) in cases {
            let result = check_account(name, Role::Leader, None, password);
            match refused {
                None => assert!(result.is_ok(), "{name:?} {password:?}: {result:?}"),
                Some(why) => {
                    let err = result.expect_err(name).to_string();
                    assert!(err.contains(why), "{name:?} {password:?}: {err}");
                }
            }
        }
        assert!(check_account("zjj", Role::UnitReporter, None, "erqi-demo-2018").is_err(), "unit roles name a unit");
    }

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
