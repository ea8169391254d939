//! Names per language of configured records: statuses, groups, ticket types,
//! root causes, custom field labels and options, and the named sources of
//! the organisation settings.

use crate::common;

use common::*;
use lazo_domain::wire::{Group, OrgSettings, Status, TicketType};
use lazo_domain::Named;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn statuses_and_groups_carry_names_per_language() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ana = app.login(ANA).await;

    let st: Status = created(
        app.post(
            &admin,
            "/api/v1/statuses",
            &json!({"name": "Waiting", "category": "pending",
                    "names": {"es": " En espera ", "fr": "En attente"}}),
        )
        .await,
    )
    .await;
    assert_eq!(st.names.es.as_deref(), Some("En espera"), "stored trimmed");
    assert_eq!(st.localized("es"), "En espera");
    assert_eq!(st.localized("fr"), "En attente");
    assert_eq!(st.localized("en"), "Waiting", "no English name: the base");

    // A PATCH without names keeps them; with names replaces them whole.
    let st: Status = ok(app
        .patch(
            &admin,
            &format!("/api/v1/statuses/{}", st.id),
            &json!({"position": 9}),
        )
        .await)
    .await;
    assert_eq!(st.names.fr.as_deref(), Some("En attente"));
    let st: Status = ok(app
        .patch(
            &admin,
            &format!("/api/v1/statuses/{}", st.id),
            &json!({"names": {"es": "Pendiente"}}),
        )
        .await)
    .await;
    assert_eq!(st.names.es.as_deref(), Some("Pendiente"));
    assert_eq!(st.names.fr, None);
    assert_eq!(st.localized("fr"), "Waiting");

    // Everyone reading the directory sees them, as saved.
    let all: Vec<Status> = ok(app.get(&ana, "/api/v1/statuses").await).await;
    assert_eq!(all.iter().find(|s| s.id == st.id), Some(&st));
    // The default statuses come named in every language.
    let raw: Vec<Value> = ok(app.get(&ana, "/api/v1/statuses").await).await;
    let open = raw.iter().find(|s| s["name"] == "Open").unwrap();
    assert_eq!(open["names"], json!({"es": "Abierto", "fr": "Ouvert"}));
    let raw: Vec<Value> = ok(app.get(&ana, "/api/v1/groups").await).await;
    let billing = raw.iter().find(|g| g["name"] == "Billing").unwrap();
    assert_eq!(billing["names"], json!({}), "none given: an empty object");

    let g: Group = created(
        app.post(
            &admin,
            "/api/v1/groups",
            &json!({"name": "Retention", "names": {"es": "Retención", "fr": "Fidélisation"}}),
        )
        .await,
    )
    .await;
    assert_eq!(g.localized("es"), "Retención");
    let g: Group = ok(app
        .patch(
            &admin,
            &format!("/api/v1/groups/{}", g.id),
            &json!({"names": {"en": "Customer retention"}}),
        )
        .await)
    .await;
    assert_eq!(g.localized("en"), "Customer retention");
    assert_eq!(g.localized("es"), "Retention");
    let one: Group = ok(app.get(&ana, &format!("/api/v1/groups/{}", g.id)).await).await;
    assert_eq!(one.names, g.names);
}

