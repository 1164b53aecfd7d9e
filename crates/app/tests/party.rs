//! 基层党建标准化 through the service layer: a street's ten 党支部 self-assess with evidence
//! and submit, their 党工委 scores its items and approves (or returns with a reason), the
//! 区委组织部 adds bonuses, deductions and a veto and confirms; the 星级 rating checked
//! against stars counted by hand; 三会一课 lit yellow then red when a 支委会 is missing;
//! wrong scores and meetings refused in words with nothing written. On SQLite, and on
//! PostgreSQL when `TAIZHANG_TEST_PG` is set.

#![allow(clippy::unwrap_used)] // a failing test says where by panicking

use taizhang_app::App;
use taizhang_app::party::{ScoreInput, rating_sentence};
use taizhang_app::testing::Account;
use taizhang_core::Decimal;
use taizhang_core::access::Role;
use taizhang_core::config::Config;
use taizhang_core::lights::Light;
use taizhang_core::party::{Meeting, MeetingKind, OrgLevel, OrgType, PartyOrg, Scorer};
use taizhang_core::period::Period;
use taizhang_core::project::Date;
use taizhang_core::workflow::{EntryState, Event};

const HHL: &str = "erqi-hhl"; // 淮河路街道
const YEAR: i32 = 2018;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn day(s: &str) -> Date {
    Date::parse(s).unwrap()
}

async fn demo_app() -> (App, taizhang_app::testing::TestDatabase) {
    let accounts: Vec<(String, Role, Option<String>)> =
        taizhang_app::demo::demo_accounts().into_iter().map(|u| (u.username, u.role, u.unit)).collect();
    let accounts: Vec<Account<'_>> = accounts.iter().map(|(n, r, u)| (n.as_str(), *r, u.as_deref())).collect();
    let (store, db) = taizhang_app::testing::erqi(&accounts).await.unwrap();
    (App::new(store, Config::default()), db)
}

/// Every own item at full points (with evidence), as a 书记 would fill in a good year.
fn full(scheme: &taizhang_core::party::ChecklistScheme, scorer: Scorer) -> Vec<ScoreInput> {
    scheme
        .items
        .iter()
        .filter(|i| i.scorer == scorer)
        .map(|i| ScoreInput { item: i.key.clone(), points: i.points, evidence: "会议记录、照片".into() })
        .collect()
}

