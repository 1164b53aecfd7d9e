//! A subtree's project figures — the totals, the monthly line, the 新开工 due and the
//! projects' lights that the dashboard and the briefing show — composed from each unit's
//! own. Each unit's are kept at the version its roll-ups last changed (`rollup_versions`,
//! moved by the same marks as the roll-ups, in the same transaction): after a write, only
//! the units it touched are read again, so a city's dashboard after one report costs the
//! reporting unit's rows plus a sum over the kept units, not the whole city's rows.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;
use taizhang_core::lights::{Lit, Warning, WarningKind, project_light};
use taizhang_core::org::OrgTree;
use taizhang_core::period::Period;
use taizhang_core::project::Date;
use taizhang_store::{Projects, StartDue, TotalsSet, UnitCell};

use crate::{Acting, Result};

/// A subtree's project figures at a period.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProjectFigures {
    pub totals: TotalsSet,
    /// Year-to-date investment as of each month, January through the period's.
    pub by_month: Vec<Decimal>,
    /// The 新开工 projects due to have started, sample rows last.
    pub starts: Vec<StartDue>,
    /// Of the units owing the month's progress (a project with a plan), how many reported
    /// something for it: (reported, owing).
    pub reporting: (usize, usize),
    /// The units' own figures, shared with what is kept per unit (not copied).
    parts: Vec<Arc<UnitFigures>>,
    /// Every project's light in code order: (its unit's part, its place there).
    order: Vec<(usize, usize)>,
}

impl ProjectFigures {
    /// Every project with a plan in the year, lit, in code order.
    pub fn lit(&self) -> impl Iterator<Item = &Warning> {
        self.order.iter().map(|&(part, i)| &self.parts[part].lit[i])
    }
}

/// One unit's own figures at a period, and the version of its roll-ups they were read at.
#[derive(Debug, Default)]
struct UnitFigures {
    version: Option<i64>,
    cells: Vec<UnitCell>,
    by_month: Vec<Decimal>,
    starts: Vec<StartDue>,
    lit: Vec<Warning>,
}

/// Past this many (unit, period) entries the kept figures are dropped and read again: a
/// province's units for a few periods, a few tens of megabytes at most.
const KEPT_UNITS: usize = 10_000;

/// Which unit, at which period, with the 倒排工期 nodes judged on which day.
type UnitKey = (i64, Period, Date);

/// The units' figures kept by this server.
#[derive(Debug, Default)]
pub(crate) struct UnitFiguresKept {
    inner: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    /// Moved on when every roll-up was recomputed at once: nothing kept before is good.
    epoch: i64,
    /// The tree the units' names were read under (a unit renamed: a new tree).
    tree: Option<Arc<OrgTree>>,
    units: HashMap<UnitKey, Arc<UnitFigures>>,
}

