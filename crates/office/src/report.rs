//! Reports as Word (.docx) and Excel (.xlsx): the composed [`Document`] laid out as
//! government documents are — title in 宋体, body in 仿宋 with first-line indent, headings in
//! 黑体, bordered tables; in Excel, one sheet for the text and one per table with number formats.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, Footer, HeightRule, LineSpacing, LineSpacingType, PageMargin, PageNum, Paragraph, Run,
    RunFonts, Table as DocxTable, TableCell as DocxCell, TableLayoutType, TableRow, VAlignType, WidthType,
};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use taizhang_core::report::{Document, TableCell};

fn run(text: &str, font: &str, half_points: usize) -> Run {
    Run::new().add_text(text).fonts(RunFonts::new().east_asia(font).ascii(font).hint("eastAsia")).size(half_points)
}

/// How an office lays out its documents beyond GB/T 9704's page: the red 版头, the 文号 and
/// the style of the date.
#[derive(Debug, Clone, Default)]
pub struct DocStyle {
    pub red_header: Option<String>,
    pub doc_number: Option<String>,
    pub chinese_date: bool,
}

// GB/T 9704-2012 in twips (1 mm = 56.7 twips) and half-points.
const A4: (u32, u32) = (11906, 16838);
const MARGIN_TOP: i32 = 2098; // 37 mm
const MARGIN_BOTTOM: i32 = 1984; // 35 mm
const MARGIN_LEFT: i32 = 1587; // 28 mm
const MARGIN_RIGHT: i32 = 1474; // 26 mm
/// The page number sits 7 mm under the text: 28 mm above the bottom edge.
const FOOTER: i32 = 1587;
/// 22 lines in the 225 mm of text height.
const LINE_PITCH: i32 = 579;
/// The text width: 156 mm.
const TEXT_WIDTH: usize = 8845;
const SIZE_2: usize = 44; // 二号
const SIZE_3: usize = 32; // 三号
const SIZE_4: usize = 28; // 四号
const SIZE_5: usize = 21; // 五号
const SIZE_SMALL_5: usize = 18; // 小五
const TITLE_FONT: &str = "方正小标宋简体";
const BODY_FONT: &str = "仿宋_GB2312";
const HEADING_FONT: &str = "黑体";
const SUBHEADING_FONT: &str = "楷体_GB2312";
const TABLE_FONT: &str = "宋体";

fn exact_lines() -> LineSpacing {
    LineSpacing::new().line_rule(LineSpacingType::Exact).line(LINE_PITCH)
}

/// "— 1 —" in 四号 宋体, at the outer edge: right on odd pages, left on even ones.
fn page_number(align: AlignmentType) -> Footer {
    let dash = |t: &str| run(t, TABLE_FONT, SIZE_4);
    Footer::new().add_paragraph(
        Paragraph::new().align(align).add_run(dash("— ")).add_page_num(PageNum::new()).add_run(dash(" —")),
    )
}

/// "一、" "二、" …: a heading that does not number itself yet.
fn numbered(n: usize, heading: &str) -> String {
    let already = heading.chars().take_while(|c| "一二三四五六七八九十".contains(*c)).count();
    if already > 0 && heading.chars().nth(already) == Some('、') {
        heading.to_string()
    } else {
        format!("{}、{heading}", taizhang_core::numerals::zh_numeral(n as u64))
    }
}

