//! A jurisdiction's rules as configuration: which checks a submission must pass and where
//! the red / yellow / green lines are drawn. Defaults are the published ones; a deployment
//! overrides them with a TOML file (`taizhang --config FILE` or `TAIZHANG_CONFIG`).

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::error::DomainError;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub rules: RuleConfig,
    pub lights: LightConfig,
    pub mechanism: crate::mechanism::MechanismConfig,
    pub reminders: crate::remind::RemindConfig,
    pub backup: BackupConfig,
    pub reports: ReportConfig,
    /// 数字城管: the limits on 延期 and the weights of the 综合指标值.
    pub cases: crate::cases::CaseConfig,
    /// The zone the office lives in (an IANA name): "today", deadlines and every time shown.
    pub time_zone: Zone,
}

/// A time zone by its IANA name (default Asia/Shanghai), resolved from the tz database built
/// into the program, so that it reads the same on every machine.
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    zone: jiff::tz::TimeZone,
}

impl Zone {
    pub fn named(name: &str) -> Result<Self, DomainError> {
        let zone = jiff::tz::TimeZone::get(name).map_err(|_| {
            DomainError::Invalid(format!("配置文件中的时区“{name}”无法识别：应为 IANA 时区名，如 Asia/Shanghai"))
        })?;
        Ok(Self { name: name.to_string(), zone })
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn zone(&self) -> &jiff::tz::TimeZone {
        &self.zone
    }

    /// A local "YYYY-MM-DD HH:MM" (as cases keep times) in ISO 8601 with this zone's offset:
    /// "2018-06-04T09:30:00+08:00".
    pub fn iso_of_local(&self, local: &str) -> Option<String> {
        let civil = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", local.trim()).ok()?;
        let at = self.zone.to_ambiguous_timestamp(civil).compatible().ok()?;
        let seconds = self.zone.to_offset(at).seconds();
        let (sign, minutes) = (if seconds < 0 { '-' } else { '+' }, seconds.abs() / 60);
        Some(format!("{}{sign}{:02}:{:02}", civil.strftime("%Y-%m-%dT%H:%M:%S"), minutes / 60, minutes % 60))
    }

    /// An ISO 8601 moment (with its offset, or a bare date meaning its local midnight) as a
    /// local "YYYY-MM-DD HH:MM" here.
    pub fn local_of_iso(&self, iso: &str) -> Option<String> {
        let iso = iso.trim();
        let civil = match iso.parse::<jiff::Timestamp>() {
            Ok(t) => self.zone.to_datetime(t),
            Err(_) => iso.parse::<jiff::civil::Date>().ok()?.to_datetime(jiff::civil::Time::midnight()),
        };
        Some(civil.strftime("%Y-%m-%d %H:%M").to_string())
    }
}

impl Default for Zone {
    fn default() -> Self {
        Self::named("Asia/Shanghai").unwrap_or(Self { name: "+08:00".into(), zone: jiff::tz::offset(8).to_time_zone() })
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for Zone {}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Zone::named(&name).map_err(serde::de::Error::custom)
    }
}

/// `[reports]`: how the office writes its documents.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportConfig {
    /// 综合考核 scheme files offered on the 报表 page beside the demo's.
    pub schemes: Vec<String>,
    /// The issuing office printed under a briefing (default: the unit's 发展和改革委员会).
    pub issuer: Option<String>,
    /// The word for the time-elapsed share of the year: 序时进度, 时间进度 or 均衡进度.
    pub pace_word: String,
    /// A 文号 printed under the 版头, such as 二七发改〔2018〕; the number follows.
    pub doc_number: Option<String>,
    /// A red 版头 at the top of Word documents, such as 二七区重点项目建设指挥部办公室.
    pub red_header: Option<String>,
    /// The date under the signature: 2018年6月5日 (arabic) or 二〇一八年六月五日 (chinese).
    pub date_style: DateStyle,
}

