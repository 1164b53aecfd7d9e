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
mod party;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use rand::SeedableRng;
use rand::distr::{Alphanumeric, SampleString};
use taizhang_app::Redacted;
use taizhang_app::demo;
use taizhang_app::{App, GenSpec, NewUser};
use taizhang_app::{ReportKind, ReportRequest};
use taizhang_core::indicator::Catalogue;
use taizhang_core::world::{World, WorldFiles};

#[derive(Debug, Parser)]
#[command(name = "taizhang", version, about = "台账：重点项目、重点工作与指标的填报、预警与报告")]
struct Cli {
    /// 数据库：sqlite://文件.db（默认）或 postgres://用户@主机/库名
    #[arg(long, global = true, env = "TAIZHANG_DB", default_value = "sqlite://taizhang.db")]
    db: String,
    /// 本地的校验规则与亮灯阈值（TOML 文件）；不给则用内置默认值
    #[arg(long, global = true, env = "TAIZHANG_CONFIG")]
    config: Option<std::path::PathBuf>,
    /// 以哪个账号执行（其角色与单位决定能做什么）
    #[arg(long = "as", global = true, env = "TAIZHANG_AS", default_value = "admin")]
    acting: String,
    /// 日志（写到标准错误；级别由 TAIZHANG_LOG 设定，默认 warn）的格式
    #[arg(long, global = true, value_enum, env = "TAIZHANG_LOG_FORMAT", default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// 超过这么多毫秒的数据库语句记为警告
    #[arg(long, global = true, env = "TAIZHANG_SLOW_STATEMENT_MS", default_value_t = 500)]
    slow_statement_ms: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 建立或升级数据库，装入指标目录与管理员账号 admin
    Init(AdminArgs),
    /// 载入二七区示例数据与示例账号
    Demo(AdminArgs),
    /// 载入一个目录中的 TOML 数据（units.toml、values.toml、plan.toml、projects.toml、tasks.toml，格式见 data/demo/erqi）：一次全部写入，出错则什么也不写
    Load { dir: std::path::PathBuf },
    /// 导入一种数据的 Excel 工作簿：按中文表头识别各列，每处错误注明工作表、行与列，全部通过才写入。例：taizhang import progress 6月进度.xlsx
    Import {
        /// 数据种类：units（单位）、indicators（指标数据）、targets（目标）、projects（项目）、progress（月度进度）、tasks（重点工作）、catalogue（指标目录）、honours（荣誉）
        kind: String,
        /// 工作簿文件（.xlsx，WPS 另存的亦可）
        file: std::path::PathBuf,
        #[arg(long)]
        sheet: Option<String>,
        /// 没有“年度”列的项目行属于哪一年的计划（默认今年），如 2018
        #[arg(long)]
        year: Option<i32>,
        /// 只报告将新增、修改、不变的条数，不写入
        #[arg(long)]
        dry_run: bool,
    },
    /// 把一种数据（或 ledger：月度项目台账）导出为 .xlsx 工作簿。例：taizhang export progress --period 2018-06 --out 进度.xlsx
    Export {
        /// 数据种类：units、indicators、targets、projects、progress、tasks、catalogue、honours，或 ledger（台账）
        kind: String,
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long)]
        year: Option<i32>,
        /// 报告期：月份（如 2017-06）或年度（如 2017）；台账须为月份
        #[arg(long)]
        period: Option<String>,
        /// 单位编码或名称：只含该单位及其下级
        #[arg(long)]
        unit: Option<String>,
        /// 只导出带表头的空模板，供填写
        #[arg(long)]
        template: bool,
    },
    /// 账号：新建、改口令、列出、停用、启用
    #[command(subcommand)]
    User(UserCommand),
    /// 填报轮次：开启、报送情况、关闭、重开、单位进度表
    #[command(subcommand)]
    Round(RoundCommand),
    /// 项目问题：登记、列出、逾期上升、办结、确认
    #[command(subcommand)]
    Problem(ProblemCommand),
    /// 督办：下达、列出、反馈、申请与审批延期、办结或退回重办
    #[command(subcommand)]
    Order(OrderCommand),
    /// 调度会议：登记（议定事项成为督办）、列出、会议纪要
    #[command(subcommand)]
    Meeting(MeetingCommand),
    /// 数字城管案件：导入网格与小类、上报、逐环节办理、列出、查看
    #[command(subcommand)]
    Case(CaseCommand),
    /// 基层党建标准化：党组织、考评方案、自评审核确认、星级评定、三会一课
    #[command(subcommand)]
    Party(PartyCommand),
    /// 倒排工期节点：查看、设置一个节点、从工作簿导入
    #[command(subcommand)]
    Node(NodeCommand),
    /// 要素保障（五落实）：查看、设置一项
    #[command(subcommand)]
    Element(ElementCommand),
    /// 从同一时刻的快照备份整个数据库（服务可继续运行）
    Backup {
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// 把备份恢复到一个新的空数据库（--db），核验无误才报告成功
    Restore {
        /// taizhang backup 生成的备份文件
        file: std::path::PathBuf,
    },
    /// 防篡改审计链：核验链条与台账数据摘要，或列出最近事件
    #[command(subcommand)]
    Audit(AuditCommand),
    /// 汇总数据（驾驶舱、通报、考核所用的按单位、月份汇总）：按明细重算核对，或重建
    #[command(subcommand)]
    Rollup(RollupCommand),
    /// 催报、催办：排定今天的提醒并发送到期的（serve 每隔几分钟自动执行）
    Remind {
        #[arg(long)]
        today: Option<String>,
        /// 只列出最近的提醒及其发送结果
        #[arg(long)]
        log: bool,
    },
    /// 一个报告期的红灯、黄灯及其原因。例：taizhang warnings --period 2018-06
    Warnings {
        #[arg(long)]
        period: String,
        /// 单位编码或名称：只含该单位及其下级
        #[arg(long)]
        unit: Option<String>,
        /// 评判重点工作与督办所依据的日期（默认今天），如 2018-06-30
        #[arg(long)]
        today: Option<String>,
        /// 绿灯也列出
        #[arg(long)]
        all: bool,
    },
    /// 生成报告：年度总结、调度通报、台账、项目档案、综合考核
    #[command(subcommand)]
    Report(ReportCommand),
    /// 导入记录：谁、何时、哪个文件、改了什么
    Imports,
    /// 一项指标数据的全部版本（初步预计 → 最终核实 …）：何时、谁、来源
    History {
        /// 指标名称、编码或别名，如 地区生产总值 或 GDP
        indicator: String,
        /// 单位编码或名称（默认最上级单位）
        #[arg(long)]
        unit: Option<String>,
        /// 只看这个报告期（如 2017、2017-09）
        #[arg(long)]
        period: Option<String>,
    },
    /// 输出 JSON 接口的 OpenAPI 文档（即 /api/openapi.json）
    Openapi,
    /// 启动网页与接口服务。例：taizhang serve --demo
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// 数据库中还没有单位时先载入二七区示例
        #[arg(long)]
        demo: bool,
        /// Prometheus 抓取 /metrics 时携带的令牌（不设则只有管理员可读）
        #[arg(long, env = "TAIZHANG_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        /// 浏览器经 https 访问（本服务或前置代理）：Cookie 加 Secure，并发送 HSTS
        #[arg(long, env = "TAIZHANG_HTTPS")]
        https: bool,
        #[command(flatten)]
        admin: AdminArgs,
    },
    /// 生成可复现的模拟城市数据，用于性能测试（写入空数据库）
    Gen {
        #[arg(long)]
        districts: u32,
        #[arg(long)]
        projects_per_district: u32,
        #[arg(long)]
        years: u32,
        #[arg(long, default_value_t = 2018)]
        seed: u64,
        /// 生成的历史数据的最后一年
        #[arg(long, default_value_t = 2017)]
        last_year: i32,
    },
}

