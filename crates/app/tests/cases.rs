//! 数字城管 through the service layer: a 监督员 reports at a point (located to its cell and
//! street), the 值班长 files and dispatches with a deadline in working time across a holiday
//! with its 调休 day, the street disposes, the 监督员's check sends it back twice (返工), and the
//! case is closed — each step by the role and unit allowed, out-of-order steps refused in words
//! and nothing written. On SQLite, and on PostgreSQL when `TAIZHANG_TEST_PG` is set.

#![allow(clippy::unwrap_used)] // a failing test says where by panicking

use taizhang_app::testing::Account;
use taizhang_app::{App, CaseReport, Moment, StepRequest};
use taizhang_core::Decimal;
use taizhang_core::access::Role;
use taizhang_core::cases::CaseState;
use taizhang_core::config::Config;
use taizhang_core::grid::{GridCell, shape_from_wkt};
use taizhang_core::project::Date;
use taizhang_store::CaseClass;

const DHJ: &str = "erqi-dhj"; // 德化街街道
const WLB: &str = "erqi-wlb"; // 五里堡街道

fn at(text: &str) -> Moment {
    Moment::parse(text).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A fixture class (codes and limits here are the test's, not a city's list).
fn class(code: &str, name: &str, limit: u32, unit: &str, default_unit: &str) -> CaseClass {
    CaseClass {
        code: code.into(),
        kind: "事件".into(),
        major: "市容环境".into(),
        name: name.into(),
        file_rule: "现场可见".into(),
        close_rule: "清理完毕".into(),
        time_limit: limit,
        limit_unit: unit.into(),
        default_unit: Some(default_unit.into()),
        street_units: Default::default(),
    }
}

async fn city() -> (App, taizhang_app::testing::TestDatabase) {
    let accounts: Vec<Account<'_>> = vec![
        ("admin", Role::Admin, None),
        ("jdy", Role::Inspector, None),
        ("zbz", Role::Dispatcher, None),
        ("dhj", Role::UnitReporter, Some(DHJ)),
        ("wlb", Role::UnitReporter, Some(WLB)),
    ];
    let (store, db) = taizhang_app::testing::erqi(&accounts).await.unwrap();
    let app = App::new(store, Config::default());
    let admin = app.as_user("admin").await.unwrap();
    let cell = |code: &str, street: &str, wkt: &str| GridCell {
        code: code.into(),
        name: format!("{code}网格"),
        street: street.into(),
        community: "社区".into(),
        shape: shape_from_wkt(wkt).unwrap(),
    };
    let grid = [
        cell("DHJ-01", DHJ, "POLYGON ((113.60 34.70, 113.61 34.70, 113.61 34.71, 113.60 34.71, 113.60 34.70))"),
        cell("WLB-01", WLB, "POLYGON ((113.62 34.70, 113.63 34.70, 113.63 34.71, 113.62 34.71, 113.62 34.70))"),
    ];
    assert_eq!(admin.save_grid(&grid, false).await.unwrap(), 2);
    let classes = [class("T-LJ", "暴露垃圾", 2, "hours", DHJ), class("T-JG", "井盖破损", 3, "days", DHJ)];
    assert_eq!(admin.save_case_classes(&classes).await.unwrap(), 2);
    (app, db)
}

