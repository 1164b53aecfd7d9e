//! An entry's figures as people type them, in a form or as the API's strings: a blank is no
//! figure, a number is an exact decimal, anything else is refused naming its field.

use rust_decimal::Decimal;
use taizhang_core::workflow::EntryFigures;

/// The six figures in order — 当月完成投资, 年初至报告期累计, 开工至报告期累计, 数值, 增长率,
/// 完成进度 — each with the name its message uses, then the texts. A figure that is not a
/// number is refused with its place among the six (for a form to mark the field) and a message.
pub(crate) fn typed_figures(
    numbers: [(&str, Option<&str>); 6],
    text: &str,
    problems: &str,
) -> Result<EntryFigures, (usize, String)> {
    let mut parsed = [None; 6];
    for (place, (slot, (name, value))) in parsed.iter_mut().zip(numbers).enumerate() {
        *slot = number(name, value).map_err(|m| (place, m))?;
    }
    let [month_wan, ytd_wan, since_start_wan, value, growth, percent] = parsed;
    Ok(EntryFigures {
        month_wan,
        ytd_wan,
        since_start_wan,
        value,
        growth,
        percent,
        text: text.trim().to_string(),
        problems: problems.trim().to_string(),
    })
}

fn number(name: &str, value: Option<&str>) -> Result<Option<Decimal>, String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => taizhang_core::quantity::parse_number(v).map(Some).map_err(|_| format!("{name}“{v}”不是数字")),
    }
}
