//! Webhook endpoints (admins): subscribe a URL, see the secret once, read
//! the delivery log with each attempt, replay a delivery.

use crate::api::{self, ApiError};
use crate::i18n::T;
use crate::state::{use_notices, use_prefs};
use crate::util;
use lazo_domain::event::Event;
use lazo_domain::webhook::{
    NewWebhookEndpoint, WebhookDelivery, WebhookDeliveryDetail, WebhookEndpoint,
    WebhookEndpointPatch,
};
use leptos::prelude::*;

/// A row action; `Some` carries a secret to show (after a rotation).
type Action =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Option<(i64, String)>, ApiError>>>>;

#[component]
pub fn Webhooks() -> impl IntoView {
    let prefs = use_prefs();
    let notices = use_notices();
    let t = move |k: T| prefs.t(k);
    let endpoints = RwSignal::new(Vec::<WebhookEndpoint>::new());
    let error = RwSignal::new(None::<ApiError>);
    // The secret of the endpoint just created or rotated: shown this once.
    let secret = RwSignal::new(None::<(i64, String)>);
    let open = RwSignal::new(None::<i64>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api::webhooks().await {
                Ok(list) => endpoints.set(list),
                Err(e) => error.set(Some(e)),
            }
        })
    };
    reload();

    let url = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let kinds = RwSignal::new(Vec::<String>::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewWebhookEndpoint {
            url: url.get_untracked().trim().to_owned(),
            description: Some(description.get_untracked()),
            event_types: kinds.get_untracked(),
            enabled: None,
        };
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::create_webhook(&body).await {
                Ok(created) => {
                    secret.set(Some((created.endpoint.id, created.secret)));
                    url.set(String::new());
                    description.set(String::new());
                    kinds.set(vec![]);
                    notices.ok(T::Saved.get(prefs.lang.get_untracked()));
                    reload();
                }
                Err(e) => {
                    notices.error(e.message(prefs.lang.get_untracked()));
                    error.set(Some(e));
                }
            }
        });
    };
    let kind_boxes = move || {
        Event::KINDS
            .iter()
            .map(|k| {
                let k = (*k).to_owned();
                let k2 = k.clone();
                let shown = k.clone();
                view! {
                    <label class="check">
                        <input type="checkbox"
                            prop:checked=move || kinds.with(|v| v.contains(&k))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                kinds.update(|v| {
                                    v.retain(|x| *x != k2);
                                    if on { v.push(k2.clone()) }
                                });
                            } />
                        <code>{shown}</code>
                    </label>
                }
            })
            .collect_view()
    };

    let act = move |fut: Action| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match fut.await {
                Ok(s) => {
                    if s.is_some() {
                        secret.set(s);
                    }
                    notices.ok(T::Saved.get(prefs.lang.get_untracked()));
                    reload();
                }
                Err(e) => {
                    notices.error(e.message(prefs.lang.get_untracked()));
                    error.set(Some(e));
                }
            }
        });
    };

    let rows = move || {
        endpoints
            .get()
            .into_iter()
            .map(|ep| {
                let id = ep.id;
                let enabled = ep.enabled;
                let types = if ep.event_types.is_empty() {
                    t(T::AllEvents).to_owned()
                } else {
                    ep.event_types.join(", ")
                };
                let reason = ep.disabled_reason.clone();
                view! {
                    <tr>
                        <td><code class="wrap">{ep.url.clone()}</code><div class="muted">{ep.description.clone()}</div></td>
                        <td>{types}</td>
                        <td>
                            {if enabled {
                                view! { <span class="pill cat-closed">{prefs.text(T::Enabled)}</span> }.into_any()
                            } else {
                                view! { <span class="pill cat-open">{prefs.text(T::Disabled)}</span> }.into_any()
                            }}
                            {reason.map(|r| view! { <div class="muted small">{r}</div> })}
                        </td>
                        <td class="row-actions">
                            <button class="btn small" on:click=move |_| {
                                open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })
                            }>{prefs.text(T::Deliveries)}</button>
                            <button class="btn small" on:click=move |_| act(Box::pin(async move {
                                api::update_webhook(id, &WebhookEndpointPatch { enabled: Some(!enabled), ..Default::default() }).await.map(|_| None)
                            }))>{move || if enabled { t(T::Disable) } else { t(T::Enable) }}</button>
                            <button class="btn small" on:click=move |_| act(Box::pin(async move {
                                api::rotate_webhook_secret(id).await.map(|r| Some((id, r.secret)))
                            }))>{prefs.text(T::RotateSecret)}</button>
                            <button class="btn small danger" on:click=move |_| {
                                let ok = web_sys::window()
                                    .and_then(|w| w.confirm_with_message(t(T::ConfirmDelete)).ok())
                                    .unwrap_or(false);
                                if ok {
                                    if open.get_untracked() == Some(id) { open.set(None) }
                                    act(Box::pin(async move { api::delete_webhook(id).await.map(|_| None) }))
                                }
                            }>{prefs.text(T::Delete)}</button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <form class="card form" on:submit=create aria-label=prefs.text(T::NewWebhook)>
            <h2>{prefs.text(T::NewWebhook)}</h2>
            <p class="muted">{prefs.text(T::WebhookHelp)}</p>
            <div class="field-row">
                <label class="field grow"><span>"URL"</span>
                    <input type="url" required placeholder="https://example.com/lazo-hook"
                        bind:value=url /></label>
                <label class="field grow"><span>{prefs.text(T::Description)}</span>
                    <input type="text" bind:value=description /></label>
            </div>
            <fieldset class="kinds">
                <legend>{prefs.text(T::EventTypes)}</legend>
                {kind_boxes}
            </fieldset>
            <button class="btn primary" type="submit">{prefs.text(T::Create)}</button>
            {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
        </form>
        {move || secret.get().map(|(id, s)| view! {
            <div class="card secret-box" role="status">
                <h2>{prefs.text(T::SigningSecret)}" #"{id}</h2>
                <p>{prefs.text(T::SecretOnce)}</p>
                <code class="wrap secret" data-testid="webhook-secret">{s}</code>
                <button class="btn small" on:click=move |_| secret.set(None)>{prefs.text(T::Close)}</button>
            </div>
        })}
        <table class="admin-table" aria-label=prefs.text(T::Webhooks)>
            <thead><tr><th>"URL"</th><th>{prefs.text(T::Events)}</th><th>{prefs.text(T::State)}</th><th></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {move || open.get().map(|id| view! { <DeliveryLog endpoint=id /> })}
    }
}

#[component]
fn DeliveryLog(endpoint: i64) -> impl IntoView {
    let prefs = use_prefs();
    let notices = use_notices();
    let t = move |k: T| prefs.t(k);
    let items = RwSignal::new(Vec::<WebhookDelivery>::new());
    let next = RwSignal::new(None::<String>);
    let detail = RwSignal::new(None::<WebhookDeliveryDetail>);
    let load = move |cursor: Option<String>| {
        leptos::task::spawn_local(async move {
            match api::webhook_deliveries(endpoint, cursor.clone()).await {
                Ok(page) => {
                    if cursor.is_some() {
                        items.update(|v| v.extend(page.items));
                    } else {
                        items.set(page.items);
                    }
                    next.set(page.next_cursor);
                }
                Err(e) => notices.error(e.message(prefs.lang.get_untracked())),
            }
        })
    };
    load(None);
    let show = move |did: i64| {
        leptos::task::spawn_local(async move {
            match api::webhook_delivery(endpoint, did).await {
                Ok(d) => detail.set(Some(d)),
                Err(e) => notices.error(e.message(prefs.lang.get_untracked())),
            }
        })
    };
    let replay = move |did: i64| {
        leptos::task::spawn_local(async move {
            match api::replay_delivery(endpoint, did).await {
                Ok(_) => {
                    notices.ok(T::ReplayQueued.get(prefs.lang.get_untracked()));
                    load(None);
                    show(did);
                }
                Err(e) => notices.error(e.message(prefs.lang.get_untracked())),
            }
        })
    };
    let state_pill = move |s: &str| {
        let (class, label) = match s {
            "succeeded" => ("pill cat-closed", T::Succeeded),
            "failed" => ("pill cat-open", T::Failed),
            _ => ("pill cat-new", T::Pending),
        };
        view! { <span class=class>{move || t(label)}</span> }
    };
    view! {
        <section class="card" aria-label=prefs.text(T::Deliveries)>
            <div class="card-head">
                <h2>{prefs.text(T::Deliveries)}" · #"{endpoint}</h2>
                <button class="btn small" on:click=move |_| load(None)>{prefs.text(T::Refresh)}</button>
            </div>
            <table class="admin-table">
                <thead><tr><th>"ID"</th><th>{prefs.text(T::Event)}</th><th>{prefs.text(T::State)}</th><th>{prefs.text(T::Attempts)}</th><th>{prefs.text(T::LastAnswer)}</th><th>{prefs.text(T::When)}</th><th></th></tr></thead>
                <tbody>
                    {move || items.get().into_iter().map(|d| {
                        let did = d.id;
                        let answer = match (d.last_status, d.last_error.clone()) {
                            (Some(s), _) => s.to_string(),
                            (None, Some(e)) => e,
                            _ => "—".into(),
                        };
                        view! {
                            <tr>
                                <td><code>{d.msg_id.clone()}</code></td>
                                <td><code>{d.event_type.clone()}</code></td>
                                <td>{state_pill(&d.state)}</td>
                                <td class="num">{d.attempts}</td>
                                <td class="clip">{answer}</td>
                                <td>{util::datetime(prefs.lang.get_untracked(), &d.updated_at)}</td>
                                <td class="row-actions">
                                    <button class="btn small" on:click=move |_| show(did)>{prefs.text(T::Attempts)}</button>
                                    <button class="btn small" on:click=move |_| replay(did)>{prefs.text(T::Replay)}</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {move || items.with(|v| v.is_empty()).then(|| view! { <p class="muted">{prefs.text(T::NoDeliveries)}</p> })}
            {move || next.get().map(|c| view! {
                <button class="btn small" on:click=move |_| load(Some(c.clone()))>{prefs.text(T::LoadMore)}</button>
            })}
            {move || detail.get().map(|d| view! {
                <div class="card inset" aria-label=prefs.text(T::Attempts)>
                    <h3>{d.delivery.msg_id.clone()}" · "{d.delivery.event_type.clone()}</h3>
                    <ol class="attempts">
                        {d.attempt_log.into_iter().map(|a| view! {
                            <li>
                                <strong>{a.status.map(|s| s.to_string()).unwrap_or_else(|| "—".into())}</strong>
                                " · "{a.latency_ms}" ms · "
                                {util::datetime(prefs.lang.get_untracked(), &a.attempted_at)}
                                {a.error.map(|e| view! { <div class="error-text">{e}</div> })}
                                {a.response.filter(|r| !r.is_empty()).map(|r| view! { <pre class="response">{r}</pre> })}
                            </li>
                        }).collect_view()}
                    </ol>
                </div>
            })}
        </section>
    }
}
