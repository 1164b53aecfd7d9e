//! Excel in and out through the `taizhang` binary: real .xlsx files written by
//! rust_xlsxwriter and read back by calamine, on a real database (SQLite, or PostgreSQL when
//! `TAIZHANG_TEST_PG` is set).

#![allow(clippy::unwrap_used)] // a failing test says where by panicking

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use rust_xlsxwriter::{Format, Workbook};
mod common;

use common::{TestDatabase, ok, taizhang};

/// A cell as a test writes it.
#[derive(Clone)]
enum C {
    S(&'static str),
    N(f64),
    Empty,
    Bool,
    Date(u16, u8, u8),
}

use C::{Empty, N, S};

/// A one-sheet workbook: `sheet`, header row, data rows.
fn workbook(dir: &Path, name: &str, sheet: &str, header: &[&str], rows: &[Vec<C>]) -> PathBuf {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell {
                S(s) => {
                    ws.write_string(r, c, *s).unwrap();
                }
                N(n) => {
                    ws.write_number(r, c, *n).unwrap();
                }
                C::Bool => {
                    ws.write_boolean(r, c, true).unwrap();
                }
                C::Date(y, m, d) => {
                    let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    ws.write_datetime_with_format(r, c, &dt, &date).unwrap();
                }
                Empty => {}
            }
        }
    }
    let path = dir.join(name);
    wb.save(&path).unwrap();
    path
}

const PROGRESS: &[&str] = &[
    "项目编码",
    "报告期",
    "当月完成投资(万元)",
    "年初至报告期累计(万元)",
    "开工至报告期累计(万元)",
    "形象进度",
    "存在问题",
];
const PROJECTS: &[&str] = &[
    "项目编码",
    "项目名称",
    "项目类别",
    "建设性质",
    "总投资(万元)",
    "年度",
    "年度计划投资(万元)",
    "计划开工",
    "计划竣工",
    "责任单位",
    "标签",
];
const UNITS: &[&str] = &["单位编码", "单位名称", "上级单位编码", "类型"];
const VALUES: &[&str] = &["指标", "单位", "报告期", "数值", "计量单位", "增长率(%)", "说明"];
const TARGETS: &[&str] = &["指标", "单位", "年度", "目标值", "计量单位", "目标增长率(%)"];
const TASKS: &[&str] = &["任务编码", "任务名称", "牵头单位", "配合单位", "完成时限", "目标要求"];

/// A good progress row that would be new: its absence afterwards proves nothing was written.
fn good_progress() -> Vec<C> {
    vec![S("ZD2017-001"), S("2018-01"), N(100.0), N(100.0), N(31300.0), S("主体施工"), Empty]
}

fn good_project() -> Vec<C> {
    vec![
        S("NEW-001"),
        S("新项目"),
        S("产业发展"),
        S("新开工"),
        N(5000.0),
        N(2018.0),
        N(1000.0),
        Empty,
        Empty,
        S("区发展改革委"),
        Empty,
    ]
}

struct Case {
    name: &'static str,
    kind: &'static str,
    header: &'static [&'static str],
    rows: Vec<Vec<C>>,
    /// The located message the error must contain.
    expect: &'static str,
}

