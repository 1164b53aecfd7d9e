//! Indicators, their values and targets, and the catalogue that defines them.
//!
//! A value carries the reported year-on-year growth as its own field: official growth
//! (GDP at comparable prices, FAI on a comparable base) cannot be recomputed from two
//! levels, and a value may have a growth and no level ("固定资产投资增长10.1%").

use std::collections::HashMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::codes::IndicatorCode;
use crate::error::DomainError;
use crate::period::Period;
use crate::quantity::MeasureUnit;

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident ($kind:literal) { $($variant:ident = $code:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
        #[serde(try_from = "String")]
        pub enum $name { $($variant),+ }
        impl $name {
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            /// The Chinese word people read (the first after the code), else the code.
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => [$code $(, $alias)*].get(1).copied().unwrap_or($code)),+ }
            }
        }
        impl FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, DomainError> {
                match s.trim() {
                    $($code $(| $alias)* => Ok($name::$variant),)+
                    other => Err(DomainError::Invalid(format!(
                        concat!($kind, "“{}”无法识别：应为 ", $($code, $("/", $alias,)* " "),+), other))),
                }
            }
        }
        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, DomainError> { s.parse() }
        }
    };
}

code_enum! {
    /// How values of several units combine: summed, or accounted on their own (统一核算).
    Aggregation ("汇总方式") { Sum = "sum" | "求和" | "汇总", None = "none" | "不汇总" | "统一核算" }
}
code_enum! {
    /// Flow figures are reported year-to-date (累计); stocks as at the period's end (期末数).
    Temporal ("流量/存量") { Flow = "flow" | "流量" | "累计", Stock = "stock" | "存量" | "期末" | "时点" }
}
code_enum! {
    Direction ("方向") { Up = "up" | "正向" | "越大越好", Down = "down" | "逆向" | "越小越好" }
}
code_enum! {
    ValueType ("数值类型") { Amount = "amount", Count = "count", Ratio = "ratio" }
}

/// How the annual summary speaks of an indicator: data, not code, so that a deployment
/// can phrase its own catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrasing {
    /// Report section key (economy, innovation, urbanisation, ecology, livelihood).
    pub section: String,
    pub order: i64,
    /// The noun as prose uses it; defaults to the indicator's name.
    pub phrase: String,
    /// The clause with a level: `{phrase}` and `{value}` are filled in, e.g.
    /// `{phrase}完成{value}`, `{phrase}突破{value}` for floor figures, `累计达{value}` for stocks.
    pub clause: String,
    /// 增长 or 同比增长; a negative growth reads 下降.
    pub growth_word: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    pub code: IndicatorCode,
    pub name: String,
    pub aliases: Vec<String>,
    /// The unit reports show it in (亿元); values are stored in its base unit (元).
    pub unit: MeasureUnit,
    pub decimals: u32,
    pub value_type: ValueType,
    pub aggregation: Aggregation,
    pub temporal: Temporal,
    pub direction: Direction,
    pub non_negative: bool,
    pub phrasing: Phrasing,
}

/// What a user says of a new or changed indicator.
#[derive(Debug, Clone)]
pub struct NewIndicator {
    pub code: IndicatorCode,
    pub name: String,
    pub aliases: Vec<String>,
    pub unit: MeasureUnit,
    pub aggregation: Option<Aggregation>,
    pub temporal: Temporal,
    pub direction: Direction,
    pub clause: Option<String>,
    /// A section key.
    pub section: String,
    pub decimals: u32,
}

/// An indicator as a form or a request words it: every field text, blank where left out.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IndicatorWords {
    pub code: String,
    pub name: String,
    /// Aliases separated by 、 or commas.
    #[serde(default)]
    pub aliases: String,
    pub unit: String,
    #[serde(default)]
    pub aggregation: String,
    #[serde(default)]
    pub temporal: String,
    #[serde(default)]
    pub direction: String,
    #[serde(default)]
    pub clause: String,
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub decimals: String,
}

