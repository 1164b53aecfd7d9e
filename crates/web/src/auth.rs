//! Sign-in: sessions kept in the database (they survive a restart) behind an HttpOnly,
//! SameSite cookie; a CSRF token per session checked on every form and API write; failed
//! sign-ins throttled per account and address.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
/// Keys the throttle remembers at most (expired ones go first, then the oldest).
const MAX_KEYS: usize = 10_000;
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

/// Failed sign-ins per account (across addresses) and per address (across accounts), in
/// bounded memory: an account's failures slow its sign-ins down (a delay, never a wall, so
/// that no one can lock the owner out); an address's failures refuse that address.
#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    fn recent(&self, key: &str) -> usize {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let Some(list) = map.get_mut(key) else { return 0 };
        list.retain(|t| t.elapsed() < FAILURE_WINDOW);
        list.len()
    }

    fn fail(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS && !map.contains_key(key) {
            map.retain(|_, list| list.last().is_some_and(|t| t.elapsed() < FAILURE_WINDOW));
            if map.len() >= MAX_KEYS {
                let oldest = map.iter().min_by_key(|(_, l)| l.last().copied()).map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    map.remove(&k);
                }
            }
        }
        let list = map.entry(key.to_string()).or_default();
        list.push(Instant::now());
        // Only the count within the window matters; more than the free failures and the
        // address limit never needs remembering.
        let keep = ADDRESS_FAILURES + 1;
        if list.len() > keep {
            list.drain(..list.len() - keep);
        }
    }

    fn clear(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }

    /// An admin lifts an account's slowdown.
    pub fn unlock(&self, username: &str) {
        self.clear(&account_key(username));
    }

    /// How long a sign-in to an account waits: nothing for the first free failures, then
    /// 1 s, 2 s, 4 s … up to 30 s.
    fn delay(&self, username: &str) -> Duration {
        let over = self.recent(&account_key(username)).saturating_sub(ACCOUNT_FREE_FAILURES);
        if over == 0 {
            return Duration::ZERO;
        }
        Duration::from_secs(1 << (over - 1).min(5)).min(MAX_DELAY)
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
    if state.throttle.recent(&address) >= ADDRESS_FAILURES {
        return Err(AppError::TooManyAttempts);
    }
    let delay = state.throttle.delay(username);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let Some(user) = state.app.authenticate(username.trim(), password).await? else {
        state.throttle.fail(&account_key(username));
        state.throttle.fail(&address);
        return Err(AppError::BadLogin);
    };
    state.throttle.clear(&account_key(username));
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
