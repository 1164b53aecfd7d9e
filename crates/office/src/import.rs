//! Turning a header-matched table into domain records of one kind, collecting every error
//! of the file with its place (sheet, row, column header, value) rather than stopping at
//! the first.

use std::collections::{HashMap, HashSet};

use calamine::Data;
use rust_decimal::Decimal;
use taizhang_core::batch::Batch;
use taizhang_core::codes::{IndicatorCode, ProjectCode, UnitCode};
use taizhang_core::config::RuleConfig;
use taizhang_core::honour::{Honour, HonourKind};
use taizhang_core::indicator::{
    Aggregation, Bound, Caliber, Catalogue, Clears, Direction, Indicator, IndicatorValue, NewIndicator, PriceBasis,
    Published, Target, TargetText, Temporal, Vintage, parse_target_text,
};
use taizhang_core::org::{OrgTree, OrgUnit};
use taizhang_core::period::Period;
use taizhang_core::plan::{KeyTask, PlanNode, TaskStatus};
use taizhang_core::project::{MonthlyProgress, Nature, Project, Responsibility, YearPlan};
use taizhang_core::quantity::MeasureUnit;
use taizhang_core::rules::{YtdBreak, ytd_break};
use taizhang_core::world::ProjectRecord;

use crate::cells;
use crate::sheet::{Field, Row, Table, cell_text};
use crate::{CellError, CellErrors, Kind, Located};

/// What an import checks against: the ledger as it stands.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub catalogue: &'a Catalogue,
    pub units: &'a OrgTree,
    /// The default unit of indicator values and targets (the top unit).
    pub top_unit: Option<&'a str>,
    /// Stored projects: total investment (万元) by code.
    pub project_totals: &'a HashMap<String, Decimal>,
    pub plan_nodes: &'a [PlanNode],
    /// Stored task statuses by code, kept when a task is re-imported.
    pub task_status: &'a HashMap<String, TaskStatus>,
    /// The plan year of project rows without a 年度 column.
    pub default_year: i32,
    /// The jurisdiction's submission rules: a workbook's 年初至报告期累计 is held to the same
    /// YTD rule as a form.
    pub rules: &'a RuleConfig,
}

struct RowReader<'t> {
    table: &'t Table,
    errors: CellErrors,
}

impl<'t> RowReader<'t> {
    fn error(&mut self, row: &Row, key: &str, message: impl Into<String>) {
        let value = self.table.cell(row, key).map(|(_, c)| cell_text(c)).unwrap_or_default();
        self.errors.push(CellError { at: self.table.at(row, key), value, message: message.into() });
    }

    fn raw<'r>(&self, row: &'r Row, key: &str) -> &'r Data {
        static EMPTY: Data = Data::Empty;
        self.table.cell(row, key).map_or(&EMPTY, |(_, c)| c)
    }

    fn text(&mut self, row: &Row, key: &str, required: bool) -> Option<String> {
        let t = cells::text(self.raw(row, key));
        if t.is_none() && required {
            self.error(row, key, "必填，不能为空");
        }
        t
    }

    /// A required code, checked by its type's rules (not empty, no spaces, not too long).
    fn code<T: std::str::FromStr<Err = taizhang_core::DomainError>>(&mut self, row: &Row, key: &str) -> Option<T> {
        let text = self.text(row, key, true)?;
        text.parse().map_err(|e: taizhang_core::DomainError| self.error(row, key, e.to_string())).ok()
    }

    /// An optional word of a closed list (数据状态, 口径 …): blank is none, anything else must parse.
    fn word<T: std::str::FromStr<Err = taizhang_core::DomainError>>(&mut self, row: &Row, key: &str) -> Option<T> {
        let text = self.text(row, key, false)?;
        text.parse().map_err(|e: taizhang_core::DomainError| self.error(row, key, e.to_string())).ok()
    }

    /// A figure cell of a value row: blank, the word 清空 (empty the stored figure), or a
    /// number with the decimals it was typed with when it was typed as text ("9.0").
    fn figure(&mut self, row: &Row, key: &str) -> Figure {
        if cells::text(self.raw(row, key)).as_deref().map(str::trim) == Some(CLEAR_WORD) {
            return Figure { clear: true, ..Figure::default() };
        }
        let typed = matches!(self.raw(row, key), Data::String(_));
        let value = self.number(row, key, false);
        Figure { decimals: value.filter(|_| typed).map(|v| v.scale()), value, clear: false }
    }

    fn number(&mut self, row: &Row, key: &str, required: bool) -> Option<Decimal> {
        match cells::number(self.raw(row, key)) {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                if required {
                    self.error(row, key, "必填，不能为空");
                }
                None
            }
            Err(e) => {
                self.error(row, key, e);
                None
            }
        }
    }

    /// An amount in 万元: converted from the header's unit (`总投资(亿元)`), never negative.
    fn wan(&mut self, row: &Row, key: &str, required: bool) -> Option<Decimal> {
        let value = self.number(row, key, required)?;
        if value.is_sign_negative() && !value.is_zero() {
            self.error(row, key, "金额不能为负数");
            return None;
        }
        let unit = self.table.column(key).and_then(|c| c.unit.clone());
        match unit {
            Some(u) if u.base_symbol() == "元" => Some(u.to_base(value) / Decimal::from(10_000)),
            _ => Some(value),
        }
    }

    fn date(&mut self, row: &Row, key: &str) -> Option<taizhang_core::project::Date> {
        cells::date(self.raw(row, key)).unwrap_or_else(|e| {
            self.error(row, key, e);
            None
        })
    }

    fn period(&mut self, row: &Row, key: &str) -> Option<Period> {
        match cells::period(self.raw(row, key)) {
            Ok(Some(p)) => Some(p),
            Ok(None) => {
                self.error(row, key, "必填，不能为空");
                None
            }
            Err(e) => {
                self.error(row, key, e);
                None
            }
        }
    }

    fn year(&mut self, row: &Row, key: &str) -> Option<i32> {
        cells::year(self.raw(row, key)).unwrap_or_else(|e| {
            self.error(row, key, e);
            None
        })
    }

    /// A unit by code or name; unknown → error.
    fn unit(&mut self, ctx: &Context<'_>, row: &Row, key: &str, required: bool) -> Option<String> {
        let name = self.text(row, key, required)?;
        match ctx.units.find(&name) {
            Some(u) => Some(u.code.to_string()),
            None => {
                self.error(row, key, "单位不存在（按单位编码或单位名称查找）");
                None
            }
        }
    }

    /// The 指标 (by name, code or alias) and 单位 (default: the top unit) of a value or target row.
    fn indicator_and_unit<'c>(&mut self, ctx: &Context<'c>, row: &Row) -> (Option<&'c Indicator>, Option<String>) {
        let indicator = self.text(row, "indicator", true).and_then(|name| {
            let found = ctx.catalogue.find(&name);
            if found.is_none() {
                self.error(row, "indicator", "指标不在指标目录中（按名称、编码或别名查找）；新指标请管理员在“管理—指标目录”添加，或用 taizhang import catalogue 导入指标目录");
            }
            found
        });
        let unit = match self.table.column("unit") {
            Some(_) if cells::text(self.raw(row, "unit")).is_some() => self.unit(ctx, row, "unit", true),
            _ => ctx.top_unit.map(str::to_string),
        };
        (indicator, unit)
    }

    fn duplicate<K: std::hash::Hash + Eq>(&mut self, seen: &mut HashMap<K, u32>, key: K, row: &Row, field: &str) {
        match seen.entry(key) {
            std::collections::hash_map::Entry::Occupied(first) => {
                let first = *first.get();
                self.error(row, field, format!("与第{first}行重复"));
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(row.excel_row);
            }
        }
    }
}

