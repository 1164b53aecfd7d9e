//! The reporting cycle through the service layer, as the story of one month (June 2018) in
//! Erqi — on SQLite, and on PostgreSQL when `TAIZHANG_TEST_PG` is set.

#![allow(clippy::unwrap_used)] // a failing test says where by panicking

use std::collections::HashMap;
use std::str::FromStr;

use taizhang_app::testing::{Account, TestDatabase};
use taizhang_app::{Acting, App, Error, OrderDraft};
use taizhang_core::Decimal;
use taizhang_core::access::{Actor, Role};
use taizhang_core::config::Config;
use taizhang_core::lights::Light;
use taizhang_core::period::Period;
use taizhang_core::project::Date;
use taizhang_core::supervision::{OrderState, ProblemLevel};
use taizhang_core::workflow::{EntryFigures, Round, UnitStanding};
use taizhang_core::workflow::{EntryState, Form};
use taizhang_store::Store;

const JUNE: Period = Period::Month(2018, 6);

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(m: u8, dd: u8) -> Date {
    Date::new(2018, m, dd).unwrap()
}

/// The Erqi world with an admin, a district reviewer, a district leader, and a reporter and a
/// leader for each unit named.
async fn erqi(units: &[&str]) -> (Store, TestDatabase) {
    let names: Vec<(String, String)> = units.iter().map(|u| (format!("{u}-reporter"), format!("{u}-leader"))).collect();
    let mut accounts: Vec<Account<'_>> = vec![
        ("admin", Role::Admin, None),
        ("reviewer", Role::Reviewer, Some("erqi-dcs")),
        ("leader", Role::Leader, None),
    ];
    for (unit, (reporter, leader)) in units.iter().zip(&names) {
        accounts.push((reporter, Role::UnitReporter, Some(unit)));
        accounts.push((leader, Role::UnitLeader, Some(unit)));
    }
    taizhang_app::testing::erqi(&accounts).await.unwrap()
}

async fn as_user<'a>(app: &'a App, username: &str) -> Acting<'a> {
    app.as_user(username).await.unwrap()
}

/// Fills every project a unit owes with June figures: `share` of its annual plan done.
async fn fill(s: &Acting<'_>, round: &Round, unit: &str, share: &str) -> Vec<String> {
    let owed = s.owed_by(round, unit).await.unwrap();
    for code in &owed {
        let plan = PLANS.with(|p| p.borrow().get(code).copied()).unwrap_or_else(|| panic!("no plan for {code}"));
        // Never below what May's sample report already holds: 年初至报告期累计 cannot go down.
        let may = MAY.with(|m| m.borrow().get(code).copied()).unwrap_or_default();
        let ytd = (plan * d(share)).round_dp(2).max(may);
        let figures = EntryFigures {
            ytd_wan: Some(ytd),
            since_start_wan: Some(ytd),
            text: "主体施工".into(),
            ..EntryFigures::default()
        };
        s.save_draft(round, unit, code, &figures, None).await.unwrap();
    }
    owed
}

// Each 2018 project's annual plan and May 年初至报告期累计 (万元), read once per test.
thread_local! {
    static MAY: std::cell::RefCell<HashMap<String, Decimal>> = std::cell::RefCell::new(HashMap::new());
    static PLANS: std::cell::RefCell<HashMap<String, Decimal>> = std::cell::RefCell::new(HashMap::new());
}

async fn remember_plans(store: &Store) {
    let plans: HashMap<String, Decimal> = store
        .project_records(Some(2018), None)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.project.code.to_string(), r.plans[0].planned_wan))
        .collect();
    PLANS.with(|p| *p.borrow_mut() = plans);
    let may: HashMap<String, Decimal> = taizhang_app::testing::month_ytd(store, Period::Month(2018, 5)).await.unwrap();
    MAY.with(|m| *m.borrow_mut() = may);
}

fn denied<T>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::Denied(_)))
}

fn count(standing: &UnitStanding, state: EntryState) -> usize {
    standing.by_state.iter().find(|(s, _)| *s == state).map_or(0, |(_, n)| *n)
}

