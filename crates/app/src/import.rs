//! Importing a workbook into the ledger, shared by the web's uploads and the CLI's
//! `taizhang import`: what rows are checked against, read from the ledger once, and the
//! import itself as a pipeline — one thread reads the sheet while rows already read are
//! checked and written, all in one transaction that commits only when the whole file is good.
//! Importing master data is managing the ledger (admins); a unit's progress workbook becomes
//! drafts of the open round instead, through the reporting cycle.

use std::collections::HashMap;

use rust_decimal::Decimal;
use taizhang_core::access::Action;
use taizhang_core::batch::{Batch, ChangeSummary};
use taizhang_core::config::RuleConfig;
use taizhang_core::indicator::Catalogue;
use taizhang_core::org::OrgTree;
use taizhang_core::plan::{PlanNode, TaskStatus};
use taizhang_core::workflow::{Entry, EntryFigures, Form, Round};
use taizhang_office::sheet::Table;
use taizhang_office::{Context, ImportError, Kind, Parser};
use taizhang_store::{ImportRecord, Store, StoreError};

use crate::{Acting, Error};

/// Rows handed from the reading thread at a time: large enough for few statements, small
/// enough that checking and writing start soon after reading does.
const CHUNK_ROWS: usize = 2000;

/// What an import's rows are checked against, read from the ledger once.
#[derive(Debug)]
struct ImportContext {
    catalogue: Catalogue,
    units: OrgTree,
    top: Option<String>,
    totals: HashMap<String, Decimal>,
    plan_nodes: Vec<PlanNode>,
    task_status: HashMap<String, TaskStatus>,
    year: i32,
    rules: RuleConfig,
}

impl ImportContext {
    /// Reads what rows of `kind` are checked against.
    async fn load(store: &Store, kind: Kind, year: i32, rules: &RuleConfig) -> Result<Self, StoreError> {
        let catalogue = store.catalogue().await?;
        let units = store.org_tree().await?;
        let top = units.roots().next().map(|u| u.code.to_string());
        let totals = match kind {
            Kind::Progress => store.project_totals().await?,
            _ => HashMap::new(),
        };
        let (plan_nodes, task_status) = match kind {
            Kind::Tasks => (store.all_plan_nodes().await?, store.task_statuses().await?),
            Kind::Projects => (store.all_plan_nodes().await?, HashMap::new()),
            _ => (vec![], HashMap::new()),
        };
        Ok(Self { catalogue, units, top, totals, plan_nodes, task_status, year, rules: rules.clone() })
    }

