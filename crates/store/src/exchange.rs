//! Exchange with files: importing batches (classified new / changed / unchanged, written in
//! one transaction unless a dry run) and reading records back for export.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use taizhang_core::batch::{Batch, ChangeSummary};
use taizhang_core::honour::Honour;
use taizhang_core::indicator::{Indicator, IndicatorValue, Target};
use taizhang_core::org::OrgUnit;
use taizhang_core::period::Period;
use taizhang_core::plan::{KeyTask, PlanNode, TaskStatus};
use taizhang_core::project::{MonthlyProgress, YearPlan};
use taizhang_core::quantity::from_scaled;
use taizhang_core::world::ProjectRecord;

use crate::bulk::AnyQuery;
use crate::filter::Filtered;
use crate::progress::progress_from_row;
use crate::projects::{PROJECT_SELECT, project_from_row};
use crate::{Ids, ProgressRow, Result, Store, Tx};

/// One file's import under way, in two halves that run side by side ([`Store::importer`]):
/// the [`Classifier`] classifies each batch against the ledger as it stood before the import
/// and prepares its writes while the [`Writer`] runs the batch before in the import's one
/// transaction. Dropped without [`Writer::commit`], nothing of it is kept.
/// Classifies batches and prepares the statements that write them; needs no transaction.
#[derive(Debug)]
pub struct Classifier {
    store: Store,
    /// Whether anything will be written (false on a dry run: nothing is prepared).
    writes: bool,
    ids: Option<Ids>,
    /// Projects written by earlier batches of this import (a file may list one per plan year).
    written_projects: HashSet<String>,
    summary: ChangeSummary,
    /// Who the versions of written values are recorded as.
    actor: String,
}

/// Runs prepared writes in the import's transaction (none on a dry run).
#[derive(Debug)]
pub struct Writer {
    tx: Option<Tx>,
}

/// A classified batch's writes, ready to run.
pub struct Prepared(Step);

enum Step {
    /// Bulk statements, and the projects (by code) whose roll-ups they change.
    Statements(Vec<AnyQuery>, Vec<String>),
    /// Parents before children.
    Units(Vec<OrgUnit>),
    Targets(Vec<Target>),
    Tasks(Vec<KeyTask>),
    Indicators(Vec<Indicator>),
    Honours(Vec<Honour>),
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (what, n) = match &self.0 {
            Step::Statements(s, _) => ("statements", s.len()),
            Step::Units(u) => ("units", u.len()),
            Step::Targets(t) => ("targets", t.len()),
            Step::Tasks(t) => ("tasks", t.len()),
            Step::Indicators(i) => ("indicators", i.len()),
            Step::Honours(h) => ("honours", h.len()),
        };
        write!(f, "Prepared({n} {what})")
    }
}

/// An import as the audit trail keeps it.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    pub actor: String,
    pub kind: String,
    pub file: String,
    pub sheet: String,
    pub rows: usize,
    pub summary: ChangeSummary,
}

