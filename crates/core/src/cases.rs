//! A 数字城管 case's steps (GB/T 30428.8, 立案、处置和结案): the 监督员 reports (信息收集), the
//! 受理员 files it or declines it (立案 / 不予立案), the 值班长 dispatches it to a unit (派遣), the
//! unit disposes of it (处置), the 监督员 checks on site (核查) — passed, it is closed (结案);
//! failed, it goes back to the unit (返工). A wrong dispatch is sent back and dispatched again
//! (回退, 改派); a unit may be given more time (延期) or the case hung up (挂账), each with the
//! approval of the 指挥中心. Each step is checked here, before anything is written.

use rust_decimal::Decimal;

use crate::error::DomainError;
use crate::project::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CaseState {
    /// 信息收集: reported, not yet filed.
    Reported,
    /// 不予立案: declined, with its reason (final).
    Declined,
    /// 已立案, waiting to be dispatched (or sent back to be dispatched again).
    Filed,
    /// 已派遣: with a unit to dispose of.
    Dispatched,
    /// 已处置: the unit's result given, waiting for the 监督员's check.
    Disposed,
    /// 核查通过, waiting to be closed.
    Verified,
    /// 已结案 (final).
    Closed,
    /// 挂账: hung up with approval (a case that cannot be disposed of for now).
    Suspended,
}

impl CaseState {
    pub const ALL: [CaseState; 8] = [
        CaseState::Reported,
        CaseState::Declined,
        CaseState::Filed,
        CaseState::Dispatched,
        CaseState::Disposed,
        CaseState::Verified,
        CaseState::Closed,
        CaseState::Suspended,
    ];

    /// How the state is stored.
    pub fn code(self) -> &'static str {
        match self {
            CaseState::Reported => "reported",
            CaseState::Declined => "declined",
            CaseState::Filed => "filed",
            CaseState::Dispatched => "dispatched",
            CaseState::Disposed => "disposed",
            CaseState::Verified => "verified",
            CaseState::Closed => "closed",
            CaseState::Suspended => "suspended",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CaseState::Reported => "待立案",
            CaseState::Declined => "不予立案",
            CaseState::Filed => "待派遣",
            CaseState::Dispatched => "处置中",
            CaseState::Disposed => "待核查",
            CaseState::Verified => "待结案",
            CaseState::Closed => "已结案",
            CaseState::Suspended => "挂账",
        }
    }
}

impl std::str::FromStr for CaseState {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|x| x.code() == s || x.label_zh() == s)
            .ok_or_else(|| DomainError::Invalid(format!("案件状态“{s}”无法识别")))
    }
}

/// A 小类 of 部件 or 事件 (GB/T 30428.2), with its rules and time limit, as a city's class file
/// (TOML, `[[class]]` each) writes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseClass {
    pub code: String,
    /// "部件" or "事件".
    pub kind: String,
    /// The 大类's name.
    pub major: String,
    pub name: String,
    /// 立案条件.
    #[serde(default)]
    pub file_rule: String,
    /// 结案条件.
    #[serde(default)]
    pub close_rule: String,
    /// 处置时限, in `limit_unit`s.
    pub time_limit: u32,
    /// "hours" (working hours) or "days" (working days).
    pub limit_unit: String,
    /// The unit it is dispatched to unless the 值班长 chooses another …
    #[serde(default)]
    pub default_unit: Option<String>,
    /// … or, in these streets (by code), this unit (`street_units = { "erqi-dhj" = "erqi-cgj" }`).
    #[serde(default)]
    pub street_units: std::collections::BTreeMap<String, String>,
}

impl CaseClass {
    /// The unit a case of this class in `street` goes to when the 值班长 names none.
    pub fn default_unit_in(&self, street: &str) -> Option<&str> {
        self.street_units.get(street).or(self.default_unit.as_ref()).map(String::as_str)
    }
}

/// The classes of a class file (`[[class]]` each), each checked: a kind of 部件 or 事件, a
/// positive limit in hours or days, no code twice; a bad one named by its code.
pub fn classes_from_toml(text: &str) -> Result<Vec<CaseClass>, DomainError> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        #[serde(default)]
        class: Vec<CaseClass>,
    }
    let file: File = toml::from_str(text).map_err(|e| DomainError::Invalid(format!("小类文件：{}", e.message())))?;
    let mut seen = std::collections::HashSet::new();
    for c in &file.class {
        c.check()?;
        if !seen.insert(c.code.as_str()) {
            return Err(DomainError::Invalid(format!("小类“{}”：编码重复", c.code)));
        }
    }
    Ok(file.class)
}

