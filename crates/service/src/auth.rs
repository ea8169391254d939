//! Who is calling: people with a short-lived JWT bound to a revocable
//! session, integrators with a hashed, scoped API token, or Lazo itself.
//! Passwords (argon2), sessions, JWTs and token hashes live here; the API
//! only reads the bearer header and calls [`user_principal`] or
//! [`token_principal`].

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use lazo_domain::{Role, Scope};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ServiceError;
use lazo_storage::schema::{api_tokens, group_members, sessions, users};
use lazo_storage::sessions::{NewSession, SessionState};
use lazo_storage::tokens::TokenAuthRow;
use lazo_storage::users::PrincipalRow;
use lazo_storage::{now, DbConn};

/// API token secrets start with this, so leaked ones are easy to grep for.
pub const TOKEN_PREFIX: &str = "lazo_";

pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(ServiceError::internal)
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
) -> Result<(String, NaiveDateTime), ServiceError> {
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
    .map_err(ServiceError::internal)?;
    Ok((token, exp))
}

pub fn decode_jwt(secret: &[u8], token: &str) -> Result<Claims, ServiceError> {
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.leeway = 5;
    jsonwebtoken::decode::<Claims>(token, &jsonwebtoken::DecodingKey::from_secret(secret), &v)
        .map(|d| d.claims)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                ServiceError::Unauthenticated("the session token has expired; log in again")
            }
            _ => ServiceError::Unauthenticated("the bearer token is not valid"),
        })
}

/// Reads a JWT for renewal: the signature must hold, the expiry need not.
/// The session it names still has to be live (checked by [`user_principal`]),
/// so a laptop that slept past the JWT's 30 minutes renews within the
/// session's 12 hours, while a logged-out or expired session does not.
pub fn decode_jwt_for_renewal(secret: &[u8], token: &str) -> Result<Claims, ServiceError> {
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.validate_exp = false;
    v.required_spec_claims.clear();
    jsonwebtoken::decode::<Claims>(token, &jsonwebtoken::DecodingKey::from_secret(secret), &v)
        .map(|d| d.claims)
        .map_err(|_| ServiceError::Unauthenticated("the bearer token is not valid"))
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
    pub fn require_ticket_read(&self) -> Result<(), ServiceError> {
        if self.has_scope(Scope::TicketsRead) || self.has_scope(Scope::TicketsWrite) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "this token lacks the tickets:read scope".into(),
            ))
        }
    }

    pub fn require_ticket_write(&self) -> Result<(), ServiceError> {
        if self.has_scope(Scope::TicketsWrite) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "this token lacks the tickets:write scope".into(),
            ))
        }
    }

    /// Survey intake: admins and ticket admins, tokens with
    /// `responses:write` (or `admin`).
    pub fn require_intake(&self) -> Result<(), ServiceError> {
        let ok = match self {
            Principal::User(u) => u.role.configures_ticketing(),
            Principal::Token(_) => self.has_scope(Scope::ResponsesWrite),
            Principal::System(_) => true,
        };
        if ok {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "sending survey responses needs the responses:write scope (or an admin)".into(),
            ))
        }
    }

    /// Ticketing configuration: admins and ticket admins, `admin` tokens.
    pub fn require_ticketing_admin(&self) -> Result<(), ServiceError> {
        let ok = match self {
            Principal::User(u) => u.role.configures_ticketing(),
            Principal::Token(t) => t.scopes.contains(&Scope::Admin),
            Principal::System(_) => true,
        };
        if ok {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "only admins and ticket admins may change ticketing configuration".into(),
            ))
        }
    }

    /// People and tokens: organisation admins, `admin` tokens.
    pub fn require_admin(&self) -> Result<(), ServiceError> {
        let ok = match self {
            Principal::User(u) => u.role == Role::Admin,
            Principal::Token(t) => t.scopes.contains(&Scope::Admin),
            Principal::System(_) => true,
        };
        if ok {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "only organisation admins may do this".into(),
            ))
        }
    }

    /// Posting raw inbound email: `inbound:write` (or `admin`) tokens, the
    /// organisation's admins.
    pub fn require_inbound_write(&self) -> Result<(), ServiceError> {
        let ok = match self {
            Principal::User(u) => u.role == Role::Admin,
            Principal::Token(t) => {
                t.scopes.contains(&Scope::InboundWrite) || t.scopes.contains(&Scope::Admin)
            }
            Principal::System(_) => true,
        };
        if ok {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "this needs a token with the inbound:write scope".into(),
            ))
        }
    }

    /// Reading configuration (users, groups, statuses, types): any person,
    /// tokens with any ticket scope.
    pub fn require_directory_read(&self) -> Result<(), ServiceError> {
        self.require_ticket_read()
    }
}