impl IndicatorWords {
    /// The indicator these words define, checked field by field (each error names its field).
    pub fn read(&self, catalogue: &Catalogue) -> Result<Indicator, DomainError> {
        let blank = |t: &str| t.trim().is_empty();
        let field = |name: &str, e: DomainError| DomainError::Invalid(format!("{name}：{e}"));
        if blank(&self.name) {
            return Err(DomainError::Invalid("指标名称：必填".into()));
        }
        let section = if blank(&self.section) {
            catalogue.sections.first().map(|s| s.key.clone()).unwrap_or_default()
        } else {
            catalogue.section(&self.section)?.key.clone()
        };
        let decimals = if blank(&self.decimals) {
            2
        } else {
            self.decimals
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|d| *d <= 6)
                .ok_or_else(|| DomainError::Invalid(format!("小数位数“{}”应为0到6的整数", self.decimals.trim())))?
        };
        let defined = NewIndicator {
            code: IndicatorCode::parse(&self.code).map_err(|e| field("指标编码", e))?,
            name: self.name.trim().to_string(),
            aliases: self
                .aliases
                .split(['、', ',', '，', ';', '；'])
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
            unit: MeasureUnit::parse(&self.unit).map_err(|e| field("计量单位", e))?,
            aggregation: (!blank(&self.aggregation)).then(|| self.aggregation.parse()).transpose()?,
            temporal: if blank(&self.temporal) { Temporal::Flow } else { self.temporal.parse()? },
            direction: if blank(&self.direction) { Direction::Up } else { self.direction.parse()? },
            clause: (!blank(&self.clause)).then(|| self.clause.trim().to_string()),
            section,
            decimals,
        };
        Ok(catalogue.define(defined, &[]))
    }
}

impl Indicator {
    /// An edit of a stored indicator (a catalogue sheet's row, the admin form): what the edit
    /// does not carry — the prose noun, the growth word, the order, the sign rule and the
    /// value type — stays as stored.
    pub fn keeping(mut self, stored: Option<&Indicator>) -> Indicator {
        if let Some(o) = stored {
            self.phrasing.phrase = o.phrasing.phrase.clone();
            self.phrasing.growth_word = o.phrasing.growth_word.clone();
            self.phrasing.order = o.phrasing.order;
            self.non_negative = o.non_negative;
            self.value_type = o.value_type;
        }
        self
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorDef {
    code: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    unit: String,
    #[serde(default = "default_decimals")]
    decimals: u32,
    value_type: ValueType,
    aggregation: Aggregation,
    temporal: Temporal,
    #[serde(default = "default_direction")]
    direction: Direction,
    #[serde(default = "default_true")]
    non_negative: bool,
    section: String,
    order: i64,
    phrase: Option<String>,
    clause: Option<String>,
    growth_word: Option<String>,
}

fn default_decimals() -> u32 {
    2
}
fn default_direction() -> Direction {
    Direction::Up
}
fn default_true() -> bool {
    true
}

/// A report section as the catalogue names it, with how its clauses are joined.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub key: String,
    pub title: String,
    /// Opening words of the section's indicator sentence (全年, 全区 …); `{whole}` becomes 全区/全市.
    #[serde(default)]
    pub lead: String,
    /// Joins clauses: `；` for the economic paragraph, `，` elsewhere.
    #[serde(default = "default_joiner")]
    pub joiner: String,
}

fn default_joiner() -> String {
    "，".to_string()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    section: Vec<Section>,
    indicator: Vec<IndicatorDef>,
}

/// The indicator catalogue: lookup by code, name or alias.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub sections: Vec<Section>,
    pub indicators: Vec<Indicator>,
    lookup: HashMap<String, usize>,
}

/// The standard catalogue shipped with taizhang: the five core economic indicators and
/// every other indicator the Erqi review reports.
pub const STANDARD_CATALOGUE: &str = include_str!("../../../data/catalogue/indicators.toml");

impl Catalogue {
    pub fn standard() -> Result<Self, DomainError> {
        Self::from_toml(STANDARD_CATALOGUE)
    }

