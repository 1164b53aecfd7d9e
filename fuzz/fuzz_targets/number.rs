//! Any text as the figures offices type: a number, a figure with its unit (567亿元), a target
//! (8%以上, 控制在4%以内), a spreadsheet cell read as a number — an answer or a refusal, never a
//! panic; a parsed figure that fits storage comes back from storage unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taizhang_core::quantity::{from_scaled, parse_number, parse_quantity, to_scaled};

fuzz_target!(|text: &str| {
    if let Ok(n) = parse_number(text)
        && let Ok(scaled) = to_scaled(n)
    {
        assert_eq!(from_scaled(scaled), n.normalize(), "{text:?}");
    }
    let _ = parse_quantity(text);
    let _ = taizhang_core::indicator::parse_target_text(text);
    // A cell's number, in any unit a header may name, converts without overflow.
    if let Ok(Some(n)) = taizhang_office::cells::number(&calamine::Data::String(text.to_string())) {
        let _ = taizhang_core::quantity::MeasureUnit::parse("亿元").map(|u| u.to_base(n));
    }
    if let Ok(f) = text.trim().parse::<f64>()
        && let Ok(Some(n)) = taizhang_office::cells::number(&calamine::Data::Float(f))
    {
        let _ = taizhang_core::quantity::MeasureUnit::parse("亿元").map(|u| u.to_base(n));
    }
});
