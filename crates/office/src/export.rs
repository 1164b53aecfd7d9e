//! Writing workbooks: each kind with the headers its import reads (so an export re-imports
//! unchanged), empty templates, and the monthly project ledger as offices print it.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use taizhang_core::batch::Batch;
use taizhang_core::indicator::Catalogue;
use taizhang_core::org::OrgTree;
use taizhang_core::period::Period;
use taizhang_core::project::{MonthlyProgress, Project, completion_pct};

use crate::Kind;

/// A cell to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(Decimal),
    Empty,
}

fn text(s: impl Into<String>) -> Cell {
    let s = s.into();
    if s.is_empty() { Cell::Empty } else { Cell::Text(s) }
}

fn number(d: Option<Decimal>) -> Cell {
    d.map_or(Cell::Empty, |d| Cell::Number(d.normalize()))
}

/// Names of units and indicators for the cells people read.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    pub units: &'a OrgTree,
    pub catalogue: &'a Catalogue,
}

impl Names<'_> {
    fn unit(&self, code: &str) -> String {
        self.units.get(code).map_or_else(|| code.to_string(), |u| u.name.clone())
    }

    /// An indicator's name, a figure (base unit) in the indicator's own unit, and that unit:
    /// the 指标, 数值/目标值 and 计量单位 cells.
    fn figure(&self, indicator: &str, base: Option<Decimal>) -> (Cell, Cell, Cell) {
        let ind = self.catalogue.find(indicator);
        let unit = ind.map(|i| i.unit.clone());
        (
            text(ind.map_or_else(|| indicator.to_string(), |i| i.name.clone())),
            number(base.map(|x| unit.as_ref().map_or(x, |u| x / u.factor()))),
            text(unit.map(|u| u.to_string()).unwrap_or_default()),
        )
    }
}

fn headers(kind: Kind) -> Vec<&'static str> {
    // A progress export is the ledger's rows; the name and 版本 belong to a unit's sheet.
    let sheet_only = |key: &str| kind == Kind::Progress && UNIT_SHEET_ONLY.contains(&key);
    kind.fields().iter().filter(|f| !sheet_only(f.key)).map(|f| f.header).collect()
}

const UNIT_SHEET_ONLY: [&str; 3] = ["name", "version", "explanation"];

/// The columns of a unit's progress sheet, in the order a reporter fills them.
const UNIT_SHEET_KEYS: [&str; 10] =
    ["code", "name", "period", "month", "ytd", "since_start", "image", "problems", "explanation", "version"];

/// One project a unit owes in a round, with its draft as it stands (blank figures and
/// version 0 when there is none yet).
#[derive(Debug, Clone)]
pub struct UnitSheetLine {
    pub code: String,
    pub name: String,
    pub period: Period,
    pub month_wan: Option<Decimal>,
    pub ytd_wan: Option<Decimal>,
    pub since_start_wan: Option<Decimal>,
    pub image_progress: String,
    pub problems: String,
    /// The draft's 说明 of a rule its figures fail, when the unit gave one.
    pub explanation: String,
    pub version: i64,
}

/// A unit's progress sheet for one round, to be filled in and uploaded again as it is: its
/// 版本 column lets the upload refuse a draft changed since.
pub fn unit_progress_sheet(lines: &[UnitSheetLine]) -> Result<Vec<u8>, XlsxError> {
    let fields = Kind::Progress.fields();
    let headers: Vec<&str> =
        UNIT_SHEET_KEYS.iter().filter_map(|key| fields.iter().find(|f| f.key == *key).map(|f| f.header)).collect();
    let rows: Vec<Vec<Cell>> = lines
        .iter()
        .map(|l| {
            vec![
                text(&l.code),
                text(&l.name),
                text(l.period.key()),
                number(l.month_wan),
                number(l.ytd_wan),
                number(l.since_start_wan),
                text(&l.image_progress),
                text(&l.problems),
                text(&l.explanation),
                Cell::Number(Decimal::from(l.version)),
            ]
        })
        .collect();
    sheet(Kind::Progress.sheet_name(), &headers, &rows)
}