impl Acting<'_> {
    /// The project figures of a unit's subtree at `period` (nodes of the 倒排工期 judged on
    /// `today`, or the period's end if earlier), kept whole at the figures' version too. The
    /// caller has checked the actor may read the scope.
    pub(crate) async fn kept_project_figures(
        &self,
        scope: &str,
        period: Period,
        today: Date,
    ) -> Result<Arc<ProjectFigures>> {
        self.remembered("project figures", scope, period, today, || self.project_figures(scope, period, today)).await
    }

    async fn project_figures(&self, scope: &str, period: Period, today: Date) -> Result<ProjectFigures> {
        let day = Date::end_of(period).min(today);
        let units = self.store.subtree_units(scope).await?;
        // The versions first: what is then read is never older than the version it is kept at.
        let versions = self.store.rollup_versions(&units, period.year()).await?;
        let key = |unit: i64| (unit, period, day);
        let stale: Vec<i64> = {
            let mut kept = self.units_kept.inner.lock().unwrap_or_else(|e| e.into_inner());
            let same_tree = kept.tree.as_ref().is_some_and(|t| Arc::ptr_eq(t, &self.tree));
            if kept.epoch != versions.epoch || !same_tree || kept.units.len() > KEPT_UNITS {
                *kept = Kept { epoch: versions.epoch, tree: Some(self.tree.clone()), units: HashMap::new() };
            }
            units
                .iter()
                .copied()
                .filter(|u| kept.units.get(&key(*u)).is_none_or(|f| f.version != versions.by_unit.get(u).copied()))
                .collect()
        };
        let mut fresh = self.read_unit_figures(&stale, period, day).await?;
        let mut parts: Vec<Option<Arc<UnitFigures>>> = Vec::with_capacity(units.len());
        {
            let mut kept = self.units_kept.inner.lock().unwrap_or_else(|e| e.into_inner());
            for unit in &units {
                parts.push(match fresh.remove(unit) {
                    Some(mut f) => {
                        f.version = versions.by_unit.get(unit).copied();
                        let f = Arc::new(f);
                        kept.units.insert(key(*unit), f.clone());
                        Some(f)
                    }
                    None => kept.units.get(&key(*unit)).cloned(),
                });
            }
        }
        // Kept a moment ago, but another request emptied the store meanwhile: read again.
        let missing: Vec<i64> = units.iter().zip(&parts).filter(|(_, p)| p.is_none()).map(|(u, _)| *u).collect();
        let mut again = self.read_unit_figures(&missing, period, day).await?;
        let parts: Vec<Arc<UnitFigures>> = units
            .iter()
            .zip(parts)
            .map(|(u, p)| p.unwrap_or_else(|| Arc::new(again.remove(u).unwrap_or_default())))
            .collect();
        Ok(compose(&parts, period.month_of_year()))
    }

    /// The own figures of each of these units, read in one statement a kind.
    async fn read_unit_figures(&self, units: &[i64], period: Period, day: Date) -> Result<HashMap<i64, UnitFigures>> {
        let mut out: HashMap<i64, UnitFigures> = units.iter().map(|u| (*u, UnitFigures::default())).collect();
        if units.is_empty() {
            return Ok(out);
        }
        let (year, month) = (period.year(), period.month_of_year());
        for (unit, line) in self.store.unit_monthly_ytd(units, year, month).await? {
            if let Some(f) = out.get_mut(&unit) {
                f.by_month = line;
            }
        }
        for cell in self.store.unit_cells(units, year, month, month).await? {
            if let Some(f) = out.get_mut(&cell.key.unit_id) {
                f.cells.push(cell);
            }
        }
        for start in self.store.starts_due(units, period).await? {
            if let Some(f) = out.get_mut(&start.unit_id) {
                f.starts.push(start);
            }
        }
        // A node of the 倒排工期 past its date lights the project too.
        let mut nodes: HashMap<String, Vec<Lit>> = HashMap::new();
        for n in self.store.node_plans(Projects::OfUnits(units)).await? {
            if let Some(lit) = n.light(day, &self.config.mechanism) {
                nodes.entry(n.project.clone()).or_default().push(lit);
            }
        }
        for r in self.store.project_light_rows(units, period).await? {
            let lit = nodes
                .remove(&r.code)
                .into_iter()
                .flatten()
                .fold(project_light(&r.status, &self.config.lights), Lit::worst);
            if let Some(f) = out.get_mut(&r.unit_id) {
                f.lit.push(Warning {
                    kind: WarningKind::Project,
                    unit: self.unit_name(&r.unit),
                    lit,
                    code: r.code,
                    name: r.name,
                });
            }
        }
        Ok(out)
    }
}

/// The subtree's figures from its units': sums, the line added month by month, the lists in
/// the order one read of the whole subtree gives (starts: real before sample, by code; lights
/// by code).
fn compose(parts: &[Arc<UnitFigures>], through: u8) -> ProjectFigures {
    let totals = TotalsSet::from_cells(parts.iter().flat_map(|p| p.cells.iter()));
    let by_month = taizhang_store::sum_lines(parts.iter().map(|p| &p.by_month), through);
    let mut starts: Vec<StartDue> = parts.iter().flat_map(|p| p.starts.iter().cloned()).collect();
    starts.sort_by(|a, b| (a.sample, &a.code).cmp(&(b.sample, &b.code)));
    let mut order: Vec<(usize, usize)> =
        parts.iter().enumerate().flat_map(|(part, p)| (0..p.lit.len()).map(move |i| (part, i))).collect();
    order.sort_by(|a, b| parts[a.0].lit[a.1].code.cmp(&parts[b.0].lit[b.1].code));
    // Every project with a plan has a cell each month; one not carried reported that month.
    let owing = parts.iter().filter(|p| !p.cells.is_empty()).count();
    let reported = parts.iter().filter(|p| p.cells.iter().any(|c| c.sums.projects > c.sums.carried)).count();
    ProjectFigures { totals, by_month, starts, reporting: (reported, owing), parts: parts.to_vec(), order }
}