fn cases() -> Vec<Case> {
    let p = |rows: Vec<Vec<C>>, expect| Case { name: "", kind: "progress", header: PROGRESS, rows, expect };
    let pr = |rows: Vec<Vec<C>>, expect| Case { name: "", kind: "projects", header: PROJECTS, rows, expect };
    let u = |rows: Vec<Vec<C>>, expect| Case { name: "", kind: "units", header: UNITS, rows, expect };
    let v = |rows: Vec<Vec<C>>, expect| Case { name: "", kind: "indicators", header: VALUES, rows, expect };
    let t = |rows: Vec<Vec<C>>, expect| Case { name: "", kind: "targets", header: TARGETS, rows, expect };
    let k = |rows: Vec<Vec<C>>, expect| Case { name: "", kind: "tasks", header: TASKS, rows, expect };
    let mut all = vec![
        p(
            vec![good_progress(), vec![S("ZD2017-001"), S("2018-02"), N(1.0), S("12,5O0"), Empty, Empty, Empty]],
            "进度!R3 年初至报告期累计(万元)=\"12,5O0\": 不是数字",
        ),
        p(
            vec![good_progress(), vec![S("ZD2017-001"), S("2018-02"), N(1.0), Empty, Empty, Empty, Empty]],
            "进度!R3 年初至报告期累计(万元)=\"\": 必填",
        ),
        p(
            vec![good_progress(), vec![S("NOPE-1"), S("2018-01"), N(1.0), N(1.0), Empty, Empty, Empty]],
            "进度!R3 项目编码=\"NOPE-1\": 项目编码不存在",
        ),
        p(
            vec![good_progress(), vec![S("ZD2017-001"), S("2018年13月"), N(1.0), N(1.0), Empty, Empty, Empty]],
            "进度!R3 报告期=\"2018年13月\": 不是有效报告期",
        ),
        p(
            vec![good_progress(), vec![S("ZD2017-001"), S("2018Q1"), N(1.0), N(1.0), Empty, Empty, Empty]],
            "进度!R3 报告期=\"2018Q1\": 项目进度的报告期应为月份",
        ),
        p(
            vec![good_progress(), vec![S("ZD2017-001"), S("2018-02"), N(-5.0), N(95.0), Empty, Empty, Empty]],
            "进度!R3 当月完成投资(万元)=\"-5\": 金额不能为负数",
        ),
        p(
            vec![good_progress(), vec![S("ZD2017-001"), S("2018-02"), Empty, N(90.0), Empty, Empty, Empty]],
            "进度!R3 年初至报告期累计(万元)=\"90\": 比上月累计 100 少",
        ),
        p(
            vec![good_progress(), vec![S("ZD2017-001"), S("2018-02"), N(50.0), N(200.0), Empty, Empty, Empty]],
            "进度!R3 年初至报告期累计(万元)=\"200\": 应等于上月累计 100 + 当月 50 = 150",
        ),
        p(
            vec![good_progress(), vec![S("ZD2017-001"), S("2018-02"), N(1.0), N(101.0), N(200000.0), Empty, Empty]],
            "进度!R3 开工至报告期累计(万元)=\"200000\": 超过项目总投资 150000 万元",
        ),
        p(vec![good_progress(), good_progress()], "进度!R3 报告期=\"2018-01\": 与第2行重复"),
        p(
            vec![good_progress(), vec![S("ZD2017-001"), S("2018-02"), C::Bool, N(101.0), Empty, Empty, Empty]],
            "进度!R3 当月完成投资(万元)=\"TRUE\": 不是数字",
        ),
        p(
            vec![
                good_progress(),
                vec![S("ZD2017-001"), S("2018-02"), C::Date(2018, 2, 1), N(101.0), Empty, Empty, Empty],
            ],
            "当月完成投资(万元)=\"43132\": 是日期，不是数字",
        ),
        p(
            vec![good_progress(), vec![S("ZD2017-001"), S("2017-12"), N(1.0), N(1.0), Empty, Empty, Empty]],
            "进度!R3 年初至报告期累计(万元)=\"1\": 比上月累计",
        ),
        pr(
            vec![
                good_project(),
                vec![
                    S("NEW-002"),
                    S("项目二"),
                    S("产业发展"),
                    S("新开工"),
                    N(-1.0),
                    N(2018.0),
                    N(1.0),
                    Empty,
                    Empty,
                    S("区发展改革委"),
                    Empty,
                ],
            ],
            "项目!R3 总投资(万元)=\"-1\": 金额不能为负数",
        ),
        pr(
            vec![
                good_project(),
                vec![
                    S("NEW-002"),
                    S("项目二"),
                    S("产业发展"),
                    S("新开工"),
                    S("abc"),
                    N(2018.0),
                    N(1.0),
                    Empty,
                    Empty,
                    S("区发展改革委"),
                    Empty,
                ],
            ],
            "项目!R3 总投资(万元)=\"abc\": 不是数字",
        ),
        pr(
            vec![
                good_project(),
                vec![
                    S("NEW-002"),
                    S("项目二"),
                    S("产业发展"),
                    S("新开工"),
                    N(1.0),
                    N(2018.0),
                    N(1.0),
                    S("2018-02-30"),
                    Empty,
                    S("区发展改革委"),
                    Empty,
                ],
            ],
            "项目!R3 计划开工=\"2018-02-30\": 不是有效日期",
        ),
        pr(
            vec![
                good_project(),
                vec![
                    S("NEW-002"),
                    S("项目二"),
                    S("产业发展"),
                    S("新开工"),
                    N(1.0),
                    N(2018.0),
                    N(1.0),
                    S("2018-06-01"),
                    S("2018-01-01"),
                    S("区发展改革委"),
                    Empty,
                ],
            ],
            "项目!R3 计划竣工=\"2018-01-01\": 计划竣工早于计划开工",
        ),
        pr(
            vec![
                good_project(),
                vec![
                    S("NEW-002"),
                    S("项目二"),
                    S("产业发展"),
                    S("新开工"),
                    N(1.0),
                    N(2018.0),
                    N(1.0),
                    Empty,
                    Empty,
                    S("金水区发改委"),
                    Empty,
                ],
            ],
            "项目!R3 责任单位=\"金水区发改委\": 单位不存在",
        ),
        pr(
            vec![
                good_project(),
                vec![
                    S("NEW-002"),
                    S("项目二"),
                    S("产业发展"),
                    S("在建"),
                    N(1.0),
                    N(2018.0),
                    N(1.0),
                    Empty,
                    Empty,
                    S("区发展改革委"),
                    Empty,
                ],
            ],
            "项目!R3 建设性质=\"在建\": 建设性质无法识别",
        ),
        pr(vec![good_project(), good_project()], "项目!R3 项目编码=\"NEW-001\": 与第2行重复"),
        pr(
            vec![
                good_project(),
                vec![
                    S("NEW-002"),
                    Empty,
                    S("产业发展"),
                    S("新开工"),
                    N(1.0),
                    N(2018.0),
                    N(1.0),
                    Empty,
                    Empty,
                    S("区发展改革委"),
                    Empty,
                ],
            ],
            "项目!R3 项目名称=\"\": 必填",
        ),
        pr(
            vec![
                good_project(),
                vec![
                    S("NEW-002"),
                    S("项目二"),
                    S("产业发展"),
                    S("新开工"),
                    N(1.0),
                    S("2018-03"),
                    N(1.0),
                    Empty,
                    Empty,
                    S("区发展改革委"),
                    Empty,
                ],
            ],
            "项目!R3 年度=\"2018-03\": 不是有效年度",
        ),
        u(
            vec![
                vec![S("u1"), S("新单位"), S("erqi"), S("department")],
                vec![S("u2"), S("另一单位"), S("nowhere"), S("department")],
            ],
            "单位!R3 上级单位编码=\"nowhere\": 上级单位编码不存在",
        ),
        u(
            vec![
                vec![S("u1"), S("新单位"), S("erqi"), S("department")],
                vec![S("u2"), S("另一单位"), S("erqi"), S("村")],
            ],
            "单位!R3 类型=\"村\": 类型无法识别",
        ),
        u(
            vec![
                vec![S("u1"), S("新单位"), S("erqi"), S("department")],
                vec![S("u1"), S("另一单位"), S("erqi"), S("street")],
            ],
            "单位!R3 单位编码=\"u1\": 与第2行重复",
        ),
        v(
            vec![
                vec![S("地区生产总值"), S("二七区"), S("2018"), N(600.0), S("亿元"), N(8.0), Empty],
                vec![S("地区总产值"), S("二七区"), S("2018"), N(1.0), S("亿元"), Empty, Empty],
            ],
            "指标!R3 指标=\"地区总产值\": 指标不在指标目录中",
        ),
        v(
            vec![
                vec![S("地区生产总值"), S("二七区"), S("2018"), N(600.0), S("亿元"), N(8.0), Empty],
                vec![S("地区生产总值"), S("金水区"), S("2018"), N(1.0), S("亿元"), Empty, Empty],
            ],
            "指标!R3 单位=\"金水区\": 单位不存在",
        ),
        v(
            vec![
                vec![S("地区生产总值"), S("二七区"), S("2018"), N(600.0), S("亿元"), N(8.0), Empty],
                vec![S("一般公共预算收入"), S("二七区"), S("2018"), N(1.0), S("万人"), Empty, Empty],
            ],
            "指标!R3 计量单位=\"万人\": 计量单位与指标不一致",
        ),
        v(
            vec![
                vec![S("地区生产总值"), S("二七区"), S("2018"), N(600.0), S("亿元"), N(8.0), Empty],
                vec![S("一般公共预算收入"), S("二七区"), S("2018"), N(1.0), S("美元"), Empty, Empty],
            ],
            "指标!R3 计量单位=\"美元\": 计量单位无法识别",
        ),
        v(
            vec![
                vec![S("地区生产总值"), S("二七区"), S("2018"), N(600.0), S("亿元"), N(8.0), Empty],
                vec![S("一般公共预算收入"), S("二七区"), S("2018"), Empty, S("亿元"), Empty, Empty],
            ],
            "指标!R3 数值=\"\": 数值与增长率(%)不能同时为空",
        ),
        v(
            vec![
                vec![S("地区生产总值"), S("二七区"), S("2018"), N(600.0), S("亿元"), N(8.0), Empty],
                vec![S("一般公共预算收入"), S("二七区"), S("2018"), N(1.0), S("亿元"), S("9.0.1"), Empty],
            ],
            "指标!R3 增长率(%)=\"9.0.1\": 不是数字",
        ),
        v(
            vec![
                vec![S("地区生产总值"), S("二七区"), S("2018"), N(600.0), S("亿元"), N(8.0), Empty],
                vec![S("一般公共预算收入"), S("二七区"), S("2018"), N(-1.0), S("亿元"), Empty, Empty],
            ],
            "指标!R3 数值=\"-1\": 不能为负数",
        ),
        t(
            vec![
                vec![S("地区生产总值"), S("二七区"), N(2018.0), Empty, Empty, N(8.0)],
                vec![S("地区生产总值"), S("二七区"), Empty, Empty, Empty, N(8.0)],
            ],
            "目标!R3 年度=\"\": 必填",
        ),
        t(
            vec![
                vec![S("地区生产总值"), S("二七区"), N(2018.0), Empty, Empty, N(8.0)],
                vec![S("固定资产投资"), S("二七区"), N(2018.0), Empty, Empty, Empty],
            ],
            "目标!R3 目标值=\"\": 目标值、目标增长率(%)与文字目标不能同时为空",
        ),
        t(
            vec![
                vec![S("地区生产总值"), S("二七区"), N(2018.0), Empty, Empty, S("8%以上")],
                vec![S("固定资产投资"), S("二七区"), N(2018.0), Empty, Empty, S("8%上下")],
            ],
            "目标!R3 目标增长率(%)=\"8%上下\": 目标“8%上下”无法识别：应为 8%、8%以上、不低于8%、8%左右、4%以内、控制在4%以内",
        ),
        k(
            vec![
                vec![S("RW-1"), S("新工作"), S("区发展改革委"), Empty, Empty, Empty],
                vec![S("RW-2"), S("另一工作"), S("不存在的局"), Empty, Empty, Empty],
            ],
            "重点工作!R3 牵头单位=\"不存在的局\": 单位不存在",
        ),
        k(
            vec![
                vec![S("RW-1"), S("新工作"), S("区发展改革委"), Empty, Empty, Empty],
                vec![S("RW-2"), S("另一工作"), S("区财政局"), S("区财政局、不存在的局"), Empty, Empty],
            ],
            "重点工作!R3 配合单位=\"区财政局、不存在的局\": 配合单位“不存在的局”不存在",
        ),
        k(
            vec![
                vec![S("RW-1"), S("新工作"), S("区发展改革委"), Empty, Empty, Empty],
                vec![S("RW-2"), S("另一工作"), S("区财政局"), Empty, S("明年"), Empty],
            ],
            "重点工作!R3 完成时限=\"明年\": 不是有效日期",
        ),
    ];
    let names = [
        "ytd not a number",
        "ytd empty",
        "unknown project",
        "bad period",
        "quarter period",
        "negative month",
        "ytd decreasing",
        "ytd not previous plus month",
        "since start above total",
        "duplicate progress",
        "boolean in number column",
        "date in number column",
        "ytd below stored previous month",
        "negative total",
        "total not a number",
        "impossible date",
        "finish before start",
        "unknown unit",
        "unknown nature",
        "duplicate project",
        "empty name",
        "bad plan year",
        "unknown parent",
        "unknown unit kind",
        "duplicate unit",
        "unknown indicator",
        "unknown value unit",
        "measure of another kind",
        "unknown measure",
        "neither value nor growth",
        "growth not a number",
        "negative indicator value",
        "target without year",
        "target without value or growth",
        "unknown lead unit",
        "unknown cooperating unit",
        "bad deadline",
    ];
    for (case, name) in all.iter_mut().zip(names) {
        case.name = name;
    }
    all
}

