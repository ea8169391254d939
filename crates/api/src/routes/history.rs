use actix_web::{get, web, HttpResponse};
use diesel::prelude::*;
use lazo_domain::wire::{Actor, HistoryEntry, HistoryPage, PageQuery};

use crate::auth::Caller;
use crate::db::schema::history;
use crate::db::utc;
use crate::error::ApiError;
use crate::extract::{id_page, next_id_cursor, QueryParams};
use crate::state::AppState;
use crate::tickets;
use lazo_storage::history::HistoryRow;

/// Every change of a ticket, oldest first: who, when, which field, old and
/// new value, and the comment written with it.
#[utoipa::path(operation_id = "listTicketHistory", tag = "tickets", params(("id" = i64, Path), PageQuery), responses((status = 200, body = HistoryPage)))]
#[get("/tickets/{id}/history")]
pub async fn list(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    q: QueryParams<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let id = id.into_inner();
    let (limit, after) = id_page(&q)?;
    let page = state
        .db
        .read(move |c| {
            let (_, access) = tickets::load_visible(c, &who, id)?;
            let mut q = history::table
                .filter(history::ticket_id.eq(id))
                .into_boxed();
            if access == lazo_domain::Access::Comment {
                // A sub-ticket owner reading the parent: entries naming other
                // sub-tickets would reveal the siblings they may not see.
                q = q.filter(history::field.ne("sub_ticket"));
            }
            let mut rows: Vec<HistoryRow> = q
                .filter(history::id.gt(after))
                .order(history::id)
                .limit(limit + 1)
                .select(HistoryRow::as_select())
                .load(c)?;
            let next_cursor = next_id_cursor(&mut rows, limit, |r| r.id);
            let items = rows
                .into_iter()
                .map(|r| HistoryEntry {
                    id: r.id,
                    at: utc(r.at),
                    actor: match (r.actor_user_id, r.actor_token_id) {
                        (Some(u), _) => Actor {
                            kind: "user".into(),
                            id: Some(u),
                            name: r.actor_name,
                        },
                        (None, Some(t)) => Actor {
                            kind: "token".into(),
                            id: Some(t),
                            name: r.actor_name,
                        },
                        (None, None) => Actor {
                            kind: "system".into(),
                            id: None,
                            name: r.actor_name,
                        },
                    },
                    field: r.field,
                    old_value: r.old_value,
                    new_value: r.new_value,
                    comment_id: r.comment_id,
                    old_id: r.old_id,
                    new_id: r.new_id,
                })
                .collect();
            Ok(HistoryPage { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
