//! The store's conformance suite: every repository function, on a fresh database each test.
//! It runs on SQLite by default and on PostgreSQL when `TAIZHANG_TEST_PG` holds a server URL
//! (`.ci/run` runs it both ways), so one code path is proven on both.

#![allow(clippy::unwrap_used)] // a failing test says where by panicking

use std::str::FromStr;

use sqlx::{AnyConnection, Connection, Executor};
use taizhang_core::Decimal;
use taizhang_core::access::Role;
use taizhang_core::indicator::{Caliber, Catalogue, Clears, IndicatorValue, PriceBasis, Target, Vintage};
use taizhang_core::org::{OrgUnit, UnitKind};
use taizhang_core::period::Period;
use taizhang_core::plan::{KeyTask, Milestone, PlanKind, PlanNode, TaskStatus};
use taizhang_core::project::{Date, MonthlyProgress, Nature, Problem, Project, Responsibility, YearPlan};
use taizhang_store::testing::{TestDatabase, fresh_database};
use taizhang_store::{NewUser, ProgressRow, Store, StoreError};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

async fn store() -> (Store, TestDatabase) {
    let db = fresh_database().await.expect("fresh database");
    let store = Store::open(&db.url).await.expect("open store");
    (store, db)
}

fn unit(code: &str, name: &str, kind: UnitKind, parent: Option<&str>) -> OrgUnit {
    OrgUnit { code: code.parse().unwrap(), name: name.into(), kind, parent: parent.map(Into::into) }
}

/// A district with a department and a street below it, and the standard catalogue.
async fn seeded() -> (Store, TestDatabase, Catalogue) {
    let (store, db) = store().await;
    let catalogue = Catalogue::standard().unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.install_catalogue(&catalogue).await.unwrap();
    tx.upsert_unit(&unit("erqi", "二七区", UnitKind::District, None), 0).await.unwrap();
    tx.upsert_unit(&unit("fgw", "区发展改革委", UnitKind::Department, Some("erqi")), 1).await.unwrap();
    tx.upsert_unit(&unit("dq", "德化街街道", UnitKind::Street, Some("erqi")), 2).await.unwrap();
    tx.commit().await.unwrap();
    (store, db, catalogue)
}

fn project(code: &str, unit: &str, total: &str) -> Project {
    Project {
        code: code.parse().unwrap(),
        name: format!("项目{code}"),
        category: "产业发展".into(),
        nature: Nature::New,
        location: "二七区".into(),
        content: "建设内容".into(),
        total_investment_wan: d(total),
        planned_start: Date::new(2017, 3, 1).ok(),
        planned_finish: Date::new(2019, 12, 31).ok(),
        actual_start: Date::new(2017, 4, 18).ok(),
        actual_finish: None,
        flags: vec!["亿元以上".into(), "出彩项目".into()],
        responsibility: Responsibility {
            lead_leader: "张三".into(),
            unit: unit.into(),
            person: "李四".into(),
            contact: "0371-00000000".into(),
            deadline: Date::new(2019, 12, 31).ok(),
        },
        plan_node: None,
        sample: false,
    }
}

fn progress(code: &str, month: u8, ytd: &str, since_start: Option<&str>) -> MonthlyProgress {
    MonthlyProgress {
        project: code.into(),
        period: Period::Month(2017, month),
        month_wan: Some(d("10")),
        ytd_wan: d(ytd),
        since_start_wan: since_start.map(d),
        image_progress: "主体施工".into(),
        problems: String::new(),
    }
}

#[tokio::test]
async fn opening_twice_migrates_once_and_a_newer_schema_is_refused() {
    let (store, db) = store().await;
    store.close().await;
    let again = Store::open(&db.url).await.expect("reopen");
    assert_eq!(again.counts().await.unwrap().units, 0);
    again.close().await;
    let mut conn = AnyConnection::connect(&db.url).await.unwrap();
    conn.execute("INSERT INTO taizhang_migrations (version, name, applied_at) VALUES (999, 'future', 'x')")
        .await
        .unwrap();
    conn.close().await.unwrap();
    let err = Store::open(&db.url).await.expect_err("newer schema").to_string();
    assert!(err.contains("999"), "{err}");
}

#[tokio::test]
async fn units_form_a_tree_found_by_code_or_name() {
    let (store, _db, _) = seeded().await;
    let tree = store.org_tree().await.unwrap();
    assert_eq!(tree.subtree("erqi").len(), 3);
    assert_eq!(store.find_unit("德化街街道").await.unwrap().code, "dq");
    assert_eq!(store.find_unit("fgw").await.unwrap().parent.as_deref(), Some("erqi"));
    assert_eq!(store.top_unit().await.unwrap().code, "erqi");
    let err = store.find_unit("金水区").await.unwrap_err().to_string();
    assert!(err.contains("金水区"), "{err}");

    let mut tx = store.begin().await.unwrap();
    tx.upsert_unit(&unit("dq", "德化街道", UnitKind::Street, Some("erqi")), 2).await.unwrap();
    let err = tx.upsert_unit(&unit("x", "某单位", UnitKind::Street, Some("nowhere")), 9).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    tx.commit().await.unwrap();
    assert_eq!(store.find_unit("dq").await.unwrap().name, "德化街道");
    assert_eq!(store.units().await.unwrap().len(), 3);
}

#[tokio::test]
async fn the_catalogue_round_trips_with_aliases_and_phrasing() {
    let (store, _db, catalogue) = seeded().await;
    let stored = store.catalogue().await.unwrap();
    assert_eq!(stored.sections, catalogue.sections);
    assert_eq!(stored.indicators.len(), catalogue.indicators.len());
    for ind in &catalogue.indicators {
        let mut got = stored.find(&ind.code).unwrap().clone();
        let mut want = ind.clone();
        got.aliases.sort();
        want.aliases.sort();
        assert_eq!(got, want);
    }
    assert_eq!(stored.find("公共财政预算收入").unwrap().code, "GPBR");
}

