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
        account("zzb", "区委组织部", Role::PartyOrganizer, Some("erqi-zzb")),
        account("zbsj_hhl1", "淮河路第1社区党支部书记", Role::PartySecretary, Some("erqi-hhl")),
        account("dgw_hhl", "淮河路街道党工委", Role::PartyCommittee, Some("erqi-hhl")),
        account("dgw_jfl", "解放路街道党工委", Role::PartyCommittee, Some("erqi-jfl")),
        account("dgw_mgl", "铭功路街道党工委", Role::PartyCommittee, Some("erqi-mgl")),
        account("dgw_dhj", "德化街街道党工委", Role::PartyCommittee, Some("erqi-dhj")),
        account("dgw_wlb", "五里堡街道党工委", Role::PartyCommittee, Some("erqi-wlb")),
        account("dgw_dxl", "大学路街道党工委", Role::PartyCommittee, Some("erqi-dxl")),
        account("dgw_zjj", "区住房城乡建设局机关党委", Role::PartyCommittee, Some("erqi-zjj")),
        account("dgw_cgj", "区城市管理局机关党委", Role::PartyCommittee, Some("erqi-cgj")),
    ]
}

/// The demo's 基层党建: the 2018 标准化 scheme and sample organisations with their scores,
/// outcomes and meetings.
pub const PARTY_SCHEME_2018: &str = include_str!("../../../data/demo/erqi/party-scheme-2018.toml");
pub const PARTY_SAMPLE: &str = include_str!("../../../data/demo/erqi/party-sample.toml");

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

    /// Loads the demo's 基层党建 sample rows: the 2018 scheme and organisations (the 区委组织部
    /// zzb), each organisation's checklist taken as far as the sample says — scored and
    /// submitted by its 书记 (or the admin for it), reviewed by its unit's 党(工)委
    /// (`dgw_<unit>`), confirmed with adjustments by zzb — and a year of its meetings. Run
    /// after the demo accounts exist; the number of organisations (none when loaded before).
    pub async fn load_demo_party(&self) -> crate::Result<usize> {
        use crate::party::ScoreInput;
        use taizhang_core::party::{ChecklistScheme, PartySample, Scorer};
        use taizhang_core::workflow::Event;
        let sample = PartySample::from_toml(PARTY_SAMPLE)?;
        let scheme = ChecklistScheme::from_toml(PARTY_SCHEME_2018)?;
        // Loaded before (the demo run again): its checklists have moved on; leave them.
        if self.store.party_scheme(scheme.year).await?.is_some() {
            return Ok(0);
        }
        let zzb = self.as_user("zzb").await?;
        zzb.save_party_scheme(PARTY_SCHEME_2018).await?;
        let orgs = sample.orgs.iter().map(|o| o.org()).collect::<Result<Vec<_>, _>>()?;
        zzb.save_party_orgs(&orgs).await?;
        let today = crate::clock::today();
        let year = scheme.year;
        for o in &sample.orgs {
            let own = match &o.secretary_account {
                Some(account) => self.as_user(account).await?,
                None => self.as_user("fgw_admin").await?,
            };
            own.record_party_meetings(&o.meetings(&scheme, year)?, today, true).await?;
            let outcome = o.outcome();
            if o.level.parse::<taizhang_core::party::OrgLevel>()? == taizhang_core::party::OrgLevel::Committee
                || outcome == "none"
            {
                continue;
            }
            let inputs = |scorer: Scorer| -> Vec<ScoreInput> {
                o.scores(&scheme, scorer)
                    .into_iter()
                    .map(|(item, points, evidence)| ScoreInput { item, points, evidence })
                    .collect()
            };
            let mut a = own.save_party_scores(&o.code, year, &inputs(Scorer::Own), None).await?;
            if outcome == "draft" {
                continue;
            }
            a = own.party_step(&o.code, year, Event::Submit, "", a.version).await?;
            if outcome == "submitted" {
                continue;
            }
            let committee = self.as_user(&format!("dgw_{}", o.unit.trim_start_matches("erqi-"))).await?;
            a = committee.save_party_scores(&o.code, year, &inputs(Scorer::Review), Some(a.version)).await?;
            a = committee.party_step(&o.code, year, Event::Approve, "", a.version).await?;
            if outcome == "approved" {
                continue;
            }
            a = zzb.save_party_scores(&o.code, year, &inputs(Scorer::Confirm), Some(a.version)).await?;
            zzb.party_step(&o.code, year, Event::Accept, "", a.version).await?;
        }
        Ok(orgs.len())
    }
}
