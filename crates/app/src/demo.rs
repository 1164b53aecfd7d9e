//! The built-in Erqi demo: its files are compiled into the binary so that
//! `taizhang serve --demo` works from any folder; tests start from the same world.

use crate::NewUser;
use taizhang_core::access::Role;
use taizhang_core::indicator::Catalogue;
use taizhang_core::world::{World, WorldFiles};

/// The Erqi world's TOML files (`data/demo/erqi/`).
pub const FILES: WorldFiles<'static> = WorldFiles {
    units: include_str!("../../../data/demo/erqi/units.toml"),
    values: include_str!("../../../data/demo/erqi/values.toml"),
    plan: include_str!("../../../data/demo/erqi/plan.toml"),
    projects: include_str!("../../../data/demo/erqi/projects.toml"),
    tasks: include_str!("../../../data/demo/erqi/tasks.toml"),
};

/// The password of every demo account (README documents it). Demo databases only.
/// The demo's 综合考核 scheme (streets and town, January–May 2018).
pub const ASSESSMENT: &str = include_str!("../../../data/demo/erqi/assessment-2018-05.toml");

pub const DEMO_PASSWORD: &str = "erqi-demo-2018";

pub fn erqi_world(catalogue: &Catalogue) -> Result<World, taizhang_core::DomainError> {
    World::parse(FILES, catalogue)
}

/// One account per role, as README lists them.
pub fn demo_accounts() -> Vec<NewUser> {
    let account = |username: &str, display_name: &str, role: Role, unit: Option<&str>| NewUser {
        username: username.into(),
        display_name: display_name.into(),
        password: DEMO_PASSWORD.into(),
        role,
        unit: unit.map(Into::into),
    };
    vec![
        account("fgw_admin", "区发展改革委（管理员）", Role::Admin, Some("erqi-fgw")),
        account("dcs_reviewer", "区督查室（区级审核）", Role::Reviewer, Some("erqi-dcs")),
        account("zjj_leader", "区住房城乡建设局负责人（单位审核）", Role::UnitLeader, Some("erqi-zjj")),
        account("zjj_reporter", "区住房城乡建设局填报员", Role::UnitReporter, Some("erqi-zjj")),
        account("district_leader", "区领导", Role::Leader, None),
    ]
}