#[tokio::test(flavor = "current_thread")]
async fn a_case_runs_from_report_to_close_through_four_roles_in_working_time() {
    let (app, _db) = city().await;
    let jdy = app.as_user("jdy").await.unwrap();
    let zbz = app.as_user("zbz").await.unwrap();
    let dhj = app.as_user("dhj").await.unwrap();
    let wlb = app.as_user("wlb").await.unwrap();
    let report = CaseReport {
        class: "T-LJ",
        lon: dec("113.6051"),
        lat: dec("34.7012"),
        address: "德化街与二七路口",
        description: "路口东侧暴露垃圾一堆",
        photos: "IMG_0001.jpg",
        sample: false,
    };
    // Friday 27 April 2018, 16:30: 29 April – 1 May is the 劳动节 holiday, Saturday 28 April
    // a 调休 working day.
    let id = jdy.report_case(&report, at("2018-04-27 16:20")).await.unwrap();
    let (case, _) = zbz.case_with_trail(id).await.unwrap();
    assert_eq!((case.cell.as_str(), case.street.as_str(), case.status.state), ("DHJ-01", DHJ, CaseState::Reported));

    // 结案 before anything else is refused in words, and nothing is written.
    let early = zbz.take_case_step(id, StepRequest::Close, at("2018-04-27 16:25")).await.unwrap_err();
    assert_eq!(early.to_string(), "案件待立案，不能结案");
    zbz.take_case_step(id, StepRequest::File, at("2018-04-27 16:25")).await.unwrap();
    let dispatched =
        zbz.take_case_step(id, StepRequest::Dispatch { unit: None }, at("2018-04-27 16:30")).await.unwrap();
    // Two working hours: 16:30–17:30 on Friday, then 8:30–9:30 on the 调休 Saturday.
    assert_eq!(dispatched.due_at.as_deref(), Some("2018-04-28 09:30"));
    assert_eq!(dispatched.status.unit.as_deref(), Some(DHJ), "the class's default unit");

    // Another street cannot dispose of it; the 监督员 cannot either.
    let other = wlb.take_case_step(id, StepRequest::Dispose { result: "已清理".into() }, at("2018-04-28 08:40")).await;
    assert!(other.unwrap_err().to_string().contains("erqi-dhj"), "the refusal names the case's unit");
    assert!(jdy.take_case_step(id, StepRequest::Dispose { result: "x".into() }, at("2018-04-28 08:40")).await.is_err());

    dhj.take_case_step(id, StepRequest::Dispose { result: "已清理".into() }, at("2018-04-28 09:00")).await.unwrap();
    let failed = StepRequest::Check { passed: false, note: "仍有残留".into() };
    let back = jdy.take_case_step(id, failed, at("2018-04-28 09:10")).await.unwrap();
    assert_eq!((back.status.state, back.status.reworks), (CaseState::Dispatched, 1), "返工: back to the street");
    dhj.take_case_step(id, StepRequest::Dispose { result: "已清理大部分".into() }, at("2018-04-28 09:20"))
        .await
        .unwrap();
    // 返工 twice: the second check fails too.
    let failed = StepRequest::Check { passed: false, note: "墙角仍有".into() };
    let again = jdy.take_case_step(id, failed, at("2018-04-28 09:21")).await.unwrap();
    assert_eq!((again.status.state, again.status.reworks), (CaseState::Dispatched, 2));
    dhj.take_case_step(id, StepRequest::Dispose { result: "已彻底清理".into() }, at("2018-04-28 09:23")).await.unwrap();
    jdy.take_case_step(id, StepRequest::Check { passed: true, note: String::new() }, at("2018-04-28 09:25"))
        .await
        .unwrap();
    let closed = zbz.take_case_step(id, StepRequest::Close, at("2018-04-28 09:28")).await.unwrap();
    assert_eq!((closed.status.state, closed.closed_at.as_deref()), (CaseState::Closed, Some("2018-04-28 09:28")));

    let (_, trail) = dhj.case_with_trail(id).await.unwrap();
    let steps: Vec<&str> = trail.iter().map(|s| s.step.as_str()).collect();
    assert_eq!(
        steps,
        [
            "上报",
            "立案",
            "派遣",
            "处置",
            "核查未通过（返工）",
            "处置",
            "核查未通过（返工）",
            "处置",
            "核查通过",
            "结案"
        ]
    );
    // April for 德化街: due 09:30, the disposal the check passed at 09:23 — on time; reworked
    // twice, one case reworked: 返工率 100%, not 200%.
    let april = zbz.case_evaluation(taizhang_app::CaseDimension::Street, (2018, 4)).await.unwrap();
    let street = april.iter().find(|s| s.counts.key == DHJ).unwrap();
    assert_eq!((street.counts.due, street.counts.on_time, street.counts.reworked), (1, 1, 1));
    assert_eq!(street.rework_rate, Some(dec("100")));
    assert_eq!(trail[3].actor, "dhj");
    assert_eq!(dhj.cases(None, None, Some((2018, 4))).await.unwrap().len(), 1, "the street sees its case");
    assert!(wlb.cases(None, None, None).await.unwrap().is_empty(), "another street does not");
}