#[tokio::test]
async fn values_are_exact_and_growth_stays_apart_from_the_level() {
    let (store, _db, catalogue) = seeded().await;
    let gdp = catalogue.find("GDP").unwrap();
    let fai = catalogue.find("FAI").unwrap();
    let mut tx = store.begin().await.unwrap();
    let mut estimate =
        IndicatorValue::new(gdp, "erqi", Period::Year(2017), Some(d("56700000000")), Some(d("9"))).unwrap();
    estimate.vintage = Some(Vintage::Estimate);
    estimate.source = Some("2018年政府工作报告".into());
    estimate.caliber = Some(Caliber::District);
    estimate.price_basis = Some(PriceBasis::Comparable);
    estimate.published.decimals = Some(0);
    tx.upsert_value(&estimate, "tjj").await.unwrap();
    tx.upsert_value(&IndicatorValue::new(fai, "fgw", Period::Month(2017, 3), None, Some(d("10.1"))).unwrap(), "fgw")
        .await
        .unwrap();
    tx.upsert_value(&IndicatorValue::new(gdp, "dq", Period::Year(2017), Some(d("0.0001")), None).unwrap(), "dq")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let v = store.value("GDP", "erqi", Period::Year(2017)).await.unwrap().unwrap();
    assert_eq!((v.value, v.reported_growth), (Some(d("56700000000")), Some(d("9"))));
    assert_eq!(
        (v.vintage, v.caliber, v.price_basis),
        (Some(Vintage::Estimate), Some(Caliber::District), Some(PriceBasis::Comparable))
    );
    assert_eq!((v.source.as_deref(), v.published.decimals), (Some("2018年政府工作报告"), Some(0)));
    let growth_only = store.value("FAI", "fgw", Period::Month(2017, 3)).await.unwrap().unwrap();
    assert_eq!((growth_only.value, growth_only.reported_growth), (None, Some(d("10.1"))));
    assert_eq!(store.value("GDP", "dq", Period::Year(2017)).await.unwrap().unwrap().value, Some(d("0.0001")));
    assert!(store.value("GDP", "erqi", Period::Year(2016)).await.unwrap().is_none());

    // A revision with the growth left blank keeps the stored growth; the past stays.
    let mut tx = store.begin().await.unwrap();
    let mut fin = IndicatorValue::new(gdp, "erqi", Period::Year(2017), Some(d("56800000000")), None).unwrap();
    fin.vintage = Some(Vintage::Final);
    tx.upsert_value(&fin, "tjj").await.unwrap();
    tx.upsert_value(&fin, "tjj").await.unwrap();
    let mut unknown = IndicatorValue::new(gdp, "erqi", Period::Year(2017), Some(d("1")), None).unwrap();
    unknown.unit = "金水区".into();
    assert!(tx.upsert_value(&unknown, "tjj").await.unwrap_err().to_string().contains("金水区"));
    tx.commit().await.unwrap();
    let v = store.value("GDP", "erqi", Period::Year(2017)).await.unwrap().unwrap();
    assert_eq!((v.value, v.reported_growth, v.vintage), (Some(d("56800000000")), Some(d("9")), Some(Vintage::Final)));
    let history = store.value_history("GDP", "erqi", Some(Period::Year(2017))).await.unwrap();
    let seen: Vec<_> = history.iter().map(|h| (h.value, h.vintage, h.recorded_by.as_str())).collect();
    assert_eq!(
        seen,
        vec![
            (Some(d("56700000000")), Some(Vintage::Estimate), "tjj"),
            (Some(d("56800000000")), Some(Vintage::Final), "tjj")
        ],
        "the same write twice is one version"
    );

    // Only an explicit clear empties a field; clearing both withdraws the figure, not its past.
    let mut tx = store.begin().await.unwrap();
    let clears = Clears { value: false, growth: true };
    tx.upsert_value(&IndicatorValue::with_clears(gdp, "erqi", Period::Year(2017), None, None, clears).unwrap(), "tjj")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let v = store.value("GDP", "erqi", Period::Year(2017)).await.unwrap().unwrap();
    assert_eq!((v.value, v.reported_growth), (Some(d("56800000000")), None));
    let mut tx = store.begin().await.unwrap();
    let both = Clears { value: true, growth: true };
    tx.upsert_value(&IndicatorValue::with_clears(gdp, "erqi", Period::Year(2017), None, None, both).unwrap(), "tjj")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(store.value("GDP", "erqi", Period::Year(2017)).await.unwrap().is_none());
    let history = store.value_history("GDP", "erqi", Some(Period::Year(2017))).await.unwrap();
    assert_eq!(history.len(), 4);
    assert!(history[3].withdrawn && !history[2].withdrawn);
}

#[tokio::test]
async fn targets_hold_a_level_a_growth_or_both() {
    let (store, _db, catalogue) = seeded().await;
    let gdp = catalogue.find("GDP").unwrap();
    let mut target = Target::new(gdp, "erqi", 2018, None, Some(d("8"))).unwrap();
    target.bound = Some(taizhang_core::indicator::Bound::About);
    let mut tx = store.begin().await.unwrap();
    tx.upsert_target(&target).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.target("GDP", "erqi", 2018).await.unwrap(), Some(target));
    assert!(store.target("GDP", "erqi", 2019).await.unwrap().is_none());
}

