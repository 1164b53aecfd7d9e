//! `taizhang user`, `taizhang round` and `taizhang warnings`: the reporting cycle from the
//! command line, acting as an account (`--as`, default `admin`) through the service layer.

use taizhang_app::{Acting, NewUser};
use taizhang_core::config::Config;
use taizhang_core::lights::Light;
use taizhang_core::period::Period;
use taizhang_core::project::Date;
use taizhang_core::supervision::OrderState;
use taizhang_core::workflow::{EntryState, Form};

use crate::CliError;

pub fn load_config(path: Option<&std::path::Path>) -> Result<Config, CliError> {
    match path {
        None => Ok(Config::default()),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| crate::file_error("读取配置文件", p, &e))?;
            Ok(Config::from_toml(&text)?)
        }
    }
}

pub async fn user_add(acting: &Acting<'_>, user: NewUser, generated: bool) -> Result<(), CliError> {
    acting.save_user(&user).await?;
    say!("已保存账号 {}（{}）", user.username, user.role.label_zh());
    if generated {
        say!("初始口令（仅显示这一次）：{}", user.password);
    }
    Ok(())
}

pub async fn user_passwd(acting: &Acting<'_>, username: &str, password: &str) -> Result<(), CliError> {
    acting.set_password(username, password, None).await?;
    say!("已更新账号 {username} 的口令");
    Ok(())
}

pub async fn user_list(acting: &Acting<'_>) -> Result<(), CliError> {
    let tree = acting.tree();
    say!("账号\t角色\t单位\t姓名");
    for u in acting.users().await? {
        let unit = u.unit.as_deref().and_then(|c| tree.get(c)).map_or("—", |x| x.name.as_str());
        let stopped = if u.disabled { "（已停用）" } else { "" };
        say!("{}\t{}\t{}\t{}{stopped}", u.username, u.role.label_zh(), unit, u.display_name);
    }
    Ok(())
}

pub async fn round_open(acting: &Acting<'_>, period: Period, form: Form, due: Option<Date>) -> Result<(), CliError> {
    let round = acting.open_round(period, form, due).await?;
    let status = acting.round_status(&round, Date::end_of(period)).await?;
    let owed: usize = status.iter().map(|u| u.owed).sum();
    say!(
        "已开启 {}{} 填报，截止 {}：{} 个单位应报 {} 项",
        period.label_zh(false),
        form.label_zh(),
        round.due,
        status.len(),
        owed
    );
    Ok(())
}

pub async fn round_status(acting: &Acting<'_>, period: Period, form: Form, today: Date) -> Result<(), CliError> {
    let round = acting.round(period, form).await?;
    let status = if round.status == taizhang_core::workflow::RoundStatus::Open { "填报中" } else { "已关闭" };
    say!("{}{}（{status}，截止 {}）", period.label_zh(false), form.label_zh(), round.due);
    let states = EntryState::ALL;
    let header: Vec<&str> = states.iter().map(|s| s.label_zh()).collect();
    say!("单位\t应报\t{}\t逾期", header.join("\t"));
    let standing = acting.round_status(&round, today).await?;
    for u in &standing {
        let counts: Vec<String> =
            states.iter().map(|s| u.by_state.iter().find(|(x, _)| x == s).map_or(0, |(_, n)| *n).to_string()).collect();
        say!("{}\t{}\t{}\t{}", u.name, u.owed, counts.join("\t"), if u.overdue { "逾期未报" } else { "" });
    }
    let overdue: Vec<&str> = standing.iter().filter(|u| u.overdue).map(|u| u.name.as_str()).collect();
    if !overdue.is_empty() {
        say!("逾期未报（{}个）：{}", overdue.len(), overdue.join("、"));
    }
    Ok(())
}

pub async fn round_close(acting: &Acting<'_>, period: Period, form: Form) -> Result<(), CliError> {
    let round = acting.round(period, form).await?;
    let locked = acting.close_round(&round).await?;
    say!("已关闭 {}{} 填报，锁定 {locked} 条记录", period.label_zh(false), form.label_zh());
    Ok(())
}

