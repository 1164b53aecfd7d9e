//! A "world": a whole ledger described in human-readable TOML files (units, indicator
//! values, plan, projects, tasks), such as the built-in Erqi demo. Parsing and the
//! reproducible generation of sample rows behind published totals live here; writing is
//! the store's business.

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::codes::ProjectCode;
use crate::error::DomainError;
use crate::indicator::{Catalogue, IndicatorValue, Published, Target, TargetText, parse_target_text};
use crate::org::{OrgTree, OrgUnit};
use crate::period::Period;
use crate::plan::{KeyTask, Milestone, PlanNode, TaskStatus};
use crate::project::{Date, MonthlyProgress, Nature, Project, Responsibility, YearPlan};
use crate::quantity::{parse_number, parse_quantity};

/// One project with its yearly plans and monthly reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRecord {
    pub project: Project,
    pub plans: Vec<YearPlan>,
    pub progress: Vec<MonthlyProgress>,
}

#[derive(Debug, Clone, Default)]
pub struct World {
    pub units: Vec<OrgUnit>,
    pub values: Vec<IndicatorValue>,
    pub targets: Vec<Target>,
    pub honours: Vec<crate::honour::Honour>,
    pub plan: Vec<PlanNode>,
    pub milestones: Vec<Milestone>,
    pub projects: Vec<ProjectRecord>,
    /// Projects' own monthly plans (cumulative), where they have one.
    pub month_plans: Vec<crate::project::MonthPlan>,
    pub tasks: Vec<KeyTask>,
}

/// The texts of a world's files; any may be empty.
#[derive(Debug, Clone, Copy, Default)]
pub struct WorldFiles<'a> {
    pub units: &'a str,
    pub values: &'a str,
    pub plan: &'a str,
    pub projects: &'a str,
    pub tasks: &'a str,
}

fn toml_err(file: &str, e: toml::de::Error) -> DomainError {
    DomainError::Invalid(format!("{file}：{e}"))
}

