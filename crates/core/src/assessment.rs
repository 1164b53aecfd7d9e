//! 综合考核: weighted scoring schemes over units, as configuration (a TOML file per scheme
//! and period). Each criterion is scored by a method — target met, ratio to target, rank
//! points, manual — plus capped bonuses and deductions, giving a total, a grade and a league
//! table in which every point says how it was derived. Missing data scores 0 with a note,
//! never silently.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::error::DomainError;
use crate::quantity::format_number;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub name: String,
    /// The period assessed (2018, 2018Q2, 2018-06).
    pub period: String,
    /// Units assessed: the units below this one …
    pub units_under: Option<String>,
    /// … of these kinds (district, department, street, town …); or an explicit list.
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub units: Vec<String>,
    #[serde(rename = "criterion")]
    pub criteria: Vec<Criterion>,
    #[serde(default, rename = "adjustment")]
    pub adjustments: Vec<Adjustment>,
    #[serde(default, rename = "grade")]
    pub grades: Vec<Grade>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub key: String,
    pub name: String,
    /// Full points.
    pub weight: Decimal,
    /// Where the measure comes from: `project_completion` (年初至报告期累计 ÷ 年度计划, %),
    /// `task_completion` (% of key tasks done), `indicator:CODE` (% of the level target),
    /// `indicator_growth:CODE` (reported growth, % — against the growth target); none for manual.
    pub source: Option<String>,
    pub method: Method,
    /// The target of `ratio` and `target_met` when the source has none of its own (%).
    pub target: Option<Decimal>,
    /// `ratio`: share of the weight earned exactly at target (%), points per point above
    /// or below it, and the most it may earn (default: the weight).
    pub at_target_pct: Option<Decimal>,
    pub per_pp: Option<Decimal>,
    pub cap: Option<Decimal>,
    /// `rank`: points by place (1st, 2nd, …) …
    #[serde(default)]
    pub table: Vec<Decimal>,
    /// … or the percent of full points lost per place after the first.
    pub step_pct: Option<Decimal>,
    /// `manual`: points by unit code.
    #[serde(default)]
    pub scores: HashMap<String, Decimal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    TargetMet,
    Ratio,
    Rank,
    Manual,
}

/// A bonus or deduction item, with its cap, by unit.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    pub key: String,
    pub name: String,
    pub kind: AdjustmentKind,
    pub cap: Decimal,
    #[serde(default)]
    pub points: HashMap<String, Decimal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    Bonus,
    Deduction,
    /// 一票否决: any entry for a unit takes its grade away, whatever its total.
    Veto,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub name: String,
    /// The lowest total of this grade.
    pub min: Decimal,
}

impl Scheme {
    pub fn from_toml(text: &str) -> Result<Self, DomainError> {
        let scheme: Scheme =
            toml::from_str(text).map_err(|e| DomainError::Invalid(format!("考核方案格式错误：{e}")))?;
        for c in &scheme.criteria {
            let missing = match c.method {
                Method::Manual => None,
                Method::Rank if c.table.is_empty() && c.step_pct.is_none() => Some("rank 需要 table 或 step_pct"),
                Method::Ratio if c.at_target_pct.is_none() || c.per_pp.is_none() => {
                    Some("ratio 需要 at_target_pct 与 per_pp")
                }
                _ if c.source.is_none() => Some("需要 source"),
                _ => None,
            };
            if let Some(source) = &c.source {
                source.parse::<Source>()?;
            }
            if let Some(m) = missing {
                return Err(DomainError::Invalid(format!("考核方案指标“{}”：{m}", c.name)));
            }
        }
        Ok(scheme)
    }

    /// The measures the ledger must supply: (criterion key, source) pairs.
    pub fn sources(&self) -> Result<Vec<(&str, Source)>, DomainError> {
        self.criteria.iter().filter_map(|c| c.source.as_deref().map(|s| Ok((c.key.as_str(), s.parse()?)))).collect()
    }
}