#[tokio::test(flavor = "current_thread")]
async fn one_month_in_erqi() {
    // 住建局 reports cleanly; 德化街街道 fails a rule and forces with a 说明; 生态环境局 is
    // returned and resubmits; 马寨镇 does not report.
    let (zjj, dhj, hbj, mz) = ("erqi-zjj", "erqi-dhj", "erqi-hbj", "erqi-mz");
    let (store, _db) = erqi(&[zjj, dhj, hbj, mz]).await;
    remember_plans(&store).await;
    let config = Config::default();
    let app = App::new(store.clone(), config);
    let admin = as_user(&app, "admin").await;
    let reviewer = as_user(&app, "reviewer").await;

    // The round opens, due on the 25th, listing who owes what.
    let round = admin.open_round(JUNE, Form::ProjectProgress, None).await.unwrap();
    assert_eq!(round.due, day(6, 25));
    assert!(admin.open_round(JUNE, Form::ProjectProgress, None).await.is_err(), "a round opens once");
    let standing = admin.round_status(&round, day(6, 20)).await.unwrap();
    let owed: usize = standing.iter().map(|u| u.owed).sum();
    assert_eq!(owed, 165, "every project with a 2018 plan is owed");

    // 住建局: drafts, submitted, approved by its leader, accepted by the district.
    let reporter = as_user(&app, "erqi-zjj-reporter").await;
    let zjj_projects = fill(&reporter, &round, zjj, "0.5").await;
    assert!(zjj_projects.contains(&"ZD2018-001".to_string()));
    assert_eq!(reporter.submit(&round, zjj, &HashMap::new()).await.unwrap(), zjj_projects.len());
    as_user(&app, "erqi-zjj-leader").await.approve(&round, zjj).await.unwrap();
    reviewer.accept(&round, zjj).await.unwrap();
    let accepted = store.progress("ZD2018-001", JUNE).await.unwrap().expect("accepted figures enter the ledger");
    assert_eq!(accepted.ytd_wan, d("50000"));

    // 德化街街道: 开工至报告期累计 above 总投资 fails a rule; blocked, then forced with a 说明.
    let dhj_reporter = as_user(&app, "erqi-dhj-reporter").await;
    fill(&dhj_reporter, &round, dhj, "0.4").await;
    let entry = dhj_reporter.entry(&round, dhj, "ZD2017-002").await.unwrap().unwrap();
    let over = EntryFigures { since_start_wan: Some(d("1300000")), ..entry.figures.clone() };
    dhj_reporter.save_draft(&round, dhj, "ZD2017-002", &over, Some(entry.version)).await.unwrap();
    let blocked = dhj_reporter.submit(&round, dhj, &HashMap::new()).await.unwrap_err();
    assert!(
        matches!(&blocked, Error::Rules(f) if f[0].0 == "ZD2017-002" && f[0].1.contains("超过总投资")),
        "{blocked}"
    );
    assert_eq!(
        dhj_reporter.entry(&round, dhj, "ZD2017-002").await.unwrap().unwrap().state,
        EntryState::Draft,
        "nothing submitted"
    );
    let explained = HashMap::from([("ZD2017-002".to_string(), "含征迁补偿，总投资调整待批".to_string())]);
    dhj_reporter.submit(&round, dhj, &explained).await.unwrap();
    let forced = reviewer.entry(&round, dhj, "ZD2017-002").await.unwrap().unwrap();
    assert_eq!(forced.state, EntryState::Submitted);
    assert_eq!(forced.explanation, "含征迁补偿，总投资调整待批");
    assert!(forced.failures.contains("超过总投资"), "reviewers see what the 说明 answers");

    // 生态环境局: returned by the district with a reason, corrected, resubmitted, accepted.
    let hbj_reporter = as_user(&app, "erqi-hbj-reporter").await;
    fill(&hbj_reporter, &round, hbj, "0.05").await;
    hbj_reporter.submit(&round, hbj, &HashMap::new()).await.unwrap();
    as_user(&app, "erqi-hbj-leader").await.approve(&round, hbj).await.unwrap();
    let one = ["ZD2017-004".to_string()];
    assert!(reviewer.return_entries(&round, hbj, " ", &one).await.is_err(), "a return needs a reason");
    let stranger = ["ZD2018-001".to_string()];
    assert!(reviewer.return_entries(&round, hbj, "x", &stranger).await.is_err(), "only the unit's own records");
    // One record goes back, with its reason; the unit's other records stay where they were.
    assert_eq!(reviewer.return_entries(&round, hbj, "凤湖生态休闲区形象进度未填写具体节点", &one).await.unwrap(), 1);
    let returned = hbj_reporter.entry(&round, hbj, "ZD2017-004").await.unwrap().unwrap();
    assert_eq!(returned.state, EntryState::Returned);
    assert_eq!(returned.return_reason.as_deref(), Some("凤湖生态休闲区形象进度未填写具体节点"));
    let others = hbj_reporter.entries(&round, hbj).await.unwrap();
    assert!(
        others
            .iter()
            .filter(|e| e.subject != "ZD2017-004")
            .all(|e| e.state == EntryState::Approved && e.return_reason.is_none())
    );
    let corrected = EntryFigures { text: "完成规划设计招标".into(), ..returned.figures.clone() };
    hbj_reporter.save_draft(&round, hbj, "ZD2017-004", &corrected, Some(returned.version)).await.unwrap();
    hbj_reporter.submit(&round, hbj, &HashMap::new()).await.unwrap();
    as_user(&app, "erqi-hbj-leader").await.approve(&round, hbj).await.unwrap();
    reviewer.accept(&round, hbj).await.unwrap();
    let history =
        reviewer.history(&hbj_reporter.entry(&round, hbj, "ZD2017-004").await.unwrap().unwrap()).await.unwrap();
    let path: Vec<(&str, &str)> = history.iter().map(|t| (t.from.as_str(), t.to.as_str())).collect();
    assert_eq!(
        path,
        [
            ("draft", "draft"),
            ("draft", "submitted"),
            ("submitted", "approved"),
            ("approved", "returned"),
            ("returned", "returned"),
            ("returned", "submitted"),
            ("submitted", "approved"),
            ("approved", "accepted")
        ]
    );
    assert_eq!(history[3].reason, "凤湖生态休闲区形象进度未填写具体节点");
    assert_eq!(history[3].actor, "reviewer");

    // 马寨镇 reports nothing: overdue after the 25th, not before.
    assert!(admin.overdue(&round, day(6, 25)).await.unwrap().is_empty());
    let overdue: Vec<String> = admin.overdue(&round, day(6, 26)).await.unwrap().into_iter().map(|u| u.unit).collect();
    assert!(overdue.contains(&mz.to_string()), "{overdue:?}");
    assert!(
        !overdue.contains(&zjj.to_string())
            && !overdue.contains(&dhj.to_string())
            && !overdue.contains(&hbj.to_string())
    );

    // The round closes: everything is locked, drafts included; no more typing.
    admin.close_round(&round).await.unwrap();
    let round = admin.round(JUNE, Form::ProjectProgress).await.unwrap();
    let standing = admin.round_status(&round, day(6, 30)).await.unwrap();
    let zjj_standing = standing.iter().find(|u| u.unit == zjj).unwrap();
    assert_eq!(count(zjj_standing, EntryState::Locked), zjj_projects.len());
    let entry = reporter.entry(&round, zjj, "ZD2018-001").await.unwrap().unwrap();
    assert!(reporter.save_draft(&round, zjj, "ZD2018-001", &entry.figures, Some(entry.version)).await.is_err());
    assert!(reviewer.reopen_round(&round, "补报").await.is_err(), "only an admin reopens");

    // Warnings for June: 住建局 at 50 % of plan is ahead (序时进度 50 %); 生态环境局 at 5 % is red.
    let warnings = admin.warnings(JUNE, None, day(6, 30)).await.unwrap();
    let light_of = |code: &str| warnings.iter().find(|w| w.code == code).map(|w| w.lit.clone()).unwrap();
    assert_eq!(light_of("ZD2018-001").light, Light::Green);
    let red = light_of("ZD2017-004");
    assert_eq!(red.light, Light::Red);
    assert_eq!(red.reason, "1-6月完成年计划5%，落后序时进度45个百分点");
    let unreported = light_of("ZD2017-002");
    assert_eq!(unreported.reason, "1-6月未报送进度", "forced but not accepted: not in the ledger yet");
    let scoped = as_user(&app, "erqi-zjj-leader").await.warnings(JUNE, None, day(6, 30)).await.unwrap();
    assert!(scoped.iter().all(|w| w.unit == "区住房城乡建设局"), "a unit sees its own lights");

    // A problem raised on 凤湖 escalates when overdue: unit → lead leader → district.
    let problem = hbj_reporter
        .raise_problem("ZD2017-004", "用地手续未批复", "区生态环境局", day(6, 10), day(6, 1), "项目页")
        .await
        .unwrap();
    assert_eq!(admin.escalate_overdue(day(6, 10)).await.unwrap(), vec![]);
    assert_eq!(admin.escalate_overdue(day(6, 11)).await.unwrap(), vec![(problem, ProblemLevel::LeadLeader)]);
    assert_eq!(admin.problem(problem).await.unwrap().deadline, Some(day(6, 18)));
    assert_eq!(admin.escalate_overdue(day(6, 19)).await.unwrap(), vec![(problem, ProblemLevel::District)]);
    assert!(
        hbj_reporter.resolve_problem(problem, "已批复", day(6, 20)).await.is_err(),
        "a reporter cannot close a problem"
    );
    as_user(&app, "erqi-hbj-leader").await.resolve_problem(problem, "用地手续已批复", day(6, 20)).await.unwrap();
    assert_eq!(admin.escalate_overdue(day(7, 30)).await.unwrap(), vec![], "a resolved problem stays");

    // A 督办 order goes the full loop, with an extension and a return for rework.
    let draft = OrderDraft {
        unit: hbj,
        subject: "ZD2017-004",
        title: "凤湖生态休闲区前期手续督办",
        requirement: "6月底前完成规划设计招标",
        deadline: Some(day(6, 28)),
        from: "",
    };
    let order = admin.issue_order(&draft, day(6, 20)).await.unwrap();
    assert!(reviewer.sign_order(order).await.is_err(), "the addressed unit signs");
    let leader = as_user(&app, "erqi-hbj-leader").await;
    leader.sign_order(order).await.unwrap();
    let request = leader.request_extension(order, day(7, 10), "招标公告期未满", day(6, 25)).await.unwrap();
    assert!(
        leader.decide_extension(request, true, day(6, 26)).await.is_err(),
        "the unit cannot approve its own extension"
    );
    assert_eq!(reviewer.decide_extension(request, true, day(6, 26)).await.unwrap().deadline, day(7, 10));
    hbj_reporter.feedback_order(order, "已发布招标公告").await.unwrap();
    assert_eq!(reviewer.review_order(order, false, "请附中标结果").await.unwrap().state, OrderState::Returned);
    hbj_reporter.feedback_order(order, "已确定中标单位，合同已签订").await.unwrap();
    let closed = reviewer.review_order(order, true, "办结").await.unwrap();
    assert_eq!((closed.state, closed.feedback.as_str()), (OrderState::Closed, "已确定中标单位，合同已签订"));
    assert!(reviewer.review_order(order, true, "").await.is_err(), "a closed order stays closed");
}

