//! Sign-in: sessions kept in the database (they survive a restart) behind an HttpOnly,
//! SameSite cookie; a CSRF token per session checked on every form and API write; failed
//! sign-ins throttled per account and address.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Form;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use rand::Rng;
use rand::distr::Alphanumeric;
use serde::Deserialize;
use taizhang_app::Session;

use crate::extract::{COOKIE_NAME, Signed, User};
use crate::view::{Page, render};
use crate::{AppError, AppState};

const SESSION_HOURS: u64 = 12;
/// Failures an account may have in the window before each further sign-in to it waits.
const ACCOUNT_FREE_FAILURES: usize = 5;
/// The longest an account's sign-in waits (the owner still gets in, only slower).
const MAX_DELAY: Duration = Duration::from_secs(30);
/// Failures one address may have across all accounts in the window before it is refused.
const ADDRESS_FAILURES: usize = 30;
const FAILURE_WINDOW: Duration = Duration::from_secs(600);
/// Name of the cookie that carries the sign-in form's CSRF token.
pub const LOGIN_COOKIE: &str = "tz_login";

/// 40 random letters and digits from the operating system's generator.
fn token() -> String {
    use rand::SeedableRng;
    rand::rngs::StdRng::from_os_rng().sample_iter(&Alphanumeric).take(40).map(char::from).collect()
}

/// The session cookie: HttpOnly, SameSite=Lax, for the whole site, as long as a session
/// lives; `Secure` when the site is served over https.
pub fn session_cookie(id: String, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE_NAME, id))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time::Duration::hours(SESSION_HOURS as i64))
        .build()
}

/// Failed sign-ins per account (across addresses) and per address (across accounts), counted
/// in the database, so that every server sharing it throttles alike: an account's failures
/// slow its sign-ins down (a delay, never a wall, so that no one can lock the owner out); an
/// address's failures refuse that address.
#[derive(Debug, Default)]
pub struct Throttle;

impl Throttle {
    async fn recent(&self, app: &taizhang_app::App, key: &str) -> Result<usize, AppError> {
        Ok(app.signin_failures(key, FAILURE_WINDOW).await?)
    }

    async fn fail(&self, app: &taizhang_app::App, keys: &[&str]) -> Result<(), AppError> {
        Ok(app.note_signin_failure(keys, FAILURE_WINDOW).await?)
    }

    async fn clear(&self, app: &taizhang_app::App, key: &str) -> Result<(), AppError> {
        Ok(app.clear_signin_failures(key).await?)
    }

    /// An admin lifts an account's slowdown.
    pub async fn unlock(&self, app: &taizhang_app::App, username: &str) -> Result<(), AppError> {
        self.clear(app, &account_key(username)).await
    }

    /// How long a sign-in to an account waits: nothing for the first free failures, then
    /// 1 s, 2 s, 4 s … up to 30 s.
    async fn delay(&self, app: &taizhang_app::App, username: &str) -> Result<Duration, AppError> {
        let over = self.recent(app, &account_key(username)).await?.saturating_sub(ACCOUNT_FREE_FAILURES);
        if over == 0 {
            return Ok(Duration::ZERO);
        }
        Ok(Duration::from_secs(1 << (over - 1).min(5)).min(MAX_DELAY))
    }
}

/// A typed account name is untrusted: kept short as a key.
fn account_key(username: &str) -> String {
    format!("u:{}", username.trim().chars().take(64).collect::<String>())
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    /// The token the sign-in page put in the form and in its cookie (login CSRF).
    #[serde(rename = "_login", default)]
    pub token: String,
}

/// The sign-in page with a fresh token in the form and in a cookie scoped to `/login`: a
/// form posted from another site carries neither, and cannot sign a visitor in.
fn login_page_with(state: &AppState, message: Option<String>, username: &str, status: StatusCode) -> Response {
    let token = token();
    let cookie = Cookie::build((LOGIN_COOKIE, token.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.options.https)
        .path("/login")
        .build();
    (status, CookieJar::new().add(cookie), render(&Page::login(message, username, &token))).into_response()
}

pub async fn login_page(State(state): State<AppState>) -> Response {
    login_page_with(&state, None, "", StatusCode::OK)
}

/// Checks the password (throttled per account and address) and opens a session:
/// its id (the cookie) and the session with its CSRF token.
pub async fn open_session(
    state: &AppState,
    username: &str,
    password: &str,
    addr: SocketAddr,
) -> Result<(String, Session), AppError> {
    let address = format!("a:{}", addr.ip());
    let throttle = &state.throttle;
    if throttle.recent(&state.app, &address).await? >= ADDRESS_FAILURES {
        return Err(AppError::TooManyAttempts);
    }
    let delay = throttle.delay(&state.app, username).await?;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let Some(user) = state.app.authenticate(username.trim(), password).await? else {
        throttle.fail(&state.app, &[&account_key(username), &address]).await?;
        return Err(AppError::BadLogin);
    };
    throttle.clear(&state.app, &account_key(username)).await?;
    let (id, csrf) = (token(), token());
    state.app.start_session(&id, &user.username, &csrf, &taizhang_app::clock::iso_after(SESSION_HOURS * 3600)).await?;
    Ok((id.clone(), Session { id, user, csrf }))
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let expected = jar.get(LOGIN_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    if expected.is_empty() || expected != form.token {
        let message = "登录页面已过期或来源不明，请重新打开登录页后再登录".to_string();
        return Ok(login_page_with(&state, Some(message), &form.username, StatusCode::FORBIDDEN));
    }
    let id = match open_session(&state, &form.username, &form.password, addr).await {
        Ok((id, _)) => id,
        Err(e @ (AppError::TooManyAttempts | AppError::BadLogin)) => {
            let status = if matches!(e, AppError::TooManyAttempts) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            // The name typed stays in its box; the password does not.
            return Ok(login_page_with(&state, Some(e.to_string()), &form.username, status));
        }
        Err(e) => return Err(e),
    };
    Ok((CookieJar::new().add(session_cookie(id, state.options.https)), Redirect::to("/")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
}

pub async fn logout(
    Signed { state, user, .. }: Signed,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    state.app.end_session(&user.0.id).await?;
    // Removing the cookie the browser sent answers it with an expired one of the same path.
    let ended = Cookie::build((COOKIE_NAME, "")).http_only(true).same_site(SameSite::Lax).path("/").build();
    Ok((jar.remove(ended), Redirect::to("/login")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(rename = "_csrf", default)]
    pub csrf: String,
    pub old: String,
    pub new: String,
    /// The new password typed twice (a form without it, such as a script's, is not asked).
    pub again: Option<String>,
}

pub async fn password_page(user: User) -> Response {
    render(&Page::password(&user, None))
}

pub async fn change_password(
    Signed { state, user, .. }: Signed,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
    if form.again.as_deref().is_some_and(|again| again != form.new) {
        let page = Page::password(&user, Some("两次输入的新口令不一致".into()));
        return Ok((StatusCode::BAD_REQUEST, render(&page)).into_response());
    }
    if state.app.authenticate(&user.0.user.username, &form.old).await?.is_none() {
        return Ok(
            (StatusCode::BAD_REQUEST, render(&Page::password(&user, Some("原口令不正确".into())))).into_response()
        );
    }
    let acting = user.acting(&state).await?;
    match acting.set_password(&user.0.user.username, &form.new, Some(&user.0.id)).await {
        Ok(()) => Ok(render(&Page::password(&user, Some("口令已修改".into())))),
        Err(e) => Ok((StatusCode::BAD_REQUEST, render(&Page::password(&user, Some(e.to_string())))).into_response()),
    }
}
