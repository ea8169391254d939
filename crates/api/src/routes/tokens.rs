//! Integrator API tokens: created by an admin, shown once, stored hashed.

use actix_web::{delete, get, post, web, HttpResponse};
use diesel::prelude::*;
use lazo_domain::limits::NAME_MAX;
use lazo_domain::rules::check_line;
use lazo_domain::wire::{ApiToken, CreateApiToken, CreatedApiToken, FieldError};

use crate::auth::{random_secret, token_hash, Caller, TOKEN_PREFIX};
use crate::db::schema::api_tokens;
use crate::db::{now, utc, DbConn};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use lazo_service::auth::parse_scopes;
use lazo_service::directory::user_refs;
use lazo_storage::tokens::{NewToken, TokenRow};

fn load(c: &mut DbConn, id: Option<i64>) -> Result<Vec<ApiToken>, ApiError> {
    let mut q = api_tokens::table
        .select(TokenRow::as_select())
        .order(api_tokens::id.desc())
        .into_boxed();
    if let Some(id) = id {
        q = q.filter(api_tokens::id.eq(id));
    }
    let rows: Vec<TokenRow> = q.load(c)?;
    let creators: Vec<i64> = rows.iter().filter_map(|r| r.created_by).collect();
    let refs = user_refs(c, &creators)?;
    Ok(rows
        .into_iter()
        .map(|r| ApiToken {
            id: r.id,
            name: r.name,
            prefix: r.prefix,
            scopes: parse_scopes(&r.scopes),
            created_by: r.created_by.and_then(|u| refs.get(&u).cloned()),
            created_at: utc(r.created_at),
            last_used_at: r.last_used_at.map(utc),
            revoked_at: r.revoked_at.map(utc),
        })
        .collect())
}

/// The organisation's API tokens (never their secrets).
#[utoipa::path(operation_id = "listTokens", tag = "tokens", responses((status = 200, body = Vec<ApiToken>)))]
#[get("/tokens")]
pub async fn list(state: web::Data<AppState>, who: Caller) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    Ok(HttpResponse::Ok().json(state.db.read(|c| load(c, None)).await?))
}

/// Create a token. The secret is in this response only; it is stored hashed.
#[utoipa::path(operation_id = "createToken", tag = "tokens", request_body = CreateApiToken, responses((status = 201, body = CreatedApiToken)))]
#[post("/tokens")]
pub async fn create(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<CreateApiToken>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let input = body.value;
    let mut errors = Vec::new();
    check_line("name", &input.name, NAME_MAX, &mut errors);
    if input.scopes.is_empty() {
        errors.push(FieldError::new(
            "scopes",
            "required",
            "give the token at least one scope",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let creator = who.user().map(|u| u.id);
    let secret = random_secret();
    let full = format!("{TOKEN_PREFIX}{secret}");
    let hash = token_hash(&secret);
    let prefix = full[..TOKEN_PREFIX.len() + 6].to_owned();
    let token = state
        .db
        .write(move |c| {
            let mut scopes: Vec<&str> = input.scopes.iter().map(|s| s.as_str()).collect();
            scopes.sort();
            scopes.dedup();
            let id: i64 = diesel::insert_into(api_tokens::table)
                .values(NewToken {
                    name: input.name.trim(),
                    prefix: &prefix,
                    secret_hash: &hash,
                    scopes: &scopes.join(" "),
                    created_by: creator,
                    created_at: now(),
                })
                .returning(api_tokens::id)
                .get_result(c)?;
            load(c, Some(id))?.pop().ok_or(ApiError::NotFound("token"))
        })
        .await?;
    // The secret, like a login's JWT, must not linger in any cache.
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(CreatedApiToken {
            token,
            secret: full,
        }))
}

/// Revoke a token; it stops working at once.
#[utoipa::path(operation_id = "revokeToken", tag = "tokens", params(("id" = i64, Path)), responses((status = 204, description = "Revoked")))]
#[delete("/tokens/{id}")]
pub async fn revoke(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let id = id.into_inner();
    state
        .db
        .write(move |c| {
            let n = diesel::update(
                api_tokens::table
                    .find(id)
                    .filter(api_tokens::revoked_at.is_null()),
            )
            .set(api_tokens::revoked_at.eq(now()))
            .execute(c)?;
            if n == 0 && load(c, Some(id))?.is_empty() {
                return Err(ApiError::NotFound("token"));
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