#[tokio::test(flavor = "current_thread")]
async fn a_reporter_cannot_read_change_or_submit_another_units_draft() {
    let (zjj, dhj) = ("erqi-zjj", "erqi-dhj");
    let (store, _db) = erqi(&[zjj, dhj]).await;
    remember_plans(&store).await;
    let config = Config::default();
    let app = App::new(store.clone(), config);
    let round = as_user(&app, "admin").await.open_round(JUNE, Form::ProjectProgress, None).await.unwrap();
    let dhj_reporter = as_user(&app, "erqi-dhj-reporter").await;
    fill(&dhj_reporter, &round, dhj, "0.4").await;
    let zjj_reporter = as_user(&app, "erqi-zjj-reporter").await;
    let draft = dhj_reporter.entry(&round, dhj, "ZD2017-002").await.unwrap().unwrap();

    assert!(denied(zjj_reporter.entries(&round, dhj).await));
    assert!(denied(zjj_reporter.save_draft(&round, dhj, "ZD2017-002", &draft.figures, Some(draft.version)).await));
    assert!(denied(zjj_reporter.submit(&round, dhj, &HashMap::new()).await));
    assert!(denied(as_user(&app, "erqi-zjj-leader").await.approve(&round, dhj).await));
    assert!(denied(
        as_user(&app, "leader").await.save_draft(&round, dhj, "ZD2017-002", &draft.figures, Some(draft.version)).await
    ));
    assert!(denied(dhj_reporter.open_round(Period::Month(2018, 7), Form::ProjectProgress, None).await));
    let untouched = dhj_reporter.entry(&round, dhj, "ZD2017-002").await.unwrap().unwrap();
    assert_eq!((untouched.version, untouched.state), (draft.version, EntryState::Draft));
    let status = zjj_reporter.round_status(&round, day(6, 20)).await.unwrap();
    assert!(status.iter().all(|u| u.unit == zjj), "a reporter sees only its own unit's standing");
}

