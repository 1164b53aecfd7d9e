//! `taizhang`: the ledger's command line. It wires the crates together and speaks to people;
//! every command acts as an account through `taizhang-app`; HTTP is `taizhang-web`'s.

/// `println!` that ends the program quietly when the reader has gone (`taizhang … | head`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

mod cycle;
mod exchange;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use rand::SeedableRng;
use rand::distr::{Alphanumeric, SampleString};
use taizhang_app::Redacted;
use taizhang_app::demo;
use taizhang_app::{Acting, App, GenSpec, NewUser};
use taizhang_app::{ReportKind, ReportRequest};
use taizhang_core::indicator::Catalogue;
use taizhang_core::world::{World, WorldFiles};

#[derive(Debug, Parser)]
#[command(name = "taizhang", version, about = "台账：重点项目、重点工作与指标的填报、预警与报告")]
struct Cli {
    /// Database: sqlite://file.db (default) or postgres://user@host/db
    #[arg(long, global = true, env = "TAIZHANG_DB", default_value = "sqlite://taizhang.db")]
    db: String,
    /// The jurisdiction's rules and light thresholds (TOML); built-in defaults otherwise
    #[arg(long, global = true, env = "TAIZHANG_CONFIG")]
    config: Option<std::path::PathBuf>,
    /// The account the command acts as (its role and unit decide what it may do)
    #[arg(long = "as", global = true, env = "TAIZHANG_AS", default_value = "admin")]
    acting: String,
    /// How the log (standard error; level by TAIZHANG_LOG, default warn) is written
    #[arg(long, global = true, value_enum, env = "TAIZHANG_LOG_FORMAT", default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Statements slower than this many milliseconds are logged as warnings
    #[arg(long, global = true, env = "TAIZHANG_SLOW_STATEMENT_MS", default_value_t = 500)]
    slow_statement_ms: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create or migrate the database, install the indicator catalogue and the admin account
    Init(AdminArgs),
    /// Load the 二七区 (Erqi) demo world and its demo accounts
    Demo(AdminArgs),
    /// Load a world described in TOML files (units.toml, values.toml, plan.toml, projects.toml,
    /// tasks.toml, as in data/demo/erqi): all of it in one transaction, or nothing
    Load { dir: std::path::PathBuf },
    /// Import a workbook of one kind (units, indicators, targets, projects, progress, tasks):
    /// columns found by their Chinese headers, every error located, all or nothing
    Import {
        kind: String,
        file: std::path::PathBuf,
        #[arg(long)]
        sheet: Option<String>,
        /// Plan year of project rows without a 年度 column (default: this year)
        #[arg(long)]
        year: Option<i32>,
        /// Report what would change (new / changed / unchanged) without writing
        #[arg(long)]
        dry_run: bool,
    },
    /// Export a kind (or `ledger`, the monthly project ledger) to an .xlsx workbook
    Export {
        kind: String,
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long)]
        year: Option<i32>,
        /// A month (2017-06) or year; the ledger needs a month
        #[arg(long)]
        period: Option<String>,
        /// Unit code or name: only its subtree
        #[arg(long)]
        unit: Option<String>,
        /// An empty workbook with the headers, to fill in
        #[arg(long)]
        template: bool,
    },
    /// Accounts: add, passwd, list
    #[command(subcommand)]
    User(UserCommand),
    /// Reporting rounds: open, status, close
    #[command(subcommand)]
    Round(RoundCommand),
    /// Problems (问题) of projects: raise, list, escalate the overdue, resolve
    #[command(subcommand)]
    Problem(ProblemCommand),
    /// 督办 orders: issue, list, respond, extend (ask and decide), close or send back
    #[command(subcommand)]
    Order(OrderCommand),
    /// 调度 meetings: record one (its decisions become 督办 orders), list a period's
    #[command(subcommand)]
    Meeting(MeetingCommand),
    /// Node plans (倒排工期): show a project's, set one node, import a workbook
    #[command(subcommand)]
    Node(NodeCommand),
    /// 要素保障 items (五落实): show a project's, set one
    #[command(subcommand)]
    Element(ElementCommand),
    /// Back up the whole database from one snapshot (the server may keep running)
    Backup {
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Restore a backup into a new, empty database (--db), checked before it reports success
    Restore { file: std::path::PathBuf },
    /// The tamper-evident audit trail: verify the chain and the ledger's digests, or list it
    #[command(subcommand)]
    Audit(AuditCommand),
    /// 催报/催办: plan today's reminders and send those due (as `serve` does every few minutes)
    Remind {
        #[arg(long)]
        today: Option<String>,
        /// Only list the latest reminders and how their sending went
        #[arg(long)]
        log: bool,
    },
    /// The red and yellow lights of a period, each with its reason
    Warnings {
        #[arg(long)]
        period: String,
        /// Unit code or name: only its subtree
        #[arg(long)]
        unit: Option<String>,
        /// The day tasks and orders are judged on (default: today)
        #[arg(long)]
        today: Option<String>,
        /// Green items too
        #[arg(long)]
        all: bool,
    },
    /// Print a report
    #[command(subcommand)]
    Report(ReportCommand),
    /// The workbooks imported into the ledger: who, when, which file, what changed
    Imports,
    /// Every version of an indicator's figures (初步预计 → 最终核实 …): when, by whom, from where
    History {
        /// Indicator name, code or alias
        indicator: String,
        /// Unit code or name (default: the top unit)
        #[arg(long)]
        unit: Option<String>,
        /// Only this period (2017, 2017-09 …)
        #[arg(long)]
        period: Option<String>,
    },
    /// Print the OpenAPI document of the JSON API (what /api/openapi.json serves)
    Openapi,
    /// Start the HTTP server
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Load the Erqi demo first when the database holds no units
        #[arg(long)]
        demo: bool,
        /// Bearer token a Prometheus scraper sends for /metrics (else only admins read it)
        #[arg(long, env = "TAIZHANG_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        /// Browsers reach the server over https (here, or at a proxy in front): Secure cookies, HSTS
        #[arg(long, env = "TAIZHANG_HTTPS")]
        https: bool,
        #[command(flatten)]
        admin: AdminArgs,
    },
    /// Generate a reproducible synthetic city for benchmarks (into an empty database)
    Gen {
        #[arg(long)]
        districts: u32,
        #[arg(long)]
        projects_per_district: u32,
        #[arg(long)]
        years: u32,
        #[arg(long, default_value_t = 2018)]
        seed: u64,
        /// The last year of the generated history
        #[arg(long, default_value_t = 2017)]
        last_year: i32,
    },
}

