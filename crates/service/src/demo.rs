//! First-start data: the defaults every organisation needs (statuses,
//! settings) and the optional demo organisation that `just run` loads so a
//! new user can log in at once.

use chrono::Duration;
use diesel::prelude::*;
use lazo_domain::wire::{CommentInput, ContactInput, CreateTicket, FieldDef, UpdateTicket};
use lazo_domain::{FieldKind, Names, Priority, Role, StatusCategory};
use serde_json::json;

use crate::auth::{hash_password, Principal, UserPrincipal};
use crate::directory::{default_settings, load_settings, save_settings};
use crate::error::ServiceError;
use crate::tickets::write;
use lazo_storage::groups::{self as group_rows, Membership, NewGroup};
use lazo_storage::schema::{history, root_cause_rules, statuses, tickets, users};
use lazo_storage::statuses::{self as status_rows, NewStatus};
use lazo_storage::ticket_types::{
    self as type_rows, NewRootCause, NewTicketType, RootCauseRuleRow,
};
use lazo_storage::users::{self as user_rows, NewUser};
use lazo_storage::{now, DbConn};

/// Default statuses (PRODUCT.md): New, Open, Escalated, Resolved, with
/// their Spanish and French names, so a new organisation reads in every
/// language Lazo speaks before anyone configures anything.
pub const DEFAULT_STATUSES: &[(&str, StatusCategory, [&str; 2])] = &[
    ("New", StatusCategory::New, ["Nuevo", "Nouveau"]),
    ("Open", StatusCategory::Open, ["Abierto", "Ouvert"]),
    ("Escalated", StatusCategory::Open, ["Escalado", "Escaladé"]),
    ("Resolved", StatusCategory::Closed, ["Resuelto", "Résolu"]),
];

/// Spanish and French names as stored.
pub fn names_es_fr([es, fr]: [&str; 2]) -> String {
    Names {
        en: None,
        es: Some(es.to_owned()),
        fr: Some(fr.to_owned()),
    }
    .to_json()
}

/// Password of every demo user; printed by `lazo serve --demo`.
pub const DEMO_PASSWORD: &str = "lazo-demo-1";

/// Demo people: email, name, language, role.
pub const DEMO_USERS: &[(&str, &str, &str, Role)] = &[
    ("admin@demo.lazo", "Alex Admin", "en", Role::Admin),
    ("lucia@demo.lazo", "Lucía Torres", "es", Role::TicketAdmin),
    ("ana@demo.lazo", "Ana García", "es", Role::Agent),
    ("marc@demo.lazo", "Marc Dubois", "fr", Role::Agent),
    ("sofia@demo.lazo", "Sofía Romero", "es", Role::Agent),
];

/// Creates the default statuses and settings in an empty database.
pub fn bootstrap(c: &mut DbConn) -> Result<(), ServiceError> {
    let n: i64 = statuses::table.count().get_result(c)?;
    if n == 0 {
        for (i, (name, cat, names)) in DEFAULT_STATUSES.iter().enumerate() {
            status_rows::insert(
                c,
                &NewStatus {
                    name,
                    category: cat.as_str(),
                    position: i as i32 + 1,
                    active: true,
                    names: &names_es_fr(*names),
                },
            )?;
        }
    }
    let s = load_settings(c)?;
    if s == default_settings() {
        save_settings(c, &s)?;
    }
    Ok(())
}

pub fn user_count(c: &mut DbConn) -> Result<i64, ServiceError> {
    Ok(users::table.count().get_result(c)?)
}

pub fn create_user(
    c: &mut DbConn,
    email: &str,
    name: &str,
    language: &str,
    role: Role,
    password: &str,
) -> Result<i64, ServiceError> {
    let t = now();
    Ok(user_rows::insert(
        c,
        &NewUser {
            email: &email.trim().to_lowercase(),
            name,
            language,
            role: role.as_str(),
            active: true,
            password_hash: &hash_password(password)?,
            created_at: t,
            updated_at: t,
        },
    )?)
}

fn status_id(c: &mut DbConn, name: &str) -> Result<i64, ServiceError> {
    Ok(statuses::table
        .filter(statuses::name.eq(name))
        .select(statuses::id)
        .first(c)?)
}

/// A tiny deterministic generator, so every demo database is the same.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.next(xs.len() as u64) as usize]
    }
}

const SUBJECTS: &[&str] = &[
    "Delivery arrived three days late",
    "Charged twice for the same order",
    "Product broke after one week",
    "Rude staff at the Madrid store",
    "App crashes when paying",
    "Refund not received yet",
    "Wrong size delivered",
    "Cannot log in to my account",
    "Missing item in the package",
    "Long wait on the phone line",
    "Entrega con retraso de una semana",
    "Factura con importe incorrecto",
    "Colis endommagé à la livraison",
    "Service client injoignable",
];