    fn context(&self) -> Context<'_> {
        Context {
            catalogue: &self.catalogue,
            units: &self.units,
            top_unit: self.top.as_deref(),
            project_totals: &self.totals,
            plan_nodes: &self.plan_nodes,
            task_status: &self.task_status,
            default_year: self.year,
            rules: &self.rules,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    /// The file or its cells are wrong: nothing was written.
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    App(#[from] Error),
}

impl From<StoreError> for WorkbookError {
    fn from(e: StoreError) -> Self {
        WorkbookError::App(e.into())
    }
}

/// What an import read and did.
/// A unit's sheet saved as drafts: how many, and the rules still wanting a 说明 at submission
/// ("ZD2018-001：…"), as the form says them when a draft is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedDrafts {
    pub count: usize,
    pub to_explain: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Imported {
    pub sheet: String,
    pub rows: usize,
    pub summary: ChangeSummary,
    pub warnings: Vec<String>,
    /// 数据核对 of the figures imported (indicators): flags for a person to look at.
    pub flags: Vec<taizhang_core::consistency::Flag>,
    /// The indicator figures the file held: (indicator code, year).
    figures: std::collections::BTreeSet<(String, i32)>,
    /// The 存在问题 texts of progress rows: (project code, text).
    reported_problems: Vec<(String, String)>,
    /// Problems raised from them (each once while it stays open).
    pub problems_raised: Vec<i64>,
}

/// What to import: the whole file's bytes (the size limit applies) and where its rows go.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub bytes: Vec<u8>,
    /// The file's name, as messages show it.
    pub file: String,
    pub kind: Kind,
    pub sheet: Option<String>,
    /// The plan year of project rows without a 年度 column.
    pub year: i32,
    pub dry_run: bool,
}

/// Reads, checks and (unless a dry run) writes a workbook: every error of the file, or all
/// of it written. `on_rows` hears how many rows have been read so far.
async fn import_workbook(
    store: &Store,
    actor: &str,
    rules: &RuleConfig,
    request: ImportRequest,
    on_rows: &(dyn Fn(usize) + Sync),
) -> Result<Imported, WorkbookError> {
    let ImportRequest { bytes, file, kind, sheet, year, dry_run } = request;
    let file_name = file.clone();
    let (send, mut chunks) = tokio::sync::mpsc::channel::<Table>(8);
    let reader = tokio::task::spawn_blocking(move || {
        taizhang_office::sheet::read_rows(&bytes, &file, sheet.as_deref(), kind.fields(), CHUNK_ROWS, &mut |chunk| {
            send.blocking_send(chunk).is_ok()
        })
    });
    // Checked batches are classified by one task and written by another: checking the next
    // chunk, classifying the one before and writing the one before that run side by side.
    let (mut classifier, mut writer) = store.importer(dry_run, actor).await?;
    let (send_batch, mut batches) = tokio::sync::mpsc::channel::<Batch>(4);
    let (send_prepared, mut prepared) = tokio::sync::mpsc::channel(4);
    let started = std::time::Instant::now();
    let classifying = tokio::spawn(async move {
        while let Some(batch) = batches.recv().await {
            let step = classifier.prepare(batch).await?;
            if send_prepared.send(step).await.is_err() {
                break; // the writer failed; its error is reported
            }
        }
        Ok::<_, StoreError>(classifier)
    });
    let writing = tokio::spawn(async move {
        while let Some(step) = prepared.recv().await {
            writer.write(step).await?;
            tracing::debug!(elapsed = ?started.elapsed(), "batch written");
        }
        Ok::<_, StoreError>(writer)
    });
    let loaded = ImportContext::load(store, kind, year, rules).await?;
    let mut parser = Parser::new(kind, loaded.context());
    let mut imported = Imported {
        sheet: String::new(),
        rows: 0,
        summary: ChangeSummary::default(),
        warnings: vec![],
        flags: vec![],
        figures: Default::default(),
        reported_problems: vec![],
        problems_raised: vec![],
    };
    while let Some(chunk) = chunks.recv().await {
        imported.sheet.clone_from(&chunk.sheet);
        imported.rows += chunk.rows.len();
        imported.warnings.extend(chunk.warnings.iter().cloned());
        on_rows(imported.rows);
        let batch = parser.feed(&chunk);
        if let Batch::Values(values) = &batch {
            imported.figures.extend(values.iter().map(|v| (v.indicator.clone(), v.period.year())));
        }
        if let Batch::Progress(rows) = &batch {
            imported.reported_problems.extend(
                rows.iter().filter(|r| !r.problems.trim().is_empty()).map(|r| (r.project.clone(), r.problems.clone())),
            );
        }
        tracing::debug!(rows = imported.rows, elapsed = ?started.elapsed(), "chunk checked");
        // Once a row is wrong nothing will be kept: the rest is only checked.
        if !parser.has_errors() && send_batch.send(batch).await.is_err() {
            break; // the writer failed; its error is reported below
        }
    }
    drop(send_batch);
    drop(chunks); // a reader still sending stops
    let failed = |e: tokio::task::JoinError| StoreError::Config(format!("导入任务中断：{e}"));
    let classified = classifying.await.map_err(failed)?;
    let written = writing.await.map_err(failed)?;
    reader.await.map_err(|e| ImportError::File(format!("读取工作簿时出错：{e}")))??;
    let (mut classifier, mut writer) = (classified?, written?);
    tracing::debug!(elapsed = ?started.elapsed(), "all rows read, checked and written");
    let rest = finish(store, parser).await?;
    writer.write(classifier.prepare(rest).await?).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "whole-file checks done");
    imported.summary = classifier.summary();
    let record = ImportRecord {
        actor: actor.to_string(),
        kind: kind.code().to_string(),
        file: file_name,
        sheet: imported.sheet.clone(),
        rows: imported.rows,
        summary: imported.summary,
    };
    writer.commit(&record).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "committed");
    Ok(imported)
}

/// Checks a whole table already read (an upload whose rows fill forms rather than the ledger);
/// the submission's rules are left to it, answered by a 说明 as on the form.
async fn parse_drafts(
    store: &Store,
    rules: &RuleConfig,
    table: &Table,
    kind: Kind,
    year: i32,
) -> Result<Batch, WorkbookError> {
    let loaded = ImportContext::load(store, kind, year, rules).await?;
    let mut parser = Parser::new(kind, loaded.context()).deferring_submission_rules();
    let mut batch = parser.feed(table);
    batch.append(finish(store, parser).await?);
    Ok(batch)
}

