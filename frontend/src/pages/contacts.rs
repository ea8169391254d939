//! Customers: search the contacts one may see, and a contact's page with
//! their details (editable), timeline, and, for admins, merging a duplicate
//! into them.

use crate::api::{self, ApiError};
use crate::i18n::T;
use crate::pages::ticket::customer::{ContactDetails, Timeline};
use crate::state::{use_notices, use_prefs, use_session};
use lazo_domain::feedback::UpdateContact;
use lazo_domain::wire::Contact;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ContactsPage() -> impl IntoView {
    let prefs = use_prefs();
    let q = RwSignal::new(String::new());
    let items = RwSignal::new(Vec::<Contact>::new());
    let next = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let load = move |cursor: Option<String>| {
        let text = q.get_untracked();
        leptos::task::spawn_local(async move {
            match api::contacts(text.trim(), cursor.clone()).await {
                Ok(page) => {
                    error.set(None);
                    if cursor.is_some() {
                        items.update(|v| v.extend(page.items));
                    } else {
                        items.set(page.items);
                    }
                    next.set(page.next_cursor);
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    load(None);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        load(None);
    };
    view! {
        <section class="page contacts">
            <h1>{prefs.text(T::Customers)}</h1>
            <form class="search-row" role="search" on:submit=search>
                <input type="search" aria-label=prefs.text(T::SearchCustomers) placeholder=prefs.text(T::SearchCustomers)
                    bind:value=q />
                <button class="btn" type="submit">{prefs.text(T::Search)}</button>
            </form>
            {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
            <table class="admin-table" aria-label=prefs.text(T::Customers)>
                <thead><tr><th>{prefs.text(T::Name)}</th><th>{prefs.text(T::Email)}</th><th>{prefs.text(T::Phone)}</th><th>{prefs.text(T::ExternalRef)}</th></tr></thead>
                <tbody>
                    {move || items.get().into_iter().map(|c| {
                        let shown = c.name.clone().or(c.email.clone()).unwrap_or_else(|| format!("#{}", c.id));
                        view! {
                        <tr>
                            <td><A href=format!("/contacts/{}", c.id)>{shown}</A></td>
                            <td>{c.email.clone()}</td>
                            <td>{c.phone.clone()}</td>
                            <td>{c.external_ref.clone()}</td>
                        </tr>
                    }}).collect_view()}
                </tbody>
            </table>
            {move || items.with(|v| v.is_empty()).then(|| view! { <p class="muted">{prefs.text(T::NothingYet)}</p> })}
            {move || next.get().map(|c| view! {
                <button class="btn small" on:click=move |_| load(Some(c.clone()))>{prefs.text(T::LoadMore)}</button>
            })}
        </section>
    }
}

#[component]
pub fn ContactPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok())));
    move || match id.get() {
        Some(id) => view! { <ContactScreen id=id /> }.into_any(),
        None => view! { <crate::pages::NotFound /> }.into_any(),
    }
}

#[component]
fn ContactScreen(id: i64) -> impl IntoView {
    let prefs = use_prefs();
    let notices = use_notices();
    let session = use_session();
    let contact = RwSignal::new(None::<Contact>);
    let error = RwSignal::new(None::<ApiError>);
    // Bumped after a save or merge: the details and timeline rebuild.
    let version = RwSignal::new(0u32);
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::contact(id).await {
                Ok(c) => {
                    contact.set(Some(c));
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    load();
    let editing = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let language = RwSignal::new(String::new());
    let subscribed = RwSignal::new(true);
    let start_edit = move |_| {
        if let Some(c) = contact.get_untracked() {
            name.set(c.name.unwrap_or_default());
            phone.set(c.phone.unwrap_or_default());
            language.set(c.language.unwrap_or_default());
            subscribed.set(c.subscribed);
            editing.set(true);
        }
    };
    let opt = |s: String| Some(Some(s.trim().to_owned()).filter(|s| !s.is_empty()));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = UpdateContact {
            name: opt(name.get_untracked()),
            phone: opt(phone.get_untracked()),
            language: opt(language.get_untracked()),
            subscribed: Some(subscribed.get_untracked()),
            ..Default::default()
        };
        leptos::task::spawn_local(async move {
            match api::update_contact(id, &body).await {
                Ok(c) => {
                    contact.set(Some(c));
                    version.update(|v| *v += 1);
                    editing.set(false);
                    notices.ok(T::Saved.get(prefs.lang.get_untracked()));
                }
                Err(e) => notices.error(e.message(prefs.lang.get_untracked())),
            }
        });
    };
    let merge_from = RwSignal::new(String::new());
    let merge = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(from) = merge_from
            .get_untracked()
            .trim()
            .trim_start_matches('#')
            .parse::<i64>()
        else {
            notices.error(T::MergeWhich.get(prefs.lang.get_untracked()));
            return;
        };
        let ok = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(T::ConfirmMerge.get(prefs.lang.get_untracked()))
                    .ok()
            })
            .unwrap_or(false);
        if !ok {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::merge_contacts(id, from).await {
                Ok(c) => {
                    contact.set(Some(c));
                    version.update(|v| *v += 1);
                    merge_from.set(String::new());
                    notices.ok(T::Merged.get(prefs.lang.get_untracked()));
                }
                Err(e) => notices.error(e.message(prefs.lang.get_untracked())),
            }
        });
    };
    view! {
        <section class="page contact">
            <A href="/contacts">{prefs.text(T::Customers)}</A>
            {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
            {move || contact.get().map(|c| {
                let title = c.name.clone().or(c.email.clone()).unwrap_or_else(|| format!("#{}", c.id));
                version.track();
                view! {
                    <h1>{title}</h1>
                    <div class="contact-grid">
                        <section class="card" aria-label=prefs.text(T::Details)>
                            <div class="card-head">
                                <h2>{prefs.text(T::Details)}</h2>
                                <button class="btn small" on:click=start_edit>{prefs.text(T::Edit)}</button>
                            </div>
                            {move || (!editing.get()).then(|| view! { <ContactDetails contact=c.clone() /> })}
                            {move || editing.get().then(|| view! {
                                <form class="form" on:submit=save aria-label=prefs.text(T::Edit)>
                                    <label class="field"><span>{prefs.text(T::Name)}</span>
                                        <input type="text" bind:value=name /></label>
                                    <label class="field"><span>{prefs.text(T::Phone)}</span>
                                        <input type="text" bind:value=phone /></label>
                                    <label class="field"><span>{prefs.text(T::Language)}</span>
                                        <input type="text" bind:value=language /></label>
                                    <label class="check"><input type="checkbox" prop:checked=move || subscribed.get() on:change=move |ev| subscribed.set(event_target_checked(&ev)) />{prefs.text(T::Subscribed)}</label>
                                    <div class="form-actions">
                                        <button class="btn primary" type="submit">{prefs.text(T::Save)}</button>
                                        <button class="btn" type="button" on:click=move |_| editing.set(false)>{prefs.text(T::Cancel)}</button>
                                    </div>
                                </form>
                            })}
                            {move || session.is_admin().then(|| view! {
                                <form class="form merge" on:submit=merge aria-label=prefs.text(T::MergeContact)>
                                    <label class="field"><span>{prefs.text(T::MergeContact)}</span>
                                        <input type="text" inputmode="numeric" placeholder="#123" bind:value=merge_from /></label>
                                    <button class="btn small" type="submit">{prefs.text(T::Merge)}</button>
                                </form>
                            })}
                        </section>
                        <section class="card" aria-label=prefs.text(T::Timeline)>
                            <h2>{prefs.text(T::Timeline)}</h2>
                            <Timeline contact=id ticket=None />
                        </section>
                    </div>
                }
            })}
        </section>
    }
}
