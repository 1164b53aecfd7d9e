//! The maintained project roll-ups (`project_rollups`): per unit, year and month, the as-of
//! sums by category, 建设性质 and flags (`taizhang_core::rollup::cube`), kept up to date in the
//! transaction of every write that changes them. A write marks the (unit, year) cells it
//! touches — before it, for the unit a project leaves, and after, for the unit it is in —
//! and `Tx::commit` recomputes exactly those from the rows as they then stand. Totals of a
//! unit's subtree are then a sum over a few hundred cells, however many rows lie below.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use taizhang_core::briefing::Totals;
use taizhang_core::period::Period;
use taizhang_core::project::{Date, Nature};
use taizhang_core::quantity::{from_scaled, to_scaled};
use taizhang_core::rollup::{CubeKey, CubeProject, CubeReport, CubeSums, cube};

use crate::briefing::TotalsSet;
use crate::reports::{FLAG_FLAGSHIP, FLAG_OVER_100M};
use crate::{Backend, Result, Store, Tx};

/// The (unit, year) cells a transaction's writes have changed.
#[derive(Debug, Default)]
pub(crate) enum Dirty {
    #[default]
    Clean,
    Some(BTreeSet<(i64, i32)>),
    /// So many that every unit of every planned year is recomputed.
    All,
}

impl Dirty {
    pub(crate) fn any(&self) -> bool {
        !matches!(self, Dirty::Clean)
    }
}

/// Past this many projects touched in one go, a transaction recomputes the whole cube (one
/// pass a year) instead of asking which units they are in.
const WHOLE_CUBE_PAST: usize = 2_000;