/// Where a criterion's measure comes from in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Year-to-date investment of the unit's projects as a share of their year plan (%).
    ProjectCompletion,
    /// The share of the unit's key tasks done (%).
    TaskCompletion,
    /// An indicator's level: against its level target (%), else in display units.
    Indicator(String),
    /// An indicator's reported growth, against its growth target.
    IndicatorGrowth(String),
    /// 数字城管 of the period's (last) month: the unit's cases — a street's in its cells, a
    /// department's dispatched to it — 按期结案率, 结案率 or 综合指标值 (GB/T 30428.4).
    Cases(CaseMeasure),
}

/// Which 数字城管 figure a criterion measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseMeasure {
    OnTimeRate,
    ClosingRate,
    Index,
}

impl std::str::FromStr for Source {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().split_once(':') {
            None if s.trim() == "project_completion" => Ok(Source::ProjectCompletion),
            None if s.trim() == "task_completion" => Ok(Source::TaskCompletion),
            None if s.trim() == "case_on_time_rate" => Ok(Source::Cases(CaseMeasure::OnTimeRate)),
            None if s.trim() == "case_closing_rate" => Ok(Source::Cases(CaseMeasure::ClosingRate)),
            None if s.trim() == "case_index" => Ok(Source::Cases(CaseMeasure::Index)),
            Some(("indicator", code)) if !code.trim().is_empty() => Ok(Source::Indicator(code.trim().into())),
            Some(("indicator_growth", code)) if !code.trim().is_empty() => {
                Ok(Source::IndicatorGrowth(code.trim().into()))
            }
            _ => Err(DomainError::Invalid(format!(
                "考核指标来源“{s}”无法识别：应为 project_completion、task_completion、indicator:代码、indicator_growth:代码、case_on_time_rate、case_closing_rate 或 case_index"
            ))),
        }
    }
}

/// A unit's measure for a criterion, and its own target when the source has one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measure {
    pub value: Option<Decimal>,
    pub target: Option<Decimal>,
    /// How the target bounds the value (以上, 左右, 以内).
    pub bound: Option<crate::indicator::Bound>,
    /// The target is in words: the criterion is scored by hand (its `scores`).
    pub worded: bool,
    /// Projects whose month was not reported, counted at their last 累计 (the as-of rule).
    pub carried: u64,
}

/// Points of one criterion for one unit, and how they came about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Points {
    pub criterion: String,
    pub points: Decimal,
    pub derivation: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub unit: String,
    pub name: String,
    pub place: usize,
    pub points: Vec<Points>,
    pub bonus: Decimal,
    pub deduction: Decimal,
    pub total: Decimal,
    pub grade: Option<String>,
    /// The 一票否决 items a unit fell under (its grade is none).
    pub vetoed: Vec<String>,
}

fn n(d: Decimal) -> String {
    format_number(d, 2)
}

fn clamp(points: Decimal, cap: Decimal) -> Decimal {
    points.max(Decimal::ZERO).min(cap)
}

/// Places by value, best first; equal values share the better place (1, 1, 3).
fn places(values: &[(String, Decimal)]) -> HashMap<String, usize> {
    let mut sorted: Vec<&(String, Decimal)> = values.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = HashMap::new();
    let mut place = 0;
    let mut previous: Option<Decimal> = None;
    for (i, (unit, value)) in sorted.iter().enumerate() {
        if previous != Some(*value) {
            place = i + 1;
            previous = Some(*value);
        }
        out.insert(unit.clone(), place);
    }
    out
}

fn rank_points(c: &Criterion, place: usize) -> Decimal {
    if !c.table.is_empty() {
        return c.table.get(place - 1).copied().unwrap_or(Decimal::ZERO);
    }
    let step = c.step_pct.unwrap_or_default() / Decimal::ONE_HUNDRED;
    clamp(c.weight * (Decimal::ONE - step * Decimal::from(place as u64 - 1)), c.weight)
}

