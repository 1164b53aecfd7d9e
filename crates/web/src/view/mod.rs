//! The page model every page is built from — a list of blocks (headings, text, figures,
//! tables, forms) rendered by one escaped template (`page.html`) — and the export of a
//! page's tables to Excel (`?format=xlsx`). No handler and no data access here.

pub mod chart;
mod form;
mod listing;
mod page;
mod table;

pub use form::*;
pub(crate) use listing::*;
pub use page::*;
pub use table::*;

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use rust_decimal::Decimal;
use serde::Deserialize;
use taizhang_core::access::{Action, permission};
use taizhang_core::lights::Light;
use taizhang_core::quantity::format_number;
use taizhang_core::report::{DocSection, Document, Table, TableCell};

use crate::AppError;
use crate::extract::User;