/// A city's sample cases as a file writes them (the demo's): cells in WKT, classes, and cases
/// each with its steps in order — `[step, "YYYY-MM-DD HH:MM", what]`, where what is the unit
/// of a dispatch, `pass` or `rework` for a check, a day for a 延期, else the step's text.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseScript {
    #[serde(default)]
    pub cell: Vec<ScriptCell>,
    #[serde(default)]
    pub class: Vec<CaseClass>,
    #[serde(default, rename = "case")]
    pub cases: Vec<ScriptCase>,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptCell {
    pub code: String,
    pub name: String,
    pub street: String,
    #[serde(default)]
    pub community: String,
    pub wkt: String,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptCase {
    pub class: String,
    pub lon: String,
    pub lat: String,
    #[serde(default)]
    pub address: String,
    pub description: String,
    #[serde(default)]
    pub photos: String,
    pub reported_at: String,
    #[serde(default)]
    pub steps: Vec<Vec<String>>,
}

impl CaseScript {
    pub fn from_toml(text: &str) -> Result<Self, DomainError> {
        let script: CaseScript =
            toml::from_str(text).map_err(|e| DomainError::Invalid(format!("案件示例文件：{}", e.message())))?;
        for c in &script.class {
            c.check()?;
        }
        Ok(script)
    }

    /// The cells as grid cells (each outline read from its WKT).
    pub fn grid(&self) -> Result<Vec<crate::grid::GridCell>, DomainError> {
        self.cell
            .iter()
            .map(|c| {
                Ok(crate::grid::GridCell {
                    code: c.code.clone(),
                    name: c.name.clone(),
                    street: c.street.clone(),
                    community: c.community.clone(),
                    shape: crate::grid::shape_from_wkt(&c.wkt)
                        .map_err(|e| DomainError::Invalid(format!("网格{}：{e}", c.code)))?,
                })
            })
            .collect()
    }
}

impl CaseClass {
    /// A kind of 部件 or 事件, a code, and a positive time limit in hours or days.
    pub fn check(&self) -> Result<(), DomainError> {
        let bad = |what: &str| Err(DomainError::Invalid(format!("小类“{}”：{what}", self.code)));
        if self.code.trim().is_empty() {
            return Err(DomainError::Invalid("小类编码不能为空".into()));
        }
        if !matches!(self.kind.as_str(), "部件" | "事件") {
            return bad("kind 应为 部件 或 事件");
        }
        if self.time_limit == 0 || !matches!(self.limit_unit.as_str(), "hours" | "days") {
            return bad("处置时限应为正数的 hours（工作小时）或 days（工作日）");
        }
        Ok(())
    }
}

/// What someone does to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseStep {
    /// 立案.
    File,
    /// 不予立案, with the reason.
    Decline { reason: String },
    /// 派遣 to a unit (by its code), due by the deadline the case's class gives.
    Dispatch { unit: String, due: Date },
    /// 回退: the unit says the case is not its own; back to the 值班长 to dispatch again (改派).
    SendBack { reason: String },
    /// 处置: the unit's result.
    Dispose { result: String },
    /// 核查: passed, or failed with what is still wrong (返工).
    Check { passed: bool, note: String },
    /// 结案.
    Close,
    /// 延期 to a later day, approved.
    Extend { until: Date, approved_by: String },
    /// 挂账, approved.
    Suspend { reason: String, approved_by: String },
    /// Taken up again after 挂账: back to the unit it was with, or to be dispatched.
    Resume,
}

