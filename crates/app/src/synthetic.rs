//! `taizhang gen`: a reproducible synthetic city for benchmarks. The same arguments and seed
//! always give the same ledger. Rows are bulk-loaded, one transaction per district.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use taizhang_core::codes::{ProjectCode, UnitCode};
use taizhang_core::indicator::{Catalogue, IndicatorValue, Target, Temporal};
use taizhang_core::org::{OrgUnit, UnitKind};
use taizhang_core::period::Period;
use taizhang_core::plan::{KeyTask, TaskStatus};
use taizhang_core::project::{Date, MonthlyProgress, Nature, Project, Responsibility, YearPlan};
use taizhang_store::{ProgressRow, Store};

use crate::{Error, Result};

#[derive(Debug, Clone, Copy)]
pub struct GenSpec {
    pub districts: u32,
    pub projects_per_district: u32,
    pub years: u32,
    pub last_year: i32,
    pub seed: u64,
}

const DEPARTMENTS: [&str; 10] = [
    "发展改革委",
    "财政局",
    "统计局",
    "住房城乡建设局",
    "城市管理局",
    "教育局",
    "卫生健康委",
    "科技局",
    "民政局",
    "生态环境局",
];
const STREETS: u32 = 8;
const CATEGORIES: [&str; 6] = ["产业发展", "基础设施", "城市建设", "社会民生", "生态建设", "文化旅游"];
const TASKS_PER_DISTRICT_YEAR: u32 = 40;

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

