//! Any text as a period label: an answer or a refusal naming it, never a panic; what a period
//! prints as its key it reads back; a 调度 period (2018W23, 2018-06上旬) bounds its days in order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taizhang_core::period::Period;

fuzz_target!(|text: &str| {
    match Period::parse_label(text) {
        Ok(label) => {
            let p = label.period;
            assert_eq!(p.key().parse::<Period>().ok(), Some(p), "{text:?}");
            let _ = (p.label_zh(true), p.label_zh(false), p.time_progress());
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    if let Ok((first, last)) = taizhang_core::mechanism::period_days(text) {
        assert!(first <= last, "{text:?}");
    }
});
