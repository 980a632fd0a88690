//! The request context [`Ctx`]: who is asking (session cookie or bearer token), in which
//! language, from where, and the CSRF binding. Extracted once per request and cached in
//! the request's extensions.

use std::rc::Rc;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::auth::policy::{self, Action, Actor, ActorUser, Denial};
use crate::auth::{csrf, secrets};
use crate::db::{self, DbConnection};
use crate::domain::accounts::User;
use crate::domain::accounts::{api_tokens, sessions};
use crate::domain::audit;
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use crate::web::state::AppState;

/// The session token's cookie (`__Host-` prefixed over HTTPS, see `AppState::cookie_name`).
pub const SESSION_COOKIE: &str = "innolab_session";
/// The pre-session secret that binds a visitor's CSRF tokens before they sign in (prefixed
/// like the session cookie).
pub const ANON_COOKIE: &str = "innolab_anon";
/// The language a visitor chose (`de` or `en`).
pub const LANG_COOKIE: &str = "innolab_lang";
/// The one-time notice for the next page, `kind:message-id`, URL-encoded.
pub const FLASH_COOKIE: &str = "innolab_flash";

/// How the request proved who made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// Anonymous: no session cookie, or one that is unknown or expired.
    None,
    /// The session cookie of a live session (pages and API alike).
    Session {
        /// The session the cookie belongs to.
        session_id: i64,
    },
    /// An API token in the `Authorization: Bearer` header (only under `/api/`).
    Bearer {
        /// The API token used.
        token_id: i64,
    },
}

/// A one-time notice shown on the next page (after a redirect).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Flash {
    /// `success`, `info` or `error`.
    pub kind: &'static str,
    /// A known message id, translated when the page is rendered.
    pub message_id: String,
}

/// What [`Ctx`] holds for one request.
pub struct CtxInner {
    /// The shared application state.
    pub state: web::Data<AppState>,
    /// The signed-in user, or `None` for anonymous requests.
    pub user: Option<User>,
    /// How the user was recognised.
    pub auth: AuthMethod,
    /// The user's language, else the cookie's, else the browser's, else German.
    pub lang: Lang,
    /// The secret the CSRF token is derived from (session token or pre-session cookie).
    pub csrf_binding: String,
    /// The client's address: the peer, or behind a trusted proxy the right-most
    /// `X-Forwarded-For` entry; empty when unknown.
    pub ip: String,
    /// The `User-Agent` header, empty when absent or not text.
    pub user_agent: String,
    /// Path and query of the request (for `next=` links and navigation).
    pub path: String,
    /// The notice from the flash cookie, if it held a known message.
    pub flash: Option<Flash>,
}

/// Cheap to clone; shared by all extractors of one request.
#[derive(Clone)]
pub struct Ctx(Rc<CtxInner>);

impl std::ops::Deref for Ctx {
    type Target = CtxInner;
    fn deref(&self) -> &CtxInner {
        &self.0
    }
}

/// Set (by [`untraced`]) on requests that must leave no trace of who made them: the
/// session or token is checked but its last use is not recorded.
#[derive(Clone, Copy)]
pub struct Untraced;

/// Marks the POSTs of a resource [`Untraced`] (asking a question, which may be
/// anonymous while signed in: a session touched at the moment of asking would tie the
/// question to its asker).
pub async fn untraced(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::POST {
        req.extensions_mut().insert(Untraced);
    }
    next.call(req).await
}

/// Set when the request had no pre-session cookie: the response must set this one.
#[derive(Clone)]
pub struct NewAnonCookie(pub String);
/// Set when a flash cookie was read: the response clears it (unless it sets a new one).
#[derive(Clone, Copy)]
pub struct FlashConsumed;

impl Ctx {
    /// The user as the policy sees them (anonymous when nobody is signed in).
    pub fn actor(&self) -> Actor {
        Actor {
            user: self.user.as_ref().map(|u| ActorUser {
                id: u.id,
                is_admin: u.is_admin,
                email_verified: u.is_verified(),
            }),
        }
    }

    /// A fresh CSRF token for forms on this page (each call gives a differently masked one).
    pub fn csrf_token(&self) -> String {
        csrf::token_for(&self.csrf_binding)
    }

    /// The signed-in user's id, if any.
    pub fn user_id(&self) -> Option<i64> {
        self.user.as_ref().map(|u| u.id)
    }

