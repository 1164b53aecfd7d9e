//! 数字城管 workbooks: grid cells (单元网格, each outline as WKT or GeoJSON in one cell) and a
//! month of cases from an old system (案件, with their times), read by their Chinese headers,
//! every bad cell named by sheet, row and header.

use taizhang_core::cases::HistoricCase;
use taizhang_core::grid::{GridCell, shape_from_geojson_text, shape_from_wkt};

use crate::ImportError;
use crate::rows::{each_row, sheet};
use crate::sheet::Field;

pub const GRID_FIELDS: &[Field] = &[
    Field { key: "code", header: "网格编码", aliases: &["单元网格编码", "编码"], required: true },
    Field { key: "name", header: "网格名称", aliases: &["名称"], required: true },
    Field { key: "street", header: "街道", aliases: &["所属街道", "街道编码"], required: true },
    Field { key: "community", header: "社区", aliases: &["所属社区"], required: false },
    Field { key: "shape", header: "边界", aliases: &["边界WKT", "WKT", "GeoJSON", "范围"], required: true },
];

pub const CASE_FIELDS: &[Field] = &[
    Field { key: "old_id", header: "原案件编号", aliases: &["案件编号", "案卷号"], required: false },
    Field { key: "class", header: "小类编码", aliases: &["小类", "类别编码"], required: true },
    Field { key: "lon", header: "经度", aliases: &["X", "lon"], required: true },
    Field { key: "lat", header: "纬度", aliases: &["Y", "lat"], required: true },
    Field { key: "address", header: "地址", aliases: &["位置描述"], required: false },
    Field { key: "description", header: "问题描述", aliases: &["描述"], required: true },
    Field { key: "reported_by", header: "上报人", aliases: &["监督员"], required: true },
    Field { key: "reported_at", header: "上报时间", aliases: &[], required: true },
    Field { key: "filed_at", header: "立案时间", aliases: &[], required: false },
    Field { key: "dispatched_at", header: "派遣时间", aliases: &[], required: false },
    Field { key: "unit", header: "处置单位", aliases: &["责任单位"], required: false },
    Field { key: "due_at", header: "处置时限", aliases: &["处置截止时间"], required: false },
    Field { key: "disposed_at", header: "处置时间", aliases: &["处置完成时间"], required: false },
    Field { key: "closed_at", header: "结案时间", aliases: &[], required: false },
    Field { key: "reworks", header: "返工次数", aliases: &["返工"], required: false },
    Field { key: "note", header: "状态说明", aliases: &["备注"], required: false },
];

/// Grid cells from the sheet 网格 (or the first): each outline as WKT (`POLYGON ((…))`) or
/// GeoJSON; `unit_code` turns a 街道 written as a code or a name into its code.
pub fn grid(
    bytes: &[u8],
    file: &str,
    unit_code: impl Fn(&str) -> Option<String>,
) -> Result<Vec<GridCell>, ImportError> {
    let table = sheet(bytes, file, "网格", GRID_FIELDS)?;
    each_row(&table, |r| {
        let code = r.text("code", true);
        let name = r.text("name", true);
        let street_text = r.text("street", true);
        let street = unit_code(&street_text);
        if street.is_none() && !street_text.is_empty() {
            r.fail("street", "没有这个单位（应为街道编码或名称）");
        }
        let community = r.text("community", false);
        // An Excel cell holds at most 32,767 characters.
        let text = r.text_up_to("shape", true, 32_767);
        let shape = if text.is_empty() {
            None
        } else if text.starts_with('{') {
            shape_from_geojson_text(&text).map_err(|e| r.fail("shape", e.to_string())).ok()
        } else {
            shape_from_wkt(&text).map_err(|e| r.fail("shape", e.to_string())).ok()
        };
        Some(GridCell { code, name, street: street?, community, shape: shape? })
    })
}

/// Cases from the sheet 案件 (or the first), as an old system left them. 状态说明 may say
/// 不予立案 or 挂账, which the times alone do not.
pub fn historic(bytes: &[u8], file: &str) -> Result<Vec<HistoricCase>, ImportError> {
    let table = sheet(bytes, file, "案件", CASE_FIELDS)?;
    each_row(&table, |r| {
        let reworks = r.count("reworks", 0, Some(0));
        let note = r.text("note", false);
        let case = HistoricCase {
            row: r.row.excel_row,
            old_id: r.text("old_id", false),
            class: r.text("class", true),
            lon: r.number("lon").unwrap_or_default(),
            lat: r.number("lat").unwrap_or_default(),
            address: r.text("address", false),
            description: r.text("description", true),
            reported_by: r.text("reported_by", true),
            reported_at: r.moment("reported_at", true).unwrap_or_default(),
            filed_at: r.moment("filed_at", false),
            dispatched_at: r.moment("dispatched_at", false),
            unit: Some(r.text("unit", false)).filter(|u| !u.is_empty()),
            due_at: r.moment("due_at", false),
            disposed_at: r.moment("disposed_at", false),
            closed_at: r.moment("closed_at", false),
            reworks: reworks.unwrap_or_default(),
            declined: note.contains("不予立案"),
            suspended: note.contains("挂账"),
        };
        Some(case)
    })
}
