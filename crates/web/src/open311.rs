//! Open311 GeoReport v2 (JSON): a citizen app lists the 部件/事件 classes as services, reports
//! a problem at a point, and follows its requests. Every request names an `api_key` the
//! configuration maps to an account (a 监督员's: `[cases] open311_keys`), through which the app
//! acts like any other account; errors answer in Open311's own format,
//! `[{"code": 400, "description": "…"}]`.

use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use taizhang_app::{CaseRecord, CaseReport};
use taizhang_core::cases::CaseState;

/// At most this many requests in one answer (the specification's suggestion).
const MAX_REQUESTS: u32 = 1000;

/// An Open311 error: its HTTP status and the body `[{"code", "description"}]`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Open311Error {
    pub code: u16,
    pub description: String,
}

/// A refusal, answered as `[{"code", "description"}]` with its status.
#[derive(Debug)]
pub struct Refusal(StatusCode, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, Json(vec![Open311Error { code: self.0.as_u16(), description: self.1 }])).into_response()
    }
}

fn refused(status: StatusCode, description: impl Into<String>) -> Refusal {
    Refusal(status, description.into())
}

fn from_app(e: taizhang_app::Error) -> Refusal {
    use taizhang_app::Error as E;
    let status = match &e {
        E::Denied(_) => StatusCode::FORBIDDEN,
        E::NotFound { .. } => StatusCode::NOT_FOUND,
        E::Invalid(_) | E::Domain(_) | E::Rules(_) => StatusCode::BAD_REQUEST,
        E::Conflict(_) => StatusCode::CONFLICT,
        E::Store(_) => {
            tracing::error!(error = %e, "open311 request failed");
            return refused(StatusCode::INTERNAL_SERVER_ERROR, "服务器内部错误");
        }
    };
    refused(status, e.to_string())
}

/// The account an api_key stands for, acting.
async fn acting<'a>(state: &'a AppState, key: Option<&str>) -> Result<taizhang_app::Acting<'a>, Refusal> {
    let key = key
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| refused(StatusCode::UNAUTHORIZED, "需要 api_key：请向城市管理部门申请"))?;
    let account =
        state.app.config().cases.open311_keys.get(key).ok_or_else(|| refused(StatusCode::FORBIDDEN, "api_key 无效"))?;
    state.app.as_user(account).await.map_err(from_app)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyParams {
    pub api_key: Option<String>,
}

/// A 小类 as an Open311 service.
#[derive(Debug, Serialize, ToSchema)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    /// Its 立案条件.
    pub description: String,
    pub metadata: bool,
    /// realtime: each request is filed by a person at the 指挥中心.
    #[serde(rename = "type")]
    pub kind: String,
    /// 部件 or 事件.
    pub keywords: String,
    /// Its 大类.
    pub group: String,
}

/// The services: the 部件 and 事件 classes a problem may be reported in.
#[utoipa::path(get, path = "/open311/v2/services.json", tag = "open311", operation_id = "open311_services", params(KeyParams),
    responses((status = 200, description = "成功", body = [Service]), (status = 401, description = "缺少 api_key", body = [Open311Error]), (status = 403, description = "api_key 无效", body = [Open311Error])))]
pub async fn services(State(state): State<AppState>, Query(q): Query<KeyParams>) -> Result<Response, Refusal> {
    let acting = acting(&state, q.api_key.as_deref()).await?;
    let classes = acting.case_classes().await.map_err(from_app)?;
    Ok(Json(
        classes
            .into_iter()
            .map(|c| Service {
                service_code: c.code,
                service_name: c.name,
                description: c.file_rule,
                metadata: false,
                kind: "realtime".into(),
                keywords: c.kind,
                group: c.major,
            })
            .collect::<Vec<_>>(),
    )
    .into_response())
}

/// A case as an Open311 service request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceRequest {
    pub service_request_id: String,
    /// open or closed (结案 or 不予立案).
    pub status: String,
    /// The case's state in words: 待立案, 处置中, 已结案 …
    pub status_notes: String,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    /// The unit disposing of it.
    pub agency_responsible: Option<String>,
    /// ISO 8601 with the office's offset.
    pub requested_datetime: Option<String>,
    pub expected_datetime: Option<String>,
    pub address: String,
    pub lat: String,
    pub long: String,
}

