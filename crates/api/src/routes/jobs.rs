//! The job queue for admins: what is waiting, what failed and why, and a way
//! to run a dead job again.

use actix_web::{get, post, web, HttpResponse};
use diesel::prelude::*;
use lazo_domain::wire::{FieldError, Job, JobPage, JobQuery, PageQuery};

use crate::auth::Caller;
use crate::db::schema::jobs;
use crate::db::utc;
use crate::error::ApiError;
use crate::extract::{id_page, next_id_cursor, QueryParams};
use crate::jobs::queue::{retry_now, JobRow};
use crate::state::AppState;

const STATES: [&str; 4] = ["queued", "running", "done", "dead"];

fn to_job(r: JobRow) -> Job {
    Job {
        id: r.id,
        payload: serde_json::from_str(&r.payload).unwrap_or(serde_json::Value::Null),
        kind: r.kind,
        state: r.state,
        unique_key: r.unique_key,
        run_at: utc(r.run_at),
        attempts: r.attempts,
        max_attempts: r.max_attempts,
        locked_until: r.locked_until.map(utc),
        last_error: r.last_error,
        created_at: utc(r.created_at),
        updated_at: utc(r.updated_at),
        finished_at: r.finished_at.map(utc),
    }
}

/// Jobs of the durable queue, newest first, by state and kind (admins).
#[utoipa::path(operation_id = "listJobs", tag = "admin", params(JobQuery), responses((status = 200, body = JobPage)))]
#[get("/admin/jobs")]
pub async fn list(
    state: web::Data<AppState>,
    who: Caller,
    q: QueryParams<JobQuery>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let q = q.0;
    if let Some(s) = q.state.as_deref().filter(|s| !STATES.contains(s)) {
        return Err(ApiError::BadRequest {
            code: "invalid_query",
            detail: format!("unknown job state {s:?}"),
            errors: vec![FieldError::new(
                "state",
                "invalid",
                "one of queued, running, done, dead",
            )],
        });
    }
    // Same limit and cursor rules as every paged list; the cursor is the
    // id to continue below (newest first).
    let (limit, before) = id_page(&PageQuery {
        cursor: q.cursor.clone(),
        limit: q.limit,
    })?;
    let page = state
        .db
        .read(move |c| {
            let mut sel = jobs::table.into_boxed();
            if before > 0 {
                sel = sel.filter(jobs::id.lt(before));
            }
            if let Some(s) = &q.state {
                sel = sel.filter(jobs::state.eq(s.clone()));
            }
            if let Some(k) = &q.kind {
                sel = sel.filter(jobs::kind.eq(k.clone()));
            }
            let mut rows: Vec<JobRow> = sel
                .order(jobs::id.desc())
                .limit(limit + 1)
                .select(JobRow::as_select())
                .load(c)?;
            let next_cursor = next_id_cursor(&mut rows, limit, |r| r.id);
            Ok(JobPage {
                items: rows.into_iter().map(to_job).collect(),
                next_cursor,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Run a dead (or waiting) job now, with a fresh set of attempts (admins).
/// 409 `job_not_retryable` for a job that is running or done.
#[utoipa::path(operation_id = "retryJob", tag = "admin", params(("id" = i64, Path)), responses((status = 200, body = Job)))]
#[post("/admin/jobs/{id}/retry")]
pub async fn retry(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_admin()?;
    let id = id.into_inner();
    let job = state
        .db
        .write(move |c| {
            let row = retry_now(c, id)?.ok_or(ApiError::NotFound("job"))?;
            if row.state != "queued" {
                return Err(ApiError::Conflict {
                    code: "job_not_retryable",
                    detail: format!(
                        "the job is {}; only dead or queued jobs can be retried",
                        row.state
                    ),
                    errors: vec![],
                });
            }
            Ok(to_job(row))
        })
        .await?;
    Ok(HttpResponse::Ok().json(job))
}