/// Scores every unit ((code, name), in the scheme's order) on every criterion.
/// `measures` holds what the ledger gave, by (criterion key, unit code).
pub fn score(
    scheme: &Scheme,
    units: &[(String, String)],
    measures: &HashMap<(String, String), Measure>,
) -> Vec<Standing> {
    let mut standings: Vec<Standing> = units
        .iter()
        .map(|(code, name)| Standing {
            unit: code.clone(),
            name: name.clone(),
            place: 0,
            points: vec![],
            bonus: Decimal::ZERO,
            deduction: Decimal::ZERO,
            total: Decimal::ZERO,
            grade: None,
            vetoed: vec![],
        })
        .collect();
    for c in &scheme.criteria {
        let measure = |unit: &str| measures.get(&(c.key.clone(), unit.to_string())).copied().unwrap_or_default();
        let ranked: HashMap<String, usize> = if c.method == Method::Rank {
            let values: Vec<(String, Decimal)> =
                units.iter().filter_map(|(u, _)| measure(u).value.map(|v| (u.clone(), v))).collect();
            places(&values)
        } else {
            HashMap::new()
        };
        for s in &mut standings {
            let m = measure(&s.unit);
            let target = m.target.or(c.target);
            let bound = m.bound.map_or("", |b| b.label_zh());
            let (points, derivation) = match (c.method, m.value) {
                (Method::Manual, _) => match c.scores.get(&s.unit) {
                    Some(p) => (clamp(*p, c.weight), format!("评分{}分", n(*p))),
                    None => (Decimal::ZERO, "未评分，计0分".to_string()),
                },
                // A target in words is judged by people, whatever the method.
                _ if m.worded => match c.scores.get(&s.unit) {
                    Some(p) => (clamp(*p, c.weight), format!("文字目标，人工评分{}分", n(*p))),
                    None => (Decimal::ZERO, "文字目标，待人工评分，计0分".to_string()),
                },
                (_, None) => (Decimal::ZERO, "缺少数据，计0分".to_string()),
                (Method::TargetMet, Some(v)) => match target {
                    None => (Decimal::ZERO, format!("实际{}，未下达目标，计0分", n(v))),
                    Some(t) if crate::indicator::Bound::met(m.bound, v, t) => {
                        (c.weight, format!("实际{}，达到目标{}{bound}，得满分", n(v), n(t)))
                    }
                    Some(t) => (Decimal::ZERO, format!("实际{}，未达目标{}{bound}，计0分", n(v), n(t))),
                },
                (Method::Ratio, Some(v)) => match target {
                    None => (Decimal::ZERO, format!("实际{}，未下达目标，计0分", n(v))),
                    Some(t) => {
                        let base = c.weight * c.at_target_pct.unwrap_or_default() / Decimal::ONE_HUNDRED;
                        // Under a ceiling (以内) every point below the target counts for the unit.
                        let diff = if m.bound == Some(crate::indicator::Bound::AtMost) { t - v } else { v - t };
                        let per = c.per_pp.unwrap_or_default();
                        let cap = c.cap.unwrap_or(c.weight);
                        let raw = base + diff * per;
                        let p = clamp(raw, cap);
                        let capped = if p == raw { String::new() } else { format!("，按上限{}分", n(cap)) };
                        (
                            p,
                            format!(
                                "实际{}，目标{}，差{}个百分点：{} + ({}) × {} = {}{capped}",
                                n(v),
                                n(t),
                                n(diff),
                                n(base),
                                n(diff),
                                n(per),
                                n(raw)
                            ),
                        )
                    }
                },
                (Method::Rank, Some(v)) => {
                    let place = ranked.get(&s.unit).copied().unwrap_or(0);
                    let p = rank_points(c, place);
                    (p, format!("实际{}，排名第{place}，得{}分", n(v), n(p)))
                }
            };
            let derivation = match m.carried {
                0 => derivation,
                n => format!("{derivation}（其中{n}个项目本月未报，按最近一次报送数计）"),
            };
            s.points.push(Points { criterion: c.key.clone(), points, derivation });
        }
    }
    for a in &scheme.adjustments {
        for s in &mut standings {
            let raw = a.points.get(&s.unit).copied().unwrap_or_default();
            match a.kind {
                // Each item within its own cap (a later item's cap never clips an earlier one's).
                AdjustmentKind::Bonus => s.bonus += raw.min(a.cap),
                AdjustmentKind::Deduction => s.deduction += raw.min(a.cap),
                AdjustmentKind::Veto if a.points.contains_key(&s.unit) => s.vetoed.push(a.name.clone()),
                AdjustmentKind::Veto => {}
            }
        }
    }
    let mut grades = scheme.grades.clone();
    grades.sort_by_key(|g| std::cmp::Reverse(g.min));
    for s in &mut standings {
        s.total = s.points.iter().map(|p| p.points).sum::<Decimal>() + s.bonus - s.deduction;
        s.grade = match s.vetoed.is_empty() {
            true => grades.iter().find(|g| s.total >= g.min).map(|g| g.name.clone()),
            false => None,
        };
    }
    let totals: Vec<(String, Decimal)> = standings.iter().map(|s| (s.unit.clone(), s.total)).collect();
    let placed = places(&totals);
    for s in &mut standings {
        s.place = placed.get(&s.unit).copied().unwrap_or(0);
    }
    standings.sort_by(|a, b| a.place.cmp(&b.place).then(a.unit.cmp(&b.unit)));
    standings
}

