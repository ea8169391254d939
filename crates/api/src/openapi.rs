//! The OpenAPI 3.1 document. Paths and schemas are collected from the
//! handlers' `#[utoipa::path]` attributes by utoipa-actix-web; [`finish`] adds
//! what every operation shares (the bearer scheme and the problem responses)
//! so no handler can forget them.

use actix_web::App;
use lazo_domain::wire::{FieldError, Problem};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Doc, Ref, RefOr, ResponseBuilder};
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
        license(name = "MIT", identifier = "MIT")
    ),
    servers((url = "/", description = "The server that serves this document")),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "auth", description = "Log in and out, who am I"),
        (name = "tickets", description = "Tickets, the follow-up list, comments, history, sub-tickets"),
        (name = "people", description = "Users and groups"),
        (name = "contacts", description = "Customers (contacts), their timeline of touchpoints"),
        (name = "intake", description = "Survey responses from integrators and the alert rules that turn them into tickets"),
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
    for schema in components.schemas.values_mut() {
        if let RefOr::T(schema) = schema {
            free_form_objects(schema);
        }
    }
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
            short_summary(op);
            describe_responses(op);
            if path == "/api/v1/tickets/counts" {
                // Counts share the list's filters, not its paging or order.
                if let Some(ps) = op.parameters.as_mut() {
                    ps.retain(|p| {
                        !matches!(p, RefOr::T(p)
                            if matches!(p.name.as_str(), "cursor" | "sort" | "order" | "limit"))
                    });
                }
            }
            let mut if_match = false;
            for p in op.parameters.iter_mut().flatten() {
                let RefOr::T(p) = p else { continue };
                if p.parameter_in == ParameterIn::Header && p.name == "If-Match" {
                    // An ETag this API returned (`"42"`), weak or not, or `*`;
                    // as `extract::if_match` reads it.
                    if_match = true;
                    p.schema = Some(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some(r#"^(\*|(W/)?"[0-9]{1,18}")$"#))
                            .into(),
                    );
                }
                if p.parameter_in == ParameterIn::Header && p.name == "Idempotency-Key" {
                    // As `extract::idempotency_key` checks it.
                    p.schema = Some(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .min_length(Some(1))
                            .max_length(Some(255))
                            .pattern(Some("^[!-~]+$"))
                            .into(),
                    );
                }
            }
            let public = op
                .security
                .as_ref()
                .is_some_and(|s| s.iter().all(|r| *r == SecurityRequirement::default()));
            if public {
                // `security(())` renders as `[{}]`, "optional credentials";
                // these operations take none: `[]` says so, and generated
                // clients then accept an unauthenticated client.
                op.security = Some(Vec::new());
            }
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
            // If-Match and Idempotency-Key are checked before anything else.
            if op.parameters.as_ref().is_some_and(|ps| {
                ps.iter()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Header))
            }) {
                add(
                    op,
                    "400",
                    "A header (If-Match, Idempotency-Key) is malformed",
                );
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
            if if_match || (ticket_write && matches!(method, "patch" | "delete")) {
                add(op, "412", "If-Match names an outdated version");
            }
            add(op, "500", "Unexpected failure; the body carries no detail");
        }
    }
    api
}

/// utoipa takes a doc comment's first paragraph as the summary: keep its
/// first sentence there (generated clients name and document methods by it)
/// and the whole paragraph in the description.
fn short_summary(op: &mut Operation) {
    let Some(summary) = op.summary.as_deref() else {
        return;
    };
    let full = summary.split_whitespace().collect::<Vec<_>>().join(" ");
    let first = match full.find(". ") {
        Some(end) => full[..=end].trim_end().to_owned(),
        None => full.clone(),
    };
    if first != full {
        let description = op.description.get_or_insert_with(String::new);
        if !description.contains(&full) {
            *description = if description.is_empty() {
                full
            } else {
                format!("{full}\n\n{description}")
            };
        }
    }
    op.summary = Some(first);
}

/// OpenAPI requires a description on every response: the ones declared with
/// only a body get the operation's summary, or the status's reason phrase.
fn describe_responses(op: &mut Operation) {
    let summary = op.summary.clone();
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if response.description.trim().is_empty() {
            let reason = status
                .parse::<u16>()
                .ok()
                .and_then(|s| actix_web::http::StatusCode::from_u16(s).ok())
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Success");
            response.description = match &summary {
                Some(s) if !s.trim().is_empty() => s.trim().to_owned(),
                _ => reason.to_owned(),
            };
        }
    }
}

/// A schema-less `{"type": "object"}` (a map such as `custom_fields`) takes
/// any properties: say so, or generators type it as an empty record.
fn free_form_objects(schema: &mut Schema) {
    match schema {
        Schema::Object(o) => {
            let is_object = match &o.schema_type {
                SchemaType::Type(t) => *t == Type::Object,
                SchemaType::Array(ts) => ts.contains(&Type::Object),
                SchemaType::AnyValue => false,
            };
            if is_object && o.properties.is_empty() && o.additional_properties.is_none() {
                o.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(true)));
            }
            for p in o.properties.values_mut() {
                if let RefOr::T(p) = p {
                    free_form_objects(p);
                }
            }
        }
        Schema::Array(a) => {
            if let utoipa::openapi::schema::ArrayItems::RefOrSchema(item) = &mut a.items {
                if let RefOr::T(item) = item.as_mut() {
                    free_form_objects(item);
                }
            }
        }
        Schema::OneOf(x) => x.items.iter_mut().for_each(|i| {
            if let RefOr::T(i) = i {
                free_form_objects(i)
            }
        }),
        Schema::AllOf(x) => x.items.iter_mut().for_each(|i| {
            if let RefOr::T(i) = i {
                free_form_objects(i)
            }
        }),
        _ => {}
    }
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
