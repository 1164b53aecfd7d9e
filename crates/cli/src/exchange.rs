//! `taizhang import` and `taizhang export`: workbooks in and out through the office crate.

use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use taizhang_app::{Acting, ImportRequest};
use taizhang_core::batch::Batch;
use taizhang_core::period::Period;
use taizhang_core::workflow::{Form, RoundStatus};
use taizhang_office::export::Names;
use taizhang_office::{ImportError, Kind};

use crate::CliError;

/// Files with more rows than this show a progress spinner on a terminal.
const SPINNER_ROWS: usize = 3000;

pub struct ImportArgs<'a> {
    pub kind: Kind,
    pub file: &'a Path,
    pub sheet: Option<&'a str>,
    pub year: i32,
    pub dry_run: bool,
}

pub async fn import(acting: &Acting<'_>, args: ImportArgs<'_>) -> Result<(), CliError> {
    let started = std::time::Instant::now();
    let name = args.file.display().to_string();
    let size = std::fs::metadata(args.file).map_err(|e| crate::file_error("打开", args.file, &e))?.len();
    if size > taizhang_office::MAX_FILE_BYTES {
        // Refused before reading it into memory.
        return Err(CliError::Import(taizhang_office::ImportError::File(format!(
            "{name} 有 {} MB，超过上限 {} MB：请按年度或单位拆分后分别导入",
            size / (1024 * 1024),
            taizhang_office::MAX_FILE_BYTES / (1024 * 1024)
        ))));
    }
    let bytes = std::fs::read(args.file).map_err(|e| crate::file_error("打开", args.file, &e))?;
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let verb = if args.dry_run { "校验并比对" } else { "校验并写入" };
    let on_rows = |rows: usize| {
        if rows > SPINNER_ROWS {
            if spinner.message().is_empty() {
                spinner.enable_steady_tick(std::time::Duration::from_millis(120));
            }
            spinner.set_message(format!("{verb}：已读 {rows} 行"));
        }
    };
    if args.kind == Kind::Progress && acting.actor().role.needs_unit() {
        return progress_drafts(acting, &bytes, &name).await;
    }
    let request = ImportRequest {
        bytes,
        file: name.clone(),
        kind: args.kind,
        sheet: args.sheet.map(str::to_string),
        year: args.year,
        dry_run: args.dry_run,
    };
    let outcome = acting.import_workbook(request, &on_rows).await;
    spinner.finish_and_clear();
    let done = outcome?;
    tracing::info!(elapsed = ?started.elapsed(), rows = done.rows, "imported");
    for w in &done.warnings {
        eprintln!("提示：{w}");
    }
    let verb = if args.dry_run { "试运行（未写入）" } else { "已导入" };
    say!("{verb} {name} 工作表“{}”{}行：{}", done.sheet, done.rows, done.summary);
    for f in &done.flags {
        say!("数据核对\t{}\t{}（{}）：{}", f.period.label_zh(false), f.indicator, f.unit, f.message);
    }
    Ok(())
}

/// A unit role's progress workbook becomes drafts of the open round for its unit, as the
/// 填报 page's upload does: the ledger itself changes only when the district accepts them.
async fn progress_drafts(acting: &Acting<'_>, bytes: &[u8], name: &str) -> Result<(), CliError> {
    let unit = acting.scope_of(None)?;
    let round = acting
        .rounds()
        .await?
        .into_iter()
        .find(|r| r.form == Form::ProjectProgress && r.status == RoundStatus::Open)
        .ok_or_else(|| CliError::Usage("没有开启中的项目进度填报轮次：进度须在填报轮次中报送".into()))?;
    match acting.progress_drafts(&round, &unit, bytes, name).await? {
        Ok(saved) => {
            say!("已从 {name} 保存{}草稿{}条：核对后请上报", round.period.label_zh(false), saved.count);
            if !saved.to_explain.is_empty() {
                say!("{}项需说明（可修改，或在表中“说明”列、上报时填写说明）：", saved.to_explain.len());
                for line in &saved.to_explain {
                    say!("  {line}");
                }
            }
            Ok(())
        }
        Err(errors) => Err(CliError::Import(ImportError::File(format!(
            "{name} 未通过校验，未保存任何数据：\n{}",
            errors.join("\n")
        )))),
    }
}