/// The demo's sample organisations as the 区委组织部 sees them, against the stars counted by
/// hand from `data/demo/erqi/party-sample.toml` (100 points less what each lost, then capped
/// bonuses, deductions and the veto).
#[tokio::test(flavor = "current_thread")]
async fn the_demo_rating_gives_the_stars_counted_by_hand() {
    let (app, _db) = demo_app().await;
    assert_eq!(app.load_demo_party().await.unwrap(), 20);
    let zzb = app.as_user("zzb").await.unwrap();
    let rating = zzb.party_rating(YEAR).await.unwrap();
    let row = |code: &str| rating.rated.iter().find(|r| r.rated.org == code).map(|r| &r.rated);
    let want: &[(&str, &str, Option<u8>)] = &[
        ("EQ-HHL-S2", "100", Some(5)), // 98 + 2 表彰
        ("EQ-JFL-S1", "95", Some(5)),  // exactly at the 五星 line
        ("EQ-JFL-S2", "90", Some(4)),
        ("EQ-MGL-S1", "85", Some(4)), // 88 − 3 违纪: exactly at the 四星 line
        ("EQ-MGL-S2", "93", None),    // 一票否决
        ("EQ-DHJ-S1", "78", Some(3)),
        ("EQ-DHJ-S2", "55", None),    // below 60: 软弱涣散
        ("EQ-WLB-S2", "95", Some(5)), // 90 + 8 表彰 capped at 5
        ("EQ-DXL-S1", "70", Some(2)),
        ("EQ-DXL-S2", "103", Some(5)), // 100 + 3 创新
        ("EQ-ZJJ-JG", "88", Some(4)),
    ];
    for &(code, total, stars) in want {
        let r = row(code).unwrap_or_else(|| panic!("{code} rated"));
        assert_eq!((r.total, r.stars), (dec(total), stars), "{code}");
    }
    assert_eq!(rating.rated.len(), want.len());
    assert_eq!(row("EQ-MGL-S2").unwrap().weak.as_deref(), Some("一票否决：班子成员发生严重违纪违法问题"));
    assert_eq!(row("EQ-DHJ-S2").unwrap().weak.as_deref(), Some("得分55，低于60分"));
    let pending: Vec<(&str, EntryState)> = rating.pending.iter().map(|(o, s)| (o.code.as_str(), *s)).collect();
    assert_eq!(
        pending,
        [("EQ-CGJ-JG", EntryState::Draft), ("EQ-HHL-S1", EntryState::Draft), ("EQ-WLB-S1", EntryState::Submitted)]
    );
    assert_eq!(
        rating_sentence(&rating),
        "2018年参加星级评定的党组织11个，其中五星级4个、四星级3个、三星级1个、二星级1个，未定星2个；列为软弱涣散的2个；另有3个尚未完成考评确认。"
    );
    // A street's 党工委 sees its own organisations only.
    let hhl = app.as_user("dgw_hhl").await.unwrap().party_rating(YEAR).await.unwrap();
    assert_eq!(hhl.rated.iter().map(|r| r.rated.org.as_str()).collect::<Vec<_>>(), ["EQ-HHL-S2"]);
    // The report: distribution, the 整顿 list and the month's 三会一课.
    let doc = zzb.party_document(YEAR, Period::Month(2018, 11), day("2018-12-05")).await.unwrap();
    let rectify = &doc.sections[1];
    assert_eq!(rectify.paragraphs, ["列为软弱涣散、需整顿的党组织2个。"]);
    let meetings = &doc.sections[2];
    // 14 branches; the 淮河路第1社区 missed November's 支委会: red once the month is over.
    assert_eq!(
        meetings.paragraphs,
        ["2018年11月，14个党组织中按要求召开的13个，亮黄灯0个、红灯1个（截至2018-12-05）。"]
    );
    // 书记抓党建述职评议 from the 党工委's 2.1 scores: 8 of 8 is 好, 6 is 较好 (75%), 2 is 差.
    assert_eq!(doc.sections[3].heading, "书记抓党建述职评议");
    assert_eq!(doc.sections[3].paragraphs, ["书记抓党建述职评议11人，其中好9人、较好1人、差1人。"]);
    // The annual summary gains its 基层党建 paragraph: the district's, and a street's own;
    // a year without a rating has none.
    let annual = |unit: &str, year: i32| taizhang_app::ReportRequest {
        kind: taizhang_app::ReportKind::Annual,
        period: None,
        year: Some(year),
        unit: Some(unit.into()),
        scheme: None,
        project: None,
        today: day("2019-01-10"),
        issued_by: None,
    };
    let paragraph = |doc: &taizhang_core::report::Document| {
        doc.sections.iter().find(|s| s.heading == "基层党建").map(|s| s.paragraphs.clone())
    };
    let district = zzb.report(&annual("erqi", YEAR)).await.unwrap().document;
    assert_eq!(paragraph(&district), Some(vec![rating_sentence(&rating)]));
    let street = zzb.report(&annual("erqi-hhl", YEAR)).await.unwrap().document;
    assert_eq!(
        paragraph(&street),
        Some(vec![
            "2018年参加星级评定的党组织1个，其中五星级1个；没有软弱涣散党组织；另有1个尚未完成考评确认。".into()
        ])
    );
    let before = zzb.report(&annual("erqi", 2017)).await.unwrap().document;
    assert_eq!(paragraph(&before), None, "no rating, no paragraph");
}

fn branch(code: &str, account: &str, members: u32) -> PartyOrg {
    PartyOrg {
        code: code.into(),
        name: format!("{code}党支部"),
        level: OrgLevel::Branch,
        kind: OrgType::Community,
        parent: Some("HHL-DGW".into()),
        unit: HHL.into(),
        secretary: format!("{code}书记"),
        secretary_account: Some(account.into()),
        members,
        sample: false,
    }
}