fn request_of(acting: &taizhang_app::Acting<'_>, names: &[(String, String)], c: CaseRecord) -> ServiceRequest {
    let zone = &acting.config().time_zone;
    let closed = matches!(c.status.state, CaseState::Closed | CaseState::Declined);
    ServiceRequest {
        service_request_id: c.id.to_string(),
        status: if closed { "closed" } else { "open" }.into(),
        status_notes: c.status.state.label_zh().into(),
        service_name: names.iter().find(|(code, _)| *code == c.class).map(|(_, n)| n.clone()).unwrap_or_default(),
        service_code: c.class,
        description: c.description,
        agency_responsible: c.status.unit.as_deref().map(|u| acting.unit_name(u)),
        requested_datetime: zone.iso_of_local(&c.reported_at),
        expected_datetime: c.due_at.as_deref().and_then(|d| zone.iso_of_local(d)),
        address: c.address,
        lat: c.lat.normalize().to_string(),
        long: c.lon.normalize().to_string(),
    }
}

async fn class_names(acting: &taizhang_app::Acting<'_>) -> Result<Vec<(String, String)>, Refusal> {
    Ok(acting.case_classes().await.map_err(from_app)?.into_iter().map(|c| (c.code, c.name)).collect())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsParams {
    pub api_key: Option<String>,
    /// Comma-separated ids: those only.
    pub service_request_id: Option<String>,
    pub service_code: Option<String>,
    /// ISO 8601; default 90 days before `end_date`.
    pub start_date: Option<String>,
    /// ISO 8601; default now.
    pub end_date: Option<String>,
    /// open or closed.
    pub status: Option<String>,
}

/// Requests in the account's reach, the latest first (at most 1000; 90 days unless dated).
#[utoipa::path(get, path = "/open311/v2/requests.json", tag = "open311", operation_id = "open311_requests", params(RequestsParams),
    responses((status = 200, description = "成功", body = [ServiceRequest]), (status = 400, description = "请求有误", body = [Open311Error]), (status = 401, description = "缺少 api_key", body = [Open311Error]), (status = 403, description = "api_key 无效", body = [Open311Error])))]
pub async fn requests(State(state): State<AppState>, Query(q): Query<RequestsParams>) -> Result<Response, Refusal> {
    let acting = acting(&state, q.api_key.as_deref()).await?;
    let names = class_names(&acting).await?;
    if let Some(ids) = &q.service_request_id {
        let mut out = vec![];
        for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()).take(MAX_REQUESTS as usize) {
            let Ok(id) = id.parse::<i64>() else {
                return Err(refused(StatusCode::BAD_REQUEST, format!("service_request_id “{id}”不是编号")));
            };
            match acting.case_with_trail(id).await {
                Ok((case, _)) => out.push(request_of(&acting, &names, case)),
                Err(taizhang_app::Error::NotFound { .. }) => {}
                Err(e) => return Err(from_app(e)),
            }
        }
        return Ok(Json(out).into_response());
    }
    let zone = &acting.config().time_zone;
    let now = taizhang_app::clock::now();
    let local = |text: &Option<String>, name: &str| -> Result<Option<String>, Refusal> {
        match text.as_deref() {
            None => Ok(None),
            Some(t) => zone
                .local_of_iso(t)
                .map(Some)
                .ok_or_else(|| refused(StatusCode::BAD_REQUEST, format!("{name} “{t}”应为 ISO 8601 时间"))),
        }
    };
    let before = match local(&q.end_date, "end_date")? {
        Some(t) => t,
        None => format!("{} 00:00", now.day.plus_days(1).unwrap_or(now.day)),
    };
    let from = match local(&q.start_date, "start_date")? {
        Some(t) => t,
        None => {
            let end = taizhang_core::project::Date::parse(before.get(..10).unwrap_or_default()).unwrap_or(now.day);
            format!("{} 00:00", end.plus_days(-90).unwrap_or(end))
        }
    };
    let wanted_status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s @ ("open" | "closed")) => Some(s == "closed"),
        Some(other) => return Err(refused(StatusCode::BAD_REQUEST, format!("status “{other}”应为 open 或 closed"))),
    };
    let cases = acting.cases_reported(&from, &before, MAX_REQUESTS).await.map_err(from_app)?;
    let out: Vec<ServiceRequest> = cases
        .into_iter()
        .filter(|c| q.service_code.as_deref().is_none_or(|code| c.class == code))
        .map(|c| request_of(&acting, &names, c))
        .filter(|r| wanted_status.is_none_or(|closed| (r.status == "closed") == closed))
        .collect();
    Ok(Json(out).into_response())
}

