//! What handlers are given: the signed-in user (from the session cookie, with the API's
//! CSRF header checked on writes) and, through it, the app as that user's account.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use taizhang_app::{Acting, Session};
use taizhang_core::access::Actor;
use taizhang_core::workflow::Round;

use crate::{AppError, AppState};

/// The session cookie's name (set by sign-in in `auth`, read here).
pub const COOKIE_NAME: &str = "tz_session";

/// The signed-in user of a page request, with what the form before it did (`?done=`, said
/// once at the top of the page); anyone else is sent to the sign-in page.
#[derive(Debug, Clone)]
pub struct User(pub Session, pub Option<&'static str>);

impl User {
    pub fn actor(&self) -> Actor {
        Actor { username: self.0.user.username.clone(), role: self.0.user.role, unit: self.0.user.unit.clone() }
    }

    /// The ledger as this user sees it: every read and write of a handler goes through it.
    pub async fn acting<'a>(&self, state: &'a AppState) -> Result<Acting<'a>, AppError> {
        Ok(state.app.as_actor(self.actor()).await?)
    }

    /// The ledger as this user sees it, for a form that writes: its CSRF token checked first.
    pub async fn acting_on_form<'a>(&self, state: &'a AppState, token: &str) -> Result<Acting<'a>, AppError> {
        self.check_csrf(token)?;
        self.acting(state).await
    }

    /// The ledger as this user sees it, for a form about one round: the token checked, the
    /// round read.
    pub async fn acting_on_round<'a>(
        &self,
        state: &'a AppState,
        token: &str,
        round: i64,
    ) -> Result<(Acting<'a>, Round), AppError> {
        let acting = self.acting_on_form(state, token).await?;
        let round = acting.round_of(round).await?;
        Ok((acting, round))
    }

    pub fn csrf(&self) -> &str {
        &self.0.csrf
    }

    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        if token.is_empty() || token != self.0.csrf {
            return Err(AppError::Forbidden("表单已过期或来源不明，请刷新页面后重试".into()));
        }
        Ok(())
    }
}

/// The live session named by the request's cookie, if any.
pub async fn session_of(
    headers: &axum::http::HeaderMap,
    state: &AppState,
) -> Result<Option<Session>, taizhang_app::Error> {
    match CookieJar::from_headers(headers).get(COOKIE_NAME) {
        Some(cookie) => state.app.session(cookie.value()).await,
        None => Ok(None),
    }
}

impl FromRequestParts<AppState> for User {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let api = parts.uri.path().starts_with("/api/");
        // The API answers in JSON; pages send people to sign in.
        let fail = |e: AppError| if api { crate::ApiError(e).into_response() } else { e.into_response() };
        let unauthorised = || if api { fail(AppError::Unauthorised) } else { Redirect::to("/login").into_response() };
        match session_of(&parts.headers, state).await {
            Ok(Some(session)) => {
                tracing::Span::current().record("account", session.user.username.as_str());
                if api && parts.method != axum::http::Method::GET {
                    let header = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
                    if header != session.csrf {
                        return Err(fail(AppError::Forbidden("缺少或错误的 X-CSRF-Token".into())));
                    }
                }
                let done = parts.uri.query().and_then(|q| {
                    q.split('&').find_map(|pair| pair.strip_prefix("done=")).and_then(crate::flash::said)
                });
                Ok(User(session, done))
            }
            Ok(None) => Err(unauthorised()),
            Err(e) => Err(fail(AppError::from(e))),
        }
    }
}

/// The server's state, the signed-in user and the address asked for: what every handler
/// behind sign-in starts from (`Signed { state, user, .. }: Signed`); list pages link their
/// Excel export to the address.
#[derive(Debug, Clone)]
pub struct Signed {
    pub state: AppState,
    pub user: User,
    pub uri: axum::http::Uri,
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = User::from_request_parts(parts, state).await?;
        Ok(Signed { state: state.clone(), user, uri: parts.uri.clone() })
    }
}
