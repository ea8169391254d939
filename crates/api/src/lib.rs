//! Lazo's API server: actix-web over diesel, documented with utoipa.
//!
//! Code map: [`routes`] has one module per resource; [`tickets`] holds the
//! ticket reads, writes and the follow-up query that the routes call;
//! [`auth`] resolves callers; [`db`] owns connections, schema and migrations;
//! [`error`] turns every failure into a problem document; [`demo`] seeds the
//! demo organisation.

pub mod auth;
pub mod batch;
pub mod creates;
pub mod db;
pub mod delivery;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod net;
pub mod openapi;
pub mod routes;
pub mod state;

// The services, re-exported under their old paths for the binary and tests.
pub use lazo_service::{demo, directory, jobs, tickets};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer, ResponseError};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use utoipa_actix_web::AppExt;

use crate::error::ApiError;
use crate::openapi::RouteTable;
use crate::state::AppState;

/// How `serve` runs beyond the state.
#[derive(Clone, Default)]
pub struct ServeOptions {
    /// Built SPA to serve at `/` (with history fallback), if present.
    pub static_dir: Option<PathBuf>,
    /// Origins allowed to call the API from a browser (SPA served elsewhere).
    pub cors_origins: Vec<String>,
    pub workers: Option<usize>,
}

/// Starts the HTTP server on `listener`; the returned future runs it.
pub fn serve(
    listener: TcpListener,
    state: AppState,
    opts: ServeOptions,
) -> std::io::Result<Server> {
    // Diesel runs on each worker's blocking pool. More threads than pooled
    // connections only wait for one, and each idle thread keeps its stack
    // and malloc arena: tokio's default (512 per worker) grew the server by
    // tens of MB under load for nothing.
    let blocking = state.db.pool_size() as usize + 2;
    let state = web::Data::new(state);
    let doc = openapi::document();
    let routes = Arc::new(RouteTable::from_openapi(&doc));
    let security = delivery::SecurityHeaders::new(opts.static_dir.as_deref());
    let mut server = HttpServer::new(move || {
        let static_dir = opts
            .static_dir
            .clone()
            .filter(|d| d.join("index.html").is_file());
        let fallback = || {
            let routes = routes.clone();
            let dir = static_dir.clone();
            web::to(move |req: HttpRequest| fallback(req, routes.clone(), dir.clone()))
        };
        let (app, _) = App::new()
            .into_utoipa_app()
            .openapi(openapi::base())
            .app_data(state.clone())
            .map(|a| a.configure(extract::configure_extractors))
            .service(routes::health::liveness)
            .service(routes::health::readiness)
            .service(utoipa_actix_web::scope("/api/v1").configure(routes::configure))
            .split_for_parts();
        let app = app
            .service(
                // Also serves the document itself at /api/openapi.json.
                utoipa_swagger_ui::SwaggerUi::new("/api/docs/{_:.*}")
                    .url("/api/openapi.json", doc.clone()),
            )
            .route(
                "/api/docs",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header(("Location", "/api/docs/"))
                        .finish()
                }),
            );
        // The fallback is the app's default in every configuration: scopes
        // and resources hand unmatched requests (unknown `/api/v1/...` paths,
        // wrong methods) to it. It owns the problem documents under `/api`
        // and, elsewhere, serves the SPA's files (precompressed siblings by
        // negotiation, see [`delivery`]) with `index.html` as the history
        // fallback.
        let app = app
            .app_data(web::Data::new(security.clone()))
            .default_service(fallback());
        app.wrap(from_fn(refuse_nul_in_query))
            .wrap(cors(&opts.cors_origins))
            // JSON, index.html and anything not precompressed; a body that
            // already has a Content-Encoding is left alone.
            .wrap(actix_web::middleware::Compress::default())
            .wrap(from_fn(request_log))
            .wrap(from_fn(delivery::security_headers))
    })
    .listen(listener)?;
    server = server.worker_max_blocking_threads(blocking);
    if let Some(w) = opts.workers {
        server = server.workers(w);
    }
    Ok(server.run())
}

fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut c = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "PUT", "DELETE"])
        .allowed_headers([
            "authorization",
            "content-type",
            "if-match",
            "idempotency-key",
            "x-request-id",
        ])
        .expose_headers([
            "etag",
            "retry-after",
            "x-request-id",
            "location",
            "idempotent-replayed",
        ])
        .max_age(3600);
    for o in origins {
        c = c.allowed_origin(o);
    }
    c
}

fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Unmatched requests: API paths get a problem document (405 with `Allow`
/// when the path exists with other methods, else 404); any other path is the
/// SPA's, so it gets `index.html` and the client-side router decides.
async fn fallback(
    req: HttpRequest,
    routes: Arc<RouteTable>,
    static_dir: Option<PathBuf>,
) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    if is_api_path(path) {
        return Err(match routes.allowed(path) {
            Some(allow) => ApiError::MethodNotAllowed { allow },
            None => ApiError::NotFound("endpoint"),
        });
    }
    match static_dir {
        // The SPA's files are read-only.
        Some(_) if !matches!(*req.method(), Method::GET | Method::HEAD) => {
            Err(ApiError::MethodNotAllowed {
                allow: vec!["GET", "HEAD"],
            })
        }
        Some(dir) => {
            let file = delivery::resolve(&dir, path).unwrap_or_else(|| dir.join("index.html"));
            delivery::serve_file(&req, &file)
                .await
                .map_err(ApiError::internal)
        }
        None => Err(ApiError::NotFound("page")),
    }
}

/// NUL in an `/api` query string is a 400 on every endpoint, before any
/// handler runs (PostgreSQL cannot store it; bodies are checked by
/// [`extract::JsonBody`]).
async fn refuse_nul_in_query(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if is_api_path(req.path()) {
        if let Err(e) = extract::check_query(req.query_string()) {
            return Ok(req.into_response(e.error_response()).map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// One log line per request with its id; the id is echoed in `X-Request-Id`.
async fn request_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let started = Instant::now();
    let mut res = next.call(req).await?;
    let status = res.status().as_u16();
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), v);
    }
    let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
    match res.response().extensions().get::<error::InternalCause>() {
        Some(error::InternalCause(cause)) => {
            tracing::error!(request_id = %id, %method, %path, status, elapsed_ms, %cause, "request failed")
        }
        None => tracing::info!(request_id = %id, %method, %path, status, elapsed_ms, "request"),
    }
    Ok(res)
}