/// Checks rows of one kind chunk by chunk as they are read, keeping what spans the whole
/// file (duplicate keys, units' parents, each project's run of 年初至报告期累计) for [`Parser::finish`].
#[derive(Debug)]
pub struct Parser<'c> {
    kind: Kind,
    ctx: Context<'c>,
    errors: CellErrors,
    seen: HashMap<String, u32>,
    /// Progress rows seen, by project and month.
    seen_months: HashMap<(String, Period), u32>,
    /// Units wait for the whole file: a parent may come in any later row.
    units: Vec<(OrgUnit, Option<CellError>)>,
    /// Catalogue rows so far: each new one is checked against the catalogue with them.
    indicators: Vec<Indicator>,
    ytd: Vec<YtdRow>,
    /// Where the 年初至报告期累计 column is, for the errors found at the end.
    ytd_column: Option<Located>,
    /// The submission's rules (the 年初至报告期累计 run, 开工累计 within 总投资) left to the
    /// caller — a unit's drafts, where a 说明 may answer them as on the form — not errors.
    rules_deferred: bool,
}

/// What the 年初至报告期累计 run check needs of one progress row.
#[derive(Debug)]
struct YtdRow {
    excel_row: u32,
    project: String,
    period: Period,
    ytd: Decimal,
    month: Option<Decimal>,
    cell: Data,
}

impl<'c> Parser<'c> {
    pub fn new(kind: Kind, ctx: Context<'c>) -> Self {
        Self {
            kind,
            ctx,
            errors: CellErrors::default(),
            seen: HashMap::new(),
            seen_months: HashMap::new(),
            units: Vec::new(),
            indicators: Vec::new(),
            ytd: Vec::new(),
            ytd_column: None,
            rules_deferred: false,
        }
    }

    /// Leaves the submission's rules to the caller: a unit's drafts are checked by them at
    /// save and submit, where a 说明 may answer them — the same strength as on the form.
    pub fn deferring_submission_rules(mut self) -> Self {
        self.rules_deferred = true;
        self
    }

    /// Checks the rows of `chunk` and returns the records they hold (units come at the end).
    pub fn feed(&mut self, chunk: &Table) -> Batch {
        let mut r = RowReader { table: chunk, errors: std::mem::take(&mut self.errors) };
        let ctx = &self.ctx;
        let seen = &mut self.seen;
        let batch = match self.kind {
            Kind::Units => {
                self.units.extend(units(&mut r, seen));
                Batch::Units(Vec::new())
            }
            Kind::Indicators => Batch::Values(values(&mut r, ctx, seen)),
            Kind::Targets => Batch::Targets(targets(&mut r, ctx, seen)),
            Kind::Projects => Batch::Projects(projects(&mut r, ctx, seen)),
            Kind::Progress => {
                if self.ytd_column.is_none() && chunk.column("ytd").is_some() {
                    self.ytd_column = Some(chunk.at_row(0, "ytd"));
                }
                Batch::Progress(progress(&mut r, ctx, &mut self.seen_months, &mut self.ytd, self.rules_deferred))
            }
            Kind::Tasks => Batch::Tasks(tasks(&mut r, ctx, seen)),
            Kind::Catalogue => {
                catalogue_rows(&mut r, ctx, seen, &mut self.indicators);
                Batch::Indicators(Vec::new())
            }
            Kind::Honours => Batch::Honours(honours(&mut r, ctx, seen)),
        };
        self.errors = r.errors;
        batch
    }

    /// Whether any row so far was wrong.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The stored 年初至报告期累计 the run check needs: each month whose previous month the
    /// file does not carry (January starts from zero).
    pub fn ytd_needed(&self) -> Vec<(String, Period)> {
        ytd_runs(&self.ytd)
            .filter(|(_, before)| before.is_none())
            .filter_map(|(y, _)| previous_month(y.period).map(|p| (y.project.clone(), p)))
            .collect()
    }

