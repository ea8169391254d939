//! Ticket attachments: multipart upload, the list, downloads (always as
//! attachments, never rendered inline) and removal. The rules are in
//! `lazo_service::attachments`; here the multipart body is read with the
//! per-file limit (`LAZO_ATTACHMENT_MAX_BYTES`) and downloads get their
//! headers.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use lazo_domain::attachment::{self, Attachment, FILES_PER_UPLOAD};
use lazo_domain::wire::Problem;
use lazo_service::attachments::{self as service, Upload};

use crate::auth::Caller;
use crate::db::now;
use crate::error::ApiError;
use crate::routes::inbound::Binary;
use crate::state::AppState;

/// The upload form as the document describes it: one or more `files` parts.
pub struct UploadForm;

impl utoipa::PartialSchema for UploadForm {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "files",
                ArrayBuilder::new()
                    .items(<Binary as utoipa::PartialSchema>::schema())
                    .min_items(Some(1))
                    .max_items(Some(FILES_PER_UPLOAD))
                    .description(Some(
                        "The files, one part each, with a file name in the part's Content-Disposition",
                    )),
            )
            .required("files")
            .into()
    }
}

impl utoipa::ToSchema for UploadForm {}

/// After a file went over the limit, how much more of the request is read
/// (and thrown away) so the client, still sending, gets the 413 instead of a
/// reset connection. Past this the connection is simply closed.
const DRAIN_MAX: u64 = 256 * 1024 * 1024;

fn bad_body(e: impl std::fmt::Display) -> ApiError {
    ApiError::BadRequest {
        code: "bad_body",
        detail: format!("the multipart body could not be read: {e}"),
        errors: vec![],
    }
}

/// The file name of a part: the RFC 5987 `filename*` when given (UTF-8),
/// else `filename`.
fn part_filename(cd: &header::ContentDisposition) -> Option<String> {
    cd.get_filename_ext()
        .map(|ext| String::from_utf8_lossy(&ext.value).into_owned())
        .or_else(|| cd.get_filename().map(str::to_owned))
}

/// Reads every part into memory, refusing a file over `max` bytes as soon
/// as it gets there. After a refusal the rest of the body is read and
/// dropped (up to [`DRAIN_MAX`]), so a client still sending gets the answer.
async fn read_files(mut form: Multipart, max: u64) -> Result<Vec<Upload>, ApiError> {
    let mut files: Vec<Upload> = vec![];
    let mut refused: Option<ApiError> = None;
    let mut drained: u64 = 0;
    while let Some(part) = form.next().await {
        let mut part = match part {
            Ok(p) => p,
            // A form without a single part (`--boundary--` alone) is "no
            // file", which the checks answer with a 422 naming `files`.
            Err(actix_multipart::MultipartError::Incomplete) if files.is_empty() => break,
            Err(e) => return Err(bad_body(e)),
        };
        if refused.is_none() {
            let index = files.len();
            if index == FILES_PER_UPLOAD {
                refused = Some(ApiError::field(
                    "files",
                    "too_many",
                    format!("at most {FILES_PER_UPLOAD} files per upload"),
                ));
            } else if let Some(filename) = part.content_disposition().and_then(part_filename) {
                let declared_type = part.content_type().map(|m| m.essence_str().to_owned());
                let mut bytes = Vec::new();
                while let Some(chunk) = part.next().await {
                    let chunk = chunk.map_err(bad_body)?;
                    if bytes.len() as u64 + chunk.len() as u64 > max {
                        refused = Some(ApiError::FileTooLarge {
                            index,
                            filename: attachment::clean_filename(&filename)
                                .unwrap_or_else(|_| filename.clone()),
                            max_bytes: max,
                        });
                        drained += chunk.len() as u64;
                        break;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                files.push(Upload {
                    filename,
                    declared_type,
                    bytes,
                });
            } else {
                let field = part.name().unwrap_or("").to_owned();
                refused = Some(ApiError::field(
                    &format!("files[{index}]"),
                    "invalid_value",
                    format!("part {field:?} is not a file (it has no file name)"),
                ));
            }
        }
        if refused.is_some() {
            // Whatever is left of this part, then of the others.
            while let Some(chunk) = part.next().await {
                drained += chunk.map_err(bad_body)?.len() as u64;
                if drained > DRAIN_MAX {
                    break;
                }
            }
            if drained > DRAIN_MAX {
                break;
            }
        }
    }
    match refused {
        Some(e) => Err(e),
        None => Ok(files),
    }
}

/// Files attached to a ticket, oldest first.
#[utoipa::path(
    operation_id = "listTicketAttachments",
    tag = "tickets",
    params(("id" = i64, Path, description = "The ticket")),
    responses((status = 200, body = Vec<Attachment>, description = "The ticket's files, oldest first"))
)]
#[get("/tickets/{id}/attachments")]
pub async fn list(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let id = id.into_inner();
    let items = state
        .db
        .read(move |c| Ok(service::list(c, &who, id)?))
        .await?;
    Ok(HttpResponse::Ok().json(items))
}

