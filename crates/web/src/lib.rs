//! taizhang-web: the product a district runs — server-rendered Chinese pages for every role,
//! a JSON API documented as OpenAPI, health and metrics. Only this crate speaks HTTP and HTML;
//! every read and write goes through the store's service layer and its permission rule.

mod api;
mod auth;
mod conditional;
mod extract;
mod figures;
mod flash;
mod listen;
pub mod open311;
mod pages;
pub mod report;
mod view;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tracing::Instrument;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Serialize;
use taizhang_app::{App, Backend};
use utoipa::{OpenApi, ToSchema};

pub use listen::ServeLimits;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    pub app: App,
    pub(crate) throttle: Arc<auth::Throttle>,
    metrics: Arc<Metrics>,
    options: Arc<ServeOptions>,
    /// Dashboards rendered, each beside the computation it shows.
    pub(crate) rendered: Arc<pages::dashboard::Rendered>,
}

/// How the server is run, beside the ledger it serves.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// A scraper's bearer token for `/metrics`; without one, only signed-in admins read it.
    pub metrics_token: Option<String>,
    /// Served to browsers over https (directly or behind a proxy that terminates TLS):
    /// cookies are `Secure` and every answer carries HSTS.
    pub https: bool,
    /// Deadlines and connection limits of the accept loop.
    pub limits: ServeLimits,
}

/// Requests by route and status, for `/metrics`.
#[derive(Debug, Default)]
struct Metrics {
    requests: Mutex<HashMap<(String, String, u16), u64>>,
    /// The next request id handed out.
    next_id: AtomicU64,
}

/// An error as pages and the API show it: a status, a stable code, a Chinese message;
/// internal detail is logged, never shown.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("请先登录")]
    Unauthorised,
    #[error("账号或口令错误")]
    BadLogin,
    #[error("登录失败次数过多，请10分钟后再试")]
    TooManyAttempts,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}不存在")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Rules(String),
    #[error("服务器内部错误")]
    Internal,
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorised | AppError::BadLogin => StatusCode::UNAUTHORIZED,
            AppError::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Rules(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorised => "unauthorised",
            AppError::BadLogin => "bad_login",
            AppError::TooManyAttempts => "too_many_attempts",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Conflict(_) => "conflict",
            AppError::Rules(_) => "rules_failed",
            AppError::Internal => "internal",
        }
    }
}

impl From<taizhang_app::Error> for AppError {
    fn from(e: taizhang_app::Error) -> Self {
        match e {
            taizhang_app::Error::Denied(d) => AppError::Forbidden(d.to_string()),
            taizhang_app::Error::NotFound { kind, key } => AppError::NotFound(format!("{kind}“{key}”")),
            taizhang_app::Error::Conflict(_) => AppError::Conflict(e.to_string()),
            taizhang_app::Error::Rules(_) => AppError::Rules(e.to_string()),
            taizhang_app::Error::Domain(d) => AppError::BadRequest(d.to_string()),
            taizhang_app::Error::Invalid(m) => AppError::BadRequest(m),
            other => {
                tracing::error!(error = %other, "request failed");
                AppError::Internal
            }
        }
    }
}

/// An error page's message, kept on the response so that [`observe`] can show it inside the
/// signed-in account's layout.
#[derive(Debug, Clone)]
struct ErrorPage(String);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let page = view::Page {
            title: "出错了".into(),
            nav: None,
            blocks: vec![
                view::Block::Notice(view::Notice { kind: "error", text: self.to_string() }),
                view::Block::Links(vec![("/".into(), "返回首页".into()), ("/login".into(), "登录".into())]),
            ],
        };
        let mut response = (self.status(), view::render(&page)).into_response();
        response.extensions_mut().insert(ErrorPage(self.to_string()));
        response
    }
}

