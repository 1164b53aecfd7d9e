//! The `taizhang` binary as a user runs it, on a fresh database (SQLite, or PostgreSQL when
//! `TAIZHANG_TEST_PG` is set).

#![allow(clippy::unwrap_used)] // a failing test says where by panicking

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::str::FromStr;

use taizhang_core::Decimal;
use taizhang_core::indicator::{Catalogue, IndicatorValue};
use taizhang_core::org::{OrgUnit, UnitKind};
use taizhang_core::period::Period;
use taizhang_store::Store;
mod common;

use common::{TestDatabase, initialised, taizhang};

/// The seed's figures, each with its unit and precision, as the annual summary must print them.
const SEED_FIGURES: &[&str] = &[
    "初步预计，全年地区生产总值完成567亿元，增长9%；一般公共预算收入完成29.4亿元，增长8.5%；固定资产投资完成407.7亿元，增长12%；规模以上工业增加值完成45.7亿元，增长5%；社会消费品零售总额完成474亿元，增长11%。",
    "连续两年被评为全市年度综合考核工作优秀单位，再次进入全国市辖区综合实力、最具投资潜力、创新创业三个“百强区”",
    "开工量、开工率、回迁量和回迁率均位居全市第一",
    "数字化城市管理工作位居全市第一",
    "150个重大项目完成投资470亿元",
    "郑州地产投资大厦等82个项目开工",
    "百年德化历史文化片区、华侨城大型文化旅游项目、凤湖生态休闲区",
    "平安建设、基层党建标准化系统等335项重点工作",
    "新增科技型企业34家，累计达142家",
    "高新技术企业25家",
    "新增工程技术研究中心25家",
    "高新技术产业增加值突破20亿元",
    "专利申请量突破3500件",
    "39条",
    "20条",
    "54条",
    "8所",
    "32个重大生态建设项目已开工24个，完成投资38.1亿元",
    "新增绿化面积247.4万平方米",
    "民生支出占一般公共预算支出的比重达到71.6%",
    "新增就业24295人",
    "补贴补助11053万元",
    "家庭医生服务团队191支",
    "签约服务30.88万人",
    "公租房1122套，分配2925套",
    "特色志愿服务队479支",
    "累计服务50万人次",
    "围绕建设现代化国际化生态化新城区这一目标",
    "“项目建设全力攻坚年”“基层党建全面提升年”两大行动",
    "品质二七、田园二七、温暖二七“三个二七”建设",
    "“项目推进落实、新型城镇化建设、现代产业体系构建、改革开放创新、生态环境建设、社会民生改善”六项工作",
    "百年德化历史文化片区、保利豫见里等10个出彩项目",
    "生态水系休闲观光带等10个重大出彩项目",
    "165个亿元以上重点项目",
    "突出“战斗力”提升，抓书记、强队伍",
    "到2020年，",
    "到2035年，",
    "到本世纪中叶，",
];

#[test]
fn the_erqi_demo_reproduces_the_seed_figures_to_the_digit() {
    let db = common::fresh();
    let loaded = common::ok(taizhang(&db, &["demo", "--admin-password", "admin-password-1"]));
    assert!(loaded.contains("项目313个"), "{loaded}");
    let report = common::ok(taizhang(&db, &["report", "annual", "--year", "2017"]));
    for figure in SEED_FIGURES {
        assert!(report.contains(figure), "missing «{figure}» in\n{report}");
    }
    assert!(report.starts_with("# 二七区2017年经济社会发展情况"), "{report}");
    // By name as well as by code; the same report.
    assert_eq!(common::ok(taizhang(&db, &["report", "annual", "--year", "2017", "--unit", "二七区"])), report);
}

#[test]
fn loading_the_demo_twice_changes_nothing() {
    let db = common::fresh();
    let first = common::ok(taizhang(&db, &["demo", "--admin-password", "admin-password-1"]));
    let second = common::ok(taizhang(&db, &["demo"]));
    assert_eq!(first.lines().last(), second.lines().last());
    assert!(!second.contains("初始口令"), "an existing admin keeps its password: {second}");
}

#[test]
fn init_generates_an_admin_password_once_and_prints_it() {
    let db = common::fresh();
    let first = common::ok(taizhang(&db, &["init"]));
    assert!(first.contains("admin") && first.contains("初始口令"), "{first}");
    let again = common::ok(taizhang(&db, &["init"]));
    assert!(!again.contains("初始口令"), "{again}");
}