pub async fn warnings(
    acting: &Acting<'_>,
    period: Period,
    unit: Option<&str>,
    today: Date,
    all: bool,
) -> Result<(), CliError> {
    let items = acting.warnings(period, unit, today).await?;
    let count = |l: Light| items.iter().filter(|w| w.lit.light == l).count();
    say!(
        "{} 预警：红灯{}个，黄灯{}个，绿灯{}个",
        period.label_zh(true),
        count(Light::Red),
        count(Light::Yellow),
        count(Light::Green)
    );
    for w in items.iter().filter(|w| all || w.lit.light != Light::Green) {
        say!(
            "{}\t{}\t{} {}（{}）：{}",
            w.lit.light.label_zh(),
            w.kind.label_zh(),
            w.code,
            w.name,
            w.unit,
            w.lit.reason
        );
    }
    // Flags for a person to look at: figures that do not agree, never refused.
    for f in acting.data_flags(period.year(), unit).await? {
        say!("数据核对\t{}\t{}（{}）：{}", f.period.label_zh(false), f.indicator, f.unit, f.message);
    }
    Ok(())
}

/// `taizhang problem …`.
pub async fn problem(acting: &Acting<'_>, cmd: &crate::ProblemCommand) -> Result<(), CliError> {
    use crate::ProblemCommand::*;
    let today = |t: &Option<String>| crate::parse_today(t.as_deref());
    match cmd {
        Add { project, description, owner, deadline, today: t } => {
            let deadline = Date::parse(deadline)?;
            let owner = owner.as_deref().unwrap_or_default();
            let id = acting.raise_problem(project, description, owner, deadline, today(t)?, "命令行").await?;
            say!("已提出问题 #{id}（{project}），时限 {deadline}，由责任单位办理");
        }
        List { unit, open, today: t } => {
            let today = today(t)?;
            say!("编号\t项目\t责任单位\t问题\t层级\t时限\t已{}\t状态", "历天数");
            for p in acting.problems(unit.as_deref()).await?.into_iter().filter(|p| !open || p.resolved_on.is_none()) {
                let state = p.state_zh(today);
                say!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{state}",
                    p.id,
                    p.project,
                    acting.unit_name(&p.unit),
                    p.description,
                    p.level.label_zh(),
                    p.deadline.map(|d| d.to_string()).unwrap_or_default(),
                    p.age_days(today)
                );
            }
        }
        Escalate { today: t } => {
            let moved = acting.escalate_overdue(today(t)?).await?;
            say!("升级{}个逾期问题", moved.len());
            for (id, level) in moved {
                say!("#{id}\t→ {}", level.label_zh());
            }
        }
        Resolve { id, resolution, today: t } => {
            acting.resolve_problem(*id, resolution, today(t)?).await?;
            say!("问题 #{id} 已办结，待提出人确认");
        }
        Confirm { id, reject, note, today: t } => {
            acting.confirm_problem(*id, !reject, note, today(t)?).await?;
            say!("问题 #{id} {}", if *reject { "不认可办结，已退回办理" } else { "已确认办结" });
        }
    }
    Ok(())
}