impl CaseStep {
    /// The step in the case's trail: its name and what was said with it.
    pub fn words(&self) -> (&'static str, String) {
        match self {
            CaseStep::File => ("立案", String::new()),
            CaseStep::Decline { reason } => ("不予立案", reason.clone()),
            CaseStep::Dispatch { unit, due } => ("派遣", format!("派遣至{unit}，{due}前处置")),
            CaseStep::SendBack { reason } => ("回退", reason.clone()),
            CaseStep::Dispose { result } => ("处置", result.clone()),
            CaseStep::Check { passed: true, note } => ("核查通过", note.clone()),
            CaseStep::Check { passed: false, note } => ("核查未通过（返工）", note.clone()),
            CaseStep::Close => ("结案", String::new()),
            CaseStep::Extend { until, approved_by } => ("延期", format!("延期至{until}，{approved_by}批准")),
            CaseStep::Suspend { reason, approved_by } => ("挂账", format!("{reason}（{approved_by}批准）")),
            CaseStep::Resume => ("恢复办理", String::new()),
        }
    }
}

/// A case as its steps have left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseStatus {
    pub state: CaseState,
    /// The unit disposing of it (after 派遣).
    pub unit: Option<String>,
    pub due: Option<Date>,
    /// How many times its disposal failed the check (返工).
    pub reworks: u32,
    /// How many times it was given more time.
    pub extensions: u32,
    /// How many times it was sent back and dispatched again (改派).
    pub redispatches: u32,
    /// The state it was hung up in (挂账), to resume to.
    pub suspended_from: Option<CaseState>,
}

impl Default for CaseStatus {
    fn default() -> Self {
        CaseStatus {
            state: CaseState::Reported,
            unit: None,
            due: None,
            reworks: 0,
            extensions: 0,
            redispatches: 0,
            suspended_from: None,
        }
    }
}

/// A case as an old system left it, brought over whole (migration): its times — local
/// "YYYY-MM-DD HH:MM" — and how far it got. Its state follows from the times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoricCase {
    /// The sheet's row, for messages.
    pub row: u32,
    /// Its number in the old system, kept in the trail.
    pub old_id: String,
    pub class: String,
    pub lon: Decimal,
    pub lat: Decimal,
    pub address: String,
    pub description: String,
    pub reported_by: String,
    pub reported_at: String,
    pub filed_at: Option<String>,
    pub dispatched_at: Option<String>,
    /// The unit it was dispatched to.
    pub unit: Option<String>,
    pub due_at: Option<String>,
    /// The disposal the check passed (or the last one awaiting its check).
    pub disposed_at: Option<String>,
    pub closed_at: Option<String>,
    pub reworks: u32,
    /// 不予立案 or 挂账, which the times alone do not say.
    pub declined: bool,
    pub suspended: bool,
}

impl HistoricCase {
    /// Where the case got to, its times checked in order: 立案 ≥ 上报, 派遣 (with its unit and
    /// 处置时限) after 立案, 处置 after 派遣, 结案 after 处置; none in the future of `now`.
    pub fn status(&self, now: &str) -> Result<CaseStatus, DomainError> {
        let bad = |m: String| Err(DomainError::Invalid(m));
        let steps = [
            ("上报时间", Some(&self.reported_at)),
            ("立案时间", self.filed_at.as_ref()),
            ("派遣时间", self.dispatched_at.as_ref()),
            ("处置时间", self.disposed_at.as_ref()),
            ("结案时间", self.closed_at.as_ref()),
        ];
        let mut last: Option<(&str, &String)> = None;
        let mut gap: Option<&str> = None;
        for (name, at) in steps {
            match (at, gap) {
                (Some(_), Some(missing)) => return bad(format!("有{name}却没有{missing}")),
                (Some(at), None) => {
                    if at.as_str() > now {
                        return bad(format!("{name}{at}晚于现在"));
                    }
                    if let Some((before, then)) = last
                        && at < then
                    {
                        return bad(format!("{name}{at}早于{before}{then}"));
                    }
                    last = Some((name, at));
                }
                (None, _) => gap = gap.or(Some(name)),
            }
        }
        if self.dispatched_at.is_some() && (self.unit.is_none() || self.due_at.is_none()) {
            return bad("已派遣的案件需要处置单位和处置时限".into());
        }
        if self.declined && self.filed_at.is_some() {
            return bad("不予立案的案件不能有立案时间".into());
        }
        let reached = match (&self.closed_at, &self.disposed_at, &self.dispatched_at, &self.filed_at) {
            (Some(_), ..) => CaseState::Closed,
            (None, Some(_), ..) => CaseState::Disposed,
            (None, None, Some(_), _) => CaseState::Dispatched,
            (None, None, None, Some(_)) => CaseState::Filed,
            _ if self.declined => CaseState::Declined,
            _ => CaseState::Reported,
        };
        let state = match (self.suspended, reached) {
            (false, s) => s,
            (true, CaseState::Filed | CaseState::Dispatched) => CaseState::Suspended,
            (true, _) => return bad("只有已立案或已派遣、未处置的案件可以挂账".into()),
        };
        Ok(CaseStatus {
            state,
            unit: self.unit.clone().filter(|_| self.dispatched_at.is_some()),
            due: self.due_at.as_deref().map(|d| Date::parse(d.get(..10).unwrap_or(d))).transpose()?,
            reworks: self.reworks,
            extensions: 0,
            redispatches: 0,
            suspended_from: self.suspended.then_some(reached),
        })
    }
}

