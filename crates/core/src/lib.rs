//! taizhang-core: the ledger's domain types and pure rules.
//!
//! No IO, no async, no SQL: time, randomness and stored data come in as parameters so that
//! every rule is testable on its own.

#[macro_use]
pub mod codes;
pub mod error;
pub mod indicator;
pub mod numerals;
pub mod org;
pub mod period;
pub mod plan;
pub mod project;
pub mod quantity;
pub mod report;

#[cfg(test)]
mod test_support;

pub use error::DomainError;
pub use rust_decimal::Decimal;
pub mod access;
pub mod assessment;
pub mod audit;
pub mod batch;
pub mod briefing;
pub mod calendar;
pub mod cases;
pub mod config;
pub mod consistency;
pub mod grid;
pub mod honour;
pub mod lights;
pub mod mechanism;
pub mod party;
pub mod remind;
pub mod rollup;
pub mod rules;
pub mod search;
pub mod supervision;
pub mod workflow;
pub mod world;