    /// The logged-in user, or 401.
    pub fn require_user(&self) -> AppResult<&User> {
        self.user.as_ref().ok_or(AppError::Unauthorized)
    }

    /// The session the request came with; `None` for anonymous and bearer-token requests.
    pub fn session_id(&self) -> Option<i64> {
        match self.auth {
            AuthMethod::Session { session_id } => Some(session_id),
            _ => None,
        }
    }

    /// The message `id` in the request's language.
    pub fn t(&self, id: &str) -> String {
        i18n::text(self.lang, id)
    }

    /// Runs read-only database work on the blocking pool.
    pub async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        run_db(&self.state, f).await
    }

    /// Runs database work in one write transaction on the blocking pool.
    pub async fn tx<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        run_db(&self.state, move |conn| db::write_tx(conn, f)).await
    }

    /// Asks the policy; a denial is written to the audit log and becomes the matching error.
    pub async fn authorize(&self, action: Action<'_>) -> AppResult<()> {
        let Err(denial) = policy::authorize(&self.actor(), action) else {
            return Ok(());
        };
        let actor = self.user_id();
        let record = match denial {
            Denial::NotLoggedIn => audit::DenialRecord::Skip,
            _ => self.state.denials.admit(actor, db::now()),
        };
        if record != audit::DenialRecord::Skip {
            let (object_type, object_id) = action.object();
            let name = action.name();
            let ip = self.ip.clone();
            let mut details =
                serde_json::json!({ "action": name, "reason": format!("{denial:?}") });
            if record == audit::DenialRecord::RecordLast {
                details["further_denials_this_hour"] = serde_json::json!("not recorded");
            }
            self.tx(move |conn| {
                audit::append(
                    conn,
                    audit::Event::new(actor, "access_denied", object_type, object_id)
                        .details(details)
                        .ip(&ip),
                )
            })
            .await?;
        }
        Err(match denial {
            Denial::NotLoggedIn => AppError::Unauthorized,
            Denial::Hidden => AppError::NotFound,
            Denial::EmailUnverified => AppError::Conflict {
                message_id: "email-unverified",
            },
            Denial::AgencyUnverified => AppError::Conflict {
                message_id: "agency-unverified",
            },
            Denial::Forbidden => AppError::Forbidden,
        })
    }

    /// Searches as this person: visitors find what is public, members also what their
    /// organisations may see (the policy's audiences). Runs on the search threads.
    pub async fn search(&self, req: crate::search::Request) -> AppResult<crate::search::Results> {
        let actor = self.actor();
        let Some(uid) = actor.user_id() else {
            return self.search_as(policy::SearchReader::default(), req).await;
        };
        let member_of = self
            .db(move |conn| {
                use diesel::RunQueryDsl;
                Ok(crate::domain::organisations::ids_of_member(uid).load(conn)?)
            })
            .await?;
        self.search_as(policy::SearchReader::new(&actor, member_of), req)
            .await
    }

    /// Searches as `reader` (the public lists search as a visitor).
    pub async fn search_as(
        &self,
        reader: policy::SearchReader,
        req: crate::search::Request,
    ) -> AppResult<crate::search::Results> {
        let search = self.state.search.clone();
        self.state
            .searches
            .run(move || search.search(&reader, &req))
            .await?
    }

    /// Appends an audit entry in its own transaction.
    pub async fn audit(
        &self,
        action: &'static str,
        object_type: &'static str,
        object_id: Option<i64>,
        details: serde_json::Value,
    ) -> AppResult<()> {
        let actor = self.user_id();
        let ip = self.ip.clone();
        self.tx(move |conn| {
            audit::append(
                conn,
                audit::Event::new(actor, action, object_type, object_id)
                    .details(details)
                    .ip(&ip),
            )
        })
        .await
    }
}

/// Runs `f` with a pooled connection on the blocking thread pool; fails when no connection
/// can be checked out.
pub async fn run_db<T, F>(state: &web::Data<AppState>, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    // Waiting for a connection in the pool itself is unfair (whichever blocked thread
    // wakes first takes it): at 50 connections on PostgreSQL some requests waited 200 to
    // 500 ms while the median took 15. The semaphore queues them in order, and a waiting
    // request holds no blocking thread; why not on SQLite: `AppState::db_turns`.
    let unavailable = || AppError::Unavailable {
        message_id: "error-unavailable",
    };
    let _turn = match &state.db_turns {
        Some(turns) => Some(
            actix_web::rt::time::timeout(db::CHECKOUT_WAIT, turns.acquire())
                .await
                .map_err(|_| unavailable())?
                .map_err(|_| unavailable())?,
        ),
        None => None,
    };
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = db::checkout(&pool)?;
        f(&mut conn)
    })
    .await?
}

