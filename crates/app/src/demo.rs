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
        account("jdy", "数字城管监督员", Role::Inspector, None),
        account("zbz", "数字城管指挥中心值班长", Role::Dispatcher, None),
        account("cgj_reporter", "区城市管理局填报员", Role::UnitReporter, Some("erqi-cgj")),
    ]
}

/// The demo's 数字城管: sample grid cells for the streets, sample classes and a month of
/// sample cases (June 2018) covering every path.
pub const CITY_CASES: &str = include_str!("../../../data/demo/erqi/city-cases.toml");

impl crate::App {
    /// Loads the demo's 数字城管 sample rows, each case's steps taken by the demo account of
    /// the role that takes them (监督员 jdy, 值班长 zbz, the disposing unit's 填报员), at the
    /// times the file gives. Run after the demo accounts exist; the number of cases.
    pub async fn load_demo_cases(&self) -> crate::Result<usize> {
        use crate::cases::{CaseReport, Moment, StepRequest};
        use taizhang_core::access::Action;
        let script = taizhang_core::cases::CaseScript::from_toml(CITY_CASES)?;
        let admin = self.as_user("fgw_admin").await?;
        admin.save_grid(&script.grid()?, true).await?;
        admin.save_case_classes(&script.class).await?;
        let (jdy, zbz) = (self.as_user("jdy").await?, self.as_user("zbz").await?);
        let units =
            [("erqi-cgj", self.as_user("cgj_reporter").await?), ("erqi-zjj", self.as_user("zjj_reporter").await?)];
        for c in &script.cases {
            let report = CaseReport {
                class: &c.class,
                lon: crate::cases::degrees(&c.lon)?,
                lat: crate::cases::degrees(&c.lat)?,
                address: &c.address,
                description: &c.description,
                photos: &c.photos,
                sample: true,
            };
            let id = jdy.report_case(&report, Moment::parse(&c.reported_at)?).await?;
            let mut with: Option<String> = None;
            for step in &c.steps {
                let part = |i: usize| step.get(i).cloned().unwrap_or_default();
                let (name, at, what) = (part(0), Moment::parse(&part(1))?, part(2));
                let request = match name.as_str() {
                    "dispatch" => StepRequest::Dispatch { unit: Some(what) },
                    "check" => StepRequest::Check { passed: what == "pass", note: part(3) },
                    "extend" => StepRequest::Extend { until: taizhang_core::project::Date::parse(&what)? },
                    other => StepRequest::named(other, None, what, None, None)?,
                };
                let acting = match request.action() {
                    Action::DisposeCase => {
                        units.iter().find(|(u, _)| with.as_deref() == Some(*u)).map(|(_, a)| a).ok_or_else(|| {
                            crate::Error::Invalid(format!("示例案件派遣给了没有示例账号的单位：{with:?}"))
                        })?
                    }
                    Action::CheckCase => &jdy,
                    _ => &zbz,
                };
                with = acting.take_case_step(id, request, at).await?.status.unit;
            }
        }
        Ok(script.cases.len())
    }
}