/// The league table as a document: one row per unit with each criterion's points, and a
/// second table saying how every point was derived.
pub fn document(scheme: &Scheme, standings: &[Standing]) -> crate::report::Document {
    use crate::report::{DocSection, Document, Table, TableCell};
    let mut headers = vec!["名次".to_string(), "单位".to_string()];
    headers.extend(scheme.criteria.iter().map(|c| format!("{}（{}分）", c.name, n(c.weight))));
    headers.extend(["加分".to_string(), "扣分".to_string(), "总分".to_string(), "等次".to_string()]);
    let rows = standings
        .iter()
        .map(|s| {
            let mut row = vec![TableCell::Number(Decimal::from(s.place as u64), 0), TableCell::Text(s.name.clone())];
            row.extend(s.points.iter().map(|p| TableCell::Number(p.points, 2)));
            row.push(TableCell::Number(s.bonus, 2));
            row.push(TableCell::Number(s.deduction, 2));
            row.push(TableCell::Number(s.total, 2));
            row.push(TableCell::Text(match s.vetoed.is_empty() {
                true => s.grade.clone().unwrap_or_default(),
                false => format!("一票否决（{}）", s.vetoed.join("、")),
            }));
            row
        })
        .collect();
    let mut league = DocSection::new("考核结果", vec![format!("参加考核单位{}个，按总分排名如下。", standings.len())]);
    league.tables.push(Table { caption: format!("{}得分排名", scheme.name), headers, rows });
    let mut detail = DocSection::new("得分依据", vec![]);
    let names: std::collections::HashMap<&str, &str> =
        scheme.criteria.iter().map(|c| (c.key.as_str(), c.name.as_str())).collect();
    detail.tables.push(Table {
        caption: "各项得分依据".into(),
        headers: vec!["单位".into(), "考核项目".into(), "得分".into(), "依据".into()],
        rows: standings
            .iter()
            .flat_map(|s| {
                s.points.iter().map(|p| {
                    vec![
                        TableCell::Text(s.name.clone()),
                        TableCell::Text(names.get(p.criterion.as_str()).copied().unwrap_or_default().to_string()),
                        TableCell::Number(p.points, 2),
                        TableCell::Text(p.derivation.clone()),
                    ]
                })
            })
            .collect(),
    });
    Document {
        title: scheme.name.clone(),
        subtitle: Some(format!("考核期：{}", scheme.period)),
        sections: vec![league, detail],
        signature: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::d;

    fn units(codes: &[&str]) -> Vec<(String, String)> {
        codes.iter().map(|c| (c.to_string(), format!("{c}单位"))).collect()
    }

    fn measures(key: &str, values: &[(&str, Option<&str>, Option<&str>)]) -> HashMap<(String, String), Measure> {
        values
            .iter()
            .map(|(u, v, t)| {
                ((key.to_string(), u.to_string()), Measure { value: v.map(d), target: t.map(d), ..Measure::default() })
            })
            .collect()
    }

    fn scheme(criteria: &str) -> Scheme {
        Scheme::from_toml(&format!("name = \"考核\"\nperiod = \"2018\"\n{criteria}")).unwrap()
    }

    fn points_of(table: &[Standing], unit: &str) -> (Decimal, String) {
        let s = table.iter().find(|s| s.unit == unit).unwrap();
        (s.points[0].points, s.points[0].derivation.clone())
    }

    #[test]
    fn rank_points_follow_the_published_table_60_57_54() {
        let s = scheme(
            "[[criterion]]\nkey = \"r\"\nname = \"排名\"\nweight = \"60\"\nsource = \"project_completion\"\nmethod = \"rank\"\ntable = [\"60\", \"57\", \"54\"]\n",
        );
        let m = measures(
            "r",
            &[("a", Some("95"), None), ("b", Some("80"), None), ("c", Some("99"), None), ("d", Some("70"), None)],
        );
        let t = score(&s, &units(&["a", "b", "c", "d"]), &m);
        let got: Vec<(&str, Decimal)> = t.iter().map(|s| (s.unit.as_str(), s.total)).collect();
        assert_eq!(got, [("c", d("60")), ("a", d("57")), ("b", d("54")), ("d", d("0"))]);
        assert_eq!(points_of(&t, "a").1, "实际95，排名第2，得57分");
    }

    #[test]
    fn rank_points_lose_five_percent_a_place_and_ties_share_the_better_place() {
        let s = scheme(
            "[[criterion]]\nkey = \"r\"\nname = \"排名\"\nweight = \"20\"\nsource = \"project_completion\"\nmethod = \"rank\"\nstep_pct = \"5\"\n",
        );
        let m = measures(
            "r",
            &[("a", Some("90"), None), ("b", Some("90"), None), ("c", Some("80"), None), ("e", None, None)],
        );
        let t = score(&s, &units(&["a", "b", "c", "e"]), &m);
        assert_eq!(points_of(&t, "a").0, d("20"));
        assert_eq!(points_of(&t, "b").0, d("20"), "a tie shares first place");
        assert_eq!(points_of(&t, "c"), (d("18"), "实际80，排名第3，得18分".to_string()), "third after a tie: −10 %");
        assert_eq!(points_of(&t, "e"), (d("0"), "缺少数据，计0分".to_string()), "missing data is 0 with a note");
        assert_eq!((t[0].place, t[1].place), (1, 1));
    }

    #[test]
    fn ratio_scoring_gives_80_percent_at_target_and_half_a_point_per_point_capped() {
        let s = scheme(
            "[[criterion]]\nkey = \"q\"\nname = \"投资完成率\"\nweight = \"20\"\nsource = \"project_completion\"\nmethod = \"ratio\"\ntarget = \"100\"\nat_target_pct = \"80\"\nper_pp = \"0.5\"\n",
        );
        let m = measures(
            "q",
            &[
                ("at", Some("100"), None),
                ("above", Some("104"), None),
                ("far", Some("130"), None),
                ("below", Some("90"), None),
                ("low", Some("50"), None),
            ],
        );
        let t = score(&s, &units(&["at", "above", "far", "below", "low"]), &m);
        assert_eq!(points_of(&t, "at").0, d("16"));
        assert_eq!(points_of(&t, "above").0, d("18"));
        assert_eq!(
            points_of(&t, "far"),
            (d("20"), "实际130，目标100，差30个百分点：16 + (30) × 0.5 = 31，按上限20分".to_string())
        );
        assert_eq!(points_of(&t, "below").0, d("11"));
        assert_eq!(points_of(&t, "low").0, d("0"), "never below zero");
    }

    #[test]
    fn target_met_scores_full_or_nothing_and_a_unit_without_target_scores_nothing_with_a_note() {
        let s = scheme(
            "[[criterion]]\nkey = \"g\"\nname = \"GDP增速\"\nweight = \"10\"\nsource = \"indicator_growth:GDP\"\nmethod = \"target_met\"\n",
        );
        let m = measures("g", &[("a", Some("9"), Some("8")), ("b", Some("7.5"), Some("8")), ("c", Some("9"), None)]);
        let t = score(&s, &units(&["a", "b", "c"]), &m);
        assert_eq!(points_of(&t, "a"), (d("10"), "实际9，达到目标8，得满分".to_string()));
        assert_eq!(points_of(&t, "b").0, d("0"));
        assert_eq!(points_of(&t, "c"), (d("0"), "实际9，未下达目标，计0分".to_string()));
    }

    #[test]
    fn bounded_targets_are_judged_by_their_bound_and_worded_ones_by_hand() {
        use crate::indicator::Bound;
        let s = scheme(
            "[[criterion]]\nkey = \"g\"\nname = \"增速\"\nweight = \"10\"\nsource = \"indicator_growth:GDP\"\nmethod = \"target_met\"\nscores = { w = \"6\" }\n",
        );
        let mut m = measures(
            "g",
            &[("about", Some("7.6"), Some("8")), ("cap", Some("4.2"), Some("4")), ("w", Some("9"), None)],
        );
        m.get_mut(&("g".into(), "about".into())).unwrap().bound = Some(Bound::About);
        m.get_mut(&("g".into(), "cap".into())).unwrap().bound = Some(Bound::AtMost);
        m.get_mut(&("g".into(), "w".into())).unwrap().worded = true;
        let t = score(&s, &units(&["about", "cap", "w"]), &m);
        assert_eq!(points_of(&t, "about"), (d("10"), "实际7.6，达到目标8左右，得满分".to_string()));
        assert_eq!(points_of(&t, "cap"), (d("0"), "实际4.2，未达目标4以内，计0分".to_string()));
        assert_eq!(points_of(&t, "w"), (d("6"), "文字目标，人工评分6分".to_string()));
    }

    #[test]
    fn manual_scores_bonuses_deductions_and_grades_make_the_total() {
        let s = Scheme::from_toml(
            r#"
            name = "考核"
            period = "2018"
            [[criterion]]
            key = "party"
            name = "党建"
            weight = "10"
            method = "manual"
            scores = { a = "9.5", b = "12" }
            [[adjustment]]
            key = "honour"
            name = "表彰加分"
            kind = "bonus"
            cap = "3"
            points = { a = "5" }
            [[adjustment]]
            key = "accident"
            name = "安全事故扣分"
            kind = "deduction"
            cap = "2"
            points = { b = "1.5" }
            [[grade]]
            name = "优秀"
            min = "10"
            [[grade]]
            name = "良好"
            min = "8"
            [[grade]]
            name = "一般"
            min = "0"
            "#,
        )
        .unwrap();
        let t = score(&s, &units(&["a", "b", "c"]), &HashMap::new());
        let row = |u: &str| t.iter().find(|s| s.unit == u).unwrap();
        assert_eq!(
            (row("a").total, row("a").bonus, row("a").grade.as_deref()),
            (d("12.5"), d("3"), Some("优秀")),
            "bonus capped at 3"
        );
        assert_eq!(
            (row("b").total, row("b").grade.as_deref()),
            (d("8.5"), Some("良好")),
            "manual capped at the weight, minus 1.5"
        );
        assert_eq!((row("c").total, row("c").points[0].derivation.as_str()), (d("0"), "未评分，计0分"));
        assert_eq!(t.iter().map(|s| s.place).collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn a_veto_takes_the_grade_away_whatever_the_total() {
        let s = Scheme::from_toml(
            "name = \"x\"\nperiod = \"2018\"\n[[criterion]]\nkey = \"m\"\nname = \"m\"\nweight = \"10\"\nmethod = \"manual\"\nscores = { a = \"10\", b = \"10\" }\n[[adjustment]]\nkey = \"v\"\nname = \"严重违纪\"\nkind = \"veto\"\ncap = \"0\"\npoints = { b = \"0\" }\n[[grade]]\nname = \"优秀\"\nmin = \"9\"\n",
        )
        .unwrap();
        let t = score(&s, &units(&["a", "b"]), &HashMap::new());
        let row = |u: &str| t.iter().find(|s| s.unit == u).unwrap();
        assert_eq!((row("a").grade.as_deref(), row("a").vetoed.len()), (Some("优秀"), 0));
        assert_eq!((row("b").total, row("b").grade.as_deref()), (d("10"), None));
        assert_eq!(row("b").vetoed, ["严重违纪"]);
    }

    #[test]
    fn a_scheme_missing_what_its_method_needs_is_refused() {
        let err = Scheme::from_toml(
            "name = \"x\"\nperiod = \"2018\"\n[[criterion]]\nkey = \"r\"\nname = \"排名\"\nweight = \"1\"\nsource = \"project_completion\"\nmethod = \"rank\"\n",
        );
        assert!(err.unwrap_err().to_string().contains("排名"));
    }
}