const COMMENTS: &[&str] = &[
    "The courier lost the first parcel; we never got a tracking update.",
    "I was billed twice and nobody answers my emails.",
    "Quality is not what the website promised.",
    "The staff member was dismissive when I asked for help.",
    "Second time this happens this month.",
    "Muy decepcionado con el servicio.",
    "Je ne recommanderai pas votre magasin.",
];

/// Loads the demo organisation into an empty database: people, groups, a
/// ticket type with root-cause rules and custom fields, and `tickets` tickets
/// with comments, status changes and sub-tickets, spread over 60 days.
pub fn load_demo(c: &mut DbConn, tickets_n: usize) -> Result<(), ServiceError> {
    bootstrap(c)?;
    let mut ids = Vec::new();
    for (email, name, lang, role) in DEMO_USERS {
        ids.push(create_user(c, email, name, lang, *role, DEMO_PASSWORD)?);
    }
    let (admin, lucia, ana, marc, sofia) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
    let t = now();
    let mut group = |name: &str,
                     desc: &str,
                     restrict: bool,
                     members: &[(i64, bool)]|
     -> Result<i64, ServiceError> {
        let id = group_rows::insert(
            c,
            &NewGroup {
                name,
                description: desc,
                restrict_assignees: restrict,
                names: "{}",
                created_at: t,
                updated_at: t,
            },
        )?;
        let members: Vec<Membership> = members
            .iter()
            .map(|&(user_id, manager)| Membership {
                group_id: id,
                user_id,
                manager,
            })
            .collect();
        group_rows::replace_members(c, id, &members)?;
        Ok(id)
    };
    let support = group(
        "Support",
        "Front-line follow-up of detractors",
        false,
        &[(ana, false), (marc, false), (lucia, true)],
    )?;
    let billing = group(
        "Billing",
        "Charges, refunds and invoices",
        true,
        &[(sofia, false)],
    )?;

    let fields = vec![
        FieldDef {
            key: "order_id".into(),
            label: "Order".into(),
            kind: FieldKind::Text,
            required: false,
            options: vec![],
            names: Default::default(),
            option_names: Default::default(),
        },
        FieldDef {
            key: "channel".into(),
            label: "Channel".into(),
            kind: FieldKind::Choice,
            required: false,
            options: vec!["web".into(), "store".into(), "phone".into()],
            names: Default::default(),
            option_names: Default::default(),
        },
        FieldDef {
            key: "refund_amount".into(),
            label: "Refund amount".into(),
            kind: FieldKind::Number,
            required: false,
            options: vec![],
            names: Default::default(),
            option_names: Default::default(),
        },
    ];
    let detractor = type_rows::insert(
        c,
        &NewTicketType {
            name: "Detractor follow-up",
            description: "Call back NPS detractors (0-6) and close the loop",
            show_summary: true,
            show_survey: true,
            active: true,
            fields: &serde_json::to_string(&fields).map_err(ServiceError::internal)?,
            names: "{}",
            created_at: t,
            updated_at: t,
        },
    )?;
    let mut causes = Vec::new();
    for (i, name) in [
        "Delivery delay",
        "Product quality",
        "Billing error",
        "Staff attitude",
        "Other",
    ]
    .iter()
    .enumerate()
    {
        let id = type_rows::insert_cause(
            c,
            &NewRootCause {
                ticket_type_id: detractor,
                name,
                active: true,
                position: i as i32,
                names: "{}",
            },
        )?;
        causes.push(id);
    }
    let (new, open, escalated, resolved) = (
        status_id(c, "New")?,
        status_id(c, "Open")?,
        status_id(c, "Escalated")?,
        status_id(c, "Resolved")?,
    );
    for (s, rule) in [(resolved, "required"), (new, "prohibited")] {
        diesel::insert_into(root_cause_rules::table)
            .values(RootCauseRuleRow {
                ticket_type_id: detractor,
                status_id: s,
                rule: rule.to_owned(),
            })
            .execute(c)?;
    }
    type_rows::insert(
        c,
        &NewTicketType {
            name: "General inquiry",
            description: "Questions that need an answer, not a fix",
            show_summary: false,
            show_survey: false,
            active: true,
            fields: "[]",
            names: "{}",
            created_at: t,
            updated_at: t,
        },
    )?;

    let who = Principal::User(UserPrincipal {
        id: admin,
        name: "Alex Admin".into(),
        email: "admin@demo.lazo".into(),
        role: Role::Admin,
        group_ids: vec![],
        session_id: String::new(),
    });
    let mut rng = Lcg(42);
    let first_names = [
        "maria", "juan", "claire", "pierre", "lucas", "emma", "diego", "chloe", "pablo", "julie",
    ];
    let start = now() - Duration::days(60);
    for i in 0..tickets_n {
        let in_billing = rng.next(4) == 0;
        let (group_id, owners): (i64, &[Option<i64>]) = if in_billing {
            (billing, &[Some(sofia), None])
        } else {
            (support, &[Some(ana), Some(marc), Some(ana), None])
        };
        let score = rng.next(7) as i32;
        let subject = rng.pick(SUBJECTS).to_string();
        let person = rng.pick(&first_names).to_string();
        let input = CreateTicket {
            subject,
            description: Some(format!("Survey response {} from {person}. NPS {score}.", 5000 + i)),
            type_id: Some(detractor),
            priority: Some(*rng.pick(Priority::ALL)),
            group_id: Some(group_id),
            owner_id: *rng.pick(owners),
            requester: Some(ContactInput {
                email: Some(format!("{person}.{}@example.com", rng.next(500))),
                name: Some(person.clone()),
                ..Default::default()
            }),
            tags: if rng.next(3) == 0 { vec!["vip".into()] } else { vec![] },
            source: Some(rng.pick(&["survey", "email", "phone"]).to_string()),
            summary_score: Some(score),
            summary_comment: Some(rng.pick(COMMENTS).to_string()),
            custom_fields: json!({"order_id": format!("ORD-{}", 10000 + i), "channel": rng.pick(&["web", "store", "phone"])})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            due_at: Some((start + Duration::days(3 + (i as i64 * 60 / tickets_n.max(1) as i64))).and_utc()),
            ..Default::default()
        };
        let id = write::create(c, &who, input, None)?;
        // Work on most tickets: open, some escalated, some resolved with a
        // cause, with a reply or an internal note.
        let fate = rng.next(10);
        let step = |status: i64, cause: Option<i64>, comment: Option<CommentInput>| UpdateTicket {
            status_id: Some(status),
            root_cause_id: cause.map(Some),
            comment,
            ..Default::default()
        };
        if fate >= 2 {
            let note = CommentInput {
                body: "Called the customer, waiting for the order details.".into(),
                internal: true,
            };
            write::update(c, &who, id, None, step(open, None, Some(note)))?;
        }
        if fate == 4 || fate == 5 {
            write::update(c, &who, id, None, step(escalated, None, None))?;
        }
        if fate >= 7 {
            let reply = CommentInput {
                body: "We refunded the shipping cost. Sorry for the trouble!".into(),
                internal: false,
            };
            write::update(
                c,
                &who,
                id,
                None,
                step(resolved, Some(*rng.pick(&causes)), Some(reply)),
            )?;
        }
        if i % 40 == 7 {
            let sub = CreateTicket {
                subject: "Check the refund with Billing".into(),
                priority: Some(Priority::High),
                group_id: Some(billing),
                owner_id: Some(sofia),
                comment: Some(CommentInput {
                    body: "Please confirm the refund was issued.".into(),
                    internal: true,
                }),
                ..Default::default()
            };
            write::create(c, &who, sub, Some(id))?;
        }
        // Spread creation over the last 60 days, oldest first.
        let created =
            start + Duration::minutes((i as i64) * 60 * 24 * 60 / tickets_n.max(1) as i64);
        let updated = created + Duration::hours(rng.next(72) as i64);
        let updated = updated.min(now());
        diesel::update(tickets::table.filter(tickets::id.eq(id).or(tickets::parent_id.eq(id))))
            .set((
                tickets::created_at.eq(created),
                tickets::updated_at.eq(updated),
            ))
            .execute(c)?;
        diesel::update(history::table.filter(history::ticket_id.eq(id)))
            .set(history::at.eq(updated))
            .execute(c)?;
        diesel::update(
            history::table
                .filter(history::ticket_id.eq(id))
                .filter(history::field.eq("created")),
        )
        .set(history::at.eq(created))
        .execute(c)?;
    }
    let _ = (open, StatusCategory::Open);
    settle_demo_events(c)?;
    Ok(())
}

/// The demo's tickets arrive with a past: their events are in the change
/// feed, but as already dispatched, so loading the demo emails and notifies
/// nobody (and no webhook exists yet to deliver to). Positions continue the
/// feed's counter, in id order.
fn settle_demo_events(c: &mut DbConn) -> Result<(), ServiceError> {
    use lazo_storage::schema::{counters, events};
    let base: i64 = counters::table
        .find("event_position")
        .select(counters::value)
        .first(c)?;
    let ids: Vec<i64> = events::table
        .filter(events::dispatched_at.is_null())
        .order(events::id)
        .select(events::id)
        .load(c)?;
    let t = now();
    for (i, id) in ids.iter().enumerate() {
        diesel::update(events::table.find(*id))
            .set((
                events::dispatched_at.eq(t),
                events::position.eq(base + 1 + i as i64),
            ))
            .execute(c)?;
    }
    diesel::update(counters::table.find("event_position"))
        .set(counters::value.eq(base + ids.len() as i64))
        .execute(c)?;
    Ok(())
}