#[tokio::test]
async fn bad_names_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    let status = format!("/api/v1/statuses/{}", d.open);

    let p = problem_code(
        app.patch(&admin, &status, &json!({"names": {"de": "Offen"}}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_field",
    )
    .await;
    assert_eq!(field_codes(&p), [("names.de", "unknown_field")]);

    let p = problem(
        app.post(
            &admin,
            "/api/v1/statuses",
            &json!({"name": "X", "category": "open", "names": {"es": " ", "fr": "y".repeat(101)}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        field_codes(&p),
        [("names.es", "required"), ("names.fr", "too_long")]
    );

    let p = problem(
        app.patch(&admin, &status, &json!({"names": {"es": "Abier\u{0}to"}}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("names.es", "invalid_character")]);

    let p = problem(
        app.patch(&admin, &status, &json!({"names": ["Abierto"]}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["names"]);

    let p = problem(
        app.patch(&admin, &status, &json!({"names": {"es": 3}}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["names.es"]);

    let p = problem(
        app.patch(
            &admin,
            &format!("/api/v1/groups/{}", d.support),
            &json!({"names": {"fr": "a\nb"}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_codes(&p), [("names.fr", "invalid")]);

    // Nothing was written.
    let all: Vec<Status> = ok(app.get(&admin, "/api/v1/statuses").await).await;
    let st = all.iter().find(|s| s.id == d.open).unwrap();
    assert_eq!(st.names.es.as_deref(), Some("Abierto"), "as it was");
    // Agents cannot name things.
    let ana = app.login(ANA).await;
    problem(
        app.patch(&ana, &status, &json!({"names": {"es": "Abierto"}}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[tokio::test]
async fn types_root_causes_and_custom_fields_carry_names() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let body = json!({
        "name": "Complaint",
        "names": {"es": "Queja", "fr": "Réclamation"},
        "root_causes": [{"name": "Late", "names": {"es": "Retraso"}}],
        "fields": [{
            "key": "channel", "label": "Channel", "kind": "choice",
            "names": {"es": "Canal"},
            "options": ["web", "store"],
            "option_names": {"store": {"es": "Tienda", "fr": "Magasin"}}
        }]
    });
    let t: TicketType = created(app.post(&admin, "/api/v1/ticket-types", &body).await).await;
    assert_eq!(t.localized("fr"), "Réclamation");
    assert_eq!(t.root_causes[0].localized("es"), "Retraso");
    assert_eq!(t.root_causes[0].localized("fr"), "Late");
    let f = &t.fields[0];
    assert_eq!(f.localized("es"), "Canal");
    assert_eq!(f.option_label("store", "fr"), "Magasin");
    assert_eq!(f.option_label("web", "es"), "web", "no labels: the value");

    // Rewriting the causes by id keeps names as sent (here: new ones).
    let rc = t.root_causes[0].id;
    let t: TicketType = ok(app
        .patch(
            &admin,
            &format!("/api/v1/ticket-types/{}", t.id),
            &json!({"root_causes": [{"id": rc, "name": "Late", "names": {"fr": "Retard"}}],
                    "names": {"es": "Reclamación"}}),
        )
        .await)
    .await;
    assert_eq!(t.root_causes[0].localized("fr"), "Retard");
    assert_eq!(t.localized("es"), "Reclamación");
    assert_eq!(t.fields[0].option_label("store", "es"), "Tienda");
    let again: TicketType = ok(app
        .get(&admin, &format!("/api/v1/ticket-types/{}", t.id))
        .await)
    .await;
    assert_eq!(again, t);

    let p = problem(
        app.post(
            &admin,
            "/api/v1/ticket-types",
            &json!({
                "name": "Other", "names": {"it": "Altro"},
            }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["names.it"]);
    let p = problem(
        app.post(
            &admin,
            "/api/v1/ticket-types",
            &json!({
                "name": "Other",
                "root_causes": [{"name": "A", "names": {"es": ""}}],
                "fields": [{"key": "k", "label": "K", "kind": "choice", "options": ["a"],
                            "names": {"fr": ""},
                            "option_names": {"b": {"es": "Be"}, "a": {"es": " "}}}]
            }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        field_codes(&p),
        [
            ("root_causes[0].names.es", "required"),
            ("fields[0].names.fr", "required"),
            ("fields[0].option_names.a.es", "required"),
            ("fields[0].option_names.b", "unknown_reference"),
        ]
    );
}

#[tokio::test]
async fn settings_name_the_sources() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let ana = app.login(ANA).await;
    let s: OrgSettings = ok(app.get(&ana, "/api/v1/settings").await).await;
    assert!(s.sources.is_empty());
    let s: OrgSettings = ok(app
        .patch(
            &admin,
            "/api/v1/settings",
            &json!({"sources": [
                {"key": " Email ", "name": "Email", "names": {"es": "Correo electrónico", "fr": "Courriel"}},
                {"key": "phone", "name": "Phone"}
            ]}),
        )
        .await)
    .await;
    assert_eq!(s.sources[0].key, "email", "keys compare as the filter does");
    assert_eq!(s.sources[0].localized("es"), "Correo electrónico");
    assert_eq!(s.sources[1].localized("fr"), "Phone");
    let me: lazo_domain::wire::Me = ok(app.get(&ana, "/api/v1/me").await).await;
    assert_eq!(me.settings.sources, s.sources);
    // Other settings leave them alone.
    let s2: OrgSettings = ok(app
        .patch(&admin, "/api/v1/settings", &json!({"name": "Acme"}))
        .await)
    .await;
    assert_eq!(s2.sources, s.sources);

    let p = problem(
        app.patch(
            &admin,
            "/api/v1/settings",
            &json!({"sources": [
                {"key": "email", "name": "Email", "names": {"es": ""}},
                {"key": "EMAIL", "name": ""},
                {"key": "walk in", "name": "Walk-in"}
            ]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        field_codes(&p),
        [
            ("sources[0].names.es", "required"),
            ("sources[1].key", "duplicate"),
            ("sources[1].name", "required"),
            ("sources[2].key", "invalid"),
        ]
    );
    let p = problem(
        app.patch(
            &admin,
            "/api/v1/settings",
            &json!({"sources": [{"key": "email", "name": "Email", "names": {"pt": "E-mail"}}]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["sources[0].names.pt"]);
    let s3: OrgSettings = ok(app.get(&admin, "/api/v1/settings").await).await;
    assert_eq!(s3.sources, s.sources, "a refused change writes nothing");
}