/// A street of ten 党支部, each through the whole workflow; one returned by the 党工委 and
/// resubmitted; the refusals of the wrong person, the wrong turn and the wrong score.
#[tokio::test(flavor = "current_thread")]
async fn a_street_of_ten_branches_goes_through_self_assessment_review_and_confirmation() {
    let names: Vec<String> = (1..=10).map(|i| format!("s{i}")).collect();
    let mut accounts: Vec<Account<'_>> = vec![
        ("zzb", Role::PartyOrganizer, Some("erqi-zzb")),
        ("dgw", Role::PartyCommittee, Some(HHL)),
        ("dgw_jfl", Role::PartyCommittee, Some("erqi-jfl")),
    ];
    accounts.extend(names.iter().map(|n| (n.as_str(), Role::PartySecretary, Some(HHL))));
    let (store, _db) = taizhang_app::testing::erqi(&accounts).await.unwrap();
    let app = App::new(store, Config::default());
    let zzb = app.as_user("zzb").await.unwrap();
    zzb.save_party_scheme(taizhang_app::demo::PARTY_SCHEME_2018).await.unwrap();
    let mut orgs = vec![PartyOrg {
        code: "HHL-DGW".into(),
        name: "淮河路街道党工委".into(),
        level: OrgLevel::Committee,
        kind: OrgType::Organ,
        parent: None,
        unit: HHL.into(),
        secretary: "书记".into(),
        secretary_account: None,
        members: 15,
        sample: false,
    }];
    orgs.extend(names.iter().enumerate().map(|(i, n)| branch(&format!("B{:02}", i + 1), n, 20 + i as u32)));
    assert_eq!(zzb.save_party_orgs(&orgs).await.unwrap(), 11);
    let scheme = zzb.party_scheme(YEAR).await.unwrap();

    // Self-assessment: each 书记 scores every own item and submits.
    for (i, n) in names.iter().enumerate() {
        let org = format!("B{:02}", i + 1);
        let me = app.as_user(n).await.unwrap();
        let mut scores = full(&scheme, Scorer::Own);
        // B03 loses 4 points on 三会一课.
        if org == "B03" {
            scores.iter_mut().find(|s| s.item == "3.1").unwrap().points = dec("6");
        }
        let a = me.save_party_scores(&org, YEAR, &scores, None).await.unwrap();
        assert_eq!((a.state, a.version), (EntryState::Draft, 2));
        me.party_step(&org, YEAR, Event::Submit, "", a.version).await.unwrap();
    }
    // Refusals, nothing written: another 支部's checklist, a score above the item's points,
    // points without the evidence the scheme asks for, the review's items before their turn.
    let s1 = app.as_user("s1").await.unwrap();
    let err = s1.party_sheet("B02", YEAR).await.unwrap().scoring;
    assert_eq!(err, None, "s1 may not score B02");
    let err = s1.party_step("B02", YEAR, Event::Submit, "", 3).await.unwrap_err().to_string();
    assert!(err.contains("只有“B02党支部”的书记账号"), "{err}");
    let dgw = app.as_user("dgw").await.unwrap();
    let sheet = dgw.party_sheet("B01", YEAR).await.unwrap();
    assert_eq!((sheet.scoring, sheet.steps.clone()), (Some(Scorer::Review), vec![Event::Approve, Event::Return]));
    let v = sheet.version();
    let too_many = [ScoreInput { item: "2.1".into(), points: dec("9"), evidence: String::new() }];
    let err = dgw.save_party_scores("B01", YEAR, &too_many, v).await.unwrap_err().to_string();
    assert_eq!(err, "第2.1项“书记履职尽责，抓党建述职评议”的得分9超过该项分值8");
    let own_item = [ScoreInput { item: "3.1".into(), points: dec("1"), evidence: "x".into() }];
    let err = dgw.save_party_scores("B01", YEAR, &own_item, v).await.unwrap_err().to_string();
    assert_eq!(err, "第3.1项“落实三会一课”由支部自评打分，现在是党(工)委评定环节");
    let err = dgw.party_step("B01", YEAR, Event::Approve, "", v.unwrap()).await.unwrap_err().to_string();
    assert!(err.starts_with("尚未打分的项目：2.1 书记履职尽责"), "{err}");
    assert_eq!(dgw.party_sheet("B01", YEAR).await.unwrap().version(), v, "nothing written");
    let other_street = app.as_user("dgw_jfl").await.unwrap();
    assert!(other_street.party_sheet("B01", YEAR).await.is_err(), "another street's 党工委 does not even read it");
    let err = s1.save_party_scores("B01", YEAR, &full(&scheme, Scorer::Own), v).await.unwrap_err().to_string();
    assert!(err.contains("已上报"), "submitted: the 书记 can no longer score: {err}");

    // Review: B05 returned with a reason, fixed and resubmitted; the rest approved.
    for i in 1..=10 {
        let org = format!("B{i:02}");
        let v = dgw.party_sheet(&org, YEAR).await.unwrap().version().unwrap();
        let a = dgw.save_party_scores(&org, YEAR, &full(&scheme, Scorer::Review), Some(v)).await.unwrap();
        if org == "B05" {
            let err = dgw.party_step(&org, YEAR, Event::Return, " ", a.version).await.unwrap_err().to_string();
            assert_eq!(err, "退回须说明原因");
            let back = dgw.party_step(&org, YEAR, Event::Return, "活动场所照片不清楚", a.version).await.unwrap();
            assert_eq!((back.state, back.return_reason.as_deref()), (EntryState::Returned, Some("活动场所照片不清楚")));
            let s5 = app.as_user("s5").await.unwrap();
            let fix = [ScoreInput { item: "4.1".into(), points: dec("7"), evidence: "新照片".into() }];
            let a = s5.save_party_scores(&org, YEAR, &fix, Some(back.version)).await.unwrap();
            let a = s5.party_step(&org, YEAR, Event::Submit, "", a.version).await.unwrap();
            dgw.party_step(&org, YEAR, Event::Approve, "", a.version).await.unwrap();
        } else {
            dgw.party_step(&org, YEAR, Event::Approve, "", a.version).await.unwrap();
        }
    }
    // The 党工委 may not confirm; the 区委组织部 adds its items, a bonus (capped), a
    // deduction and a veto, and confirms.
    let v = dgw.party_sheet("B01", YEAR).await.unwrap().version().unwrap();
    assert!(
        dgw.party_step("B01", YEAR, Event::Accept, "", v).await.unwrap_err().to_string().contains("无权确认党建考评")
    );
    for i in 1..=10 {
        let org = format!("B{i:02}");
        let v = zzb.party_sheet(&org, YEAR).await.unwrap().version();
        let mut scores = full(&scheme, Scorer::Confirm);
        let extra = match org.as_str() {
            "B02" => Some(("honour", "9")),
            "B04" => Some(("discipline", "12")),
            "B06" => Some(("veto", "1")),
            _ => None,
        };
        if let Some((key, points)) = extra {
            scores.push(ScoreInput { item: key.into(), points: dec(points), evidence: "认定文件".into() });
        }
        let a = zzb.save_party_scores(&org, YEAR, &scores, v).await.unwrap();
        let a = zzb.party_step(&org, YEAR, Event::Accept, "", a.version).await.unwrap();
        assert_eq!(a.state, EntryState::Accepted);
    }
    // Hand-computed: every one 100 but B02 100 + 9 capped at 5 = 105, B03 96, B04 100 − 10
    // (12 capped) = 90, B05 99 (4.1 at 7), B06 vetoed.
    let rating = zzb.party_rating(YEAR).await.unwrap();
    let got: Vec<(&str, Decimal, Option<u8>)> =
        rating.rated.iter().map(|r| (r.rated.org.as_str(), r.rated.total, r.rated.stars)).collect();
    assert_eq!(got.len(), 10);
    assert_eq!(got[0], ("B02", dec("105"), Some(5)));
    let of = |code: &str| got.iter().find(|g| g.0 == code).copied().unwrap();
    assert_eq!(of("B03"), ("B03", dec("96"), Some(5)));
    assert_eq!(of("B04"), ("B04", dec("90"), Some(4)));
    assert_eq!(of("B05"), ("B05", dec("99"), Some(5)));
    assert_eq!(of("B06"), ("B06", dec("100"), None));
    assert!(rating.pending.is_empty());
    let trail = zzb.party_sheet("B05", YEAR).await.unwrap().trail;
    let states: Vec<&str> = trail.iter().map(|t| t.to.as_str()).collect();
    assert_eq!(
        states,
        ["draft", "submitted", "submitted", "returned", "returned", "submitted", "approved", "approved", "accepted"]
    );
}

