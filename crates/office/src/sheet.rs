//! Reading one sheet of a workbook as a table whose columns are found by their Chinese
//! header text: any order, spaces and full-width brackets tolerated, unit suffixes such as
//! "(万元)" read, a title row above the header skipped, merged cells filled.

use std::io::{Cursor, Read, Seek};

use calamine::{Data, Reader, SheetVisible, Xlsx, XlsxError};
use rust_decimal::Decimal;
use taizhang_core::quantity::MeasureUnit;

use crate::{ImportError, Located};

/// Files above this size are refused before reading: a ledger of 100,000 rows is ~10 MB.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

const XML_1_0: quick_xml::XmlVersion = quick_xml::XmlVersion::Implicit1_0;

/// How far down the header row may be (title rows and notes above it).
const HEADER_SEARCH_ROWS: usize = 10;

/// A column the importer knows: its canonical header and the names people also use.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub key: &'static str,
    /// Canonical header, as exports and templates write it.
    pub header: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

/// A header cell made comparable: no spaces, half-width brackets, unit suffix cut off.
/// Returns the bare name and the suffix unit, if any (`总投资（亿元）` → `总投资`, 亿元).
pub fn normalize_header(text: &str) -> (String, Option<String>) {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '％' => '%',
            _ => c,
        })
        .collect();
    match t.rfind('(') {
        Some(i) if t.ends_with(')') && i > 0 => (t[..i].to_string(), Some(t[i + 1..t.len() - 1].to_string())),
        _ => (t, None),
    }
}

/// A matched column: where it is, the header as the file wrote it, and the unit its suffix names.
#[derive(Debug, Clone)]
pub struct Column {
    pub index: usize,
    pub header: String,
    pub unit: Option<MeasureUnit>,
}

#[derive(Debug, Clone)]
pub struct Row {
    /// The row number Excel shows (1-based).
    pub excel_row: u32,
    pub cells: Vec<Data>,
}

/// A sheet read as header-matched rows.
#[derive(Debug, Clone)]
pub struct Table {
    pub sheet: String,
    pub columns: Vec<(&'static str, Column)>,
    pub rows: Vec<Row>,
    pub warnings: Vec<String>,
}

impl Table {
    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns.iter().find(|(k, _)| *k == key).map(|(_, c)| c)
    }

    /// The raw cell of a field in a row (empty when the column is absent).
    pub fn cell<'a>(&self, row: &'a Row, key: &str) -> Option<(&Column, &'a Data)> {
        let col = self.column(key)?;
        Some((col, row.cells.get(col.index).unwrap_or(&Data::Empty)))
    }

    /// Where a cell is, as messages name it: `进度!R14 年初至报告期累计(万元)`.
    pub fn at(&self, row: &Row, key: &str) -> Located {
        self.at_row(row.excel_row, key)
    }

    /// The same for a row known by its number only.
    pub fn at_row(&self, excel_row: u32, key: &str) -> Located {
        let header = self.column(key).map_or_else(|| key.to_string(), |c| c.header.clone());
        Located { sheet: self.sheet.clone(), row: excel_row, header }
    }
}

