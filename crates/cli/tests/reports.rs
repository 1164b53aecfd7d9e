//! Reports as leaders read them: the briefing held by a golden file, the assessment league
//! table, and every format opened by an independent reader (zip + XML for .docx, calamine
//! for .xlsx). A changed report fails with a line diff; run with UPDATE_EXPECT=1 to rewrite
//! the golden files after a deliberate change, and review them in the commit.

#![allow(clippy::unwrap_used)] // a failing test says where by panicking

use std::io::Read;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
mod common;

use common::{ok, taizhang};

const BRIEFING: &[&str] = &["report", "briefing", "--period", "2018-05", "--today", "2018-06-05"];

#[test]
fn the_may_2018_briefing_is_held_by_its_golden_file() {
    let db = common::demo();
    let text = ok(taizhang(&db, BRIEFING));
    assert!(
        text.contains("1-5月，全区165个重点项目完成投资184.66亿元，占年度计划的20.5%，落后序时进度21.2个百分点，"),
        "{text}"
    );
    // Reviewed by hand against the demo's rows: 19 of 165 projects at or above 5/12 of their
    // plan; the 续建/前期 split; each category against the whole (产业发展 21.7 − 20.5).
    for line in [
        "达到或超过序时进度的项目19个，占11.5%。",
        "分建设性质看，续建项目155个，完成年度计划的21.7%；前期项目10个，完成年度计划的0%。",
        "| 产业发展（2个项目未报） | 32 | 1746560 | 75670 | 378302 | 21.7 | -20.0 | 1.2 |",
    ] {
        assert!(text.contains(line), "{line}");
    }
    expect_test::expect_file!["golden/briefing-2018-05.md"].assert_eq(&text);
}

#[test]
fn a_larger_city_with_every_kind_of_project_and_missing_reports_is_held_by_its_golden_file() {
    // The generated city (新开工 and 续建, two years), two of its 续建 projects turned 前期 and
    // three projects' June reports left out.
    let db = common::fresh();
    ok(taizhang(&db, &["gen", "--districts", "1", "--projects-per-district", "80", "--years", "2", "--seed", "11"]));
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::{Connection, Executor};
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        conn.execute("UPDATE projects SET nature = '前期' WHERE code IN ('d01-p00001', 'd01-p00002')").await.unwrap();
        conn.execute(
            "DELETE FROM project_progress WHERE period = '2017-06'
             AND project_id IN (SELECT id FROM projects WHERE code IN ('d01-p00003', 'd01-p00004', 'd01-p00005'))",
        )
        .await
        .unwrap();
    });
    // Edited by hand behind the program's back: the roll-ups say so, and are rebuilt.
    let stale = taizhang(&db, &["rollup", "verify"]);
    assert!(!stale.status.success() && String::from_utf8_lossy(&stale.stderr).contains("汇总数据与明细不一致"));
    ok(taizhang(&db, &["rollup", "rebuild"]));
    assert!(ok(taizhang(&db, &["rollup", "verify"])).contains("汇总数据核对一致"));
    let text = ok(taizhang(&db, &["report", "briefing", "--period", "2017-06", "--today", "2017-07-05"]));
    // Reviewed: the three carried at their May 累计 and named; last June's rate beside this one.
    for line in ["6月有", "3个项目未报，累计数按其最近一次报送数计。", "完成率高于去年同期", "前期项目2个"]
    {
        assert!(text.contains(line), "{line}\n{text}");
    }
    expect_test::expect_file!["golden/briefing-city-2017-06.md"].assert_eq(&text);
}

#[test]
fn the_assessment_league_table_shows_how_every_point_was_derived() {
    let db = common::demo();
    let scheme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/erqi/assessment-2018-05.toml");
    let text = ok(taizhang(&db, &["report", "assessment", "--scheme", scheme.to_str().unwrap()]));
    assert!(text.contains("| 1 | 大学路街道 |"), "{text}");
    assert!(text.contains("未评分，计0分"), "a unit without a manual score is scored 0 with a note: {text}");
    // One number of decimals in a column: 60 beside 25.12 is 60.00.
    assert!(text.contains("| 大学路街道 | 投资完成率排名 | 60.00 | 实际27.9，排名第1，得60分 |"), "{text}");
    expect_test::expect_file!["golden/assessment-2018-05.md"].assert_eq(&text);
}

fn docx_xml(path: &Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    xml
}

#[test]
fn every_report_comes_out_as_word_excel_and_html() {
    let db = common::demo();
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();

    ok(taizhang(&db, &["report", "annual", "--year", "2017", "--format", "docx", "--out", &out("annual.docx")]));
    let xml = docx_xml(&dir.path().join("annual.docx"));
    assert!(xml.contains("全年地区生产总值完成567亿元，增长9%"), "the prose is in the Word body");
    for font in ["方正小标宋简体", "仿宋_GB2312", "黑体"] {
        assert!(xml.contains(font), "{font}: fonts as 公文 (GB/T 9704) use");
    }
    assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838" />"#), "A4");
    assert!(xml.contains(r#"w:top="2098" w:right="1474" w:bottom="1984" w:left="1587""#), "margins 37/26/35/28 mm");

    let mut args = BRIEFING.to_vec();
    args.extend(["--format", "docx", "--out"]);
    let briefing_docx = out("briefing.docx");
    args.push(&briefing_docx);
    ok(taizhang(&db, &args));
    let xml = docx_xml(&dir.path().join("briefing.docx"));
    assert!(xml.contains("<w:tbl>") && xml.contains("责任单位完成情况排名"), "tables are Word tables");
    assert_eq!(xml.matches("<w:tblHeader />").count(), 3, "each table's header row repeats on every page");
    assert!(xml.contains("一、总体情况") && xml.contains("二、责任单位排名"), "headings are numbered");
    assert!(xml.contains(r#"<w:jc w:val="right" />"#), "numbers and the signature are right-aligned");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(dir.path().join("briefing.docx")).unwrap()).unwrap();
    let mut footer = String::new();
    zip.by_name("word/footer1.xml").unwrap().read_to_string(&mut footer).unwrap();
    assert!(footer.contains("PAGE") && footer.contains("— "), "page numbers — 1 —: {footer}");

    let mut args = BRIEFING.to_vec();
    let briefing_xlsx = out("briefing.xlsx");
    args.extend(["--format", "xlsx", "--out", &briefing_xlsx]);
    ok(taizhang(&db, &args));
    let mut wb: Xlsx<_> = open_workbook(dir.path().join("briefing.xlsx")).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names[0], "正文");
    assert!(names.iter().any(|n| n.contains("分类别完成情况")), "{names:?}");
    let text = wb.worksheet_range("正文").unwrap();
    assert_eq!(text.get((0, 0)), Some(&Data::String("二七区重点项目建设调度通报（2018年1-5月）".into())));
    let table = wb.worksheet_range(&names[1]).unwrap();
    assert!(
        table.rows().skip(1).any(|r| matches!(r.get(2), Some(Data::Float(_)) | Some(Data::Int(_)))),
        "figures are numbers"
    );

    let mut args = BRIEFING.to_vec();
    args.extend(["--format", "html"]);
    let html = ok(taizhang(&db, &args));
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("<svg") && html.contains("<table>"),
        "{}",
        &html[..200]
    );

    let refused = taizhang(&db, &["report", "annual", "--year", "2017", "--format", "docx"]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--out"));
    let quarterly = taizhang(&db, &["report", "briefing", "--period", "2018Q2"]);
    assert!(String::from_utf8_lossy(&quarterly.stderr).contains("按月编制"));
}
