use super::writer;
use crate::api::{self, ApiError};
use crate::components::{ErrorBox, Loading};
use crate::i18n::T;
use crate::state::{use_prefs, use_refdata, use_session};
use lazo_domain::wire::{OrgSettings, SourceDef, UpdateOrgSettings};
use lazo_domain::Names;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn Settings() -> impl IntoView {
    let prefs = use_prefs();
    let w = writer();
    let refdata = use_refdata();
    let session = use_session();
    let t = move |k: T| prefs.t(k);
    let loaded = RwSignal::new(None::<Result<OrgSettings, ApiError>>);
    let name = RwSignal::new(String::new());
    let close = RwSignal::new(false);
    let comment = RwSignal::new(false);
    let inbound = RwSignal::new(None::<i64>);
    let sources = RwSignal::new(Vec::<SourceDef>::new());
    let error = RwSignal::new(None::<ApiError>);
    let fill = move |s: &OrgSettings| {
        name.set(s.name.clone());
        close.set(s.agents_may_close);
        comment.set(s.comment_required_on_update);
        inbound.set(s.inbound_email_status_id);
        sources.set(s.sources.clone());
    };
    spawn_local(async move {
        let r = api::settings().await;
        if let Ok(s) = &r {
            fill(s);
        }
        loaded.set(Some(r));
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = UpdateOrgSettings {
            name: Some(name.get_untracked()),
            agents_may_close: Some(close.get_untracked()),
            comment_required_on_update: Some(comment.get_untracked()),
            inbound_email_status_id: Some(inbound.get_untracked()),
            sources: Some(sources.get_untracked()),
        };
        w.run(
            async move { api::update_settings(&body).await },
            error,
            move |s| {
                fill(&s);
                // The signed-in person's copy of the settings drives the forms.
                session.0.update(|x| {
                    if let Some(x) = x {
                        x.me.settings = s.clone()
                    }
                });
            },
        );
    };
    // Edits write untracked: the rows re-render only when one is added or
    // removed, so typing keeps its focus.
    let sources_view = move || {
        sources.get().into_iter().enumerate().map(|(i, d)| {
            let edit = move |f: fn(&mut SourceDef, String)| {
                move |ev: leptos::ev::Event| {
                    let v = event_target_value(&ev);
                    sources.update_untracked(|s| f(&mut s[i], v));
                }
            };
            let lang_value = |v: String| (!v.trim().is_empty()).then(|| v.trim().to_owned());
            let of = if d.name.is_empty() { d.key.clone() } else { d.name.clone() };
            let label = move |k: T| format!("{} ({of})", t(k));
            view! {
                <tr>
                    <td><input type="text" aria-label=label(T::SourceKey) placeholder="email" prop:value=d.key.clone() on:input=edit(|s, v| s.key = v) /></td>
                    <td><input type="text" aria-label=label(T::Name) prop:value=d.name.clone() on:input=edit(|s, v| s.name = v) /></td>
                    <td><input type="text" lang="es" aria-label=label(T::NameEs) prop:value=d.names.es.clone().unwrap_or_default()
                        on:input=move |ev| { let v = lang_value(event_target_value(&ev)); sources.update_untracked(|s| s[i].names.es = v) } /></td>
                    <td><input type="text" lang="fr" aria-label=label(T::NameFr) prop:value=d.names.fr.clone().unwrap_or_default()
                        on:input=move |ev| { let v = lang_value(event_target_value(&ev)); sources.update_untracked(|s| s[i].names.fr = v) } /></td>
                    <td><button type="button" class="btn ghost small" on:click=move |_| sources.update(|s| { s.remove(i); })>{prefs.text(T::Remove)}</button></td>
                </tr>
            }
        }).collect_view()
    };
    move || {
        match loaded.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
        Some(Ok(_)) => view! {
            <form class="card form narrow" on:submit=save aria-label=prefs.text(T::Settings)>
                <label class="field"><span>{prefs.text(T::OrgName)}</span>
                    <input type="text" bind:value=name /></label>
                <label class="check"><input type="checkbox" prop:checked=move || close.get() on:change=move |ev| close.set(event_target_checked(&ev)) />
                    {prefs.text(T::AgentsMayClose)}</label>
                <label class="check"><input type="checkbox" prop:checked=move || comment.get() on:change=move |ev| comment.set(event_target_checked(&ev)) />
                    {prefs.text(T::CommentRequiredSetting)}</label>
                <label class="field"><span>{prefs.text(T::InboundEmailStatus)}</span>
                    <select on:change=move |ev| inbound.set(event_target_value(&ev).parse().ok())>
                        <option value="" selected=move || inbound.get().is_none()>{prefs.text(T::Unchanged)}</option>
                        {move || refdata.statuses.get().into_iter().map(|s| view! {
                            <option value=s.id.to_string() selected=inbound.get_untracked() == Some(s.id)>{s.name}</option>
                        }).collect_view()}
                    </select></label>
                <fieldset class="sources">
                    <legend>{prefs.text(T::Sources)}</legend>
                    <table class="admin-table compact">
                        <thead><tr><th>{prefs.text(T::SourceKey)}</th><th>{prefs.text(T::Name)}</th><th>{prefs.text(T::NameEs)}</th><th>{prefs.text(T::NameFr)}</th><th></th></tr></thead>
                        <tbody>{sources_view}</tbody>
                    </table>
                    <button type="button" class="btn small" on:click=move |_| sources.update(|s| s.push(SourceDef { key: String::new(), name: String::new(), names: Names::default() }))>
                        {prefs.text(T::AddSource)}
                    </button>
                </fieldset>
                {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
                <div class="composer-actions"><button class="btn primary" type="submit">{prefs.text(T::Save)}</button></div>
            </form>
        }.into_any(),
    }
    }
}
