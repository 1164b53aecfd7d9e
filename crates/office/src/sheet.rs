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
        let header = self.column(key).map_or_else(|| key.to_string(), |c| c.header.clone());
        Located { sheet: self.sheet.clone(), row: row.excel_row, header }
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
        other => ImportError::File(format!(
            "{file} 不是有效的 Excel .xlsx 工作簿（{other}）：请在 Excel 中另存为 .xlsx 后再导入"
        )),
    })
}

/// Picks the sheet: the one named, else the first visible one whose headers fit, else the
/// first visible one. Hidden sheets are read only when named.
pub fn read_table(bytes: &[u8], file: &str, sheet: Option<&str>, fields: &[Field]) -> Result<Table, ImportError> {
    let mut workbook = open(Cursor::new(bytes), bytes.len() as u64, file)?;
    let workbook = &mut workbook;
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
        match read_named(workbook, bytes, name, fields) {
            Ok(table) => return Ok(table),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| ImportError::File("工作簿中没有可见的工作表".into())))
}

fn read_named<RS: Read + Seek>(
    workbook: &mut Xlsx<RS>,
    bytes: &[u8],
    name: &str,
    fields: &[Field],
) -> Result<Table, ImportError> {
    // Merged regions are listed after the cells, so finding them reads the whole sheet once
    // more: that second pass runs on the other core, over its own reader of the same bytes.
    std::thread::scope(|scope| {
        let merged = scope.spawn(|| {
            Xlsx::new(Cursor::new(bytes))
                .ok()
                .and_then(|mut wb| wb.merge_cells_by_sheet_name(name).ok())
                .unwrap_or_default()
        });
        let grid = read_cells(workbook, name);
        let merged = merged.join().unwrap_or_default();
        grid.and_then(|grid| table_of(grid, merged, name, fields))
    })
}

fn read_cells<RS: Read + Seek>(workbook: &mut Xlsx<RS>, name: &str) -> Result<Vec<Vec<Data>>, ImportError> {
    let unreadable = |e: XlsxError| ImportError::File(format!("无法读取工作表“{name}”：{e}"));
    // Streamed cell by cell into rows indexed from A1: one copy of the sheet, not two.
    let mut grid: Vec<Vec<Data>> = Vec::new();
    let mut cells = workbook.worksheet_cells_reader(name).map_err(unreadable)?;
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (r, c) = cell.get_position();
        let (r, c) = (r as usize, c as usize);
        if grid.len() <= r {
            grid.resize_with(r + 1, Vec::new);
        }
        let row = &mut grid[r];
        if row.len() <= c {
            row.resize(c + 1, Data::Empty);
        }
        row[c] = cell.get_value().clone().into();
    }
    drop(cells);
    Ok(grid)
}

fn table_of(
    mut grid: Vec<Vec<Data>>,
    merged: Vec<calamine::Dimensions>,
    name: &str,
    fields: &[Field],
) -> Result<Table, ImportError> {
    // A merged region shows its value in every cell it covers, as the user sees it.
    for region in merged {
        let (r0, c0) = (region.start.0 as usize, region.start.1 as usize);
        let (r1, c1) = (region.end.0 as usize, region.end.1 as usize);
        let Some(value) = grid.get(r0).and_then(|r| r.get(c0)).cloned() else { continue };
        for row in grid.iter_mut().take(r1 + 1).skip(r0) {
            if row.len() <= c1 {
                row.resize(c1 + 1, Data::Empty);
            }
            for cell in row.iter_mut().take(c1 + 1).skip(c0) {
                *cell = value.clone();
            }
        }
    }
    let required: Vec<&Field> = fields.iter().filter(|f| f.required).collect();
    let matches = |row: &[Data]| -> Vec<(&'static str, Column)> {
        let mut found = Vec::new();
        for (index, cell) in row.iter().enumerate() {
            let Data::String(text) = cell else { continue };
            let (bare, suffix) = normalize_header(text);
            let hit = fields.iter().find(|f| {
                std::iter::once(&f.header).chain(f.aliases).any(|h| normalize_header(h).0 == bare)
                    && !found.iter().any(|(k, _): &(&str, Column)| *k == f.key)
            });
            if let Some(f) = hit {
                let unit = suffix.as_deref().and_then(|s| MeasureUnit::parse(s).ok());
                found.push((f.key, Column { index, header: text.trim().to_string(), unit }));
            }
        }
        found
    };
    let header_at = grid.iter().take(HEADER_SEARCH_ROWS).position(|row| {
        let found = matches(row);
        required.iter().all(|f| found.iter().any(|(k, _)| *k == f.key))
    });
    let Some(header_at) = header_at else {
        let wanted: Vec<&str> = required.iter().map(|f| f.header).collect();
        return Err(ImportError::File(format!(
            "工作表“{name}”前{HEADER_SEARCH_ROWS}行中找不到表头：应包含 {}",
            wanted.join("、")
        )));
    };
    let columns = matches(&grid[header_at]);
    let mut warnings = Vec::new();
    for (index, cell) in grid[header_at].iter().enumerate() {
        if let Data::String(text) = cell
            && !text.trim().is_empty()
            && !columns.iter().any(|(_, c)| c.index == index)
        {
            warnings.push(format!("{name}: 列“{}”不是本类数据的列，已忽略", text.trim()));
        }
    }
    let rows = grid
        .into_iter()
        .enumerate()
        .skip(header_at + 1)
        .filter(|(_, cells)| cells.iter().any(|c| !is_blank(c)))
        .map(|(i, cells)| Row { excel_row: i as u32 + 1, cells })
        .collect();
    Ok(Table { sheet: name.to_string(), columns, rows, warnings })
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

    #[test]
    fn float_cells_become_the_decimals_the_user_typed() {
        let cases = [(12.3, "12.3"), (0.1 + 0.2, "0.3"), (11053.0, "11053"), (1e-4, "0.0001"), (-8.5, "-8.5")];
        for (f, text) in cases {
            assert_eq!(float_decimal(f).map(|d| d.normalize().to_string()).as_deref(), Some(text), "{f}");
        }
        assert_eq!(float_decimal(f64::NAN), None);
    }
}