/// An error page for a signed-in account: the menu, the message, a way back.
fn error_in_layout(user: &extract::User, status: StatusCode, message: &str) -> Response {
    let mut page = view::Page::new(user, "出错了");
    page.blocks.push(view::Block::Notice(view::Notice { kind: "error", text: message.to_string() }));
    page.blocks.push(view::Block::Links(vec![("/".into(), "返回首页".into())]));
    (status, view::render(&page)).into_response()
}

/// The API's error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiErrorBody {
    /// Stable: unauthorised, forbidden, not_found, bad_request, conflict, rules_failed, …
    pub code: &'static str,
    pub message: String,
}

/// An [`AppError`] answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<taizhang_app::Error> for ApiError {
    fn from(e: taizhang_app::Error) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0.status(), Json(ApiErrorBody { code: self.0.code(), message: self.0.to_string() })).into_response()
    }
}

/// The server's health: whether the database answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `error` when the database does not answer.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    /// Org units in the ledger (0 before `taizhang demo` or an import).
    pub units: i64,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "taizhang 台账 API",
        description = "重点项目、重点工作与指标台账的 JSON 接口：金额以字符串表示的精确小数；写操作须带 X-CSRF-Token"
    ),
    paths(
        healthz,
        openapi_json,
        api::sign_in,
        api::projects,
        api::project,
        api::indicators,
        api::indicator_history,
        api::catalogue,
        api::save_indicator,
        api::warnings,
        api::dashboard,
        api::sign_out,
        api::flags,
        api::rounds,
        api::imports,
        api::report,
        api::entries,
        api::save_entry,
        api::submit,
        api::progress_sheet,
        api::upload_sheet,
        api::act,
        api::reopen,
        api::problems,
        api::raise_problem,
        api::resolve_problem,
        api::escalate_problems,
        api::orders,
        api::issue_order,
        api::order_action,
        api::decide_extension,
        api::confirm_problem,
        api::nodes,
        api::save_nodes,
        api::elements,
        api::save_element,
        api::meetings,
        api::record_meeting,
        api::reminders,
        api::audit_trail,
        api::backup,
        api::account_action,
        api::reset_password,
        api::verify_rollups,
        api::round_units,
        api::verify_audit,
        api::order_notice,
        api::meeting_minutes,
        api::cases,
        api::report_case,
        api::case,
        api::case_step,
        api::case_classes,
        api::case_evaluation,
        api::party_orgs,
        api::party_assessment,
        api::party_scores,
        api::party_step,
        api::party_rating,
        api::party_meetings,
        api::record_party_meeting,
        open311::services,
        open311::requests,
        open311::request,
        open311::report
    )
)]
struct ApiDoc;

/// The OpenAPI document of this server.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Uploads may be as large as a workbook may be (the office crate's limit).
fn upload_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(taizhang_office::MAX_FILE_BYTES as usize)
}

pub fn router(app: App) -> Router {
    router_with(app, ServeOptions::default())
}