    /// The checks that need the whole file; `stored_ytd` holds what [`Parser::ytd_needed`]
    /// asked for. Returns the records held back until now (units), or every error of the file.
    pub fn finish(mut self, stored_ytd: &HashMap<(String, Period), Decimal>) -> Result<Batch, CellErrors> {
        let rest = match self.kind {
            Kind::Units => {
                // Parents may be in the ledger or anywhere in the file.
                let known: HashSet<&str> = self
                    .ctx
                    .units
                    .units()
                    .iter()
                    .map(|u| u.code.as_str())
                    .chain(self.units.iter().map(|(u, _)| u.code.as_str()))
                    .collect();
                let missing: Vec<CellError> = self
                    .units
                    .iter()
                    .filter(|(u, _)| u.parent.as_deref().is_some_and(|p| !known.contains(p)))
                    .filter_map(|(_, e)| e.clone())
                    .collect();
                self.errors.extend(missing);
                Batch::Units(self.units.into_iter().map(|(u, _)| u).collect())
            }
            Kind::Progress => {
                if !self.rules_deferred {
                    let errors = check_ytd_sequence(&self.ytd, stored_ytd, self.ytd_column.as_ref(), self.ctx.rules);
                    self.errors.extend(errors);
                }
                Batch::Progress(Vec::new())
            }
            Kind::Indicators => Batch::Values(Vec::new()),
            Kind::Targets => Batch::Targets(Vec::new()),
            Kind::Projects => Batch::Projects(Vec::new()),
            Kind::Tasks => Batch::Tasks(Vec::new()),
            // The whole catalogue at the end: it is small, and checked as one.
            Kind::Catalogue => Batch::Indicators(self.indicators),
            Kind::Honours => Batch::Honours(Vec::new()),
        };
        if self.errors.is_empty() { Ok(rest) } else { Err(self.errors) }
    }
}

pub const CATALOGUE_FIELDS: &[Field] = &[
    Field { key: "code", header: "指标编码", aliases: &["编码"], required: true },
    Field { key: "name", header: "指标名称", aliases: &["名称"], required: true },
    Field { key: "aliases", header: "别名", aliases: &[], required: false },
    Field { key: "measure", header: "计量单位", aliases: &[], required: true },
    Field { key: "aggregation", header: "汇总方式", aliases: &[], required: false },
    Field { key: "temporal", header: "流量/存量", aliases: &["流量存量", "时间属性"], required: false },
    Field { key: "direction", header: "方向", aliases: &["指标方向"], required: false },
    Field { key: "clause", header: "表述", aliases: &["表述模板"], required: false },
    Field { key: "section", header: "报告栏目", aliases: &["栏目"], required: false },
    Field { key: "decimals", header: "小数位数", aliases: &[], required: false },
];

/// Catalogue rows: each a whole indicator, checked against the catalogue with the rows
/// before it (a name or alias may point at one indicator only).
fn catalogue_rows(
    r: &mut RowReader<'_>,
    ctx: &Context<'_>,
    seen: &mut HashMap<String, u32>,
    sofar: &mut Vec<Indicator>,
) {
    let table = r.table;
    for row in &table.rows {
        let code = r.code::<IndicatorCode>(row, "code");
        let name = r.text(row, "name", true);
        let aliases = cells::list(r.raw(row, "aliases"));
        let unit = r.text(row, "measure", true).and_then(|t| {
            MeasureUnit::parse(&t)
                .map_err(|_| {
                    r.error(
                        row,
                        "measure",
                        "计量单位无法识别（应为 亿元、万元、元、人、万人、%、家、件、套、万平方米 等）",
                    )
                })
                .ok()
        });
        let aggregation = r.word::<Aggregation>(row, "aggregation");
        let temporal = r.word::<Temporal>(row, "temporal").unwrap_or(Temporal::Flow);
        let direction = r.word::<Direction>(row, "direction").unwrap_or(Direction::Up);
        let clause = r.text(row, "clause", false);
        let section = match r.text(row, "section", false) {
            None => ctx.catalogue.sections.first().map(|s| s.key.clone()),
            Some(t) => ctx
                .catalogue
                .section(&t)
                .map(|s| s.key.clone())
                .map_err(|e| r.error(row, "section", e.to_string()))
                .ok(),
        };
        let decimals = match r.number(row, "decimals", false) {
            None => Some(2),
            Some(d) => (d.fract().is_zero() && (0..=6).contains(&d.normalize().mantissa()))
                .then(|| d.normalize().mantissa() as u32)
                .or_else(|| {
                    r.error(row, "decimals", "小数位数应为0到6的整数");
                    None
                }),
        };
        let (Some(code), Some(name), Some(unit), Some(section), Some(decimals)) = (code, name, unit, section, decimals)
        else {
            continue;
        };
        r.duplicate(seen, code.to_string(), row, "code");
        let defined =
            NewIndicator { code, name, aliases, unit, aggregation, temporal, direction, clause, section, decimals };
        let indicator = ctx.catalogue.define(defined, sofar);
        sofar.push(indicator);
        if let Err(e) = ctx.catalogue.with(sofar) {
            sofar.pop();
            let key = if e.to_string().contains("表述") { "clause" } else { "aliases" };
            r.error(row, key, e.to_string());
        }
    }
}

pub const HONOUR_FIELDS: &[Field] = &[
    Field { key: "unit", header: "单位", aliases: &["单位名称"], required: false },
    Field { key: "year", header: "年度", aliases: &["年份"], required: true },
    Field { key: "honour", header: "荣誉", aliases: &["荣誉名称", "称号"], required: true },
    Field { key: "scope", header: "授予机关", aliases: &["范围", "评比范围"], required: true },
    Field { key: "place", header: "位次", aliases: &["名次", "排名"], required: false },
    Field { key: "item", header: "事项", aliases: &["评比事项"], required: false },
    Field { key: "subject", header: "分组", aliases: &[], required: false },
];

