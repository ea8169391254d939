//! Comments: public replies and internal notes. Anyone who sees a ticket may
//! comment (a sub-ticket owner on its read-only parent too); authors edit
//! and delete their own, admins delete any.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use diesel::prelude::*;
use lazo_domain::limits::TEXT_MAX;
use lazo_domain::rules::check_text;
use lazo_domain::wire::{Comment, CommentInput, CommentPage, FieldError, PageQuery, UpdateComment};
use lazo_domain::{HistoryField, Role};

use crate::auth::{Caller, Principal};
use crate::batch::{Answer, Kind};
use crate::db::schema::comments;
use crate::db::{now, utc, DbConn};
use crate::error::ApiError;
use crate::extract::JsonBody;
use crate::extract::{id_page, next_id_cursor, QueryParams};
use crate::state::AppState;
use crate::tickets::write::{
    add_comment, add_comments, check_comment, emit, record, Actor, NewComment,
};
use crate::tickets::{self};
use lazo_domain::event::Event;
use lazo_service::directory::user_refs;
use lazo_storage::comments::CommentRow;
use std::collections::HashMap;

fn to_comments(c: &mut DbConn, rows: Vec<CommentRow>) -> Result<Vec<Comment>, ApiError> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.author_id).collect();
    let refs = user_refs(c, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| Comment {
            id: r.id,
            ticket_id: r.ticket_id,
            author: r.author_id.and_then(|a| refs.get(&a).cloned()),
            body: r.body,
            internal: r.internal,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        })
        .collect())
}

fn load_one(c: &mut DbConn, ticket_id: i64, id: i64) -> Result<CommentRow, ApiError> {
    comments::table
        .filter(comments::id.eq(id))
        .filter(comments::ticket_id.eq(ticket_id))
        .select(CommentRow::as_select())
        .first(c)
        .optional()?
        .ok_or(ApiError::NotFound("comment"))
}

fn is_author(who: &Principal, row: &CommentRow) -> bool {
    match who {
        Principal::User(u) => row.author_id == Some(u.id),
        Principal::Token(tk) => row.author_token_id == Some(tk.id),
        Principal::System(_) => false,
    }
}