/// The limits a city sets on its cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRules {
    /// How many times a case may be given more time.
    pub max_extensions: u32,
    /// How many days past its first deadline a case may be extended to, at most.
    pub max_extension_days: i64,
}

impl Default for CaseRules {
    fn default() -> Self {
        CaseRules { max_extensions: 1, max_extension_days: 30 }
    }
}

/// A city's 数字城管 settings (`[cases]` in the configuration): the limits on 延期 and the
/// weights of the 综合指标值 (GB/T 30428.4 leaves them to the city), which together make 1.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaseConfig {
    pub max_extensions: u32,
    pub max_extension_days: i64,
    /// Weight of 按期结案率.
    pub index_on_time: Decimal,
    /// Weight of 结案率.
    pub index_closing: Decimal,
    /// Weight of 100 − 返工率 (of cases closed; none closed, none earned).
    pub index_no_rework: Decimal,
    /// Open311 GeoReport v2: each api_key and the account (a 监督员's) a citizen app acts as.
    /// None configured, the endpoints refuse every request.
    pub open311_keys: std::collections::BTreeMap<String, String>,
}

impl Default for CaseConfig {
    fn default() -> Self {
        let rules = CaseRules::default();
        CaseConfig {
            max_extensions: rules.max_extensions,
            max_extension_days: rules.max_extension_days,
            index_on_time: Decimal::new(5, 1),
            index_closing: Decimal::new(3, 1),
            index_no_rework: Decimal::new(2, 1),
            open311_keys: Default::default(),
        }
    }
}

impl CaseConfig {
    pub fn check(&self) -> Result<(), DomainError> {
        let weights = [self.index_on_time, self.index_closing, self.index_no_rework];
        if weights.iter().any(|w| *w < Decimal::ZERO) || weights.iter().sum::<Decimal>() != Decimal::ONE {
            return Err(DomainError::Invalid(format!(
                "配置文件 [cases]：综合指标值的权重 index_on_time {}、index_closing {}、index_no_rework {} 应均不为负且合计为1",
                self.index_on_time, self.index_closing, self.index_no_rework
            )));
        }
        Ok(())
    }

    pub fn rules(&self) -> CaseRules {
        CaseRules { max_extensions: self.max_extensions, max_extension_days: self.max_extension_days }
    }

    /// The 综合指标值 of rates in percent: none when nothing was due.
    pub fn index(
        &self,
        on_time: Option<Decimal>,
        closing: Option<Decimal>,
        rework: Option<Decimal>,
    ) -> Option<Decimal> {
        let (on_time, closing) = (on_time?, closing?);
        let no_rework = rework.map_or(Decimal::ZERO, |r| Decimal::ONE_HUNDRED - r);
        Some(
            (on_time * self.index_on_time + closing * self.index_closing + no_rework * self.index_no_rework)
                .round_dp(2),
        )
    }
}

fn refused(status: &CaseStatus, step: &str) -> DomainError {
    DomainError::Invalid(format!("案件{}，不能{step}", status.state.label_zh()))
}