#[derive(Debug, clap::Args)]
struct AdminArgs {
    /// 管理员账号 admin 的口令（不给则生成一个并只显示一次）
    #[arg(long, env = "TAIZHANG_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// 新建账号（已有则更新）
    Add {
        username: String,
        /// 角色：管理员、区级审核、单位审核、填报员、领导（或 admin、reviewer、unit_leader、unit_reporter、leader）
        #[arg(long)]
        role: String,
        /// 所属单位的编码或名称（单位角色必填）
        #[arg(long)]
        unit: Option<String>,
        /// 页面上显示的姓名
        #[arg(long)]
        name: Option<String>,
        /// 口令（不给则生成一个并只显示一次）
        #[arg(long, env = "TAIZHANG_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// 设置新口令（该账号的其他登录随即失效）
    Passwd {
        username: String,
        #[arg(long, env = "TAIZHANG_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// 列出账号
    List,
    /// 停用账号：不能再登录，已登录的立即退出（历史记录保留其名）
    Disable { username: String },
    /// 启用已停用的账号
    Enable { username: String },
}

#[derive(Debug, Subcommand)]
enum RoundCommand {
    /// 开启填报轮次：确定各单位应报什么，截止日默认当月25日。例：taizhang round open --period 2018-06
    Open {
        #[arg(long)]
        period: String,
        /// 填报表：projects（项目进度）、tasks（重点工作）或 indicators（指标）
        #[arg(long, default_value = "projects")]
        form: String,
        #[arg(long)]
        due: Option<String>,
    },
    /// 各单位报送情况，以及谁已逾期
    Status {
        #[arg(long)]
        period: String,
        #[arg(long, default_value = "projects")]
        form: String,
        #[arg(long)]
        today: Option<String>,
    },
    /// 立即催报一个仍有未报事项的单位（按配置的邮箱或机器人发送，每单位每天一次）
    Remind {
        #[arg(long)]
        period: String,
        #[arg(long, default_value = "projects")]
        form: String,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        today: Option<String>,
    },
    /// 关闭轮次：全部记录锁定
    Close {
        #[arg(long)]
        period: String,
        #[arg(long, default_value = "projects")]
        form: String,
    },
    /// 重开已关闭的轮次（管理员，须写原因）：锁定的记录退回各单位
    Reopen {
        #[arg(long)]
        period: String,
        #[arg(long, default_value = "projects")]
        form: String,
        #[arg(long)]
        reason: String,
    },
    /// 下载单位的进度表（含草稿及其版本），填好后用 taizhang import progress 上传
    Sheet {
        #[arg(long)]
        period: String,
        /// 单位（单位自己的账号可不填）
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum CaseCommand {
    /// 导入单元网格：GeoJSON 要素集合，每个要素的属性含 code、name、street（街道单位编码）、community
    Grid {
        /// GeoJSON 文件
        file: std::path::PathBuf,
        /// 标为示例数据
        #[arg(long)]
        sample: bool,
    },
    /// 从 Excel 导入单元网格（表头：网格编码、网格名称、街道、社区、边界——WKT 或 GeoJSON）或原系统的历史案件（原案件编号、小类编码、经度、纬度、地址、问题描述、上报人、上报时间、立案时间、派遣时间、处置单位、处置时限、处置时间、结案时间、返工次数、状态说明），整表校验后一次写入
    Import {
        /// Excel 文件（.xlsx）
        file: std::path::PathBuf,
        /// 导入的内容：grid（网格）或 cases（历史案件）
        #[arg(long)]
        what: String,
    },
    /// 生成示例数字城管数据（基准测试用）：为每个街道生成网格、6个示例小类和一年的案件，经历史案件导入同一路径写入
    Gen {
        /// 每个街道的网格数（1到100）
        #[arg(long, default_value_t = 20)]
        cells_per_street: u32,
        /// 案件数
        #[arg(long)]
        cases: u32,
        /// 年度
        #[arg(long, default_value_t = 2018)]
        year: i32,
        /// 随机种子（相同参数与种子生成相同数据）
        #[arg(long, default_value_t = 2018)]
        seed: u64,
    },
    /// 导入部件、事件小类：TOML，每个 [[class]] 含 code、kind、major、name、file_rule、close_rule、time_limit、limit_unit（hours 或 days）、default_unit
    Classes {
        /// TOML 文件
        file: std::path::PathBuf,
    },
    /// 监督员上报案件，按经纬度定位到单元网格与街道
    Report {
        /// 小类编码
        #[arg(long)]
        class: String,
        /// 经度（度，如 113.6051）
        #[arg(long)]
        lon: String,
        /// 纬度（度，如 34.7012）
        #[arg(long)]
        lat: String,
        /// 地址
        #[arg(long, default_value = "")]
        address: String,
        /// 问题描述
        #[arg(long)]
        description: String,
        /// 照片文件名（可重复）
        #[arg(long = "photo")]
        photos: Vec<String>,
        /// 上报时间（YYYY-MM-DD HH:MM，默认现在）
        #[arg(long)]
        at: Option<String>,
    },
    /// 办理一个环节：file 立案、decline 不予立案、dispatch 派遣、send_back 回退、dispose 处置、check 核查、close 结案、extend 延期、suspend 挂账、resume 恢复办理
    Step {
        /// 案件编号
        id: i64,
        /// 环节（见上）
        step: String,
        /// 派遣的单位（默认取小类的处置单位）
        #[arg(long)]
        unit: Option<String>,
        /// 理由、处置结果或核查意见
        #[arg(long, default_value = "")]
        text: String,
        /// 核查通过
        #[arg(long, conflicts_with = "rework")]
        passed: bool,
        /// 核查未通过，返工
        #[arg(long)]
        rework: bool,
        /// 延期至（YYYY-MM-DD）
        #[arg(long)]
        until: Option<String>,
        /// 办理时间（YYYY-MM-DD HH:MM，默认现在）
        #[arg(long)]
        at: Option<String>,
    },
    /// 列出案件：最近上报的在前
    List {
        /// 单位编码：其街道网格内或派遣给它的案件
        #[arg(long)]
        unit: Option<String>,
        /// 状态（reported、filed、dispatched、disposed、verified、closed、declined、suspended 或中文）
        #[arg(long)]
        state: Option<String>,
        /// 上报月份（如 2018-06）
        #[arg(long)]
        month: Option<String>,
    },
    /// 查看案件及其办理过程
    Show {
        /// 案件编号
        id: i64,
    },
    /// 考评（月度、季度或年度）：立案、派遣、应结案、结案、按期结案数与结案率、按期结案率、返工率、综合指标值，按按期结案率排名
    Evaluate {
        /// 月份、季度或年度（如 2018-06、2018Q2、2018）
        #[arg(long)]
        month: String,
        /// 统计口径：street（街道）、unit（处置单位）或 class（小类）
        #[arg(long, default_value = "street")]
        by: String,
    },
}

#[derive(Debug, Subcommand)]
enum OrderCommand {
    /// 向单位下达督办，或就某个问题下达（取其单位与项目）
    Issue {
        #[arg(long, required_unless_present = "problem")]
        unit: Option<String>,
        /// 据以下达督办的问题编号
        #[arg(long)]
        problem: Option<i64>,
        /// 督办对象：项目或任务编码，或问题编号
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
    /// 督办通知单（Word）
    Notice {
        id: i64,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// 单位及其下级的督办事项，含状态、时限与灯
    List {
        #[arg(long)]
        unit: Option<String>,
        /// 只列未办结的
        #[arg(long)]
        open: bool,
        #[arg(long)]
        today: Option<String>,
    },
    /// 责任单位反馈（需要时先签收）
    Respond {
        id: i64,
        #[arg(long)]
        feedback: String,
    },
    /// 责任单位在时限到期前申请延期
    Extend {
        id: i64,
        #[arg(long)]
        to: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        today: Option<String>,
    },
    /// 下达方批准或不批准延期申请
    Decide {
        request: i64,
        #[arg(long)]
        approve: bool,
        #[arg(long)]
        today: Option<String>,
    },
    /// 办结已反馈的督办
    Close {
        id: i64,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 退回重办已反馈的督办，须写原因
    Rework {
        id: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
enum ProblemCommand {
    /// 登记项目问题；先由责任单位办理
    Add {
        #[arg(long)]
        project: String,
        #[arg(long)]
        description: String,
        /// 责任人（默认项目责任人）
        #[arg(long)]
        owner: Option<String>,
        /// 解决时限，如 2018-07-15
        #[arg(long)]
        deadline: String,
        #[arg(long)]
        today: Option<String>,
    },
    /// 单位及其下级的问题，含层级、时限与已历天数
    List {
        #[arg(long)]
        unit: Option<String>,
        /// 只列未解决的
        #[arg(long)]
        open: bool,
        #[arg(long)]
        today: Option<String>,
    },
    /// 逾期未解决的问题上升一级（责任单位 → 分包领导 → 区级）
    Escalate {
        #[arg(long)]
        today: Option<String>,
    },
    /// 办结问题，须写办结说明
    Resolve {
        id: i64,
        #[arg(long)]
        resolution: String,
        #[arg(long)]
        today: Option<String>,
    },
    /// 提出人确认办结，或用 --reject 退回重办
    Confirm {
        id: i64,
        /// 不认可：问题重新打开（须写意见）
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
    /// 重算审计链与每条台账数据的摘要；发现断点则指明第一处并以非零状态退出
    Verify,
    /// 最近的事件，新的在前
    Log {
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

#[derive(Debug, Subcommand)]
enum RollupCommand {
    /// 按明细重算全部汇总并与所存比对；有差异则逐条列出并以非零状态退出
    Verify,
    /// 按明细重建全部汇总（数据库被直接修改之后）
    Rebuild,
}

#[derive(Debug, Subcommand)]
enum MeetingCommand {
    /// 登记调度会议；每个 --decision "事项|单位|时限" 成为对该单位的督办
    Add {
        /// 会议类型：周调度、旬调度、月观摩、季讲评（按配置）
        #[arg(long)]
        kind: String,
        #[arg(long)]
        date: String,
        #[arg(long, default_value = "")]
        chair: String,
        #[arg(long, default_value = "")]
        attendees: String,
        /// 研究的项目编码，可重复给出
        #[arg(long = "project")]
        projects: Vec<String>,
        #[arg(long, default_value = "")]
        summary: String,
        /// 议定事项：“事项|责任单位|办理时限”，可重复给出
        #[arg(long = "decision")]
        decisions: Vec<String>,
        #[arg(long)]
        today: Option<String>,
    },
    /// 一个时段（如 2018W23、2018-06上旬、2018-06、2018Q2）的会议，不给则全部
    List {
        #[arg(long)]
        period: Option<String>,
    },
    /// 会议纪要（Word）
    Minutes {
        id: i64,
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum NodeCommand {
    /// 项目的倒排工期节点及今天的灯
    Show { project: String },
    /// 设置一个节点的计划与实际完成日期
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
    /// 从工作簿（项目编码、节点、计划完成日期、实际完成日期、说明）导入：全部通过才写入
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
    /// 项目的要素保障事项
    Show { project: String },
    /// 登记一项要素的落实情况：已落实、推进中或存在困难
    Set {
        project: String,
        item: String,
        #[arg(long)]
        status: String,
        /// 负责落实的单位（默认项目责任单位）
        #[arg(long)]
        unit: Option<String>,
        /// 应落实的日期
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
    /// 单位的年度工作总结（公文体）。例：taizhang report annual --year 2017
    Annual {
        #[arg(long)]
        year: i32,
        /// 单位编码或名称（默认最上级单位）
        #[arg(long)]
        unit: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// 重点项目月度调度通报。例：taizhang report briefing --period 2018-05 --format docx --out 通报.docx
    Briefing {
        /// 月份，如 2018-05
        #[arg(long)]
        period: String,
        #[arg(long)]
        unit: Option<String>,
        /// 印发日期，重点工作与督办据此评判（默认今天，会写在报告中），如 2018-06-05
        #[arg(long)]
        today: Option<String>,
        /// 印发机关（默认本级发展和改革委员会）
        #[arg(long)]
        issued_by: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// 月度项目台账（Excel 为可直接打印的工作簿）
    Ledger {
        #[arg(long)]
        period: String,
        #[arg(long)]
        unit: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// 单个项目档案：基本信息、计划与进度、节点、要素保障、问题与督办
    Dossier {
        #[arg(long)]
        project: String,
        /// 年度（默认今年）
        #[arg(long)]
        year: Option<i32>,
        #[command(flatten)]
        output: Output,
    },
    /// 月度数字城管通报：总体情况、各街道与处置单位按期结案率排名、超期案件。例：taizhang report city-cases --period 2018-06
    CityCases {
        /// 月份，如 2018-06
        #[arg(long)]
        period: String,
        /// 单位编码或名称（默认最上级单位）
        #[arg(long)]
        unit: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// 基层党建报告：星级分布、软弱涣散整顿名单、党组织星级与某月三会一课完成情况。例：taizhang report party --year 2018 --period 2018-11
    Party {
        /// 考评年度
        #[arg(long)]
        year: i32,
        /// 三会一课统计的月份（默认该年12月）
        #[arg(long)]
        period: Option<String>,
        #[command(flatten)]
        output: Output,
    },
    /// 按考核方案文件计算综合考核排名（示例见 data/demo/erqi/assessment-2018-05.toml）
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
    /// 写入的文件（docx、xlsx、pdf 必须给；md、html 不给则输出到屏幕）
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    /// 报告期没有数据时照样生成（说明无数据）；不加则报错
    #[arg(long)]
    allow_empty: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    /// 便于阅读的文本行
    Text,
    /// 每行一个 JSON 对象，供日志收集
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Md,
    Html,
    Docx,
    Xlsx,
    /// 经 LibreOffice 转换的 PDF（须安装 soffice）
    Pdf,
}

#[derive(Debug, Subcommand)]
enum PartyCommand {
    /// 导入某年度的党建标准化考评方案（TOML：检查项目、分值、佐证、打分环节、加扣分与一票否决、星级分数线、三会一课要求）
    Scheme {
        /// 方案文件
        file: std::path::PathBuf,
    },
    /// 从 Excel 导入党组织、考评得分或三会一课记录（表头：见 README），整表校验后一次写入
    Import {
        /// Excel 文件（.xlsx）
        file: std::path::PathBuf,
        /// 导入的内容：orgs（党组织）、scores（考评得分）或 meetings（三会一课）
        #[arg(long)]
        what: String,
        /// 考评年度（导入得分时需要）
        #[arg(long)]
        year: Option<i32>,
        /// 会议日期不得晚于此日（YYYY-MM-DD，默认今天）
        #[arg(long)]
        today: Option<String>,
    },
    /// 列出党组织
    Orgs,
    /// 查看一个党组织某年度的考评表：各项得分、佐证、状态与办理过程
    Sheet {
        /// 党组织编码
        org: String,
        /// 考评年度
        #[arg(long)]
        year: i32,
    },
    /// 为一项打分（按当前环节：支部自评、党(工)委评定或区委组织部评定及加扣分）
    Score {
        /// 党组织编码
        org: String,
        /// 考评年度
        #[arg(long)]
        year: i32,
        /// 项目编号（或加扣分项的编号）
        #[arg(long)]
        item: String,
        /// 得分
        #[arg(long)]
        points: String,
        /// 佐证材料
        #[arg(long, default_value = "")]
        evidence: String,
    },
    /// 办理考评：submit 上报、approve 审核通过、accept 确认、return 退回（须 --reason）
    Step {
        /// 党组织编码
        org: String,
        /// 环节（见上）
        step: String,
        /// 考评年度
        #[arg(long)]
        year: i32,
        /// 退回原因
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// 星级评定：已确认的考评按方案计分定星，列出软弱涣散党组织与较上年的变化
    Rating {
        /// 考评年度
        #[arg(long)]
        year: i32,
    },
    /// 三会一课完成情况：某月各党组织的红黄绿灯与缺开的会议
    Meetings {
        /// 月份（如 2018-06）
        #[arg(long)]
        month: String,
        /// 截至日期（YYYY-MM-DD，默认今天）
        #[arg(long)]
        as_of: Option<String>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    App(#[from] taizhang_app::Error),
    #[error("{0}")]
    Domain(#[from] taizhang_core::DomainError),
    #[error("{}", os_words(.0))]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Import(taizhang_office::ImportError),
}

impl From<taizhang_app::WorkbookError> for CliError {
    fn from(e: taizhang_app::WorkbookError) -> Self {
        match e {
            taizhang_app::WorkbookError::Import(e) => CliError::Import(e),
            taizhang_app::WorkbookError::App(e) => CliError::App(e),
        }
    }
}

/// A file read whole, refused first when larger than `limit` bytes.
pub(crate) fn read_limited(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, CliError> {
    let size = std::fs::metadata(path).map_err(|e| file_error("打开", path, &e))?.len();
    if size > limit {
        return Err(CliError::Usage(format!("{} 有 {} KB，超过上限 {} KB", path.display(), size / 1024, limit / 1024)));
    }
    std::fs::read(path).map_err(|e| file_error("打开", path, &e))
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
            std::fs::write(path, bytes).map_err(|e| file_error("写入", path, &e))?;
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

/// What the operating system said, in words a reader knows ("文件或目录不存在"), not
/// "No such file or directory (os error 2)"; the system's own text for the rare rest.
pub(crate) fn os_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "文件或目录不存在".into(),
        PermissionDenied => "没有权限（请检查文件或目录的读写权限）".into(),
        AlreadyExists => "文件已存在".into(),
        IsADirectory => "这是一个目录，不是文件".into(),
        NotADirectory => "路径中有一段不是目录".into(),
        StorageFull => "磁盘空间不足".into(),
        ReadOnlyFilesystem => "文件系统只读，不能写入".into(),
        FileTooLarge => "文件太大".into(),
        InvalidData | UnexpectedEof => "文件内容不完整或已损坏".into(),
        _ => e.to_string(),
    }
}

/// A file that could not be read or written, named, with the reason in words.
pub(crate) fn file_error(verb: &str, path: &std::path::Path, e: &std::io::Error) -> CliError {
    CliError::Usage(format!("无法{verb} {}：{}", path.display(), os_words(e)))
}

fn current_year() -> i32 {
    taizhang_app::clock::today().year
}

fn parse_today(text: Option<&str>) -> Result<taizhang_core::project::Date, CliError> {
    Ok(text.map(taizhang_core::project::Date::parse).transpose()?.unwrap_or_else(taizhang_app::clock::today))
}

/// A spinner with its elapsed time while a long step runs, on a terminal only (indicatif
/// draws nothing when standard error is not one).
fn working(what: &str) -> indicatif::ProgressBar {
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    spinner.set_message(what.to_string());
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    spinner
}

fn new_password() -> String {
    Alphanumeric.sample_string(&mut rand::rngs::StdRng::from_os_rng(), 16)
}

/// clap's own words put into Chinese on every command: the help layout and its headings, the
/// help and version flags, no `help` subcommand.
fn localized(cmd: clap::Command) -> clap::Command {
    use clap::{Arg, ArgAction};
    // The sections a command has, each under its Chinese heading.
    let mut template = String::from("{about-with-newline}\n用法：{usage}\n");
    if cmd.has_subcommands() {
        template.push_str("\n命令：\n{subcommands}\n");
    }
    if cmd.get_positionals().next().is_some() {
        template.push_str("\n参数：\n{positionals}\n");
    }
    template.push_str("\n选项：\n{options}{after-help}");
    let cmd = cmd
        .help_template(template)
        .subcommand_value_name("命令")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .mut_args(|a| {
            let Some((_, value_name, help)) = ARG_WORDS.iter().find(|(id, ..)| *id == a.get_id().as_str()) else {
                return a;
            };
            let a = if a.get_help().is_none() { a.help(*help) } else { a };
            if a.get_action().takes_values() { a.value_name(*value_name) } else { a }
        })
        .arg(Arg::new("help").short('h').long("help").action(ArgAction::Help).help("显示本说明"))
        .mut_subcommands(localized);
    if cmd.get_name() == "taizhang" {
        cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本")
                .help_heading("选项"),
        )
    } else {
        cmd
    }
}

/// Each argument's name in a usage line and its help where the command gives none, by id.
const ARG_WORDS: &[(&str, &str, &str)] = &[
    ("db", "数据库", ""),
    ("config", "配置文件", ""),
    ("acting", "账号", ""),
    ("log_format", "格式", ""),
    ("slow_statement_ms", "毫秒", ""),
    ("period", "报告期", "报告期：月份如 2018-06，季度如 2018Q2，年度如 2017"),
    ("unit", "单位", "单位编码或名称，如 erqi-zjj 或 区住建局"),
    ("out", "文件", "写入的文件"),
    ("year", "年度", "年度，如 2018"),
    ("today", "日期", "“今天”按哪一天算（默认今天的真实日期，报告中会写明），如 2018-06-30"),
    ("form", "填报表", "填报表：projects（项目进度）、tasks（重点工作）或 indicators（指标）"),
    ("due", "日期", "截止日期，如 2018-06-25"),
    ("reason", "原因", "原因（必填）"),
    ("sheet", "工作表", "工作表名称（默认按表头自动识别）"),
    ("kind", "种类", ""),
    ("file", "文件", "工作簿文件（.xlsx）"),
    ("dir", "目录", "数据目录"),
    ("username", "账号", "账号名"),
    ("id", "编号", "编号"),
    ("request", "编号", "延期申请的编号"),
    ("password", "口令", ""),
    ("role", "角色", ""),
    ("name", "姓名", ""),
    ("title", "事项", "督办事项"),
    ("requirement", "要求", "办理要求"),
    ("deadline", "日期", "时限，如 2018-07-20"),
    ("feedback", "反馈", "反馈内容（附件请写明名称）"),
    ("to", "日期", "延至的日期，如 2018-08-10"),
    ("approve", "", "批准（不加则不批准）"),
    ("note", "说明", "说明"),
    ("limit", "条数", "列出的条数"),
    ("project", "项目编码", "项目编码，如 ZD2018-001"),
    ("projects", "项目编码", ""),
    ("description", "问题", "问题描述"),
    ("resolution", "说明", "办结说明"),
    ("date", "日期", "会议日期，如 2018-06-05"),
    ("chair", "姓名", "主持人"),
    ("attendees", "名单", "参会人员"),
    ("summary", "要点", "会议要点"),
    ("decisions", "事项|单位|时限", ""),
    ("node", "节点", "节点名称，如 主体封顶"),
    ("planned", "日期", "计划完成日期，如 2018-09-30"),
    ("actual", "日期", "实际完成日期"),
    ("item", "要素", "要素保障事项，如 用地"),
    ("status", "情况", ""),
    ("listen", "地址:端口", "监听的地址与端口"),
    ("districts", "个数", "区的个数"),
    ("projects_per_district", "个数", "每个区的项目数"),
    ("years", "年数", "历史年数"),
    ("seed", "种子", "随机种子（同一种子生成同样的数据）"),
    ("last_year", "年度", ""),
    ("scheme", "方案文件", ""),
    ("format", "格式", "输出格式"),
    ("issued_by", "机关", ""),
    ("indicator", "指标", ""),
    ("metrics_token", "令牌", ""),
    ("admin_password", "口令", ""),
];

/// The few English words clap writes inside a help text.
fn chinese_help(text: &str) -> String {
    text.replace("[default: ", "[默认：")
        .replace("[possible values: ", "[可选：")
        .replace("[env: ", "[环境变量：")
        .replace("[aliases: ", "[别名：")
        .replace("Usage: ", "用法：")
        .replace("Possible values:", "可选值：")
        .replace("[OPTIONS]", "[选项]")
        .replace("<COMMAND>", "<命令>")
}

/// A usage error in Chinese: what was wrong, with the command's usage line.
fn usage_words(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let get = |kind: ContextKind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => v.iter().map(ToString::to_string).collect::<Vec<_>>().join("、"),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let arg = get(ContextKind::InvalidArg);
    let value = get(ContextKind::InvalidValue);
    let mut text = match e.kind() {
        ErrorKind::InvalidSubcommand => format!("不认识的命令“{}”", get(ContextKind::InvalidSubcommand)),
        ErrorKind::UnknownArgument => format!("不认识的参数“{arg}”"),
        ErrorKind::MissingRequiredArgument => format!("缺少必填的参数：{arg}"),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => "缺少命令".to_string(),
        ErrorKind::InvalidValue => {
            let valid = get(ContextKind::ValidValue);
            if value.is_empty() {
                format!("参数 {arg} 缺少取值")
            } else if valid.is_empty() {
                format!("参数 {arg} 的值“{value}”无效")
            } else {
                format!("参数 {arg} 的值“{value}”无效，可选：{valid}")
            }
        }
        ErrorKind::ValueValidation => format!("参数 {arg} 的值“{value}”无效（应为数字或指定格式）"),
        ErrorKind::ArgumentConflict => format!("参数 {arg} 不能与 {} 同时使用", get(ContextKind::PriorArg)),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => format!("参数 {arg} 给了多次或多个值"),
        ErrorKind::InvalidUtf8 => "参数中有无法识别的字符（应为 UTF-8）".to_string(),
        _ => "命令行参数有误".to_string(),
    };
    let suggested = get(ContextKind::SuggestedSubcommand);
    if !suggested.is_empty() {
        text.push_str(&format!("，是否要用“{suggested}”？"));
    }
    let suggested = get(ContextKind::SuggestedArg);
    if !suggested.is_empty() {
        text.push_str(&format!("，是否要用“{suggested}”？"));
    }
    let usage = get(ContextKind::Usage);
    if !usage.is_empty() {
        text.push_str(&format!("\n\n{}", chinese_help(usage.trim())));
    }
    text
}

/// The command line read, or the program ends: help and version to standard output (exit 0),
/// a usage error in Chinese to standard error (exit 2).
fn parse_cli() -> Cli {
    use clap::error::ErrorKind;
    use clap::{CommandFactory, FromArgMatches};
    let parsed = localized(Cli::command()).try_get_matches().and_then(|m| Cli::from_arg_matches(&m));
    match parsed {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            say!("{}", chinese_help(e.render().to_string().trim_end()));
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!("错误：{}\n\n用 taizhang --help 或 taizhang <命令> --help 查看说明", usage_words(&e));
            std::process::exit(2);
        }
    }
}

fn main() -> ExitCode {
    let cli = parse_cli();
    let log = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("TAIZHANG_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        // A span's time when it closes: at the debug level (TAIZHANG_LOG=taizhang_app=debug)
        // where each of a dashboard's parts went, silent at the default level.
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE);
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
            load_demo(app, &cli.acting).await?;
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
                    Err(e) => Err(file_error("读取", &dir.join(name), &e)),
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
        Command::Case(cmd) => cycle::case(&app.as_user(&cli.acting).await?, cmd).await?,
        Command::Party(cmd) => party::run(&app.as_user(&cli.acting).await?, cmd).await?,
        Command::Node(cmd) => cycle::node(&app.as_user(&cli.acting).await?, cmd).await?,
        Command::Element(cmd) => cycle::element(&app.as_user(&cli.acting).await?, cmd).await?,
        Command::Backup { out } => {
            let acting = app.as_user(&cli.acting).await?;
            let partial = out.with_extension("partial");
            let created = std::fs::File::create(&partial).map_err(|e| file_error("写入", out, &e))?;
            let mut file = std::io::BufWriter::new(created);
            let spinner = working("备份中");
            let done = acting.backup(&mut file).await;
            spinner.finish_and_clear();
            let done = done?;
            drop(file);
            std::fs::rename(&partial, out).map_err(|e| file_error("写入", out, &e))?;
            say!("已备份{}张表{}行（数据结构版本 {}）：{}", done.tables, done.rows, done.schema, out.display());
        }
        Command::Restore { file } => {
            let opened = std::fs::File::open(file).map_err(|e| file_error("读取", file, &e))?;
            let mut input = std::io::BufReader::new(opened);
            let spinner = working("恢复中");
            let done = app.restore_into_empty(&mut input).await;
            spinner.finish_and_clear();
            let done = done?;
            say!("已恢复{}张表{}行，逐表行数与审计链核验一致：{}", done.tables, done.rows, Redacted(&cli.db));
        }
        Command::Rollup(cmd) => {
            let acting = app.as_user(&cli.acting).await?;
            match cmd {
                RollupCommand::Verify => {
                    let check = acting.verify_rollups().await?;
                    if check.differences.is_empty() {
                        say!("汇总数据核对一致：{}个年度，{}个汇总格", check.years, check.cells);
                    } else {
                        for d in check.differences.iter().take(20) {
                            say!("  {d}");
                        }
                        return Err(CliError::Usage(format!(
                            "汇总数据与明细不一致：{}处（用 taizhang rollup rebuild 重建）",
                            check.differences.len()
                        )));
                    }
                }
                RollupCommand::Rebuild => {
                    let spinner = working("重建汇总数据");
                    let done = acting.rebuild_rollups().await;
                    spinner.finish_and_clear();
                    done?;
                    say!("已按明细重建全部汇总数据");
                }
            }
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
                RoundCommand::Remind { period, form, unit, today } => {
                    let round = acting.round(period.parse()?, form.parse()?).await?;
                    let unit = acting.find_unit(unit)?;
                    let queued = acting.remind_unit(&round, unit.code.as_str(), parse_today(today.as_deref())?).await?;
                    say!("已向{}发出催报{queued}条（由 serve 或 taizhang remind 送达）", unit.name);
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
        Command::Report(ReportCommand::CityCases { period, unit, output }) => {
            let req = report_request(ReportKind::CityCases, Some(period.parse()?), unit.as_deref());
            report(&app.as_user(&cli.acting).await?, req, output).await?;
        }
        Command::Report(ReportCommand::Party { year, period, output }) => {
            let mut req = report_request(ReportKind::Party, period.as_deref().map(str::parse).transpose()?, None);
            req.year = Some(*year);
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
            let text = std::fs::read_to_string(scheme).map_err(|e| file_error("读取考核方案", scheme, &e))?;
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
                load_demo(app, &cli.acting).await?;
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

/// Loads the Erqi world and the demo accounts in one transaction, then the 数字城管 sample
/// cases and the 基层党建 sample organisations, each step by the demo account of its role.
async fn load_demo(app: &App, acting_as: &str) -> Result<(), CliError> {
    let acting = app.as_user(acting_as).await?;
    let world = demo::erqi_world(&acting.catalogue().await?)?;
    acting.load_world(&world, &demo::demo_accounts(), &[("demo", "erqi")]).await?;
    app.load_demo_cases().await?;
    app.load_demo_party().await?;
    Ok(())
}