#[tokio::test]
async fn the_plan_tree_and_milestones_keep_their_order() {
    let (store, _db, _) = seeded().await;
    let node = |code: &str, parent: Option<&str>, kind, label: &str, title: &str, order| PlanNode {
        code: code.into(),
        parent: parent.map(Into::into),
        unit: "erqi".into(),
        year: 2018,
        kind,
        level_label: label.into(),
        title: title.into(),
        order,
    };
    let nodes = vec![
        node("G", None, PlanKind::Goal, "目标", "现代化国际化生态化新城区", 0),
        node("A1", Some("G"), PlanKind::Action, "行动", "项目建设全力攻坚年", 1),
        node("A1-M1", Some("A1"), PlanKind::Measure, "举措", "突出“双十”出彩项目运作", 2),
    ];
    let mut tx = store.begin().await.unwrap();
    for n in &nodes {
        tx.upsert_plan_node(n).await.unwrap();
    }
    assert!(tx.upsert_plan_node(&node("X", Some("nowhere"), PlanKind::Work, "工作", "x", 3)).await.is_err());
    tx.upsert_milestone(&Milestone {
        unit: "erqi".into(),
        horizon: "2020年".into(),
        order: 0,
        text: "迈入第一方阵".into(),
        targets: vec![("GDP".into(), "1000亿元以上".into()), ("POP".into(), "80万人左右".into())],
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.plan_nodes("erqi", 2018).await.unwrap(), nodes);
    let held = &store.milestones("erqi").await.unwrap()[0];
    assert_eq!(held.horizon, "2020年");
    assert_eq!(held.targets[1], ("POP".to_string(), "80万人左右".to_string()), "in the plan's order");
}

#[tokio::test]
async fn projects_round_trip_with_plans_progress_and_problems() {
    let (store, _db, _) = seeded().await;
    let p = project("P1", "fgw", "150000");
    let mut tx = store.begin().await.unwrap();
    tx.upsert_project(&p).await.unwrap();
    tx.upsert_year_plan(&YearPlan {
        project: "P1".into(),
        year: 2017,
        planned_wan: d("30000.5"),
        milestones: "主体开工".into(),
    })
    .await
    .unwrap();
    tx.upsert_progress(&progress("P1", 3, "7500.25", Some("7500.25"))).await.unwrap();
    let problem = Problem {
        raised_on: Date::new(2017, 3, 20).unwrap(),
        description: "征迁进度滞后".into(),
        owner: "区住建局".into(),
        deadline: Date::new(2017, 4, 30).ok(),
        resolved_on: None,
        resolution: String::new(),
    };
    tx.add_problem("P1", &problem).await.unwrap();
    tx.commit().await.unwrap();

    let mut got = store.project("P1").await.unwrap().unwrap();
    got.flags.sort();
    let mut want = p.clone();
    want.flags.sort();
    assert_eq!(got, want);
    assert_eq!(store.year_plan("P1", 2017).await.unwrap().unwrap().planned_wan, d("30000.5"));
    assert_eq!(
        store.progress("P1", Period::Month(2017, 3)).await.unwrap(),
        Some(progress("P1", 3, "7500.25", Some("7500.25")))
    );
    assert_eq!(store.problems("P1").await.unwrap(), vec![problem]);
    assert!(store.project("P2").await.unwrap().is_none());

    // What April's report is checked against, in one read: March, no April 2016, the 总投资.
    let april = store.progress_context("P1", Period::Month(2017, 4)).await.unwrap();
    assert_eq!(april.previous, Some(progress("P1", 3, "7500.25", Some("7500.25"))));
    assert_eq!(april.last_year, None);
    assert_eq!(april.total_wan, Some(d("150000")));
    // March 2018 against March 2017 (last year's), with no February 2018.
    let march = store.progress_context("P1", Period::Month(2018, 3)).await.unwrap();
    assert_eq!((march.previous, march.last_year), (None, Some(progress("P1", 3, "7500.25", Some("7500.25")))));
    let january = store.progress_context("P1", Period::Month(2017, 1)).await.unwrap();
    assert_eq!((january.previous, january.last_year, january.total_wan), (None, None, Some(d("150000"))));
    assert_eq!(store.progress_context("P2", Period::Month(2017, 4)).await.unwrap().total_wan, None);
}

#[tokio::test]
async fn bad_progress_is_refused_and_the_transaction_writes_nothing() {
    let (store, _db, _) = seeded().await;
    let mut tx = store.begin().await.unwrap();
    tx.upsert_project(&project("P1", "fgw", "100")).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    tx.upsert_progress(&progress("P1", 1, "10", Some("10"))).await.unwrap();
    let err = tx.upsert_progress(&progress("P1", 2, "20", Some("100.01"))).await.unwrap_err().to_string();
    assert!(err.contains("超过") && err.contains("100.01"), "{err}");
    let err = tx.upsert_progress(&progress("P9", 2, "20", None)).await.unwrap_err().to_string();
    assert!(err.contains("P9"), "{err}");
    drop(tx); // rolled back: not even the good row of this transaction lands
    assert!(store.progress("P1", Period::Month(2017, 1)).await.unwrap().is_none());

    let mut tx = store.begin().await.unwrap();
    let err = tx.upsert_project(&project("P2", "fgw", "-1")).await.unwrap_err().to_string();
    assert!(err.contains("不能为负数"), "{err}");
    let err = tx
        .upsert_year_plan(&YearPlan {
            project: "P1".into(),
            year: 2017,
            planned_wan: d("-5"),
            milestones: String::new(),
        })
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("-5"), "{err}");
}

#[tokio::test]
async fn tasks_keep_their_cooperating_units() {
    let (store, _db, _) = seeded().await;
    let task = KeyTask {
        code: "T1".into(),
        name: "平安建设".into(),
        year: 2017,
        plan_node: None,
        lead_unit: "fgw".into(),
        cooperating_units: vec!["dq".into()],
        lead_leader: "王五".into(),
        deadline: Date::new(2017, 12, 31).ok(),
        target: "全面完成".into(),
        status: TaskStatus::Done,
        sample: false,
    };
    let mut tx = store.begin().await.unwrap();
    tx.upsert_task(&task).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.task("T1").await.unwrap(), Some(task));
}

