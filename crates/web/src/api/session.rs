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
    let jar = axum_extra::extract::cookie::CookieJar::new().add(crate::auth::session_cookie(id, state.options.https));
    Ok((jar, Json(body)).into_response())
}

/// Signs out: the session ends on every server sharing the database, and the cookie is
/// cleared.
#[utoipa::path(delete, path = "/api/v1/session", tag = "auth",
    responses((status = 204, description = "已退出"), (status = 401, description = "未登录", body = crate::ApiErrorBody), (status = 403, description = "缺少或错误的 X-CSRF-Token", body = crate::ApiErrorBody)))]
pub async fn sign_out(Signed { state, user, .. }: Signed) -> Result<Response, ApiError> {
    state.app.end_session(&user.0.id).await.map_err(|e| ApiError(e.into()))?;
    let ended = crate::auth::session_cookie(String::new(), state.options.https);
    let jar = axum_extra::extract::cookie::CookieJar::new().remove(ended);
    Ok((axum::http::StatusCode::NO_CONTENT, jar).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// How many of the latest events (default 100, at most 1000).
    pub limit: Option<i64>,
}

/// The audit trail's latest events, newest first, each with its chained hash (admins).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses((status = 200, description = "成功", body = [AuditRow]), (status = 403, description = "无权查看", body = crate::ApiErrorBody)))]
pub async fn audit_trail(Signed { state, user, .. }: Signed, Query(q): Query<AuditParams>) -> ApiResult<Vec<AuditRow>> {
    let acting = user.acting(&state).await?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let events = acting.audit_trail(limit).await.map_err(AppError::from)?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| AuditRow {
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                action: e.action,
                subject: e.subject,
                detail: e.detail,
                prev_hash: e.prev_hash,
                hash: e.hash,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditVerification {
    pub clean: bool,
    pub events: i64,
    pub head: String,
    pub chain_break: Option<String>,
    pub rows_checked: usize,
    pub row_breaks: Vec<String>,
    pub unsealed: usize,
    /// SQLite's `PRAGMA integrity_check` ("ok"); absent on PostgreSQL.
    pub integrity: Option<String>,
    pub summary: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RollupVerification {
    pub clean: bool,
    pub years: usize,
    pub cells: usize,
    /// Each cell that differs from its recomputation, in words (the first 200).
    pub differences: Vec<String>,
    pub different: usize,
}

/// Recomputes the maintained roll-ups (the dashboard's and the briefing's sums) from the rows
/// and compares (admins).
#[utoipa::path(post, path = "/api/v1/rollups/verify", tag = "audit",
    responses((status = 200, description = "核对结果", body = RollupVerification), (status = 403, description = "无权操作", body = crate::ApiErrorBody)))]
pub async fn verify_rollups(Signed { state, user, .. }: Signed) -> ApiResult<RollupVerification> {
    let acting = user.acting(&state).await?;
    let check = acting.verify_rollups().await.map_err(AppError::from)?;
    Ok(Json(RollupVerification {
        clean: check.differences.is_empty(),
        years: check.years,
        cells: check.cells,
        different: check.differences.len(),
        differences: check.differences.into_iter().take(200).collect(),
    }))
}

/// Recomputes the audit chain and every ledger figure's digest; names the first break (admins).
#[utoipa::path(post, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, description = "核验结果", body = AuditVerification), (status = 403, description = "无权操作", body = crate::ApiErrorBody)))]
pub async fn verify_audit(Signed { state, user, .. }: Signed) -> ApiResult<AuditVerification> {
    let acting = user.acting(&state).await?;
    let r = acting.verify_audit().await.map_err(AppError::from)?;
    Ok(Json(AuditVerification {
        clean: r.is_clean(),
        summary: r.summary(),
        events: r.events,
        head: r.head,
        chain_break: r.chain_break,
        rows_checked: r.rows_checked,
        row_breaks: r.row_breaks,
        unsealed: r.unsealed,
        integrity: r.integrity,
    }))
}

/// The whole database as a backup file (JSON lines of every table, from one snapshot; admins).
/// `taizhang restore FILE --db URL` reads it into a new, empty database.
#[utoipa::path(get, path = "/api/v1/backup", tag = "audit",
    responses((status = 200, description = "备份文件", content_type = "application/x-ndjson"), (status = 403, description = "无权操作", body = crate::ApiErrorBody)))]
pub async fn backup(Signed { state, user, .. }: Signed) -> Result<Response, ApiError> {
    let acting = user.acting(&state).await?;
    let mut bytes = Vec::new();
    acting.backup(&mut bytes).await.map_err(AppError::from)?;
    Ok(crate::view::download(bytes, &format!("taizhang-{}.jsonl", taizhang_app::clock::today())))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPassword {
    pub password: String,
}

/// An admin sets a new password for an account (a forgotten one); its sessions end.
#[utoipa::path(post, path = "/api/v1/users/{username}/password", tag = "audit",
    params(("username" = String, Path)), request_body = NewPassword,
    responses((status = 200, description = "成功"), (status = 400, description = "口令不合要求", body = crate::ApiErrorBody),
              (status = 403, description = "无权操作", body = crate::ApiErrorBody),
              (status = 404, description = "没有该账号", body = crate::ApiErrorBody)))]
pub async fn reset_password(
    Signed { state, user, .. }: Signed,
    Path(username): Path<String>,
    Json(body): Json<NewPassword>,
) -> Result<Response, ApiError> {
    let acting = user.acting(&state).await?;
    acting.reset_password(&username, &body.password).await.map_err(AppError::from)?;
    Ok(Json(serde_json::json!({"username": username, "password_reset": true})).into_response())
}

/// Stops an account (`disable`: it cannot sign in, its sessions end) or lets it sign in again
/// (`enable`); admins, never their own account.
#[utoipa::path(post, path = "/api/v1/users/{username}/{action}", tag = "audit",
    params(("username" = String, Path), ("action" = String, Path, description = "disable | enable")),
    responses((status = 200, description = "成功"), (status = 400, description = "请求有误", body = crate::ApiErrorBody),
              (status = 403, description = "无权操作", body = crate::ApiErrorBody),
              (status = 404, description = "没有该账号", body = crate::ApiErrorBody)))]
pub async fn account_action(
    Signed { state, user, .. }: Signed,
    Path((username, action)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let acting = user.acting(&state).await?;
    let disabled = match action.as_str() {
        "disable" => true,
        "enable" => false,
        other => return Err(AppError::BadRequest(format!("不认识的操作“{other}”（disable 或 enable）")).into()),
    };
    acting.set_account_disabled(&username, disabled).await.map_err(AppError::from)?;
    Ok(Json(serde_json::json!({"username": username, "disabled": disabled})).into_response())
}