/// Generates the city into `store`, which must hold no units yet.
pub(crate) async fn generate(
    store: &Store,
    catalogue: &Catalogue,
    spec: GenSpec,
    on_district: &(dyn Fn(u32) + Sync),
) -> Result<()> {
    if store.counts().await?.units > 0 {
        return Err(Error::Invalid("gen 需要一个空数据库（其中已有单位）：请用 --db 指定新的数据库文件".into()));
    }
    let first_year = spec.last_year - spec.years as i32 + 1;
    let mut rng = StdRng::seed_from_u64(spec.seed);

    let mut tx = store.begin().await?;
    tx.install_catalogue(catalogue).await?;
    let city = OrgUnit { code: UnitCode::parse("city")?, name: "示例市".into(), kind: UnitKind::City, parent: None };
    tx.upsert_unit(&city, 0).await?;
    for n in 1..=spec.districts {
        let district = format!("d{n:02}");
        tx.upsert_unit(
            &OrgUnit {
                code: UnitCode::parse(&district)?,
                name: format!("示例{n}区"),
                kind: UnitKind::District,
                parent: Some("city".into()),
            },
            n.into(),
        )
        .await?;
        for (i, dept) in DEPARTMENTS.iter().enumerate() {
            let unit = OrgUnit {
                code: UnitCode::parse(&format!("{district}-b{i:02}"))?,
                name: format!("示例{n}区{dept}"),
                kind: UnitKind::Department,
                parent: Some(district.clone()),
            };
            tx.upsert_unit(&unit, i as i64).await?;
        }
        for s in 1..=STREETS {
            let unit = OrgUnit {
                code: UnitCode::parse(&format!("{district}-s{s:02}"))?,
                name: format!("示例{n}区第{s}街道"),
                kind: UnitKind::Street,
                parent: Some(district.clone()),
            };
            tx.upsert_unit(&unit, i64::from(100 + s)).await?;
        }
    }
    tx.commit().await?;
    let ids = store.ids().await?;

    let mut city_values = Vec::new();
    for year in first_year..=spec.last_year {
        if let Some(gdp) = catalogue.find("GDP") {
            let level = d(rng.random_range(5_000..20_000)) * d(100_000_000);
            city_values.push(IndicatorValue::new(
                gdp,
                "city",
                Period::Year(year),
                Some(level),
                Some(growth(&mut rng)),
            )?);
        }
    }
    let mut tx = store.begin().await?;
    tx.insert_values(&city_values, &ids, "gen").await?;
    tx.commit().await?;

    for n in 1..=spec.districts {
        let district = format!("d{n:02}");
        let units: Vec<String> = (0..DEPARTMENTS.len())
            .map(|i| format!("{district}-b{i:02}"))
            .chain((1..=STREETS).map(|s| format!("{district}-s{s:02}")))
            .collect();
        let mut projects = Vec::new();
        let mut plans = Vec::new();
        let mut progress = Vec::new();
        for p in 1..=spec.projects_per_district {
            let start_year = rng.random_range(first_year..=spec.last_year);
            let duration = rng.random_range(1..=3).min(spec.last_year - start_year + 1);
            let total = d(rng.random_range(1_000..300_000));
            let start_month = rng.random_range(1..=12u8);
            let code = format!("{district}-p{p:05}");
            let mut flags = Vec::new();
            if total >= d(10_000) {
                flags.push("亿元以上".to_string());
            }
            if rng.random_ratio(1, 50) {
                flags.push("出彩项目".to_string());
            }
            projects.push(Project {
                code: ProjectCode::parse(&code)?,
                name: format!("示例项目{district}-{p:05}"),
                category: CATEGORIES[rng.random_range(0..CATEGORIES.len())].to_string(),
                nature: if duration == 1 { Nature::New } else { Nature::Continuing },
                location: format!("示例{n}区"),
                content: "示例建设内容".into(),
                total_investment_wan: total,
                planned_start: Date::new(start_year, start_month, 1).ok(),
                planned_finish: Date::new(start_year + duration - 1, 12, 31).ok(),
                actual_start: Date::new(start_year, start_month, 15).ok(),
                actual_finish: None,
                flags,
                responsibility: Responsibility {
                    lead_leader: "示例分包领导".into(),
                    unit: units[rng.random_range(0..units.len())].clone(),
                    person: "示例责任人".into(),
                    contact: String::new(),
                    deadline: Date::new(start_year + duration - 1, 12, 31).ok(),
                },
                plan_node: None,
                sample: true,
            });
            let mut since_start = Decimal::ZERO;
            for year in start_year..start_year + duration {
                let planned = (total / d(i64::from(duration))).floor();
                plans.push((
                    code.clone(),
                    YearPlan { project: code.clone(), year, planned_wan: planned, milestones: "示例节点".into() },
                ));
                let done = (planned * d(rng.random_range(60..=110)) / d(100)).floor().min(total - since_start);
                let mut previous = Decimal::ZERO;
                for month in 1..=12u8 {
                    let ytd = if month == 12 { done } else { (done * d(i64::from(month)) / d(12)).floor() };
                    progress.push((
                        code.clone(),
                        MonthlyProgress {
                            project: code.clone(),
                            period: Period::Month(year, month),
                            month_wan: Some(ytd - previous),
                            ytd_wan: ytd,
                            since_start_wan: Some(since_start + ytd),
                            image_progress: "按计划推进".into(),
                            problems: String::new(),
                        },
                    ));
                    previous = ytd;
                }
                since_start += done;
            }
        }
        let mut values = Vec::new();
        let mut targets = Vec::new();
        for year in first_year..=spec.last_year {
            for ind in &catalogue.indicators {
                let magnitude = d(rng.random_range(100..10_000)) * ind.unit.factor();
                let level = if ind.unit.is_percent() { d(rng.random_range(10..90)) } else { magnitude };
                let economy = ind.phrasing.section == "economy";
                let g = economy.then(|| growth(&mut rng));
                values.push(IndicatorValue::new(ind, &district, Period::Year(year), Some(level), g)?);
                if economy && ind.temporal == Temporal::Flow {
                    for month in 1..=12 {
                        let ytd = (level * d(month) / d(12)).floor();
                        values.push(IndicatorValue::new(
                            ind,
                            &district,
                            Period::Month(year, month as u8),
                            Some(ytd),
                            g,
                        )?);
                    }
                    targets.push(Target::new(
                        ind,
                        &district,
                        year,
                        Some((level * d(105) / d(100)).floor()),
                        Some(d(8)),
                    )?);
                }
            }
            if let Some(revenue) = catalogue.find("GPBR") {
                for s in 1..=STREETS {
                    let level = d(rng.random_range(1_000..50_000)) * d(10_000);
                    values.push(IndicatorValue::new(
                        revenue,
                        &format!("{district}-s{s:02}"),
                        Period::Year(year),
                        Some(level),
                        None,
                    )?);
                }
            }
        }
        let tasks: Vec<KeyTask> = (first_year..=spec.last_year)
            .flat_map(|year| (1..=TASKS_PER_DISTRICT_YEAR).map(move |t| (year, t)))
            .map(|(year, t)| KeyTask {
                code: format!("{district}-t{year}-{t:03}"),
                name: format!("示例工作{district}-{year}-{t:03}"),
                year,
                plan_node: None,
                lead_unit: units[(t as usize) % units.len()].clone(),
                cooperating_units: vec![],
                lead_leader: "示例分管领导".into(),
                deadline: Date::new(year, 12, 31).ok(),
                target: "示例目标".into(),
                status: if t % 3 == 0 { TaskStatus::Done } else { TaskStatus::InProgress },
                sample: true,
            })
            .collect();

        let mut tx = store.begin().await?;
        let project_ids = tx.upsert_projects(&projects, &ids, &|c| ids.projects.contains_key(c)).await?;
        let id = |code: &str| project_ids.get(code).copied().unwrap_or_default();
        let plans: Vec<YearPlan> = plans.into_iter().map(|(_, p)| p).collect();
        tx.insert_year_plans(&plans).await?;
        let rows: Vec<ProgressRow> =
            progress.into_iter().map(|(c, p)| ProgressRow { project_id: id(&c), progress: p }).collect();
        tx.insert_progress_rows(&rows).await?;
        tx.insert_values(&values, &ids, "gen").await?;
        for t in &targets {
            tx.upsert_target(t).await?;
        }
        tx.insert_tasks(&tasks, &ids).await?;
        tx.commit().await?;
        // The planner's statistics as the tables grow (after districts 1, 2, 4, 8 …: the
        // cost stays linear overall): without them SQLite reads each later district's
        // roll-ups through the year's index (every row loaded so far), and PostgreSQL plans
        // for the tables as they were, so that loading grows with the square of the city.
        if n.is_power_of_two() {
            store.analyze().await?;
        }
        on_district(n);
    }
    store.analyze().await?;
    Ok(())
}

fn growth(rng: &mut StdRng) -> Decimal {
    Decimal::new(rng.random_range(-20..150), 1)
}