pub fn router_with(app: App, options: ServeOptions) -> Router {
    let state = AppState {
        app,
        throttle: Arc::new(auth::Throttle),
        metrics: Arc::new(Metrics::default()),
        options: Arc::new(options),
        rendered: Arc::default(),
    };
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/v1/session", post(api::sign_in).delete(api::sign_out))
        .route("/api/v1/projects", get(api::projects))
        .route("/api/v1/projects/{code}", get(api::project))
        .route("/api/v1/indicators", get(api::indicators))
        .route("/api/v1/indicators/{code}/history", get(api::indicator_history))
        .route("/api/v1/catalogue", get(api::catalogue).post(api::save_indicator))
        .route("/api/v1/warnings", get(api::warnings))
        .route("/api/v1/dashboard", get(api::dashboard))
        .route("/api/v1/flags", get(api::flags))
        .route("/api/v1/rounds", get(api::rounds))
        .route("/api/v1/imports", get(api::imports))
        .route("/api/v1/reports/{kind}", get(api::report))
        .route("/api/v1/rounds/{round}/units/{unit}/entries", get(api::entries))
        .route("/api/v1/rounds/{round}/units/{unit}/entries/{subject}", put(api::save_entry))
        .route("/api/v1/rounds/{round}/units/{unit}/submit", post(api::submit))
        .route(
            "/api/v1/rounds/{round}/units/{unit}/sheet",
            get(api::progress_sheet).put(api::upload_sheet).layer(upload_limit()),
        )
        .route("/api/v1/rounds/{round}/units/{unit}/{action}", post(api::act))
        .route("/api/v1/rounds/{round}/reopen", post(api::reopen))
        .route("/api/v1/rounds/{round}/units", get(api::round_units))
        .route("/api/v1/problems", get(api::problems).post(api::raise_problem))
        .route("/api/v1/problems/escalate", post(api::escalate_problems))
        .route("/api/v1/problems/{id}/resolve", post(api::resolve_problem))
        .route("/api/v1/problems/{id}/confirm", post(api::confirm_problem))
        .route("/api/v1/projects/{code}/nodes", get(api::nodes).put(api::save_nodes))
        .route("/api/v1/projects/{code}/elements", get(api::elements))
        .route("/api/v1/projects/{code}/elements/{item}", put(api::save_element))
        .route("/api/v1/meetings", get(api::meetings).post(api::record_meeting))
        .route("/api/v1/reminders", get(api::reminders))
        .route("/api/v1/audit", get(api::audit_trail))
        .route("/api/v1/backup", get(api::backup))
        .route("/api/v1/audit/verify", post(api::verify_audit))
        .route("/api/v1/rollups/verify", post(api::verify_rollups))
        .route("/api/v1/orders/{id}/notice", get(api::order_notice))
        .route("/api/v1/meetings/{id}/minutes", get(api::meeting_minutes))
        .route("/api/v1/orders", get(api::orders).post(api::issue_order))
        .route("/api/v1/cases", get(api::cases).post(api::report_case))
        .route("/api/v1/cases/{id}", get(api::case))
        .route("/api/v1/cases/{id}/steps", post(api::case_step))
        .route("/api/v1/case-classes", get(api::case_classes))
        .route("/api/v1/case-evaluation", get(api::case_evaluation))
        .route("/open311/v2/services.json", get(open311::services))
        .route("/open311/v2/requests.json", get(open311::requests).post(open311::report))
        .route("/open311/v2/requests/{id}", get(open311::request))
        .route("/api/v1/party/orgs", get(api::party_orgs))
        .route("/api/v1/party/assessments/{org}", get(api::party_assessment))
        .route("/api/v1/party/assessments/{org}/scores", put(api::party_scores))
        .route("/api/v1/party/assessments/{org}/steps", post(api::party_step))
        .route("/api/v1/party/rating", get(api::party_rating))
        .route("/api/v1/party/meetings", get(api::party_meetings).post(api::record_party_meeting))
        .route("/api/v1/orders/{id}/{action}", post(api::order_action))
        .route("/api/v1/extensions/{request}/{decision}", post(api::decide_extension))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/password", get(auth::password_page).post(auth::change_password))
        .route("/", get(pages::dashboard))
        .route("/projects", get(pages::projects))
        .route("/projects/{code}", get(pages::project))
        .route("/projects/{code}/nodes", post(pages::save_node))
        .route("/projects/{code}/elements", post(pages::save_element))
        .route("/indicators", get(pages::indicators))
        .route("/indicators/{code}", get(pages::indicator))
        .route("/plan", get(pages::plan))
        .route("/favicon.ico", get(favicon))
        .route("/annual", get(pages::annual))
        .route("/reports", get(pages::reports))
        .route("/report", get(pages::report_home))
        .route("/report/{round}/{unit}/submit", post(pages::submit))
        .route("/report/{round}/{unit}/upload", post(pages::upload).layer(upload_limit()))
        .route("/report/{round}/{unit}/sheet", get(pages::progress_sheet))
        .route("/report/{round}/{unit}/{subject}", get(pages::entry_form).post(pages::save_entry))
        .route("/review", get(pages::review))
        .route("/review/{round}/{unit}/{action}", post(pages::review_action))
        .route("/problems", get(pages::problems).post(pages::raise_problem))
        .route("/orders", get(pages::orders).post(pages::issue_order))
        .route("/cases", get(pages::cases).post(pages::report_case))
        .route("/cases/import", post(pages::case_import).layer(upload_limit()))
        .route("/cases/{id}", get(pages::case_page))
        .route("/cases/{id}/step", post(pages::case_step))
        .route("/case-evaluation", get(pages::case_evaluation))
        .route("/party", get(pages::party))
        .route("/party/orgs", post(pages::party_save_org))
        .route("/party/import", post(pages::party_import).layer(upload_limit()))
        .route("/party/orgs/{code}", get(pages::party_org))
        .route("/party/orgs/{code}/scores", post(pages::party_scores))
        .route("/party/orgs/{code}/step", post(pages::party_step))
        .route("/party/orgs/{code}/meetings", post(pages::party_meeting))
        .route("/orders/{id}/{action}", post(pages::order_step))
        .route("/orders/{id}/notice", get(pages::order_notice))
        .route("/meetings/{id}/minutes", get(pages::meeting_minutes))
        .route("/problems/{id}/resolve", post(pages::resolve_problem))
        .route("/problems/{id}/confirm", post(pages::confirm_problem))
        .route("/meetings", get(pages::meetings).post(pages::record_meeting))
        .route("/admin", get(pages::admin))
        .route("/admin/users", post(pages::save_user))
        .route("/admin/users/state", post(pages::account_state))
        .route("/admin/users/password", post(pages::reset_password))
        .route("/api/v1/users/{username}/password", post(api::reset_password))
        .route("/api/v1/users/{username}/{action}", post(api::account_action))
        .route("/admin/catalogue", post(pages::save_indicator))
        .route("/admin/rounds", post(pages::open_round))
        .route("/admin/import", post(pages::admin_import).layer(upload_limit()))
        .route("/admin/rounds/close", post(pages::close_round))
        .route("/admin/rounds/{round}/remind", post(pages::remind_unit))
        .route("/admin/rounds/reopen", post(pages::reopen_round))
        .route("/admin/audit/verify", post(pages::verify_audit))
        .route("/admin/rollups/verify", post(pages::verify_rollups))
        .route("/admin/unlock", post(pages::unlock_account))
        .fallback(|| async { AppError::NotFound("页面".into()) })
        .layer(middleware::from_fn_with_state(state.clone(), conditional::conditional))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Sent with every answer: pages run no script, load nothing from elsewhere and are framed
/// by no one (the one inline `<style>` of the templates is allowed).
const SECURITY_HEADERS: &[(&str, &str)] = &[
    (
        "content-security-policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    ),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
];

/// Each request runs in a span of its own (method, route, request id; the account once the
/// session is read; status and latency when it is answered) and is counted for `/metrics`.
/// The request id is the client's `x-request-id` when it sends one, else a new number, and
/// is answered in the same header.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "other".to_string(), |p| p.as_str().to_string());
    let method = request.method().to_string();
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64)
        .map_or_else(|| state.metrics.next_id.fetch_add(1, Ordering::Relaxed).to_string(), str::to_string);
    let span = tracing::info_span!(
        "request",
        %method,
        %route,
        request_id = %request_id,
        account = tracing::field::Empty,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    );
    let started = std::time::Instant::now();
    // Only the cookie is kept (not every header of every request), for an error page.
    let cookie = (!request.uri().path().starts_with("/api/"))
        .then(|| request.headers().get(axum::http::header::COOKIE).cloned())
        .flatten();
    let mut response = next.run(request).instrument(span.clone()).await;
    // A page's error, for someone signed in, keeps the menu and offers the way back.
    if let (Some(cookie), Some(ErrorPage(message))) = (cookie, response.extensions().get::<ErrorPage>().cloned())
        && let Ok(Some(session)) =
            extract::session_of(&axum::http::HeaderMap::from_iter([(axum::http::header::COOKIE, cookie)]), &state).await
    {
        response = error_in_layout(&extract::User(session, None), response.status(), &message);
    }
    let status = response.status().as_u16();
    span.record("status", status);
    span.record("latency_ms", started.elapsed().as_millis() as u64);
    span.in_scope(|| tracing::info!("answered"));
    if let Ok(value) = axum::http::HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    for (name, value) in SECURITY_HEADERS {
        response.headers_mut().insert(*name, axum::http::HeaderValue::from_static(value));
    }
    if state.options.https {
        response
            .headers_mut()
            .insert("strict-transport-security", axum::http::HeaderValue::from_static("max-age=31536000"));
    }
    let mut map = state.metrics.requests.lock().unwrap_or_else(|e| e.into_inner());
    *map.entry((method, route, status)).or_default() += 1;
    response
}

