//! Truth under real data: a ledger as offices really hold it — one unit has not reported
//! September, a 续建 project has no recorded start date — and what a careful office prints
//! from it. On SQLite, and on PostgreSQL when `TAIZHANG_TEST_PG` is set.

#![allow(clippy::unwrap_used)] // a failing test says where by panicking

use std::collections::HashMap;
use std::str::FromStr;

use taizhang_app::App;
use taizhang_app::testing::{self, TestDatabase};
use taizhang_core::Decimal;
use taizhang_core::access::Role;
use taizhang_core::briefing::{Coverage, briefing};
use taizhang_core::config::Config;
use taizhang_core::indicator::IndicatorValue;
use taizhang_core::period::Period;
use taizhang_core::project::{Date, MonthlyProgress, Nature};
use taizhang_core::report::annual_summary;
use taizhang_core::workflow::Form;
use taizhang_store::Store;

const SEPTEMBER: Period = Period::Month(2018, 9);
const AUGUST: Period = Period::Month(2018, 8);

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(m: u8, dd: u8) -> Date {
    Date::new(2018, m, dd).unwrap()
}

/// The unit that misses September, and each project's 累计 by month, as written.
struct Ledger {
    missing: String,
    ytd: HashMap<(String, u8), Decimal>,
    units: HashMap<String, String>,
}

/// Erqi with June–September reported by every unit but `missing`, which stops at August;
/// one of its projects becomes 续建 since 2015 with no start date recorded.
async fn nine_months() -> (Store, TestDatabase, Ledger) {
    let (store, db) = testing::erqi(&[("admin", Role::Admin, None)]).await.unwrap();
    let records = store.project_records(Some(2018), None).await.unwrap();
    let may: HashMap<String, Decimal> = taizhang_app::testing::month_ytd(&store, Period::Month(2018, 5)).await.unwrap();
    let missing = records.iter().map(|r| r.project.responsibility.unit.clone()).max().unwrap();
    let mut ytd = HashMap::new();
    let mut units = HashMap::new();
    let mut tx = store.begin().await.unwrap();
    for r in &records {
        let unit = r.project.responsibility.unit.clone();
        units.insert(r.project.code.to_string(), unit.clone());
        // A project that reported nothing by May reports zeros from June.
        let may = may.get(r.project.code.as_str()).copied().unwrap_or_default();
        let step = (r.plans[0].planned_wan * d("0.05")).round_dp(2);
        for m in 6..=9u8 {
            if m == 9 && unit == missing {
                continue;
            }
            let value = may + step * Decimal::from(m - 5);
            ytd.insert((r.project.code.to_string(), m), value);
            let row = MonthlyProgress {
                project: r.project.code.to_string(),
                period: Period::Month(2018, m),
                month_wan: Some(step),
                ytd_wan: value,
                since_start_wan: None,
                image_progress: "主体施工".into(),
                problems: String::new(),
            };
            tx.upsert_progress(&row).await.unwrap();
        }
    }
    let mut old = records.iter().find(|r| r.project.responsibility.unit == missing).unwrap().project.clone();
    old.nature = Nature::Continuing;
    old.planned_start = Date::new(2015, 5, 1).ok();
    old.actual_start = None;
    tx.upsert_project(&old).await.unwrap();
    tx.commit().await.unwrap();
    (store, db, Ledger { missing, ytd, units })
}

impl Ledger {
    /// The as-of total a careful office adds up: September where reported, else August.
    fn as_of_september(&self, unit: Option<&str>) -> Decimal {
        self.units
            .iter()
            .filter(|(_, u)| unit.is_none_or(|x| x == u.as_str()))
            .filter_map(|(code, _)| {
                self.ytd.get(&(code.clone(), 9)).or_else(|| self.ytd.get(&(code.clone(), 8))).copied()
            })
            .sum()
    }
}