/// What the database holds, compared before and after a rejected import.
fn fingerprint(db: &TestDatabase, dir: &Path) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for (kind, year) in [
        ("units", "2018"),
        ("projects", "2018"),
        ("progress", "2018"),
        ("indicators", "2018"),
        ("targets", "2018"),
        ("tasks", "2018"),
    ] {
        let out = dir.join(format!("fp-{kind}.xlsx"));
        ok(taizhang(db, &["export", kind, "--year", year, "--out", out.to_str().unwrap()]));
        all.extend(cells(&out));
    }
    all
}

fn cells(path: &Path) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_malformed_workbook_is_rejected_with_its_located_message_and_nothing_written() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let before = fingerprint(&db, dir.path());
    let cases = cases();
    assert!(cases.len() >= 30, "the corpus holds {} cases", cases.len());
    for (i, case) in cases.iter().enumerate() {
        let path = workbook(dir.path(), &format!("bad-{i}.xlsx"), sheet_of(case.kind), case.header, &case.rows);
        let out = taizhang(&db, &["import", case.kind, path.to_str().unwrap(), "--year", "2018"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{}: accepted", case.name);
        assert!(err.contains(case.expect), "{}: expected «{}» in\n{err}", case.name, case.expect);
        assert!(err.contains("未写入任何数据"), "{}: {err}", case.name);
    }
    assert_eq!(fingerprint(&db, dir.path()), before, "a rejected import changed the database");
}

fn sheet_of(kind: &str) -> &'static str {
    match kind {
        "progress" => "进度",
        "projects" => "项目",
        "units" => "单位",
        "indicators" => "指标",
        "targets" => "目标",
        _ => "重点工作",
    }
}

#[test]
fn all_errors_of_a_file_are_reported_at_once() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let rows = vec![
        vec![S("ZD2017-001"), S("2018-01"), N(1.0), S("x"), Empty, Empty, Empty],
        vec![S("NOPE"), S("2018-01"), N(1.0), N(1.0), Empty, Empty, Empty],
        vec![S("ZD2017-001"), S("2018-99"), N(1.0), N(1.0), Empty, Empty, Empty],
    ];
    let path = workbook(dir.path(), "many.xlsx", "进度", PROGRESS, &rows);
    let out = taizhang(&db, &["import", "progress", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    for located in ["进度!R2 年初至报告期累计(万元)", "进度!R3 项目编码", "进度!R4 报告期"] {
        assert!(err.contains(located), "{located} missing in {err}");
    }
    assert!(err.contains("共3处错误"), "{err}");
}

#[test]
fn files_that_cannot_be_read_are_refused_clearly() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let not_xlsx = dir.path().join("notes.xlsx");
    std::fs::write(&not_xlsx, "这不是工作簿").unwrap();
    let encrypted = dir.path().join("locked.xlsx");
    {
        let mut cfb = cfb::create(&encrypted).unwrap();
        std::io::Write::write_all(&mut cfb.create_stream("/EncryptionInfo").unwrap(), &[4, 0, 4, 0]).unwrap();
        std::io::Write::write_all(&mut cfb.create_stream("/EncryptedPackage").unwrap(), &[0; 64]).unwrap();
        cfb.flush().unwrap();
    }
    let huge = dir.path().join("huge.xlsx");
    std::fs::File::create(&huge).unwrap().set_len(taizhang_office::MAX_FILE_BYTES + 1).unwrap();
    let good = workbook(dir.path(), "good.xlsx", "进度", PROGRESS, &[good_progress()]);
    let no_header = workbook(dir.path(), "noheader.xlsx", "进度", &["甲", "乙"], &[vec![S("1"), S("2")]]);
    let cases: [(&Path, &[&str], &str); 5] = [
        (&not_xlsx, &[], "不是有效的 Excel .xlsx 工作簿"),
        (&encrypted, &[], "已加密"),
        (&huge, &[], "超过上限"),
        (&good, &["--sheet", "六月"], "没有名为“六月”的工作表"),
        (&no_header, &[], "找不到表头：应包含 项目编码、报告期、年初至报告期累计(万元)"),
    ];
    for (path, extra, expect) in cases {
        let mut args = vec!["import", "progress", path.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = taizhang(&db, &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(expect), "{}: expected «{expect}» in {err}", path.display());
    }
}

#[test]
fn offices_sheets_are_read_as_they_are_kept() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    // A hidden notes sheet first, a title row, columns in another order with full-width
    // brackets and an 亿元 suffix, an extra column, a merged category, text numbers,
    // Excel dates and a formula with its cached value.
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("填表说明").unwrap();
    notes.write_string(0, 0, "请勿修改表头").unwrap();
    notes.set_hidden(true);
    let ws = wb.add_worksheet();
    ws.set_name("2018年项目").unwrap();
    ws.write_string(0, 0, "二七区2018年重点项目计划表").unwrap();
    let header = [
        "责任单位",
        "项目名称",
        "项目编码",
        "总投资（亿元）",
        "备注",
        "项目类别",
        "年度计划投资（万元）",
        "计划开工",
        "建设性质",
        "标签",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let rows: [(&str, &str, &str, &str, f64); 3] = [
        ("区发展改革委", "示范园区一期", "XM-1", "1.5", 5000.0),
        ("区财政局", "示范园区二期", "XM-2", "2,000", 6000.0),
        ("解放路街道", "老旧小区改造", "XM-3", "0.25", 700.0),
    ];
    for (i, (unit, name, code, total, plan)) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string(r, 0, *unit).unwrap();
        ws.write_string(r, 1, *name).unwrap();
        ws.write_string(r, 2, *code).unwrap();
        ws.write_string(r, 3, *total).unwrap();
        ws.write_string(r, 4, "无").unwrap();
        ws.write_formula(r, 6, format!("={plan}*1").as_str()).unwrap();
        ws.set_formula_result(r, 6, plan.to_string());
        let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(2018, 3, 1 + i as u8).unwrap();
        ws.write_datetime_with_format(r, 7, &dt, &date).unwrap();
        ws.write_string(r, 8, "新开工").unwrap();
        ws.write_string(r, 9, "亿元以上、出彩项目").unwrap();
    }
    ws.merge_range(2, 5, 4, 5, "产业发展", &Format::new()).unwrap();
    let path = dir.path().join("kept.xlsx");
    wb.save(&path).unwrap();

    let out = taizhang(&db, &["import", "projects", path.to_str().unwrap(), "--year", "2018"]);
    let stdout = ok(out.clone());
    assert!(stdout.contains("新增3条"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("列“备注”不是本类数据的列，已忽略"));
    let export = dir.path().join("back.xlsx");
    ok(taizhang(
        &db,
        &["export", "projects", "--year", "2018", "--unit", "区财政局", "--out", export.to_str().unwrap()],
    ));
    let rows = cells(&export);
    let xm2 = rows.iter().find(|r| r[0] == "XM-2").expect("XM-2 exported");
    // 2,000亿元 = 20000000万元; category from the merged cell; date from the date cell.
    assert_eq!(xm2[6], "20000000");
    assert_eq!(xm2[2], "产业发展");
    assert_eq!(xm2[8], "6000");
    assert_eq!(xm2[9], "2018-03-02");
    assert_eq!(xm2[17], "亿元以上、出彩项目");
}

#[test]
fn export_import_export_round_trips_every_kind() {
    let source = common::demo();
    let target = common::initialised();
    let dir = tempfile::tempdir().unwrap();
    // Units first, then what refers to them.
    for kind in ["units", "catalogue", "indicators", "targets", "projects", "progress", "tasks", "honours"] {
        let first = dir.path().join(format!("{kind}-1.xlsx"));
        let second = dir.path().join(format!("{kind}-2.xlsx"));
        ok(taizhang(&source, &["export", kind, "--year", "2017", "--out", first.to_str().unwrap()]));
        let imported = ok(taizhang(&target, &["import", kind, first.to_str().unwrap(), "--year", "2017"]));
        assert!(imported.contains("变更0条"), "{kind}: {imported}");
        ok(taizhang(&target, &["export", kind, "--year", "2017", "--out", second.to_str().unwrap()]));
        assert_eq!(cells(&first), cells(&second), "{kind} changed in the round trip");
        // Idempotent: the same file again changes nothing.
        let again = ok(taizhang(&target, &["import", kind, first.to_str().unwrap(), "--year", "2017", "--dry-run"]));
        assert!(again.contains("新增0条，变更0条"), "{kind}: {again}");
    }
}

#[test]
fn a_dry_run_counts_changes_without_writing() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let rows = vec![
        good_progress(),
        vec![S("ZD2017-001"), S("2017-12"), N(2600.0), N(31200.0), N(31200.0), S("按计划推进"), Empty],
    ];
    let path = workbook(dir.path(), "p.xlsx", "进度", PROGRESS, &rows);
    let dry = ok(taizhang(&db, &["import", "progress", path.to_str().unwrap(), "--dry-run"]));
    assert!(dry.contains("试运行") && dry.contains("新增1条，变更0条，未变1条"), "{dry}");
    let real = ok(taizhang(&db, &["import", "progress", path.to_str().unwrap()]));
    assert!(real.contains("新增1条"), "the dry run wrote nothing: {real}");
    let again = ok(taizhang(&db, &["import", "progress", path.to_str().unwrap()]));
    assert!(again.contains("新增0条，变更0条，未变2条"), "{again}");
}