#[tokio::test]
async fn users_authenticate_with_argon2_and_unit_roles_need_a_unit() {
    let (store, _db, _) = seeded().await;
    let user = NewUser {
        username: "zjj_reporter".into(),
        display_name: "填报员".into(),
        password: "correct horse".into(),
        role: Role::UnitReporter,
        unit: Some("fgw".into()),
    };
    let mut tx = store.begin().await.unwrap();
    tx.upsert_user(&user).await.unwrap();
    assert!(tx.upsert_user(&NewUser { unit: None, ..user.clone() }).await.is_err());
    assert!(tx.upsert_user(&NewUser { password: "short".into(), ..user.clone() }).await.is_err());
    tx.set_setting("demo", "erqi").await.unwrap();
    tx.commit().await.unwrap();

    let ok = store.authenticate("zjj_reporter", "correct horse").await.unwrap().unwrap();
    assert_eq!((ok.role, ok.unit.as_deref()), (Role::UnitReporter, Some("fgw")));
    assert!(store.authenticate("zjj_reporter", "wrong").await.unwrap().is_none());
    assert!(store.authenticate("nobody", "correct horse").await.unwrap().is_none());
    assert_eq!(store.users().await.unwrap().len(), 1);
    assert!(!format!("{user:?}").contains("correct horse"));
    assert_eq!(store.setting("demo").await.unwrap().as_deref(), Some("erqi"));
    assert_eq!(store.setting("other").await.unwrap(), None);
}

#[tokio::test]
async fn bulk_loading_writes_what_single_writes_would() {
    let (store, _db, catalogue) = seeded().await;
    let ids = store.ids().await.unwrap();
    let projects: Vec<Project> = (1..=1200).map(|n| project(&format!("B{n:04}"), "dq", "1000")).collect();
    let mut tx = store.begin().await.unwrap();
    let project_ids = tx.upsert_projects(&projects, &ids, &|c| ids.projects.contains_key(c)).await.unwrap();
    assert_eq!(project_ids.len(), 1200);
    let plans: Vec<YearPlan> = project_ids
        .keys()
        .map(|code| YearPlan { project: code.clone(), year: 2017, planned_wan: d("100"), milestones: String::new() })
        .collect();
    tx.insert_year_plans(&plans).await.unwrap();
    let rows: Vec<ProgressRow> = project_ids
        .iter()
        .flat_map(|(code, id)| {
            (1..=12).map(move |m| ProgressRow { project_id: *id, progress: progress(code, m, "50.5", None) })
        })
        .collect();
    tx.insert_progress_rows(&rows).await.unwrap();
    let gpbr = catalogue.find("GPBR").unwrap();
    let values = vec![
        IndicatorValue::new(gpbr, "fgw", Period::Year(2017), Some(d("1000000000.0001")), None).unwrap(),
        IndicatorValue::new(gpbr, "dq", Period::Year(2017), Some(d("2000000000")), None).unwrap(),
    ];
    tx.insert_values(&values, &ids, "test").await.unwrap();
    let tasks: Vec<KeyTask> = (1..=3)
        .map(|n| KeyTask {
            code: format!("BT{n}"),
            name: format!("工作{n}"),
            year: 2017,
            plan_node: None,
            lead_unit: "dq".into(),
            cooperating_units: vec![],
            lead_leader: String::new(),
            deadline: None,
            target: String::new(),
            status: TaskStatus::InProgress,
            sample: true,
        })
        .collect();
    tx.insert_tasks(&tasks, &ids).await.unwrap();
    tx.commit().await.unwrap();

    let counts = store.counts().await.unwrap();
    assert_eq!((counts.projects, counts.progress, counts.values, counts.tasks), (1200, 14400, 2, 3));
    assert_eq!(store.project("B0007").await.unwrap().unwrap().flags.len(), 2);
    assert_eq!(store.progress("B0007", Period::Month(2017, 12)).await.unwrap().unwrap().ytd_wan, d("50.5"));
    assert_eq!(store.task("BT2").await.unwrap().unwrap().lead_unit, "dq");
}

#[tokio::test]
async fn the_annual_input_rolls_up_in_the_database_and_labels_the_roll_up() {
    let (store, _db, catalogue) = seeded().await;
    let gpbr = catalogue.find("GPBR").unwrap();
    let gdp = catalogue.find("GDP").unwrap();
    let fai = catalogue.find("FAI").unwrap();
    let mut tx = store.begin().await.unwrap();
    // The district reports GDP and a growth-only FAI itself; revenue comes from below.
    tx.upsert_value(
        &IndicatorValue::new(gdp, "erqi", Period::Year(2017), Some(d("56700000000")), Some(d("9"))).unwrap(),
        "test",
    )
    .await
    .unwrap();
    tx.upsert_value(&IndicatorValue::new(fai, "erqi", Period::Year(2017), None, Some(d("10.1"))).unwrap(), "test")
        .await
        .unwrap();
    tx.upsert_value(
        &IndicatorValue::new(gpbr, "fgw", Period::Year(2017), Some(d("1000000000.5")), None).unwrap(),
        "test",
    )
    .await
    .unwrap();
    tx.upsert_value(
        &IndicatorValue::new(gpbr, "dq", Period::Month(2017, 12), Some(d("940000000")), None).unwrap(),
        "test",
    )
    .await
    .unwrap();
    tx.upsert_value(&IndicatorValue::new(gpbr, "dq", Period::Year(2017), Some(d("1940000000")), None).unwrap(), "test")
        .await
        .unwrap();
    tx.upsert_project(&project("P1", "dq", "100000")).await.unwrap();
    tx.upsert_year_plan(&YearPlan {
        project: "P1".into(),
        year: 2017,
        planned_wan: d("1000"),
        milestones: String::new(),
    })
    .await
    .unwrap();
    tx.upsert_progress(&progress("P1", 11, "900", None)).await.unwrap();
    tx.upsert_progress(&progress("P1", 12, "1000", None)).await.unwrap();
    tx.commit().await.unwrap();

    let input = store.annual_input(&catalogue, "erqi", 2017, Decimal::from(-10)).await.unwrap();
    let figure = |code: &str| input.figures.iter().find(|f| f.indicator == code).cloned();
    let revenue = figure("GPBR").unwrap();
    assert_eq!((revenue.value, revenue.rolled_up, revenue.reported_growth), (Some(d("2940000000.5")), true, None));
    let fai = figure("FAI").unwrap();
    assert_eq!((fai.value, fai.reported_growth, fai.rolled_up), (None, Some(d("10.1")), false));
    assert!(figure("RSCG").is_none(), "no data, no figure");
    let projects = input.projects.unwrap();
    assert_eq!((projects.count, projects.completed_wan, projects.started), (1, d("1000"), 1));
    assert_eq!(input.flagships.unwrap().count, 1);

    let street = store.annual_input(&catalogue, "dq", 2017, Decimal::from(-10)).await.unwrap();
    let own = street.figures.iter().find(|f| f.indicator == "GPBR").unwrap();
    assert_eq!((own.value, own.rolled_up), (Some(d("1940000000")), false), "the year key wins over December");
}