/// Honours as offices list them: a 位次 (第1位 → a rank of 荣誉; 前三甲 → among the first of
/// 荣誉), else a list (百强区, 十强县: 进入) or a rating (优秀单位: 被评为) of the 事项.
fn honours(r: &mut RowReader<'_>, ctx: &Context<'_>, seen: &mut HashMap<String, u32>) -> Vec<Honour> {
    let mut out = Vec::new();
    let table = r.table;
    for row in &table.rows {
        let unit = match r.text(row, "unit", false) {
            Some(_) => r.unit(ctx, row, "unit", true),
            None => ctx.top_unit.map(str::to_string),
        };
        let year = r.year(row, "year");
        if year.is_none() && cells::text(r.raw(row, "year")).is_none() {
            r.error(row, "year", "必填，不能为空");
        }
        let honour = r.text(row, "honour", true);
        let scope = r.text(row, "scope", true);
        let item = r.text(row, "item", false).unwrap_or_default();
        let subject = r.text(row, "subject", false).unwrap_or_default();
        let place = r.text(row, "place", false).and_then(|t| {
            taizhang_core::honour::parse_placement(&t).map_err(|e| r.error(row, "place", e.to_string())).ok()
        });
        let (Some(unit), Some(year), Some(honour), Some(scope)) = (unit, year, honour, scope) else { continue };
        let (item, kind) = match place {
            Some(kind) => (honour, kind),
            None if honour.contains('强') => (item, HonourKind::List(honour)),
            None => (item, HonourKind::Rating(honour)),
        };
        r.duplicate(seen, format!("{unit}|{year}|{scope}|{subject}|{item}|{}", kind.code()), row, "honour");
        out.push(Honour { unit, year, scope, subject, item, kind });
    }
    out
}

pub const UNIT_FIELDS: &[Field] = &[
    Field { key: "code", header: "单位编码", aliases: &["编码"], required: true },
    Field { key: "name", header: "单位名称", aliases: &["名称"], required: true },
    Field { key: "parent", header: "上级单位编码", aliases: &["上级编码", "上级单位"], required: false },
    Field { key: "kind", header: "类型", aliases: &["单位类型"], required: true },
];

/// Units with the error to report should their parent not exist.
fn units(r: &mut RowReader<'_>, seen: &mut HashMap<String, u32>) -> Vec<(OrgUnit, Option<CellError>)> {
    let mut out = Vec::new();
    let table = r.table;
    for row in &table.rows {
        let code: Option<UnitCode> = r.code(row, "code");
        let name = r.text(row, "name", true);
        let parent = r.text(row, "parent", false);
        let kind = r.text(row, "kind", true).and_then(|k| match k.parse() {
            Ok(k) => Some(k),
            Err(_) => {
                r.error(row, "kind", "类型无法识别（应为 district/department/street/… 或 区/部门/街道/…）");
                None
            }
        });
        if let Some(c) = &code {
            r.duplicate(seen, c.to_string(), row, "code");
        }
        if let (Some(code), Some(name), Some(kind)) = (code, name, kind) {
            let missing_parent = parent.as_ref().map(|p| CellError {
                at: table.at(row, "parent"),
                value: p.clone(),
                message: "上级单位编码不存在".into(),
            });
            out.push((OrgUnit { code, name, kind, parent }, missing_parent));
        }
    }
    out
}

/// The word that empties a stored figure; a blank cell leaves it as it is.
pub const CLEAR_WORD: &str = "清空";

/// A figure cell as read: its number, the decimals typed, or the clear word.
#[derive(Debug, Default)]
struct Figure {
    value: Option<Decimal>,
    decimals: Option<u32>,
    clear: bool,
}

pub const VALUE_FIELDS: &[Field] = &[
    Field { key: "indicator", header: "指标", aliases: &["指标名称", "指标编码"], required: true },
    Field { key: "unit", header: "单位", aliases: &["地区", "单位名称"], required: false },
    Field { key: "period", header: "报告期", aliases: &[], required: true },
    Field { key: "value", header: "数值", aliases: &["指标值"], required: false },
    Field { key: "measure", header: "计量单位", aliases: &[], required: false },
    Field {
        key: "growth", header: "增长率(%)", aliases: &["同比增长(%)", "增长(%)", "增速(%)"], required: false
    },
    Field { key: "note", header: "说明", aliases: &["备注"], required: false },
    Field { key: "status", header: "数据状态", aliases: &["状态"], required: false },
    Field { key: "source", header: "来源", aliases: &["数据来源"], required: false },
    Field { key: "caliber", header: "口径", aliases: &["统计口径"], required: false },
    Field { key: "price_basis", header: "价格基础", aliases: &["计价方式"], required: false },
];

/// The measure unit of a figure: the 计量单位 cell, else the header's suffix, else the
/// indicator's own; it must measure the same thing as the indicator.
fn measure_of(r: &mut RowReader<'_>, row: &Row, ind_unit: &MeasureUnit, value_key: &str) -> Option<MeasureUnit> {
    let written = r.text(row, "measure", false);
    let unit = match &written {
        Some(t) => match MeasureUnit::parse(t) {
            Ok(u) => u,
            Err(_) => {
                r.error(
                    row,
                    "measure",
                    "计量单位无法识别（应为 亿元、万元、元、人、万人、%、家、件、套、万平方米 等）",
                );
                return None;
            }
        },
        None => r.table.column(value_key).and_then(|c| c.unit.clone()).unwrap_or_else(|| ind_unit.clone()),
    };
    if !unit.same_base(ind_unit) {
        r.error(
            row,
            if written.is_some() { "measure" } else { value_key },
            format!("计量单位与指标不一致（应为{ind_unit}一类）"),
        );
        return None;
    }
    Some(unit)
}