#[tokio::test(flavor = "current_thread")]
async fn two_people_saving_the_same_record_from_the_same_version_get_a_conflict() {
    let zjj = "erqi-zjj";
    let (store, _db) = erqi(&[zjj]).await;
    remember_plans(&store).await;
    let config = Config::default();
    let app = App::new(store.clone(), config);
    let round = as_user(&app, "admin").await.open_round(JUNE, Form::ProjectProgress, None).await.unwrap();
    let reporter = as_user(&app, "erqi-zjj-reporter").await;
    let leader = as_user(&app, "erqi-zjj-leader").await;
    let figures = EntryFigures { ytd_wan: Some(d("100")), ..EntryFigures::default() };
    let first = reporter.save_draft(&round, zjj, "ZD2018-001", &figures, None).await.unwrap();
    assert_eq!(first.version, 1);
    // A second "new" save of the same record is already stale.
    assert!(matches!(leader.save_draft(&round, zjj, "ZD2018-001", &figures, None).await, Err(Error::Conflict(_))));

    // Both load version 1 and save concurrently: exactly one wins, the other is told.
    let mine = EntryFigures { ytd_wan: Some(d("200")), ..EntryFigures::default() };
    let theirs = EntryFigures { ytd_wan: Some(d("300")), ..EntryFigures::default() };
    let (a, b) = tokio::join!(
        reporter.save_draft(&round, zjj, "ZD2018-001", &mine, Some(1)),
        leader.save_draft(&round, zjj, "ZD2018-001", &theirs, Some(1)),
    );
    let (won, lost) = match (a, b) {
        (Ok(w), Err(e)) | (Err(e), Ok(w)) => (w, e),
        other => panic!("exactly one save must win: {other:?}"),
    };
    assert!(matches!(lost, Error::Conflict(_)), "{lost}");
    assert_eq!(won.version, 2);
    let stored = reporter.entry(&round, zjj, "ZD2018-001").await.unwrap().unwrap();
    assert_eq!(stored.figures.ytd_wan, won.figures.ytd_wan, "the winner's figures stand; nothing was lost silently");
    // Saving again from the fresh version works.
    reporter.save_draft(&round, zjj, "ZD2018-001", &mine, Some(stored.version)).await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn a_reopened_round_returns_locked_records_to_their_units() {
    let zjj = "erqi-zjj";
    let (store, _db) = erqi(&[zjj]).await;
    remember_plans(&store).await;
    let config = Config::default();
    let app = App::new(store.clone(), config);
    let admin = as_user(&app, "admin").await;
    let round = admin.open_round(JUNE, Form::ProjectProgress, None).await.unwrap();
    let reporter = as_user(&app, "erqi-zjj-reporter").await;
    fill(&reporter, &round, zjj, "0.5").await;
    admin.close_round(&round).await.unwrap();
    assert!(admin.reopen_round(&round, "").await.is_err(), "reopening needs a reason");
    admin.reopen_round(&round, "统计口径调整，需补报").await.unwrap();
    let entry = reporter.entry(&round, zjj, "ZD2018-001").await.unwrap().unwrap();
    assert_eq!(entry.state, EntryState::Returned);
    let history = reporter.history(&entry).await.unwrap();
    assert_eq!(history.last().unwrap().reason, "统计口径调整，需补报");
    let actor = Actor { username: "x".into(), role: Role::UnitReporter, unit: Some(zjj.into()) };
    let stranger = app.as_actor(actor).await.unwrap();
    assert!(stranger.reopen_round(&round, "x").await.is_err());
}

#[tokio::test(flavor = "current_thread")]
async fn a_project_with_its_own_monthly_plan_is_lit_against_it() {
    let (store, _db) = erqi(&[]).await;
    let config = Config::default();
    let app = App::new(store.clone(), config);
    let june = Period::Month(2018, 6);
    let mut tx = store.begin().await.unwrap();
    // 保利豫见里 plans 100000万元 for 2018 but only 20000 of it by June (a late-heavy year).
    tx.upsert_month_plan(&taizhang_core::project::MonthPlan {
        project: "ZD2018-001".into(),
        period: june,
        planned_ytd_wan: d("20000"),
    })
    .await
    .unwrap();
    tx.upsert_progress(&taizhang_core::project::MonthlyProgress {
        project: "ZD2018-001".into(),
        period: june,
        month_wan: None,
        ytd_wan: d("20000"),
        since_start_wan: None,
        image_progress: String::new(),
        problems: String::new(),
    })
    .await
    .unwrap();
    // 百年德化 has no monthly plan: 20 % of its year by June lags m/12 by 30 points.
    tx.upsert_progress(&taizhang_core::project::MonthlyProgress {
        project: "ZD2017-002".into(),
        period: june,
        month_wan: None,
        ytd_wan: d("40000"),
        since_start_wan: None,
        image_progress: String::new(),
        problems: String::new(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let admin = as_user(&app, "admin").await;
    let warnings = admin.warnings(june, None, day(6, 30)).await.unwrap();
    let lit = |code: &str| warnings.iter().find(|w| w.code == code).unwrap().lit.clone();
    assert_eq!(lit("ZD2018-001").light, Light::Green);
    assert_eq!(lit("ZD2018-001").reason, "1-6月完成年计划20%，与序时进度持平");
    assert_eq!(lit("ZD2017-002").light, Light::Yellow);
    assert_eq!(lit("ZD2017-002").reason, "1-6月完成年计划20%，落后序时进度30个百分点");
}

#[tokio::test(flavor = "current_thread")]
async fn a_unit_workbook_is_saved_whole_or_not_at_all() {
    let zjj = "erqi-zjj";
    let (store, _db) = erqi(&[zjj]).await;
    let app = App::new(store.clone(), Config::default());
    let round = as_user(&app, "admin").await.open_round(JUNE, Form::ProjectProgress, None).await.unwrap();
    let reporter = as_user(&app, "erqi-zjj-reporter").await;
    let figures = EntryFigures { ytd_wan: Some(d("60000")), ..EntryFigures::default() };
    // The second row names a project another unit reports: the first is not kept either.
    let drafts =
        vec![("ZD2018-001".to_string(), figures.clone(), None), ("ZD2017-002".to_string(), figures.clone(), None)];
    let refused = reporter.save_drafts(&round, zjj, &drafts).await.unwrap_err();
    assert!(refused.to_string().contains("ZD2017-002"), "{refused}");
    assert!(reporter.entry(&round, zjj, "ZD2018-001").await.unwrap().is_none(), "nothing was saved");
    // Without it, the sheet is saved, and saved again over itself.
    assert_eq!(reporter.save_drafts(&round, zjj, &drafts[..1]).await.unwrap(), 1);
    assert_eq!(reporter.save_drafts(&round, zjj, &drafts[..1]).await.unwrap(), 1);
    assert_eq!(reporter.entry(&round, zjj, "ZD2018-001").await.unwrap().unwrap().version, 2);
}

/// The sheet as a reporter fills it in Excel: every column and row it was given, with the
/// 年初至报告期累计 of `project` typed in.
fn filled_in(sheet: &[u8], project: &str, ytd: &str) -> Vec<u8> {
    filled(sheet, project, &[("ytd", ytd)])
}

/// The sheet with `project`'s cells under the given column keys replaced.
fn filled(sheet: &[u8], project: &str, cells: &[(&str, &str)]) -> Vec<u8> {
    let table = taizhang_office::read_table(sheet, "进度表.xlsx", taizhang_office::Kind::Progress, None).unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (_, column) in &table.columns {
        ws.write_string(0, column.index as u16, &column.header).unwrap();
    }
    for (r, row) in table.rows.iter().enumerate() {
        let code = table.cell(row, "code").map(|(_, c)| taizhang_office::sheet::cell_text(c)).unwrap();
        for (key, column) in &table.columns {
            let mut text = taizhang_office::sheet::cell_text(&row.cells[column.index]);
            if let Some((_, typed)) = cells.iter().find(|(k, _)| k == key).filter(|_| code == project) {
                text = typed.to_string();
            }
            ws.write_string(r as u32 + 1, column.index as u16, text).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn a_sheet_taken_before_a_draft_changed_is_refused_whole_and_a_fresh_one_is_saved() {
    let zjj = "erqi-zjj";
    let (store, _db) = erqi(&[zjj]).await;
    let app = App::new(store.clone(), Config::default());
    let round = as_user(&app, "admin").await.open_round(JUNE, Form::ProjectProgress, None).await.unwrap();
    let reporter = as_user(&app, "erqi-zjj-reporter").await;
    let leader = as_user(&app, "erqi-zjj-leader").await;

    // The reporter takes the sheet (no drafts yet: 版本 0 on every row) …
    let taken = reporter.progress_sheet(&round, zjj).await.unwrap();
    let table = taizhang_office::read_table(&taken, "t.xlsx", taizhang_office::Kind::Progress, None).unwrap();
    let versions = taizhang_office::import::sheet_versions(&table).unwrap();
    assert!(versions.iter().any(|(code, v)| code == "ZD2018-001" && *v == Some(0)), "{versions:?}");
    assert_eq!(versions.len(), reporter.owed_by(&round, zjj).await.unwrap().len(), "one row per project owed");
    // … meanwhile the unit's leader types a figure on the form …
    let typed = EntryFigures { ytd_wan: Some(d("55000")), ..EntryFigures::default() };
    leader.save_draft(&round, zjj, "ZD2018-001", &typed, None).await.unwrap();
    // … so the sheet, filled in from what it showed, is refused and changes nothing.
    let refused = reporter.progress_drafts(&round, zjj, &filled_in(&taken, "ZD2018-001", "60000"), "进度表.xlsx").await;
    let message = refused.unwrap_err().to_string();
    assert!(message.contains("ZD2018-001下载进度表时为第0版，现为第1版"), "{message}");
    let kept = reporter.entry(&round, zjj, "ZD2018-001").await.unwrap().unwrap();
    assert_eq!((kept.figures.ytd_wan, kept.version), (Some(d("55000")), 1));

    // A sheet taken now shows the leader's figure at 版本 1, and saves over it; the rows left
    // blank are not filled yet, not errors.
    let fresh = reporter.progress_sheet(&round, zjj).await.unwrap();
    let saved = reporter.progress_drafts(&round, zjj, &filled_in(&fresh, "ZD2018-001", "60000"), "进度表.xlsx").await;
    assert_eq!(saved.unwrap().unwrap().count, 1);
    let now = reporter.entry(&round, zjj, "ZD2018-001").await.unwrap().unwrap();
    assert_eq!((now.figures.ytd_wan, now.version), (Some(d("60000")), 2));
    // The same sheet again is stale in its turn.
    let again = reporter.progress_drafts(&round, zjj, &filled_in(&fresh, "ZD2018-001", "61000"), "进度表.xlsx").await;
    assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_sheet_breaking_the_ytd_rule_is_saved_and_asks_for_a_shuo_ming_as_the_form_does() {
    let zjj = "erqi-zjj";
    let (store, _db) = erqi(&[zjj]).await;
    let app = App::new(store.clone(), Config::default());
    let round = as_user(&app, "admin").await.open_round(JUNE, Form::ProjectProgress, None).await.unwrap();
    let reporter = as_user(&app, "erqi-zjj-reporter").await;
    // A project with May's cumulative figure to fall below.
    let mut project = None;
    for code in reporter.owed_by(&round, zjj).await.unwrap() {
        if reporter.progress(&code, Period::Month(2018, 5)).await.unwrap().is_some_and(|g| g.ytd_wan > d("1")) {
            project = Some(code);
            break;
        }
    }
    let project = project.expect("the sample May has a figure for one of 住建局's projects");
    let sheet = reporter.progress_sheet(&round, zjj).await.unwrap();
    // Below May's: saved as a draft, and said at once, as on the form.
    let saved = reporter.progress_drafts(&round, zjj, &filled_in(&sheet, &project, "1"), "进度表.xlsx").await;
    let saved = saved.unwrap().unwrap();
    assert_eq!(saved.count, 1);
    assert!(
        saved.to_explain.len() == 1 && saved.to_explain[0].starts_with(&format!("{project}：")),
        "{:?}",
        saved.to_explain
    );
    let draft = reporter.entry(&round, zjj, &project).await.unwrap().unwrap();
    assert_eq!(draft.figures.ytd_wan, Some(d("1")));
    // The submission asks for its 说明, as it does for a typed draft …
    let refused = reporter.submit(&round, zjj, &HashMap::new()).await.unwrap_err();
    assert!(matches!(&refused, Error::Rules(f) if f.len() == 1 && f[0].0 == project), "{refused:?}");
    // … which the sheet's 说明 column gives: saved with the figures, it answers at submission.
    let sheet = reporter.progress_sheet(&round, zjj).await.unwrap();
    let why = "5月数据含代建项目，已按统计局口径调减";
    let answered = filled(&sheet, &project, &[("ytd", "1"), ("explanation", why)]);
    let saved = reporter.progress_drafts(&round, zjj, &answered, "进度表.xlsx").await.unwrap().unwrap();
    assert!(saved.to_explain.is_empty(), "{:?}", saved.to_explain);
    assert_eq!(reporter.submit(&round, zjj, &HashMap::new()).await.unwrap(), 1);
    let submitted = reporter.entry(&round, zjj, &project).await.unwrap().unwrap();
    assert_eq!(submitted.explanation, why);
    assert!(!submitted.failures.is_empty(), "the failure stays for the reviewer");
}

#[tokio::test(flavor = "current_thread")]
async fn a_draft_saved_again_loses_the_shuo_ming_of_its_old_figures() {
    let zjj = "erqi-zjj";
    let (store, _db) = erqi(&[zjj]).await;
    let app = App::new(store.clone(), Config::default());
    let round = as_user(&app, "admin").await.open_round(JUNE, Form::ProjectProgress, None).await.unwrap();
    let reporter = as_user(&app, "erqi-zjj-reporter").await;
    let sheet = reporter.progress_sheet(&round, zjj).await.unwrap();
    let answered =
        filled(&sheet, "ZD2018-001", &[("ytd", "60000"), ("since_start", "99999999"), ("explanation", "口径调整")]);
    reporter.progress_drafts(&round, zjj, &answered, "进度表.xlsx").await.unwrap().unwrap();
    // New figures typed on the form: the 说明 was for the old ones.
    let typed = EntryFigures { since_start_wan: Some(d("99999999")), ..EntryFigures::default() };
    let version = reporter.entry(&round, zjj, "ZD2018-001").await.unwrap().unwrap().version;
    reporter.save_draft(&round, zjj, "ZD2018-001", &typed, Some(version)).await.unwrap();
    assert!(matches!(reporter.submit(&round, zjj, &HashMap::new()).await, Err(Error::Rules(_))));
}

#[tokio::test(flavor = "current_thread")]
async fn a_sheet_longer_than_any_units_month_is_refused_before_it_is_held() {
    let zjj = "erqi-zjj";
    let (store, _db) = erqi(&[zjj]).await;
    let app = App::new(store.clone(), Config::default());
    let round = as_user(&app, "admin").await.open_round(JUNE, Form::ProjectProgress, None).await.unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in ["项目编码", "报告期", "年初至报告期累计(万元)"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=10_001 {
        ws.write_string(r, 0, "ZD2018-001").unwrap();
        ws.write_string(r, 1, "2018-06").unwrap();
        ws.write_number(r, 2, 1.0).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let reporter = as_user(&app, "erqi-zjj-reporter").await;
    let refused = reporter.progress_drafts(&round, zjj, &bytes, "进度表.xlsx").await.unwrap().unwrap_err();
    assert_eq!(refused, ["进度表.xlsx: 数据超过10000行，请分批上传"]);
    assert!(reporter.entries(&round, zjj).await.unwrap().is_empty(), "nothing was saved");
}

#[tokio::test]
async fn serves_standing_job_moves_an_overdue_problem_up_once() {
    let (store, _db) = erqi(&["erqi-hbj"]).await;
    let app = App::new(store, Config::default());
    let reporter = as_user(&app, "erqi-hbj-reporter").await;
    // Due on 10 June 2018: long overdue by the clock the job reads.
    let problem =
        reporter.raise_problem("ZD2017-004", "用地手续未批复", "", day(6, 10), day(6, 1), "项目页").await.unwrap();
    let job = tokio::spawn(app.clone().escalate_every(std::time::Duration::from_millis(20)));
    let admin = as_user(&app, "admin").await;
    let mut level = ProblemLevel::Unit;
    for _ in 0..250 {
        level = admin.problem(problem).await.unwrap().level;
        if level != ProblemLevel::Unit {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(level, ProblemLevel::LeadLeader, "moved up by the job, with no command run");
    // It now has a new deadline ahead of today: further runs leave it where it is.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    job.abort();
    let p = admin.problem(problem).await.unwrap();
    assert_eq!(p.level, ProblemLevel::LeadLeader);
    assert!(p.deadline.is_some_and(|d| d >= taizhang_app::clock::today()), "{p:?}");
    let person = admin.project("ZD2017-004").await.unwrap().unwrap().responsibility.person;
    assert!(!person.is_empty() && p.owner == person, "a blank owner is the project's responsible person");
}

#[tokio::test(flavor = "current_thread")]
async fn whoever_drafted_or_approved_a_record_cannot_take_it_a_step_further() {
    let (store, _db) = erqi(&["erqi-hbj"]).await;
    remember_plans(&store).await;
    let hbj = "erqi-hbj";
    let app = App::new(store.clone(), Config::default());
    let admin = as_user(&app, "admin").await;
    let round = admin.open_round(JUNE, Form::ProjectProgress, None).await.unwrap();
    // The unit leader drafts and submits the unit's figures, then may not approve them.
    let leader = as_user(&app, "erqi-hbj-leader").await;
    let owed = fill(&leader, &round, hbj, "0.5").await;
    let why: HashMap<String, String> = owed.iter().map(|c| (c.clone(), "据实".to_string())).collect();
    leader.submit(&round, hbj, &why).await.unwrap();
    let err = leader.approve(&round, hbj).await.unwrap_err().to_string();
    assert!(err.contains("职责分离") && err.contains("erqi-hbj-leader 填报或上报了该记录，不能再单位审核"), "{err}");
    // An admin approves (allowed: it did not draft), then may not also accept.
    admin.approve(&round, hbj).await.unwrap();
    let err = admin.accept(&round, hbj).await.unwrap_err().to_string();
    assert!(err.contains("admin 已单位审核该记录，不能再区级审核"), "{err}");
    as_user(&app, "reviewer").await.accept(&round, hbj).await.unwrap();
    // A jurisdiction may switch the rule off.
    let mut lax = Config::default();
    lax.rules.separation_of_duties = false;
    let app = App::new(store, lax);
    let round =
        as_user(&app, "admin").await.open_round(Period::Month(2018, 7), Form::ProjectProgress, None).await.unwrap();
    let leader = as_user(&app, "erqi-hbj-leader").await;
    let owed = fill(&leader, &round, hbj, "0.6").await;
    let why: HashMap<String, String> = owed.iter().map(|c| (c.clone(), "据实".to_string())).collect();
    leader.submit(&round, hbj, &why).await.unwrap();
    leader.approve(&round, hbj).await.unwrap();
}