#[tokio::test]
async fn honours_are_kept_by_unit_and_year() {
    use taizhang_core::honour::{Honour, HonourKind};
    let (store, _db, _) = seeded().await;
    let honour = |year, kind| Honour {
        unit: "erqi".into(),
        year,
        scope: "全市".into(),
        subject: String::new(),
        item: "综合考核".into(),
        kind,
    };
    let mut tx = store.begin().await.unwrap();
    tx.upsert_honour(&honour(2016, HonourKind::Rating("优秀单位".into()))).await.unwrap();
    tx.upsert_honour(&honour(2017, HonourKind::Rank(2))).await.unwrap();
    tx.upsert_honour(&honour(2017, HonourKind::Rank(1))).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.honours("erqi", 2017, 2017).await.unwrap(),
        vec![honour(2017, HonourKind::Rank(1))],
        "the same honour again updates it"
    );
    assert_eq!(store.honours("erqi", 2007, 2016).await.unwrap().len(), 1);
    assert!(store.honours("dq", 2000, 2100).await.unwrap().is_empty());
}

#[tokio::test]
async fn writing_a_world_twice_changes_nothing() {
    let (store, _db, catalogue) = seeded().await;
    let files = taizhang_core::world::WorldFiles {
        units: "[[unit]]\ncode = \"erqi\"\nname = \"二七区\"\nkind = \"district\"\n",
        values: "[[value]]\nindicator = \"地区生产总值\"\nunit = \"erqi\"\nperiod = \"2017\"\nvalue = \"567亿元\"\ngrowth = \"9\"\n",
        ..Default::default()
    };
    let world = taizhang_core::world::World::parse(files, &catalogue).unwrap();
    for _ in 0..2 {
        let mut tx = store.begin().await.unwrap();
        tx.write_world(&world, "test").await.unwrap();
        tx.commit().await.unwrap();
    }
    let counts = store.counts().await.unwrap();
    assert_eq!((counts.units, counts.values), (3, 1));
}

#[tokio::test]
async fn the_audit_chain_and_the_ledgers_digests_name_an_edit_made_behind_the_apps_back() {
    let (store, db, catalogue) = seeded().await;
    let gdp = catalogue.find("GDP").unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.upsert_project(&project("P1", "fgw", "10000")).await.unwrap();
    tx.upsert_progress(&progress("P1", 3, "7500.25", Some("7500.25"))).await.unwrap();
    tx.upsert_value(
        &IndicatorValue::new(gdp, "erqi", Period::Year(2017), Some(d("56700000000")), Some(d("9"))).unwrap(),
        "tjj",
    )
    .await
    .unwrap();
    tx.audit("fgw_admin", "import", "projects", "新增1条");
    tx.audit("fgw_admin", "import", "progress", "新增1条");
    tx.commit().await.unwrap();
    store.audit_alone("zjj_reporter", "signin.fail", "user:zjj_reporter", "口令错误").await.unwrap();
    // A write rolled back leaves no event.
    let mut tx = store.begin().await.unwrap();
    tx.audit("admin", "user.create", "user:x", "");
    drop(tx);
    let clean = store.verify_audit(true).await.unwrap();
    assert!(clean.is_clean(), "{clean:?}");
    assert_eq!((clean.events, clean.rows_checked, clean.unsealed), (3, 2, 0));
    let events = store.audit_events(10).await.unwrap();
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 2, 1]);
    assert!(store.last_verification().await.unwrap().unwrap().2.ends_with("：一致"));

    // Someone multiplies a figure by ten in the database itself.
    let mut conn = <AnyConnection as Connection>::connect(&db.url).await.unwrap();
    conn.execute("UPDATE project_progress SET ytd_e4 = ytd_e4 * 10").await.unwrap();
    let report = store.verify_audit(false).await.unwrap();
    assert_eq!(report.row_breaks, ["项目进度 P1 2017-03"], "{report:?}");
    assert!(report.summary().contains("1行与审计记录不符，首处：项目进度 P1 2017-03"), "{}", report.summary());
    conn.execute("UPDATE project_progress SET ytd_e4 = ytd_e4 / 10").await.unwrap();
    // Or rewrites an event, or removes the last one.
    conn.execute("UPDATE audit_events SET detail = '新增9条' WHERE seq = 2").await.unwrap();
    let broken = store.verify_audit(false).await.unwrap();
    assert!(broken.chain_break.as_deref().is_some_and(|b| b.contains("#2")), "{broken:?}");
    conn.execute("UPDATE audit_events SET detail = '新增1条' WHERE seq = 2").await.unwrap();
    assert!(store.verify_audit(false).await.unwrap().is_clean());
    conn.execute("DELETE FROM audit_events WHERE seq = 3").await.unwrap();
    let cut = store.verify_audit(false).await.unwrap();
    assert!(cut.chain_break.as_deref().is_some_and(|b| b.contains("末尾的记录被删除")), "{cut:?}");
}

