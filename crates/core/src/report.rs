//! The annual summary composed from stored figures by rules, never from stored sentences.
//!
//! The store gathers the figures (roll-ups computed in the database); this module only
//! phrases them. A figure that is missing is left out; a growth without a level reads
//! "增长X%" alone; a roll-up of child units is labelled as one.

use rust_decimal::Decimal;

use crate::indicator::{Caliber, Catalogue, Indicator, IndicatorValue, PriceBasis, Published, Vintage};
use crate::numerals::zh_count;
use crate::org::UnitKind;
use crate::period::Period;
use crate::plan::Milestone;
use crate::quantity::{MeasureUnit, format_number};

/// One indicator's figure for the report year, with how it was published.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Figure {
    pub indicator: String,
    /// In the indicator's base unit.
    pub value: Option<Decimal>,
    pub reported_growth: Option<Decimal>,
    /// Summed from child units rather than reported for the unit itself.
    pub rolled_up: bool,
    pub vintage: Option<Vintage>,
    pub caliber: Option<Caliber>,
    pub price_basis: Option<PriceBasis>,
    pub published: Published,
    /// A flow figure of part of the year: the month it runs to ("1-9月…同比增长").
    pub through: Option<Period>,
}

impl Figure {
    /// The figure of a stored value.
    pub fn of(v: &IndicatorValue) -> Self {
        Self {
            indicator: v.indicator.clone(),
            value: v.value,
            reported_growth: v.reported_growth,
            rolled_up: false,
            vintage: v.vintage,
            caliber: v.caliber,
            price_basis: v.price_basis,
            published: v.published.clone(),
            through: None,
        }
    }
}

/// The key projects with a plan in the report year.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProjectSummary {
    pub count: u64,
    pub completed_wan: Decimal,
    pub started: u64,
    /// Named projects that started in the year (published ones first).
    pub started_named: Vec<String>,
    /// Finished (实际竣工) in the year.
    pub finished: u64,
    /// The latest month any project reported: the summary speaks of 1-9月, not 全年, when
    /// the year's reports stop in September.
    pub through_month: Option<u8>,
    /// Projects whose latest report is older than that month (carried forward, 未报).
    pub carried: u64,
}

/// Projects of one category (e.g. 生态建设) with a plan in the year.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CategorySummary {
    pub category: String,
    pub count: u64,
    /// Started by the end of the year, in any year.
    pub started: u64,
    pub completed_wan: Decimal,
}

/// Projects flagged 出彩项目 in a year, and how many lag 序时进度 beyond the yellow line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FlagshipSummary {
    pub count: u64,
    pub named: Vec<String>,
    pub lagging: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskSummary {
    pub count: u64,
    pub named: Vec<String>,
    pub done: u64,
}

/// A named group of plan nodes at one level (两大行动, “三个二七”, 六项工作).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanLevel {
    pub label: String,
    pub titles: Vec<String>,
}

/// Next year's programme as its plan tree gives it, with the projects it names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Programme {
    pub year: i32,
    pub goal: Option<String>,
    pub actions: PlanLevel,
    /// Each action's measures, for actions that have them.
    pub action_measures: Vec<(String, Vec<String>)>,
    pub pillars: PlanLevel,
    pub works: PlanLevel,
    /// 出彩项目 under way and in preparation (前期: 谋划).
    pub flagships_active: FlagshipSummary,
    pub flagships_preparatory: FlagshipSummary,
    /// Projects flagged 亿元以上.
    pub projects_over_100m: u64,
    /// The year's targets of the unit (主要预期目标).
    pub targets: Vec<crate::indicator::Target>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnualInput {
    pub year: i32,
    pub unit_name: String,
    pub unit_kind: UnitKind,
    pub figures: Vec<Figure>,
    pub projects: Option<ProjectSummary>,
    pub flagships: Option<FlagshipSummary>,
    /// Category summaries keyed to report sections (生态建设 → ecology).
    pub categories: Vec<CategorySummary>,
    pub tasks: Option<TaskSummary>,
    pub programme: Option<Programme>,
    pub milestones: Vec<Milestone>,
    /// Honours of the year, and of the years before (for 连续 and 再次).
    pub honours: Vec<crate::honour::Honour>,
    pub earlier_honours: Vec<crate::honour::Honour>,
    /// The year's 基层党建 in a sentence (the 星级 rating as confirmed); none without one.
    pub party: Option<String>,
}

/// Project categories the summary reports in a section of their own, with the noun it uses.
pub const CATEGORY_SECTIONS: &[(&str, &str, &str)] = &[("生态建设", "ecology", "重大生态建设项目")];

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocSection {
    pub heading: String,
    pub paragraphs: Vec<String>,
    /// Tables after the paragraphs.
    pub tables: Vec<Table>,
    /// Charts (drawn in HTML; their numbers are also in a table).
    pub charts: Vec<Chart>,
}

