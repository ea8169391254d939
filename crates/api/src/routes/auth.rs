use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use lazo_domain::wire::{LoginRequest, LoginResponse, Me, UpdateMe};

use crate::auth::{self, Caller, Principal, Renewal};
use crate::db::schema::{sessions, users};
use crate::db::{now, utc};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use lazo_service::auth::{dummy_hash, issue_jwt, start_session};
use lazo_service::directory::load_me;
use lazo_storage::users::Credentials;

const LIMITER_KEYS_MAX: usize = 10_000;

/// Log in with email and password. Returns a short-lived JWT bound to a new
/// session. Attempts are rate-limited per client address and email, and per
/// email from all addresses.
#[utoipa::path(operation_id = "login", tag = "auth", security(()), request_body = LoginRequest, responses(
    (status = 200, body = LoginResponse),
    (status = 401, description = "Wrong email or password", body = lazo_domain::wire::Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many attempts; see Retry-After", body = lazo_domain::wire::Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
))]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body.value;
    let email = email.trim().to_lowercase();
    let ip = crate::net::client_ip(&req, &state.config.trusted_proxies)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    for (limiter, key) in [
        (&state.login_limiter, format!("{ip}|{email}")),
        (&state.account_limiter, email.clone()),
    ] {
        // Keys are caller-chosen; forget idle ones before they pile up.
        if limiter.len() > LIMITER_KEYS_MAX {
            limiter.retain_recent();
        }
        if let Err(not_until) = limiter.check_key(&key) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            return Err(ApiError::TooManyRequests {
                retry_after: wait.as_secs().max(1),
            });
        }
    }
    if password.len() > lazo_domain::limits::PASSWORD_MAX {
        return Err(ApiError::InvalidCredentials);
    }
    // Read, verify, then write: argon2 takes tens of milliseconds and must
    // not run inside a transaction or while holding SQLite's writer lock.
    let found: Option<Credentials> = state
        .db
        .read(move |c| {
            Ok(users::table
                .filter(users::email.eq(&email))
                .select(Credentials::as_select())
                .first(c)
                .optional()?)
        })
        .await?;
    let id = web::block(move || {
        let ok = match &found {
            Some(u) => auth::verify_password(&password, &u.password_hash) && u.active,
            None => {
                auth::verify_password(&password, dummy_hash());
                false
            }
        };
        found.filter(|_| ok).map(|u| u.id)
    })
    .await
    .map_err(ApiError::internal)?
    .ok_or(ApiError::InvalidCredentials)?;
    let st = state.clone();
    let res = state
        .db
        .write(move |c| {
            let (token, exp) = start_session(c, &st.config.sessions(), id)?;
            let user = load_me(c, id)?;
            Ok(LoginResponse {
                token,
                token_type: "Bearer".into(),
                expires_at: utc(exp),
                user,
            })
        })
        .await?;
    Ok(token_response(res))
}

/// A response carrying a bearer token: no cache, shared or private, may keep
/// it (RFC 6749 §5.1 asks the same of OAuth token responses).
fn token_response(res: LoginResponse) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(res)
}

/// Log out: revokes the session, so its JWT stops working at once.
#[utoipa::path(operation_id = "logout", tag = "auth", responses((status = 204, description = "Logged out")))]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, who: Caller) -> Result<HttpResponse, ApiError> {
    let Principal::User(u) = who.0 else {
        return Err(ApiError::Forbidden(
            "API tokens have no session; revoke the token instead".into(),
        ));
    };
    state
        .db
        .write(move |c| {
            diesel::update(sessions::table.find(&u.session_id))
                .set(sessions::revoked_at.eq(now()))
                .execute(c)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Exchange a JWT for a fresh one of the same session (until the session's
/// own expiry, 12 hours after login). An expired JWT is accepted here while
/// its session lives and was not logged out, so a client that slept renews
/// instead of signing in again.
#[utoipa::path(operation_id = "refreshSession", tag = "auth", responses((status = 200, body = LoginResponse)))]
#[post("/auth/refresh")]
pub async fn refresh(state: web::Data<AppState>, who: Renewal) -> Result<HttpResponse, ApiError> {
    let Principal::User(u) = who.0 else {
        return Err(ApiError::Forbidden(
            "API tokens do not expire; nothing to refresh".into(),
        ));
    };
    let st = state.clone();
    let res = state
        .db
        .read(move |c| {
            let expires: chrono::NaiveDateTime = sessions::table
                .find(&u.session_id)
                .select(sessions::expires_at)
                .first(c)?;
            let ttl = st.config.jwt_ttl.min(expires - now());
            let (token, exp) = issue_jwt(&st.config.jwt_secret, u.id, &u.session_id, ttl)?;
            Ok(LoginResponse {
                token,
                token_type: "Bearer".into(),
                expires_at: utc(exp),
                user: load_me(c, u.id)?,
            })
        })
        .await?;
    Ok(token_response(res))
}

/// The signed-in person, their groups and the organisation settings.
#[utoipa::path(operation_id = "getMe", tag = "auth", responses((status = 200, body = Me)))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, who: Caller) -> Result<HttpResponse, ApiError> {
    let Principal::User(u) = who.0 else {
        return Err(ApiError::Forbidden(
            "/me describes a person; API tokens have none".into(),
        ));
    };
    let me = state.db.read(move |c| Ok(load_me(c, u.id)?)).await?;
    Ok(HttpResponse::Ok().json(me))
}

/// Change one's own account: the language of one's notification emails
/// (and of the bell for clients that send no `Accept-Language`). The rest
/// of an account is an admin's (`PATCH /users/{id}`).
#[utoipa::path(operation_id = "updateMe", tag = "auth",
    request_body(content = UpdateMe, example = json!({"language": "es"})),
    responses((status = 200, body = Me)))]
#[patch("/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<UpdateMe>,
) -> Result<HttpResponse, ApiError> {
    let Principal::User(u) = who.0 else {
        return Err(ApiError::Forbidden(
            "/me describes a person; API tokens have none".into(),
        ));
    };
    let input = body.value;
    if let Some(l) = &input.language {
        let mut errors = vec![];
        crate::routes::users::check_language(l, &mut errors);
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
    }
    let updated = state
        .db
        .write(move |c| {
            if let Some(l) = &input.language {
                let changes = lazo_storage::users::UserChanges {
                    email: None,
                    name: None,
                    language: Some(l),
                    role: None,
                    active: None,
                    password_hash: None,
                    updated_at: now(),
                };
                lazo_storage::users::update(c, u.id, &changes)?;
            }
            Ok(load_me(c, u.id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}