#[tokio::test]
async fn a_backup_restores_into_an_empty_database_row_for_row_with_its_audit_chain() {
    let (store, _db, catalogue) = seeded().await;
    let gdp = catalogue.find("GDP").unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.upsert_project(&project("P1", "fgw", "10000")).await.unwrap();
    tx.upsert_progress(&progress("P1", 3, "7500.25", None)).await.unwrap();
    tx.upsert_value(
        &IndicatorValue::new(gdp, "erqi", Period::Year(2017), Some(d("56700000000")), None).unwrap(),
        "tjj",
    )
    .await
    .unwrap();
    tx.upsert_user(&NewUser {
        username: "fgw_admin".into(),
        display_name: "管理员".into(),
        password: "a-long-password-1".into(),
        role: Role::Admin,
        unit: Some("fgw".into()),
    })
    .await
    .unwrap();
    tx.audit("fgw_admin", "import", "projects", "新增1条");
    tx.commit().await.unwrap();
    // Every table is either backed up or left out on purpose.
    for table in store.table_names().await.unwrap() {
        assert!(
            taizhang_store::TABLES.contains(&table.as_str()) || taizhang_store::NOT_BACKED_UP.contains(&table.as_str()),
            "table {table} is neither backed up nor left out"
        );
    }
    let mut file = Vec::new();
    let taken = store.backup(&mut file).await.unwrap();
    assert!(taken.rows > 10, "{taken:?}");

    let (restored, _db2) = store_pair().await;
    let back = restored.restore(&mut file.as_slice()).await.unwrap();
    assert_eq!(back.rows, taken.rows);
    let mut again = Vec::new();
    restored.backup(&mut again).await.unwrap();
    let body =
        |f: &[u8]| String::from_utf8(f.to_vec()).unwrap().lines().skip(1).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(body(&again), body(&file), "the restored database backs up to the same rows");
    assert!(restored.verify_audit(false).await.unwrap().is_clean());
    assert!(restored.authenticate("fgw_admin", "a-long-password-1").await.unwrap().is_some(), "accounts come back");
    // New rows after a restore get keys after the restored ones.
    let mut tx = restored.begin().await.unwrap();
    tx.upsert_project(&project("P2", "fgw", "1")).await.unwrap();
    tx.commit().await.unwrap();

    let refused = restored.restore(&mut file.as_slice()).await.unwrap_err().to_string();
    assert!(refused.contains("不是空库"), "{refused}");
    let (empty, _db3) = store_pair().await;
    let junk = empty.restore(&mut "hello\n".as_bytes()).await.unwrap_err().to_string();
    assert!(junk.contains("第1行") && junk.contains("不是台账备份"), "{junk}");
}

#[tokio::test]
async fn a_backup_taken_while_writes_go_on_is_one_moment_of_the_ledger() {
    let (store, _db, _) = seeded().await;
    // A writer adds a project and its audit event in each write, as fast as it can.
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for n in 0..400 {
                let mut tx = store.begin().await.unwrap();
                tx.upsert_project(&project(&format!("W{n}"), "fgw", "1")).await.unwrap();
                tx.audit("writer", "import", &format!("W{n}"), "新增1条");
                tx.commit().await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        })
    };
    // Taken once writing has begun, long before it ends (400 writes take over 0.8 s).
    while store.project("W0").await.unwrap().is_none() {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let mut file = Vec::new();
    store.backup(&mut file).await.unwrap();
    writer.await.unwrap();

    let (restored, _db2) = store_pair().await;
    restored.restore(&mut file.as_slice()).await.unwrap();
    assert!(restored.verify_audit(false).await.unwrap().is_clean(), "the chain of that moment is whole");
    // Every project the backup holds has its event, and no event lacks its project.
    let events: Vec<String> = restored
        .audit_events(10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.actor == "writer")
        .map(|e| e.subject)
        .collect();
    let mut projects = Vec::new();
    for n in 0..400 {
        if restored.project(&format!("W{n}")).await.unwrap().is_some() {
            projects.push(format!("W{n}"));
        }
    }
    let mut sorted = events.clone();
    sorted.sort();
    projects.sort();
    assert_eq!(sorted, projects, "projects and their events from one moment");
    assert!(!projects.is_empty() && projects.len() < 400, "taken mid-way: {} of 400", projects.len());
}

/// A second fresh database beside the first.
async fn store_pair() -> (Store, TestDatabase) {
    store().await
}

/// Every roll-up sum of `scopes` at every month of 2017 equals the same sum over the rows.
async fn rollups_agree_with_rows(store: &Store, scopes: &[&str]) {
    for scope in scopes {
        for month in 1..=12 {
            let period = Period::Month(2017, month);
            let kept = store.investment_totals(scope, period).await.unwrap();
            let rows = store.investment_totals_from_rows(scope, period, taizhang_store::FLAG_OVER_100M).await.unwrap();
            assert_eq!(
                (&kept.all, &kept.flagged, &kept.flagship, &kept.by_category, &kept.by_unit, &kept.by_nature),
                (&rows.all, &rows.flagged, &rows.flagship, &rows.by_category, &rows.by_unit, &rows.by_nature),
                "{scope} 2017-{month:02}"
            );
        }
        assert_eq!(
            store.monthly_ytd(scope, 2017, 12).await.unwrap(),
            store.monthly_ytd_from_rows(scope, 2017, 12).await.unwrap(),
            "{scope}"
        );
    }
    let check = store.verify_rollups().await.unwrap();
    assert!(check.differences.is_empty() && check.cells > 0, "{check:?}");
}

