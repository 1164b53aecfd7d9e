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
const MAX_FAILURES: usize = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(600);

/// 40 random letters and digits from the operating system's generator.
fn token() -> String {
    use rand::SeedableRng;
    rand::rngs::StdRng::from_os_rng().sample_iter(&Alphanumeric).take(40).map(char::from).collect()
}

/// The session cookie: HttpOnly, SameSite=Lax, for the whole site, as long as a session lives.
pub fn session_cookie(id: String) -> Cookie<'static> {
    Cookie::build((COOKIE_NAME, id))
        .http_only(true)
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(time::Duration::hours(SESSION_HOURS as i64))
        .build()
}

/// Failed sign-ins per key (account and address), forgotten after the window.
#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    fn blocked(&self, key: &str) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let list = map.entry(key.to_string()).or_default();
        list.retain(|t| t.elapsed() < FAILURE_WINDOW);
        list.len() >= MAX_FAILURES
    }

    fn fail(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key.to_string())
            .or_default()
            .push(Instant::now());
    }

    fn clear(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
}

pub async fn login_page() -> Response {
    render(&Page::login(None))
}

/// Checks the password (throttled per account and address) and opens a session:
/// its id (the cookie) and the session with its CSRF token.
pub async fn open_session(
    state: &AppState,
    username: &str,
    password: &str,
    addr: SocketAddr,
) -> Result<(String, Session), AppError> {
    let key = format!("{}@{}", username.trim(), addr.ip());
    if state.throttle.blocked(&key) {
        return Err(AppError::TooManyAttempts);
    }
    let Some(user) = state.app.authenticate(username.trim(), password).await? else {
        state.throttle.fail(&key);
        return Err(AppError::BadLogin);
    };
    state.throttle.clear(&key);
    let (id, csrf) = (token(), token());
    state.app.start_session(&id, &user.username, &csrf, &taizhang_app::clock::iso_after(SESSION_HOURS * 3600)).await?;
    Ok((id.clone(), Session { id, user, csrf }))
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let id = match open_session(&state, &form.username, &form.password, addr).await {
        Ok((id, _)) => id,
        Err(e @ (AppError::TooManyAttempts | AppError::BadLogin)) => {
            let status = if matches!(e, AppError::TooManyAttempts) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            return Ok((status, render(&Page::login(Some(e.to_string())))).into_response());
        }
        Err(e) => return Err(e),
    };
    Ok((CookieJar::new().add(session_cookie(id)), Redirect::to("/")).into_response())
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
}

pub async fn password_page(user: User) -> Response {
    render(&Page::password(&user, None))
}

pub async fn change_password(
    Signed { state, user, .. }: Signed,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    user.check_csrf(&form.csrf)?;
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