/// Attach files to a ticket. A `multipart/form-data` body with one part per file (field name `files`, the file name in the part's `Content-Disposition`); at most 10 files, each at most `LAZO_ATTACHMENT_MAX_BYTES` (default 20 MiB) and not empty. Path parts of a file name are dropped; names with control characters are refused. All files are attached or none; each gets a history row and a `ticket.attachment_added` event.
#[utoipa::path(
    operation_id = "uploadTicketAttachment",
    tag = "tickets",
    params(("id" = i64, Path, description = "The ticket")),
    request_body(
        description = "One part per file",
        content((UploadForm = "multipart/form-data"))
    ),
    responses(
        (status = 201, body = Vec<Attachment>, description = "The files attached, in the order sent"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "The multipart body cannot be read"),
        (status = 413, body = Problem, content_type = "application/problem+json", description = "A file is larger than the limit; `errors` names it"),
        (status = 415, body = Problem, content_type = "application/problem+json", description = "The body is not multipart/form-data"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "No file, an empty file, a part without a file name, a bad file name or too many files; `errors` names each (`files[i]`)"),
    )
)]
#[post("/tickets/{id}/attachments")]
pub async fn upload(
    state: web::Data<AppState>,
    who: Caller,
    id: web::Path<i64>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let id = id.into_inner();
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("multipart/form-data"));
    if !is_multipart {
        return Err(ApiError::MediaTypeExpected("multipart/form-data"));
    }
    // Before reading megabytes: an invisible ticket is a 404 at once.
    {
        let who = who.clone();
        state
            .db
            .read(move |c| Ok(crate::tickets::load_visible(c, &who, id).map(|_| ())?))
            .await?;
    }
    let form = Multipart::new(req.headers(), payload);
    let files = read_files(form, state.config.attachment_max_bytes).await?;
    service::check(&files)?;
    let created = state
        .db
        .write(move |c| Ok(service::add(c, &who, id, &files, now())?))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Download a file of a ticket. Always `Content-Disposition: attachment` with `X-Content-Type-Options: nosniff`; HTML, SVG and anything else a browser could run is served as `application/octet-stream`.
#[utoipa::path(
    operation_id = "downloadTicketAttachment",
    tag = "tickets",
    params(("id" = i64, Path, description = "The ticket"), ("attachment_id" = i64, Path)),
    // Every type `served_type` can answer with, so generated clients and
    // schemathesis know them all.
    responses((status = 200, description = "The file's bytes: with its stored type when a browser cannot run it, else as `application/octet-stream`",
        content((Binary = "application/octet-stream"), (Binary = "image/png"), (Binary = "image/jpeg"), (Binary = "image/gif"),
            (Binary = "image/webp"), (Binary = "application/pdf"), (Binary = "text/plain"), (Binary = "text/csv"),
            (Binary = "application/zip"), (Binary = "application/gzip"))))
)]
#[get("/tickets/{id}/attachments/{attachment_id}")]
pub async fn download(
    state: web::Data<AppState>,
    who: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_read()?;
    let (id, aid) = path.into_inner();
    let (a, bytes) = state
        .db
        .read(move |c| Ok(service::download(c, &who, id, aid)?))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(attachment::served_type(&a.content_type))
        .insert_header((header::CONTENT_DISPOSITION, disposition(&a.filename)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // The bytes of an id never change; only who may read them does.
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header((header::ETAG, format!("\"{}\"", a.sha256)))
        .body(bytes))
}

/// `attachment` with an ASCII fallback name and the exact UTF-8 one
/// (RFC 6266 / RFC 5987).
pub fn disposition(filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._- ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = form_urlencoded::byte_serialize(filename.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Remove a file from a ticket: its uploader, the ticket's owner or an admin. Writes a history row and a `ticket.attachment_removed` event.
#[utoipa::path(
    operation_id = "deleteTicketAttachment",
    tag = "tickets",
    params(("id" = i64, Path, description = "The ticket"), ("attachment_id" = i64, Path)),
    responses((status = 204, description = "Removed"))
)]
#[delete("/tickets/{id}/attachments/{attachment_id}")]
pub async fn remove(
    state: web::Data<AppState>,
    who: Caller,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    who.require_ticket_write()?;
    let (id, aid) = path.into_inner();
    state
        .db
        .write(move |c| Ok(service::remove(c, &who, id, aid, now())?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