#[tokio::test(flavor = "current_thread")]
async fn working_days_skip_the_holiday_and_count_the_tiaoxiu_saturday() {
    let (app, _db) = city().await;
    let jdy = app.as_user("jdy").await.unwrap();
    let zbz = app.as_user("zbz").await.unwrap();
    let report = CaseReport {
        class: "T-JG",
        lon: dec("113.601"),
        lat: dec("34.709"),
        address: "大学路",
        description: "井盖破损",
        photos: "",
        sample: false,
    };
    let id = jdy.report_case(&report, at("2018-04-27 09:50")).await.unwrap();
    zbz.take_case_step(id, StepRequest::File, at("2018-04-27 09:55")).await.unwrap();
    let case =
        zbz.take_case_step(id, StepRequest::Dispatch { unit: Some(DHJ.into()) }, at("2018-04-27 10:00")).await.unwrap();
    // Three working days after Friday: Saturday 28 (调休), Wednesday 2 May, Thursday 3 May.
    assert_eq!(case.due_at.as_deref(), Some("2018-05-03 10:00"));
    assert_eq!(case.status.due, Date::new(2018, 5, 3).ok());
}

#[tokio::test(flavor = "current_thread")]
async fn bad_reports_are_refused_in_words_and_nothing_is_written() {
    let (app, _db) = city().await;
    let jdy = app.as_user("jdy").await.unwrap();
    let report = |lon: &str, class: &'static str| CaseReport {
        class,
        lon: dec(lon),
        lat: dec("34.705"),
        address: "",
        description: "暴露垃圾",
        photos: "",
        sample: false,
    };
    let outside = jdy.report_case(&report("113.65", "T-LJ"), at("2018-06-04 09:00")).await.unwrap_err();
    assert_eq!(outside.to_string(), "位置（113.65, 34.705）不在任何单元网格内");
    let unknown = jdy.report_case(&report("113.605", "X-99"), at("2018-06-04 09:00")).await.unwrap_err();
    assert_eq!(unknown.to_string(), "小类“X-99”不存在");
    // A street's account does not report cases; the 值班长 does not dispose of them.
    let dhj = app.as_user("dhj").await.unwrap();
    assert!(dhj.report_case(&report("113.605", "T-LJ"), at("2018-06-04 09:00")).await.is_err());
    assert!(jdy.cases(None, None, None).await.unwrap().is_empty(), "nothing was written");
}