    pub fn from_toml(text: &str) -> Result<Self, DomainError> {
        let file: CatalogueFile =
            toml::from_str(text).map_err(|e| DomainError::Invalid(format!("指标目录格式错误：{e}")))?;
        let indicators = file
            .indicator
            .into_iter()
            .map(|d| {
                let unit = MeasureUnit::parse(&d.unit)?;
                let phrase = d.phrase.unwrap_or_else(|| d.name.clone());
                Ok(Indicator {
                    phrasing: Phrasing {
                        section: d.section,
                        order: d.order,
                        phrase,
                        clause: d.clause.unwrap_or_else(|| "{phrase}完成{value}".to_string()),
                        growth_word: d.growth_word.unwrap_or_else(|| "增长".to_string()),
                    },
                    code: IndicatorCode::parse(&d.code)?,
                    name: d.name,
                    aliases: d.aliases,
                    unit,
                    decimals: d.decimals,
                    value_type: d.value_type,
                    aggregation: d.aggregation,
                    temporal: d.temporal,
                    direction: d.direction,
                    non_negative: d.non_negative,
                })
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        Self::new(file.section, indicators)
    }

    pub fn new(sections: Vec<Section>, indicators: Vec<Indicator>) -> Result<Self, DomainError> {
        let mut lookup: HashMap<String, usize> = HashMap::new();
        for (i, ind) in indicators.iter().enumerate() {
            if !sections.iter().any(|s| s.key == ind.phrasing.section) {
                return Err(DomainError::Invalid(format!(
                    "指标“{}”的报告栏目“{}”未定义",
                    ind.name, ind.phrasing.section
                )));
            }
            for key in [ind.code.as_str(), ind.name.as_str()].into_iter().chain(ind.aliases.iter().map(String::as_str))
            {
                if let Some(&j) = lookup.get(key)
                    && j != i
                {
                    return Err(DomainError::Invalid(format!(
                        "指标名称或别名“{key}”同时指向“{}”和“{}”",
                        indicators[j].name, ind.name
                    )));
                }
                lookup.insert(key.to_string(), i);
            }
        }
        Ok(Self { sections, indicators, lookup })
    }

    /// This catalogue with `incoming` indicators added or, by code, replaced — checked whole:
    /// a name or alias may point at one indicator only, a section must exist, and a phrase
    /// template must hold `{value}`.
    pub fn with(&self, incoming: &[Indicator]) -> Result<Catalogue, DomainError> {
        for ind in incoming {
            if !ind.phrasing.clause.contains("{value}") {
                return Err(DomainError::Invalid(format!(
                    "指标“{}”的表述“{}”缺少{{value}}（数值的位置），如 {{phrase}}完成{{value}}",
                    ind.name, ind.phrasing.clause
                )));
            }
        }
        let mut indicators: Vec<Indicator> =
            self.indicators.iter().filter(|i| !incoming.iter().any(|n| n.code == i.code)).cloned().collect();
        indicators.extend(incoming.iter().cloned());
        Catalogue::new(self.sections.clone(), indicators)
    }

    /// An indicator as a user defines it (a catalogue sheet's row, the admin form): the
    /// value type follows the unit, a ratio is not summed unless said, the phrase template
    /// defaults to "{phrase}完成{value}", and a new indicator goes last in its section (after
    /// `also`, the ones defined with it).
    pub fn define(&self, d: NewIndicator, also: &[Indicator]) -> Indicator {
        let value_type = if d.unit.is_percent() {
            ValueType::Ratio
        } else if d.unit.base_symbol() == "元" {
            ValueType::Amount
        } else {
            ValueType::Count
        };
        let later = also.iter().filter(|i| i.phrasing.section == d.section).count() as i64;
        let next = self.indicators.iter().filter(|i| i.phrasing.section == d.section).map(|i| i.phrasing.order).max();
        Indicator {
            phrasing: Phrasing {
                order: next.unwrap_or(0) + 1 + later,
                phrase: d.name.clone(),
                clause: d.clause.unwrap_or_else(|| "{phrase}完成{value}".to_string()),
                growth_word: "增长".into(),
                section: d.section,
            },
            code: d.code,
            name: d.name,
            aliases: d.aliases,
            aggregation: d.aggregation.unwrap_or(if value_type == ValueType::Ratio {
                Aggregation::None
            } else {
                Aggregation::Sum
            }),
            unit: d.unit,
            decimals: d.decimals,
            value_type,
            temporal: d.temporal,
            direction: d.direction,
            non_negative: true,
        }
    }

    /// The report section a user names, by key or title.
    pub fn section(&self, key_or_title: &str) -> Result<&Section, DomainError> {
        let t = key_or_title.trim();
        self.sections.iter().find(|s| s.key == t || s.title == t).ok_or_else(|| {
            let names: Vec<&str> = self.sections.iter().map(|s| s.title.as_str()).collect();
            DomainError::Invalid(format!("报告栏目“{t}”不存在（应为 {}）", names.join("、")))
        })
    }

    /// Finds an indicator by code, name or alias (公共财政预算收入 → 一般公共预算收入).
    pub fn find(&self, key: &str) -> Option<&Indicator> {
        self.lookup.get(key.trim()).map(|&i| &self.indicators[i])
    }

    pub fn require(&self, key: &str) -> Result<&Indicator, DomainError> {
        self.find(key)
            .ok_or_else(|| DomainError::Invalid(format!("指标“{key}”不在指标目录中（按名称、编码或别名查找）")))
    }
}

coded_enum! {
    /// 数据状态: how final a published figure is. The latest version wins; prose names it
    /// where a writer would ("初步预计，全年地区生产总值完成567亿元").
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Vintage ("数据状态") {
        Estimate = "estimate" / "初步预计" | "预计",
        Preliminary = "preliminary" / "初步核算",
        Flash = "flash" / "快报",
        Final = "final" / "最终核实" | "核实",
        Revised = "revised" / "修订",
    }
}

coded_enum! {
    /// 口径: whose figure it is. Most read before the indicator's name (区属地区生产总值);
    /// 同口径 qualifies the growth (一般公共预算收入同口径增长9%).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Caliber ("口径") {
        District = "district" / "区属",
        Society = "society" / "全社会",
        Local = "local" / "地方",
        Comparable = "comparable" / "同口径",
        Whole = "whole" / "全口径",
        AboveScale = "above_scale" / "规模以上",
        AboveQuota = "above_quota" / "限额以上",
    }
}

coded_enum! {
    /// 价格基础 of a growth rate: GDP growth is at comparable prices, its level at current ones.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum PriceBasis ("价格基础") {
        Current = "current" / "现价" | "按现价计算",
        Comparable = "comparable" / "可比价" | "按可比价格计算" | "不变价",
    }
}

