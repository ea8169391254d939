//! Who is calling: people with a short-lived JWT bound to a revocable
//! session, integrators with a hashed, scoped API token. The [`Principal`]
//! extractor resolves either; handlers then ask it for what they need.

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use futures_util::future::LocalBoxFuture;
use lazo_domain::{Role, Scope};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::schema::{api_tokens, group_members, sessions, users};
use crate::db::{now, DbConn};
use crate::error::ApiError;
use crate::state::AppState;

/// API token secrets start with this, so leaked ones are easy to grep for.
pub const TOKEN_PREFIX: &str = "lazo_";

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A hash to verify against when the email is unknown, so a login for a
/// missing user costs the same time as one with a wrong password.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not-a-real-password").unwrap_or_default())
}

/// 256 random bits, URL-safe.
pub fn random_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// API token secrets have 256 bits of entropy, so a fast hash is enough
/// (no dictionary to attack) and lookups stay one indexed read.
pub fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    /// Session id; revoked sessions reject their JWTs.
    pub sid: String,
    pub exp: i64,
    pub iat: i64,
}

pub fn issue_jwt(
    secret: &[u8],
    user_id: i64,
    session_id: &str,
    ttl: Duration,
) -> Result<(String, NaiveDateTime), ApiError> {
    let issued = now();
    let exp = issued + ttl;
    let claims = Claims {
        sub: user_id.to_string(),
        sid: session_id.to_owned(),
        exp: exp.and_utc().timestamp(),
        iat: issued.and_utc().timestamp(),
    };
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .map_err(ApiError::internal)?;
    Ok((token, exp))
}

fn decode_jwt(secret: &[u8], token: &str) -> Result<Claims, ApiError> {
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.leeway = 5;
    jsonwebtoken::decode::<Claims>(token, &jsonwebtoken::DecodingKey::from_secret(secret), &v)
        .map(|d| d.claims)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                ApiError::Unauthenticated("the session token has expired; log in again")
            }
            _ => ApiError::Unauthenticated("the bearer token is not valid"),
        })
}

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct UserPrincipal {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub group_ids: Vec<i64>,
    pub session_id: String,
}

/// An integrator token.
#[derive(Debug, Clone)]
pub struct TokenPrincipal {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<Scope>,
}

#[derive(Debug, Clone)]
pub enum Principal {
    User(UserPrincipal),
    Token(TokenPrincipal),
    /// Lazo itself (a scheduled job, an inbound email...), named for history.
    /// Never produced by the request extractor: only code running off a
    /// request builds it, and it acts for the whole organisation.
    System(String),
}

impl Principal {
    pub fn user(&self) -> Option<&UserPrincipal> {
        match self {
            Principal::User(u) => Some(u),
            Principal::Token(_) | Principal::System(_) => None,
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.user().map(|u| u.role)
    }

    pub fn name(&self) -> String {
        match self {
            Principal::User(u) => u.name.clone(),
            Principal::Token(t) => format!("API token {}", t.name),
            Principal::System(name) => name.clone(),
        }
    }

    /// Key under which idempotency records are kept.
    pub fn key(&self) -> String {
        match self {
            Principal::User(u) => format!("user:{}", u.id),
            Principal::Token(t) => format!("token:{}", t.id),
            Principal::System(name) => format!("system:{name}"),
        }
    }

    /// Tokens see every ticket (they act for the organisation); people by role.
    pub fn sees_all_tickets(&self) -> bool {
        match self {
            Principal::User(u) => u.role.sees_all_tickets(),
            Principal::Token(_) | Principal::System(_) => true,
        }
    }

    fn has_scope(&self, scope: Scope) -> bool {
        match self {
            Principal::User(_) | Principal::System(_) => true,
            Principal::Token(t) => t.scopes.contains(&scope) || t.scopes.contains(&Scope::Admin),
        }
    }

    /// Reading tickets: any person; tokens with `tickets:read` (or write).
    pub fn require_ticket_read(&self) -> Result<(), ApiError> {
        if self.has_scope(Scope::TicketsRead) || self.has_scope(Scope::TicketsWrite) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "this token lacks the tickets:read scope".into(),
            ))
        }
    }

    pub fn require_ticket_write(&self) -> Result<(), ApiError> {
        if self.has_scope(Scope::TicketsWrite) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "this token lacks the tickets:write scope".into(),
            ))
        }
    }

    /// Ticketing configuration: admins and ticket admins, `admin` tokens.
    pub fn require_ticketing_admin(&self) -> Result<(), ApiError> {
        let ok = match self {
            Principal::User(u) => u.role.configures_ticketing(),
            Principal::Token(t) => t.scopes.contains(&Scope::Admin),
            Principal::System(_) => true,
        };
        if ok {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "only admins and ticket admins may change ticketing configuration".into(),
            ))
        }
    }

    /// People and tokens: organisation admins, `admin` tokens.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        let ok = match self {
            Principal::User(u) => u.role == Role::Admin,
            Principal::Token(t) => t.scopes.contains(&Scope::Admin),
            Principal::System(_) => true,
        };
        if ok {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "only organisation admins may do this".into(),
            ))
        }
    }

    /// Reading configuration (users, groups, statuses, types): any person,
    /// tokens with any ticket scope.
    pub fn require_directory_read(&self) -> Result<(), ApiError> {
        self.require_ticket_read()
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let v = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("app state missing"))?;
            let token = token.ok_or(ApiError::Unauthenticated(
                "send Authorization: Bearer <token>",
            ))?;
            if let Some(secret) = token.strip_prefix(TOKEN_PREFIX) {
                let hash = token_hash(secret);
                let (principal, touch) = state.db.read(move |c| token_principal(c, &hash)).await?;
                if let (Some(t), Principal::Token(tk)) = (touch, &principal) {
                    // A write like any other: through the one writer on
                    // SQLite, so it never commits between another write's
                    // first read and first write.
                    let id = tk.id;
                    state
                        .db
                        .write(move |c| {
                            diesel::update(api_tokens::table.find(id))
                                .set(api_tokens::last_used_at.eq(t))
                                .execute(c)?;
                            Ok(())
                        })
                        .await?;
                }
                return Ok(principal);
            }
            let claims = decode_jwt(&state.config.jwt_secret, &token)?;
            state.db.read(move |c| user_principal(c, &claims)).await
        })
    }
}