/// How wide a text is, in half-width characters (a Chinese character is two).
fn text_width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Column widths and the font size of a table, from its content: a number column as wide as
/// its widest number (numbers never wrap), a header as wide as half its text (it may take two
/// lines), a text column at least as wide as its longest name (the words before a "（" note).
/// A table too wide for the page in 五号 is set in 小五; then the text columns give way.
fn table_layout(t: &taizhang_core::report::Table) -> (Vec<usize>, usize) {
    let columns = t.headers.len();
    let mut numeric = vec![true; columns];
    let mut natural: Vec<usize> = t.headers.iter().map(|h| text_width(h).div_ceil(2).max(8)).collect();
    let mut name: Vec<usize> = vec![8; columns];
    for row in &t.rows {
        for (i, c) in row.iter().enumerate().take(columns) {
            let text = c.text();
            if matches!(c, TableCell::Text(_)) && !text.is_empty() {
                numeric[i] = false;
                name[i] = name[i].max(text_width(text.split('（').next().unwrap_or_default()).min(24));
            }
            natural[i] = natural[i].max(text_width(&text).min(60));
        }
    }
    // Twips of a half-width character at a size (a little over half an em, for fallback
    // fonts with wide digits), plus the cell's margins.
    let at = |chars: usize, half_points: usize| chars * half_points * 6 + 300;
    let size = if natural.iter().map(|w| at(*w, SIZE_5)).sum::<usize>() <= TEXT_WIDTH { SIZE_5 } else { SIZE_SMALL_5 };
    let widths: Vec<usize> = natural.iter().map(|w| at(*w, size)).collect();
    let fixed: usize = widths.iter().zip(&numeric).filter(|(_, n)| **n).map(|(w, _)| w).sum();
    let flexible: usize = widths.iter().zip(&numeric).filter(|(_, n)| !**n).map(|(w, _)| w).sum();
    if fixed + flexible <= TEXT_WIDTH || flexible == 0 {
        return (widths, size);
    }
    let room = TEXT_WIDTH.saturating_sub(fixed);
    let widths = widths
        .iter()
        .zip(&numeric)
        .zip(&name)
        .map(|((w, n), least)| if *n { *w } else { (w * room / flexible).max(at(*least, size)) })
        .collect();
    (widths, size)
}

/// A long title in two lines, broken before its bracket (公文 titles are set in a pyramid).
fn title_lines(title: &str) -> Vec<&str> {
    match title.find('（') {
        Some(at) if title.chars().count() > 18 && at > 0 => vec![&title[..at], &title[at..]],
        _ => vec![title],
    }
}

/// The document as a .docx in 公文 format (GB/T 9704-2012): A4, margins 37/35/28/26 mm, 22
/// lines a page; title 二号 小标宋; body 三号 仿宋 with a two-character first-line indent;
/// headings numbered 一、 in 黑体; tables in 五号 宋体 with their header row repeated on each
/// page and numbers right-aligned; page numbers "— 1 —" at the outer bottom edge; the issuer
/// and the date at the end, right-aligned.
pub fn docx(doc: &Document) -> Result<Vec<u8>, String> {
    docx_with(doc, &DocStyle::default())
}

pub fn docx_with(doc: &Document, style: &DocStyle) -> Result<Vec<u8>, String> {
    let body = |text: &str| {
        Paragraph::new().first_line_chars(200).line_spacing(exact_lines()).add_run(run(text, BODY_FONT, SIZE_3))
    };
    let centred = |text: &str, font: &str, size: usize| {
        Paragraph::new().align(AlignmentType::Center).line_spacing(exact_lines()).add_run(run(text, font, size))
    };
    let mut d = Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(851)
                .footer(FOOTER),
        )
        .footer(page_number(AlignmentType::Right))
        .even_footer(page_number(AlignmentType::Left));
    if let Some(header) = &style.red_header {
        d = d.add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(run(header, TITLE_FONT, 72).color("FF0000")),
        );
        if let Some(number) = &style.doc_number {
            d = d.add_paragraph(centred(number, BODY_FONT, SIZE_3));
        }
        d = d.add_paragraph(centred("", BODY_FONT, SIZE_3));
    }
    for line in title_lines(&doc.title) {
        d = d.add_paragraph(centred(line, TITLE_FONT, SIZE_2));
    }
    if let Some(sub) = &doc.subtitle {
        d = d.add_paragraph(centred(sub, SUBHEADING_FONT, SIZE_3));
    }
    d = d.add_paragraph(centred("", BODY_FONT, SIZE_3));
    let mut n = 0;
    for s in &doc.sections {
        // A section without a heading (a letter's opening) is its paragraphs only.
        if !s.heading.is_empty() {
            n += 1;
            d = d.add_paragraph(Paragraph::new().first_line_chars(200).line_spacing(exact_lines()).add_run(run(
                &numbered(n, &s.heading),
                HEADING_FONT,
                SIZE_3,
            )));
        }
        for p in &s.paragraphs {
            d = d.add_paragraph(body(p));
        }
        for t in &s.tables {
            if !t.caption.is_empty() {
                d = d.add_paragraph(centred(&t.caption, HEADING_FONT, SIZE_4));
            }
            let (widths, size) = table_layout(t);
            let cell = |text: &str, bold: bool, right: bool, width: usize| {
                let r = run(text, TABLE_FONT, size);
                let p = Paragraph::new()
                    .align(if right {
                        AlignmentType::Right
                    } else if bold {
                        AlignmentType::Center
                    } else {
                        AlignmentType::Left
                    })
                    .add_run(if bold { r.bold() } else { r });
                DocxCell::new().width(width, WidthType::Dxa).vertical_align(VAlignType::Center).add_paragraph(p)
            };
            let header = t.headers.iter().zip(&widths).map(|(h, w)| cell(h, true, false, *w)).collect();
            // The header row is marked so that it repeats on every page (see `repeat_headers`).
            let mut rows =
                vec![TableRow::new(header).cant_split().row_height(HEADER_MARK).height_rule(HeightRule::AtLeast)];
            rows.extend(t.rows.iter().zip(t.texts()).map(|(r, texts)| {
                let cells = r
                    .iter()
                    .zip(&texts)
                    .zip(&widths)
                    .map(|((c, text), w)| cell(text, false, matches!(c, TableCell::Number(..)), *w))
                    .collect();
                TableRow::new(cells).cant_split()
            }));
            d = d.add_table(DocxTable::new(rows).set_grid(widths.clone()).layout(TableLayoutType::Fixed));
        }
    }
    if let Some((issuer, date)) = &doc.signature {
        let right = |text: &str| {
            Paragraph::new()
                .align(AlignmentType::Right)
                .indent(None, None, Some(640), None)
                .line_spacing(exact_lines())
                .add_run(run(text, BODY_FONT, SIZE_3))
        };
        d = d.add_paragraph(body("")).add_paragraph(right(issuer));
        d = d.add_paragraph(right(&taizhang_core::report::date_zh(*date, style.chinese_date)));
    }
    let mut out = Cursor::new(Vec::new());
    d.build().pack(&mut out).map_err(|e| format!("生成 Word 文档失败：{e}"))?;
    repeat_headers(&out.into_inner())
}

