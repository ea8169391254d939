//! Lazo's API server: actix-web over diesel, documented with utoipa.
//!
//! Code map: [`routes`] has one module per resource; [`tickets`] holds the
//! ticket reads, writes and the follow-up query that the routes call;
//! [`auth`] resolves callers; [`db`] owns connections, schema and migrations;
//! [`error`] turns every failure into a problem document; [`demo`] seeds the
//! demo organisation.

pub mod auth;
pub mod db;
pub mod demo;
pub mod error;
pub mod extract;
pub mod jobs;
pub mod openapi;
pub mod routes;
pub mod state;
pub mod tickets;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
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
    let state = web::Data::new(state);
    let doc = openapi::document();
    let routes = Arc::new(RouteTable::from_openapi(&doc));
    let mut server = HttpServer::new(move || {
        let static_dir = opts
            .static_dir
            .clone()
            .filter(|d| d.join("index.html").is_file());
        let fallback_routes = routes.clone();
        let fallback_dir = static_dir.clone();
        let fallback = web::to(move |req: HttpRequest| {
            fallback(req, fallback_routes.clone(), fallback_dir.clone())
        });
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
        let app = match static_dir {
            Some(dir) => app.service(
                actix_files::Files::new("/", dir)
                    .index_file("index.html")
                    .default_handler(fallback),
            ),
            None => app.default_service(fallback),
        };
        app.wrap(cors(&opts.cors_origins))
            .wrap(from_fn(request_log))
    })
    .listen(listener)?;
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

/// Unmatched requests: API paths get a problem document (405 with `Allow`
/// when the path exists with other methods, else 404); any other path is the
/// SPA's, so it gets `index.html` and the client-side router decides.
async fn fallback(
    req: HttpRequest,
    routes: Arc<RouteTable>,
    static_dir: Option<PathBuf>,
) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    if path.starts_with("/api/") || path == "/api" {
        return Err(match routes.allowed(path) {
            Some(allow) => ApiError::MethodNotAllowed { allow },
            None => ApiError::NotFound("endpoint"),
        });
    }
    match static_dir {
        Some(dir) => {
            let file = actix_files::NamedFile::open_async(dir.join("index.html"))
                .await
                .map_err(ApiError::internal)?;
            Ok(file.into_response(&req))
        }
        None => Err(ApiError::NotFound("page")),
    }
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