fn user_principal(c: &mut DbConn, claims: &Claims) -> Result<Principal, ApiError> {
    let user_id: i64 = claims
        .sub
        .parse()
        .map_err(|_| ApiError::Unauthenticated("the bearer token is not valid"))?;
    let session: Option<(Option<NaiveDateTime>, NaiveDateTime)> = sessions::table
        .filter(sessions::id.eq(&claims.sid))
        .filter(sessions::user_id.eq(user_id))
        .select((sessions::revoked_at, sessions::expires_at))
        .first(c)
        .optional()?;
    match session {
        Some((None, expires)) if expires > now() => {}
        _ => {
            return Err(ApiError::Unauthenticated(
                "the session has ended; log in again",
            ))
        }
    }
    let (name, email, role, active): (String, String, String, bool) = users::table
        .find(user_id)
        .select((users::name, users::email, users::role, users::active))
        .first(c)
        .optional()?
        .ok_or(ApiError::Unauthenticated("the user no longer exists"))?;
    if !active {
        return Err(ApiError::Unauthenticated("the user is deactivated"));
    }
    let group_ids = group_members::table
        .filter(group_members::user_id.eq(user_id))
        .select(group_members::group_id)
        .load(c)?;
    Ok(Principal::User(UserPrincipal {
        id: user_id,
        name,
        email,
        role: role.parse().map_err(ApiError::internal)?,
        group_ids,
        session_id: claims.sid.clone(),
    }))
}

/// id, name, scopes, revoked_at, last_used_at
type TokenRow = (
    i64,
    String,
    String,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

/// The token's principal, and the time to record as its last use when the
/// recorded one is over a minute old.
fn token_principal(
    c: &mut DbConn,
    hash: &str,
) -> Result<(Principal, Option<NaiveDateTime>), ApiError> {
    let row: Option<TokenRow> = api_tokens::table
        .filter(api_tokens::secret_hash.eq(hash))
        .select((
            api_tokens::id,
            api_tokens::name,
            api_tokens::scopes,
            api_tokens::revoked_at,
            api_tokens::last_used_at,
        ))
        .first(c)
        .optional()?;
    let Some((id, name, scopes, None, last_used)) = row else {
        return Err(ApiError::Unauthenticated(
            "the API token is unknown or revoked",
        ));
    };
    // Record use at most once a minute: a write per request would serialise
    // every integrator call on SQLite's single writer.
    let t = now();
    let touch = last_used
        .is_none_or(|l| t - l > Duration::minutes(1))
        .then_some(t);
    Ok((
        Principal::Token(TokenPrincipal {
            id,
            name,
            scopes: parse_scopes(&scopes),
        }),
        touch,
    ))
}

pub fn parse_scopes(s: &str) -> Vec<Scope> {
    s.split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Creates a session row and its JWT.
pub fn start_session(
    c: &mut DbConn,
    state: &AppState,
    user_id: i64,
) -> Result<(String, NaiveDateTime), ApiError> {
    let sid = uuid::Uuid::new_v4().to_string();
    let t = now();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(&sid),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(t),
            sessions::expires_at.eq(t + state.config.session_ttl),
        ))
        .execute(c)?;
    issue_jwt(
        &state.config.jwt_secret,
        user_id,
        &sid,
        state.config.jwt_ttl,
    )
}
