//! The monthly 调度通报 (briefing) of a district: key-project investment this month and
//! year-to-date against the annual plan and 序时进度, by category and by responsible unit;
//! new starts; red and yellow lists with reasons; open problems and overdue 督办; late
//! reporters; the league table. Composed from figures the store gathers.

use rust_decimal::Decimal;

use crate::lights::{Light, lag_words_with, span};
use crate::period::Period;
use crate::project::{Date, completion_pct, lag_pp};
use crate::quantity::format_number;
use crate::report::{Chart, DocSection, Document, Table, TableCell, money_wan};

/// Totals of a group of projects with a plan in the year.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Totals {
    pub label: String,
    pub projects: u64,
    pub planned_wan: Decimal,
    pub month_wan: Decimal,
    pub ytd_wan: Decimal,
    /// Projects that did not report the period's month: their 累计 is their last one (未报).
    pub carried: u64,
    /// Projects started by the period's end (a start date, money spent, or 续建/竣工).
    pub started: u64,
    /// Projects finished (实际竣工) by the period's end.
    pub finished: u64,
    /// Projects whose 累计 is at or above 序时进度 of their year plan.
    pub on_pace: u64,
}

impl Totals {
    /// Adds another group's figures (the label stays).
    pub fn add(&mut self, other: &Totals) {
        self.projects += other.projects;
        self.planned_wan += other.planned_wan;
        self.month_wan += other.month_wan;
        self.ytd_wan += other.ytd_wan;
        self.carried += other.carried;
        self.started += other.started;
        self.finished += other.finished;
        self.on_pace += other.on_pace;
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LitItem {
    pub light: Light,
    pub kind: String,
    pub name: String,
    pub unit: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenProblem {
    pub project: String,
    pub description: String,
    pub level: String,
    pub deadline: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateOrder {
    pub title: String,
    pub unit: String,
    pub deadline: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BriefingInput {
    pub unit_name: String,
    /// 全区, 全市 …
    pub whole: String,
    pub period: Period,
    pub issued_by: String,
    pub issued_on: Date,
    pub all: Totals,
    /// Projects flagged 亿元以上, when there are any.
    pub over_100m: Option<Totals>,
    /// The flagships (出彩项目, 双十), when there are any.
    pub flagship: Option<Totals>,
    pub by_category: Vec<Totals>,
    pub by_unit: Vec<Totals>,
    /// By 建设性质 (新开工, 续建, 竣工, 前期), with starts and finishes.
    pub by_nature: Vec<Totals>,
    /// All projects at the same month of last year, when last year is stored.
    pub last_year: Option<Totals>,
    /// The word for the pace of the year: 序时进度, 时间进度 or 均衡进度.
    pub pace_word: String,
    /// New-start projects due to start by the period's end, and how many did.
    pub starts_due: u64,
    pub started: u64,
    pub not_started: Vec<String>,
    pub lit: Vec<LitItem>,
    pub problems: Vec<OpenProblem>,
    pub late_orders: Vec<LateOrder>,
    pub coverage: Coverage,
}

/// Who reported the period, as its round shows. Without a round no claim is made: a
/// briefing says "均按时报送" only when a round proves it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Coverage {
    #[default]
    NoRound,
    /// Not yet due, and not everyone has reported: 填报中.
    Open { reported: usize, owing: usize },
    /// Due (or everyone reported): who has not reported, and who reported after the due date.
    Due { missing: Vec<String>, late: Vec<String> },
}

impl Coverage {
    /// The units still owing, past the due date.
    pub fn missing(&self) -> &[String] {
        match self {
            Coverage::Due { missing, .. } => missing,
            _ => &[],
        }
    }

    /// The sentence a briefing prints, or none without a round.
    pub fn sentence(&self) -> Option<String> {
        match self {
            Coverage::NoRound => None,
            Coverage::Open { reported, owing } => Some(format!("本期填报中，已报{reported}/{owing}个单位。")),
            Coverage::Due { missing, late } if missing.is_empty() && late.is_empty() => {
                Some("各责任单位均按时报送。".to_string())
            }
            Coverage::Due { missing, late } => {
                let mut s = String::new();
                if !missing.is_empty() {
                    s.push_str(&format!("逾期未报送的单位（{}个）：{}。", missing.len(), missing.join("、")));
                }
                if !late.is_empty() {
                    s.push_str(&format!("逾期报送的单位（{}个）：{}。", late.len(), late.join("、")));
                }
                Some(s)
            }
        }
    }
}

/// "9月有2个单位5个项目未报，累计数按其最近一次报送数计。" — or none when all reported.
pub fn carried_sentence(all: &Totals, by_unit: &[Totals], period: Period) -> Option<String> {
    (all.carried > 0).then(|| {
        let units = by_unit.iter().filter(|t| t.carried > 0).count();
        let units = if units > 0 { format!("{units}个单位") } else { String::new() };
        format!("{}月有{units}{}个项目未报，累计数按其最近一次报送数计。", period.month_of_year(), all.carried)
    })
}

/// A unit's or group's label, marked when some of its projects did not report.
pub fn label_of(t: &Totals) -> String {
    match t.carried {
        0 => t.label.clone(),
        n if n == t.projects => format!("{}（未报）", t.label),
        n => format!("{}（{n}个项目未报）", t.label),
    }
}

/// The sentence of one group: "1-5月，全区165个亿元以上项目完成投资…亿元，占年度计划的…%，超序时进度…个百分点".
fn group_sentence(t: &Totals, period: Period, lead: &str, pace: &str) -> Option<String> {
    if t.projects == 0 {
        return None;
    }
    let mut s = format!("{lead}{}个{}完成投资{}", t.projects, t.label, money_wan(t.ytd_wan));
    if let Some(pct) = completion_pct(t.ytd_wan, t.planned_wan) {
        let lag = lag_pp(pct, period.time_progress());
        s.push_str(&format!("，占年度计划的{}%，{}", format_number(pct, 1), lag_words_with(lag, pace)));
    }
    Some(s)
}

/// "高于去年同期1.6个百分点": this year's completion rate against last year's at the same month.
fn against_last_year(now: &Totals, last: &Totals) -> Option<String> {
    let (a, b) = (completion_pct(now.ytd_wan, now.planned_wan)?, completion_pct(last.ytd_wan, last.planned_wan)?);
    let gap = (a - b).round_dp(1);
    Some(if gap.is_zero() {
        "与去年同期持平".to_string()
    } else if gap.is_sign_positive() {
        format!("高于去年同期{}个百分点", format_number(gap, 1))
    } else {
        format!("低于去年同期{}个百分点", format_number(-gap, 1))
    })
}

/// A share in percent with one decimal, or none of nothing.
fn share(part: u64, whole: u64) -> Option<Decimal> {
    (whole > 0).then(|| (Decimal::from(part) * Decimal::from(100) / Decimal::from(whole)).round_dp(1))
}

/// The 建设性质 table: each kind's projects, plan, 累计 and rate, with starts and finishes.
fn nature_table(rows: &[Totals]) -> Table {
    let headers = [
        "建设性质",
        "项目数",
        "年度计划(万元)",
        "年初至报告期累计(万元)",
        "完成率%",
        "已开工",
        "开工率%",
        "已竣工",
        "竣工率%",
    ];
    let rows = rows
        .iter()
        .map(|t| {
            let pct = |x: Option<Decimal>| x.map_or(TableCell::Empty, |p| TableCell::Number(p, 1));
            vec![
                TableCell::Text(t.label.clone()),
                TableCell::Number(Decimal::from(t.projects), 0),
                TableCell::Number(t.planned_wan, 2),
                TableCell::Number(t.ytd_wan, 2),
                pct(completion_pct(t.ytd_wan, t.planned_wan)),
                TableCell::Number(Decimal::from(t.started), 0),
                pct(share(t.started, t.projects)),
                TableCell::Number(Decimal::from(t.finished), 0),
                pct(share(t.finished, t.projects)),
            ]
        })
        .collect();
    Table { caption: "分建设性质完成情况".into(), headers: headers.map(String::from).to_vec(), rows }
}

fn table_of(caption: &str, first: &str, rows: &[Totals], period: Period, pace: &str) -> Table {
    let against = format!("较{pace}(百分点)");
    let headers =
        [first, "项目数", "年度计划(万元)", "当月完成(万元)", "年初至报告期累计(万元)", "占年计划%", against.as_str()];
    let rows = rows
        .iter()
        .map(|t| {
            let pct = completion_pct(t.ytd_wan, t.planned_wan);
            vec![
                TableCell::Text(label_of(t)),
                TableCell::Number(Decimal::from(t.projects), 0),
                TableCell::Number(t.planned_wan, 2),
                TableCell::Number(t.month_wan, 2),
                TableCell::Number(t.ytd_wan, 2),
                pct.map_or(TableCell::Empty, |p| TableCell::Number(p, 1)),
                pct.map_or(TableCell::Empty, |p| TableCell::Number(lag_pp(p, period.time_progress()), 1)),
            ]
        })
        .collect();
    Table { caption: caption.to_string(), headers: headers.iter().map(|h| h.to_string()).collect(), rows }
}

fn lit_list(items: &[&LitItem]) -> Vec<String> {
    items
        .iter()
        .enumerate()
        .map(|(i, w)| format!("{}. {}（{}，{}）：{}", i + 1, w.name, w.kind, w.unit, w.reason))
        .collect()
}

pub fn briefing(input: &BriefingInput) -> Document {
    let p = input.period;
    let mut sections = Vec::new();

    let mut overview = Vec::new();
    let pace = input.pace_word.as_str();
    let mut sentences: Vec<String> = Vec::new();
    if let Some(mut s) = group_sentence(&input.all, p, &input.whole, pace) {
        if let Some(words) = input.last_year.as_ref().and_then(|last| against_last_year(&input.all, last)) {
            s.push_str(&format!("，完成率{words}"));
        }
        sentences.push(format!("{}，{s}", span(p)));
    }
    // "其中…" only says something when the flagged projects are not all of them.
    let subset = input.over_100m.as_ref().filter(|t| t.projects < input.all.projects);
    if let Some(s) = subset.and_then(|t| group_sentence(t, p, "其中", pace)) {
        sentences.push(s);
    }
    let lead = if subset.is_some() { "" } else { "其中" };
    if let Some(s) = input.flagship.as_ref().and_then(|t| group_sentence(t, p, lead, pace)) {
        sentences.push(s);
    }
    if !sentences.is_empty() {
        overview.push(format!("{}。", sentences.join("；")));
    }
    if input.all.projects > 0 {
        overview.push(format!("{}月当月完成投资{}。", p.month_of_year(), money_wan(input.all.month_wan)));
    }
    if let Some(pct) = share(input.all.on_pace, input.all.projects) {
        overview.push(format!("达到或超过{pace}的项目{}个，占{}%。", input.all.on_pace, format_number(pct, 1)));
    }
    if let Some(s) = carried_sentence(&input.all, &input.by_unit, p) {
        overview.push(s);
    }
    if input.starts_due > 0 {
        let mut s =
            format!("截至{}月底，计划新开工项目{}个，已开工{}个", p.month_of_year(), input.starts_due, input.started);
        let missing = input.starts_due.saturating_sub(input.started);
        if missing > 0 {
            s.push_str(&format!("，尚有{missing}个未开工"));
            if !input.not_started.is_empty() {
                let more = if (input.not_started.len() as u64) < missing { "等" } else { "" };
                s.push_str(&format!("（{}{more}）", input.not_started.join("、")));
            }
        }
        overview.push(format!("{s}。"));
    }
    if !overview.is_empty() {
        let mut section = DocSection::new("总体情况", overview);
        if !input.by_nature.is_empty() {
            let words: Vec<String> = input
                .by_nature
                .iter()
                .map(|t| {
                    let mut w = format!("{}项目{}个", t.label, t.projects);
                    if let Some(pct) = completion_pct(t.ytd_wan, t.planned_wan) {
                        w.push_str(&format!("，完成年度计划的{}%", format_number(pct, 1)));
                    }
                    if t.label == "新开工" {
                        w.push_str(&format!("，已开工{}个", t.started));
                        if let Some(r) = share(t.started, t.projects) {
                            w.push_str(&format!("，开工率{}%", format_number(r, 1)));
                        }
                    }
                    if t.finished > 0 {
                        w.push_str(&format!("，已竣工{}个", t.finished));
                    }
                    w
                })
                .collect();
            section.paragraphs.push(format!("分建设性质看，{}。", words.join("；")));
            section.tables.push(nature_table(&input.by_nature));
        }
        let overall = completion_pct(input.all.ytd_wan, input.all.planned_wan);
        let mut categories = table_of("分类别完成情况", "项目类别", &input.by_category, p, pace);
        // Each category against the whole: 高于总体进度9.8个百分点.
        categories.headers.push("较总体进度(百分点)".into());
        for (row, t) in categories.rows.iter_mut().zip(&input.by_category) {
            row.push(match (completion_pct(t.ytd_wan, t.planned_wan), overall) {
                (Some(c), Some(o)) => TableCell::Number((c - o).round_dp(1), 1),
                _ => TableCell::Empty,
            });
        }
        section.tables.push(categories);
        section.charts.push(Chart {
            title: format!("{}分类别完成投资与年度计划", span(p)),
            unit: "万元".into(),
            labels: input.by_category.iter().map(|t| t.label.clone()).collect(),
            series: vec![
                ("年度计划".into(), input.by_category.iter().map(|t| t.planned_wan).collect()),
                ("年初至报告期累计".into(), input.by_category.iter().map(|t| t.ytd_wan).collect()),
            ],
        });
        sections.push(section);
    }

    if !input.by_unit.is_empty() {
        let mut ranked = input.by_unit.clone();
        ranked.sort_by(|a, b| {
            let pa = completion_pct(a.ytd_wan, a.planned_wan).unwrap_or_default();
            let pb = completion_pct(b.ytd_wan, b.planned_wan).unwrap_or_default();
            pb.cmp(&pa).then(a.label.cmp(&b.label))
        });
        let k = (ranked.len() / 2).min(3);
        let mut paragraphs = Vec::new();
        if k > 0 {
            let best: Vec<&str> = ranked.iter().take(k).map(|t| t.label.as_str()).collect();
            let worst: Vec<&str> = ranked.iter().rev().take(k).map(|t| t.label.as_str()).collect();
            paragraphs.push(format!(
                "按完成年度计划比例排名，责任单位中最高的是{}，最低的是{}。",
                best.join("、"),
                worst.join("、")
            ));
        }
        paragraphs.extend(input.coverage.sentence());
        let mut section = DocSection::new("责任单位排名", paragraphs);
        let mut table = table_of("责任单位完成情况排名", "责任单位", &ranked, p, pace);
        table.headers.insert(0, "名次".into());
        for (i, row) in table.rows.iter_mut().enumerate() {
            row.insert(0, TableCell::Number(Decimal::from(i as u64 + 1), 0));
        }
        section.tables.push(table);
        sections.push(section);
    }

    for (light, heading) in [(Light::Red, "红灯项目"), (Light::Yellow, "黄灯项目")] {
        let items: Vec<&LitItem> = input.lit.iter().filter(|w| w.light == light).collect();
        if !items.is_empty() {
            let mut paragraphs = vec![format!("共{}个{}：", items.len(), light.label_zh())];
            paragraphs.extend(lit_list(&items));
            sections.push(DocSection::new(format!("{heading}（{}个）", items.len()), paragraphs));
        }
    }

    let mut pending = Vec::new();
    if !input.problems.is_empty() {
        pending.push(format!("待解决问题{}个：", input.problems.len()));
        for (i, q) in input.problems.iter().enumerate() {
            let deadline = q.deadline.map(|d| format!("，时限{d}")).unwrap_or_default();
            pending.push(format!("{}. {}：{}（{}督办{deadline}）", i + 1, q.project, q.description, q.level));
        }
    }
    if !input.late_orders.is_empty() {
        pending.push(format!("超期未办结督办事项{}件：", input.late_orders.len()));
        for (i, o) in input.late_orders.iter().enumerate() {
            pending.push(format!("{}. {}（{}，时限{}）", i + 1, o.title, o.unit, o.deadline));
        }
    }
    if !pending.is_empty() {
        sections.push(DocSection::new("问题与督办", pending));
    }

    Document {
        title: format!("{}重点项目建设调度通报（{}）", input.unit_name, p.label_zh(true)),
        subtitle: None,
        sections,
        signature: Some((input.issued_by.clone(), input.issued_on)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::d;

    fn totals(label: &str, n: u64, plan: &str, month: &str, ytd: &str) -> Totals {
        Totals {
            label: label.into(),
            projects: n,
            planned_wan: d(plan),
            month_wan: d(month),
            ytd_wan: d(ytd),
            ..Totals::default()
        }
    }

    #[test]
    fn the_opening_sentence_reads_as_a_briefing_writes_it() {
        let input = BriefingInput {
            unit_name: "二七区".into(),
            whole: "全区".into(),
            period: Period::Month(2018, 6),
            issued_by: "二七区发展和改革委员会".into(),
            issued_on: Date::new(2018, 7, 5).unwrap(),
            all: totals("重点项目", 200, "3000000", "300000", "1600000"),
            over_100m: Some(totals("亿元以上项目", 165, "2800000", "280000", "1500000")),
            flagship: None,
            by_category: vec![totals("产业发展", 100, "1500000", "150000", "800000")],
            by_unit: vec![
                totals("区住建局", 9, "100000", "10000", "60000"),
                totals("马寨镇", 5, "100000", "1000", "10000"),
            ],
            by_nature: vec![],
            last_year: None,
            pace_word: "序时进度".into(),
            starts_due: 10,
            started: 8,
            not_started: vec!["甲项目".into()],
            lit: vec![],
            problems: vec![],
            late_orders: vec![],
            coverage: Coverage::Due { missing: vec!["马寨镇".into()], late: vec![] },
        };
        let doc = briefing(&input);
        let text = doc.text();
        assert!(
            text.contains("1-6月，全区200个重点项目完成投资160亿元，占年度计划的53.3%，超序时进度3.3个百分点；其中165个亿元以上项目完成投资150亿元，占年度计划的53.6%，超序时进度3.6个百分点。"),
            "{text}"
        );
        assert!(text.contains("6月当月完成投资30亿元。"), "{text}");
        assert!(text.contains("计划新开工项目10个，已开工8个，尚有2个未开工（甲项目等）"), "{text}");
        assert!(text.contains("责任单位中最高的是区住建局，最低的是马寨镇。"), "{text}");
        assert!(text.contains("逾期未报送的单位（1个）：马寨镇。"), "{text}");
        assert_eq!(doc.title, "二七区重点项目建设调度通报（2018年1-6月）");
    }
}
