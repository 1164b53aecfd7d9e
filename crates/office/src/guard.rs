//! Untrusted workbooks are measured before anything reads them: an .xlsx is a zip of XML
//! parts whose sizes and counts are the sender's to claim. Every XML part is inflated once,
//! as a stream in fixed blocks (memory stays flat whatever the file claims), and refused when
//! it inflates beyond its limit, holds a run of text too long for any cell, or (the shared
//! strings) declares more strings than it can hold — before the reader trusts any of it.

use std::io::{Cursor, Read};

use crate::ImportError;

/// Limits on what a workbook within [`crate::MAX_FILE_BYTES`] may inflate to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Parts (files) in the zip.
    pub entries: usize,
    /// Inflated bytes of one worksheet or other XML part (read as a stream).
    pub part_bytes: u64,
    /// Inflated bytes of the shared strings, which the reader holds in memory whole.
    pub shared_strings_bytes: u64,
    /// Inflated bytes of all parts together.
    pub total_bytes: u64,
    /// Bytes between two tags: no cell holds more (Excel's limit is 32,767 characters).
    pub run_bytes: u64,
    /// Strings the shared-strings table may declare.
    pub shared_strings: u64,
}

impl Default for Limits {
    fn default() -> Self {
        const MIB: u64 = 1024 * 1024;
        Self {
            entries: 10_000,
            part_bytes: 512 * MIB,
            shared_strings_bytes: 64 * MIB,
            total_bytes: 1024 * MIB,
            run_bytes: 4 * MIB,
            shared_strings: 1_000_000,
        }
    }
}

const BLOCK: usize = 64 * 1024;

/// Checks a workbook against `limits`. Files that are not zips pass through: the reader
/// itself says what they are (encrypted, .xls, not a workbook at all).
pub fn check(bytes: &[u8], file: &str, limits: &Limits) -> Result<(), ImportError> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Ok(()) };
    let refused = |why: String| {
        ImportError::File(format!(
            "{file} 无法安全读取：{why}。文件可能已损坏或被篡改，请在 Excel 中另存为 .xlsx 后再导入"
        ))
    };
    if zip.len() > limits.entries {
        return Err(refused(format!("包含{}个部件，超过上限{}个", zip.len(), limits.entries)));
    }
    let mib = |b: u64| b / (1024 * 1024);
    let mut total = 0u64;
    let mut block = vec![0u8; BLOCK];
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else { continue };
        let name = part.name().map(|n| n.to_string()).unwrap_or_default();
        if !(name.ends_with(".xml") || name.ends_with(".rels")) {
            continue; // pictures and the like are never read
        }
        // Whatever its name (the reader follows the relationships), a part whose root is
        // <sst> is a shared-strings table; its root is in the first block read.
        let mut shared = name.ends_with("sharedStrings.xml");
        let mut cap = if shared { limits.shared_strings_bytes } else { limits.part_bytes };
        let mut inflated = 0u64;
        let mut run = 0u64;
        let mut head: Vec<u8> = Vec::new();
        loop {
            let n = match part.read(&mut block) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => return Err(refused(format!("部件 {name} 无法解压（{e}）"))),
            };
            inflated += n as u64;
            total += n as u64;
            if inflated > cap {
                return Err(refused(format!("部件 {name} 解压后超过{} MB", mib(cap))));
            }
            if total > limits.total_bytes {
                return Err(refused(format!("解压后合计超过{} MB", mib(limits.total_bytes))));
            }
            // The longest stretch without a tag boundary: text or space no cell can hold.
            let data = &block[..n];
            let mut last = None;
            // A gap inside one block can exceed the limit only when the limit is smaller than
            // a block; otherwise the first and the last boundary of each block tell it all.
            let boundaries: Box<dyn Iterator<Item = usize>> = if limits.run_bytes < BLOCK as u64 {
                Box::new(memchr::memchr2_iter(b'<', b'>', data))
            } else {
                let first = memchr::memchr2(b'<', b'>', data);
                Box::new(first.into_iter().chain(memchr::memrchr2(b'<', b'>', data).filter(|l| Some(*l) != first)))
            };
            for at in boundaries {
                let gap = match last {
                    None => run + at as u64,
                    Some(previous) => (at - previous - 1) as u64,
                };
                if gap > limits.run_bytes {
                    return Err(refused(format!("部件 {name} 中有超过{} MB的连续文本或空白", mib(limits.run_bytes))));
                }
                last = Some(at);
            }
            run = match last {
                None => run + n as u64,
                Some(previous) => (n - 1 - previous) as u64,
            };
            if run > limits.run_bytes {
                return Err(refused(format!("部件 {name} 中有超过{} MB的连续文本或空白", mib(limits.run_bytes))));
            }
            if head.len() < 4096 {
                head.extend_from_slice(&data[..data.len().min(4096 - head.len())]);
                if !shared && root_is_sst(&head) {
                    shared = true;
                    cap = limits.shared_strings_bytes;
                    if inflated > cap {
                        return Err(refused(format!("部件 {name} 解压后超过{} MB", mib(cap))));
                    }
                }
            }
        }
        if shared
            && let Some(declared) =
                declared_strings(&head).map_err(|v| refused(format!("共享字符串表声明的字符串数“{v}”无法识别")))?
        {
            // `<si/>` is the shortest string: a part cannot hold more than its bytes / 5.
            let possible = (inflated / 5).min(limits.shared_strings);
            if declared > possible {
                return Err(refused(format!("共享字符串表声明了{declared}个字符串，而该部件最多只能容纳{possible}个")));
            }
        }
    }
    Ok(())
}