impl Tx {
    /// Marks the roll-ups of these projects (by code) as changed: call before a write that may
    /// move a project to another unit, and after every write of projects, their plans (year or
    /// month), flags, dates, nodes or progress — whatever a sum, a light or a 新开工 reads, since
    /// the units' versions (`rollup_versions`) move by these marks.
    pub async fn touch_projects(&mut self, codes: &[&str]) -> Result<()> {
        if codes.is_empty() || matches!(self.dirty, Dirty::All) {
            return Ok(());
        }
        // A file lists a project once a month or a year: each is asked about once.
        let mut codes = codes.to_vec();
        codes.sort_unstable();
        codes.dedup();
        if codes.len() > WHOLE_CUBE_PAST {
            self.dirty = Dirty::All;
            return Ok(());
        }
        let backend = self.backend;
        let mut found = Vec::new();
        for chunk in codes.chunks(backend.params_per_statement()) {
            let sql = format!(
                "SELECT DISTINCT p.unit_id, y.year FROM projects p JOIN project_year_plans y ON y.project_id = p.id
                 WHERE p.code IN ({})",
                backend.placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for code in chunk {
                q = q.bind(*code);
            }
            for r in q.fetch_all(self.conn()).await? {
                found.push((r.try_get::<i64, _>(0)?, i32::try_from(r.try_get::<i64, _>(1)?).unwrap_or(0)));
            }
        }
        self.mark(found);
        Ok(())
    }

    /// Marks every roll-up as changed (a whole world loaded, a restore).
    pub fn touch_everything(&mut self) {
        self.dirty = Dirty::All;
    }

    fn mark(&mut self, cells: impl IntoIterator<Item = (i64, i32)>) {
        match &mut self.dirty {
            Dirty::All => {}
            Dirty::Some(set) => set.extend(cells),
            clean @ Dirty::Clean => {
                let set: BTreeSet<(i64, i32)> = cells.into_iter().collect();
                if !set.is_empty() {
                    *clean = Dirty::Some(set);
                }
            }
        }
    }

    /// Recomputes the marked roll-ups from the rows as they stand in this transaction.
    /// Each recomputed unit's `rollup_versions` row (or, recomputing all, the epoch) is
    /// stamped with `version`, the figures' version this commit moved to.
    pub(crate) async fn refresh_rollups(&mut self, version: i64) -> Result<()> {
        let by_year: BTreeMap<i32, Option<Vec<i64>>> = match std::mem::take(&mut self.dirty) {
            Dirty::Clean => return Ok(()),
            Dirty::All => planned_years(self.conn()).await?.into_iter().map(|y| (y, None)).collect(),
            Dirty::Some(cells) => {
                let mut by_year: BTreeMap<i32, Option<Vec<i64>>> = BTreeMap::new();
                for (unit, year) in cells {
                    by_year.entry(year).or_insert_with(|| Some(Vec::new())).get_or_insert_with(Vec::new).push(unit);
                }
                by_year
            }
        };
        let backend = self.backend;
        if by_year.values().any(Option::is_none) {
            sqlx::query("UPDATE ledger_version SET rollups_epoch = $1 WHERE id = 1")
                .bind(version)
                .execute(self.conn())
                .await?;
        }
        for (year, units) in by_year {
            let computed = compute(self.conn(), backend, year, units.as_deref()).await?;
            match &units {
                None => {
                    sqlx::query("DELETE FROM project_rollups WHERE year = $1")
                        .bind(i64::from(year))
                        .execute(self.conn())
                        .await?;
                }
                Some(units) => {
                    let ids = id_list(units);
                    let year = i64::from(year);
                    let delete = format!("DELETE FROM project_rollups WHERE year = $1 AND unit_id IN ({ids})");
                    sqlx::query(AssertSqlSafe(delete)).bind(year).execute(self.conn()).await?;
                    // Ids inlined: integers, and the list one statement however long.
                    let stamp = format!(
                        "INSERT INTO rollup_versions (unit_id, year, version)
                         SELECT u.id, $1, $2 FROM org_units u WHERE u.id IN ({ids})
                         ON CONFLICT (unit_id, year) DO UPDATE SET version = excluded.version"
                    );
                    sqlx::query(AssertSqlSafe(stamp)).bind(year).bind(version).execute(self.conn()).await?;
                }
            }
            insert(self.conn(), backend, year, &computed).await?;
        }
        Ok(())
    }
}

/// Unit ids as SQL text, for `IN (…)`: integers only, so written into the statement.
pub(crate) fn id_list(ids: &[i64]) -> String {
    if ids.is_empty() {
        return "NULL".into();
    }
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

/// Monthly lines added month by month (January through `through`).
pub fn sum_lines<'a>(lines: impl IntoIterator<Item = &'a Vec<Decimal>>, through: u8) -> Vec<Decimal> {
    let mut total = vec![Decimal::ZERO; usize::from(through)];
    for line in lines {
        for (t, v) in total.iter_mut().zip(line) {
            *t += v;
        }
    }
    total
}

/// The years any project has a plan in.
async fn planned_years(conn: &mut AnyConnection) -> Result<Vec<i32>> {
    let rows = sqlx::query("SELECT DISTINCT year FROM project_year_plans ORDER BY year").fetch_all(conn).await?;
    rows.iter().map(|r| Ok(i32::try_from(r.try_get::<i64, _>(0)?).unwrap_or(0))).collect()
}

/// The cube of `year` for the projects of `units` (all when none), from the rows as they stand.
async fn compute(
    conn: &mut AnyConnection,
    backend: Backend,
    year: i32,
    units: Option<&[i64]>,
) -> Result<BTreeMap<CubeKey, CubeSums>> {
    let mut projects = Vec::new();
    let mut reports = Vec::new();
    let chunks: Vec<Option<&[i64]>> = match units {
        None => vec![None],
        Some(units) => units.chunks(backend.params_per_statement() - 3).map(Some).collect(),
    };
    for chunk in chunks {
        // With a list, SQLite's placeholders are positional: every one is written in the
        // order it is bound.
        let p = |n: usize| backend.placeholder(n);
        // A few units' rows are found from their projects (SQLite keeps a CROSS JOIN's order;
        // left to itself, on a large ledger it may walk the whole year's rows by the year's
        // index); a whole year's, from the year's rows.
        let from = |rows: &str, alias: &str| match chunk {
            Some(_) => format!("projects p CROSS JOIN {rows} {alias} WHERE {alias}.project_id = p.id AND"),
            None => format!("{rows} {alias} JOIN projects p ON p.id = {alias}.project_id WHERE"),
        };
        let within =
            chunk.map_or_else(String::new, |c| format!(" AND p.unit_id IN ({})", backend.placeholders(4, c.len())));
        let sql = format!(
            "SELECT p.id, p.unit_id, p.category, p.nature, p.actual_start, p.actual_finish, y.planned_e4,
                 CASE WHEN EXISTS (SELECT 1 FROM project_flags f WHERE f.project_id = p.id AND f.flag = {})
                     THEN 1 ELSE 0 END AS flagged,
                 CASE WHEN EXISTS (SELECT 1 FROM project_flags f WHERE f.project_id = p.id AND f.flag = {})
                     THEN 1 ELSE 0 END AS flagship
             FROM {} y.year = {}{within}",
            p(1),
            p(2),
            from("project_year_plans", "y"),
            p(3)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(FLAG_OVER_100M).bind(FLAG_FLAGSHIP).bind(i64::from(year));
        for u in chunk.unwrap_or_default() {
            q = q.bind(*u);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let date = |col: &str| -> Result<Option<Date>> {
                Ok(r.try_get::<Option<String>, _>(col)?.map(|d| Date::parse(&d)).transpose()?)
            };
            projects.push(CubeProject {
                id: r.try_get("id")?,
                unit_id: r.try_get("unit_id")?,
                category: r.try_get("category")?,
                nature: r.try_get("nature")?,
                actual_start: date("actual_start")?,
                actual_finish: date("actual_finish")?,
                planned_wan: from_scaled(r.try_get("planned_e4")?),
                flagged: r.try_get::<i64, _>("flagged")? == 1,
                flagship: r.try_get::<i64, _>("flagship")? == 1,
            });
        }
        let within =
            chunk.map_or_else(String::new, |c| format!(" AND p.unit_id IN ({})", backend.placeholders(2, c.len())));
        let sql = format!(
            "SELECT g.project_id, g.month, g.month_e4, g.ytd_e4, g.since_start_e4
             FROM {} g.year = {}{within}",
            from("project_progress", "g"),
            p(1)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(i64::from(year));
        for u in chunk.unwrap_or_default() {
            q = q.bind(*u);
        }
        for r in q.fetch_all(&mut *conn).await? {
            reports.push(CubeReport {
                project_id: r.try_get("project_id")?,
                month: u8::try_from(r.try_get::<i64, _>("month")?).unwrap_or(0),
                month_wan: r.try_get::<Option<i64>, _>("month_e4")?.map(from_scaled),
                ytd_wan: from_scaled(r.try_get("ytd_e4")?),
                since_start_wan: r.try_get::<Option<i64>, _>("since_start_e4")?.map(from_scaled),
            });
        }
    }
    Ok(cube(year, &projects, &reports))
}

const COLUMNS: &str = "unit_id, year, month, category, nature, flagged, flagship, projects, planned_e4, month_e4,
    ytd_e4, carried, started, finished, on_pace";

async fn insert(
    conn: &mut AnyConnection,
    backend: Backend,
    year: i32,
    cells: &BTreeMap<CubeKey, CubeSums>,
) -> Result<()> {
    const PER_ROW: usize = 15;
    let cells: Vec<_> = cells.iter().collect();
    for chunk in cells.chunks(backend.params_per_statement() / PER_ROW) {
        let values: Vec<String> =
            (0..chunk.len()).map(|i| format!("({})", backend.placeholders(1 + i * PER_ROW, PER_ROW))).collect();
        let sql = format!("INSERT INTO project_rollups ({COLUMNS}) VALUES {}", values.join(", "));
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (k, s) in chunk {
            let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            q = q
                .bind(k.unit_id)
                .bind(i64::from(year))
                .bind(i64::from(k.month))
                .bind(k.category.clone())
                .bind(k.nature.clone())
                .bind(i64::from(k.flagged))
                .bind(i64::from(k.flagship))
                .bind(count(s.projects))
                .bind(to_scaled(s.planned_wan)?)
                .bind(to_scaled(s.month_wan)?)
                .bind(to_scaled(s.ytd_wan)?)
                .bind(count(s.carried))
                .bind(count(s.started))
                .bind(count(s.finished))
                .bind(count(s.on_pace));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The stored cube of a year, as `compute` makes it.
async fn stored(conn: &mut AnyConnection, year: i32) -> Result<BTreeMap<CubeKey, CubeSums>> {
    let sql = format!("SELECT {COLUMNS} FROM project_rollups WHERE year = $1");
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(i64::from(year)).fetch_all(conn).await?;
    let mut out = BTreeMap::new();
    for r in &rows {
        let (key, sums) = cell(r)?;
        out.insert(key, sums);
    }
    Ok(out)
}

fn cell(r: &sqlx::any::AnyRow) -> Result<(CubeKey, CubeSums)> {
    Ok((
        CubeKey {
            unit_id: r.try_get("unit_id")?,
            month: u8::try_from(r.try_get::<i64, _>("month")?).unwrap_or(0),
            category: r.try_get("category")?,
            nature: r.try_get("nature")?,
            flagged: r.try_get::<i64, _>("flagged")? == 1,
            flagship: r.try_get::<i64, _>("flagship")? == 1,
        },
        sums_of(r)?,
    ))
}

fn sums_of(r: &sqlx::any::AnyRow) -> Result<CubeSums> {
    let count = |col: &str| -> Result<u64> { Ok(u64::try_from(r.try_get::<i64, _>(col)?).unwrap_or(0)) };
    Ok(CubeSums {
        label: String::new(),
        projects: count("projects")?,
        planned_wan: from_scaled(r.try_get("planned_e4")?),
        month_wan: from_scaled(r.try_get("month_e4")?),
        ytd_wan: from_scaled(r.try_get("ytd_e4")?),
        carried: count("carried")?,
        started: count("started")?,
        finished: count("finished")?,
        on_pace: count("on_pace")?,
    })
}

/// A roll-up cell of one unit.
#[derive(Debug, Clone)]
pub struct UnitCell {
    pub unit_name: String,
    pub key: CubeKey,
    pub sums: CubeSums,
}

/// See [`Store::rollup_versions`].
#[derive(Debug, Clone, Default)]
pub struct RollupVersions {
    pub epoch: i64,
    pub by_unit: std::collections::HashMap<i64, i64>,
}

impl TotalsSet {
    /// The totals of some cells (one month's): all, 亿元以上, 出彩项目, by category, by
    /// responsible unit (by name, as offices list them) and by 建设性质 in the offices' order.
    pub fn from_cells<'a>(cells: impl IntoIterator<Item = &'a UnitCell>) -> TotalsSet {
        let (mut all, mut flagged, mut flagship) = (Totals::default(), Totals::default(), Totals::default());
        let mut by_category: BTreeMap<&str, Totals> = BTreeMap::new();
        let mut by_unit: BTreeMap<&str, Totals> = BTreeMap::new();
        let mut by_nature: BTreeMap<&str, Totals> = BTreeMap::new();
        for c in cells {
            all.add(&c.sums);
            if c.key.flagged {
                flagged.add(&c.sums);
            }
            if c.key.flagship {
                flagship.add(&c.sums);
            }
            by_category.entry(&c.key.category).or_default().add(&c.sums);
            by_unit.entry(&c.unit_name).or_default().add(&c.sums);
            by_nature.entry(&c.key.nature).or_default().add(&c.sums);
        }
        let labelled = |lines: BTreeMap<&str, Totals>| -> Vec<Totals> {
            lines.into_iter().map(|(label, t)| Totals { label: label.to_string(), ..t }).collect()
        };
        let order = |label: &str| Nature::ALL.iter().position(|n| n.label_zh() == label).unwrap_or(usize::MAX);
        let mut by_nature = labelled(by_nature);
        by_nature.sort_by_key(|t| order(&t.label));
        TotalsSet {
            all,
            flagged: Some(flagged).filter(|t| t.projects > 0),
            flagship: Some(flagship).filter(|t| t.projects > 0),
            by_category: labelled(by_category),
            by_unit: labelled(by_unit),
            by_nature,
        }
    }
}

/// How the stored roll-ups compare with the rows: each cell that differs, in words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RollupCheck {
    pub years: usize,
    pub cells: usize,
    pub differences: Vec<String>,
}

impl Store {
    /// Recomputes every roll-up from the rows and compares it with what is stored (`taizhang
    /// rollup verify`): a difference means a write that did not mark what it changed.
    pub async fn verify_rollups(&self) -> Result<RollupCheck> {
        let mut conn = self.pool.acquire().await?;
        let mut check = RollupCheck::default();
        let mut years: BTreeSet<i32> = planned_years(&mut conn).await?.into_iter().collect();
        let stored_years = sqlx::query("SELECT DISTINCT year FROM project_rollups").fetch_all(&mut *conn).await?;
        for r in &stored_years {
            years.insert(i32::try_from(r.try_get::<i64, _>(0)?).unwrap_or(0));
        }
        for year in years {
            let computed = compute(&mut conn, self.backend, year, None).await?;
            let kept = stored(&mut conn, year).await?;
            check.years += 1;
            check.cells += computed.len();
            for key in computed.keys().chain(kept.keys()).collect::<BTreeSet<_>>() {
                let (want, have) = (computed.get(key), kept.get(key));
                if want != have {
                    check.differences.push(format!(
                        "{year}年{}月 单位#{} {}/{}{}{}：存 {:?}，按明细应为 {:?}",
                        key.month,
                        key.unit_id,
                        key.category,
                        key.nature,
                        if key.flagged { "/亿元以上" } else { "" },
                        if key.flagship { "/出彩" } else { "" },
                        have,
                        want
                    ));
                }
            }
        }
        Ok(check)
    }

    /// Rebuilds every roll-up from the rows (after a migration that added them, or on request).
    pub async fn rebuild_rollups(&self) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.touch_everything();
        tx.commit().await
    }

    /// A database whose projects have plans but no roll-ups yet (made before they existed)
    /// gets them once, when it is opened.
    pub(crate) async fn rollups_missing(&self) -> Result<bool> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM project_year_plans) AS plans, (SELECT COUNT(*) FROM project_rollups) AS cells",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("plans")? > 0 && row.try_get::<i64, _>("cells")? == 0)
    }

    /// Plan, month and year-to-date totals of a unit's subtree at a month, from the roll-ups:
    /// all, 亿元以上, 出彩项目, by category, by responsible unit and by 建设性质 — the same figures
    /// [`Store::investment_totals_from_rows`] computes from the rows. The subtree's cells of
    /// the month are read by their units' index and summed by [`TotalsSet::from_cells`], the
    /// one summing the app's per-unit dashboards use too.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn investment_totals(&self, scope: &str, period: Period) -> Result<TotalsSet> {
        let units = self.subtree_units(scope).await?;
        let month = period.month_of_year();
        let cells = self.unit_cells(&units, period.year(), month, month).await?;
        Ok(TotalsSet::from_cells(cells.iter()))
    }