impl DocSection {
    pub fn new(heading: impl Into<String>, paragraphs: Vec<String>) -> Self {
        Self { heading: heading.into(), paragraphs, ..Self::default() }
    }
}

/// A table cell: text, or an exact number with the decimals to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableCell {
    Text(String),
    Number(Decimal, u32),
    Empty,
}

impl TableCell {
    pub fn text(&self) -> String {
        match self {
            TableCell::Text(t) => t.clone(),
            TableCell::Number(d, dp) => format_number(*d, *dp),
            TableCell::Empty => String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<TableCell>>,
}

impl Table {
    /// The cells as text, each number column with one number of decimals: as many as its
    /// most precise figure needs (up to the cell's own), so that 75670 and 1234.5 print as
    /// 75670.0 and 1234.5 — aligned, with no decimals no figure has.
    pub fn texts(&self) -> Vec<Vec<String>> {
        let decimals = self.column_decimals();
        self.rows
            .iter()
            .map(|r| {
                r.iter()
                    .enumerate()
                    .map(|(i, c)| match c {
                        TableCell::Number(d, _) => format_fixed(*d, decimals[i]),
                        other => other.text(),
                    })
                    .collect()
            })
            .collect()
    }

    /// Each column's decimals: as many as its most precise figure needs, up to the cell's own.
    pub fn column_decimals(&self) -> Vec<u32> {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        (0..columns)
            .map(|i| {
                self.rows
                    .iter()
                    .filter_map(|r| match r.get(i) {
                        Some(TableCell::Number(d, dp)) => Some(d.round_dp(*dp).normalize().scale().min(*dp)),
                        _ => None,
                    })
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }
}

/// A bar chart: labels along one axis, one bar per label and series.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Chart {
    pub title: String,
    pub unit: String,
    pub labels: Vec<String>,
    pub series: Vec<(String, Vec<Decimal>)>,
}

/// A composed report: format-neutral, printed as Markdown here and as Word, Excel or HTML
/// by the office and web crates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    pub title: String,
    /// A line under the title (a period, a number).
    pub subtitle: Option<String>,
    pub sections: Vec<DocSection>,
    /// The issuing office and the date, at the end (落款), right-aligned.
    pub signature: Option<(String, crate::project::Date)>,
}

impl Document {
    /// The document as Markdown. Text from the ledger is escaped: `<`, `>` and `&` as
    /// entities (no renderer takes a project's name for HTML), `|` and line breaks in table
    /// cells so that a cell stays one cell.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n", md_text(&self.title));
        if let Some(sub) = &self.subtitle {
            out.push_str(&format!("\n{}\n", md_text(sub)));
        }
        for s in &self.sections {
            if !s.heading.is_empty() {
                out.push_str(&format!("\n## {}\n", md_text(&s.heading)));
            }
            for p in &s.paragraphs {
                out.push_str(&format!("\n{}\n", md_text(p)));
            }
            for t in &s.tables {
                if !t.caption.is_empty() {
                    out.push_str(&format!("\n{}\n", md_text(&t.caption)));
                }
                let headers: Vec<String> = t.headers.iter().map(|h| md_cell(h)).collect();
                out.push_str(&format!("\n| {} |\n", headers.join(" | ")));
                out.push_str(&format!("|{}\n", " --- |".repeat(t.headers.len())));
                for row in t.texts() {
                    let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
            }
        }
        if let Some((issuer, date)) = &self.signature {
            out.push_str(&format!("\n{}　{}\n", md_text(issuer), date_zh(*date, false)));
        }
        out
    }

    /// All paragraphs as one text, for searching in tests and for plain output.
    pub fn text(&self) -> String {
        self.sections.iter().flat_map(|s| s.paragraphs.iter().cloned()).collect::<Vec<_>>().join("\n")
    }
}

/// A date as documents print it: 2018年6月5日, or in Chinese numerals 二〇一八年六月五日.
pub fn date_zh(d: crate::project::Date, chinese: bool) -> String {
    if !chinese {
        return format!("{}年{}月{}日", d.year, d.month, d.day);
    }
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let year: String = d.year.to_string().chars().map(|c| c.to_digit(10).map_or(c, |n| DIGITS[n as usize])).collect();
    let n = crate::numerals::zh_numeral;
    format!("{year}年{}月{}日", n(u64::from(d.month)), n(u64::from(d.day)))
}

/// A stored UTC time ("2026-11-29T12:15:10Z") as the office reads it, in its zone (Beijing:
/// 2026年11月29日 20:15). Text that is not such a time is shown as it is.
pub fn local_time(iso: &str, zone: &crate::config::Zone) -> String {
    let Ok(ts) = iso.parse::<jiff::Timestamp>() else { return iso.to_string() };
    let t = zone.zone().to_datetime(ts);
    format!("{}年{}月{}日 {:02}:{:02}", t.year(), t.month(), t.day(), t.hour(), t.minute())
}

/// Text as Markdown shows it, never as HTML.
fn md_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Text as one Markdown table cell.
fn md_cell(text: &str) -> String {
    md_text(text).replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// A growth as published: `增长9%`, `下降3.2%`, `与上年持平` (the word comes from the
/// catalogue); `decimals` keeps a published `9.0%` as written.
pub fn growth_phrase(word: &str, growth: Decimal, decimals: Option<u32>) -> String {
    let number = |g: Decimal| match decimals {
        Some(dp) => format_fixed(g, dp),
        None => format_number(g, 2),
    };
    if growth.is_zero() {
        "与上年持平".to_string()
    } else if growth.is_sign_negative() {
        format!("下降{}%", number(-growth))
    } else {
        format!("{word}{}%", number(growth))
    }
}

/// A number rounded half-up to exactly `decimals` places, trailing zeros kept (9.0).
pub fn format_fixed(value: Decimal, decimals: u32) -> String {
    let mut v = value.round_dp_with_strategy(decimals, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    v.rescale(decimals);
    v.to_string()
}

/// A project's months as a table: each report with its share of the year's plan.
pub fn progress_table(progress: &[crate::project::MonthlyProgress], planned_wan: Option<Decimal>) -> Table {
    let headers = [
        "报告期",
        "当月完成(万元)",
        "年初至报告期累计(万元)",
        "占年计划%",
        "开工至报告期累计(万元)",
        "形象进度",
        "存在问题",
    ];
    let amount = |v: Option<Decimal>| v.map_or(TableCell::Empty, |v| TableCell::Number(v, 2));
    let rows = progress
        .iter()
        .map(|g| {
            let pct = planned_wan.and_then(|p| crate::project::completion_pct(g.ytd_wan, p));
            vec![
                TableCell::Text(g.period.label_zh(false)),
                amount(g.month_wan),
                amount(Some(g.ytd_wan)),
                pct.map_or(TableCell::Empty, |v| TableCell::Number(v, 1)),
                amount(g.since_start_wan),
                TableCell::Text(g.image_progress.clone()),
                TableCell::Text(g.problems.clone()),
            ]
        })
        .collect();
    Table { caption: "月度进度".into(), headers: headers.map(String::from).to_vec(), rows }
}

/// A level as published: in the unit and with the decimals it was published in, else in
/// the indicator's unit without trailing zeros.
pub fn level_text(indicator: &Indicator, value: Decimal, published: &Published) -> String {
    let unit = published.unit.as_ref().filter(|u| u.same_base(&indicator.unit)).unwrap_or(&indicator.unit);
    match published.decimals {
        Some(dp) => format!("{}{unit}", format_fixed(value / unit.factor(), dp)),
        None => unit.format(value, indicator.decimals),
    }
}

/// The same level as a number and its unit, for a table's number cell and 计量单位 column:
/// (567, 0 decimals, 亿元).
pub fn level_parts(indicator: &Indicator, value: Decimal, published: &Published) -> (Decimal, u32, String) {
    let unit = published.unit.as_ref().filter(|u| u.same_base(&indicator.unit)).unwrap_or(&indicator.unit);
    let shown = value / unit.factor();
    let dp = published.decimals.unwrap_or_else(|| shown.round_dp(indicator.decimals).normalize().scale());
    (shown.round_dp(dp), dp, unit.to_string())
}

/// One version of a figure as its history lists it: (数值, 增长率, 数据状态/口径/价格基础, 来源),
/// blank where the write left a field out.
pub fn version_cells(indicator: &Indicator, v: &crate::indicator::ValueVersion) -> [String; 4] {
    if v.withdrawn {
        return ["（已清空）".into(), String::new(), String::new(), String::new()];
    }
    let words: Vec<&str> =
        [v.vintage.map(|x| x.label_zh()), v.caliber.map(|x| x.label_zh()), v.price_basis.map(|x| x.label_zh())]
            .into_iter()
            .flatten()
            .collect();
    [
        v.value.map(|x| indicator.unit.format(x, indicator.decimals)).unwrap_or_default(),
        v.reported_growth.map(|g| format!("{}%", format_number(g, 2))).unwrap_or_default(),
        words.join("，"),
        v.source.clone().unwrap_or_default(),
    ]
}

impl Vintage {
    /// The words a writer opens a provisional or revised figure with.
    pub fn lead(self) -> &'static str {
        match self {
            Vintage::Estimate => "初步预计",
            Vintage::Preliminary => "初步核算",
            Vintage::Flash => "据快报",
            Vintage::Final => "经最终核实",
            Vintage::Revised => "经修订",
        }
    }
}

/// Project money (万元) as prose prints it: 亿元 from one 亿 up, else 万元.
pub fn money_wan(wan: Decimal) -> String {
    let unit = if wan.abs() >= Decimal::from(10_000) { "亿元" } else { "万元" };
    let unit = MeasureUnit::parse(unit).unwrap_or_else(|_| unreachable!("built-in unit"));
    unit.format(wan * Decimal::from(10_000), 2)
}

/// One indicator's clause, or none when the figure is missing: "区属地区生产总值完成379.95亿元，
/// 按可比价格计算，增长9.3%", "一般公共预算收入同口径增长9%".
pub fn clause(indicator: &Indicator, figure: &Figure) -> Option<String> {
    let p = &indicator.phrasing;
    // 同口径 qualifies the growth; every other 口径 is read before the name.
    let phrase = match figure.caliber {
        Some(c) if c != Caliber::Comparable => format!("{}{}", c.label_zh(), p.phrase),
        _ => p.phrase.clone(),
    };
    let growth = figure.reported_growth.map(|g| {
        let mut words = String::new();
        if figure.caliber == Some(Caliber::Comparable) {
            words.push_str("同口径");
        }
        // Part of a year is compared with the same months of the last: 同比增长.
        let word = if figure.through.is_some() && p.growth_word == "增长" { "同比增长" } else { &p.growth_word };
        words.push_str(&growth_phrase(word, g, figure.published.growth_decimals));
        match figure.price_basis {
            Some(PriceBasis::Comparable) => format!("按可比价格计算，{words}"),
            Some(PriceBasis::Current) => format!("按现价计算，{words}"),
            None => words,
        }
    });
    let level = figure.value.map(|v| {
        let text =
            p.clause.replace("{phrase}", &phrase).replace("{value}", &level_text(indicator, v, &figure.published));
        if figure.rolled_up { format!("{text}（下级单位汇总）") } else { text }
    });
    let span = figure.through.map(crate::lights::span).unwrap_or_default();
    match (level, growth) {
        (Some(l), Some(g)) => Some(format!("{span}{l}，{g}")),
        (Some(l), None) => Some(format!("{span}{l}")),
        // Without a level the basis runs on: "地区生产总值按可比价格计算增长9.3%".
        (None, Some(g)) => Some(format!("{span}{phrase}{}", g.replacen('，', "", 1))),
        (None, None) => None,
    }
}

fn names_with_more(named: &[String], count: u64) -> String {
    if named.is_empty() {
        return String::new();
    }
    let more = if (named.len() as u64) < count { "等" } else { "" };
    format!("{}{more}", named.join("、"))
}

fn quoted(titles: &[String]) -> String {
    titles.iter().map(|t| format!("“{t}”")).collect()
}

/// Composes the annual summary of one unit for one year.
pub fn annual_summary(catalogue: &Catalogue, input: &AnnualInput) -> Document {
    let whole = input.unit_kind.whole_zh();
    let mut sections = Vec::new();
    for section in &catalogue.sections {
        let mut indicators: Vec<&Indicator> =
            catalogue.indicators.iter().filter(|i| i.phrasing.section == section.key).collect();
        indicators.sort_by_key(|i| i.phrasing.order);
        let figures: Vec<(&Indicator, &Figure)> = indicators
            .iter()
            .filter_map(|ind| input.figures.iter().find(|f| f.indicator == ind.code).map(|f| (*ind, f)))
            .collect();
        // One status shared by the paragraph's figures opens it ("初步预计，全年…"); mixed
        // statuses are named figure by figure.
        let vintages: Vec<Option<Vintage>> = figures.iter().map(|(_, f)| f.vintage).collect();
        let shared = vintages.first().copied().flatten().filter(|v| vintages.iter().all(|x| *x == Some(*v)));
        let clauses: Vec<String> = figures
            .iter()
            .filter_map(|(ind, f)| {
                let c = clause(ind, f)?;
                Some(match f.vintage {
                    Some(v) if shared.is_none() => format!("{c}（{}）", v.label_zh()),
                    _ => c,
                })
            })
            .collect();
        let mut paragraphs = Vec::new();
        let category_clauses: Vec<String> = CATEGORY_SECTIONS
            .iter()
            .filter(|(_, key, _)| *key == section.key)
            .filter_map(|(category, _, noun)| {
                let c = input.categories.iter().find(|c| c.category == *category && c.count > 0)?;
                Some(format!("{}个{noun}已开工{}个，完成投资{}", c.count, c.started, money_wan(c.completed_wan)))
            })
            .collect();
        let category_clauses_empty = category_clauses.is_empty();
        let all: Vec<String> = category_clauses.into_iter().chain(clauses).collect();
        if !all.is_empty() {
            // "全年" never opens figures of part of the year: those say their months.
            let partial_first = category_clauses_empty && figures.first().is_some_and(|(_, f)| f.through.is_some());
            let lead = if partial_first { section.lead.replace("全年", "") } else { section.lead.clone() };
            let lead = lead.replace("{whole}", whole);
            let opening = shared.map(|v| format!("{}，", v.lead())).unwrap_or_default();
            paragraphs.push(format!("{opening}{lead}{}。", all.join(&section.joiner)));
        }
        if !paragraphs.is_empty() {
            sections.push(DocSection::new(section.title.clone(), paragraphs));
        }
        // Honours, then projects and tasks, follow the economy, as the review reads.
        if section.key == "economy"
            && let Some(h) = crate::honour::honours_sentence(input.year, &input.honours, &input.earlier_honours)
        {
            sections.push(DocSection::new("争先进位", vec![h]));
        }
        if section.key == "economy"
            && let Some(p) = project_paragraph(input)
        {
            sections.push(DocSection::new("重点项目与重点工作", vec![p]));
        }
        if section.key == "economy"
            && let Some(p) = &input.party
        {
            sections.push(DocSection::new("基层党建", vec![p.clone()]));
        }
    }
    if let Some(programme) = &input.programme
        && let Some(s) = programme_section(catalogue, programme, whole)
    {
        sections.push(s);
    }
    if !input.milestones.is_empty() {
        let paragraphs = input.milestones.iter().map(|m| format!("到{}，{}", m.horizon, m.text)).collect();
        sections.push(DocSection::new("远景目标", paragraphs));
    }
    Document {
        title: format!("{}{}年经济社会发展情况", input.unit_name, input.year),
        subtitle: None,
        sections,
        signature: None,
    }
}

fn project_paragraph(input: &AnnualInput) -> Option<String> {
    let mut sentences = Vec::new();
    if let Some(p) = input.projects.as_ref().filter(|p| p.count > 0) {
        // A year whose reports stop in September is 1-9月, never 全年.
        let span = match p.through_month {
            Some(m) if m < 12 => crate::lights::span(Period::Month(input.year, m)),
            _ => "全年".to_string(),
        };
        let mut s = format!("{span}{}个重大项目完成投资{}", p.count, money_wan(p.completed_wan));
        if p.carried > 0 {
            s.push_str(&format!("（{}个项目未报最近一期，按其最近一次报送数计）", p.carried));
        }
        if p.started > 0 {
            s.push_str(&format!("，{}{}个项目开工", names_with_more(&p.started_named, p.started), p.started));
        }
        if p.finished > 0 {
            s.push_str(&format!("，{}个项目竣工", p.finished));
        }
        sentences.push(s);
    }
    if let Some(f) = input.flagships.as_ref().filter(|f| f.count > 0) {
        let names = names_with_more(&f.named, f.count);
        sentences.push(if f.lagging == 0 {
            format!("{names}重大出彩项目进展顺利")
        } else {
            format!("{names}{}个重大出彩项目中{}个滞后于序时进度", f.count, f.lagging)
        });
    }
    if let Some(t) = input.tasks.as_ref().filter(|t| t.count > 0) {
        let mut s = format!("推进{}{}项重点工作", names_with_more(&t.named, t.count), t.count);
        if t.done > 0 {
            s.push_str(&format!("，已完成{}项", t.done));
        }
        sentences.push(s);
    }
    (!sentences.is_empty()).then(|| format!("{}。", sentences.join("，")))
}

/// One target as a programme words it: "地区生产总值增长8%左右", "…达到600亿元以上",
/// "城镇登记失业率控制在4%以内", "居民人均可支配收入高于全市平均水平".
fn target_clause(catalogue: &Catalogue, t: &crate::indicator::Target) -> Option<String> {
    let ind = catalogue.find(&t.indicator)?;
    target_words(ind, t).map(|w| format!("{}{w}", ind.phrasing.phrase))
}

/// A target after its indicator's name: "增长8%左右", "达到600亿元以上", "控制在4%以内",
/// "高于全市平均水平".
pub fn target_words(ind: &Indicator, t: &crate::indicator::Target) -> Option<String> {
    if let Some(words) = &t.text {
        return Some(words.clone());
    }
    let q = t.bound.map_or("", |b| b.label_zh());
    let level = t.level.map(|v| ind.unit.format(v, ind.decimals));
    let growth = t.growth.map(|g| growth_phrase(&ind.phrasing.growth_word, g, None));
    if t.bound == Some(crate::indicator::Bound::AtMost) && growth.is_none() {
        return level.map(|l| format!("控制在{l}以内"));
    }
    match (level, growth) {
        (Some(l), Some(g)) => Some(format!("达到{l}，{g}{q}")),
        (Some(l), None) => Some(format!("达到{l}{q}")),
        (None, Some(g)) => Some(format!("{g}{q}")),
        (None, None) => None,
    }
}

fn programme_section(catalogue: &Catalogue, p: &Programme, whole: &str) -> Option<DocSection> {
    let mut parts = Vec::new();
    if let Some(goal) = &p.goal {
        parts.push(format!("围绕建设{goal}这一目标"));
    }
    if !p.actions.titles.is_empty() {
        parts.push(format!(
            "深入实施{}{}大{}",
            quoted(&p.actions.titles),
            zh_count(p.actions.titles.len() as u64),
            p.actions.label
        ));
    }
    if !p.pillars.titles.is_empty() {
        parts.push(format!("深化推进{}“{}”建设", p.pillars.titles.join("、"), p.pillars.label));
    }
    if !p.works.titles.is_empty() {
        parts.push(format!(
            "扎实做好“{}”{}项{}",
            p.works.titles.join("、"),
            zh_count(p.works.titles.len() as u64),
            p.works.label
        ));
    }
    let mut paragraphs = Vec::new();
    if !parts.is_empty() {
        paragraphs.push(format!("{}年，{}。", p.year, parts.join("，")));
    }
    let mut targets: Vec<&crate::indicator::Target> = p.targets.iter().collect();
    targets.sort_by_key(|t| catalogue.find(&t.indicator).map(|i| (i.phrasing.section != "economy", i.phrasing.order)));
    let clauses: Vec<String> = targets.into_iter().filter_map(|t| target_clause(catalogue, t)).collect();
    if !clauses.is_empty() {
        paragraphs.push(format!("主要预期目标：{}。", clauses.join("；")));
    }
    let mut projects = Vec::new();
    let active = &p.flagships_active;
    if active.count > 0 {
        projects.push(format!("加快推进{}{}个出彩项目", names_with_more(&active.named, active.count), active.count));
    }
    let prep = &p.flagships_preparatory;
    if prep.count > 0 {
        projects.push(format!("深度谋划{}{}个重大出彩项目", names_with_more(&prep.named, prep.count), prep.count));
    }
    if p.projects_over_100m > 0 {
        projects.push(format!("全力以赴抓好{}个亿元以上重点项目建设", p.projects_over_100m));
    }
    if !projects.is_empty() {
        paragraphs.push(format!("重点项目方面，{whole}{}。", projects.join("，")));
    }
    for (action, measures) in &p.action_measures {
        if !measures.is_empty() {
            paragraphs.push(format!("“{action}”行动，{}。", measures.join("；")));
        }
    }
    (!paragraphs.is_empty()).then(|| DocSection::new(format!("{}年工作安排", p.year), paragraphs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::d;

    #[test]
    fn markdown_shows_ledger_text_as_text_and_keeps_cells_whole() {
        let mut section = DocSection::new("概况", vec!["完成<script>alert(1)</script>投资 & 进度".into()]);
        section.tables.push(Table {
            caption: String::new(),
            headers: vec!["项目".into()],
            rows: vec![vec![TableCell::Text("甲|乙\n丙".into())]],
        });
        let doc = Document { title: "通报".into(), sections: vec![section], ..Document::default() };
        let md = doc.to_markdown();
        assert!(md.contains("完成&lt;script&gt;alert(1)&lt;/script&gt;投资 &amp; 进度"), "{md}");
        assert!(md.contains("| 甲\\|乙 丙 |"), "{md}");
        assert!(!md.contains("<script>"), "{md}");
    }

    fn figure(code: &str, value: Option<&str>, growth: Option<&str>) -> Figure {
        Figure { indicator: code.into(), value: value.map(d), reported_growth: growth.map(d), ..Figure::default() }
    }

    fn input(figures: Vec<Figure>) -> AnnualInput {
        AnnualInput {
            year: 2017,
            unit_name: "二七区".into(),
            unit_kind: UnitKind::District,
            figures,
            projects: None,
            flagships: None,
            categories: vec![],
            tasks: None,
            programme: None,
            milestones: vec![],
            honours: vec![],
            earlier_honours: vec![],
            party: None,
        }
    }

    #[test]
    fn figures_print_as_published_with_their_qualifiers() {
        let c = Catalogue::standard().unwrap();
        let gdp = c.find("地区生产总值").unwrap();
        let revenue = c.find("一般公共预算收入").unwrap();
        let fai = c.find("固定资产投资").unwrap();
        let wan = MeasureUnit::parse("万元").unwrap();
        // 区属 before the name, 可比价 before the growth (a 统计公报's words).
        let district = Figure {
            caliber: Some(Caliber::District),
            price_basis: Some(PriceBasis::Comparable),
            ..figure("GDP", Some("37995000000"), Some("9.3"))
        };
        assert_eq!(clause(gdp, &district).unwrap(), "区属地区生产总值完成379.95亿元，按可比价格计算，增长9.3%");
        let same_base = Figure { caliber: Some(Caliber::Comparable), ..figure("GPBR", None, Some("9")) };
        assert_eq!(clause(revenue, &same_base).unwrap(), "一般公共预算收入同口径增长9%");
        let society = Figure { caliber: Some(Caliber::Society), ..figure("FAI", None, Some("10.1")) };
        assert_eq!(clause(fai, &society).unwrap(), "全社会固定资产投资增长10.1%");
        // Published in 万元 with no decimals, and a growth of 9.0: printed so.
        let published = Published { unit: Some(wan), decimals: Some(0), growth_decimals: Some(1) };
        let in_wan = Figure { published, ..figure("GPBR", Some("9143260000"), Some("9.0")) };
        assert_eq!(clause(revenue, &in_wan).unwrap(), "一般公共预算收入完成914326万元，增长9.0%");
        assert_eq!(
            clause(revenue, &figure("GPBR", Some("2940000000"), Some("0"))).unwrap(),
            "一般公共预算收入完成29.4亿元，与上年持平"
        );
        assert_eq!(clause(revenue, &figure("GPBR", None, Some("-3.20"))).unwrap(), "一般公共预算收入下降3.2%");
    }

    #[test]
    fn figures_of_part_of_a_year_say_their_months_never_the_whole_year() {
        let c = Catalogue::standard().unwrap();
        let partial = |f: Figure| Figure { through: Some(Period::Month(2018, 9)), ..f };
        let text = annual_summary(
            &c,
            &input(vec![
                partial(figure("FAI", Some("30000000000"), Some("9.5"))),
                figure("GPBR", Some("2940000000"), Some("8.5")),
            ]),
        )
        .text();
        assert_eq!(text, "全年一般公共预算收入完成29.4亿元，增长8.5%；1-9月固定资产投资完成300亿元，同比增长9.5%。");
        let only = annual_summary(&c, &input(vec![partial(figure("GDP", Some("40000000000"), Some("8")))])).text();
        assert_eq!(only, "1-9月地区生产总值完成400亿元，同比增长8%。");
    }

    #[test]
    fn a_shared_status_opens_the_paragraph_and_mixed_ones_are_named_each() {
        let c = Catalogue::standard().unwrap();
        let with = |f: Figure, v: Vintage| Figure { vintage: Some(v), ..f };
        let shared = annual_summary(
            &c,
            &input(vec![
                with(figure("GDP", Some("56700000000"), Some("9")), Vintage::Estimate),
                with(figure("GPBR", Some("2940000000"), Some("8.5")), Vintage::Estimate),
            ]),
        );
        assert!(shared.text().starts_with("初步预计，全年地区生产总值完成567亿元"), "{}", shared.text());
        let mixed = annual_summary(
            &c,
            &input(vec![
                with(figure("GDP", Some("56700000000"), Some("9")), Vintage::Preliminary),
                with(figure("RSCG", Some("47000000000"), Some("11")), Vintage::Final),
            ]),
        )
        .text();
        assert!(mixed.contains("地区生产总值完成567亿元，增长9%（初步核算）"), "{mixed}");
        assert!(mixed.contains("470亿元，增长11%（最终核实）"), "{mixed}");
    }

    #[test]
    fn the_economic_paragraph_reads_as_the_government_writes_it() {
        let c = Catalogue::standard().unwrap();
        let doc = annual_summary(
            &c,
            &input(vec![
                figure("GDP", Some("56700000000"), Some("9")),
                figure("GPBR", Some("2940000000"), Some("8.5")),
                figure("FAI", Some("40770000000"), Some("12")),
            ]),
        );
        assert_eq!(
            doc.sections[0].paragraphs[0],
            "全年地区生产总值完成567亿元，增长9%；一般公共预算收入完成29.4亿元，增长8.5%；固定资产投资完成407.7亿元，增长12%。"
        );
    }

    #[test]
    fn a_growth_only_figure_gets_no_invented_level_and_a_missing_one_no_sentence() {
        let c = Catalogue::standard().unwrap();
        let doc = annual_summary(&c, &input(vec![figure("FAI", None, Some("10.1"))]));
        assert_eq!(doc.text(), "全年固定资产投资增长10.1%。");
        let empty = annual_summary(&c, &input(vec![]));
        assert!(empty.sections.is_empty(), "{empty:?}");
    }

    #[test]
    fn clauses_follow_the_catalogue_templates() {
        let c = Catalogue::standard().unwrap();
        let cases = [
            ("PATENT_APPS", Some("3500"), None, "专利申请量突破3500件"),
            ("TECH_FIRMS", Some("142"), None, "累计达142家"),
            ("LIVELIHOOD_SHARE", Some("71.6"), None, "民生支出占一般公共预算支出的比重达到71.6%"),
            ("SUBSIDIES_PAID", Some("110530000"), None, "累计发放各类补贴补助11053万元"),
            ("GP_SIGNED", Some("308800"), None, "签约服务30.88万人"),
            ("GDP", Some("56700000000"), Some("-2.5"), "地区生产总值完成567亿元，下降2.5%"),
        ];
        for (code, value, growth, text) in cases {
            let ind = c.require(code).unwrap();
            assert_eq!(clause(ind, &figure(code, value, growth)).as_deref(), Some(text), "{code}");
        }
        let rolled = Figure { rolled_up: true, ..figure("GPBR", Some("100000000"), None) };
        assert_eq!(clause(c.require("GPBR").unwrap(), &rolled).unwrap(), "一般公共预算收入完成1亿元（下级单位汇总）");
    }

    #[test]
    fn projects_and_tasks_are_counted_and_named() {
        let c = Catalogue::standard().unwrap();
        let mut i = input(vec![]);
        i.projects = Some(ProjectSummary {
            count: 150,
            completed_wan: d("4700000"),
            through_month: Some(12),
            carried: 0,
            started: 82,
            started_named: vec!["郑州地产投资大厦".into()],
            finished: 12,
        });
        i.flagships = Some(FlagshipSummary { count: 3, named: vec!["甲".into(), "乙".into()], lagging: 0 });
        i.tasks = Some(TaskSummary { count: 335, named: vec!["平安建设".into()], done: 0 });
        i.categories =
            vec![CategorySummary {
                category: "生态建设".into(), count: 32, started: 24, completed_wan: d("381000")
            }];
        let text = annual_summary(&c, &i).text();
        assert!(
            text.contains("全年150个重大项目完成投资470亿元，郑州地产投资大厦等82个项目开工，12个项目竣工"),
            "{text}"
        );
        assert!(text.contains("甲、乙等重大出彩项目进展顺利"), "{text}");
        assert!(text.contains("平安建设等335项重点工作"), "{text}");
        assert!(text.contains("32个重大生态建设项目已开工24个，完成投资38.1亿元"), "{text}");
    }

    #[test]
    fn money_in_wan_prints_in_yi_from_one_yi() {
        assert_eq!(money_wan(d("4700000")), "470亿元");
        assert_eq!(money_wan(d("11053")), "1.11亿元");
        assert_eq!(money_wan(d("9999")), "9999万元");
    }

    #[test]
    fn the_programme_names_its_levels_with_counts() {
        let c = Catalogue::standard().unwrap();
        let mut i = input(vec![]);
        i.programme = Some(Programme {
            year: 2018,
            goal: Some("现代化国际化生态化新城区".into()),
            actions: PlanLevel {
                label: "行动".into(),
                titles: vec!["项目建设全力攻坚年".into(), "基层党建全面提升年".into()],
            },
            pillars: PlanLevel {
                label: "三个二七".into(),
                titles: vec!["品质二七".into(), "田园二七".into(), "温暖二七".into()],
            },
            works: PlanLevel { label: "工作".into(), titles: (1..=6).map(|n| format!("工作{n}")).collect() },
            projects_over_100m: 165,
            targets: vec![
                crate::indicator::Target {
                    bound: Some(crate::indicator::Bound::About),
                    ..crate::indicator::Target::new(c.find("GDP").unwrap(), "erqi", 2018, None, Some(d("8"))).unwrap()
                },
                crate::indicator::Target::new(
                    c.find("GPBR").unwrap(),
                    "erqi",
                    2018,
                    Some(d("3150000000")),
                    Some(d("7")),
                )
                .unwrap(),
            ],
            ..Programme::default()
        });
        let text = annual_summary(&c, &i).text();
        assert!(text.contains("2018年，围绕建设现代化国际化生态化新城区这一目标，深入实施“项目建设全力攻坚年”“基层党建全面提升年”两大行动，深化推进品质二七、田园二七、温暖二七“三个二七”建设，扎实做好“工作1、工作2、工作3、工作4、工作5、工作6”六项工作。"), "{text}");
        assert!(text.contains("全力以赴抓好165个亿元以上重点项目建设"), "{text}");
        assert!(
            text.contains("主要预期目标：地区生产总值增长8%左右；一般公共预算收入达到31.5亿元，增长7%。"),
            "{text}"
        );
    }

    #[test]
    fn stored_times_read_as_beijing_time() {
        let beijing = crate::config::Zone::default();
        assert_eq!(local_time("2026-11-29T12:15:10Z", &beijing), "2026年11月29日 20:15");
        assert_eq!(local_time("2018-06-30T17:05:00.123456Z", &beijing), "2018年7月1日 01:05");
        assert_eq!(local_time("昨天", &beijing), "昨天");
        assert_eq!(
            local_time("2018-06-30T17:05:00Z", &crate::config::Zone::named("UTC").unwrap()),
            "2018年6月30日 17:05"
        );
        assert!(crate::config::Zone::named("Mars/Olympus").is_err());
    }
}
