//! Helpers shared by the unit tests.
use rust_decimal::Decimal;
use std::str::FromStr;

/// A decimal from its text; tests read better with `d("29.4")` than with constructors.
pub(crate) fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|e| panic!("bad decimal {s}: {e}"))
}
