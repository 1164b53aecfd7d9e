//! 基层党建 workbooks: organisations (党组织), checklist scores (考评得分) and meetings
//! (三会一课), read by their Chinese headers with every bad cell named by sheet, row and
//! header; and the same headers written back, so that an export re-imports.

use calamine::Data;
use rust_decimal::Decimal;
use taizhang_core::party::{Meeting, PartyOrg};

use crate::sheet::{Field, Row, Table};
use crate::{CellError, CellErrors, ImportError, cells};

pub const ORG_FIELDS: &[Field] = &[
    Field { key: "code", header: "组织编码", aliases: &["党组织编码", "编码"], required: true },
    Field { key: "name", header: "组织名称", aliases: &["党组织名称", "名称"], required: true },
    Field { key: "level", header: "层级", aliases: &["组织层级", "党组织层级"], required: true },
    Field { key: "kind", header: "类型", aliases: &["组织类型", "党组织类型"], required: true },
    Field {
        key: "parent", header: "上级组织编码", aliases: &["上级组织", "上级党组织"], required: false
    },
    Field { key: "unit", header: "所属单位", aliases: &["单位", "所属街道部门"], required: true },
    Field { key: "secretary", header: "书记", aliases: &["书记姓名", "支部书记"], required: true },
    Field { key: "account", header: "书记账号", aliases: &["账号"], required: false },
    Field { key: "members", header: "党员人数", aliases: &["党员数"], required: true },
];

pub const SCORE_FIELDS: &[Field] = &[
    Field { key: "org", header: "组织编码", aliases: &["党组织编码", "编码"], required: true },
    Field { key: "item", header: "项目编号", aliases: &["编号", "检查项目编号"], required: true },
    Field { key: "points", header: "得分", aliases: &["分数", "自评得分"], required: true },
    Field { key: "evidence", header: "佐证材料", aliases: &["佐证", "说明"], required: false },
];

pub const MEETING_FIELDS: &[Field] = &[
    Field { key: "org", header: "组织编码", aliases: &["党组织编码", "编码"], required: true },
    Field { key: "kind", header: "会议类型", aliases: &["类型", "会议"], required: true },
    Field { key: "date", header: "日期", aliases: &["召开日期", "时间"], required: true },
    Field { key: "attendance", header: "参会人数", aliases: &["实到人数", "到会人数"], required: true },
    Field { key: "topic", header: "主题", aliases: &["会议主题", "内容"], required: true },
];

/// One checklist score as a sheet gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRow {
    pub org: String,
    pub item: String,
    pub points: Decimal,
    pub evidence: String,
    pub row: u32,
}

/// Reads a row's cells, collecting what is wrong with each.
struct Reader<'a> {
    table: &'a Table,
    row: &'a Row,
    errors: &'a mut CellErrors,
}

impl Reader<'_> {
    fn raw(&self, key: &str) -> &Data {
        self.table.cell(self.row, key).map_or(&Data::Empty, |(_, d)| d)
    }

    fn fail(&mut self, key: &str, message: impl Into<String>) {
        let value = crate::sheet::cell_text(self.raw(key));
        self.errors.push(CellError { at: self.table.at(self.row, key), value, message: message.into() });
    }

    fn text(&mut self, key: &str, required: bool) -> String {
        match cells::text(self.raw(key)) {
            Some(t) if t.chars().count() > 500 => {
                self.fail(key, "内容过长（不超过500个字符）");
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

    fn parsed<T: std::str::FromStr<Err = taizhang_core::DomainError>>(&mut self, key: &str) -> Option<T> {
        let text = self.text(key, true);
        if text.is_empty() {
            return None;
        }
        text.parse().map_err(|e: taizhang_core::DomainError| self.fail(key, e.to_string())).ok()
    }

    fn count(&mut self, key: &str) -> Option<u32> {
        match cells::number(self.raw(key)) {
            Ok(Some(n)) if n.fract().is_zero() && n > Decimal::ZERO && n < Decimal::from(1_000_000) => {
                u32::try_from(n.mantissa() / 10_i128.pow(n.scale())).ok()
            }
            Ok(Some(_)) => {
                self.fail(key, "应为正整数");
                None
            }
            Ok(None) => {
                self.fail(key, "不能为空");
                None
            }
            Err(e) => {
                self.fail(key, e);
                None
            }
        }
    }
}

fn each_row<T>(table: &Table, mut read: impl FnMut(&mut Reader<'_>) -> Option<T>) -> Result<Vec<T>, ImportError> {
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

/// Organisations from the sheet 党组织 (or the first); `unit_code` turns a 所属单位 written
/// as a code or a name into its code (none: unknown, an error at the cell).
pub fn orgs(
    bytes: &[u8],
    file: &str,
    unit_code: impl Fn(&str) -> Option<String>,
) -> Result<Vec<PartyOrg>, ImportError> {
    let table = crate::sheet::read_table(bytes, file, Some("党组织"), ORG_FIELDS)
        .or_else(|_| crate::sheet::read_table(bytes, file, None, ORG_FIELDS))?;
    each_row(&table, |r| {
        let code = r.text("code", true);
        let name = r.text("name", true);
        let level = r.parsed("level");
        let kind = r.parsed("kind");
        let parent = Some(r.text("parent", false)).filter(|p| !p.is_empty());
        let unit_text = r.text("unit", true);
        let unit = unit_code(&unit_text);
        if unit.is_none() && !unit_text.is_empty() {
            r.fail("unit", "没有这个单位（应为单位编码或名称）");
        }
        let secretary = r.text("secretary", true);
        let account = Some(r.text("account", false)).filter(|a| !a.is_empty());
        let members = r.count("members");
        Some(PartyOrg {
            code,
            name,
            level: level?,
            kind: kind?,
            parent,
            unit: unit?,
            secretary,
            secretary_account: account,
            members: members?,
            sample: false,
        })
    })
}

/// Scores from the sheet 考评得分 (or the first).
pub fn scores(bytes: &[u8], file: &str) -> Result<Vec<ScoreRow>, ImportError> {
    let table = crate::sheet::read_table(bytes, file, Some("考评得分"), SCORE_FIELDS)
        .or_else(|_| crate::sheet::read_table(bytes, file, None, SCORE_FIELDS))?;
    each_row(&table, |r| {
        let org = r.text("org", true);
        let item = r.text("item", true);
        let points = match cells::number(r.raw("points")) {
            Ok(Some(p)) => Some(p),
            Ok(None) => {
                r.fail("points", "不能为空");
                None
            }
            Err(e) => {
                r.fail("points", e);
                None
            }
        };
        let evidence = r.text("evidence", false);
        Some(ScoreRow { org, item, points: points?, evidence, row: r.row.excel_row })
    })
}

/// Meetings from the sheet 三会一课 (or the first).
pub fn meetings(bytes: &[u8], file: &str) -> Result<Vec<Meeting>, ImportError> {
    let table = crate::sheet::read_table(bytes, file, Some("三会一课"), MEETING_FIELDS)
        .or_else(|_| crate::sheet::read_table(bytes, file, None, MEETING_FIELDS))?;
    each_row(&table, |r| {
        let org = r.text("org", true);
        let kind = r.parsed("kind");
        let held_on = match cells::date(r.raw("date")) {
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                r.fail("date", "不能为空");
                None
            }
            Err(e) => {
                r.fail("date", e);
                None
            }
        };
        let attendance = r.count("attendance");
        let topic = r.text("topic", true);
        Some(Meeting { org, kind: kind?, held_on: held_on?, attendance: attendance?, topic })
    })
}