/// How a figure was published: the unit it was written in and the decimals it showed
/// (914326万元 stays 914326万元, 9.0% stays 9.0%).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Published {
    pub unit: Option<MeasureUnit>,
    pub decimals: Option<u32>,
    pub growth_decimals: Option<u32>,
}

/// Fields a write empties on purpose (the word 清空 in a workbook cell); a blank changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clears {
    pub value: bool,
    pub growth: bool,
}

/// One reported figure of an indicator for a unit and period. Values are in the
/// indicator's base unit; `reported_growth` is a percentage as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorValue {
    pub indicator: String,
    pub unit: String,
    pub period: Period,
    pub value: Option<Decimal>,
    pub reported_growth: Option<Decimal>,
    pub note: Option<String>,
    /// Sample data generated for a demo, not a published figure.
    pub sample: bool,
    pub vintage: Option<Vintage>,
    /// 来源: the bulletin, report or office the figure comes from.
    pub source: Option<String>,
    pub caliber: Option<Caliber>,
    pub price_basis: Option<PriceBasis>,
    pub published: Published,
    pub clears: Clears,
}

impl IndicatorValue {
    /// Builds a value, checking it against its indicator: a level or a growth must be
    /// given, and a level must not be negative where the indicator forbids it.
    pub fn new(
        indicator: &Indicator,
        unit: &str,
        period: Period,
        value: Option<Decimal>,
        reported_growth: Option<Decimal>,
    ) -> Result<Self, DomainError> {
        Self::with_clears(indicator, unit, period, value, reported_growth, Clears::default())
    }

