//! Exact quantities with a base unit and a display scale, and the number style of
//! government prose: `567亿元`, `29.4亿元`, `11053万元`, `30.88万人`, `71.6%` —
//! no trailing zeros, no thousands separators.

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::DomainError;

/// Base units that take 万/亿 prefixes for display (元 → 万元, 亿元; 人 → 万人 …).
const BASE_UNITS: &[&str] = &[
    "元",
    "人",
    "平方米",
    "人次",
    "家",
    "件",
    "个",
    "套",
    "支",
    "项",
    "条",
    "所",
    "户",
    "名",
    "辆",
    "公里",
    "亩",
    "吨",
    "千瓦时",
    "张",
];

/// A unit of measure as written: a base unit and how many base units one of it holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MeasureUnit {
    base: String,
    factor: Decimal,
}

impl MeasureUnit {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let t = text.trim();
        let bad = || DomainError::Unit { value: text.to_string() };
        if t == "%" || t == "％" {
            return Ok(Self::base_of("%"));
        }
        let (factor, rest) = if let Some(rest) = t.strip_prefix('亿') {
            (Decimal::from(100_000_000), rest)
        } else if let Some(rest) = t.strip_prefix('万') {
            (Decimal::from(10_000), rest)
        } else {
            (Decimal::ONE, t)
        };
        if !BASE_UNITS.contains(&rest) {
            return Err(bad());
        }
        Ok(Self { base: rest.to_string(), factor })
    }

    fn base_of(base: &str) -> Self {
        Self { base: base.to_string(), factor: Decimal::ONE }
    }

    /// The base unit this one scales (元 for 亿元).
    pub fn base(&self) -> MeasureUnit {
        Self::base_of(&self.base)
    }

    pub fn base_symbol(&self) -> &str {
        &self.base
    }

    pub fn factor(&self) -> Decimal {
        self.factor
    }

    pub fn is_percent(&self) -> bool {
        self.base == "%"
    }

    /// Same dimension: both measure 元, or both 人 …
    pub fn same_base(&self, other: &MeasureUnit) -> bool {
        self.base == other.base
    }

    /// A value written in this unit, converted to the base unit.
    pub fn to_base(&self, value: Decimal) -> Decimal {
        value * self.factor
    }

    /// A base-unit value shown in this unit, rounded half-up to `max_decimals` and printed
    /// without trailing zeros: 2940000000 元 in 亿元 → `29.4亿元`.
    pub fn format(&self, base_value: Decimal, max_decimals: u32) -> String {
        format!("{}{}", format_number(base_value / self.factor, max_decimals), self)
    }
}

impl fmt::Display for MeasureUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = if self.factor == Decimal::from(100_000_000) {
            "亿"
        } else if self.factor == Decimal::from(10_000) {
            "万"
        } else {
            ""
        };
        write!(f, "{prefix}{}", self.base)
    }
}

impl FromStr for MeasureUnit {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A number as government prose prints it: rounded half-up, no trailing zeros, no separators.
pub fn format_number(value: Decimal, max_decimals: u32) -> String {
    let rounded = value.round_dp_with_strategy(max_decimals, RoundingStrategy::MidpointAwayFromZero);
    let text = rounded.normalize().to_string();
    if text == "-0" { "0".to_string() } else { text }
}

/// Full-width digits and punctuation as typed in Chinese input methods, made half-width.
fn half_width(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '．' => '.',
        '－' => '-',
        '，' => ',',
        '％' => '%',
        _ => c,
    }
}

/// Parses a number as offices type it: `1,234.5`, `１２３`, ` 12.30 `; not `12.3%` (see callers).
pub fn parse_number(text: &str) -> Result<Decimal, DomainError> {
    let cleaned: String = text.trim().chars().map(half_width).filter(|&c| c != ',').collect();
    let bad = || DomainError::Number { value: text.to_string(), expected: "不是数字".to_string() };
    if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-') {
        return Err(bad());
    }
    Decimal::from_str(&cleaned).map_err(|_| bad())
}

/// A figure with its unit in one string, as the demo files and prose write it: `567亿元`.
pub fn parse_quantity(text: &str) -> Result<(Decimal, MeasureUnit), DomainError> {
    let t: String = text.trim().chars().map(half_width).collect();
    let t = t.as_str();
    let split = t
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '.' | '-' | ',')))
        .map_or(t.len(), |(i, _)| i);
    let (number, unit) = t.split_at(split);
    if number.is_empty() {
        return Err(DomainError::Number {
            value: text.to_string(), expected: "应以数字开头，如 567亿元".to_string()
        });
    }
    // Name the whole figure, as the user typed it, not only its unit part.
    let unit = MeasureUnit::parse(unit).map_err(|_| DomainError::Unit { value: text.trim().to_string() })?;
    Ok((parse_number(number)?, unit))
}