impl Store {
    /// The imports recorded, newest first.
    pub async fn import_records(&self) -> Result<Vec<(String, ImportRecord)>> {
        let rows = sqlx::query(
            "SELECT at, actor, kind, file, sheet, rows_read, new_records, changed_records, unchanged_records
             FROM import_events ORDER BY id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        let count = |r: &sqlx::any::AnyRow, col: &str| -> Result<usize> { Ok(r.try_get::<i64, _>(col)? as usize) };
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("at")?,
                    ImportRecord {
                        actor: r.try_get("actor")?,
                        kind: r.try_get("kind")?,
                        file: r.try_get("file")?,
                        sheet: r.try_get("sheet")?,
                        rows: count(r, "rows_read")?,
                        summary: ChangeSummary {
                            new: count(r, "new_records")?,
                            changed: count(r, "changed_records")?,
                            unchanged: count(r, "unchanged_records")?,
                        },
                    },
                ))
            })
            .collect()
    }

    /// Starts an import (no transaction on a dry run); on SQLite the writer holds the write
    /// lock until it commits or is dropped.
    pub async fn importer(&self, dry_run: bool, actor: &str) -> Result<(Classifier, Writer)> {
        let tx = if dry_run { None } else { Some(self.begin().await?) };
        let classifier = Classifier {
            store: self.clone(),
            writes: !dry_run,
            ids: None,
            written_projects: HashSet::new(),
            summary: ChangeSummary::default(),
            actor: actor.to_string(),
        };
        Ok((classifier, Writer { tx }))
    }

    /// The stored 年初至报告期累计 of the given (project code, month) pairs that exist.
    pub async fn stored_ytd(&self, keys: &[(String, Period)]) -> Result<HashMap<(String, Period), Decimal>> {
        let mut by_period: HashMap<Period, Vec<&str>> = HashMap::new();
        for (code, period) in keys {
            by_period.entry(*period).or_default().push(code);
        }
        let mut out = HashMap::new();
        for (period, codes) in by_period {
            for chunk in codes.chunks(self.backend.params_per_statement() - 1) {
                let sql = format!(
                    "SELECT p.code, g.ytd_e4 FROM project_progress g JOIN projects p ON p.id = g.project_id
                     WHERE g.period = {} AND p.code IN ({})",
                    self.backend.placeholders(1, 1),
                    self.backend.placeholders(2, chunk.len())
                );
                let mut q = sqlx::query(AssertSqlSafe(sql)).bind(period.key());
                for c in chunk {
                    q = q.bind(c.to_string());
                }
                for r in q.fetch_all(&self.pool).await? {
                    out.insert((r.try_get(0)?, period), from_scaled(r.try_get(1)?));
                }
            }
        }
        Ok(out)
    }
}

impl Writer {
    pub async fn write(&mut self, prepared: Prepared) -> Result<()> {
        let Some(tx) = &mut self.tx else { return Ok(()) };
        match prepared.0 {
            Step::Statements(statements, touched) => {
                let codes: Vec<&str> = touched.iter().map(String::as_str).collect();
                // The units projects may leave, then the units they are in.
                tx.touch_projects(&codes).await?;
                crate::bulk::run(tx.conn(), statements).await?;
                tx.touch_projects(&codes).await?;
            }
            Step::Units(units) => {
                for u in &units {
                    tx.upsert_unit(u, 0).await?;
                }
            }
            Step::Targets(targets) => {
                for t in &targets {
                    tx.upsert_target(t).await?;
                }
            }
            Step::Tasks(tasks) => {
                for t in &tasks {
                    tx.upsert_task(t).await?;
                }
            }
            Step::Indicators(indicators) => {
                for i in &indicators {
                    tx.upsert_indicator(i).await?;
                }
            }
            Step::Honours(honours) => {
                for h in &honours {
                    tx.upsert_honour(h).await?;
                }
            }
        }
        Ok(())
    }