/// The case after `step`, taken by someone of `unit` (a unit's account; `None` for the
/// centres: 监督中心, 指挥中心), or why it cannot be taken.
pub fn apply(
    status: &CaseStatus,
    step: &CaseStep,
    unit: Option<&str>,
    rules: &CaseRules,
) -> Result<CaseStatus, DomainError> {
    use CaseState as S;
    let mut next = status.clone();
    let needs_text = |text: &str, what: &str| {
        if text.trim().is_empty() { Err(DomainError::Invalid(format!("请填写{what}"))) } else { Ok(()) }
    };
    // Only the unit a case is with may act for it (处置, 回退, and asking 延期 go through it).
    let own_unit = || match (unit, status.unit.as_deref()) {
        (Some(u), Some(with)) if u != with => Err(DomainError::Invalid(format!("案件派遣给“{with}”，“{u}”不能办理"))),
        _ => Ok(()),
    };
    match step {
        CaseStep::File if status.state == S::Reported => next.state = S::Filed,
        CaseStep::File => return Err(refused(status, "立案")),
        CaseStep::Decline { reason } if status.state == S::Reported => {
            needs_text(reason, "不予立案的理由")?;
            next.state = S::Declined;
        }
        CaseStep::Decline { .. } => return Err(refused(status, "不予立案")),
        CaseStep::Dispatch { unit: to, due } if status.state == S::Filed => {
            needs_text(to, "派遣的单位")?;
            if status.unit.as_deref() == Some(to.as_str()) {
                return Err(DomainError::Invalid(format!("案件刚从“{to}”回退，改派应派给另一单位")));
            }
            next.state = S::Dispatched;
            next.unit = Some(to.clone());
            next.due = Some(*due);
        }
        CaseStep::Dispatch { .. } => return Err(refused(status, "派遣")),
        CaseStep::SendBack { reason } if status.state == S::Dispatched => {
            own_unit()?;
            needs_text(reason, "回退的理由")?;
            // The unit it left is kept, so that it is not dispatched there again.
            next.state = S::Filed;
            next.redispatches += 1;
        }
        CaseStep::SendBack { .. } => return Err(refused(status, "回退")),
        CaseStep::Dispose { result } if status.state == S::Dispatched => {
            own_unit()?;
            needs_text(result, "处置结果")?;
            next.state = S::Disposed;
        }
        CaseStep::Dispose { .. } => return Err(refused(status, "处置")),
        CaseStep::Check { passed, note } if status.state == S::Disposed => {
            if *passed {
                next.state = S::Verified;
            } else {
                needs_text(note, "核查未通过的原因")?;
                next.state = S::Dispatched;
                next.reworks += 1;
            }
        }
        CaseStep::Check { .. } => return Err(refused(status, "核查")),
        CaseStep::Close if status.state == S::Verified => next.state = S::Closed,
        CaseStep::Close if status.state == S::Disposed => {
            return Err(DomainError::Invalid("案件须经监督员核查通过才能结案".into()));
        }
        CaseStep::Close => return Err(refused(status, "结案")),
        CaseStep::Extend { until, approved_by } if status.state == S::Dispatched => {
            needs_text(approved_by, "批准延期的人")?;
            let due = status.due.ok_or_else(|| refused(status, "延期"))?;
            if *until <= due {
                return Err(DomainError::Invalid(format!("延期后的时限应晚于原时限 {due}")));
            }
            if status.extensions >= rules.max_extensions {
                return Err(DomainError::Invalid(format!("案件已延期{}次，不能再延期", status.extensions)));
            }
            if until.unix_days() - due.unix_days() > rules.max_extension_days {
                return Err(DomainError::Invalid(format!(
                    "延期至 {until} 超过了可延期的{}天（原时限 {due}）",
                    rules.max_extension_days
                )));
            }
            next.due = Some(*until);
            next.extensions += 1;
        }
        CaseStep::Extend { .. } => return Err(refused(status, "延期")),
        CaseStep::Suspend { reason, approved_by } if matches!(status.state, S::Filed | S::Dispatched) => {
            needs_text(reason, "挂账的理由")?;
            needs_text(approved_by, "批准挂账的人")?;
            next.suspended_from = Some(status.state);
            next.state = S::Suspended;
        }
        CaseStep::Suspend { .. } => return Err(refused(status, "挂账")),
        CaseStep::Resume if status.state == S::Suspended => {
            next.state = status.suspended_from.unwrap_or(S::Filed);
            next.suspended_from = None;
        }
        CaseStep::Resume => return Err(refused(status, "恢复办理")),
    }
    Ok(next)
}

