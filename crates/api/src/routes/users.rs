use actix_web::{get, patch, post, web, HttpResponse};
use diesel::prelude::*;
use lazo_domain::limits::{EMAIL_MAX, NAME_MAX, PASSWORD_MAX, PASSWORD_MIN};
use lazo_domain::rules::{check_line, is_email};
use lazo_domain::wire::{CreateUser, FieldError, UpdateUser, User};
use lazo_domain::Role;

use crate::auth::{hash_password, Caller};
use crate::db::now;
use crate::db::schema::sessions;
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use lazo_service::directory::{load_user, load_users, LANGUAGES};
use lazo_storage::users::{self as user_rows, NewUser, UserChanges};

pub(crate) fn check_language(lang: &str, errors: &mut Vec<FieldError>) {
    if !LANGUAGES.contains(&lang) {
        errors.push(FieldError::new(
            "language",
            "invalid",
            "language must be one of en, es, fr",
        ));
    }
}

fn check_password(pw: &str, errors: &mut Vec<FieldError>) {
    let n = pw.chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&n) {
        errors.push(FieldError::new(
            "password",
            "invalid",
            format!("passwords have {PASSWORD_MIN} to {PASSWORD_MAX} characters"),
        ));
    }
}

fn check_email(email: &str, errors: &mut Vec<FieldError>) {
    if email.len() > EMAIL_MAX || !is_email(email) {
        errors.push(FieldError::new(
            "email",
            "invalid",
            "must be an email address",
        ));
    }
}

/// Everyone in the organisation, for owner pickers and administration.
#[utoipa::path(operation_id = "listUsers", tag = "people", responses((status = 200, body = Vec<User>)))]
#[get("/users")]
pub async fn list(state: web::Data<AppState>, who: Caller) -> Result<HttpResponse, ApiError> {
    who.require_directory_read()?;
    let users = state.db.read(|c| Ok(load_users(c)?)).await?;
    Ok(HttpResponse::Ok().json(users))
}

/// Create a user (organisation admins).
#[utoipa::path(operation_id = "createUser", tag = "people", request_body = CreateUser, responses((status = 201, body = User)))]
#[post("/users")]
pub async fn create(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let input = body.value;
    let email = input.email.trim().to_lowercase();
    let mut errors = Vec::new();
    check_email(&email, &mut errors);
    check_line("name", &input.name, NAME_MAX, &mut errors);
    let language = input.language.clone().unwrap_or_else(|| "en".into());
    check_language(&language, &mut errors);
    check_password(&input.password, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let hash = web::block(move || hash_password(&input.password))
        .await
        .map_err(ApiError::internal)??;
    let user = state
        .db
        .write(move |c| {
            let t = now();
            // A taken email fails the insert (409 email_taken).
            let id = user_rows::insert(
                c,
                &NewUser {
                    email: &email,
                    name: input.name.trim(),
                    language: &language,
                    role: input.role.as_str(),
                    active: input.active.unwrap_or(true),
                    password_hash: &hash,
                    created_at: t,
                    updated_at: t,
                },
            )?;
            Ok(load_user(c, id)?)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", user.id)))
        .json(user))
}

/// One user.
#[utoipa::path(operation_id = "getUser", tag = "people", params(("id" = i64, Path)), responses((status = 200, body = User)))]
#[get("/users/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_directory_read()?;
    let id = id.into_inner();
    let user = state.db.read(move |c| Ok(load_user(c, id)?)).await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Change a user (organisation admins). A new password or deactivation ends
/// the user's sessions.
#[utoipa::path(operation_id = "updateUser", tag = "people", params(("id" = i64, Path)), request_body = UpdateUser, responses((status = 200, body = User)))]
#[patch("/users/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    body: JsonBody<UpdateUser>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let id = id.into_inner();
    let input = body.value;
    let mut errors = Vec::new();
    let email = input.email.as_ref().map(|e| e.trim().to_lowercase());
    if let Some(e) = &email {
        check_email(e, &mut errors);
    }
    if let Some(n) = &input.name {
        check_line("name", n, NAME_MAX, &mut errors);
    }
    if let Some(l) = &input.language {
        check_language(l, &mut errors);
    }
    if let Some(p) = &input.password {
        check_password(p, &mut errors);
    }
    if who.user().is_some_and(|u| u.id == id)
        && (input.active == Some(false) || input.role.is_some_and(|r| r != Role::Admin))
    {
        errors.push(FieldError::new(
            "role",
            lazo_domain::ErrorCode::SelfLockout,
            "you cannot demote or deactivate yourself",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let hash = match input.password.clone() {
        Some(p) => Some(
            web::block(move || hash_password(&p))
                .await
                .map_err(ApiError::internal)??,
        ),
        None => None,
    };
    let user = state
        .db
        .write(move |c| {
            // One UPDATE; a taken email fails it (409 email_taken).
            let changes = UserChanges {
                email: email.as_deref(),
                name: input.name.as_deref().map(str::trim),
                language: input.language.as_deref(),
                role: input.role.map(|r| r.as_str()),
                active: input.active,
                password_hash: hash.as_deref(),
                updated_at: now(),
            };
            if !user_rows::update(c, id, &changes)? {
                return Err(ApiError::NotFound("user"));
            }
            if hash.is_some() || input.active == Some(false) {
                diesel::update(
                    sessions::table
                        .filter(sessions::user_id.eq(id))
                        .filter(sessions::revoked_at.is_null()),
                )
                .set(sessions::revoked_at.eq(now()))
                .execute(c)?;
            }
            Ok(load_user(c, id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(user))
}
