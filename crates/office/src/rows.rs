//! Reading a sheet's rows one typed cell at a time, every wrong cell collected with its
//! place (the small sheets of 基层党建 and 数字城管; the ledger's kinds have `import.rs`).

use calamine::Data;
use rust_decimal::Decimal;

use crate::sheet::{Row, Table};
use crate::{CellError, CellErrors, ImportError, cells};

/// A row being read: its cells by field key, and the errors of the whole sheet.
pub(crate) struct Reader<'a> {
    table: &'a Table,
    pub(crate) row: &'a Row,
    errors: &'a mut CellErrors,
}

impl Reader<'_> {
    pub(crate) fn raw(&self, key: &str) -> &Data {
        self.table.cell(self.row, key).map_or(&Data::Empty, |(_, d)| d)
    }

    pub(crate) fn fail(&mut self, key: &str, message: impl Into<String>) {
        let value = crate::sheet::cell_text(self.raw(key));
        self.errors.push(CellError { at: self.table.at(self.row, key), value, message: message.into() });
    }

    /// Text, trimmed; empty when blank (an error when required). At most 500 characters.
    pub(crate) fn text(&mut self, key: &str, required: bool) -> String {
        self.text_up_to(key, required, 500)
    }

    /// [`Reader::text`] of at most `max` characters (an outline's WKT is long).
    pub(crate) fn text_up_to(&mut self, key: &str, required: bool, max: usize) -> String {
        match cells::text(self.raw(key)) {
            Some(t) if t.chars().count() > max => {
                self.fail(key, format!("内容过长（不超过{max}个字符）"));
                String::new()
            }
            Some(t) => t.trim().to_string(),
            None if required => {
                self.fail(key, "不能为空");
                String::new()
            }
            None => String::new(),
        }
    }

    /// A value parsed from required text (a coded enum's code or name).
    pub(crate) fn parsed<T: std::str::FromStr<Err = taizhang_core::DomainError>>(&mut self, key: &str) -> Option<T> {
        let text = self.text(key, true);
        if text.is_empty() {
            return None;
        }
        text.parse().map_err(|e: taizhang_core::DomainError| self.fail(key, e.to_string())).ok()
    }

    /// A typed cell as read: its value, or none with the error put at its place (a blank
    /// one an error only when required).
    fn got<T>(&mut self, key: &str, read: Result<Option<T>, String>, required: bool) -> Option<T> {
        match read {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                if required {
                    self.fail(key, "不能为空");
                }
                None
            }
            Err(e) => {
                self.fail(key, e);
                None
            }
        }
    }

    /// A required exact number.
    pub(crate) fn number(&mut self, key: &str) -> Option<Decimal> {
        let read = cells::number(self.raw(key));
        self.got(key, read, true)
    }

    /// A whole number in `[min, 1_000_000)`; blank is `blank` (an error when none).
    pub(crate) fn count(&mut self, key: &str, min: u32, blank: Option<u32>) -> Option<u32> {
        let read = cells::number(self.raw(key));
        if matches!(read, Ok(None)) && blank.is_some() {
            return blank;
        }
        let n = self.got(key, read, true)?;
        if n.fract().is_zero() && n >= Decimal::from(min) && n < Decimal::from(1_000_000) {
            return u32::try_from(n.mantissa() / 10_i128.pow(n.scale())).ok();
        }
        self.fail(key, if min == 0 { "应为0或正整数" } else { "应为正整数" });
        None
    }

    /// A required date.
    pub(crate) fn date(&mut self, key: &str) -> Option<taizhang_core::project::Date> {
        let read = cells::date(self.raw(key));
        self.got(key, read, true)
    }

    /// A moment to the minute ("2018-06-04 09:30").
    pub(crate) fn moment(&mut self, key: &str, required: bool) -> Option<String> {
        let read = cells::moment(self.raw(key));
        self.got(key, read, required)
    }
}

/// Each row read by `read` (none when a cell was wrong); every wrong cell of the sheet, or
/// the values.
pub(crate) fn each_row<T>(
    table: &Table,
    mut read: impl FnMut(&mut Reader<'_>) -> Option<T>,
) -> Result<Vec<T>, ImportError> {
    let mut errors = CellErrors::default();
    let mut out = vec![];
    for row in &table.rows {
        let mut r = Reader { table, row, errors: &mut errors };
        if let Some(v) = read(&mut r) {
            out.push(v);
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(ImportError::Cells(errors)) }
}

/// A sheet by its name, else the workbook's first (a file saved with another sheet name).
pub(crate) fn sheet(
    bytes: &[u8],
    file: &str,
    name: &str,
    fields: &[crate::sheet::Field],
) -> Result<Table, ImportError> {
    crate::sheet::read_table(bytes, file, Some(name), fields)
        .or_else(|_| crate::sheet::read_table(bytes, file, None, fields))
}