/// One request by its id (`/open311/v2/requests/12.json`).
#[utoipa::path(get, path = "/open311/v2/requests/{id}", tag = "open311", operation_id = "open311_request",
    params(("id" = String, Path, description = "编号加 .json，如 12.json"), KeyParams),
    responses((status = 200, description = "成功", body = [ServiceRequest]), (status = 404, description = "不存在", body = [Open311Error])))]
pub async fn request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<KeyParams>,
) -> Result<Response, Refusal> {
    let acting = acting(&state, q.api_key.as_deref()).await?;
    let Some(id) = file.strip_suffix(".json").and_then(|id| id.parse::<i64>().ok()) else {
        return Err(refused(StatusCode::NOT_FOUND, format!("没有“{file}”：应为 编号.json")));
    };
    let names = class_names(&acting).await?;
    let (case, _) = acting.case_with_trail(id).await.map_err(from_app)?;
    Ok(Json(vec![request_of(&acting, &names, case)]).into_response())
}

/// A problem reported by a citizen app (form-encoded, as the specification posts it).
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewRequest {
    pub api_key: Option<String>,
    /// A 小类's code (`services.json`).
    pub service_code: Option<String>,
    /// Degrees as decimal text; a point is required (an address alone cannot be placed).
    pub lat: Option<String>,
    pub long: Option<String>,
    #[serde(default)]
    pub address_string: String,
    #[serde(default)]
    pub description: String,
    pub media_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewRequestAnswer {
    pub service_request_id: String,
    pub service_notice: String,
}

/// A problem reported at a point (信息收集 by the api_key's 监督员 account), located to its grid
/// cell; the 指挥中心 files it.
#[utoipa::path(post, path = "/open311/v2/requests.json", tag = "open311", operation_id = "open311_report",
    request_body(content = NewRequest, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "成功", body = [NewRequestAnswer]), (status = 400, description = "请求有误（不在网格内、服务不存在…）", body = [Open311Error]), (status = 403, description = "api_key 无效或无权上报", body = [Open311Error])))]
pub async fn report(State(state): State<AppState>, Form(body): Form<NewRequest>) -> Result<Response, Refusal> {
    let acting = acting(&state, body.api_key.as_deref()).await?;
    let degrees = |name: &str, text: &Option<String>| match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Err(refused(StatusCode::BAD_REQUEST, format!("需要 {name}（经纬度，十进制度）"))),
        Some(t) => taizhang_app::degrees(t).map_err(|e| refused(StatusCode::BAD_REQUEST, format!("{name}：{e}"))),
    };
    let (lat, lon) = (degrees("lat", &body.lat)?, degrees("long", &body.long)?);
    let Some(class) = body.service_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) else {
        return Err(refused(StatusCode::BAD_REQUEST, "需要 service_code（见 services.json）"));
    };
    if body.description.trim().is_empty() {
        return Err(refused(StatusCode::BAD_REQUEST, "需要 description（问题描述）"));
    }
    let photos = body.media_url.clone().unwrap_or_default();
    let report = CaseReport {
        class,
        lon,
        lat,
        address: &body.address_string,
        description: &body.description,
        photos: &photos,
        sample: false,
    };
    let id = acting.report_case(&report, taizhang_app::clock::now()).await.map_err(from_app)?;
    Ok(Json(vec![NewRequestAnswer {
        service_request_id: id.to_string(),
        service_notice: "已受理，等待指挥中心立案".into(),
    }])
    .into_response())
}
