use actix_web::{get, web, HttpResponse};
use diesel::prelude::*;
use lazo_domain::wire::{Actor, HistoryEntry, HistoryPage, PageQuery};

use crate::auth::Principal;
use crate::db::schema::history;
use crate::db::utc;
use crate::error::ApiError;
use crate::extract::{id_page, next_id_cursor, QueryParams};
use crate::state::AppState;
use crate::tickets;

type Row = (
    i64,
    chrono::NaiveDateTime,
    Option<i64>,
    Option<i64>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// Every change of a ticket, oldest first: who, when, which field, old and
/// new value, and the comment written with it.
#[utoipa::path(tag = "tickets", params(("id" = i64, Path), PageQuery), responses((status = 200, body = HistoryPage)))]
#[get("/tickets/{id}/history")]
pub async fn list(
    state: web::Data<AppState>,
    who: Principal,
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
            let mut rows: Vec<Row> = q
                .filter(history::id.gt(after))
                .order(history::id)
                .limit(limit + 1)
                .select((
                    history::id,
                    history::at,
                    history::actor_user_id,
                    history::actor_token_id,
                    history::actor_name,
                    history::field,
                    history::old_value,
                    history::new_value,
                    history::comment_id,
                ))
                .load(c)?;
            let next_cursor = next_id_cursor(&mut rows, limit, |r| r.0);
            let items = rows
                .into_iter()
                .map(|r| HistoryEntry {
                    id: r.0,
                    at: utc(r.1),
                    actor: match (r.2, r.3) {
                        (Some(u), _) => Actor {
                            kind: "user".into(),
                            id: Some(u),
                            name: r.4.clone(),
                        },
                        (None, Some(t)) => Actor {
                            kind: "token".into(),
                            id: Some(t),
                            name: r.4.clone(),
                        },
                        (None, None) => Actor {
                            kind: "system".into(),
                            id: None,
                            name: r.4.clone(),
                        },
                    },
                    field: r.5,
                    old_value: r.6,
                    new_value: r.7,
                    comment_id: r.8,
                })
                .collect();
            Ok(HistoryPage { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
