//! 基层党建 workbooks: organisations (党组织), checklist scores (考评得分) and meetings
//! (三会一课), read by their Chinese headers with every bad cell named by sheet, row and
//! header; and the same headers written back, so that an export re-imports.

use rust_decimal::Decimal;
use taizhang_core::party::{Meeting, PartyOrg};

use crate::ImportError;
use crate::rows::{each_row, sheet};
use crate::sheet::Field;

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

/// Organisations from the sheet 党组织 (or the first); `unit_code` turns a 所属单位 written
/// as a code or a name into its code (none: unknown, an error at the cell).
pub fn orgs(
    bytes: &[u8],
    file: &str,
    unit_code: impl Fn(&str) -> Option<String>,
) -> Result<Vec<PartyOrg>, ImportError> {
    let table = sheet(bytes, file, "党组织", ORG_FIELDS)?;
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
        let members = r.count("members", 1, None);
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
    let table = sheet(bytes, file, "考评得分", SCORE_FIELDS)?;
    each_row(&table, |r| {
        let org = r.text("org", true);
        let item = r.text("item", true);
        let points = r.number("points");
        let evidence = r.text("evidence", false);
        Some(ScoreRow { org, item, points: points?, evidence, row: r.row.excel_row })
    })
}

/// Meetings from the sheet 三会一课 (or the first).
pub fn meetings(bytes: &[u8], file: &str) -> Result<Vec<Meeting>, ImportError> {
    let table = sheet(bytes, file, "三会一课", MEETING_FIELDS)?;
    each_row(&table, |r| {
        let org = r.text("org", true);
        let kind = r.parsed("kind");
        let held_on = r.date("date");
        let attendance = r.count("attendance", 1, None);
        let topic = r.text("topic", true);
        Some(Meeting { org, kind: kind?, held_on: held_on?, attendance: attendance?, topic })
    })
}