/// The row height that marks a table's header row: docx-rs writes no `w:tblHeader`, so the
/// marked rows get it in the XML afterwards.
const HEADER_MARK: f32 = 397.0;

/// Adds `w:tblHeader` to the rows marked by [`HEADER_MARK`] in word/document.xml.
fn repeat_headers(docx: &[u8]) -> Result<Vec<u8>, String> {
    use std::io::{Read, Write};
    let fail = |e: &dyn std::fmt::Display| format!("生成 Word 文档失败：{e}");
    let mut zip = zip::ZipArchive::new(Cursor::new(docx)).map_err(|e| fail(&e))?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| fail(&e))?;
        let name = entry.name().map_err(|e| fail(&e))?.to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(|e| fail(&e))?;
        if name == "word/document.xml" {
            let xml = String::from_utf8(data).map_err(|e| fail(&e))?;
            let mark = format!("w:val=\"{}\"", HEADER_MARK as u32);
            let xml = xml
                .split("<w:trPr>")
                .enumerate()
                .map(|(i, part)| {
                    // Each part after a split begins inside a row's properties.
                    let head = part.split("</w:trPr>").next().unwrap_or_default();
                    if i > 0 && head.contains(&mark) { format!("<w:tblHeader />{part}") } else { part.to_string() }
                })
                .collect::<Vec<_>>()
                .join("<w:trPr>");
            data = xml.into_bytes();
        }
        out.start_file(name, options).map_err(|e| fail(&e))?;
        out.write_all(&data).map_err(|e| fail(&e))?;
    }
    Ok(out.finish().map_err(|e| fail(&e))?.into_inner())
}