#[tokio::test(flavor = "current_thread")]
async fn the_demo_month_is_evaluated_per_street_as_counted_by_hand() {
    let accounts: Vec<Account<'_>> = vec![
        ("fgw_admin", Role::Admin, Some("erqi-fgw")),
        ("jdy", Role::Inspector, None),
        ("zbz", Role::Dispatcher, None),
        ("cgj_reporter", Role::UnitReporter, Some("erqi-cgj")),
        ("zjj_reporter", Role::UnitReporter, Some("erqi-zjj")),
    ];
    let (store, _db) = taizhang_app::testing::erqi(&accounts).await.unwrap();
    let app = App::new(store, Config::default());
    assert_eq!(app.load_demo_cases().await.unwrap(), 12);
    let zbz = app.as_user("zbz").await.unwrap();
    let scores = zbz.case_evaluation(taizhang_app::CaseDimension::Street, (2018, 6)).await.unwrap();
    let pct = |s: &str| Some(dec(s));
    // (street, reported, filed, 应结案, 结案, 按期结案, 结案率, 按期结案率), ranked.
    // 五里堡: the 井盖 sent back and re-dispatched to 住建局 (due 11 June 10:10, done the 8th) and
    //   the 废旧家具 (due 20 June 16:50, done 16:30): both on time.
    // 德化街: the 暴露垃圾 on time; the 施工围挡 disposed of on the 15th, due the 14th 09:50.
    // 大学路: the 路灯 extended to the 22nd and done the 21st; the 暴露垃圾 of the 27th not closed.
    // 解放路: the 货架 on time after one 返工; the 流动摊点 due the 26th, not disposed of.
    // 淮河路: the 建材 disposed of after its deadline; the 井盖 hung up (挂账) is not due.
    // 铭功路: one declined, one not yet filed: nothing due, no rate.
    let want = [
        ("erqi-wlb", 2, 2, 2, 2, 2, pct("100"), pct("100")),
        ("erqi-dhj", 2, 2, 2, 2, 1, pct("100"), pct("50")),
        ("erqi-dxl", 2, 2, 2, 1, 1, pct("50"), pct("50")),
        ("erqi-jfl", 2, 2, 2, 1, 1, pct("50"), pct("50")),
        ("erqi-hhl", 2, 2, 1, 1, 0, pct("100"), pct("0")),
        ("erqi-mgl", 2, 0, 0, 0, 0, None, None),
    ];
    let got: Vec<_> = scores
        .iter()
        .map(|s| {
            let c = &s.counts;
            (c.key.as_str(), c.reported, c.filed, c.due, c.closed, c.on_time, s.closing_rate, s.on_time_rate)
        })
        .collect();
    assert_eq!(got, want);
    let jfl = scores.iter().find(|s| s.counts.key == "erqi-jfl").unwrap();
    assert_eq!((jfl.name.as_str(), jfl.rework_rate, jfl.counts.overdue), ("解放路街道", pct("100"), 1));
    // By the unit disposing: 城管局 and 住建局; July has nothing due.
    let units = zbz.case_evaluation(taizhang_app::CaseDimension::Unit, (2018, 6)).await.unwrap();
    let zjj = units.iter().find(|s| s.counts.key == "erqi-zjj").unwrap();
    assert_eq!((zjj.counts.due, zjj.counts.on_time), (2, 1), "the 井盖 on time, the 围挡 late");
    // The second quarter and the year hold June's cases only: the same figures.
    for period in [taizhang_core::period::Period::Quarter(2018, 2), taizhang_core::period::Period::Year(2018)] {
        let wider = zbz.case_evaluation_in(taizhang_app::CaseDimension::Street, period).await.unwrap();
        assert_eq!(wider, scores, "{period:?}");
    }
    let july = zbz.case_evaluation(taizhang_app::CaseDimension::Street, (2018, 7)).await.unwrap();
    assert!(july.iter().all(|s| s.counts.due == 0 && s.on_time_rate.is_none()));
    // 超期: 大学路's 暴露垃圾 was disposed of in time and awaits its check — not overdue.
    let overdue = |key: &str| scores.iter().find(|s| s.counts.key == key).unwrap().counts.overdue;
    assert_eq!([overdue("erqi-dxl"), overdue("erqi-dhj"), overdue("erqi-hhl")], [0, 1, 1]);

    // 综合指标值 (0.5 × 按期结案率 + 0.3 × 结案率 + 0.2 × (100 − 返工率), the default weights):
    // 解放路 50, 50 and every closed case reworked: 25 + 15 + 0 = 40; 铭功路, nothing due: none.
    let index = |key: &str| scores.iter().find(|s| s.counts.key == key).unwrap().index;
    assert_eq!((index("erqi-jfl"), index("erqi-mgl")), (pct("40"), None));
    // The month feeds the 综合考核: streets by their cells, a department by what it disposed of.
    let scheme = taizhang_core::assessment::Scheme::from_toml(
        r#"
        name = "数字城管考核"
        period = "2018-06"
        units = ["erqi-wlb", "erqi-jfl", "erqi-mgl", "erqi-zjj"]
        [[criterion]]
        key = "on_time"
        name = "按期结案率"
        weight = "10"
        source = "case_on_time_rate"
        method = "target_met"
        target = "60"
        [[criterion]]
        key = "index"
        name = "综合指标值"
        weight = "10"
        source = "case_index"
        method = "rank"
        table = ["10", "8", "6", "4"]
        "#,
    )
    .unwrap();
    let (units, measures) = zbz.assessment_measures(&scheme).await.unwrap();
    let table = taizhang_core::assessment::score(&scheme, &units, &measures);
    let said = |unit: &str, i: usize| table.iter().find(|s| s.unit == unit).unwrap().points[i].derivation.clone();
    assert_eq!(said("erqi-wlb", 0), "实际100，达到目标60，得满分");
    assert_eq!(said("erqi-zjj", 0), "实际50，未达目标60，计0分", "住建局: the 井盖 on time, the 围挡 late");
    assert_eq!(said("erqi-mgl", 0), "缺少数据，计0分", "nothing due is no figure, not zero");
    assert_eq!(said("erqi-jfl", 1), "实际40，排名第3，得6分");

    // The month's 数字城管通报 says the same.
    let request = taizhang_app::ReportRequest {
        kind: taizhang_app::ReportKind::CityCases,
        period: Some(taizhang_core::period::Period::Month(2018, 6)),
        year: None,
        unit: None,
        scheme: None,
        project: None,
        today: Date::new(2018, 7, 2).unwrap(),
        issued_by: None,
    };
    let report = zbz.report(&request).await.unwrap();
    assert_eq!(report.file_stem, "二七区数字化城市管理工作通报（2018年6月）");
    let text = report.document.to_markdown();
    assert!(
        text.contains("2018年6月，共上报城市管理问题12件，立案10件，派遣9件；应结案9件，结案7件，按期结案5件，结案率77.78%，按期结案率55.56%，返工率14.29%。"),
        "{text}"
    );
    assert!(text.contains("超期案件3件"), "{text}");
    for late in ["人行道堆放建材", "施工围挡占用人行道", "流动摊点占道经营"] {
        assert!(text.contains(late), "{late} is overdue: {text}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_class_dispatches_to_the_streets_own_unit_where_it_has_one() {
    let (app, _db) = city().await;
    let admin = app.as_user("admin").await.unwrap();
    let mut by_street = class("T-LJ", "暴露垃圾", 2, "hours", DHJ);
    by_street.street_units.insert(WLB.into(), "erqi-cgj".into());
    admin.save_case_classes(&[by_street]).await.unwrap();
    assert_eq!(admin.case_classes().await.unwrap()[1].street_units.get(WLB).map(String::as_str), Some("erqi-cgj"));
    let (jdy, zbz) = (app.as_user("jdy").await.unwrap(), app.as_user("zbz").await.unwrap());
    let mut dispatched = Vec::new();
    for lon in ["113.605", "113.625"] {
        let report = CaseReport {
            class: "T-LJ",
            lon: dec(lon),
            lat: dec("34.705"),
            address: "",
            description: "暴露垃圾",
            photos: "",
            sample: false,
        };
        let id = jdy.report_case(&report, at("2018-06-04 09:00")).await.unwrap();
        zbz.take_case_step(id, StepRequest::File, at("2018-06-04 09:05")).await.unwrap();
        let case = zbz.take_case_step(id, StepRequest::Dispatch { unit: None }, at("2018-06-04 09:10")).await.unwrap();
        dispatched.push((case.street, case.status.unit.unwrap()));
    }
    assert_eq!(
        dispatched,
        [(DHJ.to_string(), DHJ.to_string()), (WLB.to_string(), "erqi-cgj".to_string())],
        "德化街 by the class's default, 五里堡 by its own"
    );
    // A street or unit not in the tree is refused, and the class stays as it was.
    let mut wrong = class("T-LJ", "暴露垃圾", 2, "hours", DHJ);
    wrong.street_units.insert("erqi-nowhere".into(), "erqi-cgj".into());
    assert_eq!(admin.save_case_classes(&[wrong]).await.unwrap_err().to_string(), "单位“erqi-nowhere”不存在");
    assert_eq!(admin.case_classes().await.unwrap()[1].street_units.len(), 1);
}