fn values(r: &mut RowReader<'_>, ctx: &Context<'_>, seen: &mut HashMap<String, u32>) -> Vec<IndicatorValue> {
    let mut out = Vec::new();
    let table = r.table;
    for row in &table.rows {
        let (indicator, unit) = r.indicator_and_unit(ctx, row);
        let period = r.period(row, "period");
        let value = r.figure(row, "value");
        let growth = r.figure(row, "growth");
        let note = r.text(row, "note", false);
        let vintage = r.word::<Vintage>(row, "status");
        let source = r.text(row, "source", false);
        let caliber = r.word::<Caliber>(row, "caliber");
        let price_basis = r.word::<PriceBasis>(row, "price_basis");
        let Some(ind) = indicator else { continue };
        let measure = measure_of(r, row, &ind.unit, "value");
        let blank = |f: &Figure| f.value.is_none() && !f.clear;
        if blank(&value) && blank(&growth) && cells::text(r.raw(row, "value")).is_none() {
            r.error(row, "value", format!("数值与增长率(%)不能同时为空（要清除已存的数，请填“{CLEAR_WORD}”）"));
            continue;
        }
        if value.value.is_some_and(|v| v.is_sign_negative() && !v.is_zero()) && ind.non_negative {
            r.error(row, "value", "不能为负数");
            continue;
        }
        let (Some(unit), Some(period), Some(measure)) = (unit, period, measure) else { continue };
        r.duplicate(seen, format!("{}|{unit}|{period}", ind.code), row, "period");
        let clears = Clears { value: value.clear, growth: growth.clear };
        let level = value.value.map(|v| measure.to_base(v));
        match IndicatorValue::with_clears(ind, &unit, period, level, growth.value, clears) {
            Ok(mut v) => {
                v.note = note;
                v.vintage = vintage;
                v.source = source;
                v.caliber = caliber;
                v.price_basis = price_basis;
                // As published: the unit the sheet wrote the figure in, the decimals typed.
                let written =
                    r.text(row, "measure", false).is_some() || table.column("value").is_some_and(|c| c.unit.is_some());
                v.published = Published {
                    unit: (written && level.is_some()).then_some(measure),
                    decimals: value.decimals,
                    growth_decimals: growth.decimals,
                };
                out.push(v);
            }
            Err(e) => r.error(row, "value", e.to_string()),
        }
    }
    out
}

pub const TARGET_FIELDS: &[Field] = &[
    Field { key: "indicator", header: "指标", aliases: &["指标名称", "指标编码"], required: true },
    Field { key: "unit", header: "单位", aliases: &["地区", "单位名称"], required: false },
    Field { key: "year", header: "年度", aliases: &["年份"], required: true },
    Field { key: "value", header: "目标值", aliases: &[], required: false },
    Field { key: "measure", header: "计量单位", aliases: &[], required: false },
    Field { key: "growth", header: "目标增长率(%)", aliases: &["增长目标(%)"], required: false },
    Field { key: "bound", header: "目标界限", aliases: &["目标表述"], required: false },
    Field { key: "text", header: "文字目标", aliases: &[], required: false },
];

/// A target figure cell: a number, or text as programmes write it ("8%以上", "控制在4%以内")
/// giving the number and its bound; a text without a figure is a target in words.
fn target_cell(r: &mut RowReader<'_>, row: &Row, key: &str) -> (Option<Decimal>, Option<Bound>, Option<String>) {
    let Data::String(text) = r.raw(row, key) else { return (r.number(row, key, false), None, None) };
    match parse_target_text(text) {
        Ok(TargetText::Figure(bound, n)) => match taizhang_core::quantity::parse_number(&n) {
            Ok(v) => (Some(v), bound, None),
            Err(_) => {
                r.error(row, key, "目标值请只写数字与界限（如 600以上），计量单位写在“计量单位”列");
                (None, None, None)
            }
        },
        Ok(TargetText::Words(w)) => (None, None, Some(w)),
        Err(_) if text.trim().is_empty() => (None, None, None),
        Err(e) => {
            r.error(row, key, e.to_string());
            (None, None, None)
        }
    }
}

fn targets(r: &mut RowReader<'_>, ctx: &Context<'_>, seen: &mut HashMap<String, u32>) -> Vec<Target> {
    let mut out = Vec::new();
    let table = r.table;
    for row in &table.rows {
        let (indicator, unit) = r.indicator_and_unit(ctx, row);
        let year = r.year(row, "year");
        if year.is_none() && cells::text(r.raw(row, "year")).is_none() {
            r.error(row, "year", "必填，不能为空");
        }
        let (level, level_bound, level_words) = target_cell(r, row, "value");
        let (growth, growth_bound, growth_words) = target_cell(r, row, "growth");
        let bound = r.word::<Bound>(row, "bound").or(growth_bound).or(level_bound);
        let text = r.text(row, "text", false).or(growth_words).or(level_words);
        let Some(ind) = indicator else { continue };
        let measure = measure_of(r, row, &ind.unit, "value");
        let (Some(unit), Some(year), Some(measure)) = (unit, year, measure) else { continue };
        r.duplicate(seen, format!("{}|{unit}|{year}", ind.code), row, "year");
        match Target::worded(ind, &unit, year, level.map(|v| measure.to_base(v)), growth, text) {
            Ok(mut t) => {
                t.bound = bound;
                out.push(t);
            }
            Err(_) => r.error(row, "value", "目标值、目标增长率(%)与文字目标不能同时为空"),
        }
    }
    out
}