#[test]
fn a_growth_only_figure_has_no_level_and_a_unit_without_data_no_sentence() {
    let db = common::fresh();
    common::ok(taizhang(&db, &["demo", "--admin-password", "admin-password-1"]));
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = Store::open(&db.url).await.unwrap();
        let catalogue = Catalogue::standard().unwrap();
        let fai = catalogue.find("固定资产投资").unwrap();
        let mut tx = store.begin().await.unwrap();
        let street = OrgUnit {
            code: "erqi-test".parse().unwrap(),
            name: "测试街道".into(),
            kind: UnitKind::Street,
            parent: Some("erqi".into()),
        };
        tx.upsert_unit(&street, 99).await.unwrap();
        let blank = OrgUnit {
            code: "erqi-blank".parse().unwrap(),
            name: "空白街道".into(),
            kind: UnitKind::Street,
            parent: Some("erqi".into()),
        };
        tx.upsert_unit(&blank, 100).await.unwrap();
        let growth = Decimal::from_str("10.1").unwrap();
        tx.upsert_value(
            &IndicatorValue::new(fai, "erqi-test", Period::Year(2017), None, Some(growth)).unwrap(),
            "test",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        store.close().await;
    });
    let report = common::ok(taizhang(&db, &["report", "annual", "--year", "2017", "--unit", "测试街道"]));
    assert!(report.contains("固定资产投资增长10.1%"), "{report}");
    assert!(!report.contains("固定资产投资完成"), "{report}");
    assert!(!report.contains("地区生产总值"), "{report}");
    // No data: one sentence that says so, and an error unless asked for anyway.
    let refused = taizhang(&db, &["report", "annual", "--year", "2017", "--unit", "空白街道"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("空白街道2017年没有可供年度总结的数据。"));
    let args = ["report", "annual", "--year", "2017", "--unit", "空白街道", "--allow-empty"];
    let empty = common::ok(taizhang(&db, &args));
    assert_eq!(empty.trim(), "# 空白街道2017年经济社会发展情况\n\n空白街道2017年没有可供年度总结的数据。");
}

