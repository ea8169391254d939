//! HTTP handlers, one module per resource. Handlers parse, authorise and
//! delegate to [`crate::tickets`] or run small configuration queries
//! themselves; every database call goes through `Db::read`/`Db::write`, off
//! the actix workers.

pub mod alert_rules;
pub mod attachments;
pub mod auth;
pub mod comments;
pub mod config;
pub mod contacts;
pub mod email;
pub mod events;
pub mod forward;
pub mod groups;
pub mod health;
pub mod history;
pub mod import;
pub mod inbound;
pub mod intake;
pub mod jobs;
pub mod links;
pub mod notifications;
pub mod tickets;
pub mod tokens;
pub mod users;
pub mod webhooks;

use utoipa_actix_web::service_config::ServiceConfig;

/// Everything under `/api/v1`. Literal paths come before `{id}` paths
/// (`/tickets/counts` before `/tickets/{id}`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(auth::login)
        .service(auth::logout)
        .service(auth::refresh)
        .service(auth::me)
        .service(auth::update_me)
        .service(users::list)
        .service(users::create)
        .service(users::get)
        .service(users::update)
        .service(groups::list)
        .service(groups::create)
        .service(groups::get)
        .service(groups::update)
        .service(groups::remove)
        .service(config::list_statuses)
        .service(config::create_status)
        .service(config::update_status)
        .service(config::list_types)
        .service(config::create_type)
        .service(config::get_type)
        .service(config::update_type)
        .service(config::get_settings)
        .service(config::update_settings)
        .service(tokens::list)
        .service(tokens::create)
        .service(tokens::revoke)
        .service(tickets::list)
        .service(tickets::counts)
        .service(tickets::bulk)
        .service(tickets::create)
        .service(tickets::get)
        .service(tickets::update)
        .service(tickets::remove)
        .service(tickets::snooze)
        .service(tickets::unsnooze)
        .service(tickets::list_sub_tickets)
        .service(tickets::create_sub_ticket)
        .service(links::list)
        .service(links::create)
        .service(links::remove)
        .service(links::merge)
        .service(comments::list)
        .service(comments::create)
        .service(comments::update)
        .service(comments::remove)
        .service(attachments::list)
        .service(attachments::upload)
        .service(attachments::download)
        .service(attachments::remove)
        .service(history::list)
        .service(email::list_templates)
        .service(email::create_template)
        .service(email::get_template)
        .service(email::update_template)
        .service(email::delete_template)
        .service(email::list_emails)
        .service(email::send_email)
        .service(email::retry_email)
        .service(inbound::receive_email)
        .service(inbound::status)
        .service(inbound::list_messages)
        .service(inbound::get_message)
        .service(inbound::reprocess)
        .service(inbound::attachment)
        .service(jobs::list)
        .service(jobs::retry)
        .service(events::list)
        .service(webhooks::list)
        .service(webhooks::create)
        .service(webhooks::get)
        .service(webhooks::update)
        .service(webhooks::remove)
        .service(webhooks::rotate)
        .service(webhooks::deliveries)
        .service(webhooks::delivery)
        .service(webhooks::replay)
        .service(forward::forward)
        .service(notifications::list)
        .service(notifications::read)
        .service(notifications::get_prefs)
        .service(notifications::set_prefs)
        .service(contacts::list)
        .service(contacts::create)
        .service(contacts::get)
        .service(contacts::update)
        .service(contacts::remove)
        .service(contacts::merge)
        .service(contacts::timeline)
        .service(contacts::create_touchpoint)
        .service(intake::batch)
        .service(intake::create)
        .service(intake::of_ticket)
        .service(alert_rules::list)
        .service(alert_rules::create)
        .service(alert_rules::get)
        .service(alert_rules::replace)
        .service(alert_rules::remove)
        .service(alert_rules::test)
        .service(import::tickets);
}