pub const PROJECT_FIELDS: &[Field] = &[
    Field { key: "code", header: "项目编码", aliases: &["项目代码", "编码"], required: true },
    Field { key: "name", header: "项目名称", aliases: &["名称"], required: true },
    Field { key: "category", header: "项目类别", aliases: &["类别"], required: false },
    Field { key: "nature", header: "建设性质", aliases: &["性质"], required: false },
    Field { key: "location", header: "建设地点", aliases: &["地点"], required: false },
    Field {
        key: "content", header: "建设内容", aliases: &["建设规模及内容", "主要建设内容"], required: false
    },
    Field { key: "total", header: "总投资(万元)", aliases: &["计划总投资(万元)"], required: true },
    Field { key: "year", header: "年度", aliases: &["计划年度"], required: false },
    Field {
        key: "planned",
        header: "年度计划投资(万元)",
        aliases: &["年度计划(万元)", "本年计划投资(万元)"],
        required: false,
    },
    Field { key: "start", header: "计划开工", aliases: &["计划开工时间", "开工时间"], required: false },
    Field { key: "finish", header: "计划竣工", aliases: &["计划竣工时间", "竣工时间"], required: false },
    Field {
        key: "actual_start", header: "实际开工", aliases: &["实际开工时间", "实际开工日期"], required: false
    },
    Field {
        key: "actual_finish", header: "实际竣工", aliases: &["实际竣工时间", "实际竣工日期"], required: false
    },
    Field { key: "unit", header: "责任单位", aliases: &["牵头单位"], required: true },
    Field { key: "leader", header: "分包领导", aliases: &["分管领导", "包联领导"], required: false },
    Field { key: "person", header: "责任人", aliases: &[], required: false },
    Field { key: "contact", header: "联系电话", aliases: &["电话"], required: false },
    Field { key: "flags", header: "标签", aliases: &["项目标签"], required: false },
    Field { key: "plan", header: "所属工作", aliases: &["所属计划层级", "所属层级"], required: false },
];

fn projects(r: &mut RowReader<'_>, ctx: &Context<'_>, seen: &mut HashMap<String, u32>) -> Vec<ProjectRecord> {
    let mut out = Vec::new();
    let table = r.table;
    for row in &table.rows {
        let code: Option<ProjectCode> = r.code(row, "code");
        let name = r.text(row, "name", true);
        let nature = match r.text(row, "nature", false) {
            None => Some(Nature::Continuing),
            Some(t) => t.parse::<Nature>().ok().or_else(|| {
                r.error(row, "nature", "建设性质无法识别（应为 新开工、续建、前期 或 竣工）");
                None
            }),
        };
        let total = r.wan(row, "total", true);
        let year = r.year(row, "year").unwrap_or(ctx.default_year);
        let planned = r.wan(row, "planned", false);
        let start = r.date(row, "start");
        let finish = r.date(row, "finish");
        let unit = r.unit(ctx, row, "unit", true);
        if let Some(c) = &code {
            r.duplicate(seen, format!("{c}|{year}"), row, "code");
        }
        if let (Some(s), Some(f)) = (start, finish)
            && f < s
        {
            r.error(row, "finish", format!("计划竣工早于计划开工 {s}"));
            continue;
        }
        let plan_node = plan_node_of(r, ctx, row);
        let (Some(code), Some(name), Some(nature), Some(total), Some(unit)) = (code, name, nature, total, unit) else {
            continue;
        };
        let project = Project {
            category: r.text(row, "category", false).unwrap_or_default(),
            location: r.text(row, "location", false).unwrap_or_default(),
            content: r.text(row, "content", false).unwrap_or_default(),
            total_investment_wan: total,
            planned_start: start,
            planned_finish: finish,
            actual_start: r.date(row, "actual_start"),
            actual_finish: r.date(row, "actual_finish"),
            flags: cells::list(r.raw(row, "flags")),
            responsibility: Responsibility {
                lead_leader: r.text(row, "leader", false).unwrap_or_default(),
                unit,
                person: r.text(row, "person", false).unwrap_or_default(),
                contact: r.text(row, "contact", false).unwrap_or_default(),
                deadline: finish,
            },
            plan_node,
            sample: false,
            code: code.clone(),
            name,
            nature,
        };
        let plans = planned
            .map(|p| vec![YearPlan { project: code.to_string(), year, planned_wan: p, milestones: String::new() }])
            .unwrap_or_default();
        out.push(ProjectRecord { project, plans, progress: vec![] });
    }
    out
}

pub const PROGRESS_FIELDS: &[Field] = &[
    Field { key: "code", header: "项目编码", aliases: &["项目代码", "编码"], required: true },
    Field { key: "period", header: "报告期", aliases: &["月份"], required: true },
    Field {
        key: "month",
        header: "当月完成投资(万元)",
        aliases: &["本月完成投资(万元)", "当月完成(万元)"],
        required: false,
    },
    Field {
        key: "ytd",
        header: "年初至报告期累计(万元)",
        aliases: &["本年累计完成投资(万元)", "年度累计(万元)"],
        required: true,
    },
    Field {
        key: "since_start",
        header: "开工至报告期累计(万元)",
        aliases: &["开工累计完成投资(万元)", "累计完成投资(万元)"],
        required: false,
    },
    Field { key: "image", header: "形象进度", aliases: &["工程形象进度"], required: false },
    Field { key: "problems", header: "存在问题", aliases: &["问题"], required: false },
    // Never stored: the name is there for the eye; 版本 is the draft's version when a unit's
    // sheet was taken, so that an upload over a draft changed since is refused.
    Field { key: "name", header: "项目名称", aliases: &[], required: false },
    Field { key: "version", header: "版本", aliases: &["草稿版本"], required: false },
    // A unit's answer to a rule its figures fail (强制上报的说明), kept with the draft.
    Field {
        key: "explanation", header: "说明（未通过校验时填写）", aliases: &["说明", "情况说明"], required: false
    },
];