pub struct ExportArgs<'a> {
    pub kind: &'a str,
    pub out: &'a Path,
    /// None: the latest year with data (from this year back).
    pub year: Option<i32>,
    pub period: Option<Period>,
    pub unit: Option<&'a str>,
    pub template: bool,
}

pub async fn export(acting: &Acting<'_>, args: ExportArgs<'_>) -> Result<(), CliError> {
    // A unit role exports its own unit's subtree; naming another unit is refused.
    let unit = acting.reach(args.unit)?;
    let unit = unit.as_deref();
    let asked = args.period.map(Period::year).or(args.year);
    let year = asked.unwrap_or_else(|| taizhang_app::clock::today().year);
    let bytes = if args.kind == "ledger" {
        if args.template {
            return Err(CliError::Usage("台账（ledger）是报表，没有导入模板；模板请用 projects 或 progress".into()));
        }
        let period = match args.period {
            Some(p @ Period::Month(..)) => p,
            _ => return Err(CliError::Usage("导出台账需要 --period 指定月份，如 --period 2017-06".into())),
        };
        let lines = acting.ledger_lines(period, unit).await?;
        let top = acting.unit_or_top(unit)?.name;
        taizhang_office::export::ledger(&format!("{top}重点项目建设台账"), period, &lines).map_err(xlsx_error)?
    } else {
        let kind: Kind = args.kind.parse().map_err(CliError::Import)?;
        if args.template {
            taizhang_office::export::workbook(kind, &[]).map_err(xlsx_error)?
        } else {
            let of_year = |year: i32| async move {
                Ok::<_, CliError>(match kind {
                    Kind::Units => Batch::Units(acting.units().await?),
                    Kind::Indicators => Batch::Values(acting.values_of_year(year, unit).await?),
                    Kind::Targets => Batch::Targets(acting.targets_of_year(year, unit).await?),
                    Kind::Projects => Batch::Projects(acting.project_records(Some(year), unit).await?),
                    Kind::Progress => {
                        let mut rows = acting.progress_rows(year, args.period.map(Period::month_of_year), unit).await?;
                        if let Some(p @ Period::Month(..)) = args.period {
                            rows.retain(|g| g.period == p);
                        }
                        Batch::Progress(rows)
                    }
                    Kind::Tasks => Batch::Tasks(acting.tasks_of_year(year, unit).await?),
                    Kind::Catalogue => Batch::Indicators(acting.catalogue().await?.indicators),
                    Kind::Honours => Batch::Honours(acting.honours_of_year(year, unit).await?),
                })
            };
            // Without --year: the latest year that has any, looking back from this one.
            let mut batch = of_year(year).await?;
            if asked.is_none() {
                for earlier in (year - 15..year).rev() {
                    if !batch.is_empty() {
                        break;
                    }
                    batch = of_year(earlier).await?;
                    if !batch.is_empty() {
                        say!("未指定 --year：导出有数据的最近年度 {earlier}年");
                    }
                }
            }
            if batch.is_empty() {
                // Units and the catalogue are not kept by year.
                let when =
                    if matches!(kind, Kind::Units | Kind::Catalogue) { String::new() } else { format!("{year}年") };
                eprintln!("提示：{when}没有{}数据，只导出了表头", kind.sheet_name());
            }
            let catalogue = acting.catalogue().await?;
            let units = acting.tree();
            let (kind, rows) = taizhang_office::export::rows(&batch, Names { units, catalogue: &catalogue });
            taizhang_office::export::workbook(kind, &rows).map_err(xlsx_error)?
        }
    };
    std::fs::write(args.out, bytes).map_err(|e| crate::file_error("写入", args.out, &e))?;
    say!("已导出 {}", args.out.display());
    Ok(())
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> CliError {
    CliError::Usage(format!("生成 Excel 失败：{e}"))
}

impl From<ImportError> for CliError {
    fn from(e: ImportError) -> Self {
        CliError::Import(e)
    }
}