    /// The roll-up cells of these units (not their subtrees') for months `from..=through` of a
    /// year, each with its unit's name.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn unit_cells(&self, units: &[i64], year: i32, from: u8, through: u8) -> Result<Vec<UnitCell>> {
        let sql = format!(
            "SELECT u.name AS unit_name, r.* FROM project_rollups r JOIN org_units u ON u.id = r.unit_id
             WHERE r.unit_id IN ({}) AND r.year = $1 AND r.month >= $2 AND r.month <= $3",
            id_list(units)
        );
        let q = sqlx::query(AssertSqlSafe(sql)).bind(i64::from(year)).bind(i64::from(from)).bind(i64::from(through));
        self.read_rows(q, |r| {
            let (key, sums) = cell(r)?;
            Ok(UnitCell { unit_name: r.try_get("unit_name")?, key, sums })
        })
        .await
    }

    /// When each of these units' project figures of `year` last changed (units absent: not
    /// since the versions were first kept), and the epoch of the last whole recomputation.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn rollup_versions(&self, units: &[i64], year: i32) -> Result<RollupVersions> {
        let epoch: i64 = sqlx::query("SELECT rollups_epoch FROM ledger_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        let sql =
            format!("SELECT unit_id, version FROM rollup_versions WHERE year = $1 AND unit_id IN ({})", id_list(units));
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(i64::from(year)).fetch_all(&self.pool).await?;
        let mut by_unit = std::collections::HashMap::with_capacity(rows.len());
        for r in &rows {
            by_unit.insert(r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?);
        }
        Ok(RollupVersions { epoch, by_unit })
    }

    /// Year-to-date investment of a unit's subtree as of each month, January through
    /// `through`, from the roll-ups (the as-of rule: a month someone missed does not dip):
    /// the sum of its units' lines ([`Store::unit_monthly_ytd`]).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn monthly_ytd(&self, scope: &str, year: i32, through: u8) -> Result<Vec<Decimal>> {
        let units = self.subtree_units(scope).await?;
        Ok(sum_lines(self.unit_monthly_ytd(&units, year, through).await?.values(), through))
    }

    /// Each of these units' own year-to-date investment as of each month, January through
    /// `through` (units without a project that year are absent). The units are listed: a
    /// district reads its own cells by their index, whatever the size of the rest.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn unit_monthly_ytd(
        &self,
        units: &[i64],
        year: i32,
        through: u8,
    ) -> Result<std::collections::HashMap<i64, Vec<Decimal>>> {
        let sql = format!(
            "SELECT r.unit_id, r.month, CAST(SUM(r.ytd_e4) AS BIGINT) AS ytd_e4 FROM project_rollups r
             WHERE r.unit_id IN ({}) AND r.year = $1 AND r.month <= $2 GROUP BY r.unit_id, r.month",
            id_list(units)
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(i64::from(year))
            .bind(i64::from(through))
            .fetch_all(&self.pool)
            .await?;
        let mut lines: std::collections::HashMap<i64, Vec<Decimal>> = std::collections::HashMap::new();
        for r in &rows {
            let line = lines.entry(r.try_get(0)?).or_insert_with(|| vec![Decimal::ZERO; usize::from(through)]);
            let month = usize::try_from(r.try_get::<i64, _>(1)?).unwrap_or(0);
            if let Some(slot) = month.checked_sub(1).and_then(|i| line.get_mut(i)) {
                *slot = from_scaled(r.try_get(2)?);
            }
        }
        Ok(lines)
    }
}