/// The rows of a batch under its kind's headers.
pub fn rows(batch: &Batch, names: Names<'_>) -> (Kind, Vec<Vec<Cell>>) {
    match batch {
        Batch::Units(units) => (
            Kind::Units,
            units
                .iter()
                .map(|u| {
                    vec![
                        text(&u.code),
                        text(&u.name),
                        text(u.parent.clone().unwrap_or_default()),
                        text(u.kind.label_zh()),
                    ]
                })
                .collect(),
        ),
        Batch::Values(values) => (
            Kind::Indicators,
            values
                .iter()
                .map(|v| {
                    let (name, level, measure) = names.figure(&v.indicator, v.value);
                    vec![
                        name,
                        text(names.unit(&v.unit)),
                        text(v.period.key()),
                        level,
                        measure,
                        number(v.reported_growth),
                        text(v.note.clone().unwrap_or_default()),
                        text(v.vintage.map_or("", |x| x.label_zh())),
                        text(v.source.clone().unwrap_or_default()),
                        text(v.caliber.map_or("", |x| x.label_zh())),
                        text(v.price_basis.map_or("", |x| x.label_zh())),
                    ]
                })
                .collect(),
        ),
        Batch::Targets(targets) => (
            Kind::Targets,
            targets
                .iter()
                .map(|t| {
                    let (name, level, measure) = names.figure(&t.indicator, t.level);
                    vec![
                        name,
                        text(names.unit(&t.unit)),
                        Cell::Number(Decimal::from(t.year)),
                        level,
                        measure,
                        number(t.growth),
                        text(t.bound.map_or("", |b| b.label_zh())),
                        text(t.text.clone().unwrap_or_default()),
                    ]
                })
                .collect(),
        ),
        Batch::Projects(records) => (
            Kind::Projects,
            records
                .iter()
                .flat_map(|r| {
                    let plans: Vec<Option<&taizhang_core::project::YearPlan>> =
                        if r.plans.is_empty() { vec![None] } else { r.plans.iter().map(Some).collect() };
                    plans.into_iter().map(move |plan| project_row(&r.project, plan, names))
                })
                .collect(),
        ),
        Batch::Progress(progress) => (
            Kind::Progress,
            progress
                .iter()
                .map(|p| {
                    vec![
                        text(&p.project),
                        text(p.period.key()),
                        number(p.month_wan),
                        number(Some(p.ytd_wan)),
                        number(p.since_start_wan),
                        text(&p.image_progress),
                        text(&p.problems),
                    ]
                })
                .collect(),
        ),
        Batch::Tasks(tasks) => (
            Kind::Tasks,
            tasks
                .iter()
                .map(|t| {
                    vec![
                        text(&t.code),
                        text(&t.name),
                        text(t.plan_node.clone().unwrap_or_default()),
                        text(names.unit(&t.lead_unit)),
                        text(t.cooperating_units.iter().map(|c| names.unit(c)).collect::<Vec<_>>().join("、")),
                        text(&t.lead_leader),
                        text(t.deadline.map(|d| d.to_string()).unwrap_or_default()),
                        text(&t.target),
                    ]
                })
                .collect(),
        ),
        Batch::Honours(honours) => (
            Kind::Honours,
            honours
                .iter()
                .map(|h| {
                    use taizhang_core::honour::HonourKind;
                    // The same columns an import reads back: 荣誉 and 位次, or 荣誉 and 事项.
                    let (honour, place, item) = match &h.kind {
                        HonourKind::Rank(n) => (h.item.clone(), format!("第{n}位"), String::new()),
                        HonourKind::Top(n) => (h.item.clone(), format!("前{n}"), String::new()),
                        HonourKind::List(l) | HonourKind::Rating(l) => (l.clone(), String::new(), h.item.clone()),
                    };
                    vec![
                        text(names.unit(&h.unit)),
                        Cell::Number(Decimal::from(h.year)),
                        text(honour),
                        text(&h.scope),
                        text(place),
                        text(item),
                        text(&h.subject),
                    ]
                })
                .collect(),
        ),
        Batch::Indicators(indicators) => (
            Kind::Catalogue,
            indicators
                .iter()
                .map(|i| {
                    vec![
                        text(i.code.as_str()),
                        text(&i.name),
                        text(i.aliases.join("、")),
                        text(i.unit.to_string()),
                        text(i.aggregation.label_zh()),
                        text(i.temporal.label_zh()),
                        text(i.direction.label_zh()),
                        text(&i.phrasing.clause),
                        text(&i.phrasing.section),
                        Cell::Number(Decimal::from(i.decimals)),
                    ]
                })
                .collect(),
        ),
    }
}