#[test]
fn an_unknown_unit_or_database_is_a_clear_error() {
    let db = common::fresh();
    common::ok(taizhang(&db, &["init", "--admin-password", "admin-password-1"]));
    let out = taizhang(&db, &["report", "annual", "--year", "2017", "--unit", "金水区"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("单位“金水区”不存在"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_taizhang")).args(["--db", "mysql://x", "init"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("mysql://x"));
}

#[test]
fn a_generated_city_reports_its_roll_ups_from_the_database() {
    let db = common::fresh();
    let out = common::ok(taizhang(
        &db,
        &["gen", "--districts", "2", "--projects-per-district", "30", "--years", "2", "--seed", "7"],
    ));
    assert!(out.contains("项目60个"), "{out}");
    let city = common::ok(taizhang(&db, &["report", "annual", "--year", "2017"]));
    assert!(city.starts_with("# 示例市2017年"), "{city}");
    assert!(city.contains("一般公共预算收入完成") && city.contains("（下级单位汇总）"), "{city}");
    let out = taizhang(&db, &["gen", "--districts", "1", "--projects-per-district", "1", "--years", "1"]);
    assert!(!out.status.success(), "gen refuses a database that already has units");
    assert!(String::from_utf8_lossy(&out.stderr).contains("空数据库"));
    // Reproducible: the same seed gives the same city.
    let other = db_with_city(7);
    assert_eq!(common::ok(taizhang(&other, &["report", "annual", "--year", "2017"])), city);
}

fn db_with_city(seed: u64) -> TestDatabase {
    let db = common::fresh();
    common::ok(taizhang(
        &db,
        &["gen", "--districts", "2", "--projects-per-district", "30", "--years", "2", "--seed", &seed.to_string()],
    ));
    db
}

#[test]
fn serve_with_demo_answers_health_checks() {
    let db = common::fresh();
    let mut child = Command::new(env!("CARGO_BIN_EXE_taizhang"))
        .args(["--db", &db.url, "serve", "--listen", "127.0.0.1:0", "--demo", "--admin-password", "admin-password-1"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("taizhang 已启动：http://").map(str::to_string))
        .expect("listening line");
    let mut stream = std::net::TcpStream::connect(&address).expect("connect");
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    child.kill().ok();
    child.wait().ok();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"units\":22"), "the demo is loaded: {response}");
}

const UNITS: &str = "[[unit]]\ncode = \"erqi\"\nname = \"二七区\"\nkind = \"district\"\n";

/// Writes a world folder with a good units.toml and one other file.
fn world_dir(file: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("units.toml"), UNITS).unwrap();
    std::fs::write(dir.path().join(file), text).unwrap();
    dir
}

#[test]
fn a_good_world_folder_loads() {
    let db = common::fresh();
    let dir = world_dir(
        "values.toml",
        "[[value]]\nindicator = \"公共财政预算收入\"\nunit = \"erqi\"\nperiod = \"2017年\"\nvalue = \"29.4亿元\"\ngrowth = \"8.5\"\n",
    );
    let out = common::ok(taizhang(&db, &["load", dir.path().to_str().unwrap()]));
    assert!(out.contains("单位1个，指标数据1条"), "{out}");
    let report = common::ok(taizhang(&db, &["report", "annual", "--year", "2017"]));
    assert!(report.contains("全年一般公共预算收入完成29.4亿元，增长8.5%。"), "{report}");
}

#[test]
fn bad_input_names_the_value_exits_non_zero_and_writes_nothing() {
    let value = |body: &str| format!("[[value]]\nindicator = \"地区生产总值\"\nunit = \"erqi\"\n{body}");
    let project = |body: &str| {
        format!(
            "[[project]]\ncode = \"P1\"\nname = \"项目\"\ncategory = \"产业发展\"\nnature = \"新开工\"\nunit = \"erqi\"\n{body}"
        )
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "values.toml",
            value("period = \"2017\"\nvalue = \"567亿元\"\n").replace("unit = \"erqi\"", "unit = \"jinshui\""),
            "jinshui",
        ),
        (
            "values.toml",
            value("period = \"2017\"\nvalue = \"567亿元\"\n").replace("地区生产总值", "地区总产值"),
            "地区总产值",
        ),
        ("values.toml", value("period = \"2017年13月\"\nvalue = \"567亿元\"\n"), "2017年13月"),
        ("values.toml", value("period = \"2017\"\nvalue = \"-567亿元\"\n"), "-56700000000"),
        ("values.toml", value("period = \"2017\"\nvalue = \"567美元\"\n"), "美元"),
        ("values.toml", value("period = \"2017\"\nvalue = \"五百亿元\"\n"), "五百亿元"),
        ("projects.toml", project("total = \"-1\"\n"), "-1"),
        ("projects.toml", project("total = \"100\"\nplanned_start = \"2018-02-30\"\n"), "2018-02-30"),
        ("projects.toml", project("total = \"100\"\nnature = \"在建\"\n"), "nature"),
        (
            "tasks.toml",
            "[[task]]\ncode = \"T1\"\nname = \"x\"\nyear = 2017\nlead_unit = \"nowhere\"\nstatus = \"done\"\n".into(),
            "nowhere",
        ),
    ];
    for (file, text, named) in cases {
        let db = common::fresh();
        common::ok(taizhang(&db, &["init", "--admin-password", "admin-password-1"]));
        let dir = world_dir(file, &text);
        let out = taizhang(&db, &["load", dir.path().to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{file} accepted:\n{text}");
        assert!(err.contains(named), "{file}: «{named}» not named in: {err}");
        let after = taizhang(&db, &["report", "annual", "--year", "2017", "--unit", "erqi"]);
        assert!(
            String::from_utf8_lossy(&after.stderr).contains("单位“erqi”不存在"),
            "{file}: the good units were written too"
        );
    }
}

#[test]
fn the_reporting_cycle_runs_from_the_command_line_under_each_accounts_rights() {
    let db = common::fresh();
    common::ok(taizhang(&db, &["demo", "--admin-password", "admin-password-1"]));
    let opened = common::ok(taizhang(&db, &["round", "open", "--period", "2018-06"]));
    assert!(opened.contains("截止 2018-06-25") && opened.contains("应报 165 项"), "{opened}");
    let denied = taizhang(&db, &["--as", "zjj_reporter", "round", "open", "--period", "2018-07"]);
    assert!(!denied.status.success());
    assert!(String::from_utf8_lossy(&denied.stderr).contains("填报员无权开启填报轮次"));

    let status = common::ok(taizhang(&db, &["round", "status", "--period", "2018-06", "--today", "2018-06-26"]));
    assert!(status.contains("区住房城乡建设局\t9\t0\t0\t0\t0\t0\t0\t逾期未报"), "{status}");
    let own = common::ok(taizhang(
        &db,
        &["--as", "zjj_reporter", "round", "status", "--period", "2018-06", "--today", "2018-06-20"],
    ));
    assert_eq!(own.lines().count(), 3, "a reporter sees its own unit only: {own}");

    let warnings = common::ok(taizhang(&db, &["warnings", "--period", "2018-06", "--today", "2018-06-30"]));
    assert!(warnings.starts_with("2018年1-6月 预警：红灯41个，黄灯124个"), "{warnings}");
    assert!(
        warnings.contains(
            "红灯\t重点项目\tSL2018-014 示例项目（2018-014）（淮河路街道）：计划2018年3月开工，逾期3个月仍未开工"
        ),
        "{warnings}"
    );
    let scoped = common::ok(taizhang(
        &db,
        &["warnings", "--period", "2018-06", "--unit", "区住房城乡建设局", "--today", "2018-06-30"],
    ));
    assert!(scoped.lines().skip(1).all(|l| l.contains("（区住房城乡建设局）")), "{scoped}");

    let closed = common::ok(taizhang(&db, &["round", "close", "--period", "2018-06"]));
    assert!(closed.contains("已关闭"), "{closed}");
    let denied = taizhang(&db, &["--as", "zjj_reporter", "round", "reopen", "--period", "2018-06", "--reason", "补报"]);
    assert!(!denied.status.success(), "only an admin reopens");
    let reopened = common::ok(taizhang(&db, &["round", "reopen", "--period", "2018-06", "--reason", "统计口径调整"]));
    assert!(reopened.contains("已重新开放") && reopened.contains("统计口径调整"), "{reopened}");
    // A problem raised, escalated twice when overdue, then resolved — from the command line.
    let raised = common::ok(taizhang(
        &db,
        &[
            "problem",
            "add",
            "--project",
            "ZD2018-001",
            "--description",
            "土地手续未办结",
            "--deadline",
            "2018-07-10",
            "--today",
            "2018-07-01",
        ],
    ));
    let id: String = raised.trim_start_matches("已提出问题 #").chars().take_while(char::is_ascii_digit).collect();
    assert!(!id.is_empty(), "{raised}");
    let once = common::ok(taizhang(&db, &["problem", "escalate", "--today", "2018-07-11"]));
    assert!(once.contains(&format!("#{id}\t→ 分包领导")), "{once}");
    let listed = common::ok(taizhang(&db, &["problem", "list", "--open", "--today", "2018-07-12"]));
    assert!(listed.contains("土地手续未办结\t分包领导") && listed.contains("\t11\t"), "level and age: {listed}");
    let resolved = common::ok(taizhang(
        &db,
        &["problem", "resolve", &id, "--resolution", "已取得用地批复", "--today", "2018-07-15"],
    ));
    assert!(resolved.contains("已办结"), "{resolved}");
    assert!(!common::ok(taizhang(&db, &["problem", "list", "--open"])).contains("土地手续未办结"));
    let other = taizhang(&db, &["--as", "zjj_leader", "problem", "confirm", &id]);
    assert!(String::from_utf8_lossy(&other.stderr).contains("应由提出人确认"), "only the raiser confirms");
    let confirmed = common::ok(taizhang(&db, &["problem", "confirm", &id, "--today", "2018-07-16"]));
    assert!(confirmed.contains("已确认办结"), "{confirmed}");
    // A 督办 order from the district to 住建局: answered, an extension refused then granted,
    // sent back for rework, answered again, closed.
    let t = |day: &'static str| ["--today", day];
    let issue = |deadline: &str, today: &str| {
        taizhang(
            &db,
            &[
                "order",
                "issue",
                "--unit",
                "区住房城乡建设局",
                "--subject",
                "ZD2018-001",
                "--title",
                "加快征迁",
                "--deadline",
                deadline,
                "--today",
                today,
            ],
        )
    };
    assert!(String::from_utf8_lossy(&issue("2018-06-30", "2018-07-01").stderr).contains("不能早于今天"));
    let issued = common::ok(issue("2018-07-20", "2018-07-01"));
    let id: String = issued.trim_start_matches("已下达督办 #").chars().take_while(char::is_ascii_digit).collect();
    assert!(!id.is_empty(), "{issued}");
    let other = taizhang(&db, &["--as", "dhj_reporter", "order", "respond", &id, "--feedback", "x"]);
    assert!(!other.status.success(), "a unit the order does not name cannot answer it");
    let ask = |to: &str| {
        let mut args =
            vec!["--as", "zjj_leader", "order", "extend", id.as_str(), "--to", to, "--reason", "招标公告期未满"];
        args.extend(t("2018-07-10"));
        common::ok(taizhang(&db, &args))
    };
    let asked = ask("2018-07-31");
    let request: String = asked.split("申请编号 ").nth(1).unwrap().chars().take_while(char::is_ascii_digit).collect();
    let refused = common::ok(taizhang(&db, &["order", "decide", &request, "--today", "2018-07-11"]));
    assert!(refused.contains("不同意延期") && refused.contains("时限 2018-07-20"), "{refused}");
    let again = ask("2018-07-31");
    let request: String = again.split("申请编号 ").nth(1).unwrap().chars().take_while(char::is_ascii_digit).collect();
    let granted = common::ok(taizhang(&db, &["order", "decide", &request, "--approve", "--today", "2018-07-11"]));
    assert!(granted.contains("时限 2018-07-31"), "{granted}");
    common::ok(taizhang(&db, &["--as", "zjj_reporter", "order", "respond", &id, "--feedback", "已约谈3户"]));
    let back = common::ok(taizhang(&db, &["order", "rework", &id, "--reason", "未附协议"]));
    assert!(back.contains("退回重办"), "{back}");
    common::ok(taizhang(
        &db,
        &["--as", "zjj_reporter", "order", "respond", &id, "--feedback", "协议已签订（附件：征迁协议.pdf）"],
    ));
    let closed = common::ok(taizhang(&db, &["order", "close", &id]));
    assert!(closed.contains("已办结"), "{closed}");
    let listed = common::ok(taizhang(&db, &["order", "list", "--today", "2018-08-01"]));
    assert!(listed.contains("加快征迁\t区住房城乡建设局\t已办结\t2018-07-31\t绿灯"), "{listed}");
    let bad = taizhang(&db, &["round", "open", "--period", "2018年13月"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("2018年13月"));
}

#[test]
fn accounts_are_managed_by_admins_only() {
    let db = common::fresh();
    common::ok(taizhang(&db, &["demo", "--admin-password", "admin-password-1"]));
    let added =
        common::ok(taizhang(&db, &["user", "add", "wang", "--role", "填报员", "--unit", "马寨镇", "--name", "王五"]));
    assert!(added.contains("已保存账号 wang（填报员）") && added.contains("初始口令"), "{added}");
    let list = common::ok(taizhang(&db, &["user", "list"]));
    assert!(list.contains("wang\t填报员\t马寨镇\t王五"), "{list}");
    let denied =
        taizhang(&db, &["--as", "zjj_leader", "user", "add", "li", "--role", "admin", "--password", "abcdefghij"]);
    assert!(String::from_utf8_lossy(&denied.stderr).contains("无权管理账号"));
    let no_unit = taizhang(&db, &["user", "add", "zhao", "--role", "unit_reporter", "--password", "abcdefghij"]);
    assert!(String::from_utf8_lossy(&no_unit.stderr).contains("需要指定所属单位"));
    common::ok(taizhang(&db, &["user", "passwd", "wang", "--password", "new-password-9"]));
    let changed = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = Store::open(&db.url).await.unwrap();
        store.authenticate("wang", "new-password-9").await.unwrap()
    });
    assert_eq!(changed.map(|u| u.unit), Some(Some("erqi-mz".to_string())));
}

#[test]
fn the_log_can_be_json_lines_with_slow_statements_as_warnings() {
    let db = common::fresh();
    // Every statement is "slow" at 0 ms: each becomes a warning, one JSON object a line.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_taizhang"))
        .args([
            "--db",
            &db.url,
            "--log-format",
            "json",
            "--slow-statement-ms",
            "0",
            "init",
            "--admin-password",
            "json-log-pass",
        ])
        .env("TAIZHANG_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<serde_json::Value> =
        stderr.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert!(lines.iter().any(|l| l["level"] == "WARN" && l["target"] == "sqlx::query"), "{stderr}");
}

#[test]
fn meetings_nodes_and_elements_are_kept_from_the_command_line() {
    let db = common::demo();
    // A 周调度 with two decisions: two 督办 orders, listed under the meeting's week.
    let recorded = common::ok(taizhang(
        &db,
        &[
            "--as",
            "district_leader",
            "meeting",
            "add",
            "--kind",
            "周调度",
            "--date",
            "2018-06-07",
            "--chair",
            "区长",
            "--project",
            "ZD2018-001",
            "--decision",
            "6月20日前完成征迁扫尾|区住房城乡建设局|2018-06-20",
            "--decision",
            "协调办理施工许可|区住房城乡建设局|2018-06-30",
            "--today",
            "2018-06-07",
        ],
    ));
    assert!(recorded.contains("已记录2018W23周调度") && recorded.contains("议定事项2项"), "{recorded}");
    assert_eq!(recorded.matches("督办 #").count(), 2, "{recorded}");
    let listed = common::ok(taizhang(&db, &["meeting", "list", "--period", "2018W23"]));
    assert!(listed.contains("2018W23\t周调度\t2018-06-07\t区长\tZD2018-001"), "{listed}");
    assert_eq!(common::ok(taizhang(&db, &["meeting", "list", "--period", "2018W24"])).lines().count(), 1);
    let orders = common::ok(taizhang(&db, &["--as", "zjj_reporter", "order", "list", "--today", "2018-06-08"]));
    assert!(orders.contains("2018W23周调度议定事项：6月20日前完成征迁扫尾"), "{orders}");
    let bad = taizhang(&db, &["meeting", "add", "--kind", "周调度", "--date", "2018-06-07", "--decision", "只有事项"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("事项|责任单位|办理时限"));

    // A node plan: set by the unit, shown with its light; a date before 立项 is refused.
    let node = |args: &[&str]| {
        let mut all = vec!["--as", "zjj_reporter", "node"];
        all.extend(args);
        taizhang(&db, &all)
    };
    common::ok(node(&["set", "ZD2018-001", "立项", "--actual", "2017-12-01", "--today", "2018-06-01"]));
    common::ok(node(&["set", "ZD2018-001", "施工许可", "--planned", "2018-05-31", "--today", "2018-06-01"]));
    let early = node(&["set", "ZD2018-001", "环评", "--planned", "2017-11-01", "--today", "2018-06-01"]);
    assert!(String::from_utf8_lossy(&early.stderr).contains("早于项目立项日期 2017-12-01"));
    let shown = common::ok(node(&["show", "ZD2018-001"]));
    assert!(shown.contains("施工许可\t2018-05-31\t\t红灯：节点“施工许可”计划2018-05-31完成，逾期"), "{shown}");

    // 要素保障: an item in difficulty, shown with its unit.
    common::ok(taizhang(
        &db,
        &[
            "--as",
            "zjj_reporter",
            "element",
            "set",
            "ZD2018-001",
            "土地",
            "--status",
            "存在困难",
            "--note",
            "尚有3户未签约",
        ],
    ));
    let items = common::ok(taizhang(&db, &["element", "show", "ZD2018-001"]));
    assert!(items.contains("土地\t存在困难\t区住房城乡建设局\t\t尚有3户未签约"), "{items}");
    let wrong = taizhang(&db, &["element", "set", "ZD2018-001", "土地", "--status", "差不多"]);
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("差不多"));
}

#[test]
fn reminders_are_planned_sent_and_logged_and_a_bad_webhook_address_is_refused() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[reminders.units]]\nunit = \"erqi-zjj\"\nwebhook = \"ftp://robot\"\n").unwrap();
    let refused = taizhang(&db, &["--config", bad.to_str().unwrap(), "remind"]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("“ftp://robot”不是 http(s) 地址"));
    // Nothing listens on port 9 of this machine: the send fails, is logged, and waits for a retry.
    let good = dir.path().join("taizhang.toml");
    std::fs::write(&good, "[[reminders.units]]\nunit = \"erqi-zjj\"\nwebhook = \"http://127.0.0.1:9/robot\"\n")
        .unwrap();
    common::ok(taizhang(&db, &["round", "open", "--period", "2018-06"]));
    let config = good.to_str().unwrap();
    let ran = common::ok(taizhang(&db, &["--config", config, "remind", "--today", "2018-06-26"]));
    assert!(ran.starts_with("新生成提醒1条；发送成功0条，失败1条"), "{ran}");
    assert!(ran.contains("【催报】2018年6月项目进度已逾期") && ran.contains("第1次发送失败：群机器人"), "{ran}");
    let again = common::ok(taizhang(&db, &["--config", config, "remind", "--today", "2018-06-26"]));
    assert!(again.starts_with("新生成提醒0条；发送成功0条，失败0条"), "once per key, retried later: {again}");
    let denied = taizhang(&db, &["--as", "zjj_reporter", "--config", config, "remind", "--log"]);
    assert!(!denied.status.success(), "the log is the admins'");
}