    /// Commits what was written, with the import's audit record in the same transaction
    /// (a dry run writes neither).
    pub async fn commit(self, record: &ImportRecord) -> Result<()> {
        if let Some(mut tx) = self.tx {
            tx.record_import(record).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

impl Tx {
    /// Records an import (or an edit made like one) in the audit trail.
    pub async fn record_import(&mut self, record: &ImportRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO import_events (actor, at, kind, file, sheet, rows_read, new_records, changed_records,
                 unchanged_records) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&record.actor)
        .bind(crate::now_iso())
        .bind(&record.kind)
        .bind(&record.file)
        .bind(&record.sheet)
        .bind(record.rows as i64)
        .bind(record.summary.new as i64)
        .bind(record.summary.changed as i64)
        .bind(record.summary.unchanged as i64)
        .execute(self.conn())
        .await?;
        let s = &record.summary;
        let detail = format!(
            "文件 {}，工作表 {}，{}行：新增{}条，变更{}条，未变{}条",
            record.file, record.sheet, record.rows, s.new, s.changed, s.unchanged
        );
        self.audit(&record.actor, "import", &format!("import:{}", record.kind), &detail);
        Ok(())
    }
}

impl Classifier {
    /// What the import has added, changed and left alone so far.
    pub fn summary(&self) -> ChangeSummary {
        self.summary
    }

    /// Classifies one batch of the file and prepares the writes of what is new or changed.
    pub async fn prepare(&mut self, batch: Batch) -> Result<Prepared> {
        let summary = &mut self.summary;
        let store = &self.store;
        let backend = store.backend;
        let nothing = || Prepared(Step::Statements(Vec::new(), Vec::new()));
        Ok(match batch {
            Batch::Units(units) => {
                let stored: HashMap<String, OrgUnit> =
                    store.units().await?.into_iter().map(|u| (u.code.to_string(), u)).collect();
                let write: Vec<OrgUnit> =
                    units.into_iter().filter(|u| summary.count(stored.get(u.code.as_str()), u)).collect();
                // Parents first: a unit waits until its parent is stored or written.
                let mut done: HashSet<String> = stored.into_keys().collect();
                let mut ordered = Vec::new();
                let mut pending = write;
                while !pending.is_empty() {
                    let (ready, rest): (Vec<OrgUnit>, Vec<OrgUnit>) =
                        pending.into_iter().partition(|u| u.parent.as_deref().is_none_or(|p| done.contains(p)));
                    if ready.is_empty() {
                        let codes: Vec<&str> = rest.iter().map(|u| u.code.as_str()).collect();
                        return Err(crate::StoreError::Config(format!(
                            "单位上级关系无法排序（成环）：{}",
                            codes.join("、")
                        )));
                    }
                    done.extend(ready.iter().map(|u| u.code.to_string()));
                    ordered.extend(ready);
                    pending = rest;
                }
                Prepared(Step::Units(ordered))
            }
            Batch::Values(values) => {
                let mut write = Vec::new();
                for v in values {
                    // A blank cell keeps the stored field; only 清空 empties it.
                    let stored = store.value(&v.indicator, &v.unit, v.period).await?;
                    let merged = v.merged_over(stored.as_ref());
                    if summary.count(stored.as_ref(), &merged) {
                        write.push(merged);
                    }
                }
                if !self.writes {
                    return Ok(nothing());
                }
                let ids = ids_of(store, &mut self.ids).await?;
                Prepared(Step::Statements(crate::bulk::value_inserts(backend, &write, ids, &self.actor)?, Vec::new()))
            }
            Batch::Targets(targets) => {
                let mut write = Vec::new();
                for t in targets {
                    if summary.count(store.target(&t.indicator, &t.unit, t.year).await?.as_ref(), &t) {
                        write.push(t);
                    }
                }
                Prepared(Step::Targets(write))
            }
            Batch::Projects(records) => {
                let ids = ids_of(store, &mut self.ids).await?;
                // Only codes stored before the import have anything to compare with.
                let codes: Vec<String> = records
                    .iter()
                    .map(|r| r.project.code.to_string())
                    .filter(|c| ids.projects.contains_key(c))
                    .collect();
                let stored = store.projects_by_code(&codes).await?;
                let mut projects = Vec::new();
                let mut plans = Vec::new();
                for mut incoming in records {
                    let old = stored.get(incoming.project.code.as_str());
                    // What a sheet does not carry stays as stored.
                    if let Some(old) = old {
                        // 实际开工/实际竣工 columns when the sheet has them; else as stored.
                        incoming.project.actual_start = incoming.project.actual_start.or(old.project.actual_start);
                        incoming.project.actual_finish = incoming.project.actual_finish.or(old.project.actual_finish);
                        incoming.project.plan_node = incoming.project.plan_node.or(old.project.plan_node.clone());
                        incoming.project.sample = old.project.sample;
                        incoming.project.flags.sort();
                        for plan in &mut incoming.plans {
                            if let Some(o) = old.plans.iter().find(|p| p.year == plan.year) {
                                plan.milestones = o.milestones.clone();
                            }
                        }
                    }
                    let old_view = old.map(|o| ProjectRecord {
                        project: o.project.clone(),
                        plans: o
                            .plans
                            .iter()
                            .filter(|p| incoming.plans.iter().any(|n| n.year == p.year))
                            .cloned()
                            .collect(),
                        progress: vec![],
                    });
                    if summary.count(old_view.as_ref(), &incoming) {
                        projects.push(incoming.project);
                        plans.extend(incoming.plans);
                    }
                }
                if !self.writes {
                    return Ok(nothing());
                }
                // A file may list a project once per plan year: its master data is written
                // once, as the last of its rows gives it.
                let mut seen = HashSet::new();
                let mut projects: Vec<_> = projects.into_iter().rev().filter(|p| seen.insert(p.code.clone())).collect();
                projects.reverse();
                let earlier = &self.written_projects;
                let flags_stored = |code: &str| ids.projects.contains_key(code) || earlier.contains(code);
                let mut statements = crate::bulk::project_upserts(backend, &projects, ids, false, &flags_stored)?;
                statements.extend(crate::bulk::year_plan_inserts(backend, &plans)?);
                let touched: Vec<String> = projects.iter().map(|p| p.code.to_string()).collect();
                self.written_projects.extend(projects.into_iter().map(|p| String::from(p.code)));
                Prepared(Step::Statements(statements, touched))
            }
            Batch::Progress(progress) => {
                let ids = ids_of(store, &mut self.ids).await?;
                let mut project_ids: Vec<i64> =
                    progress.iter().filter_map(|p| ids.projects.get(&p.project).copied()).collect();
                project_ids.sort_unstable();
                project_ids.dedup();
                let stored = store.progress_of_projects(&project_ids).await?;
                let mut rows = Vec::new();
                for p in progress {
                    if summary.count(stored.get(&p.project).and_then(|months| months.get(&p.period)), &p) {
                        let project_id = ids
                            .projects
                            .get(&p.project)
                            .copied()
                            .ok_or_else(|| crate::StoreError::not_found("项目", &p.project))?;
                        rows.push(ProgressRow { project_id, progress: p });
                    }
                }
                if !self.writes {
                    return Ok(nothing());
                }
                let touched = rows.iter().map(|r| r.progress.project.clone()).collect();
                Prepared(Step::Statements(crate::bulk::progress_inserts(backend, &rows)?, touched))
            }
            Batch::Tasks(tasks) => {
                let mut write = Vec::new();
                for t in tasks {
                    let mut stored = store.task(&t.code).await?;
                    if let Some(s) = &mut stored {
                        s.cooperating_units.sort();
                    }
                    let mut incoming = t;
                    incoming.cooperating_units.sort();
                    if let Some(s) = &stored {
                        incoming.sample = s.sample;
                    }
                    if summary.count(stored.as_ref(), &incoming) {
                        write.push(incoming);
                    }
                }
                Prepared(Step::Tasks(write))
            }
            Batch::Indicators(indicators) => {
                let stored = store.catalogue().await?;
                // Checked whole once more: the rows were checked against the catalogue as read.
                stored.with(&indicators)?;
                let mut write = Vec::new();
                for mut incoming in indicators {
                    incoming.aliases.sort();
                    // The stored indicator, with its aliases in the same order for comparing.
                    let mut old = stored.find(incoming.code.as_str()).filter(|o| o.code == incoming.code).cloned();
                    if let Some(o) = &mut old {
                        o.aliases.sort();
                    }
                    let incoming = incoming.keeping(old.as_ref());
                    if summary.count(old.as_ref(), &incoming) {
                        write.push(incoming);
                    }
                }
                Prepared(Step::Indicators(write))
            }
            Batch::Honours(honours) => {
                let mut stored: HashMap<(String, i32), Vec<Honour>> = HashMap::new();
                let mut write = Vec::new();
                for h in honours {
                    let key = (h.unit.clone(), h.year);
                    if !stored.contains_key(&key) {
                        let held = store.honours(&h.unit, h.year, h.year).await?;
                        stored.insert(key.clone(), held);
                    }
                    // The same record: unit, year, scope, group, item and kind (the place may change).
                    let old = stored.get(&key).and_then(|held| {
                        held.iter().find(|o| {
                            o.scope == h.scope
                                && o.subject == h.subject
                                && o.item == h.item
                                && o.kind.code() == h.kind.code()
                        })
                    });
                    if summary.count(old, &h) {
                        write.push(h);
                    }
                }
                Prepared(Step::Honours(write))
            }
        })
    }
}

/// Database ids by code, read once per import (after its units are written: none come later).
async fn ids_of<'i>(store: &Store, ids: &'i mut Option<Ids>) -> Result<&'i Ids> {
    if ids.is_none() {
        *ids = Some(store.ids().await?);
    }
    Ok(ids.get_or_insert_default())
}