/// The checks that need the whole file, with the stored figures they compare against.
async fn finish(store: &Store, parser: Parser<'_>) -> Result<Batch, WorkbookError> {
    let stored_ytd = store.stored_ytd(&parser.ytd_needed()).await?;
    Ok(parser.finish(&stored_ytd).map_err(ImportError::Cells)?)
}

impl Acting<'_> {
    /// The imports recorded in the audit trail, newest first, each with when it happened
    /// (admins: those who may import).
    pub async fn imports(&self) -> Result<Vec<(String, ImportRecord)>, Error> {
        self.allow_top(Action::ManageLedger)?;
        Ok(self.store.import_records().await?)
    }

    /// Reads, checks and (unless a dry run) writes a workbook into the ledger: every error
    /// of the file, or all of it written, recorded in the audit trail with who, when, the
    /// file and its counts. Managing the ledger's data is an admin's act.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username))]
    pub async fn import_workbook(
        &self,
        request: ImportRequest,
        on_rows: &(dyn Fn(usize) + Sync),
    ) -> Result<Imported, WorkbookError> {
        self.allow_top(Action::ManageLedger)?;
        let dry_run = request.dry_run;
        let mut imported =
            import_workbook(self.store, &self.actor.username, &self.config.rules, request, on_rows).await?;
        if dry_run {
            return Ok(imported);
        }
        // The 存在问题 column becomes the projects' problems, written once the rows are in.
        if !imported.reported_problems.is_empty() {
            let mut tx = self.store.begin().await?;
            let today = crate::clock::today();
            imported.problems_raised =
                self.raise_reported_problems(&mut tx, &imported.reported_problems, "导入", today).await?;
            tx.commit().await?;
        }
        // The imported figures' 数据核对, so the office sees at once what does not agree.
        let catalogue = self.store.catalogue().await?;
        let years: std::collections::BTreeSet<i32> = imported.figures.iter().map(|(_, y)| *y).collect();
        for year in years {
            let names: Vec<&str> = imported
                .figures
                .iter()
                .filter(|(_, y)| *y == year)
                .filter_map(|(code, _)| catalogue.find(code).map(|i| i.name.as_str()))
                .collect();
            let flags = self.data_flags(year, None).await?;
            imported.flags.extend(flags.into_iter().filter(|f| names.contains(&f.indicator.as_str())));
        }
        Ok(imported)
    }

    /// A unit's progress sheet for a round: each project it owes with its draft as it stands
    /// and the draft's 版本, to be filled in and uploaded again (`progress_drafts`).
    pub async fn progress_sheet(&self, round: &Round, unit: &str) -> Result<Vec<u8>, Error> {
        self.check_read(unit)?;
        if round.form != Form::ProjectProgress {
            return Err(Error::Invalid("只有项目进度有进度表".into()));
        }
        let owed = self.owed_by(round, unit).await?;
        let mut entries: HashMap<String, taizhang_core::workflow::Entry> =
            self.entries(round, unit).await?.into_iter().map(|e| (e.subject.clone(), e)).collect();
        let mut projects = self.projects_by_code(&owed).await?;
        let lines: Vec<taizhang_office::export::UnitSheetLine> = owed
            .into_iter()
            .map(|code| {
                let name = projects.remove(&code).map(|r| r.project.name).unwrap_or_default();
                let entry = entries.remove(&code);
                let version = entry.as_ref().map_or(0, |e| e.version);
                let explanation = entry.as_ref().map(|e| e.explanation.clone()).unwrap_or_default();
                let f = entry.map(|e| e.figures).unwrap_or_default();
                taizhang_office::export::UnitSheetLine {
                    code,
                    name,
                    period: round.period,
                    month_wan: f.month_wan,
                    ytd_wan: f.ytd_wan,
                    since_start_wan: f.since_start_wan,
                    image_progress: f.text,
                    problems: f.problems,
                    explanation,
                    version,
                }
            })
            .collect();
        taizhang_office::export::unit_progress_sheet(&lines).map_err(|e| Error::Invalid(format!("无法生成进度表：{e}")))
    }

    /// A unit's progress workbook as drafts of a round: every row checked as an import is,
    /// and each must be a project the unit owes in the round's month. Nothing is saved when
    /// any row is wrong (`Ok(Err(messages))`); else the number of drafts saved.
    #[tracing::instrument(level = "debug", skip_all, fields(actor = %self.actor.username, round = round.id, unit = %unit))]
    pub async fn progress_drafts(
        &self,
        round: &Round,
        unit: &str,
        bytes: &[u8],
        file: &str,
    ) -> Result<Result<SavedDrafts, Vec<String>>, Error> {
        self.allow(Action::EditDraft, unit)?;
        if round.form != Form::ProjectProgress {
            return Err(Error::Invalid("只有项目进度可以上传工作簿".into()));
        }
        // A unit's sheet is its projects of one month: a file of more rows is not one.
        const MAX_SHEET_ROWS: usize = 10_000;
        let mut table = match taizhang_office::read_table_capped(bytes, file, Kind::Progress, MAX_SHEET_ROWS) {
            Ok(t) => t,
            Err(e) => return Ok(Err(vec![e.to_string()])),
        };
        taizhang_office::import::drop_unfilled(&mut table);
        if table.rows.is_empty() {
            return Ok(Err(vec![format!("{file}：没有填写任何项目的进度")]));
        }
        let rows = match parse_drafts(self.store, &self.config.rules, &table, Kind::Progress, round.period.year()).await
        {
            Ok(Batch::Progress(rows)) => rows,
            Ok(_) => return Err(Error::Invalid("工作簿不是项目进度".into())),
            Err(WorkbookError::App(e)) => return Err(e),
            Err(WorkbookError::Import(e)) => return Ok(Err(e.to_string().lines().map(str::to_string).collect())),
        };
        let owed = self.owed_by(round, unit).await?;
        let mut errors = Vec::new();
        for r in &rows {
            if r.period != round.period {
                errors.push(format!(
                    "{}：报告期{}不是本轮的{}",
                    r.project,
                    r.period.label_zh(false),
                    round.period.label_zh(false)
                ));
            } else if !owed.contains(&r.project) {
                errors.push(format!("{}：不是本单位本轮应报的项目", r.project));
            }
        }
        if !errors.is_empty() {
            let more = errors.len().saturating_sub(taizhang_office::MAX_LISTED_ERRORS);
            errors.truncate(taizhang_office::MAX_LISTED_ERRORS);
            if more > 0 {
                errors.push(format!("另有{more}处错误"));
            }
            return Ok(Err(errors));
        }
        // A sheet taken at 版本 v is saved only over version v: a draft someone changed since
        // (on the form, or by another upload) is named and nothing is saved. The check here
        // says which; the version guard in the write is what makes it hold under a race.
        let versions: HashMap<String, i64> = match taizhang_office::import::sheet_versions(&table) {
            Ok(v) => v.into_iter().filter_map(|(code, v)| Some((code, v?))).collect(),
            Err(errors) => return Ok(Err(errors.iter().map(ToString::to_string).collect())),
        };
        let current: HashMap<String, i64> =
            self.entries(round, unit).await?.into_iter().map(|e| (e.subject, e.version)).collect();
        let stale: Vec<String> = versions
            .iter()
            .filter(|(code, taken)| current.get(*code).copied().unwrap_or(0) != **taken)
            .map(|(code, taken)| {
                format!("{code}下载进度表时为第{taken}版，现为第{}版", current.get(code).copied().unwrap_or(0))
            })
            .collect();
        if !stale.is_empty() {
            let mut stale = stale;
            stale.sort();
            return Err(Error::Conflict(stale.join("，")));
        }
        let drafts: Vec<(String, EntryFigures, Option<i64>)> = rows
            .iter()
            .map(|r| {
                let figures = EntryFigures {
                    month_wan: r.month_wan,
                    ytd_wan: Some(r.ytd_wan),
                    since_start_wan: r.since_start_wan,
                    text: r.image_progress.clone(),
                    problems: r.problems.clone(),
                    ..EntryFigures::default()
                };
                (r.project.clone(), figures, versions.get(&r.project).copied())
            })
            .collect();
        // Every row of the workbook with its 说明, or none of them.
        let explanations = taizhang_office::import::sheet_texts(&table, "explanation");
        self.save_drafts_explained(round, unit, &drafts, &explanations).await?;
        // The submission's rules, said now: what still wants a 说明.
        let saved: Vec<Entry> = self
            .entries(round, unit)
            .await?
            .into_iter()
            .filter(|e| drafts.iter().any(|(code, ..)| *code == e.subject))
            .collect();
        let failures = self.check(round, unit, &saved).await?;
        let mut to_explain: Vec<String> = failures
            .into_iter()
            .filter(|(subject, _)| !explanations.contains_key(subject))
            .map(|(subject, f)| format!("{subject}：{}", f.join("；")))
            .collect();
        to_explain.sort();
        Ok(Ok(SavedDrafts { count: rows.len(), to_explain }))
    }
}