/// Opens a workbook from bytes, refusing what is not an xlsx, is encrypted or too large.
pub fn open<RS: Read + Seek>(reader: RS, size: u64, file: &str) -> Result<Xlsx<RS>, ImportError> {
    if size > MAX_FILE_BYTES {
        return Err(ImportError::File(format!(
            "{file} 有 {} MB，超过上限 {} MB：请按年度或单位拆分后分别导入",
            size / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    Xlsx::new(reader).map_err(|e| match e {
        XlsxError::Password => {
            ImportError::File(format!("{file} 设有打开密码（已加密）：请在 Excel 中取消密码后再导入"))
        }
        // What went wrong in words, not the zip reader's ("Could not find EOCD").
        other => {
            let why = match other {
                XlsxError::Zip(_) | XlsxError::Io(_) => "不是 xlsx 的压缩格式，或文件已损坏",
                XlsxError::Xml(_) | XlsxError::XmlAttr(_) => "工作簿内部的 XML 有误",
                _ => "无法按 xlsx 读取",
            };
            ImportError::File(format!(
                "{file} 不是有效的 Excel .xlsx 工作簿（{why}）：请在 Excel 中另存为 .xlsx 后再导入"
            ))
        }
    })
}

/// Picks the sheet: the one named, else the first visible one whose headers fit, else the
/// first visible one. Hidden sheets are read only when named. The whole sheet as one table.
pub fn read_table(bytes: &[u8], file: &str, sheet: Option<&str>, fields: &[Field]) -> Result<Table, ImportError> {
    read_table_capped(bytes, file, sheet, fields, usize::MAX)
}

/// [`read_table`] of at most `max_rows` data rows: a sheet with more is refused as soon as
/// its reading passes them, before they are all held.
pub fn read_table_capped(
    bytes: &[u8],
    file: &str,
    sheet: Option<&str>,
    fields: &[Field],
    max_rows: usize,
) -> Result<Table, ImportError> {
    let mut whole: Option<Table> = None;
    let mut over = false;
    read_rows(bytes, file, sheet, fields, max_rows.min(4096), &mut |chunk| {
        match &mut whole {
            Some(t) => t.rows.extend(chunk.rows),
            None => whole = Some(chunk),
        }
        over = whole.as_ref().is_some_and(|t| t.rows.len() > max_rows);
        !over
    })?;
    if over {
        return Err(ImportError::File(format!("{file}: 数据超过{max_rows}行，请分批上传")));
    }
    whole.ok_or_else(|| ImportError::File(format!("{file}: 工作表没有内容")))
}

/// Reads the sheet as [`read_table`] picks it and hands its data rows to `emit` in chunks of
/// up to `chunk_rows` as they are read, so that checking and writing can run beside the
/// reading (the first chunks are smaller). Every chunk carries the header, the first also the
/// warnings; a sheet without data rows gives one empty chunk. `emit` returns false to stop.
pub fn read_rows(
    bytes: &[u8],
    file: &str,
    sheet: Option<&str>,
    fields: &[Field],
    chunk_rows: usize,
    emit: &mut dyn FnMut(Table) -> bool,
) -> Result<(), ImportError> {
    if bytes.len() as u64 <= MAX_FILE_BYTES {
        crate::guard::check(bytes, file, &crate::guard::Limits::default())?;
    }
    let mut workbook = open(Cursor::new(bytes), bytes.len() as u64, file)?;
    let names: Vec<(String, bool)> =
        workbook.sheets_metadata().iter().map(|s| (s.name.clone(), s.visible == SheetVisible::Visible)).collect();
    let candidates: Vec<String> = match sheet {
        Some(name) => {
            if !names.iter().any(|(n, _)| n == name) {
                let list: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
                return Err(ImportError::File(format!("工作簿中没有名为“{name}”的工作表（有：{}）", list.join("、"))));
            }
            vec![name.to_string()]
        }
        None => names.iter().filter(|(_, visible)| *visible).map(|(n, _)| n.clone()).collect(),
    };
    let mut first_error = None;
    for name in &candidates {
        match read_sheet(&mut workbook, bytes, name, fields, chunk_rows.max(1), emit) {
            Ok(()) => return Ok(()),
            // Only a sheet whose header was not found gives way to the next one.
            Err(SheetError::NoHeader(e)) => {
                first_error.get_or_insert(e);
            }
            Err(SheetError::Unreadable(e)) => return Err(e),
        }
    }
    Err(first_error.unwrap_or_else(|| ImportError::File("工作簿中没有可见的工作表".into())))
}

enum SheetError {
    NoHeader(ImportError),
    Unreadable(ImportError),
}

fn read_sheet<RS: Read + Seek>(
    workbook: &mut Xlsx<RS>,
    bytes: &[u8],
    name: &str,
    fields: &[Field],
    chunk_rows: usize,
    emit: &mut dyn FnMut(Table) -> bool,
) -> Result<(), SheetError> {
    let unreadable = |e: XlsxError| SheetError::Unreadable(ImportError::File(format!("无法读取工作表“{name}”：{e}")));
    // Merged regions are listed after the cells; the other core finds them in the raw XML
    // while this one parses the cells, and rows wait for them only before they are filled.
    std::thread::scope(|scope| {
        let merged = scope.spawn(|| merged_regions(bytes, name));
        let mut merged = Some(merged);
        // Rows read before the regions are known wait here (the reader does not).
        let mut waiting: Vec<(u32, Vec<Data>)> = Vec::new();
        let mut rows = RowStream::new(name, fields, chunk_rows, emit);
        let mut cells = workbook.worksheet_cells_reader(name).map_err(unreadable)?;
        let mut current: Option<(u32, Vec<Data>)> = None;
        let mut width = 0;
        while let Some(cell) = cells.next_cell().map_err(unreadable)? {
            let (r, c) = cell.get_position();
            if current.as_ref().is_some_and(|(at, _)| *at != r)
                && let Some(done) = current.take()
            {
                waiting.push(done);
                if merged.as_ref().is_some_and(|h| h.is_finished())
                    && let Some(handle) = merged.take()
                {
                    rows.regions = Regions::new(handle.join().unwrap_or(Ok(Vec::new()))?);
                }
                if merged.is_none() {
                    for (at, row) in waiting.drain(..) {
                        if !rows.complete(at, row)? {
                            return Ok(());
                        }
                    }
                }
            }
            // Rows are about as wide as the one before: sized once, not grown cell by cell.
            let (_, row) = current.get_or_insert_with(|| (r, Vec::with_capacity(width)));
            let c = c as usize;
            width = width.max(c + 1);
            if row.len() <= c {
                row.resize(c + 1, Data::Empty);
            }
            row[c] = cell.get_value().clone().into();
        }
        drop(cells);
        if let Some(handle) = merged.take() {
            rows.regions = Regions::new(handle.join().unwrap_or(Ok(Vec::new()))?);
        }
        waiting.extend(current.take());
        for (at, row) in waiting {
            if !rows.complete(at, row)? {
                return Ok(());
            }
        }
        rows.finish()
    })
}

/// Merged regions larger than this (cells) are refused: a title spans a row, a category
/// some hundreds of rows; a region over the whole sheet would fill millions of cells.
const MAX_MERGED_CELLS: u64 = 200_000;
/// More merged regions than this in one sheet are refused.
const MAX_MERGED_REGIONS: usize = 100_000;

/// Refuses merged regions no ledger has: too many, or one too large.
fn check_regions(regions: &[calamine::Dimensions], name: &str) -> Result<(), SheetError> {
    let refused = |why: String| {
        SheetError::Unreadable(ImportError::File(format!("工作表“{name}”{why}，请取消这些合并单元格后再导入")))
    };
    if regions.len() > MAX_MERGED_REGIONS {
        return Err(refused(format!("有{}个合并单元格区域，超过上限{MAX_MERGED_REGIONS}个", regions.len())));
    }
    for d in regions {
        let cells = (u64::from(d.end.0 - d.start.0) + 1) * (u64::from(d.end.1 - d.start.1) + 1);
        if cells > MAX_MERGED_CELLS {
            return Err(refused(format!(
                "的合并单元格区域 {} 覆盖{cells}个单元格，超过上限{MAX_MERGED_CELLS}个",
                range_text(d)
            )));
        }
    }
    Ok(())
}

/// `A2:XFD1048576` for a region, as Excel names it.
fn range_text(d: &calamine::Dimensions) -> String {
    let column = |mut c: u32| {
        let mut letters = Vec::new();
        c += 1;
        while c > 0 {
            letters.push(b'A' + ((c - 1) % 26) as u8);
            c = (c - 1) / 26;
        }
        letters.reverse();
        String::from_utf8_lossy(&letters).into_owned()
    };
    format!("{}{}:{}{}", column(d.start.1), d.start.0 + 1, column(d.end.1), d.end.0 + 1)
}

/// Merged regions, as the user sees them: the top-left value shown in every covered cell.
#[derive(Default)]
struct Regions {
    /// Sorted by first row.
    all: Vec<calamine::Dimensions>,
    /// The next region (in `all`) not yet started.
    next: usize,
    /// Regions covering the current row, with their top-left value once read.
    active: Vec<(calamine::Dimensions, Data)>,
}

impl Regions {
    fn new(mut all: Vec<calamine::Dimensions>) -> Self {
        all.sort_by_key(|d| d.start);
        Self { all, next: 0, active: Vec::new() }
    }

    /// Rows that are missing from the file but lie inside a region, before row `before`.
    fn rows_between(&self, after: Option<u32>, before: u32) -> Vec<u32> {
        let lo = after.map_or(0, |a| a + 1);
        if lo >= before {
            return Vec::new(); // the usual case: no row skipped
        }
        let mut rows: Vec<u32> = self.all[self.next..]
            .iter()
            .map(|d| (d.start.0, d.end.0))
            .chain(self.active.iter().map(|(d, _)| (d.start.0, d.end.0)))
            .flat_map(|(r0, r1)| r0.max(lo)..=r1.min(before.saturating_sub(1)))
            .filter(|r| *r < before)
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }

    fn fill(&mut self, r: u32, row: &mut Vec<Data>) {
        self.active.retain(|(d, _)| d.end.0 >= r);
        while let Some(d) = self.all.get(self.next).filter(|d| d.start.0 <= r) {
            if d.end.0 >= r {
                let value = row.get(d.start.1 as usize).cloned().unwrap_or(Data::Empty);
                self.active.push((*d, value));
            }
            self.next += 1;
        }
        for (d, value) in &self.active {
            let (c0, c1) = (d.start.1 as usize, d.end.1 as usize);
            if row.len() <= c1 {
                row.resize(c1 + 1, Data::Empty);
            }
            for cell in &mut row[c0..=c1] {
                *cell = value.clone();
            }
        }
    }
}

/// Rows as they complete: filled from merged regions, the header found among the first
/// rows, data rows handed on in chunks.
struct RowStream<'e> {
    name: &'e str,
    fields: &'e [Field],
    chunk_rows: usize,
    next_chunk_rows: usize,
    emit: &'e mut dyn FnMut(Table) -> bool,
    regions: Regions,
    last: Option<u32>,
    head: Option<Table>,
    chunk: Vec<Row>,
    emitted: bool,
}

impl<'e> RowStream<'e> {
    fn new(name: &'e str, fields: &'e [Field], chunk_rows: usize, emit: &'e mut dyn FnMut(Table) -> bool) -> Self {
        Self {
            name,
            fields,
            chunk_rows,
            next_chunk_rows: (chunk_rows / 8).max(1),
            emit,
            regions: Regions::default(),
            last: None,
            head: None,
            chunk: Vec::new(),
            emitted: false,
        }
    }

    /// Takes row `at` (0-based) of the sheet; false when the receiver stopped.
    fn complete(&mut self, at: u32, row: Vec<Data>) -> Result<bool, SheetError> {
        for missing in self.regions.rows_between(self.last, at) {
            if !self.accept(missing, Vec::new())? {
                return Ok(false);
            }
        }
        self.accept(at, row)
    }

    fn accept(&mut self, at: u32, mut row: Vec<Data>) -> Result<bool, SheetError> {
        self.last = Some(at);
        self.regions.fill(at, &mut row);
        if self.head.is_none() {
            if (at as usize) >= HEADER_SEARCH_ROWS {
                return Err(self.no_header());
            }
            if let Some(columns) = header_columns(&row, self.fields) {
                let warnings = row
                    .iter()
                    .enumerate()
                    .filter_map(|(index, cell)| match cell {
                        Data::String(text)
                            if !text.trim().is_empty() && !columns.iter().any(|(_, c)| c.index == index) =>
                        {
                            Some(format!("{}: 列“{}”不是本类数据的列，已忽略", self.name, text.trim()))
                        }
                        _ => None,
                    })
                    .collect();
                self.head = Some(Table { sheet: self.name.to_string(), columns, rows: Vec::new(), warnings });
            }
            // Rows above the header (titles, notes) are not data.
            return Ok(true);
        }
        if row.iter().any(|c| !is_blank(c)) {
            self.chunk.push(Row { excel_row: at + 1, cells: row });
            if self.chunk.len() >= self.next_chunk_rows {
                // The first chunks are smaller, so that what follows the reading starts soon.
                self.next_chunk_rows = (self.next_chunk_rows * 2).min(self.chunk_rows);
                return Ok(self.send());
            }
        }
        Ok(true)
    }

    fn send(&mut self) -> bool {
        let Some(head) = &mut self.head else { return true };
        let chunk = Table {
            sheet: head.sheet.clone(),
            columns: head.columns.clone(),
            rows: std::mem::take(&mut self.chunk),
            warnings: std::mem::take(&mut head.warnings),
        };
        self.emitted = true;
        (self.emit)(chunk)
    }

    fn finish(mut self) -> Result<(), SheetError> {
        // Regions reaching below the last row written in the file.
        let end = self.regions.all.iter().map(|d| d.end.0 + 1).max().unwrap_or(0);
        for missing in self.regions.rows_between(self.last, end) {
            if !self.accept(missing, Vec::new())? {
                return Ok(());
            }
        }
        if self.head.is_none() {
            return Err(self.no_header());
        }
        if !self.chunk.is_empty() || !self.emitted {
            self.send();
        }
        Ok(())
    }

    fn no_header(&self) -> SheetError {
        let wanted: Vec<&str> = self.fields.iter().filter(|f| f.required).map(|f| f.header).collect();
        SheetError::NoHeader(ImportError::File(format!(
            "工作表“{}”前{HEADER_SEARCH_ROWS}行中找不到表头：应包含 {}",
            self.name,
            wanted.join("、")
        )))
    }
}

/// The known columns of a header row, when it has every required one.
fn header_columns(row: &[Data], fields: &[Field]) -> Option<Vec<(&'static str, Column)>> {
    let mut found: Vec<(&'static str, Column)> = Vec::new();
    for (index, cell) in row.iter().enumerate() {
        let Data::String(text) = cell else { continue };
        let (bare, suffix) = normalize_header(text);
        let hit = fields.iter().find(|f| {
            std::iter::once(&f.header).chain(f.aliases).any(|h| normalize_header(h).0 == bare)
                && !found.iter().any(|(k, _)| *k == f.key)
        });
        if let Some(f) = hit {
            let unit = suffix.as_deref().and_then(|s| MeasureUnit::parse(s).ok());
            found.push((f.key, Column { index, header: text.trim().to_string(), unit }));
        }
    }
    fields.iter().filter(|f| f.required).all(|f| found.iter().any(|(k, _)| *k == f.key)).then_some(found)
}

/// The merged regions of a sheet, found in its raw XML: the part is inflated and searched
/// for the end of the cells, and only what follows is parsed (calamine reads the whole sheet
/// again for them when the workbook's layout is unusual). Refused when there is more after
/// the cells than any list of merged cells needs, or the regions are too many or too large.
fn merged_regions(bytes: &[u8], name: &str) -> Result<Vec<calamine::Dimensions>, SheetError> {
    let mut tail_too_long = false;
    let fast = merged_regions_fast(bytes, name, &mut tail_too_long);
    if tail_too_long {
        return Err(SheetError::Unreadable(ImportError::File(format!(
            "工作表“{name}”的单元格之后有超过{} MB的内容（合并单元格等），请检查后再导入",
            MAX_TAIL_BYTES / (1024 * 1024)
        ))));
    }
    let found = fast
        .or_else(|| Xlsx::new(Cursor::new(bytes)).ok().and_then(|mut wb| wb.merge_cells_by_sheet_name(name).ok()))
        .unwrap_or_default();
    check_regions(&found, name)?;
    Ok(found)
}

/// What may follow the cells of a sheet (merged cells, print settings …) before it is refused.
const MAX_TAIL_BYTES: usize = 16 * 1024 * 1024;

fn merged_regions_fast(bytes: &[u8], name: &str, tail_too_long: &mut bool) -> Option<Vec<calamine::Dimensions>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let path = sheet_part(&mut zip, name)?;
    let mut part = zip.by_name(&path).ok()?;
    let end_tag = memchr::memmem::Finder::new(b"sheetData");
    let mut window: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut block = vec![0u8; 1 << 20];
    let mut tail: Option<Vec<u8>> = None;
    loop {
        let n = part.read(&mut block).ok()?;
        if n == 0 {
            break;
        }
        match &mut tail {
            Some(t) if t.len() + n > MAX_TAIL_BYTES => {
                *tail_too_long = true;
                return None;
            }
            Some(t) => t.extend_from_slice(&block[..n]),
            None => {
                // Keep the last bytes of the previous block: the tag may straddle two blocks.
                let keep = window.len().saturating_sub(32);
                window.drain(..keep);
                window.extend_from_slice(&block[..n]);
                if let Some(at) = end_tag.find_iter(&window).find(|&i| ends_cells(&window, i)) {
                    tail = Some(window[at..].to_vec());
                }
            }
        }
    }
    // What follows the cells, under a stand-in root: the tail closes `</worksheet>`.
    let tail = tail?;
    let after_tag = tail.iter().position(|b| *b == b'>')? + 1;
    let tail = [b"<tail>", &tail[after_tag..]].concat();
    let mut reader = quick_xml::Reader::from_reader(tail.as_slice());
    reader.config_mut().check_end_names = false;
    let mut regions = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.local_name().as_ref() == "mergeCell" =>
            {
                let reference = e.try_get_attribute("ref").ok()??.normalized_value(XML_1_0).ok()?;
                regions.push(parse_range(&reference)?);
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(regions)
}

/// Whether the `sheetData` at `at` names the end of the cells: `</sheetData`, `</x:sheetData`
/// or `<sheetData/>` (text and attributes never hold a raw '<').
fn ends_cells(window: &[u8], at: usize) -> bool {
    let mut before = &window[..at];
    if let Some(rest) = before.strip_suffix(b":") {
        let name = rest.iter().rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_')).map_or(0, |i| i + 1);
        before = &rest[..name];
    }
    let after = window[at + b"sheetData".len()..].trim_ascii_start();
    before.ends_with(b"</") || (before.ends_with(b"<") && after.starts_with(b"/>"))
}

/// The zip path of the sheet named `name`: workbook.xml names it, its relationships place it.
fn sheet_part<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Option<String> {
    let read = |zip: &mut zip::ZipArchive<R>, path: &str| -> Option<Vec<u8>> {
        let mut out = Vec::new();
        zip.by_name(path).ok()?.read_to_end(&mut out).ok()?;
        Some(out)
    };
    let workbook = read(zip, "xl/workbook.xml")?;
    let rels = read(zip, "xl/_rels/workbook.xml.rels")?;
    let id = xml_elements(&workbook, "sheet")
        .into_iter()
        .find(|attrs| attrs.iter().any(|(k, v)| k == "name" && v == name))?
        .into_iter()
        .find(|(k, _)| k == "r:id" || k.ends_with(":id"))?
        .1;
    let target = xml_elements(&rels, "Relationship")
        .into_iter()
        .find(|attrs| attrs.iter().any(|(k, v)| k == "Id" && *v == id))?
        .into_iter()
        .find(|(k, _)| k == "Target")?
        .1;
    Some(match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("xl/{target}"),
    })
}

/// The attributes (key as written, value unescaped) of every element with this local name.
fn xml_elements(xml: &[u8], local: &str) -> Vec<Vec<(String, String)>> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut out = Vec::new();
    let mut buf = Vec::new();
    while let Ok(event) = reader.read_event_into(&mut buf) {
        match event {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.local_name().as_ref() == local =>
            {
                out.push(
                    e.attributes()
                        .filter_map(Result::ok)
                        .filter_map(|a| {
                            Some((a.key.as_ref().to_string(), a.normalized_value(XML_1_0).ok()?.into_owned()))
                        })
                        .collect(),
                );
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

/// `B2:D4` (or a single `B2`) as 0-based (row, column) corners.
fn parse_range(text: &str) -> Option<calamine::Dimensions> {
    let text = text.replace('$', "");
    let cell = |t: &str| -> Option<(u32, u32)> {
        let split = t.find(|c: char| c.is_ascii_digit())?;
        let (letters, digits) = t.split_at(split);
        let col = letters.bytes().try_fold(0u32, |acc, b| {
            b.is_ascii_alphabetic().then(|| acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1))
        })?;
        let row: u32 = digits.parse().ok()?;
        (col > 0 && row > 0).then(|| (row - 1, col - 1))
    };
    let (a, b) = text.split_once(':').unwrap_or((&text, &text));
    Some(calamine::Dimensions { start: cell(a)?, end: cell(b)? })
}

pub fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// The text of a cell as the user sees it (numbers without float noise).
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_decimal(*f).map_or_else(|| f.to_string(), |d| d.normalize().to_string()),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A number cell as an exact decimal. An xlsx keeps numbers as binary doubles written in
/// their shortest form, so the shortest form is what the user typed; formula results with
/// float noise (0.30000000000000004) are cleaned to 10 decimals.
pub fn float_decimal(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    // Whole numbers, most amounts, need no shortest-form search.
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Some(Decimal::from(f as i64));
    }
    let exact: Decimal = format!("{f}").parse().ok().or_else(|| Decimal::from_f64_retain(f))?;
    Some(if exact.scale() > 10 { exact.round_dp(10).normalize() } else { exact })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_through_spaces_brackets_and_unit_suffixes() {
        let cases = [
            ("总投资(万元)", "总投资", Some("万元")),
            (" 总投资（万元） ", "总投资", Some("万元")),
            ("年初至报告期累计 (亿元)", "年初至报告期累计", Some("亿元")),
            ("增长率(％)", "增长率", Some("%")),
            ("项目名称", "项目名称", None),
        ];
        for (text, bare, unit) in cases {
            let (b, u) = normalize_header(text);
            assert_eq!((b.as_str(), u.as_deref()), (bare, unit), "{text}");
        }
    }

    /// Two sheets, the second with a merged title row and a category merged down three rows.
    fn merged_workbook() -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let first = wb.add_worksheet().set_name("说明").unwrap();
        first.write(0, 0, "本表无合并").unwrap();
        let ws = wb.add_worksheet().set_name("进度 & 问题").unwrap();
        let plain = rust_xlsxwriter::Format::new();
        ws.merge_range(0, 0, 0, 2, "某区重点项目进度", &plain).unwrap();
        for (c, h) in ["项目编码", "报告期", "年初至报告期累计(万元)"].iter().enumerate() {
            ws.write(1, c as u16, *h).unwrap();
        }
        ws.merge_range(2, 1, 4, 1, "2018-03", &plain).unwrap();
        for r in 2..5u32 {
            ws.write(r, 0, format!("P{r}")).unwrap();
            ws.write(r, 2, f64::from(r)).unwrap();
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn merged_regions_are_found_in_the_raw_xml_as_calamine_finds_them() {
        let bytes = merged_workbook();
        let fast =
            merged_regions_fast(&bytes, "进度 & 问题", &mut false).expect("the quick scan understands this workbook");
        let slow = Xlsx::new(Cursor::new(&bytes)).unwrap().merge_cells_by_sheet_name("进度 & 问题").unwrap();
        assert_eq!(fast, slow);
        assert_eq!(fast.len(), 2);
        assert_eq!(merged_regions_fast(&bytes, "说明", &mut false), Some(vec![]));
        assert_eq!(parse_range("$B$3:C10"), Some(calamine::Dimensions { start: (2, 1), end: (9, 2) }));
        assert_eq!(parse_range("AA1"), Some(calamine::Dimensions { start: (0, 26), end: (0, 26) }));
    }

    #[test]
    fn the_cells_end_at_a_closing_or_empty_sheet_data_tag_with_any_prefix() {
        let at = |xml: &str| xml.find("sheetData").unwrap();
        for (xml, ends) in [
            ("<sheetData><row/>", false),
            ("</sheetData><mergeCells/>", true),
            ("</x:sheetData>", true),
            ("<x:sheetData/>", true),
            ("<sheetData />", true),
            ("<sheetData>", false),
        ] {
            assert_eq!(ends_cells(xml.as_bytes(), at(xml)), ends, "{xml}");
        }
    }

    #[test]
    fn rows_come_in_chunks_filled_from_merged_cells_with_the_header_in_each() {
        let bytes = merged_workbook();
        let fields = crate::import::PROGRESS_FIELDS;
        let mut chunks = Vec::new();
        read_rows(&bytes, "t.xlsx", Some("进度 & 问题"), fields, 2, &mut |t| {
            chunks.push(t);
            true
        })
        .unwrap();
        // The first chunk is smaller, so that checking starts early.
        assert_eq!(chunks.iter().map(|t| t.rows.len()).collect::<Vec<_>>(), [1, 2]);
        let whole = read_table(&bytes, "t.xlsx", Some("进度 & 问题"), fields).unwrap();
        let rows: Vec<&Row> = chunks.iter().flat_map(|t| &t.rows).collect();
        assert_eq!(rows.len(), whole.rows.len());
        for (chunk_row, row) in rows.iter().zip(&whole.rows) {
            assert_eq!(chunk_row.excel_row, row.excel_row);
            assert_eq!(chunk_row.cells, row.cells);
            assert_eq!(whole.cell(row, "period").map(|(_, c)| cell_text(c)).as_deref(), Some("2018-03"));
        }
        assert!(chunks.iter().all(|t| t.column("ytd").is_some()));
    }

    #[test]
    fn float_cells_become_the_decimals_the_user_typed() {
        let cases = [(12.3, "12.3"), (0.1 + 0.2, "0.3"), (11053.0, "11053"), (1e-4, "0.0001"), (-8.5, "-8.5")];
        for (f, text) in cases {
            assert_eq!(float_decimal(f).map(|d| d.normalize().to_string()).as_deref(), Some(text), "{f}");
        }
        assert_eq!(float_decimal(f64::NAN), None);
    }
}
