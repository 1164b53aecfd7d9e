//! 三定四推五落实 through the service layer: a problem from 填报 that climbs to the district and
//! becomes a 督办 run to its end, node plans that light projects and start them, 要素保障 items
//! that raise problems, and a 调度 meeting whose decisions become orders — on SQLite, and on
//! PostgreSQL when `TAIZHANG_TEST_PG` is set.

#![allow(clippy::unwrap_used)] // a failing test says where by panicking

use std::collections::HashMap;

use taizhang_app::testing::Account;
use taizhang_app::{Acting, App, MeetingDraft, OrderDraft};
use taizhang_core::access::Role;
use taizhang_core::config::Config;
use taizhang_core::lights::Light;
use taizhang_core::mechanism::{Cadence, Decision, Element, ElementStatus, NodePlan};
use taizhang_core::period::Period;
use taizhang_core::project::Date;
use taizhang_core::supervision::{OrderState, ProblemLevel};
use taizhang_core::workflow::{EntryFigures, Form};

const HBJ: &str = "erqi-hbj";

async fn erqi() -> (App, taizhang_app::testing::TestDatabase) {
    let accounts: Vec<Account<'_>> = vec![
        ("admin", Role::Admin, None),
        ("reviewer", Role::Reviewer, Some("erqi-dcs")),
        ("leader", Role::Leader, None),
        ("hbj-reporter", Role::UnitReporter, Some(HBJ)),
        ("hbj-leader", Role::UnitLeader, Some(HBJ)),
        ("zjj-reporter", Role::UnitReporter, Some("erqi-zjj")),
    ];
    let (store, db) = taizhang_app::testing::erqi(&accounts).await.unwrap();
    (App::new(store, Config::default()), db)
}

async fn as_user<'a>(app: &'a App, username: &str) -> Acting<'a> {
    app.as_user(username).await.unwrap()
}