fn project_row(p: &Project, plan: Option<&taizhang_core::project::YearPlan>, names: Names<'_>) -> Vec<Cell> {
    let r = &p.responsibility;
    vec![
        text(&p.code),
        text(&p.name),
        text(&p.category),
        text(p.nature.label_zh()),
        text(&p.location),
        text(&p.content),
        number(Some(p.total_investment_wan)),
        plan.map_or(Cell::Empty, |y| Cell::Number(Decimal::from(y.year))),
        number(plan.map(|y| y.planned_wan)),
        text(p.planned_start.map(|d| d.to_string()).unwrap_or_default()),
        text(p.planned_finish.map(|d| d.to_string()).unwrap_or_default()),
        text(p.actual_start.map(|d| d.to_string()).unwrap_or_default()),
        text(p.actual_finish.map(|d| d.to_string()).unwrap_or_default()),
        text(names.unit(&r.unit)),
        text(&r.lead_leader),
        text(&r.person),
        text(&r.contact),
        text(p.flags.join("、")),
        text(p.plan_node.clone().unwrap_or_default()),
    ]
}

/// Whether text would be taken for a formula when someone edits or pastes the cell (= + - @,
/// or a tab or return first): such text is written with Excel's quote prefix, so it stays
/// the text it is, unchanged for a re-import.
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A sheet set up to print as offices print tables: A4 landscape, one page wide, the header
/// rows (`first..=last`) repeated on every page, the title at the top of each page and
/// "第 1 页，共 3 页" at the bottom.
pub(crate) fn print_setup(ws: &mut Worksheet, title: &str, first: u32, last: u32) -> Result<(), XlsxError> {
    ws.set_paper_size(9).set_landscape().set_print_fit_to_pages(1, 0).set_print_center_horizontally(true);
    ws.set_repeat_rows(first, last)?;
    // & starts a code in a header; a title's own & is doubled.
    ws.set_header(format!("&C&14{}", title.replace('&', "&&")));
    ws.set_footer("&C第 &P 页，共 &N 页");
    Ok(())
}

/// An amount format without decimals no figure has: "#,##0", or "#,##0.00" once one has them.
pub(crate) fn money_format<'a>(values: impl Iterator<Item = &'a Decimal>) -> &'static str {
    let decimals = values.map(|v| v.round_dp(2).normalize().scale()).max().unwrap_or(0);
    match decimals {
        0 => "#,##0",
        1 => "#,##0.0",
        _ => "#,##0.00",
    }
}

fn write_cell(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell, fmt: &Format) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(s) if looks_like_formula(s) => {
            ws.write_string_with_format(row, col, s, &fmt.clone().set_quote_prefix())?
        }
        Cell::Text(s) => ws.write_string_with_format(row, col, s, fmt)?,
        // An xlsx holds numbers as doubles: the boundary where exact decimals must convert.
        Cell::Number(d) => ws.write_number_with_format(row, col, d.to_f64().unwrap_or_default(), fmt)?,
        Cell::Empty => ws.write_blank(row, col, fmt)?,
    };
    Ok(())
}

/// A workbook of one kind: the header row (frozen) and the rows; `rows` empty for a template.
pub fn workbook(kind: Kind, rows: &[Vec<Cell>]) -> Result<Vec<u8>, XlsxError> {
    sheet(kind.sheet_name(), &headers(kind), rows)
}

fn sheet(name: &str, headers: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center);
    let body = Format::new();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &head)?;
        // Chinese characters are about two columns wide.
        ws.set_column_width(c as u16, (h.chars().count() as u32 * 2 + 2).max(10))?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if *cell != Cell::Empty {
                write_cell(ws, r as u32 + 1, c as u16, cell, &body)?;
            }
        }
    }
    wb.save_to_buffer()
}