/// `taizhang order …`.
pub async fn order(acting: &Acting<'_>, cmd: &crate::OrderCommand) -> Result<(), CliError> {
    use crate::OrderCommand::*;
    let today = |t: &Option<String>| crate::parse_today(t.as_deref());
    let show = |o: &taizhang_core::supervision::Order| {
        format!(
            "督办 #{} {}（{}）：{}，时限 {}",
            o.id,
            o.title,
            acting.unit_name(&o.unit),
            o.state.label_zh(),
            o.deadline
        )
    };
    match cmd {
        Issue { unit, subject, title, requirement, deadline, problem, today: t } => {
            let (unit, subject, from) = match problem {
                Some(id) => {
                    let p = acting.problem(*id).await?;
                    (p.unit, p.project, format!("problem:{id}"))
                }
                None => {
                    let unit =
                        unit.as_deref().ok_or_else(|| CliError::Usage("下达督办须指定 --unit 或 --problem".into()))?;
                    (acting.find_unit(unit)?.code.to_string(), subject.clone(), String::new())
                }
            };
            let draft = taizhang_app::OrderDraft {
                unit: &unit,
                subject: &subject,
                title,
                requirement,
                deadline: Some(Date::parse(deadline)?),
                from: &from,
            };
            let id = acting.issue_order(&draft, today(t)?).await?;
            say!("已下达{}", show(&acting.order(id).await?));
        }
        List { unit, open, today: t } => {
            let today = today(t)?;
            let lights = &acting.config().lights;
            say!("编号\t督办事项\t责任单位\t状态\t时限\t灯\t反馈");
            for o in
                acting.orders(unit.as_deref()).await?.into_iter().filter(|o| !open || o.state != OrderState::Closed)
            {
                let lit = o.light(today, lights);
                say!(
                    "{}\t{}\t{}\t{}\t{}\t{}：{}\t{}",
                    o.id,
                    o.title,
                    acting.unit_name(&o.unit),
                    o.state.label_zh(),
                    o.deadline,
                    lit.light.label_zh(),
                    lit.reason,
                    o.feedback
                );
            }
        }
        Respond { id, feedback } => say!("已反馈{}", show(&acting.respond_order(*id, feedback).await?)),
        Extend { id, to, reason, today: t } => {
            let request = acting.request_extension(*id, Date::parse(to)?, reason, today(t)?).await?;
            say!("已申请延期至 {to}（申请编号 {request}），待审批");
        }
        Decide { request, approve, today: t } => {
            let o = acting.decide_extension(*request, *approve, today(t)?).await?;
            say!("{}：{}", if *approve { "已同意延期" } else { "不同意延期" }, show(&o));
        }
        Close { id, note } => say!("已办结{}", show(&acting.review_order(*id, true, note).await?)),
        Notice { id, out } => write_docx(&acting.order_notice(*id).await?, out)?,
        Rework { id, reason } => say!("已退回重办{}", show(&acting.review_order(*id, false, reason).await?)),
    }
    Ok(())
}

/// `taizhang meeting …`.
pub async fn meeting(acting: &Acting<'_>, cmd: &crate::MeetingCommand) -> Result<(), CliError> {
    use crate::MeetingCommand::*;
    match cmd {
        Add { kind, date, chair, attendees, projects, summary, decisions, today } => {
            let today = crate::parse_today(today.as_deref())?;
            let mut parsed = Vec::new();
            for (i, d) in decisions.iter().enumerate() {
                parsed.push(taizhang_core::mechanism::Decision::parse_line(i + 1, d)?);
            }
            let draft = taizhang_app::MeetingDraft {
                kind: kind.clone(),
                held_on: Date::parse(date)?,
                chair: chair.clone(),
                attendees: attendees.clone(),
                projects: projects.clone(),
                summary: summary.clone(),
                decisions: parsed,
            };
            let m = acting.record_meeting(&draft, today).await?;
            say!("已记录{}{}（#{}，{}），议定事项{}项：", m.period, m.kind, m.id, m.held_on, m.decisions.len());
            for d in &m.decisions {
                let order = d.order.map(|o| format!("督办 #{o}")).unwrap_or_default();
                say!("  {}（{}，{}前）{order}", d.text, acting.unit_name(&d.unit), d.deadline);
            }
        }
        Minutes { id, out } => write_docx(&acting.meeting_minutes(*id).await?, out)?,
        List { period } => {
            say!("编号\t期间\t类型\t日期\t主持\t项目\t议定事项");
            for m in acting.meetings(period.as_deref()).await? {
                let decided: Vec<String> = m
                    .decisions
                    .iter()
                    .map(|d| {
                        format!(
                            "{}（{}{}）",
                            d.text,
                            acting.unit_name(&d.unit),
                            d.order.map(|o| format!("，督办#{o}")).unwrap_or_default()
                        )
                    })
                    .collect();
                say!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    m.id,
                    m.period,
                    m.kind,
                    m.held_on,
                    m.chair,
                    m.projects.join("、"),
                    decided.join("；")
                );
            }
        }
    }
    Ok(())
}