#[tokio::test]
async fn a_unit_that_has_not_reported_is_carried_forward_never_counted_as_zero() {
    let (store, _db, ledger) = nine_months().await;
    let app = App::new(store, Config::default());
    let admin = app.as_user("admin").await.unwrap();
    let input = admin.briefing_input(SEPTEMBER, None, day(10, 5), "区发展改革委").await.unwrap();

    let missing_name = admin.find_unit(&ledger.missing).unwrap().name;
    assert_eq!(input.all.ytd_wan, ledger.as_of_september(None), "September where reported, else August");
    let unit_total = input.by_unit.iter().find(|t| t.label == missing_name).unwrap();
    assert_eq!(unit_total.ytd_wan, ledger.as_of_september(Some(&ledger.missing)));
    assert!(unit_total.ytd_wan > Decimal::ZERO, "the silent unit keeps its August figure");
    assert_eq!(unit_total.carried, unit_total.projects, "every project of the silent unit is marked 未报");
    assert_eq!(input.by_unit.iter().filter(|t| t.carried > 0 && t.carried == t.projects).count(), 1);

    let text = briefing(&input).text();
    assert!(text.contains(&format!("9月有1个单位{}个项目未报", unit_total.projects)), "{text}");
    assert!(text.contains("累计数按其最近一次报送数计"), "{text}");
    assert!(!text.contains("均按时报送"), "no round, no claim: {text}");
    assert_eq!(input.coverage, Coverage::NoRound);

    // Starts never fall because a month is missing, and a 续建 project is under way.
    let august = admin.briefing_input(AUGUST, None, day(9, 5), "").await.unwrap();
    assert!(input.started >= august.started, "{} started in September, {} in August", input.started, august.started);
    let warnings = admin.warnings(SEPTEMBER, None, day(10, 5)).await.unwrap();
    let silent: Vec<_> =
        warnings.iter().filter(|w| w.unit == missing_name && w.kind.label_zh() == "重点项目").collect();
    assert!(silent.iter().all(|w| !w.lit.reason.contains("仍未开工")), "{silent:#?}");
    assert!(silent.iter().any(|w| w.lit.reason.starts_with("9月未报；1-8月完成年计划")), "{silent:#?}");

    // The annual summary of the same ledger prints the same total, and names the months.
    let catalogue = admin.catalogue().await.unwrap();
    let annual = admin.annual_input(&catalogue, "erqi", 2018).await.unwrap();
    let projects = annual.projects.clone().unwrap();
    assert_eq!(projects.completed_wan, input.all.ytd_wan);
    assert_eq!(projects.through_month, Some(9));
    let summary = annual_summary(&catalogue, &annual).text();
    assert!(summary.contains("1-9月165个重大项目完成投资"), "{summary}");
    assert!(!summary.contains("全年165个重大项目"), "{summary}");

    // The dashboard's month line is as-of too: September does not dip below August.
    let line = admin.monthly_ytd("erqi", 2018, 9).await.unwrap();
    assert_eq!(line[8], input.all.ytd_wan);
    assert_eq!(line[7], august.all.ytd_wan);
}

#[tokio::test]
async fn coverage_comes_from_the_round_and_imported_figures_count_as_reported() {
    let (store, _db, ledger) = nine_months().await;
    let app = App::new(store, Config::default());
    let admin = app.as_user("admin").await.unwrap();

    // September is not complete, so pages open on August, and label September as open.
    assert_eq!(admin.default_period().await.unwrap(), Some(AUGUST));
    let note = admin.period_note(SEPTEMBER, None, day(10, 5)).await.unwrap();
    assert!(note.starts_with("（填报中，已报") && note.ends_with("个单位）"), "{note}");
    assert_eq!(admin.period_note(AUGUST, None, day(10, 5)).await.unwrap(), "");
    // A unit's own note counts its own units: the silent one owes September, the others do not.
    let silent = admin.period_note(SEPTEMBER, Some(&ledger.missing), day(10, 5)).await.unwrap();
    assert_eq!(silent, "（填报中，已报0/1个单位）");
    let reporting = ledger.units.values().find(|u| **u != ledger.missing).unwrap();
    assert_eq!(admin.period_note(SEPTEMBER, Some(reporting), day(10, 5)).await.unwrap(), "");

    // A round opened after the figures were imported shows them as reported, not overdue.
    let round = admin.open_round(SEPTEMBER, Form::ProjectProgress, Some(day(10, 10))).await.unwrap();
    let before_due = admin.coverage(SEPTEMBER, day(10, 5)).await.unwrap();
    let Coverage::Open { reported, owing } = before_due else { panic!("{before_due:?}") };
    assert_eq!(reported + 1, owing, "all but the silent unit");
    let after_due = admin.coverage(SEPTEMBER, day(10, 11)).await.unwrap();
    let standings = admin.round_status(&round, day(10, 11)).await.unwrap();
    let silent: Vec<String> = standings.iter().filter(|u| u.overdue).map(|u| u.name.clone()).collect();
    assert_eq!(silent.len(), 1);
    assert_eq!(after_due, Coverage::Due { missing: silent.clone(), late: vec![] });
    let input = admin.briefing_input(SEPTEMBER, None, day(10, 11), "").await.unwrap();
    let text = briefing(&input).text();
    assert!(text.contains(&format!("逾期未报送的单位（1个）：{}。", silent[0])), "{text}");
    assert!(!text.contains("均按时报送"), "{text}");

    // August, all imported, with a round opened later: everyone reported on time.
    admin.open_round(AUGUST, Form::ProjectProgress, Some(day(9, 10))).await.unwrap();
    let august = admin.briefing_input(AUGUST, None, day(9, 11), "").await.unwrap();
    assert_eq!(august.coverage, Coverage::Due { missing: vec![], late: vec![] });
    assert!(briefing(&august).text().contains("各责任单位均按时报送。"));
}