/// The document as an .xlsx for print and re-use: its text on a 正文 sheet when it has any,
/// then a sheet per table named by its caption — the title over the header, the header
/// frozen and repeated on every printed page, numbers as numbers with one format a column,
/// landscape and one page wide, page numbers at the foot.
pub fn xlsx(doc: &Document) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
    let heading = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    if doc.sections.iter().any(|s| !s.paragraphs.is_empty()) {
        let ws = wb.add_worksheet();
        ws.set_name("正文")?;
        ws.set_column_width(0, 100)?;
        ws.write_string_with_format(0, 0, &doc.title, &title)?;
        let mut row = 1;
        if let Some(sub) = &doc.subtitle {
            ws.write_string(row, 0, sub)?;
            row += 1;
        }
        for s in &doc.sections {
            row += 1;
            ws.write_string_with_format(row, 0, &s.heading, &heading)?;
            for p in &s.paragraphs {
                row += 1;
                ws.write_string_with_format(row, 0, p, &wrap)?;
            }
        }
        crate::export::print_setup(ws, &doc.title, 0, 0)?;
    }
    let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center).set_text_wrap();
    let text = Format::new().set_border(FormatBorder::Thin);
    let mut names: Vec<String> = Vec::new();
    for t in doc.sections.iter().flat_map(|s| &s.tables) {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(if t.caption.is_empty() { &doc.title } else { &t.caption }, &mut names))?;
        let caption = if t.caption.is_empty() || t.caption == doc.title {
            doc.title.clone()
        } else {
            format!("{}：{}", doc.title, t.caption)
        };
        let last = t.headers.len().max(1) as u16 - 1;
        if last > 0 {
            ws.merge_range(0, 0, 0, last, &caption, &title)?;
        } else {
            ws.write_string_with_format(0, 0, &caption, &title)?;
        }
        for (c, h) in t.headers.iter().enumerate() {
            ws.write_string_with_format(1, c as u16, h, &head)?;
            let widest =
                t.rows.iter().filter_map(|r| r.get(c)).map(|x| x.text().chars().count() as u32).max().unwrap_or(0);
            ws.set_column_width(c as u16, (h.chars().count() as u32 + 2).max(widest * 2 + 2).clamp(8, 50))?;
        }
        ws.set_freeze_panes(2, 0)?;
        crate::export::print_setup(ws, &caption, 1, 1)?;
        let decimals = t.column_decimals();
        for (r, cells) in t.rows.iter().enumerate() {
            for (c, cell) in cells.iter().enumerate() {
                let (r, c) = (r as u32 + 2, c as u16);
                match cell {
                    TableCell::Text(s) if crate::export::looks_like_formula(s) => {
                        ws.write_string_with_format(r, c, s, &text.clone().set_quote_prefix())?;
                    }
                    TableCell::Text(s) => {
                        ws.write_string_with_format(r, c, s, &text)?;
                    }
                    TableCell::Number(d, _) => {
                        let dp = decimals.get(c as usize).copied().unwrap_or(0) as usize;
                        let pattern = if dp == 0 { "0".to_string() } else { format!("0.{}", "0".repeat(dp)) };
                        let f = Format::new().set_border(FormatBorder::Thin).set_num_format(pattern);
                        ws.write_number_with_format(r, c, d.to_f64().unwrap_or_default(), &f)?;
                    }
                    TableCell::Empty => {
                        ws.write_blank(r, c, &text)?;
                    }
                }
            }
        }
    }
    if names.is_empty() && !doc.sections.iter().any(|s| !s.paragraphs.is_empty()) {
        // A workbook needs a sheet: the title alone.
        let ws = wb.add_worksheet();
        ws.write_string_with_format(0, 0, &doc.title, &title)?;
    }
    wb.save_to_buffer()
}

/// A sheet name Excel accepts: at most 31 characters, none of []:*?/\, unique in the book
/// ("分类别完成情况", "分类别完成情况(2)").
fn sheet_name(wanted: &str, taken: &mut Vec<String>) -> String {
    let clean: String = wanted.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(28).collect();
    let clean = if clean.trim().is_empty() { "表".to_string() } else { clean };
    let mut name = clean.clone();
    let mut n = 1;
    while taken.contains(&name) {
        n += 1;
        name = format!("{clean}({n})");
    }
    taken.push(name.clone());
    name
}

/// Whether this machine can make PDFs (LibreOffice's `soffice` on the PATH).
pub fn pdf_available() -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join("soffice").is_file()))
}

/// A Word file as PDF through LibreOffice (`soffice --headless`), given at most a minute; its
/// own profile in a fresh folder, so that two conversions never share one.
pub fn pdf(docx: &[u8]) -> Result<Vec<u8>, String> {
    use std::time::{Duration, Instant};
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("taizhang-pdf-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("无法生成 PDF：{e}"))?;
    let result = (|| {
        let input = dir.join("report.docx");
        std::fs::write(&input, docx).map_err(|e| e.to_string())?;
        let mut child = std::process::Command::new("soffice")
            .args(["--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
            .arg(&dir)
            .arg(&input)
            .env("HOME", &dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("服务器未安装 LibreOffice（soffice）：{e}"))?;
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                if !status.success() {
                    return Err(format!("LibreOffice 转换失败（{status}）"));
                }
                break;
            }
            if started.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                let _ = child.wait();
                return Err("LibreOffice 转换超过60秒，已停止".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        std::fs::read(dir.join("report.pdf")).map_err(|e| format!("LibreOffice 没有生成 PDF：{e}"))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result.map_err(|e| format!("无法生成 PDF：{e}"))
}