/// Drops the rows of a unit's sheet that carry no figure and no text yet: a sheet lists every
/// project the unit owes, and a reporter fills some of them at a time.
pub fn drop_unfilled(table: &mut Table) {
    const FILLED: [&str; 5] = ["month", "ytd", "since_start", "image", "problems"];
    let rows = std::mem::take(&mut table.rows);
    table.rows = rows
        .into_iter()
        .filter(|row| FILLED.iter().any(|key| table.cell(row, key).is_some_and(|(_, c)| !crate::sheet::is_blank(c))))
        .collect();
}

/// Each row's project code and its text under `key` (trimmed; rows without one left out).
pub fn sheet_texts(table: &Table, key: &str) -> HashMap<String, String> {
    table
        .rows
        .iter()
        .filter_map(|row| {
            let code = table.cell(row, "code").map(|(_, c)| crate::sheet::cell_text(c))?;
            let text = table.cell(row, key).map(|(_, c)| crate::sheet::cell_text(c).trim().to_string())?;
            (!text.is_empty()).then_some((code, text))
        })
        .collect()
}

/// Each row's project code and the draft version its sheet was taken at (`None` where the
/// 版本 cell is blank or the column absent: a sheet made by hand is not checked).
pub fn sheet_versions(table: &Table) -> Result<Vec<(String, Option<i64>)>, Vec<CellError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for row in &table.rows {
        let code = table.cell(row, "code").map(|(_, c)| crate::sheet::cell_text(c)).unwrap_or_default();
        let version = match table.cell(row, "version").map(|(_, c)| c) {
            None => None,
            Some(c) if crate::sheet::is_blank(c) => None,
            Some(c) => {
                let text = crate::sheet::cell_text(c);
                match text.parse::<i64>() {
                    Ok(v) if v >= 0 => Some(v),
                    _ => {
                        errors.push(CellError {
                            at: table.at(row, "version"),
                            value: text,
                            message: "版本应为下载时的整数，请勿修改".into(),
                        });
                        continue;
                    }
                }
            }
        };
        out.push((code, version));
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn progress(
    r: &mut RowReader<'_>,
    ctx: &Context<'_>,
    seen: &mut HashMap<(String, Period), u32>,
    ytd_rows: &mut Vec<YtdRow>,
    rules_deferred: bool,
) -> Vec<MonthlyProgress> {
    let mut out = Vec::new();
    let table = r.table;
    for row in &table.rows {
        let code = r.text(row, "code", true);
        let period = r.period(row, "period");
        let month = r.wan(row, "month", false);
        let ytd = r.wan(row, "ytd", true);
        let since_start = r.wan(row, "since_start", false);
        let known = code.as_ref().filter(|c| ctx.project_totals.contains_key(c.as_str()));
        if code.is_some() && known.is_none() {
            r.error(row, "code", "项目编码不存在：请先导入项目");
        }
        if let Some(p) = period
            && !matches!(p, Period::Month(..))
        {
            r.error(row, "period", "项目进度的报告期应为月份（如 2017-03 或 2017年1-3月）");
            continue;
        }
        let (Some(code), Some(period), Some(ytd)) = (known.cloned(), period, ytd) else { continue };
        r.duplicate(seen, (code.clone(), period), row, "period");
        if let (Some(s), Some(total)) = (since_start, ctx.project_totals.get(&code))
            && s > *total
            && !rules_deferred
        {
            r.error(row, "since_start", format!("超过项目总投资 {total} 万元"));
        }
        let progress = MonthlyProgress {
            project: code,
            period,
            month_wan: month,
            ytd_wan: ytd,
            since_start_wan: since_start,
            image_progress: r.text(row, "image", false).unwrap_or_default(),
            problems: r.text(row, "problems", false).unwrap_or_default(),
        };
        ytd_rows.push(YtdRow {
            excel_row: row.excel_row,
            project: progress.project.clone(),
            period,
            ytd,
            month,
            cell: r.raw(row, "ytd").clone(),
        });
        out.push(progress);
    }
    out
}

/// The month before, within the same year (none for January: the year starts from zero).
fn previous_month(period: Period) -> Option<Period> {
    match period {
        Period::Month(year, month) if month > 1 => Some(Period::Month(year, month - 1)),
        _ => None,
    }
}

/// Each progress row with the file's row for the month before it, when the file has one:
/// rows in (project, month) order, so a neighbour is found without a lookup table.
fn ytd_runs(rows: &[YtdRow]) -> impl Iterator<Item = (&YtdRow, Option<&YtdRow>)> {
    let mut order: Vec<&YtdRow> = rows.iter().collect();
    // Ledgers list each project's months in order: a stable sort of sorted runs is linear.
    order.sort_by(|a, b| (a.project.as_str(), a.period).cmp(&(b.project.as_str(), b.period)));
    (0..order.len()).map(move |i| {
        let y = order[i];
        let before = i
            .checked_sub(1)
            .map(|j| order[j])
            .filter(|b| b.project == y.project && Some(b.period) == previous_month(y.period));
        (y, before)
    })
}

/// Within each project and year, 年初至报告期累计 never goes down and equals the previous
/// month's plus this month's amount — against the file's own rows and what is stored.
fn check_ytd_sequence(
    rows: &[YtdRow],
    stored: &HashMap<(String, Period), Decimal>,
    column: Option<&Located>,
    rules: &RuleConfig,
) -> Vec<CellError> {
    let mut errors = Vec::new();
    for (y, before) in ytd_runs(rows) {
        let previous = match (before, previous_month(y.period)) {
            (Some(b), _) => Some(b.ytd),
            (None, None) => Some(Decimal::ZERO),
            (None, Some(p)) => stored.get(&(y.project.clone(), p)).copied(),
        };
        let Some(previous) = previous else { continue };
        let message = match ytd_break(previous, y.month, y.ytd, rules) {
            Some(YtdBreak::Decreased) => format!("比上月累计 {previous} 少：年初至报告期累计不能下降"),
            Some(YtdBreak::NotPreviousPlusMonth(m)) => {
                format!("应等于上月累计 {previous} + 当月 {m} = {}", previous + m)
            }
            None => continue,
        };
        let at = column.map_or_else(
            || Located { sheet: String::new(), row: y.excel_row, header: "ytd".into() },
            |c| Located { row: y.excel_row, ..c.clone() },
        );
        errors.push(CellError { at, value: cell_text(&y.cell), message });
    }
    // Reported in the order of the sheet's rows.
    errors.sort_by_key(|e| e.at.row);
    errors
}

pub const TASK_FIELDS: &[Field] = &[
    Field { key: "code", header: "任务编码", aliases: &["编码"], required: true },
    Field { key: "name", header: "任务名称", aliases: &["重点工作", "工作任务"], required: true },
    Field { key: "plan", header: "所属计划层级", aliases: &["所属层级", "所属工作"], required: false },
    Field { key: "lead", header: "牵头单位", aliases: &["责任单位"], required: true },
    Field { key: "cooperating", header: "配合单位", aliases: &[], required: false },
    Field { key: "leader", header: "分管领导", aliases: &["分包领导"], required: false },
    Field { key: "deadline", header: "完成时限", aliases: &["完成时间"], required: false },
    Field { key: "target", header: "目标要求", aliases: &["工作目标"], required: false },
];

/// The 所属工作 (plan node) a row names, by code or title; an unknown one is the row's error.
fn plan_node_of(r: &mut RowReader<'_>, ctx: &Context<'_>, row: &Row) -> Option<String> {
    let t = r.text(row, "plan", false)?;
    let found = ctx.plan_nodes.iter().find(|n| n.code == t || n.title == t).map(|n| n.code.clone());
    if found.is_none() {
        r.error(row, "plan", "所属工作（计划层级）不存在（按编码或名称查找）");
    }
    found
}

fn tasks(r: &mut RowReader<'_>, ctx: &Context<'_>, seen: &mut HashMap<String, u32>) -> Vec<KeyTask> {
    let mut out = Vec::new();
    let table = r.table;
    for row in &table.rows {
        let code = r.text(row, "code", true);
        let name = r.text(row, "name", true);
        let lead = r.unit(ctx, row, "lead", true);
        let deadline = r.date(row, "deadline");
        let mut cooperating = Vec::new();
        for name in cells::list(r.raw(row, "cooperating")) {
            match ctx.units.find(&name) {
                Some(u) => cooperating.push(u.code.to_string()),
                None => r.error(row, "cooperating", format!("配合单位“{name}”不存在")),
            }
        }
        let plan_node = plan_node_of(r, ctx, row);
        if let Some(c) = &code {
            r.duplicate(seen, c.clone(), row, "code");
        }
        let (Some(code), Some(name), Some(lead)) = (code, name, lead) else { continue };
        out.push(KeyTask {
            status: ctx.task_status.get(&code).copied().unwrap_or(TaskStatus::InProgress),
            year: deadline.map_or(ctx.default_year, |d| d.year),
            code,
            name,
            plan_node,
            lead_unit: lead,
            cooperating_units: cooperating,
            lead_leader: r.text(row, "leader", false).unwrap_or_default(),
            deadline,
            target: r.text(row, "target", false).unwrap_or_default(),
            sample: false,
        });
    }
    out
}

/// The columns of a node-plan workbook (`import nodes`): one row per project and node.
pub const NODE_FIELDS: &[Field] = &[
    Field { key: "code", header: "项目编码", aliases: &["项目代码", "编码"], required: true },
    Field { key: "node", header: "节点", aliases: &["节点名称", "进度节点"], required: true },
    Field {
        key: "planned", header: "计划完成日期", aliases: &["计划完成时间", "计划日期"], required: false
    },
    Field {
        key: "actual", header: "实际完成日期", aliases: &["实际完成时间", "完成日期"], required: false
    },
    Field { key: "note", header: "说明", aliases: &["备注"], required: false },
];

/// A node-plan workbook's rows, each with where it came from ("节点!R5 节点"), for the app to
/// check against the configured nodes and each project's 立项; or every cell that is wrong.
pub fn node_rows(
    bytes: &[u8],
    file: &str,
    sheet: Option<&str>,
) -> Result<Vec<(String, taizhang_core::mechanism::NodePlan)>, crate::ImportError> {
    let table = crate::sheet::read_table(bytes, file, sheet, NODE_FIELDS)?;
    let mut r = RowReader { table: &table, errors: CellErrors::default() };
    let mut out = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in &table.rows {
        let code = r.text(row, "code", true);
        let node = r.text(row, "node", true);
        let (planned, actual) = (r.date(row, "planned"), r.date(row, "actual"));
        let note = r.text(row, "note", false).unwrap_or_default();
        let (Some(code), Some(node)) = (code, node) else { continue };
        r.duplicate(&mut seen, format!("{code}|{node}"), row, "node");
        let at = table.at(row, "node");
        let place = format!("{}!R{} {}", at.sheet, at.row, at.header);
        out.push((place, taizhang_core::mechanism::NodePlan { project: code, node, planned, actual, note }));
    }
    if r.errors.is_empty() { Ok(out) } else { Err(crate::ImportError::Cells(r.errors)) }
}
