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
    components(schemas(Problem, FieldError, lazo_domain::webhook::WebhookMessage)),
    tags(
        (name = "auth", description = "Log in and out, who am I"),
        (name = "tickets", description = "Tickets, the follow-up list, comments, history, sub-tickets, links and merges"),
        (name = "people", description = "Users and groups"),
        (name = "contacts", description = "Customers (contacts), their timeline of touchpoints"),
        (name = "intake", description = "Survey responses from integrators and the alert rules that turn them into tickets"),
        (name = "configuration", description = "Statuses, ticket types, organisation settings"),
        (name = "tokens", description = "Integrator API tokens"),
        (name = "email", description = "Email templates, a ticket's email thread, inbound mail"),
        (name = "admin", description = "Operations: the durable job queue"),
        (name = "events", description = "The change feed: every event in commit order"),
        (name = "notifications", description = "The caller's notifications (the bell) and their preferences"),
        (name = "webhooks", description = "Webhook endpoints (Standard Webhooks), their delivery log and replay"),
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
            && !path.contains("/sub-tickets")
            && !path.contains("/attachments")
            && !path.contains("/links");
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
                if p.parameter_in == ParameterIn::Header && p.name == "Accept-Language" {
                    // Any header text is read (what it does not name is
                    // skipped); not `null`, which a header cannot be.
                    p.schema = Some(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some("^[ -~]*$"))
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
    api.webhooks = Some(webhooks());
    named_event_payloads(api)
}

/// serde writes an event as `kind` + `data` beside the envelope's fields;
/// utoipa renders that as `allOf` over a `oneOf` of anonymous objects, which
/// client generators cannot model (openapi-python-client drops the type).
/// Spell it out instead: `ChangeEvent` is one object whose `kind` is an enum
/// and whose `data` is one of the named `<Kind>Data` schemas.
fn named_event_payloads(api: Doc) -> Doc {
    use serde_json::{json, Map, Value};
    let mut doc = serde_json::to_value(&api).expect("the document serialises");
    let schemas = &mut doc["components"]["schemas"];
    let Some(variants) = schemas["Event"]["oneOf"].as_array().cloned() else {
        return api;
    };
    let mut kinds = vec![];
    let mut refs = vec![];
    for v in variants {
        let kind = v["properties"]["kind"]["enum"][0]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let name = kind
            .split(['.', '_'])
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect::<String>()
            + "Data";
        let mut data = v["properties"]["data"].clone();
        if let Some(o) = data.as_object_mut() {
            o.insert("title".into(), json!(name));
            o.insert(
                "description".into(),
                json!(format!("The data of a `{kind}` event.")),
            );
        }
        schemas[&name] = data;
        refs.push(json!({ "$ref": format!("#/components/schemas/{name}") }));
        kinds.push(kind);
    }
    let envelope = schemas["ChangeEvent"]["allOf"]
        .as_array()
        .and_then(|parts| parts.iter().find(|p| p.get("properties").is_some()))
        .cloned()
        .unwrap_or_else(|| json!({"type": "object", "properties": {}, "required": []}));
    let mut props: Map<String, Value> = envelope["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    props.insert(
        "kind".into(),
        json!({"type": "string", "enum": kinds, "description": "What happened; names the shape of `data`."}),
    );
    props.insert(
        "data".into(),
        json!({"anyOf": refs, "description": "The kind's payload: the `<Kind>Data` schema its `kind` names."}),
    );
    let mut required: Vec<Value> = envelope["required"].as_array().cloned().unwrap_or_default();
    required.extend([json!("kind"), json!("data")]);
    schemas["ChangeEvent"] = json!({
        "type": "object",
        "description": "One committed change, as webhooks and the change feed carry it.",
        "required": required,
        "properties": props,
    });
    if let Some(m) = schemas.as_object_mut() {
        m.remove("Event");
    }
    serde_json::from_value(doc).expect("the patched document reads back")
}

/// What Lazo sends to webhook endpoints: one POST per event kind, the body a
/// `WebhookMessage`, signed as Standard Webhooks says.
fn webhooks() -> utoipa::openapi::Paths {
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder};
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::{PathItem, PathsBuilder, Required};
    let header = |name: &str, description: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(Required::True)
            .description(Some(description))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .build()
    };
    let mut paths = PathsBuilder::new();
    for kind in lazo_domain::event::Event::KINDS {
        let id = kind
            .split(['.', '_'])
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect::<String>();
        let op = OperationBuilder::new()
            .operation_id(Some(format!("on{id}")))
            .summary(Some(format!("A `{kind}` event")))
            .description(Some(
                "Sent to every enabled endpoint subscribed to this kind. Verify \
`webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, keyed by the secret's \
base64 part; after a rotation two signatures, space separated) and deduplicate by `webhook-id`. \
Answer 2xx to acknowledge; 410 Gone disables the endpoint; anything else (or no answer within \
15 s) is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, with jitter, never sooner than \
a `Retry-After`. Redirects are not followed.",
            ))
            .tag("webhooks")
            .parameter(header(
                "webhook-id",
                "`msg_<event id>`: the same on every attempt and replay",
            ))
            .parameter(header(
                "webhook-timestamp",
                "Unix seconds when this attempt was signed",
            ))
            .parameter(header(
                "webhook-signature",
                "`v1,<base64 signature>`, space separated when two secrets sign",
            ))
            .request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("WebhookMessage")))
                            .build(),
                    )
                    .build(),
            ))
            .response(
                "200",
                ResponseBuilder::new().description("Acknowledged (any 2xx)"),
            )
            .response(
                "410",
                ResponseBuilder::new().description("Gone: Lazo disables the endpoint"),
            )
            .security(SecurityRequirement::default())
            .build();
        let mut op = op;
        op.security = Some(Vec::new());
        paths = paths.path(kind, PathItem::new(HttpMethod::Post, op));
    }
    paths.build()
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
