//! `/api/v1`: the same resources and actions as the pages, through the app layer and its
//! permission rule, as JSON — one module per resource. Amounts travel as decimal strings
//! (exact); errors as `{"code": …, "message": …}` with a stable code and a Chinese message.
//! Writes need the session's token in `X-CSRF-Token` (returned by `POST /api/v1/session`).

mod cases;
mod catalogue;
mod dashboard;
mod imports;
mod indicators;
mod mechanism;
mod orders;
mod party;
mod problems;
mod projects;
mod reports;
mod rounds;
mod session;
mod warnings;

pub use cases::*;
pub use catalogue::*;
pub use dashboard::*;
pub use imports::*;
pub use indicators::*;
pub use mechanism::*;
pub use orders::*;
pub use party::*;
pub use problems::*;
pub use projects::*;
pub use reports::*;
pub use rounds::*;
pub use session::*;
pub use warnings::*;

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use taizhang_core::period::Period;
use taizhang_core::project::Date;
use taizhang_core::workflow::Entry;
use utoipa::ToSchema;

use crate::extract::Signed;
use crate::{ApiError, AppError, AppState};

type ApiResult<T> = Result<Json<T>, ApiError>;

fn dec(d: Option<Decimal>) -> Option<String> {
    d.map(|d| d.normalize().to_string())
}

/// A period asked for in a query (`2018-05`, `2018Q2`, `2018`).
fn parse_period(text: &str) -> Result<Period, AppError> {
    text.parse().map_err(|e: taizhang_core::DomainError| AppError::BadRequest(e.to_string()))
}