#[tokio::test]
async fn roll_ups_follow_every_write_in_its_transaction_and_equal_the_rows() {
    let (store, _db, _) = seeded().await;
    let mut tx = store.begin().await.unwrap();
    let mut moving = project("ZD-2", "dq", "5000");
    moving.nature = Nature::Continuing;
    moving.flags = vec![];
    let mut later = project("ZD-3", "dq", "8000");
    later.category = "城市建设".into();
    later.actual_start = None;
    later.flags = vec![];
    for p in [&project("ZD-1", "fgw", "90000"), &moving, &later] {
        tx.upsert_project(p).await.unwrap();
        let plan =
            YearPlan { project: p.code.to_string(), year: 2017, planned_wan: d("1200"), milestones: String::new() };
        tx.upsert_year_plan(&plan).await.unwrap();
    }
    for (code, month, ytd) in
        [("ZD-1", 1, "100"), ("ZD-1", 2, "250"), ("ZD-1", 5, "600"), ("ZD-2", 2, "80"), ("ZD-2", 4, "300")]
    {
        tx.upsert_progress(&progress(code, month, ytd, None)).await.unwrap();
    }
    tx.commit().await.unwrap();
    rollups_agree_with_rows(&store, &["erqi", "fgw", "dq"]).await;
    let before = store.investment_totals("dq", Period::Month(2017, 4)).await.unwrap();
    assert_eq!((before.all.projects, before.all.ytd_wan, before.all.started), (2, d("300"), 1));

    // A project moved to another unit, a flag dropped, a start recorded, a month reported:
    // each changes the cells of its own transaction, the unit left behind included.
    let mut tx = store.begin().await.unwrap();
    moving.responsibility.unit = "fgw".into();
    tx.upsert_project(&moving).await.unwrap();
    let mut unflagged = project("ZD-1", "fgw", "90000");
    unflagged.flags = vec!["亿元以上".into()];
    tx.upsert_project(&unflagged).await.unwrap();
    tx.set_project_actual("ZD-3", false, Date::new(2017, 6, 10).ok()).await.unwrap();
    tx.upsert_progress(&progress("ZD-3", 6, "50", None)).await.unwrap();
    tx.commit().await.unwrap();
    rollups_agree_with_rows(&store, &["erqi", "fgw", "dq"]).await;
    let dq = store.investment_totals("dq", Period::Month(2017, 6)).await.unwrap();
    assert_eq!((dq.all.projects, dq.all.ytd_wan, dq.all.started, dq.all.carried), (1, d("50"), 1, 0));
    let all = store.investment_totals("erqi", Period::Month(2017, 6)).await.unwrap();
    assert!(all.flagship.is_none(), "the only 出彩项目 lost its flag");

    // A transaction that fails leaves the roll-ups as they were.
    let mut tx = store.begin().await.unwrap();
    tx.upsert_progress(&progress("ZD-3", 7, "900", None)).await.unwrap();
    drop(tx);
    rollups_agree_with_rows(&store, &["erqi", "fgw", "dq"]).await;
}

#[tokio::test]
async fn two_servers_on_one_database_see_each_others_units_and_versions_at_once() {
    let (one, db, _) = seeded().await;
    let other = Store::open(&db.url).await.unwrap();
    let tree = other.org_tree_shared().await.unwrap();
    assert!(tree.get("hbj").is_none());
    let before = other.ledger_version().await.unwrap();
    let mut tx = one.begin().await.unwrap();
    tx.upsert_unit(&unit("hbj", "区生态环境局", UnitKind::Department, Some("erqi")), 3).await.unwrap();
    // Not yet committed: neither the unit nor a new version shows elsewhere.
    assert!(other.org_tree_shared().await.unwrap().get("hbj").is_none());
    tx.commit().await.unwrap();
    assert_eq!(other.org_tree_shared().await.unwrap().get("hbj").map(|u| u.name.as_str()), Some("区生态环境局"));
    assert!(other.ledger_version().await.unwrap() > before, "the other server's caches are stale at once");
}

#[tokio::test]
async fn saving_drafts_or_accounts_moves_the_ledgers_version_but_not_the_figures() {
    let (store, _db, _) = seeded().await;
    let mut tx = store.begin().await.unwrap();
    tx.upsert_project(&project("ZD-3", "dq", "8000")).await.unwrap();
    let plan = YearPlan { project: "ZD-3".into(), year: 2017, planned_wan: d("1200"), milestones: String::new() };
    tx.upsert_year_plan(&plan).await.unwrap();
    tx.commit().await.unwrap();
    let versions = async || (store.ledger_version().await.unwrap(), store.figures_version().await.unwrap());
    let (ledger, figures) = versions().await;
    let mut tx = store.begin().await.unwrap();
    tx.changes_no_figures();
    tx.commit().await.unwrap();
    assert_eq!(versions().await, (ledger + 1, figures), "pages of entries change; totals and lights do not");
    // A transaction said to save drafts that changed a project's progress all the same
    // moves the figures' version: the roll-ups it touched say so.
    let mut tx = store.begin().await.unwrap();
    tx.upsert_progress(&progress("ZD-3", 7, "900", None)).await.unwrap();
    tx.changes_no_figures();
    tx.commit().await.unwrap();
    assert_eq!(versions().await, (ledger + 2, figures + 1));
    let mut tx = store.begin().await.unwrap();
    tx.upsert_unit(&unit("hbj", "区生态环境局", UnitKind::Department, Some("erqi")), 3).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(versions().await, (ledger + 3, figures + 2), "any other write moves both");
    // An account disabled is no figure: dashboards kept stay good.
    let mut tx = store.begin().await.unwrap();
    tx.upsert_user(&NewUser {
        username: "dq_reporter".into(),
        display_name: "填报员".into(),
        password: "a-long-password-1".into(),
        role: Role::UnitReporter,
        unit: Some("dq".into()),
    })
    .await
    .unwrap();
    tx.changes_no_figures();
    tx.commit().await.unwrap();
    assert!(store.set_disabled("admin", "dq_reporter", true).await.unwrap());
    assert_eq!(versions().await, (ledger + 5, figures + 2));
}

#[tokio::test]
async fn a_scheduled_job_is_run_by_one_server_a_round() {
    let (one, db, _) = seeded().await;
    let other = Store::open(&db.url).await.unwrap();
    // The first to ask holds it for its round; the other skips; the holder may renew.
    assert!(one.take_lease("remind", "server-a", 1000, 1300).await.unwrap());
    assert!(!other.take_lease("remind", "server-b", 1001, 1301).await.unwrap());
    assert!(one.take_lease("remind", "server-a", 1299, 1599).await.unwrap());
    // Another job is another lease; a lease run out passes to whoever asks next.
    assert!(other.take_lease("backup", "server-b", 1001, 1301).await.unwrap());
    assert!(other.take_lease("remind", "server-b", 1600, 1900).await.unwrap());
    assert!(!one.take_lease("remind", "server-a", 1601, 1901).await.unwrap());
}