/// Serves until the process receives Ctrl-C.
pub async fn serve(app: App, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_with(app, listener, ServeOptions::default()).await
}

/// Serves with options until the process receives Ctrl-C.
pub async fn serve_with(app: App, listener: tokio::net::TcpListener, options: ServeOptions) -> std::io::Result<()> {
    let limits = options.limits.clone();
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    listen::run(router_with(app, options), listener, limits, shutdown).await
}

/// The tab's icon: 台 on the office red (SVG, which browsers take at this address too).
async fn favicon() -> Response {
    const ICON: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#b71c1c"/><text x="16" y="24" font-size="22" text-anchor="middle" fill="#fff" font-family="sans-serif">台</text></svg>"##;
    (
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ICON,
    )
        .into_response()
}

#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, description = "服务与数据库正常", body = Health),
              (status = 503, description = "数据库无法访问", body = ApiErrorBody)))]
async fn healthz(State(state): State<AppState>) -> Response {
    let database = match state.app.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    match state.app.counts().await {
        Ok(c) => Json(Health { status: "ok", database, units: c.units }).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            let body = ApiErrorBody { code: "database_unavailable", message: "数据库暂时无法访问".into() };
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "system",
    responses((status = 200, description = "本服务的 OpenAPI 3 文档")))]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}