#[test]
fn templates_and_the_ledger_open_in_a_reader() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    for kind in ["units", "catalogue", "indicators", "targets", "projects", "progress", "tasks", "honours"] {
        let path = dir.path().join(format!("{kind}-template.xlsx"));
        ok(taizhang(&db, &["export", kind, "--template", "--out", path.to_str().unwrap()]));
        let rows = cells(&path);
        assert_eq!(rows.len(), 1, "{kind}: a template is its header row");
    }
    let ledger = dir.path().join("ledger.xlsx");
    ok(taizhang(&db, &["export", "ledger", "--period", "2017-06", "--out", ledger.to_str().unwrap()]));
    let rows = cells(&ledger);
    assert_eq!(rows[0][0], "二七区重点项目建设台账（2017年1-6月）");
    assert_eq!(rows[1][13], "年初至报告期累计(万元)");
    let total = rows.iter().find(|r| r[1] == "合计").expect("合计 row");
    assert_eq!(total[2], "150个项目");
    let subtotals = rows.iter().filter(|r| r[1].ends_with("小计")).count();
    assert_eq!(subtotals, 6, "one 小计 per category");
    let missing = taizhang(&db, &["export", "ledger", "--out", ledger.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--period"));

    // As of June 2018, which nobody has reported yet: May's totals carried, each row marked.
    let total_of = |period: &str| {
        let path = dir.path().join(format!("ledger-{period}.xlsx"));
        ok(taizhang(&db, &["export", "ledger", "--period", period, "--year", "2018", "--out", path.to_str().unwrap()]));
        let rows = cells(&path);
        (rows.iter().find(|r| r[1] == "合计").unwrap()[13].clone(), rows)
    };
    let (may, _) = total_of("2018-05");
    let (june, rows) = total_of("2018-06");
    assert_eq!(june, may, "a month nobody reported is never zero");
    let carried = rows.iter().find(|r| r[18].starts_with("（6月未报，按1-5月累计计）")).expect("a carried row");
    assert_eq!(carried[12], "", "no month figure for a month not reported");
}

/// A progress sheet of `projects` new projects × 12 months of 2018 (many chunks of the
/// import's pipeline), YTD runs consistent; `spoil` may change a row before it is written.
fn big_progress(dir: &Path, projects: usize, spoil: impl Fn(usize, &mut [String])) -> PathBuf {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("进度").unwrap();
    for (c, h) in PROGRESS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let mut r = 1;
    for p in 0..projects {
        for m in 1..=12u32 {
            let mut row = vec![
                format!("BIG{p:04}"),
                format!("2018-{m:02}"),
                "10".to_string(),
                (10 * m).to_string(),
                (10 * m).to_string(),
                "按计划推进".to_string(),
            ];
            spoil(r as usize, &mut row);
            for (c, v) in row.iter().enumerate() {
                match v.parse::<f64>() {
                    Ok(n) if c >= 2 => ws.write_number(r, c as u16, n).unwrap(),
                    _ => ws.write_string(r, c as u16, v).unwrap(),
                };
            }
            r += 1;
        }
    }
    let path = dir.join(format!("big-{}.xlsx", r));
    wb.save(&path).unwrap();
    path
}

#[test]
fn a_large_file_is_checked_and_written_in_chunks_yet_lands_whole_or_not_at_all() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let projects = 1200; // 14,400 progress rows: ten chunks
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("项目").unwrap();
    for (c, h) in ["项目编码", "项目名称", "总投资(万元)", "责任单位"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for p in 0..projects {
        let r = p as u32 + 1;
        ws.write_string(r, 0, format!("BIG{p:04}")).unwrap();
        ws.write_string(r, 1, format!("大文件项目{p}")).unwrap();
        ws.write_number(r, 2, 1000.0).unwrap();
        ws.write_string(r, 3, "区发展改革委").unwrap();
    }
    let project_file = dir.path().join("projects.xlsx");
    wb.save(&project_file).unwrap();
    let out = ok(taizhang(&db, &["import", "projects", project_file.to_str().unwrap(), "--year", "2018"]));
    assert!(out.contains("新增1200条"), "{out}");
    let before = fingerprint(&db, dir.path());

    // Wrong only near the end: a text number in the last chunk, and a YTD that goes down in
    // the last row (found only when the whole file has been read).
    let last = projects * 12;
    let bad = big_progress(dir.path(), projects, |r, row| {
        if r == last - 20 {
            row[2] = "1O".into();
        }
        if r == last {
            row[3] = "5".into();
            row[4] = "5".into();
        }
    });
    let out = taizhang(&db, &["import", "progress", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    let near_end = format!("进度!R{} 当月完成投资(万元)=\"1O\": 不是数字", last - 20 + 1);
    let last_row = format!("进度!R{} 年初至报告期累计(万元)=\"5\": 比上月累计 110 少", last + 1);
    assert!(err.contains(&near_end) && err.contains(&last_row), "{err}");
    assert_eq!(fingerprint(&db, dir.path()), before, "rows of earlier chunks were kept");

    // The same file, good: every run of months checks out across chunk boundaries.
    let good = big_progress(dir.path(), projects, |_, _| {});
    let out = ok(taizhang(&db, &["import", "progress", good.to_str().unwrap()]));
    assert!(out.contains("14400行：新增14400条，变更0条，未变0条"), "{out}");
    let again = ok(taizhang(&db, &["import", "progress", good.to_str().unwrap(), "--dry-run"]));
    assert!(again.contains("新增0条，变更0条，未变14400条"), "{again}");
}

#[test]
fn a_project_listed_once_per_plan_year_keeps_every_years_plan() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let year_row = |year: f64, planned: f64| {
        let mut row = good_project();
        row[5] = N(year);
        row[6] = N(planned);
        row[10] = S("出彩项目、亿元以上");
        row
    };
    let path =
        workbook(dir.path(), "years.xlsx", "项目", PROJECTS, &[year_row(2018.0, 1000.0), year_row(2019.0, 3000.0)]);
    let out = ok(taizhang(&db, &["import", "projects", path.to_str().unwrap()]));
    assert!(out.contains("新增2条"), "{out}");
    for (year, planned) in [("2018", "1000"), ("2019", "3000")] {
        let file = dir.path().join(format!("p{year}.xlsx"));
        ok(taizhang(&db, &["export", "projects", "--year", year, "--out", file.to_str().unwrap()]));
        let rows = cells(&file);
        let row = rows.iter().find(|r| r.first().map(String::as_str) == Some("NEW-001")).unwrap();
        assert!(row.iter().any(|c| c == planned), "{year}: {row:?}");
        assert!(row.iter().any(|c| c.contains("出彩项目") && c.contains("亿元以上")), "{year}: {row:?}");
    }
    let again = ok(taizhang(&db, &["import", "projects", path.to_str().unwrap()]));
    assert!(again.contains("新增0条，变更0条，未变2条"), "{again}");
}

#[test]
fn every_command_acts_as_the_account_named_by_as() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units.xlsx");
    ok(taizhang(&db, &["export", "units", "--out", units.to_str().unwrap()]));
    let before = fingerprint(&db, dir.path());

    // A unit's reporter may not write the ledger's master data: refused, naming the role.
    let out = taizhang(&db, &["import", "units", units.to_str().unwrap(), "--as", "zjj_reporter"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a reporter's import of units was accepted");
    assert!(err.contains("填报员无权维护台账基础数据"), "{err}");
    assert_eq!(fingerprint(&db, dir.path()), before, "a refused import changed the database");
    // The same file as admin (the default account) is imported: nothing changes in it, and the
    // import is in the audit trail with who, which file and its counts.
    assert!(ok(taizhang(&db, &["import", "units", units.to_str().unwrap()])).contains("变更0条"));
    let log = ok(taizhang(&db, &["imports"]));
    let line = log.lines().nth(1).unwrap_or_default();
    assert!(line.contains("\tadmin\tunits\t") && line.contains("units.xlsx"), "{log}");
    assert!(!taizhang(&db, &["imports", "--as", "zjj_reporter"]).status.success(), "the trail is the admins'");

    // Reads are narrowed to the account's reach: another unit's records and the district's
    // annual summary are refused to a unit's reporter, and allowed to the district leader.
    let other = dir.path().join("other.xlsx");
    let out = taizhang(
        &db,
        &[
            "export",
            "projects",
            "--year",
            "2018",
            "--unit",
            "erqi-dhj",
            "--out",
            other.to_str().unwrap(),
            "--as",
            "zjj_reporter",
        ],
    );
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("erqi-dhj"));
    let out = taizhang(&db, &["report", "annual", "--year", "2017", "--unit", "erqi", "--as", "zjj_reporter"]);
    assert!(!out.status.success(), "a reporter read the district's annual summary");
    // Without a unit, a unit's account gets its own unit's report.
    let own = ok(taizhang(&db, &["report", "annual", "--year", "2017", "--as", "zjj_reporter"]));
    assert!(own.starts_with("# 区住房城乡建设局2017年"), "{own}");
    assert!(
        ok(taizhang(&db, &["report", "annual", "--year", "2017", "--as", "district_leader"])).contains("地区生产总值")
    );
    // A leader reads but does not open rounds.
    let out = taizhang(&db, &["round", "open", "--period", "2018-06", "--as", "district_leader"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("领导无权开启填报轮次"));
}

/// A copy of a workbook with one part's XML changed by `edit` (the others copied as they are).
fn rewritten(source: &Path, target: &Path, part: &str, edit: impl Fn(String) -> String) {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::fs::File::open(source).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(target).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if name == part {
            data = edit(String::from_utf8(data).unwrap()).into_bytes();
        }
        out.start_file(name, options).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap();
}

#[test]
fn hostile_workbooks_are_refused_quickly_naming_what_is_wrong() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let good = workbook(dir.path(), "good.xlsx", "进度", PROGRESS, &[good_progress()]);
    let before = fingerprint(&db, dir.path());
    let sheet = "xl/worksheets/sheet1.xml";
    let claims = dir.path().join("claims.xlsx");
    rewritten(&good, &claims, "xl/sharedStrings.xml", |xml| {
        let at = xml.find("uniqueCount=\"").expect("the writer declares its strings") + "uniqueCount=\"".len();
        let end = at + xml[at..].find('"').unwrap();
        format!("{}100000000000{}", &xml[..at], &xml[end..])
    });
    let merged = dir.path().join("merged.xlsx");
    rewritten(&good, &merged, sheet, |xml| {
        xml.replacen(
            "</sheetData>",
            "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"A2:XFD1048576\"/></mergeCells>",
            1,
        )
    });
    let spaces = dir.path().join("spaces.xlsx");
    rewritten(&good, &spaces, sheet, |xml| {
        xml.replacen("<sheetData>", &format!("<sheetData>{}", " ".repeat(5 << 20)), 1)
    });
    let cases: [(&Path, &str); 3] = [
        (&claims, "共享字符串表声明了100000000000个字符串"),
        (&merged, "合并单元格区域 A2:XFD1048576 覆盖"),
        (&spaces, "连续文本或空白"),
    ];
    for (path, expect) in cases {
        let started = std::time::Instant::now();
        let out = taizhang(&db, &["import", "progress", path.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(expect), "{}: expected «{expect}» in {err}", path.display());
        // Refused before anything is reserved or filled: far under the time a fill would take.
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{}", path.display());
    }
    assert_eq!(fingerprint(&db, dir.path()), before, "a refused workbook changed the database");
}

#[test]
fn a_file_full_of_errors_lists_the_first_two_hundred_and_counts_the_rest() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<Vec<C>> = (0..300).map(|_| vec![S("ZD2018-001"), S("2018-05"), S("十二万"), S("")]).collect();
    let path =
        workbook(dir.path(), "bad.xlsx", "进度", &["项目编码", "报告期", "年初至报告期累计(万元)", "形象进度"], &rows);
    let out = taizhang(&db, &["import", "progress", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("不是数字").count(), 200, "{err}");
    assert!(err.contains("另有100处错误") && err.contains("共300处错误"), "{err}");
}

const VALUES_AS_PUBLISHED: &[&str] =
    &["指标", "单位", "报告期", "数值", "计量单位", "增长率(%)", "数据状态", "来源", "口径", "价格基础"];

#[test]
fn a_revised_figure_keeps_its_history_and_a_blank_cell_changes_nothing() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let sheet = |name: &str, value: C, growth: C, status: &'static str| {
        let row = vec![
            S("社会消费品零售总额"),
            S("二七区"),
            S("2018"),
            value,
            S("亿元"),
            growth,
            S(status),
            S("区统计局"),
            S("全社会"),
            Empty,
        ];
        workbook(dir.path(), name, "指标", VALUES_AS_PUBLISHED, &[row])
    };
    let estimate = sheet("estimate.xlsx", N(474.0), S("11.0"), "初步预计");
    ok(taizhang(&db, &["import", "indicators", estimate.to_str().unwrap()]));
    // The final figure comes without a growth: the stored 11.0 stays.
    let fin = sheet("final.xlsx", N(470.0), Empty, "最终核实");
    ok(taizhang(&db, &["import", "indicators", fin.to_str().unwrap()]));
    let history = ok(taizhang(&db, &["history", "社会消费品零售总额", "--period", "2018"]));
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines[0], "社会消费品零售总额（二七区）数据版本2个", "{history}");
    assert!(lines[2].ends_with("\t474亿元\t11%\t初步预计，全社会\t区统计局"), "{history}");
    assert!(lines[3].ends_with("\t470亿元\t11%\t最终核实，全社会\t区统计局"), "{history}");
    assert!(lines[3].contains("\tadmin\t"), "who wrote it: {history}");

    // Only 清空 empties a stored figure; the past stays listed.
    let cleared = sheet("cleared.xlsx", Empty, S("清空"), "最终核实");
    ok(taizhang(&db, &["import", "indicators", cleared.to_str().unwrap()]));
    let history = ok(taizhang(&db, &["history", "社会消费品零售总额", "--period", "2018"]));
    assert!(history.lines().nth(4).unwrap().ends_with("\t470亿元\t\t最终核实，全社会\t区统计局"), "{history}");

    // A revision beyond 5 % is written, and flagged for a person to look at.
    let revised = sheet("revised.xlsx", N(400.0), Empty, "修订");
    let out = ok(taizhang(&db, &["import", "indicators", revised.to_str().unwrap()]));
    assert!(
        out.contains("数据核对\t2018年\t社会消费品零售总额（二七区）：社会消费品零售总额由470亿元修订为400亿元"),
        "{out}"
    );

    // An unknown status word is a located error, and nothing is written.
    let bad = sheet("bad.xlsx", N(1.0), Empty, "估计数");
    let out = taizhang(&db, &["import", "indicators", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("指标!R2 数据状态=\"估计数\": 数据状态“估计数”无法识别"), "{err}");
    let history = ok(taizhang(&db, &["history", "社会消费品零售总额", "--period", "2018"]));
    assert!(history.starts_with("社会消费品零售总额（二七区）数据版本4个"), "{history}");
}

#[test]
fn targets_are_read_as_programmes_word_them_and_judged_by_their_bound() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let rows = vec![
        vec![S("地区生产总值"), S("二七区"), N(2018.0), Empty, Empty, S("8%以上")],
        vec![S("一般公共预算收入"), S("二七区"), N(2018.0), Empty, Empty, S("不低于7%")],
        vec![S("固定资产投资"), S("二七区"), N(2018.0), Empty, Empty, S("控制在10%以内")],
        vec![S("社会消费品零售总额"), S("二七区"), N(2018.0), Empty, Empty, S("高于全市平均水平")],
    ];
    let path = workbook(dir.path(), "t.xlsx", "目标", TARGETS, &rows);
    ok(taizhang(&db, &["import", "targets", path.to_str().unwrap()]));
    let out = dir.path().join("back.xlsx");
    ok(taizhang(&db, &["export", "targets", "--year", "2018", "--out", out.to_str().unwrap()]));
    let back = cells(&out);
    let row = |name: &str| back.iter().find(|r| r[0] == name).cloned().unwrap();
    assert_eq!(row("地区生产总值")[5..], ["8".to_string(), "以上".into(), String::new()]);
    assert_eq!(row("固定资产投资")[5..], ["10".to_string(), "以内".into(), String::new()]);
    assert_eq!(row("社会消费品零售总额")[5..], [String::new(), String::new(), "高于全市平均水平".into()]);
    let annual = ok(taizhang(&db, &["report", "annual", "--year", "2017"]));
    assert!(annual.contains("地区生产总值增长8%以上"), "{annual}");
    assert!(annual.contains("社会消费品零售总额高于全市平均水平"), "{annual}");
}