/// Comments and internal notes of a ticket, oldest first.
#[utoipa::path(operation_id = "listComments", tag = "tickets", params(("id" = i64, Path), PageQuery), responses((status = 200, body = CommentPage)))]
#[get("/tickets/{id}/comments")]
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
            tickets::load_visible(c, &who, id)?;
            let mut rows: Vec<CommentRow> = comments::table
                .filter(comments::ticket_id.eq(id))
                .filter(comments::id.gt(after))
                .order(comments::id)
                .limit(limit + 1)
                .select(CommentRow::as_select())
                .load(c)?;
            let next_cursor = next_id_cursor(&mut rows, limit, |r| r.id);
            Ok(CommentPage {
                items: to_comments(c, rows)?,
                next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Add a public reply or an internal note.
#[utoipa::path(operation_id = "createComment", tag = "tickets", params(("id" = i64, Path)), request_body = CommentInput, responses((status = 201, body = Comment)))]
#[post("/tickets/{id}/comments")]
pub async fn create(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    body: JsonBody<CommentInput>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let id = id.into_inner();
    let input = body.value;
    let mut errors = Vec::new();
    check_comment(&input, "comment", &mut errors);
    if !errors.is_empty() {
        // The body itself is the comment, so its fields have no prefix.
        errors
            .iter_mut()
            .for_each(|e| e.field = e.field.trim_start_matches("comment.").to_owned());
        return Err(ApiError::invalid(errors));
    }
    // Made in a batch with the comments waiting beside it (on this ticket
    // or others), or alone when the batch could not take it.
    let pending = PendingComment {
        who: who.0.clone(),
        ticket_id: id,
        input: input.clone(),
    };
    let comment = match state.comments.submit(pending).await {
        Answer::Done(r) => r?,
        Answer::Alone => {
            state
                .db
                .write(move |c| {
                    tickets::load_visible(c, &who, id)?;
                    let actor = Actor::of(&who);
                    let at = now();
                    let cid = add_comment(c, id, &actor, &input, at)?;
                    let row = load_one(c, id, cid)?;
                    Ok(to_comments(c, vec![row])?.remove(0))
                })
                .await?
        }
    };
    Ok(HttpResponse::Created().json(comment))
}

/// One comment waiting for its batch (its body already checked).
pub struct PendingComment {
    who: Principal,
    ticket_id: i64,
    input: CommentInput,
}

/// New comments, as a kind of batched write (see [`crate::batch`]).
pub struct Comments;

impl Kind for Comments {
    type Item = PendingComment;
    type Done = Comment;
    const NAME: &'static str = "comments";

    /// Each comment's ticket must be visible to its author, as alone; the
    /// tickets are read once for all.
    fn make(
        c: &mut DbConn,
        items: &[PendingComment],
    ) -> Result<Vec<Result<Comment, ApiError>>, ApiError> {
        let ids: Vec<i64> = items.iter().map(|p| p.ticket_id).collect();
        let rows = tickets::find_rows(c, &ids)?;
        let mut answers: Vec<Option<Result<Comment, ApiError>>> = Vec::with_capacity(items.len());
        let mut actors = Vec::new();
        for p in items {
            let visible = match rows.get(&p.ticket_id) {
                Some(row) => tickets::access(c, &p.who, row)?.is_some(),
                None => false,
            };
            if visible {
                answers.push(None);
                actors.push(Actor::of(&p.who));
            } else {
                answers.push(Some(Err(ApiError::NotFound("ticket"))));
            }
        }
        let news: Vec<NewComment<'_>> = items
            .iter()
            .zip(&answers)
            .filter(|(_, a)| a.is_none())
            .zip(&actors)
            .map(|((p, _), actor)| NewComment {
                ticket_id: p.ticket_id,
                actor,
                input: &p.input,
            })
            .collect();
        if !news.is_empty() {
            let cids = add_comments(c, &news, now())?;
            let made: Vec<CommentRow> = comments::table
                .filter(lazo_storage::id_in(c, "comments.id", &cids))
                .select(CommentRow::as_select())
                .load(c)?;
            let mut made: HashMap<i64, Comment> = to_comments(c, made)?
                .into_iter()
                .map(|m| (m.id, m))
                .collect();
            let mut cids = cids.into_iter();
            for a in answers.iter_mut().filter(|a| a.is_none()) {
                let cid = cids.next().expect("an id per comment made");
                *a = Some(made.remove(&cid).ok_or(ApiError::NotFound("comment")));
            }
        }
        Ok(answers
            .into_iter()
            .map(|a| a.expect("every comment answered"))
            .collect())
    }
}

/// Edit your own comment.
#[utoipa::path(operation_id = "updateComment", tag = "tickets", params(("id" = i64, Path), ("comment_id" = i64, Path)), request_body = UpdateComment, responses((status = 200, body = Comment)))]
#[patch("/tickets/{id}/comments/{comment_id}")]
pub async fn update(
    state: web::Data<AppState>,
    who: Caller,
    path: web::Path<(i64, i64)>,
    body: JsonBody<UpdateComment>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let (id, comment_id) = path.into_inner();
    let input = body.value;
    let mut errors = Vec::new();
    if input.body.trim().is_empty() {
        errors.push(FieldError::new("body", "required", "a comment needs text"));
    }
    check_text("body", &input.body, TEXT_MAX, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let comment = state
        .db
        .write(move |c| {
            tickets::load_visible(c, &who, id)?;
            let row = load_one(c, id, comment_id)?;
            if !is_author(&who, &row) {
                return Err(ApiError::Forbidden(
                    "only its author may edit a comment".into(),
                ));
            }
            let at = now();
            diesel::update(comments::table.find(comment_id))
                .set((
                    comments::body.eq(input.body.trim()),
                    comments::updated_at.eq(at),
                ))
                .execute(c)?;
            let actor = Actor::of(&who);
            emit(
                c,
                Some(id),
                &actor,
                at,
                &Event::CommentEdited { comment_id },
            )?;
            record(
                c,
                id,
                &actor,
                at,
                (
                    HistoryField::CommentEdited.as_str(),
                    Some(row.body.clone()),
                    Some(input.body.trim().to_owned()),
                ),
                Some(comment_id),
            )?;
            let row = load_one(c, id, comment_id)?;
            Ok(to_comments(c, vec![row])?.remove(0))
        })
        .await?;
    Ok(HttpResponse::Ok().json(comment))
}

/// Delete a comment: its author, or an organisation admin.
#[utoipa::path(operation_id = "deleteComment", tag = "tickets", params(("id" = i64, Path), ("comment_id" = i64, Path)), responses((status = 204, description = "Deleted")))]
#[delete("/tickets/{id}/comments/{comment_id}")]
pub async fn remove(
    state: web::Data<AppState>,
    who: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let (id, comment_id) = path.into_inner();
    state
        .db
        .write(move |c| {
            tickets::load_visible(c, &who, id)?;
            let row = load_one(c, id, comment_id)?;
            if !is_author(&who, &row) && who.role() != Some(Role::Admin) {
                return Err(ApiError::Forbidden(
                    "only its author or an admin may delete a comment".into(),
                ));
            }
            diesel::delete(comments::table.find(comment_id)).execute(c)?;
            let (actor, at) = (Actor::of(&who), now());
            record(
                c,
                id,
                &actor,
                at,
                (HistoryField::CommentDeleted.as_str(), Some(row.body), None),
                None,
            )?;
            emit(
                c,
                Some(id),
                &actor,
                at,
                &Event::CommentDeleted { comment_id },
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