#[test]
fn audit_verify_is_clean_after_real_work_and_names_a_figure_changed_behind_the_apps_back() {
    let db = common::demo();
    common::ok(taizhang(&db, &["round", "open", "--period", "2018-06"]));
    common::ok(taizhang(
        &db,
        &["problem", "add", "--project", "ZD2018-001", "--description", "征迁", "--deadline", "2099-01-01"],
    ));
    let verified = common::ok(taizhang(&db, &["audit", "verify"]));
    assert!(verified.contains("：一致") && !verified.contains("未封存"), "{verified}");
    // The demo's sample cases and 基层党建 come after the world: their steps are in the trail too.
    let log = common::ok(taizhang(&db, &["audit", "log", "--limit", "300"]));
    assert!(log.contains("\tproblem.raise\tproblem:1\t") && log.contains("world.load"), "{log}");
    assert!(log.contains("\tparty_assessment.accepted\t") && log.contains("\tparty.meetings\t"), "{log}");
    let denied = taizhang(&db, &["--as", "zjj_reporter", "audit", "verify"]);
    assert!(!denied.status.success(), "verification is the admins'");

    // A figure multiplied by ten in the database itself.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::{Connection, Executor};
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        conn.execute(
            "UPDATE project_progress SET ytd_e4 = ytd_e4 * 10
             WHERE period = '2017-03' AND project_id = (SELECT id FROM projects WHERE code = 'ZD2017-001')",
        )
        .await
        .unwrap();
    });
    let broken = taizhang(&db, &["audit", "verify"]);
    assert!(!broken.status.success());
    let said = String::from_utf8_lossy(&broken.stdout);
    assert!(said.contains("1行与审计记录不符，首处：项目进度 ZD2017-001 2017-03"), "{said}");
}