#[tokio::test]
async fn figures_that_do_not_agree_are_flagged_not_refused() {
    let (store, _db) = testing::erqi(&[("admin", Role::Admin, None)]).await.unwrap();
    let catalogue = store.catalogue().await.unwrap();
    let yi = d("100000000");
    let august = Period::Month(2018, 8);
    let value = |code: &str, unit: &str, period: Period, level: Decimal| {
        IndicatorValue::new(catalogue.find(code).unwrap(), unit, period, Some(level), None).unwrap()
    };
    let mut tx = store.begin().await.unwrap();
    // 汉中 1-8月: the parts 454.31 + 124.06 + 40.48 = 618.85 beside a total of 622.2.
    for (code, figure) in [("GDP", "622.2"), ("FAI", "454.31"), ("IVA", "124.06"), ("RSCG", "40.48")] {
        tx.upsert_value(&value(code, "erqi", august, d(figure) * yi), "tjj").await.unwrap();
    }
    // The district's new jobs beside five of its units'.
    let year = Period::Year(2018);
    tx.upsert_value(&value("URBAN_JOBS_NEW", "erqi", year, d("3310")), "rsj").await.unwrap();
    let children: Vec<String> = {
        let tree = store.org_tree_shared().await.unwrap();
        tree.children("erqi").map(|c| c.code.to_string()).collect()
    };
    for child in children.iter().take(5) {
        tx.upsert_value(&value("URBAN_JOBS_NEW", child, year, d("500")), "rsj").await.unwrap();
    }
    // A revision of 474 to 430 (over 5 %).
    tx.upsert_value(&value("RSCG", "erqi", year, d("474") * yi), "tjj").await.unwrap();
    tx.upsert_value(&value("RSCG", "erqi", year, d("430") * yi), "tjj").await.unwrap();
    tx.commit().await.unwrap();

    let config = Config::from_toml(
        "[[rules.parts]]\ntotal = \"地区生产总值\"\nparts = [\"固定资产投资\", \"规模以上工业增加值\", \"社会消费品零售总额\"]\ntolerance_pct = \"0.1\"\n",
    )
    .unwrap();
    let app = App::new(store, config);
    let admin = app.as_user("admin").await.unwrap();
    let flags: Vec<String> = admin.data_flags(2018, None).await.unwrap().into_iter().map(|f| f.message).collect();
    assert!(
        flags.contains(&"地区生产总值分项454.31+124.06+40.48=618.85亿元，合计622.2亿元，相差3.35亿元".to_string()),
        "{flags:#?}"
    );
    let jobs = format!("城镇新增就业：{}个下级单位中5个已报，合计2500人；本级报3310人", children.len());
    assert!(flags.iter().any(|f| f.ends_with(&jobs[jobs.find('：').unwrap()..])), "{flags:#?}");
    assert!(flags.iter().any(|f| f.contains("由474亿元修订为430亿元（-9.28%，超过5%）")), "{flags:#?}");
    // Flags, not refusals: every figure is stored.
    assert!(admin.value("GDP", "erqi", august).await.unwrap().is_some());
    // A year with figures only through August speaks of 1-8月.
    let catalogue = admin.catalogue().await.unwrap();
    let annual = annual_summary(&catalogue, &admin.annual_input(&catalogue, "erqi", 2018).await.unwrap()).text();
    assert!(annual.contains("1-8月地区生产总值完成622.2亿元"), "{annual}");
    assert!(!annual.contains("全年地区生产总值"), "{annual}");
}