impl Default for ReportConfig {
    fn default() -> Self {
        Self {
            schemes: vec![],
            issuer: None,
            pace_word: "序时进度".into(),
            doc_number: None,
            red_header: None,
            date_style: DateStyle::Arabic,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateStyle {
    #[default]
    Arabic,
    Chinese,
}

/// `[backup]`: scheduled backups written by `serve`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupConfig {
    /// Where backup files go; none switches scheduled backups off.
    pub dir: Option<String>,
    pub every_hours: u64,
    /// How many of the newest files are kept.
    pub keep: usize,
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self { dir: None, every_hours: 24, keep: 7 }
    }
}

/// Checks run when a unit submits. A failing check blocks submission unless the reporter
/// writes an explanation (强制上报 with 说明).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleConfig {
    /// 年初至报告期累计 never goes down within a year.
    pub ytd_never_decreases: bool,
    /// 年初至报告期累计 = last month's + this month's, within `ytd_tolerance_wan`.
    pub ytd_is_previous_plus_month: bool,
    pub ytd_tolerance_wan: Decimal,
    /// A month's amount may differ from last month's, or the same month last year's, by at
    /// most this many percent; none switches the check off.
    pub swing_pct: Option<Decimal>,
    /// 开工至报告期累计 ≤ 总投资.
    pub since_start_within_total: bool,
    /// Indicators whose parts must add up to their total.
    pub parts: Vec<PartsRule>,
    /// A revision changing a figure by more than this many percent is flagged (数据核对);
    /// none switches the flag off.
    pub revision_flag_pct: Option<Decimal>,
    /// A unit's figure and the sum of its sub-units' may differ by this many percent before
    /// it is flagged.
    pub subunit_tolerance_pct: Decimal,
    /// 职责分离: whoever drafted or submitted a record may not approve or accept it, and no
    /// one (an admin included) carries one record through two review steps.
    pub separation_of_duties: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartsRule {
    /// Indicator code or name of the total.
    pub total: String,
    pub parts: Vec<String>,
    /// Allowed difference, in percent of the total.
    #[serde(default)]
    pub tolerance_pct: Decimal,
}

impl RuleConfig {
    /// Every indicator a rule names is in the catalogue: a rule naming another could never fire.
    pub fn check_against(&self, catalogue: &crate::indicator::Catalogue) -> Result<(), crate::error::DomainError> {
        for rule in &self.parts {
            for name in std::iter::once(&rule.total).chain(&rule.parts) {
                if catalogue.find(name).is_none() {
                    return Err(crate::error::DomainError::Invalid(format!(
                        "配置文件 [[rules.parts]]（合计“{}”）中的指标“{name}”不在指标目录中：该规则永远不会生效，请改正指标名称或先把指标加入目录",
                        rule.total
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Where the lights change. Lags are in percentage points against 序时进度.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LightConfig {
    /// Green at or above this lag; yellow below it.
    pub yellow_below_pp: Decimal,
    /// Red below this lag.
    pub red_below_pp: Decimal,
    /// A project not started this many months after its planned start is red (yellow before).
    pub not_started_red_months: u32,
    /// A task within this many days of its deadline and under `task_yellow_below_pct` is yellow.
    pub task_yellow_days: i64,
    pub task_yellow_below_pct: Decimal,
    /// An indicator this many points below target × 序时进度 is red (yellow when below at all).
    pub indicator_red_pp: Decimal,
    /// A 督办 order within this many days of its deadline is yellow; past it, red.
    pub order_yellow_days: i64,
    /// Days a level has to resolve an overdue problem before it escalates again.
    pub escalation_days: i64,
}

impl Default for RuleConfig {
    fn default() -> Self {
        Self {
            ytd_never_decreases: true,
            ytd_is_previous_plus_month: true,
            ytd_tolerance_wan: Decimal::new(1, 2),
            swing_pct: Some(Decimal::from(30)),
            since_start_within_total: true,
            parts: vec![],
            revision_flag_pct: Some(Decimal::from(5)),
            subunit_tolerance_pct: Decimal::ONE,
            separation_of_duties: true,
        }
    }
}

impl Default for LightConfig {
    fn default() -> Self {
        Self {
            yellow_below_pp: Decimal::from(-10),
            red_below_pp: Decimal::from(-30),
            not_started_red_months: 3,
            task_yellow_days: 7,
            task_yellow_below_pct: Decimal::from(80),
            indicator_red_pp: Decimal::from(10),
            order_yellow_days: 3,
            escalation_days: 7,
        }
    }
}

impl Config {
    /// Parses a configuration file; what it leaves out keeps its default.
    pub fn from_toml(text: &str) -> Result<Self, DomainError> {
        let config: Config =
            toml::from_str(text).map_err(|e| DomainError::Invalid(format!("配置文件格式错误：{e}")))?;
        if config.lights.red_below_pp > config.lights.yellow_below_pp {
            return Err(DomainError::Invalid("配置文件：red_below_pp 不能高于 yellow_below_pp".into()));
        }
        config.mechanism.check()?;
        config.reminders.check()?;
        config.cases.check()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_file_holds_the_defaults() {
        let text = include_str!("../../../data/config/taizhang.toml");
        assert_eq!(Config::from_toml(text).unwrap(), Config::default());
    }

    #[test]
    fn local_case_times_travel_as_iso_with_the_offices_offset() {
        let beijing = Zone::default();
        assert_eq!(beijing.iso_of_local("2018-06-04 09:30").as_deref(), Some("2018-06-04T09:30:00+08:00"));
        assert_eq!(beijing.local_of_iso("2018-06-04T01:30:00Z").as_deref(), Some("2018-06-04 09:30"));
        assert_eq!(beijing.local_of_iso("2018-06-04").as_deref(), Some("2018-06-04 00:00"));
        assert_eq!(beijing.local_of_iso("June"), None);
    }

    #[test]
    fn a_file_overrides_only_what_it_names() {
        let c = Config::from_toml("[lights]\nyellow_below_pp = \"-5\"\n[rules]\nswing_pct = \"50\"\n").unwrap();
        assert_eq!(c.lights.yellow_below_pp, Decimal::from(-5));
        assert_eq!(c.lights.red_below_pp, Decimal::from(-30));
        assert_eq!(c.rules.swing_pct, Some(Decimal::from(50)));
        assert!(c.rules.ytd_never_decreases);
        assert_eq!(Config::from_toml("").unwrap(), Config::default());
        assert!(Config::from_toml("[lights]\nred_below_pp = \"0\"\n").is_err());
        assert!(Config::from_toml("[lights]\ncolour = 1\n").unwrap_err().to_string().contains("colour"));
    }

    #[test]
    fn a_parts_rule_naming_an_indicator_outside_the_catalogue_is_refused() {
        let catalogue = crate::indicator::Catalogue::standard().unwrap();
        let good = "[[rules.parts]]\ntotal = \"地区生产总值\"\nparts = [\"固定资产投资\"]\n";
        Config::from_toml(good).unwrap().rules.check_against(&catalogue).unwrap();
        let bad = "[[rules.parts]]\ntotal = \"地区生产总值\"\nparts = [\"第一产业增加值X\"]\n";
        let err = Config::from_toml(bad).unwrap().rules.check_against(&catalogue).unwrap_err().to_string();
        assert!(err.contains("第一产业增加值X") && err.contains("不在指标目录中"), "{err}");
    }
}
