//! Maintained roll-ups of project investment: for one unit's projects of a year, each month's
//! as-of sums (the latest report up to the month, carried forward) by category, 建设性质 and
//! flags — the cube every total of the dashboard, briefing and assessment is summed from. The
//! store keeps it up to date in the transaction of every write that changes its inputs;
//! `rollup verify` recomputes it with this same function and compares.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::briefing::Totals;
use crate::period::Period;
use crate::project::{Date, Nature};

/// A project with a plan in the year, as the cube needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CubeProject {
    pub id: i64,
    pub unit_id: i64,
    pub category: String,
    pub nature: String,
    pub actual_start: Option<Date>,
    pub actual_finish: Option<Date>,
    pub planned_wan: Decimal,
    /// 亿元以上.
    pub flagged: bool,
    /// 出彩项目.
    pub flagship: bool,
}

/// One monthly report of the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CubeReport {
    pub project_id: i64,
    pub month: u8,
    pub month_wan: Option<Decimal>,
    pub ytd_wan: Decimal,
    pub since_start_wan: Option<Decimal>,
}

/// Where a cell of the cube sits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CubeKey {
    pub unit_id: i64,
    pub month: u8,
    pub category: String,
    pub nature: String,
    pub flagged: bool,
    pub flagship: bool,
}

/// The sums of a cell are a [`Totals`] without a label: projects, plan, the month's amount,
/// the as-of 年初至报告期累计, and how many were carried (not reported that month), started,
/// finished, at or above 序时进度.
pub type CubeSums = Totals;

/// The cube of `year` for the projects given (each with a plan in the year) and their reports
/// of the year, every month January to December. The rules are the ledger's: a month not
/// reported carries the latest report before it (and counts as carried, as does a project
/// never reported); a project has started when its 实际开工 is by the month's end, it is 续建
/// or 竣工, or it reported any investment; it has finished when its 实际竣工 is by the month's
/// end; it is at or above 序时进度 when 累计/计划 ≥ 月数/12.
pub fn cube(year: i32, projects: &[CubeProject], reports: &[CubeReport]) -> BTreeMap<CubeKey, CubeSums> {
    let mut by_project: BTreeMap<i64, Vec<&CubeReport>> = BTreeMap::new();
    for r in reports {
        by_project.entry(r.project_id).or_default().push(r);
    }
    for list in by_project.values_mut() {
        list.sort_by_key(|r| r.month);
    }
    let continuing = [Nature::Continuing.label_zh(), Nature::Completing.label_zh()];
    let mut out: BTreeMap<CubeKey, CubeSums> = BTreeMap::new();
    for p in projects {
        let list = by_project.get(&p.id).map(Vec::as_slice).unwrap_or_default();
        for month in 1..=12u8 {
            let end = Date::end_of(Period::Month(year, month));
            let latest = list.iter().rev().find(|r| r.month <= month);
            let this_month = latest.is_some_and(|r| r.month == month);
            let ytd = latest.map_or(Decimal::ZERO, |r| r.ytd_wan);
            let since = latest.and_then(|r| r.since_start_wan).unwrap_or_default();
            let started = p.actual_start.is_some_and(|d| d <= end)
                || continuing.contains(&p.nature.as_str())
                || ytd > Decimal::ZERO
                || since > Decimal::ZERO;
            let sums = Totals {
                label: String::new(),
                projects: 1,
                planned_wan: p.planned_wan,
                month_wan: if this_month {
                    latest.and_then(|r| r.month_wan).unwrap_or_default()
                } else {
                    Decimal::ZERO
                },
                ytd_wan: ytd,
                carried: u64::from(!this_month),
                started: u64::from(started),
                finished: u64::from(p.actual_finish.is_some_and(|d| d <= end)),
                on_pace: u64::from(
                    p.planned_wan > Decimal::ZERO && ytd * Decimal::from(12) >= p.planned_wan * Decimal::from(month),
                ),
            };
            let key = CubeKey {
                unit_id: p.unit_id,
                month,
                category: p.category.clone(),
                nature: p.nature.clone(),
                flagged: p.flagged,
                flagship: p.flagship,
            };
            out.entry(key).or_default().add(&sums);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn project(id: i64, nature: &str, planned: &str) -> CubeProject {
        CubeProject {
            id,
            unit_id: 7,
            category: "城市建设".into(),
            nature: nature.into(),
            actual_start: None,
            actual_finish: None,
            planned_wan: d(planned),
            flagged: false,
            flagship: false,
        }
    }

    fn report(project_id: i64, month: u8, month_wan: &str, ytd: &str) -> CubeReport {
        CubeReport { project_id, month, month_wan: Some(d(month_wan)), ytd_wan: d(ytd), since_start_wan: None }
    }

    #[test]
    fn a_month_not_reported_carries_the_last_report_and_counts_as_carried() {
        let projects = [project(1, "新开工", "1200"), project(2, "续建", "600")];
        // Project 1 reports March and May; project 2 never reports.
        let reports = [report(1, 3, "300", "300"), report(1, 5, "200", "500")];
        let cube = cube(2018, &projects, &reports);
        let at = |month: u8, nature: &str| {
            cube.iter().find(|(k, _)| k.month == month && k.nature == nature).map(|(_, s)| s.clone()).unwrap()
        };
        // January: nothing reported yet; the 续建 one has started by its nature.
        assert_eq!((at(1, "新开工").ytd_wan, at(1, "新开工").carried, at(1, "新开工").started), (d("0"), 1, 0));
        assert_eq!((at(1, "续建").started, at(1, "续建").carried), (1, 1));
        // March: reported, started by its investment, 300/1200 = 25% ≥ 3/12.
        let march = at(3, "新开工");
        assert_eq!(
            (march.month_wan, march.ytd_wan, march.carried, march.started, march.on_pace),
            (d("300"), d("300"), 0, 1, 1)
        );
        // April: March carried (no month amount), 300/1200 < 4/12.
        let april = at(4, "新开工");
        assert_eq!((april.month_wan, april.ytd_wan, april.carried, april.on_pace), (d("0"), d("300"), 1, 0));
        // December: May's 500 carried.
        assert_eq!(at(12, "新开工").ytd_wan, d("500"));
        assert_eq!(cube.len(), 24, "one cell a month for each kind of project");
    }

    #[test]
    fn dates_count_from_the_end_of_their_month() {
        let mut p = project(1, "新开工", "100");
        p.actual_start = Some(Date::new(2018, 4, 30).unwrap());
        p.actual_finish = Some(Date::new(2018, 11, 1).unwrap());
        let cube = cube(2018, &[p], &[]);
        let month = |m: u8| cube.iter().find(|(k, _)| k.month == m).map(|(_, s)| s.clone()).unwrap();
        assert_eq!((month(3).started, month(4).started), (0, 1));
        assert_eq!((month(10).finished, month(11).finished), (0, 1));
    }
}