#[tokio::test]
async fn a_city_case_keeps_each_step_beside_the_state_it_left_and_refuses_a_stale_one() {
    use taizhang_core::cases::{CaseRules, CaseState, CaseStep, apply};
    use taizhang_store::{CaseClass, CaseFilter, GridCellRow, NewCase};
    let (store, _db, _) = seeded().await;
    let mut tx = store.begin().await.unwrap();
    let square =
        r#"{"type":"MultiPolygon","coordinates":[[[[113.6,34.7],[113.61,34.7],[113.61,34.71],[113.6,34.7]]]]}"#;
    tx.upsert_grid_cell(&GridCellRow {
        code: "41010300101".into(),
        name: "德化街第1网格".into(),
        street: "dq".into(),
        community: "钱塘里社区".into(),
        shape: square.into(),
        sample: false,
    })
    .await
    .unwrap();
    tx.upsert_case_class(&CaseClass {
        code: "E0101".into(),
        kind: "事件".into(),
        major: "市容环境".into(),
        name: "暴露垃圾".into(),
        file_rule: "可见的垃圾堆放".into(),
        close_rule: "清理干净".into(),
        time_limit: 2,
        limit_unit: "hours".into(),
        default_unit: Some("dq".into()),
        street_units: Default::default(),
    })
    .await
    .unwrap();
    let id = tx
        .insert_case(&NewCase {
            class: "E0101",
            cell: "41010300101",
            lon: d("113.6051"),
            lat: d("34.7012"),
            address: "德化街与二七路口",
            description: "路口东侧暴露垃圾一堆",
            photos: "IMG_0001.jpg",
            reported_by: "jdy01",
            reported_at: "2018-06-04 09:10",
            sample: false,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.grid_cells().await.unwrap()[0].shape, square, "the outline as it was kept");
    assert_eq!(store.case_classes().await.unwrap()[0].default_unit.as_deref(), Some("dq"));

    let rules = CaseRules::default();
    let steps = [
        (CaseStep::File, None, "2018-06-04 09:20", None),
        (
            CaseStep::Dispatch { unit: "dq".into(), due: Date::new(2018, 6, 4).unwrap() },
            None,
            "2018-06-04 09:30",
            Some("2018-06-04 11:30"),
        ),
        (CaseStep::Dispose { result: "已清理".into() }, Some("dq"), "2018-06-04 10:40", Some("2018-06-04 11:30")),
        (
            CaseStep::Check { passed: false, note: "仍有残留".into() },
            None,
            "2018-06-04 11:00",
            Some("2018-06-04 11:30"),
        ),
        (CaseStep::Dispose { result: "已彻底清理".into() }, Some("dq"), "2018-06-04 11:20", Some("2018-06-04 11:30")),
        (CaseStep::Check { passed: true, note: String::new() }, None, "2018-06-04 11:25", Some("2018-06-04 11:30")),
        (CaseStep::Close, None, "2018-06-04 11:28", Some("2018-06-04 11:30")),
    ];
    for (step, unit, at, due_at) in &steps {
        let case = store.case(id).await.unwrap().unwrap();
        let next = apply(&case.status, step, *unit, &rules).unwrap();
        let (name, note) = step.words();
        let mut tx = store.begin().await.unwrap();
        tx.record_case_step(&case, &next, *due_at, (name, &note), "zbz01", *unit, at).await.unwrap();
        tx.commit().await.unwrap();
    }
    let case = store.case(id).await.unwrap().unwrap();
    assert_eq!(
        (case.status.state, case.status.reworks, case.status.unit.as_deref()),
        (CaseState::Closed, 1, Some("dq"))
    );
    assert_eq!(
        (case.closed_at.as_deref(), case.due_at.as_deref()),
        (Some("2018-06-04 11:28"), Some("2018-06-04 11:30"))
    );
    assert_eq!((case.lon, case.lat, case.street.as_str()), (d("113.6051"), d("34.7012"), "dq"));
    let trail = store.case_steps(id).await.unwrap();
    let said: Vec<(&str, CaseState)> = trail.iter().map(|s| (s.step.as_str(), s.to)).collect();
    assert_eq!(said[0], ("上报", CaseState::Reported));
    assert_eq!(said[4], ("核查未通过（返工）", CaseState::Dispatched), "返工 goes back to the unit");
    assert_eq!(said.last(), Some(&("结案", CaseState::Closed)));
    assert_eq!(trail[3].unit.as_deref(), Some("dq"), "the disposing unit is named in the trail");

    // A step over what someone else already moved is refused, and nothing is written.
    let stale = store.case(id).await.unwrap().unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.record_case_step(&stale, &stale.status, None, ("结案", ""), "zbz01", None, "2018-06-04 12:00").await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let err = tx.record_case_step(&stale, &stale.status, None, ("结案", ""), "zbz01", None, "2018-06-04 12:01").await;
    assert!(matches!(err, Err(StoreError::Conflict(_))), "{err:?}");
    drop(tx);
    assert_eq!(store.case_steps(id).await.unwrap().len(), trail.len() + 1);

    // Lists: by the street's subtree, by state, by the month reported.
    let june = CaseFilter {
        within: Some("erqi"),
        reported_from: Some("2018-06-01"),
        reported_before: Some("2018-07-01"),
        ..CaseFilter::default()
    };
    assert_eq!(store.cases(&june).await.unwrap().len(), 1);
    let july = CaseFilter { reported_from: Some("2018-07-01"), ..CaseFilter::default() };
    assert!(store.cases(&july).await.unwrap().is_empty());
    let open = CaseFilter { state: Some(CaseState::Dispatched), ..CaseFilter::default() };
    assert!(store.cases(&open).await.unwrap().is_empty());
    let elsewhere = CaseFilter { within: Some("fgw"), ..CaseFilter::default() };
    assert!(store.cases(&elsewhere).await.unwrap().is_empty(), "a department sees only cases dispatched to it");

    // A case in a cell that does not exist is refused in words.
    let mut tx = store.begin().await.unwrap();
    let missing = tx
        .insert_case(&NewCase {
            cell: "nowhere",
            ..NewCase {
                class: "E0101",
                cell: "",
                lon: d("1"),
                lat: d("1"),
                address: "",
                description: "",
                photos: "",
                reported_by: "jdy01",
                reported_at: "2018-06-05 08:00",
                sample: false,
            }
        })
        .await;
    assert!(missing.unwrap_err().to_string().contains("网格“nowhere”不存在"));
}