    /// A value that may also empty stored fields: a write that only clears is allowed.
    pub fn with_clears(
        indicator: &Indicator,
        unit: &str,
        period: Period,
        value: Option<Decimal>,
        reported_growth: Option<Decimal>,
        clears: Clears,
    ) -> Result<Self, DomainError> {
        if value.is_none() && reported_growth.is_none() && !clears.value && !clears.growth {
            return Err(DomainError::Invalid(format!(
                "指标“{}”{}既无数值也无增长率",
                indicator.name,
                period.label_zh(false)
            )));
        }
        if let Some(v) = value
            && indicator.non_negative
            && v.is_sign_negative()
            && !v.is_zero()
        {
            return Err(DomainError::Negative { field: indicator.name.clone(), value: v.to_string() });
        }
        Ok(Self {
            indicator: indicator.code.to_string(),
            unit: unit.to_string(),
            period,
            value,
            reported_growth,
            note: None,
            sample: false,
            vintage: None,
            source: None,
            caliber: None,
            price_basis: None,
            published: Published::default(),
            clears,
        })
    }

    /// This write laid over what is stored: a field left blank keeps the stored one, a field
    /// cleared is emptied; when nothing remains the figure is withdrawn ([`Self::is_withdrawn`]).
    pub fn merged_over(mut self, stored: Option<&IndicatorValue>) -> IndicatorValue {
        if let Some(old) = stored {
            if self.value.is_none() && !self.clears.value {
                self.value = old.value;
                self.published.unit = self.published.unit.or_else(|| old.published.unit.clone());
                self.published.decimals = self.published.decimals.or(old.published.decimals);
            }
            if self.reported_growth.is_none() && !self.clears.growth {
                self.reported_growth = old.reported_growth;
                self.published.growth_decimals = self.published.growth_decimals.or(old.published.growth_decimals);
                self.price_basis = self.price_basis.or(old.price_basis);
            }
            self.note = self.note.or_else(|| old.note.clone());
            self.vintage = self.vintage.or(old.vintage);
            self.source = self.source.or_else(|| old.source.clone());
            self.caliber = self.caliber.or(old.caliber);
        }
        self.clears = Clears::default();
        self
    }

    /// Neither a level nor a growth: the stored figure is to be removed (its versions stay).
    pub fn is_withdrawn(&self) -> bool {
        self.value.is_none() && self.reported_growth.is_none()
    }
}

/// One version of a figure, as its history shows it: what was written, when, by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueVersion {
    pub period: Period,
    pub value: Option<Decimal>,
    pub reported_growth: Option<Decimal>,
    pub vintage: Option<Vintage>,
    pub source: Option<String>,
    pub caliber: Option<Caliber>,
    pub price_basis: Option<PriceBasis>,
    /// True when the write withdrew the figure (both fields cleared).
    pub withdrawn: bool,
    pub recorded_by: String,
    pub recorded_at: String,
}

coded_enum! {
    /// How a programme bounds a target: 8%以上 (不低于8%), 8%左右, 4%以内 (控制在4%以内).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Bound ("目标界限") {
        AtLeast = "at_least" / "以上" | "及以上" | "不低于",
        About = "about" / "左右",
        AtMost = "at_most" / "以内" | "以下" | "不高于" | "不超过",
    }
}

/// How far below its figure a "左右" target still counts as met, in percentage points
/// (8%左右 is met from 7.5%).
pub const ABOUT_TOLERANCE: Decimal = Decimal::from_parts(5, 0, 0, false, 1);

impl Bound {
    /// Whether `value` meets a target of `target` so bounded (none: at least the figure).
    pub fn met(bound: Option<Bound>, value: Decimal, target: Decimal) -> bool {
        match bound {
            Some(Bound::AtMost) => value <= target,
            Some(Bound::About) => value >= target - ABOUT_TOLERANCE,
            Some(Bound::AtLeast) | None => value >= target,
        }
    }
}

