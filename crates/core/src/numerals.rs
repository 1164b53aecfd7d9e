//! Chinese numerals as prose uses them: 两大行动, 六项工作, 第三季度.

/// 0..=99 in Chinese characters; larger numbers stay in digits, as reports print them.
pub fn zh_numeral(n: u64) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].to_string(),
        10 => "十".to_string(),
        11..=19 => format!("十{}", DIGITS[(n % 10) as usize]),
        20..=99 if n.is_multiple_of(10) => format!("{}十", DIGITS[(n / 10) as usize]),
        20..=99 => format!("{}十{}", DIGITS[(n / 10) as usize], DIGITS[(n % 10) as usize]),
        _ => n.to_string(),
    }
}

/// A count before a measure word: 2 is 两 (两大行动), otherwise as [`zh_numeral`].
pub fn zh_count(n: u64) -> String {
    if n == 2 { "两".to_string() } else { zh_numeral(n) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals_read_as_chinese_prose_writes_them() {
        let cases =
            [(0, "零"), (1, "一"), (3, "三"), (10, "十"), (12, "十二"), (20, "二十"), (35, "三十五"), (100, "100")];
        for (n, text) in cases {
            assert_eq!(zh_numeral(n), text);
        }
        assert_eq!(zh_count(2), "两");
        assert_eq!(zh_count(6), "六");
    }
}
