//! Tables of cells (numbers right-aligned, lights coloured), and a page's tables as an Excel workbook.

use super::*;

#[derive(Debug, Clone, Default)]
pub struct CellView {
    pub text: String,
    pub href: Option<String>,
    pub light: Option<&'static str>,
    pub num: bool,
}

impl CellView {
    pub fn text(t: impl Into<String>) -> Self {
        Self { text: t.into(), ..Self::default() }
    }
    pub fn link(t: impl Into<String>, href: impl Into<String>) -> Self {
        Self { text: t.into(), href: Some(href.into()), ..Self::default() }
    }
    pub fn num(d: Decimal, dp: u32) -> Self {
        Self { text: format_number(d, dp), num: true, ..Self::default() }
    }
    pub fn light(l: Light) -> Self {
        Self { text: l.label_zh().into(), light: Some(l.code()), ..Self::default() }
    }
}

#[derive(Debug, Clone, Default)]
pub struct TableView {
    pub caption: String,
    pub export: Option<String>,
    pub headers: Vec<(String, Option<String>)>,
    pub rows: Vec<Vec<CellView>>,
}

impl TableView {
    pub fn new(caption: &str, headers: &[&str]) -> Self {
        Self {
            caption: caption.into(),
            headers: headers.iter().map(|h| (h.to_string(), None)).collect(),
            ..Self::default()
        }
    }

    /// A report's table on a page.
    pub(crate) fn from_table(t: &Table) -> Self {
        Self {
            caption: t.caption.clone(),
            export: None,
            headers: t.headers.iter().map(|h| (h.clone(), None)).collect(),
            rows: t
                .rows
                .iter()
                .zip(t.texts())
                .map(|(r, texts)| {
                    r.iter()
                        .zip(texts)
                        .map(|(c, text)| CellView { num: matches!(c, TableCell::Number(..)), ..CellView::text(text) })
                        .collect()
                })
                .collect(),
        }
    }

    /// The same table for Excel, without the 操作 column (its links are for the page).
    pub(crate) fn to_table(&self) -> Table {
        let kept: Vec<usize> = (0..self.headers.len()).filter(|i| self.headers[*i].0 != "操作").collect();
        Table {
            caption: self.caption.clone(),
            headers: kept.iter().map(|i| self.headers[*i].0.clone()).collect(),
            rows: self
                .rows
                .iter()
                .map(|r| {
                    kept.iter()
                        .filter_map(|i| r.get(*i))
                        .map(|c| match (c.num, c.text.replace(',', "").parse::<Decimal>()) {
                            (true, Ok(d)) => TableCell::Number(d, d.scale()),
                            _ => TableCell::Text(c.text.clone()),
                        })
                        .collect()
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    pub format: Option<String>,
}

/// Gives every captioned table of a page the link that exports it (the page's own address
/// with `format=xlsx`).
pub(crate) fn exportable(page: &mut Page, uri: &axum::http::Uri) {
    let link = match uri.query() {
        Some(q) => format!("{}?{q}&format=xlsx", uri.path()),
        None => format!("{}?format=xlsx", uri.path()),
    };
    for block in &mut page.blocks {
        if let Block::Table(t) = block
            && t.export.is_none()
        {
            if t.caption.is_empty() {
                t.caption = "列表".into();
            }
            t.export = Some(link.clone());
        }
    }
}

/// A list page as HTML, or its tables as an Excel workbook with `?format=xlsx`.
pub(crate) fn page_or_xlsx(page: Page, format: Option<&str>) -> Result<Response, AppError> {
    if format == Some("xlsx") {
        let tables: Vec<Table> = page
            .blocks
            .iter()
            .filter_map(|b| if let Block::Table(t) = b { Some(t.to_table()) } else { None })
            .collect();
        let doc = Document {
            title: page.title.clone(),
            subtitle: None,
            sections: vec![DocSection { heading: page.title.clone(), tables, ..DocSection::default() }],
            signature: None,
        };
        let bytes = taizhang_office::report::xlsx(&doc).map_err(|_| AppError::Internal)?;
        return Ok(download(bytes, &format!("{}.xlsx", page.title)));
    }
    Ok(render(&page))
}

/// A document as a Word download.
pub(crate) fn docx_download(doc: &Document, name: &str) -> Result<Response, AppError> {
    let bytes = taizhang_office::report::docx(doc).map_err(|_| AppError::Internal)?;
    Ok(download(bytes, &format!("{name}.docx")))
}

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A file to save, named as people name it (`二七区…（2018年1-5月）.xlsx`): the Chinese name in
/// RFC 5987's `filename*`, an ASCII stand-in for clients that read only `filename`.
pub(crate) fn download(bytes: Vec<u8>, name: &str) -> Response {
    let kind = match name.rsplit('.').next() {
        Some("xlsx") => XLSX,
        Some("docx") => DOCX,
        Some("jsonl") => "application/x-ndjson",
        _ => "application/octet-stream",
    };
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", percent_encode(name));
    ([(header::CONTENT_TYPE, kind.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

/// Text as a URL or RFC 5987 carries it: letters, digits and `-_.` as they are, every other
/// byte as `%XX`.
pub(crate) fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect()
}
