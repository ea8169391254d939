//! Ticketing configuration: statuses, ticket types (root causes, their rules,
//! custom fields) and organisation settings.

use actix_web::{get, patch, post, web, HttpResponse};
use diesel::prelude::*;
use lazo_domain::limits::{NAME_MAX, TEXT_MAX};
use lazo_domain::names::check_names;
use lazo_domain::rules::{
    check_field_defs, check_line, check_source_defs, check_text, clean_source_defs,
};
use lazo_domain::wire::{
    CreateStatus, CreateTicketType, FieldDef, FieldError, OrgSettings, RootCauseInput, Status,
    TicketType, UpdateOrgSettings, UpdateStatus, UpdateTicketType,
};
use lazo_domain::{ErrorCode, Names, RootCauseRule, StatusCategory};

use crate::auth::Caller;
use crate::db::schema::{root_cause_rules, root_causes, statuses, tickets};
use crate::db::{now, DbConn};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::state::AppState;
use lazo_service::directory::{
    change_settings, load_settings, load_status, load_statuses, load_type, load_types,
};
use lazo_storage::settings::SettingsChanges;
use lazo_storage::statuses::{self as status_rows, NewStatus, StatusChanges};
use lazo_storage::ticket_types::{
    self as type_rows, NewRootCause, NewTicketType, RootCauseChanges, RootCauseRuleRow,
    TicketTypeChanges,
};

// ---------------------------------------------------------------- statuses

/// Statuses in their configured order.
#[utoipa::path(operation_id = "listStatuses", tag = "configuration", responses((status = 200, body = Vec<Status>)))]
#[get("/statuses")]
pub async fn list_statuses(
    state: web::Data<AppState>,
    who: Caller,
) -> Result<HttpResponse, ApiError> {
    who.require_directory_read()?;
    Ok(HttpResponse::Ok().json(state.db.read(|c| Ok(load_statuses(c)?)).await?))
}