/// 三会一课: a 支部 that holds no 支委会 in June is green before the 20th, yellow from it,
/// red once June is over; meetings in the future or with more attending than members are
/// refused and none of the batch written.
#[tokio::test(flavor = "current_thread")]
async fn a_missing_branch_committee_turns_yellow_then_red() {
    let accounts: Vec<Account<'_>> =
        vec![("zzb", Role::PartyOrganizer, Some("erqi-zzb")), ("s1", Role::PartySecretary, Some(HHL))];
    let (store, _db) = taizhang_app::testing::erqi(&accounts).await.unwrap();
    let app = App::new(store, Config::default());
    let zzb = app.as_user("zzb").await.unwrap();
    zzb.save_party_scheme(taizhang_app::demo::PARTY_SCHEME_2018).await.unwrap();
    let org = PartyOrg { parent: None, ..branch("B01", "s1", 12) };
    zzb.save_party_orgs(std::slice::from_ref(&org)).await.unwrap();
    let s1 = app.as_user("s1").await.unwrap();
    let meeting = |kind: MeetingKind, on: &str, attendance: u32| Meeting {
        org: "B01".into(),
        kind,
        held_on: day(on),
        attendance,
        topic: "学习".into(),
    };
    let june = [
        meeting(MeetingKind::GroupMeeting, "2018-06-06", 10),
        meeting(MeetingKind::ThemeDay, "2018-06-15", 11),
        meeting(MeetingKind::PartyLecture, "2018-06-15", 11),
        meeting(MeetingKind::MemberAssembly, "2018-05-18", 12),
    ];
    let today = day("2018-06-25");
    let bad = [meeting(MeetingKind::BranchCommittee, "2018-06-26", 5), june[0].clone()];
    let err = s1.record_party_meetings(&bad, today, false).await.unwrap_err().to_string();
    assert_eq!(err, "B01党支部：支委会的日期2018-06-26晚于今天2018-06-25");
    let crowded = [june[1].clone(), meeting(MeetingKind::BranchCommittee, "2018-06-08", 13)];
    let err = s1.record_party_meetings(&crowded, today, false).await.unwrap_err().to_string();
    assert_eq!(err, "B01党支部：支委会的参会人数13超过党员人数12");
    assert!(s1.party_meetings(Some("B01"), YEAR).await.unwrap().is_empty(), "nothing written");
    assert_eq!(s1.record_party_meetings(&june, today, false).await.unwrap(), 4);
    let light = |as_of: &str| {
        let zzb = &zzb;
        let as_of = day(as_of);
        async move {
            let months = zzb.party_completeness(YEAR, Period::Month(2018, 6), as_of).await.unwrap();
            let m = months.into_iter().find(|m| m.org.code == "B01").unwrap();
            (m.completeness.light, m.completeness.reason())
        }
    };
    assert_eq!(light("2018-06-19").await.0, Light::Green);
    assert_eq!(light("2018-06-20").await, (Light::Yellow, "本月未召开支委会（尚未到期）".into()));
    assert_eq!(light("2018-07-01").await, (Light::Red, "本月未召开支委会".into()));
    s1.record_party_meetings(&[meeting(MeetingKind::BranchCommittee, "2018-06-28", 9)], day("2018-06-28"), false)
        .await
        .unwrap();
    assert_eq!(light("2018-07-01").await, (Light::Green, "按要求召开".into()));
}