const CATALOGUE: &[&str] = &["指标编码", "指标名称", "别名", "计量单位", "汇总方式", "流量/存量", "方向", "表述"];

#[test]
fn a_user_adds_indicators_from_a_catalogue_workbook_and_reports_them() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    // Before: a figure of an indicator outside the catalogue is refused, saying how to add it.
    let income = vec![vec![S("居民人均可支配收入"), S("二七区"), S("2018"), N(35600.0), S("元"), N(8.6), Empty]];
    let values = workbook(dir.path(), "v.xlsx", "指标", VALUES, &income);
    let out = taizhang(&db, &["import", "indicators", values.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("taizhang import catalogue"), "{err}");

    let rows = vec![
        vec![
            S("INCOME_PC"),
            S("居民人均可支配收入"),
            S("人均可支配收入"),
            S("元"),
            S("不汇总"),
            S("流量"),
            S("正向"),
            S("{phrase}达到{value}"),
        ],
        vec![S("UNEMP"), S("城镇登记失业率"), Empty, S("%"), Empty, S("存量"), S("逆向"), S("{phrase}为{value}")],
        vec![S("TAX"), S("税收收入"), Empty, S("亿元"), S("求和"), S("流量"), S("正向"), Empty],
    ];
    let catalogue = workbook(dir.path(), "c.xlsx", "指标目录", CATALOGUE, &rows);
    let out = ok(taizhang(&db, &["import", "catalogue", catalogue.to_str().unwrap()]));
    assert!(out.contains("新增3条"), "{out}");
    ok(taizhang(&db, &["import", "indicators", values.to_str().unwrap()]));
    let history = ok(taizhang(&db, &["history", "人均可支配收入", "--period", "2018"]));
    assert!(history.contains("\t35600元\t8.6%\t"), "found by its alias: {history}");
    let again = ok(taizhang(&db, &["import", "catalogue", catalogue.to_str().unwrap()]));
    assert!(again.contains("新增0条，变更0条，未变3条"), "{again}");

    // A bad word and a name already taken are located errors, and nothing is written.
    let bad = vec![
        vec![S("A1"), S("新指标甲"), Empty, S("亿元"), S("平均"), Empty, Empty, Empty],
        vec![S("A2"), S("新指标乙"), S("地区生产总值"), S("亿元"), Empty, Empty, Empty, Empty],
    ];
    let bad = workbook(dir.path(), "bad.xlsx", "指标目录", CATALOGUE, &bad);
    let out = taizhang(&db, &["import", "catalogue", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("指标目录!R2 汇总方式=\"平均\": 汇总方式“平均”无法识别"), "{err}");
    assert!(err.contains("指标目录!R3 别名=\"地区生产总值\": 指标名称或别名“地区生产总值”同时指向"), "{err}");
    let export = dir.path().join("after.xlsx");
    ok(taizhang(&db, &["export", "catalogue", "--out", export.to_str().unwrap()]));
    assert!(cells(&export).iter().all(|r| r[0] != "A1" && r[0] != "A2"), "nothing of the bad file was written");
}

const HONOURS: &[&str] = &["单位", "年度", "荣誉", "授予机关", "位次", "事项"];

#[test]
fn honours_come_from_excel_and_read_as_the_review_writes_them() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let rows: Vec<Vec<C>> = (2011..=2017)
        .map(|y| vec![S("二七区"), N(f64::from(y)), S("十强县"), S("全省"), S("前三甲"), Empty])
        .chain([vec![S("二七区"), N(2017.0), S("优秀单位"), S("全省"), Empty, S("营商环境评价")]])
        .collect();
    let path = workbook(dir.path(), "h.xlsx", "荣誉", HONOURS, &rows);
    let out = ok(taizhang(&db, &["import", "honours", path.to_str().unwrap()]));
    assert!(out.contains("新增8条"), "{out}");
    let annual = ok(taizhang(&db, &["report", "annual", "--year", "2017"]));
    assert!(annual.contains("连续七年进入全省十强县前三甲"), "{annual}");
    assert!(annual.contains("被评为全省营商环境评价优秀单位"), "{annual}");
    let again = ok(taizhang(&db, &["import", "honours", path.to_str().unwrap()]));
    assert!(again.contains("新增0条，变更0条，未变8条"), "{again}");

    let bad = vec![vec![S("二七区"), N(2017.0), S("十强县"), S("全省"), S("靠前"), Empty]];
    let bad = workbook(dir.path(), "bad.xlsx", "荣誉", HONOURS, &bad);
    let out = taizhang(&db, &["import", "honours", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("荣誉!R2 位次=\"靠前\": 位次“靠前”无法识别"), "{err}");
}

#[test]
fn a_projects_sheet_links_each_project_to_its_work_and_its_actual_dates() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let mut header: Vec<&str> = PROJECTS.to_vec();
    header.extend(["所属工作", "实际开工", "实际竣工"]);
    let row = |node: &'static str| {
        let mut r = good_project();
        r.extend([S(node), C::Date(2018, 3, 1), Empty]);
        r
    };
    let bad = workbook(dir.path(), "bad.xlsx", "项目", &header, &[row("不存在的工作")]);
    let refused = taizhang(&db, &["import", "projects", bad.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("项目!R2 所属工作=\"不存在的工作\": 所属工作（计划层级）不存在")
    );
    let good = workbook(dir.path(), "good.xlsx", "项目", &header, &[row("深化“三定四推五落实”项目运作机制")]);
    ok(taizhang(&db, &["import", "projects", good.to_str().unwrap()]));
    let file = dir.path().join("back.xlsx");
    ok(taizhang(&db, &["export", "projects", "--year", "2018", "--out", file.to_str().unwrap()]));
    let rows = cells(&file);
    let back = rows.iter().find(|r| r.first().map(String::as_str) == Some("NEW-001")).unwrap();
    assert!(back.iter().any(|c| c == "2018-A1-M2") && back.iter().any(|c| c == "2018-03-01"), "{back:?}");
    // A later sheet without the columns keeps the link and the date.
    let plain = workbook(dir.path(), "plain.xlsx", "项目", PROJECTS, &[good_project()]);
    ok(taizhang(&db, &["import", "projects", plain.to_str().unwrap()]));
    ok(taizhang(&db, &["export", "projects", "--year", "2018", "--out", file.to_str().unwrap()]));
    let rows = cells(&file);
    let back = rows.iter().find(|r| r.first().map(String::as_str) == Some("NEW-001")).unwrap();
    assert!(back.iter().any(|c| c == "2018-A1-M2") && back.iter().any(|c| c == "2018-03-01"), "{back:?}");
}

