use actix_web::{delete, get, patch, post, web, HttpResponse};
use diesel::prelude::*;
use lazo_domain::limits::{NAME_MAX, TEXT_MAX};
use lazo_domain::names::check_names;
use lazo_domain::rules::{check_line, check_text};
use lazo_domain::wire::{CreateGroup, FieldError, Group, GroupMemberInput, UpdateGroup};
use lazo_domain::Names;

use crate::auth::Caller;
use crate::db::schema::{ticket_groups, tickets, users};
use crate::db::{now, DbConn};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use lazo_service::directory::{load_group, load_groups};
use lazo_storage::groups::{self as group_rows, GroupChanges, Membership, NewGroup};

fn check_members(c: &mut DbConn, members: &[GroupMemberInput]) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (i, m) in members.iter().enumerate() {
        if members[..i].iter().any(|o| o.user_id == m.user_id) {
            errors.push(FieldError::new(
                format!("members[{i}].user_id"),
                "duplicate",
                "a user is listed twice",
            ));
        }
        let exists: i64 = users::table.find(m.user_id).count().get_result(c)?;
        if exists == 0 {
            errors.push(FieldError::new(
                format!("members[{i}].user_id"),
                "unknown_reference",
                "no such user",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

fn replace_members(
    c: &mut DbConn,
    group_id: i64,
    members: &[GroupMemberInput],
) -> Result<(), ApiError> {
    let rows: Vec<Membership> = members
        .iter()
        .map(|m| Membership {
            group_id,
            user_id: m.user_id,
            manager: m.manager,
        })
        .collect();
    Ok(group_rows::replace_members(c, group_id, &rows)?)
}

/// All groups with their members.
#[utoipa::path(operation_id = "listGroups", tag = "people", responses((status = 200, body = Vec<Group>)))]
#[get("/groups")]
pub async fn list(state: web::Data<AppState>, who: Caller) -> Result<HttpResponse, ApiError> {
    who.require_directory_read()?;
    let groups = state.db.read(|c| Ok(load_groups(c)?)).await?;
    Ok(HttpResponse::Ok().json(groups))
}

/// Create a group (admins and ticket admins).
#[utoipa::path(operation_id = "createGroup", tag = "people", request_body = CreateGroup, responses((status = 201, body = Group)))]
#[post("/groups")]
pub async fn create(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<CreateGroup>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let input = body.value;
    let mut errors = Vec::new();
    check_line("name", &input.name, NAME_MAX, &mut errors);
    check_names("names", &input.names, &mut errors);
    check_text(
        "description",
        input.description.as_deref().unwrap_or(""),
        TEXT_MAX,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let group = state
        .db
        .write(move |c| {
            let t = now();
            // Insert first: a taken name fails it (409 name_taken), and is
            // answered before the members are checked, as it always was.
            let id = group_rows::insert(
                c,
                &NewGroup {
                    name: input.name.trim(),
                    description: input.description.as_deref().unwrap_or(""),
                    restrict_assignees: input.restrict_assignees.unwrap_or(false),
                    names: &input.names.to_json(),
                    created_at: t,
                    updated_at: t,
                },
            )?;
            check_members(c, &input.members)?;
            replace_members(c, id, &input.members)?;
            Ok(load_group(c, id)?)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/groups/{}", group.id)))
        .json(group))
}

/// One group with its members.
#[utoipa::path(operation_id = "getGroup", tag = "people", params(("id" = i64, Path)), responses((status = 200, body = Group)))]
#[get("/groups/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_directory_read()?;
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(state.db.read(move |c| Ok(load_group(c, id)?)).await?))
}

/// Change a group; `members` replaces the member list.
#[utoipa::path(operation_id = "updateGroup", tag = "people", params(("id" = i64, Path)), request_body = UpdateGroup, responses((status = 200, body = Group)))]
#[patch("/groups/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    body: JsonBody<UpdateGroup>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let id = id.into_inner();
    let input = body.value;
    let mut errors = Vec::new();
    if let Some(n) = &input.name {
        check_line("name", n, NAME_MAX, &mut errors);
    }
    if let Some(d) = &input.description {
        check_text("description", d, TEXT_MAX, &mut errors);
    }
    if let Some(n) = &input.names {
        check_names("names", n, &mut errors);
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let group = state
        .db
        .write(move |c| {
            // One UPDATE; a taken name fails it (409 name_taken).
            let names = input.names.as_ref().map(Names::to_json);
            let changes = GroupChanges {
                name: input.name.as_deref().map(str::trim),
                description: input.description.as_deref(),
                restrict_assignees: input.restrict_assignees,
                names: names.as_deref(),
                updated_at: now(),
            };
            if !group_rows::update(c, id, &changes)? {
                return Err(ApiError::NotFound("group"));
            }
            if let Some(m) = &input.members {
                check_members(c, m)?;
                replace_members(c, id, m)?;
            }
            Ok(load_group(c, id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(group))
}

/// Delete a group that holds no tickets.
#[utoipa::path(operation_id = "deleteGroup", tag = "people", params(("id" = i64, Path)), responses((status = 204, description = "Deleted")))]
#[delete("/groups/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let id = id.into_inner();
    state
        .db
        .write(move |c| {
            load_group(c, id)?;
            let used: i64 = tickets::table
                .filter(tickets::group_id.eq(id).or(tickets::origin_group_id.eq(id)))
                .count()
                .get_result(c)?;
            if used > 0 {
                return Err(ApiError::Conflict {
                    code: "group_in_use",
                    detail: format!(
                        "{used} tickets belong to or came from this group; move them first"
                    ),
                    errors: vec![],
                });
            }
            diesel::delete(ticket_groups::table.find(id)).execute(c)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