pub fn user_principal(c: &mut DbConn, claims: &Claims) -> Result<Principal, ServiceError> {
    let user_id: i64 = claims
        .sub
        .parse()
        .map_err(|_| ServiceError::Unauthenticated("the bearer token is not valid"))?;
    // Session, person and groups in one statement: this runs before every
    // request. A row per group (one with no group when there is none). A
    // session's user cannot be deleted (foreign key), so no row means no
    // such session.
    let rows: Vec<(SessionState, PrincipalRow, Option<i64>)> = sessions::table
        .inner_join(users::table.left_join(group_members::table))
        .filter(sessions::id.eq(&claims.sid))
        .filter(sessions::user_id.eq(user_id))
        .select((
            SessionState::as_select(),
            PrincipalRow::as_select(),
            group_members::group_id.nullable(),
        ))
        .load(c)?;
    let group_ids: Vec<i64> = rows.iter().filter_map(|r| r.2).collect();
    let user = match rows.into_iter().next() {
        Some((
            SessionState {
                revoked_at: None,
                expires_at,
            },
            user,
            _,
        )) if expires_at > now() => user,
        _ => {
            return Err(ServiceError::Unauthenticated(
                "the session has ended; log in again",
            ))
        }
    };
    if !user.active {
        return Err(ServiceError::Unauthenticated("the user is deactivated"));
    }
    Ok(Principal::User(UserPrincipal {
        id: user_id,
        name: user.name,
        email: user.email,
        role: user.role.parse().map_err(ServiceError::internal)?,
        group_ids,
        session_id: claims.sid.clone(),
    }))
}

/// The token's principal, and the time to record as its last use when the
/// recorded one is over a minute old.
pub fn token_principal(
    c: &mut DbConn,
    hash: &str,
) -> Result<(Principal, Option<NaiveDateTime>), ServiceError> {
    let row: Option<TokenAuthRow> = api_tokens::table
        .filter(api_tokens::secret_hash.eq(hash))
        .select(TokenAuthRow::as_select())
        .first(c)
        .optional()?;
    let Some(TokenAuthRow {
        id,
        name,
        scopes,
        revoked_at: None,
        last_used_at: last_used,
    }) = row
    else {
        return Err(ServiceError::Unauthenticated(
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
    cfg: &SessionConfig,
    user_id: i64,
) -> Result<(String, NaiveDateTime), ServiceError> {
    let sid = uuid::Uuid::new_v4().to_string();
    let t = now();
    diesel::insert_into(sessions::table)
        .values(NewSession {
            id: &sid,
            user_id,
            created_at: t,
            expires_at: t + cfg.session_ttl,
        })
        .execute(c)?;
    issue_jwt(&cfg.jwt_secret, user_id, &sid, cfg.jwt_ttl)
}

/// What a session needs to know: the JWT key and lifetimes.
#[derive(Clone)]
pub struct SessionConfig {
    pub jwt_secret: Vec<u8>,
    /// Lifetime of a JWT; the SPA refreshes before it runs out.
    pub jwt_ttl: Duration,
    /// Lifetime of a session (a login); refreshes stop working after it.
    pub session_ttl: Duration,
}
