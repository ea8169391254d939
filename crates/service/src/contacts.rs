//! Contacts: the customers behind tickets, responses and emails. Found (or
//! created) by external reference, then email; seen by an agent when the
//! agent sees one of the contact's tickets; merged by an admin.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use lazo_domain::event::{Event, FieldChange};
use lazo_domain::feedback::{
    check_contact_fields, check_keys, contact_lines, CreateContact, UpdateContact,
};
use lazo_domain::wire::{Contact, ContactInput, FieldValues, TicketFilter};
use lazo_domain::{ErrorCode, HistoryField, TouchpointKind};
use serde_json::Value;

use crate::auth::Principal;
use crate::error::ServiceError;
use crate::tickets::list::{filtered, visibility};
use crate::tickets::write::{emit, record_changes, Actor};
use crate::touchpoints::{self, NewTouchpoint};
use lazo_storage::schema::{contacts, survey_responses, tickets, touchpoints as tp};
use lazo_storage::{now, utc, Backend, DbBackend, DbConn};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>);

/// The visibility filter of the follow-up list (`list::filtered`) as one
/// expression over `tickets`, for correlated subqueries (a boxed query cannot
/// be one on the multi-backend connection).
#[macro_export]
macro_rules! visible_ticket {
    ($v:expr) => {
        tickets::owner_id
            .eq($v.user_id)
            .or(tickets::group_id.eq_any($v.group_ids.clone()))
            .or(tickets::parent_owner_id.eq($v.user_id))
            .or(tickets::parent_group_id.eq_any($v.group_ids.clone()))
            .or(tickets::id.eq_any($v.parents_of_mine.clone()))
    };
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contacts)]
pub struct ContactRow {
    pub id: i64,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub language: Option<String>,
    pub subscribed: bool,
    pub external_ref: Option<String>,
    pub attributes: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ContactRow {
    pub fn wire(self) -> Contact {
        Contact {
            id: self.id,
            email: self.email,
            name: self.name,
            phone: self.phone,
            language: self.language,
            external_ref: self.external_ref,
            subscribed: self.subscribed,
            attributes: serde_json::from_str(&self.attributes).unwrap_or_default(),
            created_at: Some(utc(self.created_at)),
            updated_at: Some(utc(self.updated_at)),
        }
    }

    /// How history names the contact.
    fn label(&self) -> String {
        self.email
            .clone()
            .or_else(|| self.name.clone())
            .or_else(|| self.external_ref.clone())
            .unwrap_or_else(|| format!("contact {}", self.id))
    }
}

pub fn find(c: &mut DbConn, id: i64) -> Result<Option<ContactRow>, ServiceError> {
    Ok(contacts::table
        .find(id)
        .select(ContactRow::as_select())
        .first(c)
        .optional()?)
}

fn backend_of(c: &DbConn) -> Backend {
    match c {
        DbConn::Sqlite(_) => Backend::Sqlite,
        DbConn::Pg(_) => Backend::Postgres,
    }
}

/// The contact if `who` may see it: everyone who sees every ticket does; an
/// agent sees the contacts of the tickets they see. Otherwise 404.
pub fn load_visible(c: &mut DbConn, who: &Principal, id: i64) -> Result<ContactRow, ServiceError> {
    let row = find(c, id)?.ok_or(ServiceError::NotFound("contact"))?;
    if let Some(v) = visibility(c, who)? {
        let n: i64 = filtered(
            backend_of(c),
            Some(&v),
            who.user().map(|u| u.id),
            &TicketFilter::default(),
            now(),
        )
        .filter(tickets::contact_id.eq(id))
        .count()
        .get_result(c)?;
        if n == 0 {
            return Err(ServiceError::NotFound("contact"));
        }
    }
    Ok(row)
}

/// A page of contacts `who` may see, by id, optionally searched.
pub fn list(
    c: &mut DbConn,
    who: &Principal,
    q: Option<&str>,
    after: i64,
    limit: i64,
) -> Result<Vec<Contact>, ServiceError> {
    let mut query: contacts::BoxedQuery<'static, DbBackend> =
        contacts::table.filter(contacts::id.gt(after)).into_boxed();
    if let Some(v) = visibility(c, who)? {
        let seen = tickets::table
            .filter(tickets::contact_id.eq(contacts::id.nullable()))
            .filter(visible_ticket!(v));
        query = query.filter(diesel::dsl::exists(seen));
    }
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        let lq = q.to_lowercase();
        if lq.contains('@') {
            // A prefix range, so the unique email index serves it.
            query = query
                .filter(contacts::email.ge(lq.clone()))
                .filter(contacts::email.lt(format!("{lq}\u{10FFFF}")));
        } else {
            let pattern = format!(
                "%{}%",
                lq.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            query = query.filter(
                lower(contacts::name)
                    .like(pattern)
                    .escape('\\')
                    .or(contacts::external_ref.eq(q.to_owned()))
                    .or(contacts::phone.eq(q.to_owned())),
            );
        }
    }
    let rows: Vec<ContactRow> = query
        .order(contacts::id.asc())
        .limit(limit + 1)
        .select(ContactRow::as_select())
        .load(c)?;
    Ok(rows.into_iter().map(ContactRow::wire).collect())
}

fn merged_attributes(current: &str, patch: &FieldValues) -> String {
    let mut m: FieldValues = serde_json::from_str(current).unwrap_or_default();
    for (k, v) in patch {
        if v.is_null() {
            m.remove(k);
        } else {
            m.insert(k.clone(), v.clone());
        }
    }
    Value::Object(m).to_string()
}

fn email_taken(c: &mut DbConn, email: &str, other_than: i64) -> Result<bool, ServiceError> {
    let n: i64 = contacts::table
        .filter(contacts::email.eq(email))
        .filter(contacts::id.ne(other_than))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}

fn ref_taken(c: &mut DbConn, x: &str, other_than: i64) -> Result<bool, ServiceError> {
    let n: i64 = contacts::table
        .filter(contacts::external_ref.eq(x))
        .filter(contacts::id.ne(other_than))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}

/// Finds the contact by external reference, then by email, creating it when
/// unknown and filling in details it did not have (an email or reference
/// that belongs to another contact stays with that one). Returns its id
/// and email.
pub fn upsert(c: &mut DbConn, r: &ContactInput) -> Result<(i64, Option<String>), ServiceError> {
    upsert_once(c, r, true)
}

fn upsert_once(
    c: &mut DbConn,
    r: &ContactInput,
    retry: bool,
) -> Result<(i64, Option<String>), ServiceError> {
    let email = r.email.as_ref().map(|e| e.trim().to_lowercase());
    let xref = r.external_ref.as_ref().map(|x| x.trim().to_owned());
    let mut found: Option<ContactRow> = None;
    if let Some(x) = &xref {
        found = contacts::table
            .filter(contacts::external_ref.eq(x))
            .select(ContactRow::as_select())
            .first(c)
            .optional()?;
    }
    if found.is_none() {
        if let Some(e) = &email {
            found = contacts::table
                .filter(contacts::email.eq(e))
                .select(ContactRow::as_select())
                .first(c)
                .optional()?;
        }
    }
    let t = now();
    let Some(row) = found else {
        let attributes =
            merged_attributes("{}", r.attributes.as_ref().unwrap_or(&FieldValues::new()));
        // In a savepoint: on PostgreSQL a concurrent request may create the
        // same new customer first; its unique email or reference then fails
        // this insert once it commits, and the second lookup finds its row.
        let insert = |c: &mut DbConn| {
            diesel::insert_into(contacts::table)
                .values((
                    contacts::email.eq(&email),
                    contacts::name.eq(&r.name),
                    contacts::phone.eq(&r.phone),
                    contacts::language.eq(&r.language),
                    contacts::external_ref.eq(&xref),
                    contacts::subscribed.eq(r.subscribed.unwrap_or(true)),
                    contacts::attributes.eq(attributes),
                    contacts::created_at.eq(t),
                    contacts::updated_at.eq(t),
                ))
                .returning(contacts::id)
                .get_result::<i64>(c)
                .map_err(ServiceError::from)
        };
        // SQLite has one writer and this transaction is it: nobody can
        // insert the same customer meanwhile, so the savepoint (two more
        // statements on the hot path of intake and import) is not needed.
        let inserted = if matches!(c, DbConn::Sqlite(_)) {
            insert(c)
        } else {
            c.transaction(insert)
        };
        return match inserted {
            Ok(id) => Ok((id, email)),
            Err(ServiceError::Conflict { .. }) if retry => upsert_once(c, r, false),
            Err(e) => Err(e),
        };
    };
    let id = row.id;
    let new_email = match (&row.email, &email) {
        (None, Some(e)) if !email_taken(c, e, id)? => Some(e.clone()),
        _ => row.email.clone(),
    };
    let new_ref = match (&row.external_ref, &xref) {
        (None, Some(x)) if !ref_taken(c, x, id)? => Some(x.clone()),
        _ => row.external_ref.clone(),
    };
    let attributes = match &r.attributes {
        Some(a) => merged_attributes(&row.attributes, a),
        None => row.attributes.clone(),
    };
    let name = row.name.clone().or(r.name.clone());
    let phone = row.phone.clone().or(r.phone.clone());
    let language = row.language.clone().or(r.language.clone());
    let subscribed = r.subscribed.unwrap_or(row.subscribed);
    let unchanged = (&name, &phone, &language, &new_ref, &new_email, subscribed)
        == (
            &row.name,
            &row.phone,
            &row.language,
            &row.external_ref,
            &row.email,
            row.subscribed,
        )
        && attributes == row.attributes;
    // A known customer writing again is the common case (and the hot path
    // of intake and import): no write when nothing is new.
    if !unchanged {
        diesel::update(contacts::table.find(id))
            .set((
                contacts::name.eq(name),
                contacts::phone.eq(phone),
                contacts::language.eq(language),
                contacts::external_ref.eq(&new_ref),
                contacts::email.eq(&new_email),
                contacts::subscribed.eq(subscribed),
                contacts::attributes.eq(attributes),
                contacts::updated_at.eq(t),
            ))
            .execute(c)?;
    }
    Ok((id, new_email))
}

/// A new contact (agents and admins; tokens with tickets:write).
pub fn create(c: &mut DbConn, input: &CreateContact) -> Result<Contact, ServiceError> {
    let mut errors = Vec::new();
    check_contact_fields(
        "",
        input.email.as_deref(),
        contact_lines(
            input.name.as_deref(),
            input.phone.as_deref(),
            input.language.as_deref(),
            input.external_ref.as_deref(),
        ),
        Some(&input.attributes),
        &mut errors,
    );
    if input.email.is_none() && input.external_ref.is_none() && input.name.is_none() {
        errors.push(lazo_domain::wire::FieldError::new(
            "email",
            ErrorCode::Required,
            "a contact needs an email, an external_ref or a name",
        ));
    }
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    let t = now();
    let id: i64 = diesel::insert_into(contacts::table)
        .values((
            contacts::email.eq(input.email.as_ref().map(|e| e.trim().to_lowercase())),
            contacts::name.eq(&input.name),
            contacts::phone.eq(&input.phone),
            contacts::language.eq(&input.language),
            contacts::external_ref.eq(input.external_ref.as_ref().map(|x| x.trim().to_owned())),
            contacts::subscribed.eq(input.subscribed.unwrap_or(true)),
            contacts::attributes.eq(merged_attributes("{}", &input.attributes)),
            contacts::created_at.eq(t),
            contacts::updated_at.eq(t),
        ))
        .returning(contacts::id)
        .get_result(c)?;
    Ok(find(c, id)?
        .ok_or_else(|| ServiceError::internal("contact vanished"))?
        .wire())
}

/// Changes a contact the caller may see. A new email is copied onto its
/// tickets' requester email (the list's email column and search).
pub fn update(
    c: &mut DbConn,
    who: &Principal,
    id: i64,
    input: &UpdateContact,
) -> Result<Contact, ServiceError> {
    let row = load_visible(c, who, id)?;
    let mut errors = Vec::new();
    check_contact_fields(
        "",
        input.email.clone().flatten().as_deref(),
        contact_lines(
            input.name.clone().flatten().as_deref(),
            input.phone.clone().flatten().as_deref(),
            input.language.clone().flatten().as_deref(),
            input.external_ref.clone().flatten().as_deref(),
        ),
        input.attributes.as_ref(),
        &mut errors,
    );
    if let Some(a) = &input.attributes {
        check_keys("attributes", a, &mut errors);
    }
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    let pick = |new: &Option<Option<String>>, old: &Option<String>| match new {
        Some(v) => v.clone(),
        None => old.clone(),
    };
    let email = match &input.email {
        Some(e) => e.as_ref().map(|e| e.trim().to_lowercase()),
        None => row.email.clone(),
    };
    let attributes = match &input.attributes {
        Some(a) => merged_attributes(&row.attributes, a),
        None => row.attributes.clone(),
    };
    diesel::update(contacts::table.find(id))
        .set((
            contacts::email.eq(&email),
            contacts::name.eq(pick(&input.name, &row.name)),
            contacts::phone.eq(pick(&input.phone, &row.phone)),
            contacts::language.eq(pick(&input.language, &row.language)),
            contacts::external_ref.eq(pick(&input.external_ref, &row.external_ref)),
            contacts::subscribed.eq(input.subscribed.unwrap_or(row.subscribed)),
            contacts::attributes.eq(attributes),
            contacts::updated_at.eq(now()),
        ))
        .execute(c)?;
    if email != row.email {
        diesel::update(tickets::table.filter(tickets::contact_id.eq(id)))
            .set(tickets::requester_email.eq(&email))
            .execute(c)?;
    }
    Ok(find(c, id)?
        .ok_or_else(|| ServiceError::internal("contact vanished"))?
        .wire())
}

/// Deletes a contact (admins and ticket admins): its tickets and responses
/// stay, without a requester; its touchpoints go with it.
pub fn delete(c: &mut DbConn, who: &Principal, id: i64) -> Result<(), ServiceError> {
    who.require_ticketing_admin()?;
    let n = diesel::delete(contacts::table.find(id)).execute(c)?;
    if n == 0 {
        return Err(ServiceError::NotFound("contact"));
    }
    Ok(())
}

/// Merges contact `from` into `into` (admins): tickets, touchpoints and
/// survey responses move to `into`, which takes the details it lacks; each
/// moved ticket records the requester change (history and event), the
/// survivor's timeline records the merge, and `from` is deleted.
pub fn merge(
    c: &mut DbConn,
    who: &Principal,
    into: i64,
    from: i64,
) -> Result<Contact, ServiceError> {
    who.require_admin()?;
    let survivor = find(c, into)?.ok_or(ServiceError::NotFound("contact"))?;
    if from == into {
        return Err(ServiceError::field(
            "from",
            ErrorCode::Invalid.as_str(),
            "a contact cannot be merged into itself",
        ));
    }
    let Some(gone) = find(c, from)? else {
        return Err(ServiceError::field(
            "from",
            ErrorCode::UnknownReference.as_str(),
            "no such contact",
        ));
    };
    let t = now();
    let moved: Vec<i64> = tickets::table
        .filter(tickets::contact_id.eq(from))
        .select(tickets::id)
        .load(c)?;
    diesel::update(tp::table.filter(tp::contact_id.eq(from)))
        .set(tp::contact_id.eq(into))
        .execute(c)?;
    diesel::update(survey_responses::table.filter(survey_responses::contact_id.eq(from)))
        .set(survey_responses::contact_id.eq(into))
        .execute(c)?;
    diesel::update(tickets::table.filter(tickets::contact_id.eq(from)))
        .set(tickets::contact_id.eq(into))
        .execute(c)?;
    // The unique email and reference must leave `from` before `into` takes
    // them.
    diesel::delete(contacts::table.find(from)).execute(c)?;
    let mut attributes: FieldValues = serde_json::from_str(&gone.attributes).unwrap_or_default();
    let own: FieldValues = serde_json::from_str(&survivor.attributes).unwrap_or_default();
    attributes.extend(own);
    diesel::update(contacts::table.find(into))
        .set((
            contacts::email.eq(survivor.email.clone().or(gone.email.clone())),
            contacts::name.eq(survivor.name.clone().or(gone.name.clone())),
            contacts::phone.eq(survivor.phone.clone().or(gone.phone.clone())),
            contacts::language.eq(survivor.language.clone().or(gone.language.clone())),
            contacts::external_ref.eq(survivor.external_ref.clone().or(gone.external_ref.clone())),
            contacts::attributes.eq(Value::Object(attributes).to_string()),
            contacts::updated_at.eq(t),
        ))
        .execute(c)?;
    let merged = find(c, into)?.ok_or_else(|| ServiceError::internal("contact vanished"))?;
    let actor = Actor::of(who);
    let change = FieldChange::reference(
        HistoryField::Requester.as_str(),
        (Some(from), Some(gone.label())),
        (Some(into), Some(merged.label())),
    );
    for id in &moved {
        diesel::update(tickets::table.find(id))
            .set((
                tickets::requester_email.eq(&merged.email),
                tickets::updated_at.eq(t),
                tickets::version.eq(tickets::version + 1),
            ))
            .execute(c)?;
        record_changes(c, *id, &actor, t, std::slice::from_ref(&change), None)?;
        emit(
            c,
            Some(*id),
            &actor,
            t,
            &Event::TicketUpdated {
                changes: vec![change.clone()],
                comment_id: None,
            },
        )?;
    }
    touchpoints::record(
        c,
        NewTouchpoint {
            contact_id: into,
            kind: TouchpointKind::Custom,
            channel: Some("lazo".into()),
            title: format!("Merged with {} by {}", gone.label(), actor.name),
            payload: serde_json::json!({
                "merged_contact": gone.clone().wire(),
                "tickets": moved,
            }),
            ticket_id: None,
            survey_response_id: None,
            occurred_at: t,
        },
    )?;
    Ok(merged.wire())
}
