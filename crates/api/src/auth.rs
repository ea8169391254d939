//! The caller of a request: the bearer header resolved to a [`Principal`]
//! by the service layer (session JWT or API token). Handlers take a
//! [`Caller`] and ask it for what they need.

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use diesel::prelude::*;
use futures_util::future::LocalBoxFuture;
use lazo_service::auth::{decode_jwt, decode_jwt_for_renewal, token_principal, user_principal};
pub use lazo_service::auth::{
    hash_password, random_secret, token_hash, verify_password, Principal, TokenPrincipal,
    UserPrincipal, TOKEN_PREFIX,
};

use crate::db::schema::api_tokens;
use crate::error::ApiError;
use crate::state::AppState;

/// The [`Principal`] of a request (an extractor; the principal itself lives
/// in the service crate, which knows no HTTP).
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl std::ops::Deref for Caller {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let v = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// The principal behind a request's bearer header. `renewal` accepts an
/// expired (correctly signed) JWT whose session still lives: only the
/// refresh endpoint asks for that.
async fn resolve(
    state: Option<web::Data<AppState>>,
    token: Option<String>,
    renewal: bool,
) -> Result<Principal, ApiError> {
    let state = state.ok_or_else(|| ApiError::internal("app state missing"))?;
    let token = token.ok_or(ApiError::Unauthenticated(
        "send Authorization: Bearer <token>",
    ))?;
    if let Some(secret) = token.strip_prefix(TOKEN_PREFIX) {
        let hash = token_hash(secret);
        let (principal, touch) = state
            .db
            .read(move |c| Ok(token_principal(c, &hash)?))
            .await?;
        if let (Some(t), Principal::Token(tk)) = (touch, &principal) {
            // A write like any other: through the one writer on SQLite, so
            // it never commits between another write's first read and first
            // write.
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
    let claims = if renewal {
        decode_jwt_for_renewal(&state.config.jwt_secret, &token)?
    } else {
        decode_jwt(&state.config.jwt_secret, &token)?
    };
    state
        .db
        .read(move |c| Ok(user_principal(c, &claims)?))
        .await
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (state, token) = (req.app_data::<web::Data<AppState>>().cloned(), bearer(req));
        Box::pin(async move { resolve(state, token, false).await.map(Caller) })
    }
}

/// The person asking to renew their JWT (`POST /auth/refresh`): like
/// [`Caller`], but an expired (correctly signed) JWT is accepted while its
/// session lives, so an agent whose machine slept is not signed out. An API
/// token resolves as usual and is then told it has nothing to renew.
#[derive(Debug, Clone)]
pub struct Renewal(pub Principal);

impl FromRequest for Renewal {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (state, token) = (req.app_data::<web::Data<AppState>>().cloned(), bearer(req));
        Box::pin(async move { resolve(state, token, true).await.map(Renewal) })
    }
}