#[test]
fn a_backup_taken_while_the_ledger_is_in_use_restores_into_a_new_database_whole() {
    let db = common::demo();
    common::ok(taizhang(&db, &["round", "open", "--period", "2018-06"]));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("erqi.jsonl");
    let taken = common::ok(taizhang(&db, &["backup", "--out", file.to_str().unwrap()]));
    assert!(taken.starts_with("已备份") && taken.contains("行"), "{taken}");
    let target = common::fresh();
    let restored = common::ok(taizhang(&target, &["restore", file.to_str().unwrap()]));
    assert!(restored.contains("逐表行数与审计链核验一致"), "{restored}");
    assert!(common::ok(taizhang(&target, &["audit", "verify"])).contains("：一致"));
    // The same ledger: the same projects workbook, the same warnings.
    let export = |db: &TestDatabase, name: &str| {
        let out = dir.path().join(name);
        common::ok(taizhang(db, &["export", "projects", "--year", "2018", "--out", out.to_str().unwrap()]));
        std::fs::read(out).unwrap().len()
    };
    assert_eq!(export(&db, "a.xlsx"), export(&target, "b.xlsx"));
    let lights =
        |db: &TestDatabase| common::ok(taizhang(db, &["warnings", "--period", "2018-06", "--today", "2018-06-30"]));
    assert_eq!(lights(&db), lights(&target));
    // Into a database already in use: refused, nothing written.
    let again = taizhang(&db, &["restore", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("不是空库"));
}

/// Every command path of the binary: the root, each command and each subcommand's.
fn command_paths() -> Vec<Vec<String>> {
    let help = |path: &[String]| {
        let out = Command::new(env!("CARGO_BIN_EXE_taizhang")).args(path).arg("-h").output().unwrap();
        assert!(out.status.success(), "{path:?} -h");
        String::from_utf8(out.stdout).unwrap()
    };
    let mut paths = vec![Vec::new()];
    let mut at = 0;
    while at < paths.len() {
        let text = help(&paths[at]);
        if let Some(commands) = text.split("命令：\n").nth(1) {
            for line in commands.lines().take_while(|l| !l.trim().is_empty()) {
                let mut path = paths[at].clone();
                path.push(line.split_whitespace().next().unwrap().to_string());
                paths.push(path);
            }
        }
        at += 1;
    }
    paths
}

#[test]
fn every_command_explains_itself_in_chinese() {
    let paths = command_paths();
    assert!(paths.len() > 60, "{} command paths", paths.len());
    for path in paths {
        let out = Command::new(env!("CARGO_BIN_EXE_taizhang")).args(&path).arg("--help").output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        // No English sentence of clap's or ours: every line that explains is in Chinese.
        for english in ["Usage:", "Options:", "Arguments:", "Commands:", "Print help", "[default:", "Possible values"] {
            assert!(!text.contains(english), "taizhang {} --help has “{english}”:\n{text}", path.join(" "));
        }
        // An option's line names it, then (on this line or the next) says what it is in Chinese.
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("--") || trimmed.starts_with("-h") || trimmed.starts_with('<') {
                let said = format!("{line}{}", lines.get(i + 1).copied().unwrap_or_default());
                assert!(
                    said.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "taizhang {} --help: “{}” is not explained in Chinese",
                    path.join(" "),
                    trimmed
                );
            }
        }
    }
}