#[cfg(test)]
mod historic_tests {
    use super::*;
    use crate::test_support::d;

    fn case() -> HistoricCase {
        HistoricCase {
            row: 2,
            old_id: "A1".into(),
            class: "S-SR-01".into(),
            lon: d("113.6"),
            lat: d("34.7"),
            address: String::new(),
            description: "暴露垃圾".into(),
            reported_by: "监督员".into(),
            reported_at: "2018-06-04 09:00".into(),
            filed_at: Some("2018-06-04 09:10".into()),
            dispatched_at: Some("2018-06-04 09:20".into()),
            unit: Some("erqi-cgj".into()),
            due_at: Some("2018-06-04 11:20".into()),
            disposed_at: Some("2018-06-04 10:50".into()),
            closed_at: Some("2018-06-04 15:00".into()),
            reworks: 1,
            declined: false,
            suspended: false,
        }
    }

    #[test]
    fn an_old_systems_case_gets_the_state_its_times_reached_and_wrong_orders_are_refused() {
        let now = "2026-01-01 00:00";
        let closed = case().status(now).unwrap();
        assert_eq!(
            (closed.state, closed.reworks, closed.due),
            (CaseState::Closed, 1, Some(Date::parse("2018-06-04").unwrap()))
        );
        let open = HistoricCase { disposed_at: None, closed_at: None, ..case() }.status(now).unwrap();
        assert_eq!((open.state, open.unit.as_deref()), (CaseState::Dispatched, Some("erqi-cgj")));
        let hung = HistoricCase { disposed_at: None, closed_at: None, suspended: true, ..case() };
        assert_eq!(hung.status(now).unwrap().suspended_from, Some(CaseState::Dispatched));
        let declined = HistoricCase {
            filed_at: None,
            dispatched_at: None,
            disposed_at: None,
            closed_at: None,
            declined: true,
            ..case()
        };
        assert_eq!(declined.status(now).unwrap().state, CaseState::Declined);
        let early = HistoricCase { closed_at: Some("2018-06-04 10:00".into()), ..case() };
        assert_eq!(early.status(now).unwrap_err().to_string(), "结案时间2018-06-04 10:00早于处置时间2018-06-04 10:50");
        let skipped = HistoricCase { disposed_at: None, ..case() };
        assert_eq!(skipped.status(now).unwrap_err().to_string(), "有结案时间却没有处置时间");
        let nowhere = HistoricCase { unit: None, ..case() };
        assert!(nowhere.status(now).unwrap_err().to_string().contains("处置单位"));
        assert!(case().status("2018-06-04 12:00").unwrap_err().to_string().contains("晚于现在"));
    }
}

#[cfg(test)]
mod index_tests {
    use super::*;
    use crate::test_support::d;