/// One project's line in the monthly ledger.
#[derive(Debug, Clone)]
pub struct LedgerLine {
    pub project: Project,
    pub unit_name: String,
    pub planned_wan: Option<Decimal>,
    /// The project's latest report of the year up to the ledger's month (the as-of rule): a
    /// month it did not report carries this one, marked 未报.
    pub progress: Option<MonthlyProgress>,
}

impl LedgerLine {
    /// The report of the ledger's month itself, when there is one.
    fn of_month(&self, period: Period) -> Option<&MonthlyProgress> {
        self.progress.as_ref().filter(|g| g.period == period)
    }

    /// "（9月未报，按1-8月累计计）" or "（9月未报）" for a month the project did not report.
    fn missing_note(&self, period: Period) -> Option<String> {
        let m = period.month_of_year();
        match &self.progress {
            Some(g) if g.period == period => None,
            Some(g) => Some(format!("（{m}月未报，按{}累计计）", taizhang_core::lights::span(g.period))),
            None => Some(format!("（{m}月未报）")),
        }
    }
}

pub const LEDGER_HEADERS: [&str; 19] = [
    "序号",
    "项目编码",
    "项目名称",
    "项目类别",
    "建设性质",
    "建设地点",
    "建设内容",
    "总投资(万元)",
    "责任单位",
    "分包领导",
    "责任人",
    "年度计划投资(万元)",
    "当月完成投资(万元)",
    "年初至报告期累计(万元)",
    "占年计划%",
    "开工至报告期累计(万元)",
    "占总投资%",
    "形象进度",
    "存在问题",
];

/// The monthly project ledger: a title row, a frozen header, one row per project grouped by
/// category with a 小计 per category and a 合计, number formats and column widths.
pub fn ledger(title: &str, period: Period, lines: &[LedgerLine]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(format!("{}月台账", period.month_of_year()))?;
    let title_fmt = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
    let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center).set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let amounts = lines.iter().flat_map(|l| {
        let g = l.progress.as_ref();
        [
            Some(l.project.total_investment_wan),
            l.planned_wan,
            g.and_then(|g| g.month_wan),
            g.map(|g| g.ytd_wan),
            g.and_then(|g| g.since_start_wan),
        ]
    });
    let amounts: Vec<Decimal> = amounts.flatten().collect();
    let money = Format::new().set_border(FormatBorder::Thin).set_num_format(money_format(amounts.iter()));
    let pct = Format::new().set_border(FormatBorder::Thin).set_num_format("0.00");
    let total_text = cell.clone().set_bold();
    let total_money = money.clone().set_bold();
    ws.merge_range(
        0,
        0,
        0,
        LEDGER_HEADERS.len() as u16 - 1,
        &format!("{title}（{}）", period.label_zh(true)),
        &title_fmt,
    )?;
    let widths = [
        6.0, 14.0, 30.0, 12.0, 10.0, 14.0, 30.0, 14.0, 18.0, 10.0, 10.0, 14.0, 14.0, 16.0, 10.0, 16.0, 10.0, 24.0, 24.0,
    ];
    for (c, h) in LEDGER_HEADERS.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &head)?;
        ws.set_column_width(c as u16, widths[c])?;
    }
    ws.set_freeze_panes(2, 3)?;
    print_setup(ws, &format!("{title}（{}）", period.label_zh(true)), 1, 1)?;

    let mut categories: Vec<&str> = Vec::new();
    for l in lines {
        if !categories.contains(&l.project.category.as_str()) {
            categories.push(&l.project.category);
        }
    }
    let mut row = 2u32;
    let mut serial = 0u32;
    let mut grand = Totals::default();
    for category in categories {
        let mut sub = Totals::default();
        for l in lines.iter().filter(|l| l.project.category == category) {
            serial += 1;
            let p = &l.project;
            let g = l.progress.as_ref();
            let ytd = g.map(|g| g.ytd_wan);
            let since_start = g.and_then(|g| g.since_start_wan);
            let cells = [
                Cell::Number(Decimal::from(serial)),
                text(&p.code),
                text(&p.name),
                text(&p.category),
                text(p.nature.label_zh()),
                text(&p.location),
                text(&p.content),
                number(Some(p.total_investment_wan)),
                text(&l.unit_name),
                text(&p.responsibility.lead_leader),
                text(&p.responsibility.person),
                number(l.planned_wan),
                number(l.of_month(period).and_then(|g| g.month_wan)),
                number(ytd),
                number(ytd.zip(l.planned_wan).and_then(|(y, p)| completion_pct(y, p)).map(|x| x.round_dp(2))),
                number(since_start),
                number(since_start.and_then(|s| completion_pct(s, p.total_investment_wan)).map(|x| x.round_dp(2))),
                text(g.map(|g| g.image_progress.clone()).unwrap_or_default()),
                text(format!(
                    "{}{}",
                    l.missing_note(period).unwrap_or_default(),
                    g.map(|g| g.problems.clone()).unwrap_or_default()
                )),
            ];
            for (c, v) in cells.iter().enumerate() {
                let f = match c {
                    7 | 11 | 12 | 13 | 15 => &money,
                    14 | 16 => &pct,
                    _ => &cell,
                };
                write_cell(ws, row, c as u16, v, f)?;
            }
            sub.add(l, period);
            row += 1;
        }
        sub.write(ws, row, &format!("{category}小计"), &total_text, &total_money)?;
        grand.merge(&sub);
        row += 1;
    }
    grand.write(ws, row, "合计", &total_text, &total_money)?;
    wb.save_to_buffer()
}