#[test]
fn a_progress_sheets_problems_column_raises_each_problem_once() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let row = |month: &'static str, ytd: f64, problem: &'static str| {
        vec![S("ZD2017-001"), S(month), N(100.0), N(ytd), N(31300.0 + ytd), S("主体施工"), S(problem)]
    };
    // A year's sheet repeats the same open problem every month; "无" is no problem.
    let rows = [row("2018-01", 100.0, "征迁未完成"), row("2018-02", 200.0, "征迁未完成"), row("2018-03", 300.0, "无")];
    let path = workbook(dir.path(), "progress.xlsx", "进度", PROGRESS, &rows);
    ok(taizhang(&db, &["import", "progress", path.to_str().unwrap()]));
    let listed = ok(taizhang(&db, &["problem", "list"]));
    assert_eq!(listed.matches("征迁未完成").count(), 1, "{listed}");
    assert!(!listed.contains("\t无\t"), "{listed}");
    // Importing the sheet again raises nothing new while the problem stays open.
    ok(taizhang(&db, &["import", "progress", path.to_str().unwrap()]));
    assert_eq!(ok(taizhang(&db, &["problem", "list"])).matches("征迁未完成").count(), 1);
}

#[test]
fn an_export_without_a_year_takes_the_latest_year_with_data() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("projects.xlsx");
    let said = ok(taizhang(&db, &["export", "projects", "--out", out.to_str().unwrap()]));
    // The demo's programme is 2018's; the clock's year has none.
    assert!(said.contains("导出有数据的最近年度 2018年"), "{said}");
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    let rows = book.worksheet_range("项目").unwrap().rows().count();
    assert!(rows > 100, "{rows} rows");
}