impl Store {
    /// Projects with all their yearly plans, by code.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn projects_by_code(&self, codes: &[String]) -> Result<HashMap<String, ProjectRecord>> {
        let mut out = HashMap::new();
        for chunk in codes.chunks(self.backend.params_per_statement()) {
            let sql = format!("{PROJECT_SELECT} WHERE p.code IN ({})", self.backend.placeholders(1, chunk.len()));
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for c in chunk {
                q = q.bind(c.clone());
            }
            let rows = q.fetch_all(&self.pool).await?;
            out.extend(self.records_from_rows(&rows, None).await?.into_iter().map(|r| (r.project.code.to_string(), r)));
        }
        Ok(out)
    }

    /// Projects with a plan in `year` (or all, with all plans) in a unit's subtree, by code.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn project_records(&self, year: Option<i32>, unit: Option<&str>) -> Result<Vec<ProjectRecord>> {
        let q = Filtered::new(format!("{PROJECT_SELECT} WHERE 1 = 1"), vec![])
            .and_within("p.unit_id", unit)
            .and(
                "EXISTS (SELECT 1 FROM project_year_plans y WHERE y.project_id = p.id AND y.year = {})",
                year.map(i64::from),
            )
            .then("ORDER BY p.code");
        let rows = q.query().fetch_all(&self.pool).await?;
        self.records_from_rows(&rows, year).await
    }

    async fn records_from_rows(&self, rows: &[AnyRow], year: Option<i32>) -> Result<Vec<ProjectRecord>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
        let mut flags: HashMap<i64, Vec<String>> = HashMap::new();
        let mut plans: HashMap<i64, Vec<YearPlan>> = HashMap::new();
        for chunk in ids.chunks(self.backend.params_per_statement()) {
            let list = self.backend.placeholders(1, chunk.len());
            let mut q = sqlx::query(AssertSqlSafe(format!(
                "SELECT project_id, flag FROM project_flags WHERE project_id IN ({list}) ORDER BY flag"
            )));
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                flags.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
            }
            // A year's list reads that year's plans only, not a decade of each project's.
            let of_year = year.map_or_else(String::new, |y| format!(" AND y.year = {y}"));
            let mut q = sqlx::query(AssertSqlSafe(format!(
                "SELECT y.project_id, p.code, y.year, y.planned_e4, y.milestones FROM project_year_plans y
                 JOIN projects p ON p.id = y.project_id WHERE y.project_id IN ({list}){of_year} ORDER BY y.year"
            )));
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                let plan_year = i32::try_from(r.try_get::<i64, _>("year")?).unwrap_or_default();
                plans.entry(r.try_get("project_id")?).or_default().push(YearPlan {
                    project: r.try_get("code")?,
                    year: plan_year,
                    planned_wan: from_scaled(r.try_get("planned_e4")?),
                    milestones: r.try_get("milestones")?,
                });
            }
        }
        rows.iter()
            .zip(ids)
            .map(|(r, id)| {
                Ok(ProjectRecord {
                    project: project_from_row(r, flags.remove(&id).unwrap_or_default())?,
                    plans: plans.remove(&id).unwrap_or_default(),
                    progress: vec![],
                })
            })
            .collect()
    }

    /// Stored monthly progress of the given projects, by code and month.
    async fn progress_of_projects(
        &self,
        project_ids: &[i64],
    ) -> Result<HashMap<String, HashMap<Period, MonthlyProgress>>> {
        let mut out = HashMap::new();
        for chunk in project_ids.chunks(self.backend.params_per_statement()) {
            let sql = format!(
                "SELECT p.code, g.period, g.month_e4, g.ytd_e4, g.since_start_e4, g.image_progress, g.problems
                 FROM project_progress g JOIN projects p ON p.id = g.project_id WHERE g.project_id IN ({})",
                self.backend.placeholders(1, chunk.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.pool).await? {
                let code: String = r.try_get("code")?;
                let period: Period = r.try_get::<String, _>("period")?.parse()?;
                out.entry(code.clone())
                    .or_insert_with(HashMap::new)
                    .insert(period, progress_from_row(&r, code, period)?);
            }
        }
        Ok(out)
    }

    /// Monthly progress of `year` (through `through` when given), in a unit's subtree.
    pub async fn progress_rows(
        &self,
        year: i32,
        through: Option<u8>,
        unit: Option<&str>,
    ) -> Result<Vec<MonthlyProgress>> {
        self.progress_months(year, 1, through.unwrap_or(12), unit).await
    }

    /// The reports of one month, in a unit's subtree (a list of that month reads no other).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn progress_of_month(&self, year: i32, month: u8, unit: Option<&str>) -> Result<Vec<MonthlyProgress>> {
        self.progress_months(year, month, month, unit).await
    }

    async fn progress_months(
        &self,
        year: i32,
        first: u8,
        last: u8,
        unit: Option<&str>,
    ) -> Result<Vec<MonthlyProgress>> {
        let q = Filtered::new(
            "SELECT p.code, g.period, g.month_e4, g.ytd_e4, g.since_start_e4, g.image_progress, g.problems
             FROM project_progress g JOIN projects p ON p.id = g.project_id
             WHERE g.year = $1 AND g.month >= $2 AND g.month <= $3",
            vec![i64::from(year).into(), i64::from(first).into(), i64::from(last).into()],
        )
        .and_within("p.unit_id", unit)
        .then("ORDER BY p.code, g.period");
        let q = q.query();
        self.read_rows(q, |r| {
            let code: String = r.try_get("code")?;
            let period: Period = r.try_get::<String, _>("period")?.parse()?;
            progress_from_row(r, code, period)
        })
        .await
    }

    /// Total investment (万元) of every project by code: what progress rows are checked against.
    pub async fn project_totals(&self) -> Result<HashMap<String, Decimal>> {
        sqlx::query("SELECT code, total_investment_e4 FROM projects")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, from_scaled(r.try_get(1)?))))
            .collect()
    }

    /// Indicator values of a year (every period in it), in a unit's subtree.
    pub async fn values_of_year(&self, year: i32, unit: Option<&str>) -> Result<Vec<IndicatorValue>> {
        let q =
            Filtered::new(format!("{} WHERE v.year = $1", crate::values::VALUE_SELECT), vec![i64::from(year).into()])
                .and_within("v.unit_id", unit)
                .then("ORDER BY u.sort_order, u.id, i.section, i.sort_order, v.period");
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter().map(crate::values::value_from_row).collect()
    }

    /// Targets of a year, in a unit's subtree.
    pub async fn targets_of_year(&self, year: i32, unit: Option<&str>) -> Result<Vec<Target>> {
        let q =
            Filtered::new(format!("{} WHERE t.year = $1", crate::values::TARGET_SELECT), vec![i64::from(year).into()])
                .and_within("t.unit_id", unit)
                .then("ORDER BY u.sort_order, u.id, i.section, i.sort_order");
        self.read_rows(q.query(), crate::values::target_from_row).await
    }

    /// Key tasks of a year led in a unit's subtree.
    pub async fn tasks_of_year(&self, year: i32, unit: Option<&str>) -> Result<Vec<KeyTask>> {
        let q = Filtered::new("SELECT t.code FROM tasks t WHERE t.year = $1", vec![i64::from(year).into()])
            .and_within("t.lead_unit_id", unit)
            .then("ORDER BY t.code");
        let codes: Vec<String> =
            q.query().fetch_all(&self.pool).await?.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(codes.len());
        for code in codes {
            if let Some(t) = self.task(&code).await? {
                out.push(t);
            }
        }
        Ok(out)
    }

    /// Every plan node of every unit and year (task imports match them by code or title).
    pub async fn all_plan_nodes(&self) -> Result<Vec<PlanNode>> {
        let rows = sqlx::query(
            "SELECT u.code, n.year FROM plan_nodes n JOIN org_units u ON u.id = n.unit_id GROUP BY u.code, n.year",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let year = i32::try_from(r.try_get::<i64, _>(1)?).unwrap_or_default();
            out.extend(self.plan_nodes(&r.try_get::<String, _>(0)?, year).await?);
        }
        Ok(out)
    }

    pub async fn task_statuses(&self) -> Result<HashMap<String, TaskStatus>> {
        let rows = sqlx::query("SELECT code, status FROM tasks").fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get::<String, _>(1)?.parse()?))).collect()
    }
}