/// Stored decimals are integers of 1/10⁴ of the base unit, so that SQLite and PostgreSQL
/// both sum them exactly (`SUM` over BIGINT) and the range stays ±9.2×10¹⁴ base units.
pub const STORAGE_SCALE: u32 = 4;

pub fn to_scaled(value: Decimal) -> Result<i64, DomainError> {
    let too_fine = value.round_dp(STORAGE_SCALE) != value;
    // checked: a figure past Decimal's range (26 digits typed into a cell) is refused, not a panic.
    let scaled = value.checked_mul(Decimal::from(10_i64.pow(STORAGE_SCALE))).and_then(|v| v.to_i64());
    match scaled {
        Some(v) if !too_fine => Ok(v),
        _ => Err(DomainError::Number {
            value: value.to_string(),
            expected: format!("最多{}位小数，绝对值不超过 9.2×10¹⁴", STORAGE_SCALE),
        }),
    }
}

pub fn from_scaled(scaled: i64) -> Decimal {
    Decimal::new(scaled, STORAGE_SCALE).normalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::d;

    #[test]
    fn figures_print_in_government_style() {
        let cases = [
            ("56700000000", "亿元", 2, "567亿元"),
            ("2940000000", "亿元", 2, "29.4亿元"),
            ("40770000000", "亿元", 2, "407.7亿元"),
            ("110530000", "万元", 2, "11053万元"),
            ("308800", "万人", 2, "30.88万人"),
            ("2474000", "万平方米", 2, "247.4万平方米"),
            ("71.6", "%", 2, "71.6%"),
            ("24295", "人", 0, "24295人"),
            ("500000", "万人次", 2, "50万人次"),
            ("123456789", "亿元", 2, "1.23亿元"),
            ("125000000", "亿元", 1, "1.3亿元"),
            ("-5", "%", 1, "-5%"),
        ];
        for (base, unit, dp, text) in cases {
            assert_eq!(MeasureUnit::parse(unit).unwrap().format(d(base), dp), text);
        }
    }

    #[test]
    fn units_parse_with_scale_and_refuse_the_unknown() {
        let yi = MeasureUnit::parse("亿元").unwrap();
        assert_eq!(yi.base_symbol(), "元");
        assert_eq!(yi.factor(), d("100000000"));
        assert_eq!(yi.to_string(), "亿元");
        assert!(yi.same_base(&MeasureUnit::parse("万元").unwrap()));
        assert!(!yi.same_base(&MeasureUnit::parse("万人").unwrap()));
        assert!(MeasureUnit::parse("％").unwrap().is_percent());
        for bad in ["美元", "", "万%", "千元"] {
            assert!(MeasureUnit::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quantities_parse_from_prose_form() {
        let (v, u) = parse_quantity("29.4亿元").unwrap();
        assert_eq!(u.to_base(v), d("2940000000"));
        let (v, u) = parse_quantity("1,122套").unwrap();
        assert_eq!((v, u.to_string()), (d("1122"), "套".to_string()));
        assert!(parse_quantity("亿元").is_err());
        let (v, u) = parse_quantity("5６7亿元").unwrap();
        assert_eq!(u.to_base(v), d("56700000000"));
        assert!(parse_quantity("567美元").unwrap_err().to_string().contains("567美元"));
        assert!(parse_quantity("12.5O0万元").is_err());
    }

    #[test]
    fn numbers_parse_as_offices_type_them() {
        assert_eq!(parse_number("1,234.5").unwrap(), d("1234.5"));
        assert_eq!(parse_number(" １２３ ").unwrap(), d("123"));
        assert_eq!(parse_number("-3.5").unwrap(), d("-3.5"));
        let err = parse_number("12,5O0").unwrap_err().to_string();
        assert!(err.contains("12,5O0") && err.contains("不是数字"), "{err}");
    }

    #[test]
    fn storage_is_exact_and_refuses_what_it_cannot_hold() {
        for text in ["567", "29.4", "0.0001", "-8.5", "56700000000"] {
            assert_eq!(from_scaled(to_scaled(d(text)).unwrap()), d(text));
        }
        assert_eq!(to_scaled(d("29.4")).unwrap(), 294_000);
        assert!(to_scaled(d("0.00001")).is_err());
        assert!(to_scaled(d("1000000000000000")).is_err());
    }

    #[test]
    fn a_figure_past_any_range_is_refused_not_a_panic() {
        // Found by the fuzzer (fuzz/fuzz_targets/number.rs): 26 digits overflowed the scaling.
        let huge = parse_number("88888888888888888888888888").unwrap();
        let err = to_scaled(huge).unwrap_err().to_string();
        assert!(err.contains("9.2×10¹⁴"), "{err}");
    }
}
