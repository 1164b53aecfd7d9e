//! Signing in: the session cookie and the CSRF token.

use super::*;

#[derive(Debug, Deserialize, ToSchema)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    pub username: String,
    pub role: String,
    pub unit: Option<String>,
    /// Send as `X-CSRF-Token` with every write.
    pub csrf: String,
}

/// Signs in: sets the session cookie and returns the CSRF token.
#[utoipa::path(post, path = "/api/v1/session", tag = "auth", request_body = Credentials,
    responses((status = 200, description = "成功", body = SessionInfo), (status = 401, description = "未登录，或账号口令错误", body = crate::ApiErrorBody), (status = 429, description = "登录失败次数过多", body = crate::ApiErrorBody)))]
pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Json(c): Json<Credentials>,
) -> Result<Response, ApiError> {
    let (id, session) = crate::auth::open_session(&state, &c.username, &c.password, addr).await.map_err(ApiError)?;
    let body = SessionInfo {
        username: session.user.username,
        role: session.user.role.code().into(),
        unit: session.user.unit,
        csrf: session.csrf,
    };
    let jar = axum_extra::extract::cookie::CookieJar::new().add(crate::auth::session_cookie(id));
    Ok((jar, Json(body)).into_response())
}