    #[test]
    fn the_composite_index_weighs_the_rates_as_configured() {
        let c = CaseConfig::default();
        // 0.5 × 50 + 0.3 × 100 + 0.2 × (100 − 50) = 65.
        assert_eq!(c.index(Some(d("50")), Some(d("100")), Some(d("50"))), Some(d("65")));
        assert_eq!(c.index(Some(d("0")), Some(d("0")), None), Some(d("0")), "nothing closed earns nothing");
        assert_eq!(c.index(None, None, None), None, "nothing due: no index");
        let odd = CaseConfig { index_on_time: d("0.6"), ..CaseConfig::default() };
        assert!(odd.check().unwrap_err().to_string().contains("合计为1"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn run(steps: &[(CaseStep, Option<&str>)]) -> Result<CaseStatus, DomainError> {
        let rules = CaseRules::default();
        steps.iter().try_fold(CaseStatus::default(), |s, (step, unit)| apply(&s, step, *unit, &rules))
    }

    fn dispatch(unit: &str) -> CaseStep {
        CaseStep::Dispatch { unit: unit.into(), due: d("2018-06-08") }
    }

    fn check(passed: bool) -> CaseStep {
        CaseStep::Check { passed, note: if passed { String::new() } else { "仍有垃圾".into() } }
    }

    fn dispose() -> CaseStep {
        CaseStep::Dispose { result: "已清理".into() }
    }

    #[test]
    fn a_case_goes_from_report_to_closed_and_back_to_the_unit_twice_on_failed_checks() {
        let done = run(&[
            (CaseStep::File, None),
            (dispatch("hwj"), None),
            (dispose(), Some("hwj")),
            (check(false), None),
            (dispose(), Some("hwj")),
            (check(false), None),
            (dispose(), Some("hwj")),
            (check(true), None),
            (CaseStep::Close, None),
        ])
        .unwrap();
        assert_eq!((done.state, done.reworks, done.unit.as_deref()), (CaseState::Closed, 2, Some("hwj")));
    }

    #[test]
    fn a_wrong_dispatch_is_sent_back_and_dispatched_to_another_unit() {
        let sent_back = run(&[
            (CaseStep::File, None),
            (dispatch("hwj"), None),
            (CaseStep::SendBack { reason: "不属本单位职责".into() }, Some("hwj")),
        ])
        .unwrap();
        assert_eq!(sent_back.state, CaseState::Filed);
        let again = apply(&sent_back, &dispatch("hwj"), None, &CaseRules::default()).unwrap_err().to_string();
        assert!(again.contains("另一单位"), "{again}");
        let redispatched = apply(&sent_back, &dispatch("szj"), None, &CaseRules::default()).unwrap();
        assert_eq!((redispatched.unit.as_deref(), redispatched.redispatches), (Some("szj"), 1));
    }

    #[test]
    fn steps_out_of_order_or_by_another_unit_are_refused_in_words() {
        let disposed = run(&[(CaseStep::File, None), (dispatch("hwj"), None), (dispose(), Some("hwj"))]).unwrap();
        let rules = CaseRules::default();
        let close = apply(&disposed, &CaseStep::Close, None, &rules).unwrap_err().to_string();
        assert!(close.contains("核查通过才能结案"), "{close}");
        let dispatched = run(&[(CaseStep::File, None), (dispatch("hwj"), None)]).unwrap();
        let other = apply(&dispatched, &dispose(), Some("szj"), &rules).unwrap_err().to_string();
        assert!(other.contains("派遣给“hwj”") && other.contains("“szj”不能办理"), "{other}");
        let unfiled = apply(&CaseStatus::default(), &dispatch("hwj"), None, &rules).unwrap_err().to_string();
        assert_eq!(unfiled, "案件待立案，不能派遣");
        let declined = run(&[(CaseStep::Decline { reason: "不属于城管范围".into() }, None)]).unwrap();
        assert_eq!(declined.state, CaseState::Declined);
        assert!(apply(&declined, &CaseStep::File, None, &rules).is_err(), "declined is final");
        assert!(run(&[(CaseStep::Decline { reason: " ".into() }, None)]).is_err(), "a reason is required");
    }

    #[test]
    fn more_time_is_given_once_within_its_limit_and_a_hung_up_case_resumes_where_it_was() {
        let rules = CaseRules::default();
        let dispatched = run(&[(CaseStep::File, None), (dispatch("hwj"), None)]).unwrap();
        let extend = |s: &CaseStatus, until: &str| {
            apply(s, &CaseStep::Extend { until: d(until), approved_by: "值班长".into() }, None, &rules)
        };
        let past = extend(&dispatched, "2018-07-09").unwrap_err().to_string();
        assert!(past.contains("超过了可延期的30天"), "{past}");
        let extended = extend(&dispatched, "2018-06-15").unwrap();
        assert_eq!((extended.due, extended.extensions), (Some(d("2018-06-15")), 1));
        let twice = extend(&extended, "2018-06-20").unwrap_err().to_string();
        assert!(twice.contains("已延期1次"), "{twice}");
        let suspend = CaseStep::Suspend { reason: "待拆迁".into(), approved_by: "指挥中心".into() };
        let hung = apply(&extended, &suspend, None, &rules).unwrap();
        assert_eq!(hung.state, CaseState::Suspended);
        assert!(apply(&hung, &dispose(), Some("hwj"), &rules).is_err(), "a hung-up case is not disposed of");
        let resumed = apply(&hung, &CaseStep::Resume, None, &rules).unwrap();
        assert_eq!((resumed.state, resumed.unit.as_deref()), (CaseState::Dispatched, Some("hwj")));
    }
}
