//! The OpenAPI 3.1 document. Paths and schemas are collected from the
//! handlers' `#[utoipa::path]` attributes by utoipa-actix-web; [`finish`] adds
//! what every operation shares (the bearer scheme and the problem responses)
//! so no handler can forget them.

use actix_web::App;
use lazo_domain::wire::{FieldError, Problem};
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Doc, Ref, ResponseBuilder};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Lazo API",
        description = "Closed-loop follow-up ticketing. JSON under /api/v1; errors are RFC 9457 \
problem documents (application/problem+json) with a stable `code`; ticket reads carry an ETag and \
writes accept If-Match (412 when stale); POST /api/v1/tickets accepts Idempotency-Key; lists use \
cursor pagination (limit, cursor, next_cursor). Request bodies are at most 256 KiB; subjects 200 \
characters, texts 20 000, names 100.",
        version = "1.0.0",
        license(name = "MIT")
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "auth", description = "Log in and out, who am I"),
        (name = "tickets", description = "Tickets, the follow-up list, comments, history, sub-tickets"),
        (name = "people", description = "Users and groups"),
        (name = "configuration", description = "Statuses, ticket types, organisation settings"),
        (name = "tokens", description = "Integrator API tokens"),
        (name = "admin", description = "Operations: the durable job queue"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
struct ApiDoc;

pub fn base() -> Doc {
    ApiDoc::openapi()
}

/// The whole document, as `/api/openapi.json` serves it.
pub fn document() -> Doc {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(base())
        .service(crate::routes::health::liveness)
        .service(crate::routes::health::readiness)
        .service(utoipa_actix_web::scope("/api/v1").configure(crate::routes::configure))
        .split_for_parts();
    finish(api)
}

pub fn finish(mut api: Doc) -> Doc {
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT from /api/v1/auth/login, or an API token lazo_...")
                .description(Some("A person's session JWT or an integrator's API token."))
                .build(),
        ),
    );
    api.security = Some(vec![SecurityRequirement::new(
        "bearer",
        Vec::<String>::new(),
    )]);
    for (path, item) in api.paths.paths.iter_mut() {
        let has_id = path.contains('{');
        let ticket_write = path.starts_with("/api/v1/tickets/{id}")
            && !path.contains("/comments")
            && !path.contains("/sub-tickets");
        for (method, op) in [
            ("get", item.get.as_mut()),
            ("post", item.post.as_mut()),
            ("patch", item.patch.as_mut()),
            ("put", item.put.as_mut()),
            ("delete", item.delete.as_mut()),
        ] {
            let Some(op) = op else { continue };
            let public = op
                .security
                .as_ref()
                .is_some_and(|s| s.iter().all(|r| *r == SecurityRequirement::default()));
            let body = matches!(method, "post" | "patch" | "put");
            if !public {
                add(
                    op,
                    "401",
                    "Missing, invalid, expired or revoked credentials",
                );
                add(op, "403", "The role or token scope does not allow this");
            }
            if method == "get" && op.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                add(op, "400", "A query parameter is malformed");
            }
            if has_id {
                add(op, "404", "No such resource, or one the caller may not see");
            }
            if body {
                add(op, "400", "The body is not valid JSON");
                add(op, "413", "The body is larger than 256 KiB");
                add(op, "415", "The body is not application/json");
                add(
                    op,
                    "422",
                    "A field is invalid or a rule refuses the change; `errors` names each field",
                );
            }
            if body || method == "delete" {
                add(op, "409", "Conflicts with existing data");
            }
            if ticket_write && matches!(method, "patch" | "delete") {
                add(op, "412", "If-Match names an outdated version");
            }
            add(op, "500", "Unexpected failure; the body carries no detail");
        }
    }
    api
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
                .into()
        });
}

/// Path patterns and their methods, to tell 405 from 404.
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<&'static str>)>,
}

impl RouteTable {
    pub fn from_openapi(doc: &Doc) -> RouteTable {
        let mut routes: Vec<(Vec<String>, Vec<&'static str>)> = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                for (m, present) in [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ] {
                    if present {
                        methods.push(m);
                    }
                }
                (path.split('/').map(str::to_owned).collect(), methods)
            })
            .collect();
        routes.push((
            vec!["".into(), "api".into(), "openapi.json".into()],
            vec!["GET"],
        ));
        RouteTable { routes }
    }

    /// Methods the path accepts, if it is a known path.
    pub fn allowed(&self, path: &str) -> Option<Vec<&'static str>> {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.routes
            .iter()
            .find(|(pattern, _)| {
                pattern.len() == parts.len()
                    && pattern
                        .iter()
                        .zip(&parts)
                        .all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()))
            })
            .map(|(_, m)| m.clone())
    }
}