fn at(file: &str, what: &str, e: DomainError) -> DomainError {
    DomainError::Invalid(format!("{file} {what}：{e}"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitsFile {
    unit: Vec<UnitDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitDef {
    code: String,
    name: String,
    kind: String,
    parent: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ValuesFile {
    #[serde(default)]
    defaults: ValueDefaults,
    #[serde(default)]
    value: Vec<ValueDef>,
    #[serde(default)]
    target: Vec<TargetDef>,
    #[serde(default)]
    honour: Vec<HonourDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HonourDef {
    unit: Option<String>,
    year: i32,
    scope: String,
    #[serde(default)]
    subject: String,
    item: String,
    kind: String,
    result: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ValueDefaults {
    unit: Option<String>,
    period: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueDef {
    indicator: String,
    unit: Option<String>,
    period: Option<String>,
    value: Option<String>,
    growth: Option<String>,
    note: Option<String>,
    /// 数据状态 (初步预计, 最终核实 …), 来源, 口径 and 价格基础, as published.
    status: Option<String>,
    source: Option<String>,
    caliber: Option<String>,
    price_basis: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetDef {
    indicator: String,
    unit: Option<String>,
    year: i32,
    level: Option<String>,
    growth: Option<String>,
    /// 以上, 左右, 以内; a growth may also carry its own ("8%以上").
    qualifier: Option<String>,
    /// A target in words ("高于全市平均水平").
    text: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    unit: String,
    year: i32,
    #[serde(default)]
    node: Vec<NodeDef>,
    #[serde(default)]
    milestone: Vec<MilestoneDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeDef {
    code: String,
    parent: Option<String>,
    kind: String,
    level: String,
    title: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MilestoneDef {
    horizon: String,
    text: String,
    /// `targets = [{ indicator = "地区生产总值", target = "1000亿元以上" }]`
    #[serde(default)]
    targets: Vec<MilestoneTargetDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MilestoneTargetDef {
    indicator: String,
    target: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ProjectsFile {
    #[serde(default)]
    project: Vec<ProjectDef>,
    #[serde(default)]
    sample_group: Vec<ProjectGroupDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectDef {
    code: String,
    name: String,
    category: String,
    nature: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    content: String,
    total: String,
    unit: String,
    #[serde(default)]
    lead_leader: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    contact: String,
    planned_start: Option<String>,
    planned_finish: Option<String>,
    actual_start: Option<String>,
    #[serde(default)]
    actual_finish: Option<String>,
    #[serde(default)]
    flags: Vec<String>,
    #[serde(default)]
    plans: Vec<PlanDef>,
    /// The plan node (工作) the project serves.
    plan_node: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanDef {
    year: i32,
    planned: String,
    completed: Option<String>,
    #[serde(default)]
    milestones: String,
    /// The project's own monthly plan: planned investment cumulated from January, month by month.
    #[serde(default)]
    monthly: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectGroupDef {
    code_prefix: String,
    year: i32,
    projects: u32,
    completed: Option<String>,
    started: Option<u32>,
    #[serde(default)]
    flags: Vec<String>,
    categories: Vec<String>,
    #[serde(default)]
    parts: Vec<PartDef>,
    /// For a year under way: sample monthly reports from January through this month, each
    /// project at its own pace (some ahead of 序时进度, some behind, some not started).
    progress_through: Option<u8>,
    /// The plan node the group's projects serve.
    plan_node: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct PartDef {
    category: Option<String>,
    nature: Option<String>,
    #[serde(default)]
    flags: Vec<String>,
    projects: u32,
    started: Option<u32>,
    completed: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TasksFile {
    #[serde(default)]
    task: Vec<TaskDef>,
    #[serde(default)]
    sample_group: Vec<TaskGroupDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskDef {
    code: String,
    name: String,
    year: i32,
    lead_unit: String,
    #[serde(default)]
    cooperating: Vec<String>,
    #[serde(default)]
    lead_leader: String,
    deadline: Option<String>,
    #[serde(default)]
    target: String,
    status: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskGroupDef {
    code_prefix: String,
    year: i32,
    tasks: u32,
}

fn parse_or_empty<T: for<'de> Deserialize<'de> + Default>(file: &str, text: &str) -> Result<T, DomainError> {
    if text.trim().is_empty() { Ok(T::default()) } else { toml::from_str(text).map_err(|e| toml_err(file, e)) }
}

fn opt_date(file: &str, what: &str, text: &Option<String>) -> Result<Option<Date>, DomainError> {
    text.as_deref().map(Date::parse).transpose().map_err(|e| at(file, what, e))
}

fn wan(file: &str, what: &str, text: &str) -> Result<Decimal, DomainError> {
    parse_number(text).map_err(|e| at(file, what, e))
}

impl World {
    /// Parses a world, checking every value against the catalogue and the unit tree.
    pub fn parse(files: WorldFiles<'_>, catalogue: &Catalogue) -> Result<Self, DomainError> {
        let mut world = World::default();
        if !files.units.trim().is_empty() {
            let units: UnitsFile = toml::from_str(files.units).map_err(|e| toml_err("units.toml", e))?;
            for u in units.unit {
                world.units.push(OrgUnit {
                    kind: u.kind.parse().map_err(|e| at("units.toml", &u.code, e))?,
                    code: u.code.parse().map_err(|e| at("units.toml", &u.code, e))?,
                    name: u.name,
                    parent: u.parent,
                });
            }
            OrgTree::new(world.units.clone()).map_err(|e| at("units.toml", "", e))?;
        }
        world.parse_values(files.values, catalogue)?;
        world.parse_plan(files.plan, catalogue)?;
        world.parse_projects(files.projects)?;
        world.parse_tasks(files.tasks)?;
        Ok(world)
    }

    fn parse_values(&mut self, text: &str, catalogue: &Catalogue) -> Result<(), DomainError> {
        const FILE: &str = "values.toml";
        let file: ValuesFile = parse_or_empty(FILE, text)?;
        for v in file.value {
            let what = format!("指标“{}”", v.indicator);
            let ind = catalogue.require(&v.indicator).map_err(|e| at(FILE, &what, e))?;
            let unit = v
                .unit
                .or_else(|| file.defaults.unit.clone())
                .ok_or_else(|| at(FILE, &what, DomainError::Invalid("缺少单位".into())))?;
            let period_text = v.period.or_else(|| file.defaults.period.clone()).unwrap_or_default();
            let period: Period = period_text.parse().map_err(|e| at(FILE, &what, e))?;
            let mut published = Published::default();
            let value = match &v.value {
                Some(text) => {
                    let (number, measure) = parse_quantity(text).map_err(|e| at(FILE, &what, e))?;
                    // Kept as written: 914326万元 stays in 万元, 9.0 keeps its decimal.
                    published.unit = Some(measure.clone());
                    published.decimals = Some(number.scale());
                    if !measure.same_base(&ind.unit) {
                        return Err(at(
                            FILE,
                            &what,
                            DomainError::UnitMismatch {
                                indicator: ind.name.clone(),
                                value: text.clone(),
                                expected: ind.unit.to_string(),
                            },
                        ));
                    }
                    Some(measure.to_base(number))
                }
                None => None,
            };
            let growth = v.growth.as_deref().map(parse_number).transpose().map_err(|e| at(FILE, &what, e))?;
            published.growth_decimals = growth.map(|g| g.scale());
            let mut value = IndicatorValue::new(ind, &unit, period, value, growth).map_err(|e| at(FILE, &what, e))?;
            value.note = v.note;
            value.published = published;
            value.source = v.source;
            let word = |t: Option<String>| t.filter(|t| !t.trim().is_empty());
            value.vintage = word(v.status).map(|t| t.parse()).transpose().map_err(|e| at(FILE, &what, e))?;
            value.caliber = word(v.caliber).map(|t| t.parse()).transpose().map_err(|e| at(FILE, &what, e))?;
            value.price_basis = word(v.price_basis).map(|t| t.parse()).transpose().map_err(|e| at(FILE, &what, e))?;
            self.values.push(value);
        }
        for t in file.target {
            let what = format!("指标“{}”{}年目标", t.indicator, t.year);
            let ind = catalogue.require(&t.indicator).map_err(|e| at(FILE, &what, e))?;
            let unit = t.unit.or_else(|| file.defaults.unit.clone()).unwrap_or_default();
            let level = match &t.level {
                Some(text) => {
                    let (n, m) = parse_quantity(text).map_err(|e| at(FILE, &what, e))?;
                    Some(m.to_base(n))
                }
                None => None,
            };
            let mut bound = t.qualifier.as_deref().map(str::parse).transpose().map_err(|e| at(FILE, &what, e))?;
            let growth = match t.growth.as_deref().map(parse_target_text).transpose().map_err(|e| at(FILE, &what, e))? {
                Some(TargetText::Figure(b, n)) => {
                    bound = bound.or(b);
                    Some(parse_number(&n).map_err(|e| at(FILE, &what, e))?)
                }
                Some(TargetText::Words(w)) => {
                    return Err(at(
                        FILE,
                        &what,
                        DomainError::Invalid(format!("目标增长率“{w}”不是数字；文字目标请写在 text")),
                    ));
                }
                None => None,
            };
            let mut target =
                Target::worded(ind, &unit, t.year, level, growth, t.text).map_err(|e| at(FILE, &what, e))?;
            target.bound = bound;
            self.targets.push(target);
        }
        for h in file.honour {
            let what = format!("荣誉“{}{}”", h.scope, h.item);
            let unit = h
                .unit
                .or_else(|| file.defaults.unit.clone())
                .ok_or_else(|| at(FILE, &what, DomainError::Invalid("缺少单位".into())))?;
            self.honours.push(crate::honour::Honour {
                kind: crate::honour::HonourKind::from_parts(&h.kind, &h.result).map_err(|e| at(FILE, &what, e))?,
                unit,
                year: h.year,
                scope: h.scope,
                subject: h.subject,
                item: h.item,
            });
        }
        Ok(())
    }

    fn parse_plan(&mut self, text: &str, catalogue: &Catalogue) -> Result<(), DomainError> {
        if text.trim().is_empty() {
            return Ok(());
        }
        let file: PlanFile = toml::from_str(text).map_err(|e| toml_err("plan.toml", e))?;
        for (order, n) in file.node.into_iter().enumerate() {
            self.plan.push(PlanNode {
                kind: n.kind.parse().map_err(|e| at("plan.toml", &n.code, e))?,
                code: n.code,
                parent: n.parent,
                unit: file.unit.clone(),
                year: file.year,
                level_label: n.level,
                title: n.title,
                order: order as i64,
            });
        }
        for (order, m) in file.milestone.into_iter().enumerate() {
            let mut targets = Vec::new();
            for t in m.targets {
                let what = format!("{} {}", m.horizon, t.indicator);
                let ind = catalogue.require(&t.indicator).map_err(|e| at("plan.toml", &what, e))?;
                crate::indicator::parse_target_text(&t.target).map_err(|e| at("plan.toml", &what, e))?;
                targets.push((ind.code.to_string(), t.target.trim().to_string()));
            }
            self.milestones.push(Milestone {
                unit: file.unit.clone(),
                horizon: m.horizon,
                order: order as i64,
                text: m.text,
                targets,
            });
        }
        Ok(())
    }

    fn parse_projects(&mut self, text: &str) -> Result<(), DomainError> {
        const FILE: &str = "projects.toml";
        let file: ProjectsFile = parse_or_empty(FILE, text)?;
        for p in file.project {
            let what = format!("项目“{}”", p.code);
            let project = Project {
                nature: p.nature.parse().map_err(|e| at(FILE, &what, e))?,
                total_investment_wan: wan(FILE, &what, &p.total)?,
                planned_start: opt_date(FILE, &what, &p.planned_start)?,
                planned_finish: opt_date(FILE, &what, &p.planned_finish)?,
                actual_start: opt_date(FILE, &what, &p.actual_start)?,
                actual_finish: opt_date(FILE, &what, &p.actual_finish)?,
                responsibility: Responsibility {
                    lead_leader: p.lead_leader,
                    unit: p.unit,
                    person: p.person,
                    contact: p.contact,
                    deadline: opt_date(FILE, &what, &p.planned_finish)?,
                },
                code: ProjectCode::parse(&p.code).map_err(|e| at(FILE, &what, e))?,
                name: p.name,
                category: p.category,
                location: p.location,
                content: p.content,
                flags: p.flags,
                plan_node: p.plan_node,
                sample: false,
            };
            project.validate().map_err(|e| at(FILE, &what, e))?;
            let mut record = ProjectRecord { project, plans: vec![], progress: vec![] };
            for plan in p.plans {
                for (i, text) in plan.monthly.iter().enumerate().take(12) {
                    self.month_plans.push(crate::project::MonthPlan {
                        project: record.project.code.to_string(),
                        period: Period::Month(plan.year, i as u8 + 1),
                        planned_ytd_wan: wan(FILE, &what, text)?,
                    });
                }
                let completed = plan.completed.as_deref().map(|c| wan(FILE, &what, c)).transpose()?;
                record.add_year(plan.year, wan(FILE, &what, &plan.planned)?, completed, plan.milestones);
            }
            self.projects.push(record);
        }
        for group in file.sample_group {
            let generated = generate_project_group(&group, &self.projects, &self.unit_codes_for_samples())?;
            self.projects.extend(generated);
        }
        Ok(())
    }

    fn parse_tasks(&mut self, text: &str) -> Result<(), DomainError> {
        const FILE: &str = "tasks.toml";
        let file: TasksFile = parse_or_empty(FILE, text)?;
        for t in file.task {
            let what = format!("任务“{}”", t.code);
            self.tasks.push(KeyTask {
                status: t.status.parse().map_err(|e| at(FILE, &what, e))?,
                deadline: opt_date(FILE, &what, &t.deadline)?,
                code: t.code,
                name: t.name,
                year: t.year,
                plan_node: None,
                lead_unit: t.lead_unit,
                cooperating_units: t.cooperating,
                lead_leader: t.lead_leader,
                target: t.target,
                sample: false,
            });
        }
        let units = self.unit_codes_for_samples();
        for group in file.sample_group {
            let named = self.tasks.iter().filter(|t| t.year == group.year).count() as u32;
            let missing = group.tasks.checked_sub(named).ok_or_else(|| {
                DomainError::Invalid(format!(
                    "{FILE}：{}年已列出{named}项任务，多于样例组的总数{}",
                    group.year, group.tasks
                ))
            })?;
            for i in 1..=missing {
                self.tasks.push(KeyTask {
                    code: format!("{}{i:03}", group.code_prefix),
                    name: format!("示例工作{}-{i:03}", group.year),
                    year: group.year,
                    plan_node: None,
                    lead_unit: units[(i as usize) % units.len()].clone(),
                    cooperating_units: vec![],
                    lead_leader: "区领导（示例）".into(),
                    deadline: Date::new(group.year, 12, 31).ok(),
                    target: "示例目标".into(),
                    status: TaskStatus::InProgress,
                    sample: true,
                });
            }
        }
        Ok(())
    }

    /// Units sample rows are spread over: every unit below a root, or the roots alone.
    fn unit_codes_for_samples(&self) -> Vec<String> {
        let below: Vec<String> = self.units.iter().filter(|u| u.parent.is_some()).map(|u| u.code.to_string()).collect();
        if below.is_empty() { self.units.iter().map(|u| u.code.to_string()).collect() } else { below }
    }
}

impl ProjectRecord {
    /// Adds a year's plan and, when the year's December 年初至报告期累计 is known, twelve
    /// monthly reports spread evenly up to it (exactly: the last month takes the remainder).
    pub fn add_year(&mut self, year: i32, planned_wan: Decimal, completed_wan: Option<Decimal>, milestones: String) {
        self.plans.push(YearPlan { project: self.project.code.to_string(), year, planned_wan, milestones });
        if let Some(completed) = completed_wan {
            self.add_months(year, 12, completed);
        }
    }

    /// Monthly reports from January through `through`, spread evenly up to `ytd` at the end.
    pub fn add_months(&mut self, year: i32, through: u8, ytd_at_end: Decimal) {
        let started_before = self.project.actual_start.is_some_and(|d| d.year < year);
        // What was spent before the year: a fifth of the total for a project already under way.
        let before =
            if started_before { (self.project.total_investment_wan / Decimal::from(5)).floor() } else { Decimal::ZERO };
        let mut previous = Decimal::ZERO;
        for month in 1..=through {
            let ytd = if month == through {
                ytd_at_end
            } else {
                (ytd_at_end * Decimal::from(month) / Decimal::from(through)).floor()
            };
            self.progress.push(MonthlyProgress {
                project: self.project.code.to_string(),
                period: Period::Month(year, month),
                month_wan: Some(ytd - previous),
                ytd_wan: ytd,
                since_start_wan: Some((before + ytd).min(self.project.total_investment_wan)),
                image_progress: if ytd_at_end.is_zero() { "前期工作".into() } else { "按计划推进".into() },
                problems: String::new(),
            });
            previous = ytd;
        }
    }
}

/// Splits `total` into `n` exact parts with uneven, reproducible weights.
fn split_exact(total: Decimal, n: u32) -> Vec<Decimal> {
    if n == 0 {
        return vec![];
    }
    let weights: Vec<u32> = (0..n).map(|i| 5 + (i * 7) % 11).collect();
    let sum: u32 = weights.iter().sum();
    let mut parts: Vec<Decimal> =
        weights.iter().map(|&w| (total * Decimal::from(w) / Decimal::from(sum)).floor()).collect();
    let rest = total - parts.iter().copied().sum::<Decimal>();
    if let Some(last) = parts.last_mut() {
        *last += rest;
    }
    parts
}

fn part_matches(part: &PartDef, p: &Project) -> bool {
    part.category.as_ref().is_none_or(|c| *c == p.category)
        && part.nature.as_ref().is_none_or(|n| n.parse::<Nature>().is_ok_and(|n| n == p.nature))
        && part.flags.iter().all(|f| p.flags.contains(f))
}

/// Generates the sample projects of a group so that, with the named projects of its year,
/// the group's and each part's counts, starts and completed investment come out exactly.
fn generate_project_group(
    group: &ProjectGroupDef,
    named: &[ProjectRecord],
    units: &[String],
) -> Result<Vec<ProjectRecord>, DomainError> {
    let year = group.year;
    let err = |what: String| DomainError::Invalid(format!("projects.toml 样例组 {}：{what}", group.code_prefix));
    let in_year: Vec<&ProjectRecord> = named.iter().filter(|r| r.plans.iter().any(|p| p.year == year)).collect();
    let completed_of = |r: &ProjectRecord| {
        r.progress.iter().filter(|g| g.period == Period::Month(year, 12)).map(|g| g.ytd_wan).sum::<Decimal>()
    };
    let started_in_year = |r: &ProjectRecord| r.project.actual_start.is_some_and(|d| d.year == year);
    let started_by_end = |r: &ProjectRecord| r.project.actual_start.is_some_and(|d| d.year <= year);

    // Each named project counts toward the first part it matches, or toward the rest.
    let mut parts: Vec<(PartDef, Vec<&ProjectRecord>)> = group.parts.iter().map(|p| (p.clone(), vec![])).collect();
    let mut rest_named = Vec::new();
    for r in &in_year {
        match parts.iter_mut().find(|(part, _)| part_matches(part, &r.project)) {
            Some((_, members)) => members.push(*r),
            None => rest_named.push(*r),
        }
    }
    let parts_projects: u32 = group.parts.iter().map(|p| p.projects).sum();
    let rest_total =
        group.projects.checked_sub(parts_projects).ok_or_else(|| err("各部分项目数之和超过总数".into()))?;
    let parse_total = |t: &Option<String>| t.as_deref().map(parse_number).transpose();
    let group_completed = parse_total(&group.completed)?;
    let parts_completed: Decimal = group
        .parts
        .iter()
        .map(|p| parse_total(&p.completed))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .sum();
    let parts_started_in_year: u32 = group.parts.iter().filter_map(|p| p.started).sum();

    let mut specs: Vec<GenSpec> = Vec::new();
    for (part, members) in &parts {
        let count = part
            .projects
            .checked_sub(members.len() as u32)
            .ok_or_else(|| err("已列出的项目多于该部分的总数".into()))?;
        let started = match part.started {
            Some(s) => Some(
                s.checked_sub(members.iter().filter(|r| started_by_end(r)).count() as u32)
                    .ok_or_else(|| err("开工数不足".into()))?,
            ),
            None => None,
        };
        let completed =
            parse_total(&part.completed)?.map(|c| c - members.iter().map(|r| completed_of(r)).sum::<Decimal>());
        specs.push(GenSpec {
            count,
            started,
            completed,
            category: part.category.clone(),
            nature: part.nature.as_deref().map(str::parse).transpose()?,
            flags: part.flags.clone(),
            unstarted_preparatory: part.started.is_some(),
        });
    }
    let rest_count =
        rest_total.checked_sub(rest_named.len() as u32).ok_or_else(|| err("已列出的项目多于总数".into()))?;
    let rest_started = match group.started {
        Some(s) => {
            let named_started = rest_named.iter().filter(|r| started_in_year(r)).count() as u32;
            Some(s.checked_sub(parts_started_in_year + named_started).ok_or_else(|| err("开工数不足".into()))?)
        }
        None => None,
    };
    let rest_completed =
        group_completed.map(|c| c - parts_completed - rest_named.iter().map(|r| completed_of(r)).sum::<Decimal>());
    specs.push(GenSpec {
        count: rest_count,
        started: rest_started,
        completed: rest_completed,
        category: None,
        nature: None,
        flags: vec![],
        unstarted_preparatory: false,
    });

    let mut out = Vec::new();
    let mut serial = 0u32;
    for spec in specs {
        if spec.completed.is_some_and(|c| c.is_sign_negative() && !c.is_zero()) {
            return Err(err("已列出项目的完成投资超过总数".into()));
        }
        let started = spec.started.unwrap_or(0).min(spec.count);
        // Only projects that spend share the completed total: in a part whose starts are
        // counted, those not started are still in preparation (前期) and spent nothing.
        let spenders = if spec.unstarted_preparatory { started } else { spec.count };
        let amounts = spec.completed.map(|c| split_exact(c, spenders));
        for i in 0..spec.count {
            serial += 1;
            let starts_now = spec.started.is_some() && i < started;
            let preparatory = spec.unstarted_preparatory && !starts_now;
            let nature = spec.nature.unwrap_or(if starts_now {
                Nature::New
            } else if preparatory {
                Nature::Preparatory
            } else {
                Nature::Continuing
            });
            let completed = amounts.as_ref().map(|a| if preparatory { Decimal::ZERO } else { a[i as usize] });
            let base = completed.unwrap_or(Decimal::from(10_000 + (serial * 3779) % 90_000));
            let total = base * Decimal::from(4) + Decimal::from(10_000);
            let month = 1 + (serial % 12) as u8;
            let actual_start = match nature {
                Nature::Preparatory => None,
                Nature::New if spec.started.is_some() => Date::new(year, month, 1 + (serial % 28) as u8).ok(),
                Nature::New => None,
                _ => Date::new(year - 1, month, 1 + (serial % 28) as u8).ok(),
            };
            let category = spec
                .category
                .clone()
                .unwrap_or_else(|| group.categories[(serial as usize) % group.categories.len()].clone());
            let mut flags = group.flags.clone();
            flags.extend(spec.flags.iter().cloned());
            let project = Project {
                code: ProjectCode::parse(&format!("{}{serial:03}", group.code_prefix))?,
                name: format!("示例项目（{year}-{serial:03}）"),
                category,
                nature,
                location: "示例地点".into(),
                content: "示例建设内容".into(),
                total_investment_wan: total,
                planned_start: Date::new(
                    if actual_start.is_some_and(|d| d.year < year) { year - 1 } else { year },
                    month,
                    1,
                )
                .ok(),
                planned_finish: Date::new(year + 2, 12, 31).ok(),
                actual_start,
                actual_finish: None,
                flags,
                responsibility: Responsibility {
                    lead_leader: "区领导（示例）".into(),
                    unit: units[(serial as usize) % units.len()].clone(),
                    person: "示例责任人".into(),
                    contact: String::new(),
                    deadline: Date::new(year + 2, 12, 31).ok(),
                },
                plan_node: group.plan_node.clone(),
                sample: true,
            };
            let mut record = ProjectRecord { project, plans: vec![], progress: vec![] };
            // Plans close to what was done, a little above or below, so that lights vary.
            let planned = match completed {
                Some(c) if !c.is_zero() => (c * Decimal::from(95 + (serial % 11)) / Decimal::ONE_HUNDRED).round(),
                _ => base,
            };
            record.add_year(year, planned, completed, "示例形象进度节点".into());
            if let (Some(through), None, true) =
                (group.progress_through, completed, record.project.actual_start.is_some())
            {
                // Shares of the annual plan done by `through`: around and behind 序时进度.
                const PACE: [u32; 8] = [45, 40, 35, 30, 25, 15, 5, 0];
                let share =
                    Decimal::from(PACE[(serial as usize) % PACE.len()]) * Decimal::from(through) / Decimal::from(500);
                record.add_months(year, through, (planned * share).floor());
            }
            out.push(record);
        }
    }
    Ok(out)
}

struct GenSpec {
    count: u32,
    started: Option<u32>,
    completed: Option<Decimal>,
    category: Option<String>,
    nature: Option<Nature>,
    flags: Vec<String>,
    unstarted_preparatory: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::d;

    #[test]
    fn exact_splits_add_up_to_the_total() {
        for (total, n) in [("4700000", 150), ("376000", 24), ("1", 3), ("0", 5)] {
            let parts = split_exact(d(total), n);
            assert_eq!(parts.len(), n as usize);
            assert_eq!(parts.iter().copied().sum::<Decimal>(), d(total));
            assert!(parts.iter().all(|p| !p.is_sign_negative() || p.is_zero()));
        }
    }

    #[test]
    fn monthly_reports_spread_exactly_to_the_december_figure() {
        let project = Project {
            code: ProjectCode::parse("X").unwrap(),
            name: "X".into(),
            category: "c".into(),
            nature: Nature::Continuing,
            location: String::new(),
            content: String::new(),
            total_investment_wan: d("1000"),
            planned_start: None,
            planned_finish: None,
            actual_start: Date::new(2016, 5, 1).ok(),
            actual_finish: None,
            flags: vec![],
            responsibility: Responsibility::default(),
            plan_node: None,
            sample: true,
        };
        let mut r = ProjectRecord { project: project.clone(), plans: vec![], progress: vec![] };
        r.add_year(2017, d("100"), Some(d("101")), String::new());
        assert_eq!(r.progress.len(), 12);
        assert_eq!(r.progress[11].ytd_wan, d("101"));
        assert_eq!(r.progress.iter().filter_map(|g| g.month_wan).sum::<Decimal>(), d("101"));
        assert_eq!(r.progress[11].since_start_wan, Some(d("301")));
        assert!(r.progress.windows(2).all(|w| w[0].ytd_wan <= w[1].ytd_wan));
        for g in &r.progress {
            g.validate(&project).unwrap();
        }
    }

    #[test]
    fn a_project_may_carry_its_own_monthly_plan() {
        let c = Catalogue::standard().unwrap();
        let projects = "[[project]]\ncode = \"P\"\nname = \"项目\"\ncategory = \"c\"\nnature = \"续建\"\ntotal = \"1000\"\nunit = \"u\"\n\
                        plans = [{ year = 2018, planned = \"120\", monthly = [\"5\", \"10\", \"30\"] }]\n";
        let world = World::parse(WorldFiles { projects, ..Default::default() }, &c).unwrap();
        let got: Vec<(Period, Decimal)> = world.month_plans.iter().map(|m| (m.period, m.planned_ytd_wan)).collect();
        assert_eq!(
            got,
            vec![
                (Period::Month(2018, 1), d("5")),
                (Period::Month(2018, 2), d("10")),
                (Period::Month(2018, 3), d("30"))
            ]
        );
    }

    #[test]
    fn a_milestone_holds_the_quantified_indicators_the_plan_gives() {
        let c = Catalogue::standard().unwrap();
        let plan = |target: &str| {
            format!(
                "unit = \"erqi\"\nyear = 2018\n[[milestone]]\nhorizon = \"2020年\"\ntext = \"迈入第一方阵\"\n\
                 targets = [{{ indicator = \"地区生产总值\", target = \"{target}\" }}]\n"
            )
        };
        let good = plan("1000亿元以上");
        let world = World::parse(WorldFiles { plan: &good, ..Default::default() }, &c).unwrap();
        assert_eq!(world.milestones[0].targets, vec![("GDP".to_string(), "1000亿元以上".to_string())]);
        let empty = plan(" ");
        let err = World::parse(WorldFiles { plan: &empty, ..Default::default() }, &c).unwrap_err().to_string();
        assert!(err.contains("plan.toml") && err.contains("2020年 地区生产总值"), "{err}");
    }

    #[test]
    fn bad_world_files_name_the_file_and_the_record() {
        let c = Catalogue::standard().unwrap();
        let values = "[[value]]\nindicator = \"不存在\"\nunit = \"x\"\nperiod = \"2017\"\nvalue = \"1亿元\"\n";
        let err = World::parse(WorldFiles { values, ..Default::default() }, &c).unwrap_err().to_string();
        assert!(err.contains("values.toml") && err.contains("不存在"), "{err}");
        let values = "[[value]]\nindicator = \"地区生产总值\"\nunit = \"x\"\nperiod = \"2017\"\nvalue = \"567万人\"\n";
        let err = World::parse(WorldFiles { values, ..Default::default() }, &c).unwrap_err().to_string();
        assert!(err.contains("567万人") && err.contains("亿元"), "{err}");
        let values =
            "[[value]]\nindicator = \"地区生产总值\"\nunit = \"x\"\nperiod = \"2017年13月\"\nvalue = \"567亿元\"\n";
        let err = World::parse(WorldFiles { values, ..Default::default() }, &c).unwrap_err().to_string();
        assert!(err.contains("2017年13月"), "{err}");
    }
}
