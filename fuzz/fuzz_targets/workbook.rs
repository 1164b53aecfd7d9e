//! Any bytes as an uploaded workbook, read as each kind the import knows: a table or a located
//! refusal, never a panic, and (with the guard) never an allocation the bytes do not justify.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taizhang_office::Kind;

fuzz_target!(|bytes: &[u8]| {
    for kind in [Kind::Progress, Kind::Indicators] {
        let _ = taizhang_office::read_table(bytes, "上传.xlsx", kind, None);
    }
});