/// Prometheus text format: requests by method, route and status — for a scraper with the
/// configured bearer token, or a signed-in admin.
async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let scraper = state.options.metrics_token.as_deref().is_some_and(|token| bearer == Some(token));
    if !scraper {
        match extract::session_of(&headers, &state).await.ok().flatten() {
            None => return ApiError(AppError::Unauthorised).into_response(),
            Some(s)
                if taizhang_core::access::permission(s.user.role, taizhang_core::access::Action::ManageUsers)
                    .is_none() =>
            {
                return ApiError(AppError::Forbidden("只有管理员或持有监控令牌的采集程序可以读取运行指标".into()))
                    .into_response();
            }
            Some(_) => {}
        }
    }
    let map = state.metrics.requests.lock().unwrap_or_else(|e| e.into_inner());
    let mut lines: Vec<String> = map
        .iter()
        .map(|((method, route, status), n)| {
            format!("taizhang_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}")
        })
        .collect();
    lines.sort();
    drop(map);
    let leases: Vec<String> = state
        .app
        .leases_held()
        .into_iter()
        .map(|(job, held)| format!("taizhang_job_lease_held{{job=\"{job}\"}} {}", u8::from(held)))
        .collect();
    let body = format!(
        "# HELP taizhang_http_requests_total HTTP requests by method, route and status.\n# TYPE taizhang_http_requests_total counter\n{}\n\
         # HELP taizhang_job_lease_held Whether this server ran the scheduled job's last round (one server of those sharing the database does).\n# TYPE taizhang_job_lease_held gauge\n{}\n",
        lines.join("\n"),
        leases.join("\n")
    );
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}