/// The language a visitor chose (cookie) or their browser prefers; German otherwise.
pub fn browser_lang(req: &HttpRequest) -> Lang {
    req.cookie(LANG_COOKIE)
        .and_then(|c| Lang::parse(c.value()))
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(i18n::negotiate)
        })
        .unwrap_or_default()
}

/// The client's address: the peer, or behind a trusted proxy the address it added.
pub(crate) fn client_ip(req: &HttpRequest, trust_proxy: bool) -> String {
    if trust_proxy {
        if let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            // The right-most entry is the one our own proxy added; the others are the
            // client's to choose.
            .and_then(|v| v.split(',').next_back())
        {
            return first.trim().to_string();
        }
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

fn parse_flash(raw: &str) -> Option<Flash> {
    let (kind, id) = raw.split_once(':')?;
    let kind = match kind {
        "success" => "success",
        "info" => "info",
        "error" => "error",
        _ => return None,
    };
    // Only known message ids: the cookie cannot smuggle text onto a page.
    i18n::has(Lang::De, id).then(|| Flash {
        kind,
        message_id: id.to_string(),
    })
}

async fn build(req: HttpRequest) -> AppResult<Ctx> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal("application state missing".into()))?;
    let session_cookie = req
        .cookie(&state.cookie_name(SESSION_COOKIE))
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty());
    // Tokens are for the API; pages are used with cookies only, so a stolen token cannot
    // drive the account pages (and mint new tokens there).
    let bearer = if req.path().starts_with("/api/") {
        bearer_token(&req)
    } else {
        None
    };
    let limits = state.session_limits();
    let touch = req.extensions().get::<Untraced>().is_none();

    let (user, auth) = match (&bearer, &session_cookie) {
        (Some(token), _) => {
            let token = token.clone();
            match run_db(&state, move |conn| {
                api_tokens::authenticate(conn, &token, touch)
            })
            .await?
            {
                Some((t, u)) => (Some(u), AuthMethod::Bearer { token_id: t.id }),
                // A wrong bearer token is an error, not an anonymous request.
                None => return Err(AppError::Unauthorized),
            }
        }
        (None, Some(token)) => {
            let token = token.clone();
            match run_db(&state, move |conn| {
                sessions::lookup(conn, &token, limits, touch)
            })
            .await?
            {
                Some((s, u)) => (Some(u), AuthMethod::Session { session_id: s.id }),
                None => (None, AuthMethod::None),
            }
        }
        (None, None) => (None, AuthMethod::None),
    };

    let lang = user
        .as_ref()
        .map(User::lang)
        .unwrap_or_else(|| browser_lang(&req));

    let csrf_binding = match (&session_cookie, req.cookie(&state.cookie_name(ANON_COOKIE))) {
        (Some(s), _) => s.clone(),
        (None, Some(c)) if c.value().len() >= 32 => c.value().to_string(),
        _ => {
            let fresh = secrets::new_token();
            req.extensions_mut().insert(NewAnonCookie(fresh.clone()));
            fresh
        }
    };

    let flash = req.cookie(FLASH_COOKIE).and_then(|c| {
        req.extensions_mut().insert(FlashConsumed);
        parse_flash(&urlencoding::decode(c.value()).unwrap_or_default())
    });

    let path = match req.uri().query() {
        Some(q) => format!("{}?{}", req.path(), q),
        None => req.path().to_string(),
    };

    Ok(Ctx(Rc::new(CtxInner {
        ip: client_ip(&req, state.config.trust_proxy),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        state,
        user,
        auth,
        lang,
        csrf_binding,
        path,
        flash,
    })))
}

impl FromRequest for Ctx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Ctx, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if let Some(ctx) = req.extensions().get::<Ctx>() {
                return Ok(ctx.clone());
            }
            let ctx = build(req.clone()).await?;
            req.extensions_mut().insert(ctx.clone());
            Ok(ctx)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flash_cookie_accepts_only_known_messages() {
        assert!(parse_flash("success:flash-logged-in").is_some());
        assert!(parse_flash("success:<script>").is_none());
        assert!(parse_flash("evil:flash-logged-in").is_none());
        assert!(parse_flash("nonsense").is_none());
    }
}