/// 基层党建 workbooks through `party import`: organisations (a 所属单位 by name), a bad cell
/// named by sheet, row and header with nothing written, meetings refused when dated after
/// the day given, checklist scores above an item's points refused, then all of it landing.
#[test]
fn party_workbooks_import_organisations_meetings_and_scores_naming_every_bad_cell() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let header = ["组织编码", "组织名称", "层级", "类型", "上级组织编码", "所属单位", "书记", "党员人数"];
    let org = |members: C| {
        vec![
            S("HHL-S3"),
            S("淮河路第3社区党支部"),
            S("党支部"),
            S("社区"),
            S("EQ-HHL-DGW"),
            S("淮河路街道"),
            S("赵书记"),
            members,
        ]
    };
    let bad = workbook(dir.path(), "orgs-bad.xlsx", "党组织", &header, &[org(S("十二"))]);
    let out = taizhang(&db, &["party", "import", bad.to_str().unwrap(), "--what", "orgs"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("党组织!R2 党员人数=\"十二\": 不是数字"), "{err}");
    assert!(!ok(taizhang(&db, &["party", "orgs"])).contains("HHL-S3"), "nothing written");
    let good = workbook(dir.path(), "orgs.xlsx", "党组织", &header, &[org(N(12.0))]);
    assert!(
        ok(taizhang(&db, &["party", "import", good.to_str().unwrap(), "--what", "orgs"])).contains("已导入党组织1个")
    );
    assert!(
        ok(taizhang(&db, &["party", "orgs"]))
            .contains("HHL-S3\t淮河路第3社区党支部\t党支部\t社区\tEQ-HHL-DGW\t淮河路街道")
    );

    let header = ["组织编码", "会议类型", "日期", "参会人数", "主题"];
    let rows = [
        vec![S("HHL-S3"), S("支委会"), C::Date(2018, 12, 3), N(5.0), S("学习传达")],
        vec![S("HHL-S3"), S("主题党日"), S("2019-01-15"), N(11.0), S("志愿服务")],
    ];
    let meetings = workbook(dir.path(), "meetings.xlsx", "三会一课", &header, &rows);
    let path = meetings.to_str().unwrap();
    let out = taizhang(&db, &["party", "import", path, "--what", "meetings", "--today", "2018-12-31"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("淮河路第3社区党支部：主题党日的日期2019-01-15晚于今天2018-12-31"), "{err}");
    let lights = ok(taizhang(&db, &["party", "meetings", "--month", "2018-12", "--as-of", "2019-01-02"]));
    assert!(lights.contains("淮河路第3社区党支部\t淮河路街道\t红灯\t本月未召开支委会"), "nothing written: {lights}");
    ok(taizhang(&db, &["party", "import", path, "--what", "meetings", "--today", "2019-01-31"]));
    let lights = ok(taizhang(&db, &["party", "meetings", "--month", "2018-12", "--as-of", "2019-01-02"]));
    assert!(lights.contains("淮河路第3社区党支部\t淮河路街道\t红灯\t本月未召开党小组会"), "{lights}");

    let header = ["组织编码", "项目编号", "得分", "佐证材料"];
    let rows = [vec![S("HHL-S3"), S("1.1"), N(9.0), S("换届批复")], vec![S("HHL-S3"), S("1.2"), N(6.0), Empty]];
    let scores = workbook(dir.path(), "scores.xlsx", "考评得分", &header, &rows);
    let out = taizhang(&db, &["party", "import", scores.to_str().unwrap(), "--what", "scores", "--year", "2018"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("党组织HHL-S3：第1.1项“组织设置规范，按期换届”的得分9超过该项分值8"), "{err}");
    let rows = [vec![S("HHL-S3"), S("1.1"), N(8.0), S("换届批复")], rows[1].clone()];
    let scores = workbook(dir.path(), "scores.xlsx", "考评得分", &header, &rows);
    let done = ok(taizhang(&db, &["party", "import", scores.to_str().unwrap(), "--what", "scores", "--year", "2018"]));
    assert!(done.contains("已导入1个党组织的得分2项"), "{done}");
    let sheet = ok(taizhang(&db, &["party", "sheet", "HHL-S3", "--year", "2018"]));
    assert!(sheet.contains("1.1\t组织设置规范，按期换届\t8分\t8分\t支部自评\t换届批复"), "{sheet}");
}

/// 数字城管 from Excel through `case import`: grid cells with their outlines as WKT (a broken
/// one named by its cell), then a month of an old system's cases — closed on time, closed
/// late, declined, hung up, still with its unit — refused whole while one row's times run
/// backwards, then imported and evaluated like cases worked here.
#[test]
fn an_old_systems_grid_and_month_of_cases_are_imported_and_evaluated() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let header = ["网格编码", "网格名称", "街道", "社区", "边界"];
    let square = "POLYGON ((113.66 34.70, 113.67 34.70, 113.67 34.71, 113.66 34.71, 113.66 34.70))";
    let bad = workbook(
        dir.path(),
        "grid-bad.xlsx",
        "网格",
        &header,
        &[vec![S("EQ-MZ-01"), S("马寨镇第1网格"), S("马寨镇"), S("马寨社区"), S("POLYGON ((113.66 34.70, 113.67")]],
    );
    let out = taizhang(&db, &["case", "import", bad.to_str().unwrap(), "--what", "grid"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("网格!R2 边界="), "{err}");
    let grid = workbook(
        dir.path(),
        "grid.xlsx",
        "网格",
        &header,
        &[vec![S("EQ-MZ-01"), S("马寨镇第1网格"), S("马寨镇"), S("马寨社区"), S(square)]],
    );
    assert!(
        ok(taizhang(&db, &["case", "import", grid.to_str().unwrap(), "--what", "grid"])).contains("已导入单元网格1个")
    );

    let header = [
        "原案件编号",
        "小类编码",
        "经度",
        "纬度",
        "地址",
        "问题描述",
        "上报人",
        "上报时间",
        "立案时间",
        "派遣时间",
        "处置单位",
        "处置时限",
        "处置时间",
        "结案时间",
        "返工次数",
        "状态说明",
    ];
    let case = |id: &'static str, times: [&'static str; 6], unit: &'static str, reworks: f64, note: &'static str| {
        let t = |s: &'static str| if s.is_empty() { Empty } else { S(s) };
        vec![
            S(id),
            S("S-SR-01"),
            N(113.665),
            N(34.705),
            S("马寨镇"),
            S("暴露垃圾"),
            S("老系统监督员"),
            t(times[0]),
            t(times[1]),
            t(times[2]),
            t(unit),
            t(times[3]),
            t(times[4]),
            t(times[5]),
            N(reworks),
            t(note),
        ]
    };
    let on_time = case(
        "M1",
        [
            "2018-05-02 09:00",
            "2018-05-02 09:05",
            "2018-05-02 09:10",
            "2018-05-02 11:10",
            "2018-05-02 10:30",
            "2018-05-02 16:00",
        ],
        "区城市管理局",
        0.0,
        "",
    );
    let late = case(
        "M2",
        [
            "2018-05-03 09:00",
            "2018-05-03 09:05",
            "2018-05-03 09:10",
            "2018-05-03 11:10",
            "2018-05-03 15:00",
            "2018-05-04 10:00",
        ],
        "erqi-cgj",
        1.0,
        "",
    );
    let declined = case("M3", ["2018-05-04 09:00", "", "", "", "", ""], "", 0.0, "不予立案：非城管职责");
    let hung = case(
        "M4",
        ["2018-05-05 09:00", "2018-05-05 09:05", "2018-05-05 09:10", "2018-05-05 11:10", "", ""],
        "erqi-cgj",
        0.0,
        "挂账",
    );
    let backwards = case(
        "M5",
        [
            "2018-05-06 09:00",
            "2018-05-06 09:05",
            "2018-05-06 09:10",
            "2018-05-06 11:10",
            "2018-05-06 10:00",
            "2018-05-06 09:30",
        ],
        "erqi-cgj",
        0.0,
        "",
    );
    let rows = [on_time.clone(), late.clone(), declined.clone(), hung.clone(), backwards];
    let path = workbook(dir.path(), "cases-bad.xlsx", "案件", &header, &rows);
    let out = taizhang(&db, &["case", "import", path.to_str().unwrap(), "--what", "cases"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("案件!R6：结案时间2018-05-06 09:30早于处置时间2018-05-06 10:00"), "{err}");
    assert!(ok(taizhang(&db, &["case", "list", "--month", "2018-05"])).contains("共0件"), "nothing written");
    // A 返工次数 in words is an error at its cell, not a blank read as none.
    let mut worded = on_time.clone();
    worded[14] = S("两次");
    let path = workbook(dir.path(), "cases-worded.xlsx", "案件", &header, &[worded]);
    let out = taizhang(&db, &["case", "import", path.to_str().unwrap(), "--what", "cases"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("案件!R2 返工次数=\"两次\": 不是数字"), "{err}");
    let path = workbook(dir.path(), "cases.xlsx", "案件", &header, &[on_time, late, declined, hung]);
    assert!(
        ok(taizhang(&db, &["case", "import", path.to_str().unwrap(), "--what", "cases"])).contains("已导入历史案件4件")
    );
    // 马寨镇 in May: 4 reported, 3 filed, 2 due (the hung-up one is not), 2 closed, 1 on time.
    let may = ok(taizhang(&db, &["--as", "zbz", "case", "evaluate", "--month", "2018-05"]));
    assert!(may.contains("1\t马寨镇\t4\t3\t3\t2\t2\t1\t1\t100.00%\t50.00%\t50.00%"), "{may}");
}