#[derive(Debug, Default)]
struct Totals {
    count: u32,
    total: Decimal,
    planned: Decimal,
    month: Decimal,
    ytd: Decimal,
    since_start: Decimal,
}

impl Totals {
    fn add(&mut self, l: &LedgerLine, period: Period) {
        self.count += 1;
        self.total += l.project.total_investment_wan;
        self.planned += l.planned_wan.unwrap_or_default();
        self.month += l.of_month(period).and_then(|g| g.month_wan).unwrap_or_default();
        if let Some(g) = &l.progress {
            self.ytd += g.ytd_wan;
            self.since_start += g.since_start_wan.unwrap_or_default();
        }
    }

    fn merge(&mut self, o: &Totals) {
        self.count += o.count;
        self.total += o.total;
        self.planned += o.planned;
        self.month += o.month;
        self.ytd += o.ytd;
        self.since_start += o.since_start;
    }

    fn write(&self, ws: &mut Worksheet, row: u32, label: &str, t: &Format, m: &Format) -> Result<(), XlsxError> {
        ws.write_string_with_format(row, 1, label, t)?;
        ws.write_string_with_format(row, 2, format!("{}个项目", self.count), t)?;
        for (c, v) in [(7, self.total), (11, self.planned), (12, self.month), (13, self.ytd), (15, self.since_start)] {
            write_cell(ws, row, c, &Cell::Number(v), m)?;
        }
        if let Some(p) = completion_pct(self.ytd, self.planned) {
            write_cell(ws, row, 14, &Cell::Number(p.round_dp(2)), m)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use calamine::{Data, Reader, Xlsx};

    use super::*;

    #[test]
    fn text_that_looks_like_a_formula_stays_text_with_the_quote_prefix() {
        let rows =
            vec![vec![text("=HYPERLINK(\"http://x\")"), text("+1"), text("-"), text("@SUM(A1)"), text("主体施工")]];
        let bytes = workbook(Kind::Units, &rows).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        let range = wb.worksheet_range(Kind::Units.sheet_name()).unwrap();
        // The cells hold the text as typed: a re-import reads it back unchanged.
        assert_eq!(range.get((1, 0)), Some(&Data::String("=HYPERLINK(\"http://x\")".into())));
        assert_eq!(range.get((1, 2)), Some(&Data::String("-".into())));
        let mut styles = String::new();
        zip::ZipArchive::new(Cursor::new(bytes))
            .unwrap()
            .by_name("xl/styles.xml")
            .unwrap()
            .read_to_string(&mut styles)
            .unwrap();
        assert!(styles.contains("quotePrefix=\"1\""), "{styles}");
        assert!(looks_like_formula("=1") && looks_like_formula("\t=1") && !looks_like_formula("主体施工"));
    }
}