/// `taizhang node …`.
pub async fn node(acting: &Acting<'_>, cmd: &crate::NodeCommand) -> Result<(), CliError> {
    use crate::NodeCommand::*;
    let opt = |d: &Option<String>| d.as_deref().map(Date::parse).transpose();
    match cmd {
        Show { project } => {
            let today = taizhang_app::clock::today();
            say!("节点\t计划完成\t实际完成\t灯\t说明");
            for n in acting.node_plan(project).await? {
                let lit = n.light(today, &acting.config().mechanism);
                let light = lit.map(|l| format!("{}：{}", l.light.label_zh(), l.reason)).unwrap_or_default();
                let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
                say!("{}\t{}\t{}\t{light}\t{}", n.node, date(n.planned), date(n.actual), n.note);
            }
        }
        Set { project, node, planned, actual, note, today } => {
            let plan = taizhang_core::mechanism::NodePlan {
                project: project.clone(),
                node: node.clone(),
                planned: opt(planned)?,
                actual: opt(actual)?,
                note: note.clone(),
            };
            acting.save_nodes(&[(String::new(), plan)], crate::parse_today(today.as_deref())?).await?;
            say!("已保存 {project} 节点“{node}”");
        }
        Import { file, sheet, today } => {
            let bytes = crate::read_limited(file, taizhang_office::MAX_FILE_BYTES)?;
            let name = file.display().to_string();
            let today = crate::parse_today(today.as_deref())?;
            let n = acting.import_nodes(bytes, &name, sheet.as_deref(), today).await?;
            say!("已导入节点{n}条");
        }
    }
    Ok(())
}

/// `taizhang element …`.
pub async fn element(acting: &Acting<'_>, cmd: &crate::ElementCommand) -> Result<(), CliError> {
    use crate::ElementCommand::*;
    match cmd {
        Show { project } => {
            say!("要素\t落实情况\t责任单位\t计划落实\t说明\t问题");
            for e in acting.elements(project).await? {
                say!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    e.item,
                    e.status.label_zh(),
                    acting.unit_name(&e.unit),
                    e.due.map(|d| d.to_string()).unwrap_or_default(),
                    e.note,
                    e.problem.map(|p| format!("#{p}")).unwrap_or_default()
                );
            }
        }
        Set { project, item, status, unit, due, note, today } => {
            let today = crate::parse_today(today.as_deref())?;
            let element = taizhang_core::mechanism::Element {
                project: project.clone(),
                item: item.clone(),
                status: status.parse()?,
                unit: unit.clone().unwrap_or_default(),
                note: note.clone(),
                due: due.as_deref().map(Date::parse).transpose()?,
                updated_on: today,
                problem: None,
            };
            acting.save_element(&element).await?;
            say!("已保存 {project} 要素保障“{item}”：{}", element.status.label_zh());
        }
    }
    Ok(())
}

/// Writes a document as Word and says where.
fn write_docx(doc: &taizhang_core::report::Document, out: &std::path::Path) -> Result<(), CliError> {
    let bytes = taizhang_office::report::docx(doc).map_err(CliError::Usage)?;
    std::fs::write(out, bytes)?;
    say!("已写出《{}》：{}", doc.title, out.display());
    Ok(())
}

/// Past this size a grid or class file is refused before it is read (a city's grid is a few
/// megabytes of GeoJSON).
const MAX_CASE_FILE_BYTES: u64 = 64 * 1024 * 1024;

fn read_case_file(path: &std::path::Path, what: &str) -> Result<String, CliError> {
    let size = std::fs::metadata(path).map_err(|e| crate::file_error(what, path, &e))?.len();
    if size > MAX_CASE_FILE_BYTES {
        return Err(CliError::Usage(format!(
            "{} 有 {} MB，超过上限 {} MB",
            path.display(),
            size / (1024 * 1024),
            MAX_CASE_FILE_BYTES / (1024 * 1024)
        )));
    }
    std::fs::read_to_string(path).map_err(|e| crate::file_error(what, path, &e))
}

fn moment(text: &Option<String>) -> Result<taizhang_app::Moment, CliError> {
    match text {
        Some(t) => Ok(taizhang_app::Moment::parse(t)?),
        None => Ok(taizhang_app::clock::now()),
    }
}

fn case_line(c: &taizhang_app::CaseRecord) -> String {
    let due = c.due_at.as_deref().map(|d| format!("，时限 {d}")).unwrap_or_default();
    let unit = c.status.unit.as_deref().map(|u| format!("，处置单位 {u}")).unwrap_or_default();
    format!(
        "案件 #{} [{}] {}（网格 {}，{}）{}{}，{}上报于 {}",
        c.id,
        c.status.state.label_zh(),
        c.description,
        c.cell,
        c.street,
        unit,
        due,
        c.reported_by,
        c.reported_at
    )
}

