//! Server-rendered pages for every role, one module per feature, each page built from the
//! blocks of [`crate::view`]; every read and write goes through the signed-in user's
//! [`Acting`] (the app layer and its permission rule).

mod admin;
mod cases;
pub(crate) mod dashboard;
mod indicators;
mod meetings;
mod orders;
mod party;
mod problems;
mod projects;
mod report;
mod reports;
mod review;

pub use admin::*;
pub use cases::*;
pub use dashboard::*;
pub use indicators::*;
pub use meetings::*;
pub use orders::*;
pub use party::*;
pub use problems::*;
pub use projects::*;
pub use report::*;
pub use reports::*;
pub use review::*;

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rust_decimal::Decimal;
use serde::Deserialize;
use taizhang_core::access::{Action, Role};
use taizhang_core::lights::{Light, value_light};
use taizhang_core::period::Period;
use taizhang_core::project::{Date, completion_pct, lag_pp};
use taizhang_core::quantity::format_number;
use taizhang_core::report::money_wan;
use taizhang_core::workflow::{EntryFigures, Round, RoundStatus};
use taizhang_core::workflow::{EntryState, Form as ReportForm};

use crate::extract::{Signed, User};
pub(crate) use crate::view::*;
use crate::{AppError, AppState};
use taizhang_app::Acting;

/// What a workbook upload did, on a page of its own with the way back: said in a sentence,
/// or (422) every wrong cell and nothing written; a refusal of the account is the error page.
async fn imported(
    acting: &Acting<'_>,
    user: &User,
    back: &str,
    back_label: &str,
    outcome: Result<String, taizhang_app::WorkbookError>,
) -> Result<Response, AppError> {
    let mut page = Page::open(acting, user, "导入结果").await;
    page.push(Block::Links(vec![(back.into(), back_label.into())]));
    match outcome {
        Ok(said) => {
            page.notice("ok", said);
            Ok(render(&page))
        }
        Err(taizhang_app::WorkbookError::Import(e)) => {
            page.notice("error", format!("工作簿未通过校验，未写入任何数据：\n{e}"));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(taizhang_app::WorkbookError::App(taizhang_app::Error::Invalid(m))) => {
            page.notice("error", m);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(taizhang_app::WorkbookError::App(e)) => Err(e.into()),
    }
}

/// The month before today's (a monthly page's default).
fn last_month() -> Period {
    let today = taizhang_app::clock::today();
    if today.month == 1 { Period::Month(today.year - 1, 12) } else { Period::Month(today.year, today.month - 1) }
}

/// The period a page shows: the one asked for, else the latest month with reports.
async fn period_of(acting: &Acting<'_>, asked: Option<&str>) -> Result<Period, AppError> {
    match asked.filter(|s| !s.is_empty()) {
        Some(p) => p.parse::<Period>().map(|p| p.closing_month()).map_err(|e| AppError::BadRequest(e.to_string())),
        None => Ok(acting
            .default_period()
            .await?
            .unwrap_or(Period::Month(taizhang_app::clock::today().year, taizhang_app::clock::today().month))),
    }
}

/// The units an account may read, (code, name) in tree order: the choices of a unit picker.
async fn readable_units(acting: &Acting<'_>) -> Result<Vec<(String, String)>, AppError> {
    Ok(acting
        .units()
        .await?
        .into_iter()
        .filter(|u| acting.check_read(&u.code).is_ok())
        .map(|u| (u.code.to_string(), u.name))
        .collect())
}

/// A unit filter as typed: a unit's code or whole name picks its subtree (the scope to ask
/// for); anything else is part of a name, matched against each row's unit name (the text to
/// find, empty when the scope answers).
fn unit_filter(acting: &Acting<'_>, typed: Option<&str>) -> (Option<String>, String) {
    match typed.map(str::trim).filter(|u| !u.is_empty()) {
        None => (None, String::new()),
        Some(u) => match acting.find_unit(u) {
            Ok(unit) => (Some(unit.code.to_string()), String::new()),
            Err(_) => (None, u.to_string()),
        },
    }
}

/// The filter of a supervision list (问题, 督办): its search words (`searches` says over what),
/// part of a unit's name, whether only open ones are shown (kept), and the page size.
fn supervision_filter(page: &mut Page, action: &str, searches: &str, typed: [Option<&str>; 3], size: usize) {
    let [q, unit, show] = typed.map(|t| t.unwrap_or_default().to_string());
    page.get_form(
        action,
        vec![
            field("q", &format!("搜索（{searches}；可用拼音首字母）"), FieldKind::Text, q),
            field("unit", "责任单位（可输入部分名称）", FieldKind::Text, unit),
            field("show", "", FieldKind::Hidden, show),
            size_field(size),
        ],
        "搜索",
    );
}

/// The day a period's lights are judged on: its last day.
fn as_of(period: Period) -> Date {
    Date::end_of(period)
}

fn recent_months(period: Period) -> Vec<Period> {
    let (y, m) = (period.year(), period.month_of_year());
    (0..6)
        .rev()
        .map(|back| {
            let index = i32::from(m) - 1 - back;
            Period::Month(y + index.div_euclid(12), (index.rem_euclid(12) + 1) as u8)
        })
        .collect()
}
