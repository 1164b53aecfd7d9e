//! taizhang-web: the HTTP face of the ledger. Only this crate speaks HTTP.
//!
//! For now: `GET /healthz` and `GET /api/openapi.json` (OpenAPI 3, generated from the code).

pub mod report;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use taizhang_store::{Backend, Store};
use utoipa::{OpenApi, ToSchema};

#[derive(Debug, Clone)]
struct AppState {
    store: Store,
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

/// An error as the API returns it: a stable code and a Chinese message.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiError {
    pub code: &'static str,
    pub message: String,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "taizhang 台账 API", description = "重点项目、重点工作与指标台账的 JSON 接口"),
    paths(healthz, openapi_json)
)]
struct ApiDoc;

/// The OpenAPI document of this server.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub fn router(store: Store) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/openapi.json", get(openapi_json))
        .with_state(AppState { store })
}

/// Serves until the process receives Ctrl-C.
pub async fn serve(store: Store, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(store))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, description = "服务与数据库正常", body = Health),
              (status = 503, description = "数据库无法访问", body = ApiError)))]
async fn healthz(State(state): State<AppState>) -> Response {
    let database = match state.store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    match state.store.counts().await {
        Ok(c) => Json(Health { status: "ok", database, units: c.units }).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            let body = ApiError { code: "database_unavailable", message: "数据库暂时无法访问".into() };
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "system",
    responses((status = 200, description = "本服务的 OpenAPI 3 文档")))]
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}