pub async fn case(acting: &Acting<'_>, cmd: &crate::CaseCommand) -> Result<(), CliError> {
    use crate::CaseCommand::*;
    match cmd {
        Grid { file, sample } => {
            let text = read_case_file(file, "读取网格文件")?;
            let cells = taizhang_core::grid::cells_from_geojson_text(&text)?;
            let saved = acting.save_grid(&cells, *sample).await?;
            say!("已导入单元网格{saved}个");
        }
        Import { file, what } => {
            let bytes = crate::read_limited(file, taizhang_office::MAX_FILE_BYTES)?;
            let what = taizhang_app::CaseImport::named(what)?;
            let said = acting.import_case_workbook(&bytes, &file.display().to_string(), what).await?;
            say!("{said}");
        }
        Gen { cells_per_street, cases, year, seed } => {
            let started = std::time::Instant::now();
            let spec = taizhang_app::synthetic_cases::CaseGenSpec {
                cells_per_street: *cells_per_street,
                cases: *cases,
                year: *year,
                seed: *seed,
            };
            let bar = indicatif::ProgressBar::new(u64::from(*cases));
            let written = acting.generate_cases(spec, &|n| bar.set_position(n as u64)).await?;
            bar.finish_and_clear();
            say!("已生成示例案件{written}件（{:.1} 秒）", started.elapsed().as_secs_f64());
        }
        Classes { file } => {
            let text = read_case_file(file, "读取小类文件")?;
            let classes = taizhang_core::cases::classes_from_toml(&text)?;
            let saved = acting.save_case_classes(&classes).await?;
            say!("已导入小类{saved}个");
        }
        Report { class, lon, lat, address, description, photos, at } => {
            let degrees = |name: &str, text: &str| {
                taizhang_app::degrees(text).map_err(|e| CliError::Usage(format!("--{name}：{e}")))
            };
            let photos = photos.join("\n");
            let report = taizhang_app::CaseReport {
                class,
                lon: degrees("lon", lon)?,
                lat: degrees("lat", lat)?,
                address,
                description,
                photos: &photos,
                sample: false,
            };
            let id = acting.report_case(&report, moment(at)?).await?;
            let (case, _) = acting.case_with_trail(id).await?;
            say!("已上报：{}", case_line(&case));
        }
        Step { id, step, unit, text, passed, rework, until, at } => {
            let until = until.as_deref().map(Date::parse).transpose()?;
            let checked = (*passed || *rework).then_some(*passed);
            let request = taizhang_app::StepRequest::named(step, unit.clone(), text.clone(), checked, until)?;
            let case = acting.take_case_step(*id, request, moment(at)?).await?;
            say!("已办理：{}", case_line(&case));
        }
        List { unit, state, month } => {
            let state = state.as_deref().map(str::parse).transpose()?;
            let month = month.as_deref().map(taizhang_app::case_month).transpose()?;
            let found = acting.cases(unit.as_deref(), state, month).await?;
            for c in &found {
                say!("{}", case_line(c));
            }
            say!("共{}件", found.len());
        }
        Evaluate { month, by } => {
            let period = taizhang_app::case_period(month)?;
            let scores = acting.case_evaluation_in(taizhang_app::dimension_named(by)?, period).await?;
            let rate = |r: Option<taizhang_core::Decimal>| r.map_or("—".to_string(), |r| format!("{r:.2}%"));
            say!("名次\t名称\t上报\t立案\t派遣\t应结案\t结案\t按期结案\t超期\t结案率\t按期结案率\t返工率\t综合指标值");
            for (i, s) in scores.iter().enumerate() {
                let c = &s.counts;
                let rank = if s.on_time_rate.is_some() { (i + 1).to_string() } else { "—".into() };
                say!(
                    "{rank}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    s.name,
                    c.reported,
                    c.filed,
                    c.dispatched,
                    c.due,
                    c.closed,
                    c.on_time,
                    c.overdue,
                    rate(s.closing_rate),
                    rate(s.on_time_rate),
                    rate(s.rework_rate),
                    s.index.map_or("—".to_string(), |i| format!("{i:.2}"))
                );
            }
        }
        Show { id } => {
            let (case, trail) = acting.case_with_trail(*id).await?;
            say!("{}", case_line(&case));
            for s in trail {
                let note = if s.note.is_empty() { String::new() } else { format!("：{}", s.note) };
                say!("  {} {} {}{note}（{} → {}）", s.at, s.actor, s.step, s.from.label_zh(), s.to.label_zh());
            }
        }
    }
    Ok(())
}