#[test]
fn usage_errors_are_said_in_chinese_with_exit_2_and_rejected_input_exits_1() {
    let db = initialised();
    let run = |args: &[&str]| {
        let out = taizhang(&db, args);
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, said) = run(&["frobnicate"]);
    assert_eq!(code, Some(2));
    assert!(said.contains("不认识的命令“frobnicate”") && said.contains("用法："), "{said}");
    let (code, said) = run(&["import"]);
    assert!(code == Some(2) && said.contains("缺少必填的参数") && said.contains("<种类>"), "{said}");
    let (code, said) = run(&["report", "briefing", "--period", "2018-05", "--format", "docxx"]);
    assert!(code == Some(2) && said.contains("“docxx”无效，可选：md、html、docx、xlsx、pdf"), "{said}");
    // The operating system's and the zip reader's words are put into plain Chinese.
    let (code, said) = run(&["import", "units", "/nonexistent/单位.xlsx"]);
    assert!(code == Some(2) && said.contains("文件或目录不存在") && !said.contains("os error"), "{said}");
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("单位.xlsx");
    std::fs::write(&text, "这不是工作簿").unwrap();
    let (code, said) = run(&["import", "units", text.to_str().unwrap()]);
    assert!(code == Some(1) && said.contains("不是有效的 Excel .xlsx 工作簿") && !said.contains("EOCD"), "{said}");
    let (code, said) = run(&["backup", "--out", "/nonexistent/dir/备份.jsonl"]);
    assert!(code == Some(2) && said.contains("无法写入") && said.contains("文件或目录不存在"), "{said}");
}