/// Create a status.
#[utoipa::path(operation_id = "createStatus", tag = "configuration", request_body = CreateStatus, responses((status = 201, body = Status)))]
#[post("/statuses")]
pub async fn create_status(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<CreateStatus>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let input = body.value;
    let mut errors = Vec::new();
    check_line("name", &input.name, NAME_MAX, &mut errors);
    check_names("names", &input.names, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let status = state
        .db
        .write(move |c| {
            let last: Option<i32> = statuses::table
                .select(diesel::dsl::max(statuses::position))
                .first(c)?;
            let position = input.position.unwrap_or(last.unwrap_or(0) + 1);
            // A taken name fails the insert (409 name_taken).
            let id = status_rows::insert(
                c,
                &NewStatus {
                    name: input.name.trim(),
                    category: input.category.as_str(),
                    position,
                    active: true,
                    names: &input.names.to_json(),
                },
            )?;
            load_status(c, id)?.ok_or(ApiError::NotFound("status"))
        })
        .await?;
    Ok(HttpResponse::Created().json(status))
}

/// Rename, reorder, recategorise or (de)activate a status. A new category
/// applies to the tickets already in the status.
#[utoipa::path(operation_id = "updateStatus", tag = "configuration", params(("id" = i64, Path)), request_body = UpdateStatus, responses((status = 200, body = Status)))]
#[patch("/statuses/{id}")]
pub async fn update_status(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    body: JsonBody<UpdateStatus>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let id = id.into_inner();
    let input = body.value;
    let mut errors = Vec::new();
    if let Some(n) = &input.name {
        check_line("name", n, NAME_MAX, &mut errors);
    }
    if let Some(n) = &input.names {
        check_names("names", n, &mut errors);
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let status = state
        .db
        .write(move |c| {
            let current = load_status(c, id)?.ok_or(ApiError::NotFound("status"))?;
            let category = input.category.filter(|cat| *cat != current.category);
            let names = input.names.as_ref().map(Names::to_json);
            // One UPDATE; a taken name fails it (409 name_taken).
            status_rows::update(
                c,
                id,
                &StatusChanges {
                    name: input.name.as_deref().map(str::trim),
                    category: category.map(|cat| cat.as_str()),
                    position: input.position,
                    active: input.active,
                    names: names.as_deref(),
                },
            )?;
            if let Some(cat) = category {
                diesel::update(tickets::table.filter(tickets::status_id.eq(id)))
                    .set(tickets::status_category.eq(cat.as_str()))
                    .execute(c)?;
            }
            // A ticket needs somewhere to start: keep one active `new` status.
            let new_left: i64 = statuses::table
                .filter(statuses::category.eq(StatusCategory::New.as_str()))
                .filter(statuses::active.eq(true))
                .count()
                .get_result(c)?;
            if new_left == 0 {
                return Err(ApiError::field(
                    "category",
                    ErrorCode::LastNewStatus.as_str(),
                    "keep at least one active status of category new",
                ));
            }
            load_status(c, id)?.ok_or(ApiError::NotFound("status"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(status))
}

// ---------------------------------------------------------------- ticket types

fn check_type_input(
    c: &mut DbConn,
    (name, names): (Option<&str>, Option<&Names>),
    description: Option<&str>,
    causes: Option<&[RootCauseInput]>,
    required: Option<&[i64]>,
    prohibited: Option<&[i64]>,
    fields: Option<&[FieldDef]>,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if let Some(n) = name {
        check_line("name", n, NAME_MAX, &mut errors);
    }
    if let Some(n) = names {
        check_names("names", n, &mut errors);
    }
    if let Some(d) = description {
        check_text("description", d, TEXT_MAX, &mut errors);
    }
    for (i, rc) in causes.unwrap_or_default().iter().enumerate() {
        check_line(
            &format!("root_causes[{i}].name"),
            &rc.name,
            NAME_MAX,
            &mut errors,
        );
        check_names(&format!("root_causes[{i}].names"), &rc.names, &mut errors);
        if causes.unwrap_or_default()[..i]
            .iter()
            .any(|o| o.name.trim() == rc.name.trim())
        {
            errors.push(FieldError::new(
                format!("root_causes[{i}].name"),
                "duplicate",
                "root cause names are unique within a type",
            ));
        }
    }
    let known: Vec<i64> = statuses::table.select(statuses::id).load(c)?;
    for (field, ids) in [
        ("root_cause_required_for", required),
        ("root_cause_prohibited_for", prohibited),
    ] {
        for id in ids.unwrap_or_default() {
            if !known.contains(id) {
                errors.push(FieldError::new(
                    field,
                    "unknown_reference",
                    format!("no status {id}"),
                ));
            }
        }
    }
    if let (Some(r), Some(p)) = (required, prohibited) {
        if r.iter().any(|s| p.contains(s)) {
            errors.push(FieldError::new(
                "root_cause_prohibited_for",
                "conflict",
                "a status cannot both require and prohibit a root cause",
            ));
        }
    }
    if let Some(f) = fields {
        errors.extend(check_field_defs(f));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

fn write_causes(c: &mut DbConn, type_id: i64, causes: &[RootCauseInput]) -> Result<(), ApiError> {
    let existing: Vec<i64> = root_causes::table
        .filter(root_causes::ticket_type_id.eq(type_id))
        .select(root_causes::id)
        .load(c)?;
    // Left-out causes are deactivated, never deleted: tickets keep them.
    diesel::update(root_causes::table.filter(root_causes::ticket_type_id.eq(type_id)))
        .set(root_causes::active.eq(false))
        .execute(c)?;
    for (i, rc) in causes.iter().enumerate() {
        let pos = i as i32;
        let names = rc.names.to_json();
        match rc.id {
            Some(id) if existing.contains(&id) => {
                type_rows::update_cause(
                    c,
                    id,
                    &RootCauseChanges {
                        name: Some(rc.name.trim()),
                        active: rc.active,
                        position: pos,
                        names: Some(&names),
                    },
                )?;
            }
            Some(id) => {
                return Err(ApiError::field(
                    &format!("root_causes[{i}].id"),
                    "unknown_reference",
                    format!("no root cause {id} in this type"),
                ));
            }
            None => {
                let same: Option<i64> = root_causes::table
                    .filter(root_causes::ticket_type_id.eq(type_id))
                    .filter(root_causes::name.eq(rc.name.trim()))
                    .select(root_causes::id)
                    .first(c)
                    .optional()?;
                match same {
                    Some(id) => {
                        type_rows::update_cause(
                            c,
                            id,
                            &RootCauseChanges {
                                name: None,
                                active: rc.active,
                                position: pos,
                                names: Some(&names),
                            },
                        )?;
                    }
                    None => {
                        type_rows::insert_cause(
                            c,
                            &NewRootCause {
                                ticket_type_id: type_id,
                                name: rc.name.trim(),
                                active: rc.active,
                                position: pos,
                                names: &names,
                            },
                        )?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn write_rules(
    c: &mut DbConn,
    type_id: i64,
    rule: RootCauseRule,
    statuses_: &[i64],
) -> Result<(), ApiError> {
    diesel::delete(
        root_cause_rules::table
            .filter(root_cause_rules::ticket_type_id.eq(type_id))
            .filter(root_cause_rules::rule.eq(rule.as_str())),
    )
    .execute(c)?;
    for s in statuses_ {
        diesel::delete(root_cause_rules::table.find((type_id, *s))).execute(c)?;
        diesel::insert_into(root_cause_rules::table)
            .values(RootCauseRuleRow {
                ticket_type_id: type_id,
                status_id: *s,
                rule: rule.as_str().to_owned(),
            })
            .execute(c)?;
    }
    Ok(())
}

/// All ticket types with their root causes and rules.
#[utoipa::path(operation_id = "listTicketTypes", tag = "configuration", responses((status = 200, body = Vec<TicketType>)))]
#[get("/ticket-types")]
pub async fn list_types(state: web::Data<AppState>, who: Caller) -> Result<HttpResponse, ApiError> {
    who.require_directory_read()?;
    let types = state.db.read(|c| Ok(load_types(c)?)).await?;
    Ok(HttpResponse::Ok().json(types))
}

/// Create a ticket type with its root causes, their rules and custom fields.
#[utoipa::path(operation_id = "createTicketType", tag = "configuration", request_body = CreateTicketType, responses((status = 201, body = TicketType)))]
#[post("/ticket-types")]
pub async fn create_type(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<CreateTicketType>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let input = body.value;
    let ty = state
        .db
        .write(move |c| {
            check_type_input(
                c,
                (Some(&input.name), Some(&input.names)),
                input.description.as_deref(),
                Some(&input.root_causes),
                Some(&input.root_cause_required_for),
                Some(&input.root_cause_prohibited_for),
                Some(&input.fields),
            )?;
            let t = now();
            let fields = serde_json::to_string(&input.fields).map_err(ApiError::internal)?;
            // A taken name fails the insert (409 name_taken).
            let id = type_rows::insert(
                c,
                &NewTicketType {
                    name: input.name.trim(),
                    description: input.description.as_deref().unwrap_or(""),
                    show_summary: input.show_summary.unwrap_or(true),
                    show_survey: input.show_survey.unwrap_or(false),
                    active: true,
                    fields: &fields,
                    names: &input.names.to_json(),
                    created_at: t,
                    updated_at: t,
                },
            )?;
            write_causes(c, id, &input.root_causes)?;
            write_rules(
                c,
                id,
                RootCauseRule::Required,
                &input.root_cause_required_for,
            )?;
            write_rules(
                c,
                id,
                RootCauseRule::Prohibited,
                &input.root_cause_prohibited_for,
            )?;
            load_type(c, id)?.ok_or(ApiError::NotFound("ticket type"))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/ticket-types/{}", ty.id)))
        .json(ty))
}

/// One ticket type.
#[utoipa::path(operation_id = "getTicketType", tag = "configuration", params(("id" = i64, Path)), responses((status = 200, body = TicketType)))]
#[get("/ticket-types/{id}")]
pub async fn get_type(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_directory_read()?;
    let id = id.into_inner();
    let ty = state
        .db
        .read(move |c| load_type(c, id)?.ok_or(ApiError::NotFound("ticket type")))
        .await?;
    Ok(HttpResponse::Ok().json(ty))
}

/// Change a ticket type. Lists given replace the current ones; root causes
/// left out are deactivated.
#[utoipa::path(operation_id = "updateTicketType", tag = "configuration", params(("id" = i64, Path)), request_body = UpdateTicketType, responses((status = 200, body = TicketType)))]
#[patch("/ticket-types/{id}")]
pub async fn update_type(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    body: JsonBody<UpdateTicketType>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let id = id.into_inner();
    let input = body.value;
    let ty = state
        .db
        .write(move |c| {
            let current = load_type(c, id)?.ok_or(ApiError::NotFound("ticket type"))?;
            let required = input
                .root_cause_required_for
                .clone()
                .unwrap_or(current.root_cause_required_for.clone());
            let prohibited = input
                .root_cause_prohibited_for
                .clone()
                .unwrap_or(current.root_cause_prohibited_for.clone());
            check_type_input(
                c,
                (input.name.as_deref(), input.names.as_ref()),
                input.description.as_deref(),
                input.root_causes.as_deref(),
                Some(&required),
                Some(&prohibited),
                input.fields.as_deref(),
            )?;
            let fields = input
                .fields
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(ApiError::internal)?;
            // One UPDATE; a taken name fails it (409 name_taken).
            type_rows::update(
                c,
                id,
                &TicketTypeChanges {
                    name: input.name.as_deref().map(str::trim),
                    description: input.description.as_deref(),
                    show_summary: input.show_summary,
                    show_survey: input.show_survey,
                    active: input.active,
                    fields: fields.as_deref(),
                    names: input.names.as_ref().map(Names::to_json).as_deref(),
                    updated_at: now(),
                },
            )?;
            if let Some(rc) = &input.root_causes {
                write_causes(c, id, rc)?;
            }
            if input.root_cause_required_for.is_some() || input.root_cause_prohibited_for.is_some()
            {
                write_rules(c, id, RootCauseRule::Required, &required)?;
                write_rules(c, id, RootCauseRule::Prohibited, &prohibited)?;
            }
            load_type(c, id)?.ok_or(ApiError::NotFound("ticket type"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(ty))
}

// ---------------------------------------------------------------- settings

/// The organisation settings.
#[utoipa::path(operation_id = "getSettings", tag = "configuration", responses((status = 200, body = OrgSettings)))]
#[get("/settings")]
pub async fn get_settings(
    state: web::Data<AppState>,
    who: Caller,
) -> Result<HttpResponse, ApiError> {
    who.require_directory_read()?;
    Ok(HttpResponse::Ok().json(state.db.read(|c| Ok(load_settings(c)?)).await?))
}

/// Change the organisation settings.
#[utoipa::path(operation_id = "updateSettings", tag = "configuration", request_body = UpdateOrgSettings, responses((status = 200, body = OrgSettings)))]
#[patch("/settings")]
pub async fn update_settings(
    state: web::Data<AppState>,
    who: Caller,
    body: JsonBody<UpdateOrgSettings>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticketing_admin()?;
    let input = body.value;
    let mut errors = Vec::new();
    if let Some(n) = &input.name {
        check_line("name", n, NAME_MAX, &mut errors);
    }
    let sources = input.sources.as_deref().map(clean_source_defs);
    if let Some(list) = &sources {
        check_source_defs(list, &mut errors);
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let sources = sources
        .map(|l| serde_json::to_string(&l))
        .transpose()
        .map_err(ApiError::internal)?;
    let s = state
        .db
        .write(move |c| {
            if let Some(Some(id)) = input.inbound_email_status_id {
                load_status(c, id)?.ok_or_else(|| {
                    ApiError::field(
                        "inbound_email_status_id",
                        "unknown_reference",
                        "no such status",
                    )
                })?;
            }
            let changes = SettingsChanges {
                name: input.name.as_deref().map(str::trim),
                agents_may_close: input.agents_may_close,
                comment_required_on_update: input.comment_required_on_update,
                inbound_email_status_id: input.inbound_email_status_id,
                sources: sources.as_deref(),
                updated_at: now(),
            };
            Ok(change_settings(c, &changes)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(s))
}