/// Last year's stars beside this year's: a 支部 five-starred in 2017 that let its 三会一课 slip
/// in 2018 is 四星 and "降1星"; a year without last year's rating shows no change.
#[tokio::test(flavor = "current_thread")]
async fn a_branch_that_slipped_shows_one_star_less_than_last_year() {
    let accounts: Vec<Account<'_>> = vec![
        ("zzb", Role::PartyOrganizer, Some("erqi-zzb")),
        ("dgw", Role::PartyCommittee, Some(HHL)),
        ("s1", Role::PartySecretary, Some(HHL)),
    ];
    let (store, _db) = taizhang_app::testing::erqi(&accounts).await.unwrap();
    let app = App::new(store, Config::default());
    let zzb = app.as_user("zzb").await.unwrap();
    let scheme_2018 = taizhang_app::demo::PARTY_SCHEME_2018;
    zzb.save_party_scheme(&scheme_2018.replace("year = 2018", "year = 2017").replace("2018年", "2017年"))
        .await
        .unwrap();
    zzb.save_party_scheme(scheme_2018).await.unwrap();
    zzb.save_party_orgs(&[PartyOrg { parent: None, ..branch("B01", "s1", 30) }]).await.unwrap();
    let (s1, dgw) = (app.as_user("s1").await.unwrap(), app.as_user("dgw").await.unwrap());
    let scheme = zzb.party_scheme(YEAR).await.unwrap();
    for (year, lecture) in [(2017, "10"), (2018, "0")] {
        let mut own = full(&scheme, Scorer::Own);
        own.iter_mut().find(|s| s.item == "3.1").unwrap().points = dec(lecture);
        let a = s1.save_party_scores("B01", year, &own, None).await.unwrap();
        let a = s1.party_step("B01", year, Event::Submit, "", a.version).await.unwrap();
        let a = dgw.save_party_scores("B01", year, &full(&scheme, Scorer::Review), Some(a.version)).await.unwrap();
        let a = dgw.party_step("B01", year, Event::Approve, "", a.version).await.unwrap();
        let a = zzb.save_party_scores("B01", year, &full(&scheme, Scorer::Confirm), Some(a.version)).await.unwrap();
        zzb.party_step("B01", year, Event::Accept, "", a.version).await.unwrap();
    }
    let first = zzb.party_rating(2017).await.unwrap();
    assert_eq!((first.rated[0].rated.stars, first.rated[0].rated.change()), (Some(5), None));
    let second = zzb.party_rating(2018).await.unwrap();
    let r = &second.rated[0].rated;
    assert_eq!((r.total, r.stars, r.last_year), (dec("90"), Some(4), Some(5)));
    assert_eq!(taizhang_app::party::change_text(r), "降1星");
}
