use super::writer;
use crate::api::{self, ApiError};
use crate::components::{ErrorBox, Loading};
use crate::i18n::T;
use crate::state::{use_prefs, use_refdata, use_session};
use lazo_domain::wire::{OrgSettings, UpdateOrgSettings};
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
    let error = RwSignal::new(None::<ApiError>);
    let fill = move |s: &OrgSettings| {
        name.set(s.name.clone());
        close.set(s.agents_may_close);
        comment.set(s.comment_required_on_update);
        inbound.set(s.inbound_email_status_id);
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
    move || {
        match loaded.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
        Some(Ok(_)) => view! {
            <form class="card form narrow" on:submit=save aria-label=move || t(T::Settings)>
                <label class="field"><span>{move || t(T::OrgName)}</span>
                    <input type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <label class="check"><input type="checkbox" prop:checked=move || close.get() on:change=move |ev| close.set(event_target_checked(&ev)) />
                    {move || t(T::AgentsMayClose)}</label>
                <label class="check"><input type="checkbox" prop:checked=move || comment.get() on:change=move |ev| comment.set(event_target_checked(&ev)) />
                    {move || t(T::CommentRequiredSetting)}</label>
                <label class="field"><span>{move || t(T::InboundEmailStatus)}</span>
                    <select on:change=move |ev| inbound.set(event_target_value(&ev).parse().ok())>
                        <option value="" selected=move || inbound.get().is_none()>{move || t(T::Unchanged)}</option>
                        {move || refdata.statuses.get().into_iter().map(|s| view! {
                            <option value=s.id.to_string() selected=inbound.get_untracked() == Some(s.id)>{s.name}</option>
                        }).collect_view()}
                    </select></label>
                {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
                <div class="composer-actions"><button class="btn primary" type="submit">{move || t(T::Save)}</button></div>
            </form>
        }.into_any(),
    }
    }
}