#[derive(Debug, clap::Args)]
struct AdminArgs {
    /// Password of the `admin` account (else one is generated and printed once)
    #[arg(long, env = "TAIZHANG_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account (or update it)
    Add {
        username: String,
        /// admin, reviewer, unit_leader, unit_reporter or leader (or 管理员、区级审核、单位审核、填报员、领导)
        #[arg(long)]
        role: String,
        /// Unit code or name (unit roles)
        #[arg(long)]
        unit: Option<String>,
        /// The person's name as pages show it
        #[arg(long)]
        name: Option<String>,
        /// Else one is generated and printed once
        #[arg(long, env = "TAIZHANG_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Set a new password
    Passwd {
        username: String,
        #[arg(long, env = "TAIZHANG_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List accounts
    List,
    /// Stop an account: it cannot sign in and its sessions end (its history keeps its name)
    Disable { username: String },
    /// Let a stopped account sign in again
    Enable { username: String },
}

#[derive(Debug, Subcommand)]
enum RoundCommand {
    /// Open a reporting round: which units owe what, due on the 25th unless --due
    Open {
        #[arg(long)]
        period: String,
        /// projects, tasks or indicators
        #[arg(long, default_value = "projects")]
        form: String,
        #[arg(long)]
        due: Option<String>,
    },
    /// Each unit's standing, and who is overdue
    Status {
        #[arg(long)]
        period: String,
        #[arg(long, default_value = "projects")]
        form: String,
        #[arg(long)]
        today: Option<String>,
    },
    /// Close the round: every record is locked
    Close {
        #[arg(long)]
        period: String,
        #[arg(long, default_value = "projects")]
        form: String,
    },
    /// Reopen a closed round (admin, with a reason): its locked records go back to the units
    Reopen {
        #[arg(long)]
        period: String,
        #[arg(long, default_value = "projects")]
        form: String,
        #[arg(long)]
        reason: String,
    },
    /// A unit's progress sheet for the round (its drafts and their 版本), to fill in and upload
    /// again with `taizhang import progress`
    Sheet {
        #[arg(long)]
        period: String,
        /// The unit (a unit's own accounts may leave it out)
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum OrderCommand {
    /// Issue a 督办 order to a unit, or from a problem (its unit and project)
    Issue {
        #[arg(long, required_unless_present = "problem")]
        unit: Option<String>,
        /// The problem the order is issued from
        #[arg(long)]
        problem: Option<i64>,
        /// What it is about: a project or task code, or a problem number
        #[arg(long, default_value = "")]
        subject: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        requirement: String,
        #[arg(long)]
        deadline: String,
        #[arg(long)]
        today: Option<String>,
    },
    /// The 督办通知单 of an order as Word
    Notice {
        id: i64,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Orders of a unit's subtree, with state, deadline and light
    List {
        #[arg(long)]
        unit: Option<String>,
        /// Not yet closed
        #[arg(long)]
        open: bool,
        #[arg(long)]
        today: Option<String>,
    },
    /// The unit answers (反馈), signing for the order first when needed
    Respond {
        id: i64,
        #[arg(long)]
        feedback: String,
    },
    /// Ask for a later deadline (the unit), before the current one passes
    Extend {
        id: i64,
        #[arg(long)]
        to: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        today: Option<String>,
    },
    /// Approve or refuse an extension request (the issuer's side)
    Decide {
        request: i64,
        #[arg(long)]
        approve: bool,
        #[arg(long)]
        today: Option<String>,
    },
    /// Close an answered order
    Close {
        id: i64,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Send an answered order back for rework (退回重办), with the reason
    Rework {
        id: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
enum ProblemCommand {
    /// Raise a problem on a project; it starts with the responsible unit
    Add {
        #[arg(long)]
        project: String,
        #[arg(long)]
        description: String,
        /// Who answers for it (default: the project's responsible person)
        #[arg(long)]
        owner: Option<String>,
        /// When it must be solved
        #[arg(long)]
        deadline: String,
        #[arg(long)]
        today: Option<String>,
    },
    /// Problems of a unit's subtree, with level, deadline and age
    List {
        #[arg(long)]
        unit: Option<String>,
        /// Open ones only
        #[arg(long)]
        open: bool,
        #[arg(long)]
        today: Option<String>,
    },
    /// Move every overdue open problem up one level (责任单位 → 分包领导 → 区级)
    Escalate {
        #[arg(long)]
        today: Option<String>,
    },
    /// Resolve a problem with its 办结说明
    Resolve {
        id: i64,
        #[arg(long)]
        resolution: String,
        #[arg(long)]
        today: Option<String>,
    },
    /// The raiser confirms a resolved problem (确认办结), or with --reject sends it back open
    Confirm {
        id: i64,
        /// Not satisfied: the problem reopens (the reason is required)
        #[arg(long)]
        reject: bool,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        today: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute the chain and every ledger figure's digest; exits non-zero naming the first break
    Verify,
    /// The latest events, newest first
    Log {
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

#[derive(Debug, Subcommand)]
enum MeetingCommand {
    /// Record a meeting; each --decision "事项|单位|时限" becomes a 督办 order to that unit
    Add {
        /// 周调度, 旬调度, 月观摩, 季讲评 (as configured)
        #[arg(long)]
        kind: String,
        #[arg(long)]
        date: String,
        #[arg(long, default_value = "")]
        chair: String,
        #[arg(long, default_value = "")]
        attendees: String,
        /// Projects discussed (codes), repeatable
        #[arg(long = "project")]
        projects: Vec<String>,
        #[arg(long, default_value = "")]
        summary: String,
        /// 事项|责任单位|办理时限, repeatable
        #[arg(long = "decision")]
        decisions: Vec<String>,
        #[arg(long)]
        today: Option<String>,
    },
    /// Meetings of a period (2018W23, 2018-06上旬, 2018-06, 2018Q2), or all
    List {
        #[arg(long)]
        period: Option<String>,
    },
    /// The 会议纪要 of a meeting as Word
    Minutes {
        id: i64,
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum NodeCommand {
    /// A project's node plan with each node's light today
    Show { project: String },
    /// Set one node's planned and actual dates
    Set {
        project: String,
        node: String,
        #[arg(long)]
        planned: Option<String>,
        #[arg(long)]
        actual: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        today: Option<String>,
    },
    /// A workbook of 项目编码, 节点, 计划完成日期, 实际完成日期, 说明: all rows or none
    Import {
        file: std::path::PathBuf,
        #[arg(long)]
        sheet: Option<String>,
        #[arg(long)]
        today: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ElementCommand {
    /// A project's 要素保障 items
    Show { project: String },
    /// Record where one item stands: 已落实, 推进中 or 存在困难
    Set {
        project: String,
        item: String,
        #[arg(long)]
        status: String,
        /// The unit answering for it (default: the project's)
        #[arg(long)]
        unit: Option<String>,
        /// When it should be settled by
        #[arg(long)]
        due: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long)]
        today: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// The annual summary of a unit, in the government's prose
    Annual {
        #[arg(long)]
        year: i32,
        /// Unit code or name (default: the top unit)
        #[arg(long)]
        unit: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// The monthly 调度通报 of key projects
    Briefing {
        /// The month (2018-05)
        #[arg(long)]
        period: String,
        #[arg(long)]
        unit: Option<String>,
        /// The day it is issued; tasks and 督办 are judged on it (default: today)
        #[arg(long)]
        today: Option<String>,
        /// The issuing office (default: the unit's 发展和改革委员会)
        #[arg(long)]
        issued_by: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// The monthly project ledger (Excel: the print-ready workbook)
    Ledger {
        #[arg(long)]
        period: String,
        #[arg(long)]
        unit: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// One project's 档案: its record, plan and progress, nodes, 要素保障, problems and 督办
    Dossier {
        #[arg(long)]
        project: String,
        /// The year (default: this year)
        #[arg(long)]
        year: Option<i32>,
        #[command(flatten)]
        output: Output,
    },
    /// A 综合考核 league table from a scheme file (see data/demo/erqi/assessment-2018-05.toml)
    Assessment {
        #[arg(long)]
        scheme: std::path::PathBuf,
        #[command(flatten)]
        output: Output,
    },
}

#[derive(Debug, clap::Args)]
struct Output {
    #[arg(long, value_enum, default_value_t = Format::Md)]
    format: Format,
    /// Write to this file (needed for docx, xlsx and pdf; md and html print otherwise)
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    /// A period without data is a report that says so; without this flag it is an error
    #[arg(long)]
    allow_empty: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    /// Lines for people
    Text,
    /// One JSON object a line, for log collectors
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Md,
    Html,
    Docx,
    Xlsx,
    /// Word through LibreOffice (`soffice` must be installed)
    Pdf,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    App(#[from] taizhang_app::Error),
    #[error("{0}")]
    Domain(#[from] taizhang_core::DomainError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Import(taizhang_office::ImportError),
}

/// Writes a report in the asked format, to `--out` or (text formats) to standard output.
fn report_request(
    kind: ReportKind,
    period: Option<taizhang_core::period::Period>,
    unit: Option<&str>,
) -> ReportRequest {
    ReportRequest {
        kind,
        period,
        year: None,
        unit: unit.map(str::to_string),
        scheme: None,
        project: None,
        today: taizhang_app::clock::today(),
        issued_by: None,
    }
}

/// A report through the app, written as `output` asks; a period without data is an error
/// unless `--allow-empty`.
async fn report(acting: &taizhang_app::Acting<'_>, req: ReportRequest, output: &Output) -> Result<(), CliError> {
    let report = acting.report(&req).await?;
    if report.empty && !output.allow_empty {
        return Err(CliError::Usage(format!("{}（用 --allow-empty 照样生成）", report.document.text())));
    }
    if let (Format::Xlsx, Some((title, period, lines))) = (output.format, &report.ledger) {
        let bytes = taizhang_office::export::ledger(title, *period, lines)
            .map_err(|e| CliError::Usage(format!("生成 Excel 失败：{e}")))?;
        return write_output(bytes, output);
    }
    if let Format::Docx | Format::Pdf = output.format {
        let docx = taizhang_office::report::docx_with(&report.document, &report.style).map_err(CliError::Usage)?;
        let bytes = match output.format {
            Format::Pdf => taizhang_office::report::pdf(&docx).map_err(CliError::Usage)?,
            _ => docx,
        };
        return write_output(bytes, output);
    }
    emit(&report.document, output)
}

fn emit(doc: &taizhang_core::report::Document, output: &Output) -> Result<(), CliError> {
    let bytes = match output.format {
        Format::Pdf => {
            let docx = taizhang_office::report::docx(doc).map_err(CliError::Usage)?;
            taizhang_office::report::pdf(&docx).map_err(CliError::Usage)?
        }
        Format::Md => doc.to_markdown().into_bytes(),
        Format::Html => taizhang_web::report::html(doc).map_err(CliError::Usage)?.into_bytes(),
        Format::Docx => taizhang_office::report::docx(doc).map_err(CliError::Usage)?,
        Format::Xlsx => {
            taizhang_office::report::xlsx(doc).map_err(|e| CliError::Usage(format!("生成 Excel 失败：{e}")))?
        }
    };
    write_output(bytes, output)
}

fn write_output(bytes: Vec<u8>, output: &Output) -> Result<(), CliError> {
    match &output.out {
        Some(path) => {
            std::fs::write(path, bytes).map_err(|e| CliError::Usage(format!("无法写入 {}：{e}", path.display())))?;
            say!("已生成 {}", path.display());
        }
        None if matches!(output.format, Format::Md | Format::Html) => {
            use std::io::Write;
            // A closed pipe (`| head`) ends the output quietly.
            let _ = std::io::stdout().write_all(&bytes);
        }
        None => return Err(CliError::Usage("Word、Excel 与 PDF 格式需要 --out 指定文件".into())),
    }
    Ok(())
}

fn current_year() -> i32 {
    taizhang_app::clock::today().year
}

fn parse_today(text: Option<&str>) -> Result<taizhang_core::project::Date, CliError> {
    Ok(text.map(taizhang_core::project::Date::parse).transpose()?.unwrap_or_else(taizhang_app::clock::today))
}

fn new_password() -> String {
    Alphanumeric.sample_string(&mut rand::rngs::StdRng::from_os_rng(), 16)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let log = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("TAIZHANG_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => log.init(),
        LogFormat::Json => log.json().init(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let CliError::Import(error @ taizhang_office::ImportError::Cells(cells)) = &e {
                eprintln!("{error}");
                eprintln!("错误：共{}处错误，未写入任何数据", cells.total());
            } else {
                eprintln!("错误：{e}");
            }
            ExitCode::from(if matches!(e, CliError::Usage(_)) { 2 } else { 1 })
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let config = cycle::load_config(cli.config.as_deref())?;
    let slow = std::time::Duration::from_millis(cli.slow_statement_ms);
    let app = App::open_with(&cli.db, config, slow).await?;
    let result = dispatch(&app, &cli).await;
    app.close().await;
    result
}

/// Every command acts as the account named by `--as` (after set-up has made sure `admin`
/// exists), through the app layer and its permission rule.
async fn dispatch(app: &App, cli: &Cli) -> Result<(), CliError> {
    match &cli.command {
        Command::Init(admin) => {
            init(app, admin).await?;
            say!("数据库已就绪：{}", Redacted(&cli.db));
        }
        Command::Demo(admin) => {
            init(app, admin).await?;
            let acting = app.as_user(&cli.acting).await?;
            load_demo(&acting).await?;
            let c = app.counts().await?;
            say!(
                "已载入二七区示例：单位{}个，指标数据{}条，项目{}个（月度进度{}条），重点工作{}项。示例账号口令：{}",
                c.units,
                c.values,
                c.projects,
                c.progress,
                c.tasks,
                demo::DEMO_PASSWORD
            );
        }
        Command::Load { dir } => {
            let read = |name: &str| -> Result<String, CliError> {
                match std::fs::read_to_string(dir.join(name)) {
                    Ok(text) => Ok(text),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
                    Err(e) => Err(CliError::Usage(format!("无法读取 {}：{e}", dir.join(name).display()))),
                }
            };
            let texts = ["units.toml", "values.toml", "plan.toml", "projects.toml", "tasks.toml"].map(read);
            let [units, values, plan, projects, tasks] = texts;
            let (units, values, plan, projects, tasks) = (units?, values?, plan?, projects?, tasks?);
            if [&units, &values, &plan, &projects, &tasks].iter().all(|t| t.trim().is_empty()) {
                return Err(CliError::Usage(format!(
                    "{} 中没有 units.toml、values.toml、plan.toml、projects.toml 或 tasks.toml",
                    dir.display()
                )));
            }
            init(app, &AdminArgs { admin_password: None }).await?;
            let acting = app.as_user(&cli.acting).await?;
            let files = WorldFiles { units: &units, values: &values, plan: &plan, projects: &projects, tasks: &tasks };
            let world = World::parse(files, &acting.catalogue().await?)?;
            acting.load_world(&world, &[], &[]).await?;
            say!(
                "已载入：单位{}个，指标数据{}条，目标{}条，计划节点{}个，项目{}个，重点工作{}项",
                world.units.len(),
                world.values.len(),
                world.targets.len(),
                world.plan.len(),
                world.projects.len(),
                world.tasks.len()
            );
        }
        Command::User(cmd) => {
            let acting = app.as_user(&cli.acting).await?;
            match cmd {
                UserCommand::Add { username, role, unit, name, password } => {
                    let unit = match unit {
                        Some(u) => Some(acting.find_unit(u)?.code.into()),
                        None => None,
                    };
                    let (password, generated) = match password {
                        Some(p) => (p.clone(), false),
                        None => (new_password(), true),
                    };
                    let user = NewUser {
                        username: username.clone(),
                        display_name: name.clone().unwrap_or_else(|| username.clone()),
                        password,
                        role: role.parse()?,
                        unit,
                    };
                    cycle::user_add(&acting, user, generated).await?;
                }
                UserCommand::Passwd { username, password } => {
                    let (password, generated) = match password {
                        Some(p) => (p.clone(), false),
                        None => (new_password(), true),
                    };
                    cycle::user_passwd(&acting, username, &password).await?;
                    if generated {
                        say!("新口令（仅显示这一次）：{password}");
                    }
                }
                UserCommand::List => cycle::user_list(&acting).await?,
                UserCommand::Disable { username } => {
                    acting.set_account_disabled(username, true).await?;
                    say!("已停用账号 {username}：不能登录，已登录的会话已结束");
                }
                UserCommand::Enable { username } => {
                    acting.set_account_disabled(username, false).await?;
                    say!("已启用账号 {username}");
                }
            }
        }
        Command::Order(cmd) => {
            let acting = app.as_user(&cli.acting).await?;
            cycle::order(&acting, cmd).await?;
        }
        Command::Problem(cmd) => {
            let acting = app.as_user(&cli.acting).await?;
            cycle::problem(&acting, cmd).await?;
        }
        Command::Meeting(cmd) => cycle::meeting(&app.as_user(&cli.acting).await?, cmd).await?,
        Command::Node(cmd) => cycle::node(&app.as_user(&cli.acting).await?, cmd).await?,
        Command::Element(cmd) => cycle::element(&app.as_user(&cli.acting).await?, cmd).await?,
        Command::Backup { out } => {
            let acting = app.as_user(&cli.acting).await?;
            let partial = out.with_extension("partial");
            let mut file = std::io::BufWriter::new(std::fs::File::create(&partial)?);
            let done = acting.backup(&mut file).await?;
            drop(file);
            std::fs::rename(&partial, out)?;
            say!("已备份{}张表{}行（数据结构版本 {}）：{}", done.tables, done.rows, done.schema, out.display());
        }
        Command::Restore { file } => {
            let mut input = std::io::BufReader::new(std::fs::File::open(file)?);
            let done = app.restore_into_empty(&mut input).await?;
            say!("已恢复{}张表{}行，逐表行数与审计链核验一致：{}", done.tables, done.rows, Redacted(&cli.db));
        }
        Command::Audit(cmd) => {
            let acting = app.as_user(&cli.acting).await?;
            match cmd {
                AuditCommand::Verify => {
                    let report = acting.verify_audit().await?;
                    say!("{}", report.summary());
                    for b in report.row_breaks.iter().skip(1).take(20) {
                        say!("  {b}");
                    }
                    if !report.is_clean() {
                        return Err(CliError::Usage("审计核验未通过".into()));
                    }
                }
                AuditCommand::Log { limit } => {
                    say!("序号\t时间\t账号\t动作\t对象\t内容");
                    for e in acting.audit_trail(*limit).await? {
                        say!("{}\t{}\t{}\t{}\t{}\t{}", e.seq, e.at, e.actor, e.action, e.subject, e.detail);
                    }
                }
            }
        }
        Command::Remind { today, log } => {
            let acting = app.as_user(&cli.acting).await?;
            if !*log {
                let queued = acting.plan_reminders(parse_today(today.as_deref())?).await?;
                let done = acting.deliver_reminders(taizhang_app::now_seconds()).await?;
                say!("新生成提醒{queued}条；发送成功{}条，失败{}条（失败的将稍后重试）", done.sent, done.failed);
            }
            say!("生成时间\t渠道\t发往\t标题\t尝试次数\t发送时间\t最近错误");
            for r in acting.reminder_log(50).await? {
                say!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    r.created_at,
                    r.channel.label_zh(),
                    r.target,
                    r.subject,
                    r.attempts,
                    r.sent_at.unwrap_or_else(|| "未发送".into()),
                    r.last_error
                );
            }
        }
        Command::Round(cmd) => {
            let acting = app.as_user(&cli.acting).await?;
            match cmd {
                RoundCommand::Open { period, form, due } => {
                    let due = due.as_deref().map(taizhang_core::project::Date::parse).transpose()?;
                    cycle::round_open(&acting, period.parse()?, form.parse()?, due).await?;
                }
                RoundCommand::Status { period, form, today } => {
                    let today = parse_today(today.as_deref())?;
                    cycle::round_status(&acting, period.parse()?, form.parse()?, today).await?;
                }
                RoundCommand::Close { period, form } => {
                    cycle::round_close(&acting, period.parse()?, form.parse()?).await?;
                }
                RoundCommand::Sheet { period, unit, out } => {
                    let period: taizhang_core::period::Period = period.parse()?;
                    let round = acting.round(period, taizhang_core::workflow::Form::ProjectProgress).await?;
                    let unit = acting.scope_of(unit.as_deref())?;
                    std::fs::write(out, acting.progress_sheet(&round, &unit).await?)?;
                    say!("已写出{}进度表：{}", period.label_zh(false), out.display());
                }
                RoundCommand::Reopen { period, form, reason } => {
                    let (period, form): (taizhang_core::period::Period, _) = (period.parse()?, form.parse()?);
                    let round = acting.round(period, form).await?;
                    acting.reopen_round(&round, reason).await?;
                    say!(
                        "已重新开放 {}{} 填报（{reason}），已锁定的记录退回各单位",
                        period.label_zh(false),
                        form.label_zh()
                    );
                }
            }
        }
        Command::Warnings { period, unit, today, all } => {
            let acting = app.as_user(&cli.acting).await?;
            let today = parse_today(today.as_deref())?;
            cycle::warnings(&acting, period.parse()?, unit.as_deref(), today, *all).await?;
        }
        Command::Import { kind, file, sheet, year, dry_run } => {
            let kind = kind.parse().map_err(CliError::Import)?;
            let year = year.unwrap_or_else(current_year);
            let args = exchange::ImportArgs { kind, file, sheet: sheet.as_deref(), year, dry_run: *dry_run };
            exchange::import(&app.as_user(&cli.acting).await?, args).await?;
        }
        Command::Export { kind, out, year, period, unit, template } => {
            let period = period.as_deref().map(str::parse).transpose()?;
            let args =
                exchange::ExportArgs { kind, out, year: *year, period, unit: unit.as_deref(), template: *template };
            exchange::export(&app.as_user(&cli.acting).await?, args).await?;
        }
        Command::Report(ReportCommand::Annual { year, unit, output }) => {
            let req = report_request(ReportKind::Annual, None, unit.as_deref());
            report(&app.as_user(&cli.acting).await?, ReportRequest { year: Some(*year), ..req }, output).await?;
        }
        Command::Report(ReportCommand::Briefing { period, unit, today, issued_by, output }) => {
            let req = ReportRequest {
                today: parse_today(today.as_deref())?,
                issued_by: issued_by.clone(),
                ..report_request(ReportKind::Briefing, Some(period.parse()?), unit.as_deref())
            };
            report(&app.as_user(&cli.acting).await?, req, output).await?;
        }
        Command::Report(ReportCommand::Ledger { period, unit, output }) => {
            let req = report_request(ReportKind::Ledger, Some(period.parse()?), unit.as_deref());
            report(&app.as_user(&cli.acting).await?, req, output).await?;
        }
        Command::Report(ReportCommand::Dossier { project, year, output }) => {
            let req = ReportRequest {
                project: Some(project.clone()),
                year: *year,
                ..report_request(ReportKind::Dossier, None, None)
            };
            report(&app.as_user(&cli.acting).await?, req, output).await?;
        }
        Command::Report(ReportCommand::Assessment { scheme, output }) => {
            let text = std::fs::read_to_string(scheme)
                .map_err(|e| CliError::Usage(format!("无法读取考核方案 {}：{e}", scheme.display())))?;
            let scheme = taizhang_core::assessment::Scheme::from_toml(&text)?;
            let acting = app.as_user(&cli.acting).await?;
            let (units, measures) = acting.assessment_measures(&scheme).await?;
            let standings = taizhang_core::assessment::score(&scheme, &units, &measures);
            emit(&taizhang_core::assessment::document(&scheme, &standings), output)?;
        }
        Command::History { indicator, unit, period } => {
            let acting = app.as_user(&cli.acting).await?;
            let catalogue = acting.catalogue().await?;
            let ind = catalogue.require(indicator)?;
            let unit = acting.unit_or_top(unit.as_deref())?;
            let period = period.as_deref().map(str::parse).transpose()?;
            let versions = acting.value_history(&ind.code, &unit.code, period).await?;
            say!("{}（{}）数据版本{}个", ind.name, unit.name, versions.len());
            say!("报告期\t时间\t账号\t数值\t增长率\t数据状态/口径/价格基础\t来源");
            for v in &versions {
                let [value, growth, words, source] = taizhang_core::report::version_cells(ind, v);
                say!("{}\t{}\t{}\t{value}\t{growth}\t{words}\t{source}", v.period.key(), v.recorded_at, v.recorded_by);
            }
        }
        Command::Imports => {
            say!("时间\t账号\t类别\t文件\t工作表\t行数\t新增\t变更\t未变");
            for (at, r) in app.as_user(&cli.acting).await?.imports().await? {
                let s = r.summary;
                say!(
                    "{at}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    r.actor,
                    r.kind,
                    r.file,
                    r.sheet,
                    r.rows,
                    s.new,
                    s.changed,
                    s.unchanged
                );
            }
        }
        Command::Openapi => {
            let doc = taizhang_web::openapi()
                .to_pretty_json()
                .map_err(|e| CliError::Usage(format!("OpenAPI 文档生成失败：{e}")))?;
            say!("{doc}");
        }
        Command::Serve { listen, demo, admin, metrics_token, https } => {
            init(app, admin).await?;
            app.check_config().await?;
            if *demo && app.counts().await?.units == 0 {
                load_demo(&app.as_user(&cli.acting).await?).await?;
                say!("已载入二七区示例数据；示例账号口令：{}", demo::DEMO_PASSWORD);
            }
            let listener = tokio::net::TcpListener::bind(listen).await?;
            say!("taizhang 已启动：http://{}", listener.local_addr()?);
            // Overdue problems move up a level without anyone running a command (hourly: a move
            // sets a new deadline, so nothing moves twice).
            tokio::spawn(app.clone().escalate_every(std::time::Duration::from_secs(3600)));
            // 催报/催办 planned and sent every few minutes; each key once, failures retried.
            tokio::spawn(app.clone().remind_every(std::time::Duration::from_secs(300)));
            // Backups on a schedule when `[backup] dir` is set (the first at start).
            tokio::spawn(app.clone().backup_every());
            let options = taizhang_web::ServeOptions {
                metrics_token: metrics_token.clone(),
                https: *https,
                ..Default::default()
            };
            taizhang_web::serve_with(app.clone(), listener, options).await?;
        }
        Command::Gen { districts, projects_per_district, years, seed, last_year } => {
            if *years == 0 || *districts == 0 {
                return Err(CliError::Usage("--districts 与 --years 至少为 1".into()));
            }
            let catalogue = Catalogue::standard()?;
            let started = std::time::Instant::now();
            let spec = GenSpec {
                districts: *districts,
                projects_per_district: *projects_per_district,
                years: *years,
                last_year: *last_year,
                seed: *seed,
            };
            // The empty database gets its catalogue and `admin` first, so that someone acts.
            init(app, &AdminArgs { admin_password: None }).await?;
            let bar = indicatif::ProgressBar::new(u64::from(spec.districts));
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} 区 {elapsed_precise}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_message("生成示例城市");
            app.as_user(&cli.acting).await?.generate_city(&catalogue, spec, &|_| bar.inc(1)).await?;
            bar.finish_and_clear();
            let c = app.counts().await?;
            say!(
                "已生成示例城市（{:.1} 秒）：单位{}个，指标数据{}条，目标{}条，项目{}个，月度进度{}条，重点工作{}项",
                started.elapsed().as_secs_f64(),
                c.units,
                c.values,
                c.targets,
                c.projects,
                c.progress,
                c.tasks
            );
        }
    }
    Ok(())
}

/// Installs the standard catalogue into an empty one, and makes sure `admin` exists.
async fn init(app: &App, admin: &AdminArgs) -> Result<(), CliError> {
    let catalogue = Catalogue::standard()?;
    if let Some(password) = app.bootstrap(&catalogue, admin.admin_password.as_deref(), new_password).await? {
        say!("已创建管理员账号 admin，初始口令（仅显示这一次）：{password}");
    }
    Ok(())
}

/// Loads the Erqi world and the demo accounts in one transaction.
async fn load_demo(acting: &Acting<'_>) -> Result<(), CliError> {
    let world = demo::erqi_world(&acting.catalogue().await?)?;
    acting.load_world(&world, &demo::demo_accounts(), &[("demo", "erqi")]).await?;
    Ok(())
}