/// The root element of an XML part, when its head holds it.
fn root(head: &[u8]) -> Option<quick_xml::events::BytesStart<'_>> {
    let mut reader = quick_xml::Reader::from_reader(head);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => return Some(e),
            Ok(quick_xml::events::Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

fn root_is_sst(head: &[u8]) -> bool {
    root(head).is_some_and(|e| e.local_name().as_ref() == "sst")
}

/// The `uniqueCount` of the `<sst>` root, if it says: what the reader reserves room for
/// (`count`, the references to strings, may rightly be larger than the table). Read as XML
/// (either quote, spaces around `=`); a value that is not a plain number is `Err`.
fn declared_strings(head: &[u8]) -> Result<Option<u64>, String> {
    let Some(sst) = root(head).filter(|e| e.local_name().as_ref() == "sst") else { return Ok(None) };
    for attribute in sst.attributes().flatten() {
        if attribute.key.local_name().as_ref() == "uniqueCount" {
            let value = attribute.value.to_string();
            return value.trim().parse::<u64>().map(Some).map_err(|_| value);
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// A zip holding the given parts, deflated.
    fn zip_of(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in parts {
            out.start_file(*name, options).unwrap();
            out.write_all(data).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    fn small() -> Limits {
        Limits {
            part_bytes: 1 << 20,
            shared_strings_bytes: 1 << 16,
            total_bytes: 2 << 20,
            run_bytes: 1 << 12,
            ..Limits::default()
        }
    }

    #[test]
    fn a_plain_workbook_passes() {
        let sheet =
            b"<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetData></worksheet>".to_vec();
        let sst = b"<sst count=\"2\" uniqueCount=\"2\"><si><t>a</t></si><si><t>b</t></si></sst>".to_vec();
        let file = zip_of(&[("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", sst)]);
        check(&file, "ok.xlsx", &small()).unwrap();
    }

    #[test]
    fn hostile_parts_are_refused_with_the_reason() {
        type Parts = Vec<(&'static str, Vec<u8>)>;
        let cases: Vec<(&str, Parts, &str)> = vec![
            (
                "a shared-strings table claiming a hundred billion strings",
                vec![("xl/sharedStrings.xml", b"<sst uniqueCount=\"100000000000\"><si><t>x</t></si></sst>".to_vec())],
                "声明了100000000000个字符串",
            ),
            (
                "the same claim in single quotes, with spaces around =",
                vec![(
                    "xl/sharedStrings.xml",
                    b"<x:sst xmlns:x='m' uniqueCount = '100000000000'><x:si/></x:sst>".to_vec(),
                )],
                "声明了100000000000个字符串",
            ),
            (
                "the same claim in a part named otherwise (the reader follows the relationships)",
                vec![("xl/strings.xml", b"<sst uniqueCount=\"100000000000\"><si><t>x</t></si></sst>".to_vec())],
                "声明了100000000000个字符串",
            ),
            (
                "a count that is not a number",
                vec![("xl/sharedStrings.xml", b"<sst uniqueCount=\"1e11\"><si><t>x</t></si></sst>".to_vec())],
                "字符串数“1e11”无法识别",
            ),
            (
                "a part that inflates past its limit",
                vec![("xl/worksheets/sheet1.xml", b"<row/>".repeat(400_000))],
                "解压后超过1 MB",
            ),
            (
                "whitespace inside the cells",
                vec![(
                    "xl/worksheets/sheet1.xml",
                    [b"<sheetData>".to_vec(), vec![b' '; 10_000], b"</sheetData>".to_vec()].concat(),
                )],
                "连续文本或空白",
            ),
            (
                "a string as long as the whole part",
                vec![(
                    "xl/sharedStrings.xml",
                    [b"<sst><si><t>".to_vec(), vec![b'x'; 20_000], b"</t></si></sst>".to_vec()].concat(),
                )],
                "连续文本或空白",
            ),
        ];
        for (what, parts, expected) in cases {
            let file = zip_of(&parts);
            let err = check(&file, "evil.xlsx", &small()).expect_err(what).to_string();
            assert!(err.contains(expected) && err.starts_with("evil.xlsx 无法安全读取"), "{what}: {err}");
        }
    }

    #[test]
    fn the_fuzzers_workbook_is_refused_not_a_crash() {
        // Found by fuzz/fuzz_targets/workbook.rs: a zip the guard's reader once could not open
        // while the workbook reader could, whose shared strings claimed a huge table.
        let bytes = include_bytes!("../tests/fuzz/sst-reserve.xlsx");
        assert!(crate::read_table(bytes, "fuzz.xlsx", crate::Kind::Progress, None).is_err());
    }

    #[test]
    fn runs_are_measured_across_blocks() {
        // A long run split over two 64 KB blocks is still one run.
        let limits = Limits { run_bytes: 100_000, ..Limits::default() };
        let body = [b"<t>".to_vec(), vec![b'x'; 120_000], b"</t>".to_vec()].concat();
        let file = zip_of(&[("xl/worksheets/sheet1.xml", body)]);
        assert!(check(&file, "long.xlsx", &limits).is_err());
        let body = [b"<t>".to_vec(), vec![b'x'; 90_000], b"</t>".to_vec()].concat();
        let file = zip_of(&[("xl/worksheets/sheet1.xml", body)]);
        assert!(check(&file, "fine.xlsx", &limits).is_ok());
    }

    #[test]
    fn files_that_are_not_zips_are_left_to_the_reader() {
        assert!(check(b"not a zip", "x.xlsx", &Limits::default()).is_ok());
    }
}
