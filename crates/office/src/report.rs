//! Reports as Word (.docx) and Excel (.xlsx): the composed [`Document`] laid out as
//! government documents are — title in 宋体, body in 仿宋 with first-line indent, headings in
//! 黑体, bordered tables; in Excel, one sheet for the text and one per table with number formats.

use std::io::Cursor;

use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts, Table as DocxTable, TableCell as DocxCell, TableRow};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use taizhang_core::report::{Document, TableCell};

fn run(text: &str, font: &str, half_points: usize) -> Run {
    Run::new().add_text(text).fonts(RunFonts::new().east_asia(font).ascii(font).hint("eastAsia")).size(half_points)
}

/// The document as a .docx: 二号宋体 title, 三号仿宋 body, 三号黑体 headings, 五号宋体 tables.
pub fn docx(doc: &Document) -> Result<Vec<u8>, String> {
    let mut d = Docx::new()
        .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(&doc.title, "宋体", 44).bold()));
    if let Some(sub) = &doc.subtitle {
        d = d.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(sub, "仿宋", 32)));
    }
    for s in &doc.sections {
        // A section without a heading (a letter's opening) is its paragraphs only.
        if !s.heading.is_empty() {
            d = d.add_paragraph(Paragraph::new().add_run(run(&s.heading, "黑体", 32)));
        }
        for p in &s.paragraphs {
            d = d.add_paragraph(Paragraph::new().first_line_chars(200).add_run(run(p, "仿宋", 32)));
        }
        for t in &s.tables {
            if !t.caption.is_empty() {
                d = d.add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run(&t.caption, "黑体", 24)));
            }
            let cell = |text: &str, bold: bool| {
                let r = run(text, "宋体", 21);
                DocxCell::new().add_paragraph(Paragraph::new().add_run(if bold { r.bold() } else { r }))
            };
            let mut rows = vec![TableRow::new(t.headers.iter().map(|h| cell(h, true)).collect())];
            rows.extend(t.rows.iter().map(|r| TableRow::new(r.iter().map(|c| cell(&c.text(), false)).collect())));
            d = d.add_table(DocxTable::new(rows));
        }
    }
    let mut out = Cursor::new(Vec::new());
    d.build().pack(&mut out).map_err(|e| format!("生成 Word 文档失败：{e}"))?;
    Ok(out.into_inner())
}

/// The document as an .xlsx: a 正文 sheet with the text, then a sheet per table.
pub fn xlsx(doc: &Document) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(16);
    let heading = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
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
    let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_align(FormatAlign::Center).set_text_wrap();
    let text = Format::new().set_border(FormatBorder::Thin);
    let mut n = 0;
    for t in doc.sections.iter().flat_map(|s| &s.tables) {
        n += 1;
        let ws = wb.add_worksheet();
        // Sheet names: at most 31 characters, unique.
        let name: String =
            format!("{n}.{}", if t.caption.is_empty() { "表" } else { &t.caption }).chars().take(31).collect();
        ws.set_name(&name)?;
        for (c, h) in t.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &head)?;
            ws.set_column_width(c as u16, (h.chars().count() as u32 * 2 + 4).max(10))?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (r, cells) in t.rows.iter().enumerate() {
            for (c, cell) in cells.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    TableCell::Text(s) if crate::export::looks_like_formula(s) => {
                        ws.write_string_with_format(r, c, s, &text.clone().set_quote_prefix())?;
                    }
                    TableCell::Text(s) => {
                        ws.write_string_with_format(r, c, s, &text)?;
                    }
                    TableCell::Number(d, dp) => {
                        let pattern =
                            if *dp == 0 { "0".to_string() } else { format!("0.{}", "0".repeat(*dp as usize)) };
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
    wb.save_to_buffer()
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