fn day(y: i32, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

fn later(days: i64) -> Date {
    taizhang_app::clock::today().plus_days(days).unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn a_problem_written_in_the_form_climbs_to_the_district_and_its_order_runs_to_the_end() {
    let (app, _db) = erqi().await;
    let admin = as_user(&app, "admin").await;
    let round = admin.open_round(Period::Month(2018, 6), Form::ProjectProgress, None).await.unwrap();
    let reporter = as_user(&app, "hbj-reporter").await;
    let owed = reporter.owed_by(&round, HBJ).await.unwrap();
    let mut why = HashMap::new();
    for code in &owed {
        let problems = if code == "ZD2017-004" { "用地手续未批复" } else { "无" };
        let figures = EntryFigures {
            ytd_wan: Some(taizhang_core::Decimal::from(100_000)),
            text: "主体施工".into(),
            problems: problems.into(),
            ..EntryFigures::default()
        };
        reporter.save_draft(&round, HBJ, code, &figures, None).await.unwrap();
        why.insert(code.clone(), "按实际报送".to_string());
    }
    reporter.submit(&round, HBJ, &why).await.unwrap();

    // Only the text that names a problem became one, raised by the reporter from 填报.
    let raised: Vec<_> = admin.problems(None).await.unwrap().into_iter().filter(|p| p.source == "填报").collect();
    assert_eq!(raised.len(), 1, "{raised:?}");
    let problem = &raised[0];
    assert_eq!((problem.project.as_str(), problem.description.as_str()), ("ZD2017-004", "用地手续未批复"));
    assert_eq!((problem.raised_by.as_str(), problem.level), ("hbj-reporter", ProblemLevel::Unit));
    let id = problem.id;

    // Two escalations: overdue at the unit, then overdue at the lead leader.
    let first = problem.deadline.unwrap().plus_days(1).unwrap();
    assert_eq!(admin.escalate_overdue(first).await.unwrap(), vec![(id, ProblemLevel::LeadLeader)]);
    let second = admin.problem(id).await.unwrap().deadline.unwrap().plus_days(1).unwrap();
    assert_eq!(admin.escalate_overdue(second).await.unwrap(), vec![(id, ProblemLevel::District)]);

    // The district issues an order from it (dated in 2018, the project's own time); the unit
    // asks for more time: past the project's 竣工 is refused outright; refused, then granted.
    let today = day(2018, 7, 1);
    let from = format!("problem:{id}");
    let draft = OrderDraft {
        unit: HBJ,
        subject: "ZD2017-004",
        title: "凤湖生态休闲区用地手续督办",
        requirement: "协调区自然资源局，7月底前完成用地报批",
        deadline: Some(day(2018, 7, 10)),
        from: &from,
    };
    let order = as_user(&app, "leader").await.issue_order(&draft, today).await.unwrap();
    let hbj_leader = as_user(&app, "hbj-leader").await;
    let err = hbj_leader.request_extension(order, day(2023, 1, 1), "等待规划调整", today).await.unwrap_err();
    assert!(err.to_string().contains("晚于项目计划竣工日期（2022-12-31）"), "{err}");
    let ask = hbj_leader.request_extension(order, day(2018, 7, 20), "报批材料需补充", today).await.unwrap();
    let reviewer = as_user(&app, "reviewer").await;
    assert_eq!(reviewer.decide_extension(ask, false, today).await.unwrap().deadline, day(2018, 7, 10), "refused");
    let again = hbj_leader.request_extension(order, day(2018, 7, 15), "已补充材料，待会审", today).await.unwrap();
    assert_eq!(reviewer.decide_extension(again, true, today).await.unwrap().deadline, day(2018, 7, 15), "granted");

    // Answered, sent back for rework, answered again, closed by the issuer's side.
    reporter.respond_order(order, "已上报用地材料").await.unwrap();
    assert_eq!(reviewer.review_order(order, false, "请附批复文号").await.unwrap().state, OrderState::Returned);
    reporter.respond_order(order, "已取得用地批复（郑政土〔2018〕12号）").await.unwrap();
    let closed = reviewer.review_order(order, true, "办结").await.unwrap();
    assert_eq!((closed.state, closed.issued_from.as_str()), (OrderState::Closed, from.as_str()));
    assert_eq!(closed.number(), format!("督〔2018〕{order}号"));

    // Resolved by the unit's leader; only the raiser confirms it.
    let today = taizhang_app::clock::today();
    hbj_leader.resolve_problem(id, "用地已批复", today).await.unwrap();
    let err = hbj_leader.confirm_problem(id, true, "", today).await.unwrap_err().to_string();
    assert!(err.contains("应由提出人确认"), "{err}");
    assert!(admin.problem(id).await.unwrap().state_zh(today).starts_with("已办结待确认"));
    reporter.confirm_problem(id, true, "", today).await.unwrap();
    assert!(admin.problem(id).await.unwrap().state_zh(today).contains("已确认"));

    // Submitting the same text again raises nothing new while the problem stays open; a new text does.
    assert_eq!(admin.problems(None).await.unwrap().iter().filter(|p| p.source == "填报").count(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn an_overdue_node_lights_its_project_yellow_then_red_and_the_start_node_starts_it() {
    let (app, _db) = erqi().await;
    let reporter = as_user(&app, "hbj-reporter").await;
    let code = "SL2018-112"; // on schedule by its money in May 2018
    let node = |name: &str, planned: Option<Date>, actual: Option<Date>| {
        (String::new(), NodePlan { project: code.into(), node: name.into(), planned, actual, note: String::new() })
    };
    let nodes = vec![
        node("立项", Some(day(2017, 3, 1)), Some(day(2017, 3, 10))),
        node("施工许可", Some(day(2018, 5, 20)), None),
    ];
    reporter.save_nodes(&nodes, day(2018, 6, 1)).await.unwrap();
    let admin = as_user(&app, "admin").await;
    let light_of = |ws: Vec<taizhang_core::lights::Warning>| ws.into_iter().find(|w| w.code == code).unwrap().lit;
    let may = light_of(admin.warnings(Period::Month(2018, 5), None, day(2018, 5, 31)).await.unwrap());
    assert_eq!(may.light, Light::Yellow, "{may:?}");
    assert_eq!(may.reason, "节点“施工许可”计划2018-05-20完成，逾期11天未完成");
    let june = light_of(admin.warnings(Period::Month(2018, 6), None, day(2018, 6, 30)).await.unwrap());
    assert_eq!(june.light, Light::Red, "{june:?}");
    assert!(june.reason.contains("逾期41天未完成"), "{june:?}");

    // Done: the light goes; the start node's actual date is the project's 实际开工.
    let done = vec![
        node("施工许可", Some(day(2018, 5, 20)), Some(day(2018, 6, 5))),
        node("开工", None, Some(day(2018, 6, 8))),
    ];
    reporter.save_nodes(&done, day(2018, 6, 10)).await.unwrap();
    let june = light_of(admin.warnings(Period::Month(2018, 6), None, day(2018, 6, 30)).await.unwrap());
    assert!(!june.reason.contains("节点"), "{june:?}");
    assert_eq!(admin.project(code).await.unwrap().unwrap().actual_start, Some(day(2018, 6, 8)));

    // A date before the 立项, or a node the configuration does not name: refused, nothing written.
    let before = vec![node("环评", Some(day(2018, 7, 1)), None), node("规划许可", Some(day(2017, 1, 5)), None)];
    let err = reporter.save_nodes(&before, day(2018, 6, 10)).await.unwrap_err().to_string();
    assert!(err.contains("早于项目立项日期 2017-03-10"), "{err}");
    let unknown = vec![node("环保验收", None, None)];
    let err = reporter.save_nodes(&unknown, day(2018, 6, 10)).await.unwrap_err().to_string();
    assert!(err.contains("不是配置的节点"), "{err}");
    let plan = reporter.node_plan(code).await.unwrap();
    assert_eq!(
        plan.iter().find(|n| n.node == "环评").unwrap().planned,
        None,
        "the good row of a refused write is not kept"
    );
    assert_eq!(plan.len(), 8, "every configured node, in order");

    // Another unit's reporter cannot touch the plan.
    let zjj = as_user(&app, "zjj-reporter").await;
    assert!(zjj.save_nodes(&[node("环评", None, None)], day(2018, 6, 10)).await.is_err());
}

#[tokio::test(flavor = "current_thread")]
async fn a_node_workbook_is_written_whole_or_not_at_all_with_each_error_placed() {
    let (app, _db) = erqi().await;
    let reporter = as_user(&app, "hbj-reporter").await;
    let workbook = |rows: &[[&str; 4]]| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet().set_name("节点").unwrap();
        for (c, h) in ["项目编码", "节点", "计划完成日期", "实际完成日期"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    };
    let bad =
        workbook(&[["SL2018-112", "立项", "2017-03-01", "2017-03-01"], ["SL2018-112", "竣工验收", "2019-13-01", ""]]);
    let err = reporter.import_nodes(bad, "节点.xlsx", None, day(2018, 6, 1)).await.unwrap_err().to_string();
    assert!(err.contains("节点!R3 计划完成日期"), "{err}");
    let late =
        workbook(&[["SL2018-112", "立项", "2017-03-01", "2017-03-01"], ["SL2018-112", "环评", "2016-12-01", ""]]);
    let err = reporter.import_nodes(late, "节点.xlsx", None, day(2018, 6, 1)).await.unwrap_err().to_string();
    assert!(err.contains("节点!R3 节点") && err.contains("早于项目立项日期"), "{err}");
    assert!(reporter.node_plan("SL2018-112").await.unwrap().iter().all(|n| n.planned.is_none()), "nothing written");
    let good =
        workbook(&[["SL2018-112", "立项", "2017-03-01", "2017-03-01"], ["SL2018-112", "竣工验收", "2019-12-31", ""]]);
    assert_eq!(reporter.import_nodes(good, "节点.xlsx", None, day(2018, 6, 1)).await.unwrap(), 2);
    let plan = reporter.node_plan("SL2018-112").await.unwrap();
    assert_eq!(plan.iter().find(|n| n.node == "竣工验收").unwrap().planned, Some(day(2019, 12, 31)));
}

#[tokio::test(flavor = "current_thread")]
async fn an_unsettled_element_past_its_date_raises_one_problem() {
    let (app, _db) = erqi().await;
    let reporter = as_user(&app, "hbj-reporter").await;
    let today = taizhang_app::clock::today();
    let element = Element {
        project: "ZD2017-004".into(),
        item: "土地".into(),
        status: ElementStatus::Blocked,
        unit: "erqi-hbj".into(),
        note: "尚有3户未签约".into(),
        due: Some(today.plus_days(-1).unwrap()),
        updated_on: today,
        problem: None,
    };
    reporter.save_element(&element).await.unwrap();
    let err = reporter.save_element(&Element { item: "用水".into(), ..element.clone() }).await.unwrap_err();
    assert!(err.to_string().contains("不是配置的要素保障事项"), "{err}");
    let admin = as_user(&app, "admin").await;
    let raised = admin.raise_element_problems(today).await.unwrap();
    assert_eq!(raised.len(), 1);
    assert!(admin.raise_element_problems(today).await.unwrap().is_empty(), "once per item");
    let p = admin.problem(raised[0]).await.unwrap();
    assert_eq!(p.source, "要素保障");
    assert!(p.description.starts_with("要素保障“土地”存在困难逾期未落实"), "{}", p.description);
    let items = reporter.elements("ZD2017-004").await.unwrap();
    assert_eq!(items.len(), 5, "every configured item");
    assert_eq!(items.iter().find(|e| e.item == "土地").unwrap().problem, Some(raised[0]));
}

#[tokio::test(flavor = "current_thread")]
async fn a_meetings_two_decisions_become_two_orders_or_nothing_is_recorded() {
    let (app, _db) = erqi().await;
    let leader = as_user(&app, "leader").await;
    let today = taizhang_app::clock::today();
    let decision =
        |text: &str, unit: &str| Decision { text: text.into(), unit: unit.into(), deadline: later(10), order: None };
    let mut draft = MeetingDraft {
        kind: "周调度".into(),
        held_on: today,
        chair: "区长".into(),
        attendees: "区发展改革委、区生态环境局、区住房城乡建设局".into(),
        projects: vec!["ZD2017-004".into()],
        summary: "听取凤湖生态休闲区推进情况".into(),
        decisions: vec![
            decision("区生态环境局牵头，10日内完成环评批复", HBJ),
            decision("区住房城乡建设局配合，办理施工许可", "区住房城乡建设局"),
        ],
    };
    // One decision naming no unit: nothing is recorded, no order issued.
    let good = draft.decisions.clone();
    draft.decisions.push(decision("另行研究", "区不存在局"));
    let err = leader.record_meeting(&draft, today).await.unwrap_err().to_string();
    assert!(err.contains("第3项议定事项") && err.contains("区不存在局"), "{err}");
    assert!(leader.meetings(None).await.unwrap().is_empty());
    assert!(leader.orders(None).await.unwrap().is_empty());

    draft.decisions = good;
    let meeting = leader.record_meeting(&draft, today).await.unwrap();
    assert_eq!(meeting.period, Cadence::Week.period_of(today));
    let orders = leader.orders(None).await.unwrap();
    assert_eq!(orders.len(), 2);
    let from = format!("meeting:{}", meeting.id);
    assert!(orders.iter().all(|o| o.issued_from == from && o.subject == "ZD2017-004"), "{orders:?}");
    assert_eq!(
        meeting.decisions.iter().map(|d| d.order).collect::<Vec<_>>(),
        orders.iter().map(|o| Some(o.id)).collect::<Vec<_>>()
    );
    assert!(orders[0].title.contains("周调度议定事项：区生态环境局牵头"), "{}", orders[0].title);
    // The period's list finds it; a unit whose decision it holds sees it, and answers its order.
    assert_eq!(leader.meetings(Some(&meeting.period)).await.unwrap().len(), 1);
    let reporter = as_user(&app, "hbj-reporter").await;
    assert_eq!(reporter.meetings(None).await.unwrap().len(), 1);
    assert!(reporter.respond_order(orders[1].id, "不是我单位的").await.is_err(), "the unit answers only its own");
    reporter.respond_order(orders[0].id, "环评已批复").await.unwrap();
    // Only the district records meetings; a kind outside the configuration is refused.
    assert!(reporter.record_meeting(&draft, today).await.is_err());
    let err = leader.record_meeting(&MeetingDraft { kind: "碰头会".into(), ..draft }, today).await.unwrap_err();
    assert!(err.to_string().contains("周调度、旬调度"), "{err}");
}