/// A target cell as offices write it: a figure with its bound, or words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetText {
    /// "8%以上" → (以上, 8); "600" → (none, 600). The number as written (percent sign dropped).
    Figure(Option<Bound>, String),
    /// "高于全市平均水平", "完成市下达目标": judged by people, not by a rule.
    Words(String),
}

/// Reads a target as written: `8%以上`, `不低于8%`, `增长8%左右`, `4%以内`, `控制在4%以内`,
/// `600亿元以上`, or words without a figure. A text with a figure that fits none of these is
/// refused, naming what is accepted.
pub fn parse_target_text(text: &str) -> Result<TargetText, DomainError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DomainError::Invalid("目标为空".into()));
    }
    if !t.chars().any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c)) {
        return Ok(TargetText::Words(t.to_string()));
    }
    let mut rest = t.trim_start_matches("增长").trim_start_matches("控制在").trim();
    let mut bound = None;
    for (word, b) in [("不低于", Bound::AtLeast), ("不高于", Bound::AtMost), ("不超过", Bound::AtMost)] {
        if let Some(r) = rest.strip_prefix(word) {
            (rest, bound) = (r.trim(), Some(b));
        }
    }
    for (word, b) in [
        ("及以上", Bound::AtLeast),
        ("以上", Bound::AtLeast),
        ("左右", Bound::About),
        ("以内", Bound::AtMost),
        ("以下", Bound::AtMost),
    ] {
        if let Some(r) = rest.strip_suffix(word) {
            if bound.is_some_and(|x| x != b) {
                break;
            }
            (rest, bound) = (r.trim(), Some(b));
            break;
        }
    }
    let figure = rest.trim_end_matches(['%', '％']).trim();
    let plain = figure
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | ',') || ('０'..='９').contains(&c) || c == '．');
    let with_unit = crate::quantity::parse_quantity(figure).is_ok();
    if figure.is_empty() || !(plain || with_unit) {
        return Err(DomainError::Invalid(format!(
            "目标“{t}”无法识别：应为 8%、8%以上、不低于8%、8%左右、4%以内、控制在4%以内，或不含数字的文字目标（如 高于全市平均水平）"
        )));
    }
    Ok(TargetText::Figure(bound, figure.to_string()))
}

/// A first-class target of an indicator for a unit and year: a level, a growth, or both,
/// with its bound; or words that people judge (文字目标).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub indicator: String,
    pub unit: String,
    pub year: i32,
    pub level: Option<Decimal>,
    pub growth: Option<Decimal>,
    /// 以上, 左右, 以内 as the programme words it ("增长8%左右").
    pub bound: Option<Bound>,
    /// A target in words ("高于全市平均水平"): assessed by hand, never lit by a rule.
    pub text: Option<String>,
}

impl Target {
    pub fn new(
        indicator: &Indicator,
        unit: &str,
        year: i32,
        level: Option<Decimal>,
        growth: Option<Decimal>,
    ) -> Result<Self, DomainError> {
        Self::worded(indicator, unit, year, level, growth, None)
    }