#[test]
fn a_city_case_is_reported_dispatched_and_closed_from_the_command_line() {
    use common::ok;
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let grid = dir.path().join("grid.geojson");
    std::fs::write(
        &grid,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"DHJ-01","name":"德化街第1网格","street":"erqi-dhj","community":"钱塘里社区"},"geometry":{"type":"Polygon","coordinates":[[[113.60,34.70],[113.61,34.70],[113.61,34.71],[113.60,34.71],[113.60,34.70]]]}}]}"#,
    )
    .unwrap();
    let classes = dir.path().join("classes.toml");
    std::fs::write(
        &classes,
        "[[class]]\ncode = \"T-LJ\"\nkind = \"事件\"\nmajor = \"市容环境\"\nname = \"暴露垃圾\"\ntime_limit = 2\nlimit_unit = \"hours\"\ndefault_unit = \"erqi-dhj\"\n",
    )
    .unwrap();
    assert!(ok(taizhang(&db, &["case", "grid", grid.to_str().unwrap()])).contains("已导入单元网格1个"));
    assert!(ok(taizhang(&db, &["case", "classes", classes.to_str().unwrap()])).contains("已导入小类1个"));
    for (name, role, unit) in
        [("jdy", "inspector", None), ("zbz", "dispatcher", None), ("dhj", "unit_reporter", Some("erqi-dhj"))]
    {
        let mut args = vec!["user", "add", name, "--role", role, "--password", "case-password-1"];
        if let Some(u) = unit {
            args.extend(["--unit", u]);
        }
        ok(taizhang(&db, &args));
    }
    let as_ = |who: &str, args: &[&str]| {
        let mut all = vec!["--as", who, "case"];
        all.extend_from_slice(args);
        taizhang(&db, &all)
    };
    let reported = ok(as_(
        "jdy",
        &[
            "report",
            "--class",
            "T-LJ",
            "--lon",
            "113.6051",
            "--lat",
            "34.7012",
            "--description",
            "暴露垃圾一堆",
            "--at",
            "2018-04-27 16:20",
        ],
    ));
    // The demo's sample cases come first.
    let id = reported.split('#').nth(1).and_then(|t| t.split(' ').next()).unwrap().to_string();
    assert!(reported.contains(&format!("案件 #{id} [待立案] 暴露垃圾一堆（网格 DHJ-01，erqi-dhj）")), "{reported}");
    let id = id.as_str();
    ok(as_("zbz", &["step", id, "file", "--at", "2018-04-27 16:25"]));
    let dispatched = ok(as_("zbz", &["step", id, "dispatch", "--at", "2018-04-27 16:30"]));
    assert!(dispatched.contains("时限 2018-04-28 09:30"), "the 调休 Saturday counts: {dispatched}");
    ok(as_("dhj", &["step", id, "dispose", "--text", "已清理", "--at", "2018-04-28 09:00"]));
    ok(as_("jdy", &["step", id, "check", "--rework", "--text", "仍有残留", "--at", "2018-04-28 09:10"]));
    ok(as_("dhj", &["step", id, "dispose", "--text", "已彻底清理", "--at", "2018-04-28 09:20"]));
    ok(as_("jdy", &["step", id, "check", "--passed", "--at", "2018-04-28 09:25"]));
    assert!(ok(as_("zbz", &["step", id, "close", "--at", "2018-04-28 09:28"])).contains("[已结案]"));
    let shown = ok(as_("dhj", &["show", id]));
    assert!(shown.contains("2018-04-28 09:10 jdy 核查未通过（返工）：仍有残留（待核查 → 处置中）"), "{shown}");
    assert!(ok(as_("zbz", &["list", "--month", "2018-04", "--state", "closed"])).contains("共1件"));

    // The demo's June, ranked by 按期结案率: 五里堡 first (both on time), 铭功路 unranked.
    let ranked = ok(as_("zbz", &["evaluate", "--month", "2018-06"]));
    let lines: Vec<&str> = ranked.lines().collect();
    assert_eq!(lines[1], "1\t五里堡街道\t2\t2\t2\t2\t2\t2\t0\t100.00%\t100.00%\t0.00%\t100.00", "{ranked}");
    // 综合指标值 0.5 × 50 + 0.3 × 100 + 0.2 × 100 = 75 for 德化街 (one of two on time).
    assert!(lines[2].starts_with("2\t德化街街道\t") && lines[2].ends_with("\t75.00"), "{ranked}");
    assert!(lines.last().unwrap().starts_with("—\t铭功路街道\t2\t0\t0\t0"), "{ranked}");

    // Refused in words, exit 1, nothing written.
    let before = ok(as_("zbz", &["list"]));
    let wrong = as_("zbz", &["step", id, "approve"]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("不是案件的办理环节"));
    let outside = as_("jdy", &["report", "--class", "T-LJ", "--lon", "113.9", "--lat", "34.7", "--description", "x"]);
    assert!(String::from_utf8_lossy(&outside.stderr).contains("不在任何单元网格内"));
    assert_eq!(ok(as_("zbz", &["list"])), before);
}