/// What a dashboard shows, as text to compare (every figure, light, list and line).
fn shown(d: &taizhang_app::Dashboard) -> String {
    format!("{:?}\n{:?}\n{:?}", d.warnings, d.input, d.by_month)
}

#[tokio::test]
async fn a_dashboard_kept_unit_by_unit_equals_one_read_afresh_after_every_kind_of_write() {
    use taizhang_core::mechanism::NodePlan;
    use taizhang_core::project::MonthPlan;

    let (store, db, ledger) = nine_months().await;
    let writer = Store::open(&db.url).await.unwrap();
    // One server keeps its units' figures across the writes; each comparison opens another.
    let kept = App::new(store, Config::default());
    let today = day(10, 5);
    let afresh = || async {
        let app = App::new(Store::open(&db.url).await.unwrap(), Config::default());
        let d = app.as_user("admin").await.unwrap().dashboard(SEPTEMBER, today).await.unwrap();
        shown(&d)
    };
    let mut before = shown(&kept.as_user("admin").await.unwrap().dashboard(SEPTEMBER, today).await.unwrap());
    assert_eq!(before, afresh().await);

    let records = writer.project_records(Some(2018), None).await.unwrap();
    let (first, other) = (
        &records[0].project,
        records.iter().find(|r| r.project.responsibility.unit != records[0].project.responsibility.unit).unwrap(),
    );
    let code = first.code.to_string();

    // Each write, then the kept server's dashboard against one read afresh: equal, and moved.
    let mut check = async |what: &str| {
        let now = shown(&kept.as_user("admin").await.unwrap().dashboard(SEPTEMBER, today).await.unwrap());
        assert_eq!(now, afresh().await, "after {what}");
        assert_ne!(now, before, "{what} shows on the dashboard");
        before = now;
    };

    let mut tx = writer.begin().await.unwrap();
    let row = MonthlyProgress {
        project: code.clone(),
        period: SEPTEMBER,
        month_wan: Some(d("1")),
        ytd_wan: ledger.ytd[&(code.clone(), 9)] + d("1234.5"),
        since_start_wan: None,
        image_progress: "主体施工".into(),
        problems: String::new(),
    };
    tx.upsert_progress(&row).await.unwrap();
    tx.commit().await.unwrap();
    check("a September figure revised").await;

    let mut moved = first.clone();
    moved.responsibility.unit = other.project.responsibility.unit.clone();
    let mut tx = writer.begin().await.unwrap();
    tx.upsert_project(&moved).await.unwrap();
    tx.commit().await.unwrap();
    check("a project moved to another unit").await;

    let mut tx = writer.begin().await.unwrap();
    let plan = MonthPlan { project: code.clone(), period: SEPTEMBER, planned_ytd_wan: records[0].plans[0].planned_wan };
    tx.upsert_month_plan(&plan).await.unwrap();
    tx.commit().await.unwrap();
    check("its own monthly plan (序时进度) raised to the whole year").await;

    let other_code = other.project.code.to_string();
    let node = NodePlan {
        project: other_code,
        node: "主体封顶".into(),
        planned: Date::new(2018, 7, 1).ok(),
        actual: None,
        note: String::new(),
    };
    let mut tx = writer.begin().await.unwrap();
    tx.upsert_node(&node, "admin", "2018-10-01T00:00:00Z").await.unwrap();
    tx.commit().await.unwrap();
    check("a 倒排工期 node past its date").await;

    let mut unit = writer.find_unit(&other.project.responsibility.unit).await.unwrap();
    unit.name = format!("{}（更名）", unit.name);
    let mut tx = writer.begin().await.unwrap();
    tx.upsert_unit(&unit, 99).await.unwrap();
    tx.commit().await.unwrap();
    check("a unit renamed").await;

    // Everything recomputed at once (a restore, a world loaded): still equal.
    let mut tx = writer.begin().await.unwrap();
    let row = MonthlyProgress { ytd_wan: row.ytd_wan + d("1"), ..row };
    tx.upsert_progress(&row).await.unwrap();
    tx.touch_everything();
    tx.commit().await.unwrap();
    check("every roll-up recomputed").await;
}