    /// A target that may be words only.
    pub fn worded(
        indicator: &Indicator,
        unit: &str,
        year: i32,
        level: Option<Decimal>,
        growth: Option<Decimal>,
        text: Option<String>,
    ) -> Result<Self, DomainError> {
        if level.is_none() && growth.is_none() && text.is_none() {
            return Err(DomainError::Invalid(format!("指标“{}”{year}年目标既无目标值也无目标增长率", indicator.name)));
        }
        Ok(Self {
            indicator: indicator.code.to_string(),
            unit: unit.to_string(),
            year,
            level,
            growth,
            bound: None,
            text,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::d;

    #[test]
    fn the_standard_catalogue_loads_and_finds_by_alias() {
        let c = Catalogue::standard().unwrap();
        let revenue = c.find("公共财政预算收入").unwrap();
        assert_eq!(revenue.name, "一般公共预算收入");
        assert_eq!(c.find("GDP").unwrap().name, "地区生产总值");
        for core in ["地区生产总值", "一般公共预算收入", "固定资产投资", "规模以上工业增加值", "社会消费品零售总额"]
        {
            let i = c.find(core).unwrap_or_else(|| panic!("{core} missing"));
            assert_eq!(i.phrasing.section, "economy");
            assert_eq!(i.unit.to_string(), "亿元");
        }
        assert!(c.find("不存在的指标").is_none());
        assert!(c.require("不存在的指标").unwrap_err().to_string().contains("不存在的指标"));
    }

    #[test]
    fn a_catalogue_with_an_alias_for_two_indicators_is_refused() {
        let text = r#"
            [[section]]
            key = "economy"
            title = "经济"
            [[indicator]]
            code = "A"
            name = "甲"
            aliases = ["同名"]
            unit = "亿元"
            value_type = "amount"
            aggregation = "sum"
            temporal = "flow"
            section = "economy"
            order = 1
            [[indicator]]
            code = "B"
            name = "乙"
            aliases = ["同名"]
            unit = "亿元"
            value_type = "amount"
            aggregation = "sum"
            temporal = "flow"
            section = "economy"
            order = 2
        "#;
        let err = Catalogue::from_toml(text).unwrap_err().to_string();
        assert!(err.contains("同名"), "{err}");
    }

    #[test]
    fn values_need_a_level_or_a_growth_and_respect_sign() {
        let c = Catalogue::standard().unwrap();
        let fai = c.find("固定资产投资").unwrap();
        let growth_only = IndicatorValue::new(fai, "erqi", Period::Year(2017), None, Some(d("10.1"))).unwrap();
        assert_eq!(growth_only.value, None);
        assert!(IndicatorValue::new(fai, "erqi", Period::Year(2017), None, None).is_err());
        let neg = IndicatorValue::new(fai, "erqi", Period::Year(2017), Some(d("-1")), None).unwrap_err();
        assert!(neg.to_string().contains("-1"));
        assert!(IndicatorValue::new(fai, "erqi", Period::Year(2017), Some(d("1")), Some(d("-3"))).is_ok());
        assert!(Target::new(fai, "erqi", 2018, None, None).is_err());
    }

    #[test]
    fn targets_read_as_offices_write_them() {
        let figure = |b: Option<Bound>, n: &str| TargetText::Figure(b, n.to_string());
        let cases = [
            ("8%以上", figure(Some(Bound::AtLeast), "8")),
            ("不低于8%", figure(Some(Bound::AtLeast), "8")),
            ("增长8%左右", figure(Some(Bound::About), "8")),
            ("4%以内", figure(Some(Bound::AtMost), "4")),
            ("控制在4%以内", figure(Some(Bound::AtMost), "4")),
            ("7.5", figure(None, "7.5")),
            ("600亿元以上", figure(Some(Bound::AtLeast), "600亿元")),
            ("高于全市平均水平", TargetText::Words("高于全市平均水平".into())),
            ("完成市下达目标", TargetText::Words("完成市下达目标".into())),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_target_text(text).unwrap(), expected, "{text}");
        }
        for bad in ["8%上下", "约8", "8%-9%", "不低于8%以内"] {
            let err = parse_target_text(bad).unwrap_err().to_string();
            assert!(err.contains(bad) && err.contains("控制在4%以内"), "{bad}: {err}");
        }
        assert!(Bound::met(Some(Bound::AtLeast), d("8"), d("8")));
        assert!(!Bound::met(Some(Bound::AtLeast), d("7.9"), d("8")));
        assert!(Bound::met(Some(Bound::About), d("7.5"), d("8")));
        assert!(!Bound::met(Some(Bound::About), d("7.4"), d("8")));
        assert!(Bound::met(Some(Bound::AtMost), d("3.8"), d("4")));
        assert!(!Bound::met(Some(Bound::AtMost), d("4.1"), d("4")));
    }
}
