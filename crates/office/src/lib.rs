//! taizhang-office: Excel workbooks in and out.
//!
//! Import reads a sheet whose columns are found by their Chinese headers, turns its rows
//! into domain records of one [`Kind`], and reports every bad cell with its place
//! (`进度!R14 年初至报告期累计(万元)="12,5O0": 不是数字`). Export writes the same headers, so an
//! export re-imports unchanged, plus the monthly project ledger as offices print it.
//! No SQL and no HTTP here: the CLI and the web hand records to and from the store.

pub mod cases;
pub mod cells;
pub mod export;
pub mod guard;
pub mod import;
pub mod party;
pub mod report;
mod rows;
pub mod sheet;

use std::fmt;
use std::str::FromStr;

pub use import::{Context, Parser};
pub use sheet::MAX_FILE_BYTES;

/// The kinds of ledger data a workbook can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Units,
    Indicators,
    Targets,
    Projects,
    Progress,
    Tasks,
    /// The indicator catalogue itself: codes, names, aliases, units, phrasing.
    Catalogue,
    /// Honours and rankings (争先进位).
    Honours,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Units,
        Kind::Catalogue,
        Kind::Indicators,
        Kind::Targets,
        Kind::Projects,
        Kind::Progress,
        Kind::Tasks,
        Kind::Honours,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Units => "units",
            Kind::Indicators => "indicators",
            Kind::Targets => "targets",
            Kind::Projects => "projects",
            Kind::Progress => "progress",
            Kind::Tasks => "tasks",
            Kind::Catalogue => "catalogue",
            Kind::Honours => "honours",
        }
    }

    /// The sheet name exports and templates use.
    pub fn sheet_name(self) -> &'static str {
        match self {
            Kind::Units => "单位",
            Kind::Indicators => "指标",
            Kind::Targets => "目标",
            Kind::Projects => "项目",
            Kind::Progress => "进度",
            Kind::Tasks => "重点工作",
            Kind::Catalogue => "指标目录",
            Kind::Honours => "荣誉",
        }
    }

    pub fn fields(self) -> &'static [sheet::Field] {
        match self {
            Kind::Units => import::UNIT_FIELDS,
            Kind::Indicators => import::VALUE_FIELDS,
            Kind::Targets => import::TARGET_FIELDS,
            Kind::Projects => import::PROJECT_FIELDS,
            Kind::Progress => import::PROGRESS_FIELDS,
            Kind::Tasks => import::TASK_FIELDS,
            Kind::Catalogue => import::CATALOGUE_FIELDS,
            Kind::Honours => import::HONOUR_FIELDS,
        }
    }
}

impl FromStr for Kind {
    type Err = ImportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL.into_iter().find(|k| k.code() == s.trim() || k.sheet_name() == s.trim()).ok_or_else(|| {
            ImportError::File(format!(
                "数据类别“{s}”无法识别：应为 units、catalogue、indicators、targets、projects、progress、tasks 或 honours"
            ))
        })
    }
}

/// Where a cell is: sheet, the row number Excel shows, and the column header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub sheet: String,
    pub row: u32,
    pub header: String,
}

/// One bad cell: where, what it held, what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub at: Located,
    pub value: String,
    pub message: String,
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}!R{} {}=\"{}\": {}", self.at.sheet, self.at.row, self.at.header, self.value, self.message)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The file as a whole cannot be read (not an xlsx, encrypted, too large, no header).
    #[error("{0}")]
    File(String),
    /// Cells that are wrong: every one of the file counted, the first [`MAX_LISTED_ERRORS`] kept.
    #[error("{0}")]
    Cells(CellErrors),
}

/// How many cell errors a message lists; the rest are counted.
pub const MAX_LISTED_ERRORS: usize = 200;

/// The wrong cells of a file: the first [`MAX_LISTED_ERRORS`] kept to be listed, all counted.
/// A million wrong rows cost a counter, not a million messages in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CellErrors {
    kept: Vec<CellError>,
    total: usize,
}

impl CellErrors {
    pub fn push(&mut self, e: CellError) {
        self.total += 1;
        if self.kept.len() < MAX_LISTED_ERRORS {
            self.kept.push(e);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Every wrong cell of the file, listed or not.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The listed ones, in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = &CellError> {
        self.kept.iter()
    }
}

impl Extend<CellError> for CellErrors {
    fn extend<I: IntoIterator<Item = CellError>>(&mut self, errors: I) {
        errors.into_iter().for_each(|e| self.push(e));
    }
}

impl FromIterator<CellError> for CellErrors {
    fn from_iter<I: IntoIterator<Item = CellError>>(errors: I) -> Self {
        let mut all = CellErrors::default();
        all.extend(errors);
        all
    }
}

/// The first errors, one a line, then how many more there are.
impl fmt::Display for CellErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut lines: Vec<String> = self.kept.iter().map(ToString::to_string).collect();
        if self.total > self.kept.len() {
            lines.push(format!("另有{}处错误", self.total - self.kept.len()));
        }
        f.write_str(&lines.join("\n"))
    }
}

/// Opens a workbook and reads the sheet for `kind` whole, its rows not yet checked (a
/// [`Parser`] does that). `bytes` is the whole file (read in memory; the size limit applies).
pub fn read_table(bytes: &[u8], file: &str, kind: Kind, sheet: Option<&str>) -> Result<sheet::Table, ImportError> {
    sheet::read_table(bytes, file, sheet, kind.fields())
}

/// [`read_table`] of at most `max_rows` data rows (a form's upload, where a sheet has a size).
pub fn read_table_capped(bytes: &[u8], file: &str, kind: Kind, max_rows: usize) -> Result<sheet::Table, ImportError> {
    sheet::read_table_capped(bytes, file, None, kind.fields(), max_rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_million_wrong_cells_keep_two_hundred_messages_and_count_the_rest() {
        let at = Located { sheet: "进度".into(), row: 2, header: "年初至报告期累计(万元)".into() };
        let one = CellError { at, value: "十二万".into(), message: "不是数字".into() };
        let all: CellErrors = std::iter::repeat_n(one, 1_000_000).collect();
        assert_eq!((all.total(), all.iter().count()), (1_000_000, MAX_LISTED_ERRORS));
        let text = all.to_string();
        assert_eq!(text.lines().count(), MAX_LISTED_ERRORS + 1);
        assert!(text.ends_with("另有999800处错误"), "{}", &text[text.len() - 40..]);
    }
}
