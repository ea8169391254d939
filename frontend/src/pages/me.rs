//! The signed-in person's own settings: what they are told, and how.

use crate::api::{self, ApiError};
use crate::i18n::T;
use crate::state::{use_notices, use_prefs};
use lazo_domain::notification::{NotificationPref, NotificationPrefs};
use lazo_domain::NotificationKind;
use leptos::prelude::*;

fn kind_label(k: NotificationKind) -> T {
    match k {
        NotificationKind::Created => T::NkCreated,
        NotificationKind::Assigned => T::NkAssigned,
        NotificationKind::GroupAssigned => T::NkGroupAssigned,
        NotificationKind::Status => T::NkStatus,
        NotificationKind::Escalated => T::NkEscalated,
        NotificationKind::Group => T::NkGroup,
        NotificationKind::Tags => T::NkTags,
        NotificationKind::Commented => T::NkCommented,
        NotificationKind::EmailReceived => T::NkEmailReceived,
        NotificationKind::Attachments => T::NkAttachments,
    }
}

#[component]
pub fn NotificationSettings() -> impl IntoView {
    let prefs = use_prefs();
    let notices = use_notices();
    let t = move |k: T| prefs.t(k);
    let rows = RwSignal::new(Vec::<(NotificationKind, RwSignal<bool>, RwSignal<bool>)>::new());
    let error = RwSignal::new(None::<ApiError>);
    leptos::task::spawn_local(async move {
        match api::notification_prefs().await {
            Ok(p) => rows.set(
                p.items
                    .into_iter()
                    .map(|p| (p.kind, RwSignal::new(p.in_app), RwSignal::new(p.email)))
                    .collect(),
            ),
            Err(e) => error.set(Some(e)),
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NotificationPrefs {
            items: rows
                .get_untracked()
                .iter()
                .map(|(k, a, e)| NotificationPref {
                    kind: *k,
                    in_app: a.get_untracked(),
                    email: e.get_untracked(),
                })
                .collect(),
        };
        leptos::task::spawn_local(async move {
            match api::set_notification_prefs(&body).await {
                Ok(_) => notices.ok(T::Saved.get(prefs.lang.get_untracked())),
                Err(e) => notices.error(e.message(prefs.lang.get_untracked())),
            }
        });
    };
    view! {
        <section class="page narrow">
            <h1>{prefs.text(T::NotificationSettings)}</h1>
            <p class="muted">{prefs.text(T::NotificationSettingsHelp)}</p>
            {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
            <form class="card" on:submit=save aria-label=prefs.text(T::NotificationSettings)>
                <table class="admin-table prefs">
                    <thead><tr><th></th><th>{prefs.text(T::InApp)}</th><th>{prefs.text(T::ByEmail)}</th></tr></thead>
                    <tbody>
                        {move || rows.get().into_iter().map(|(k, a, e)| view! {
                            <tr>
                                <td>{move || t(kind_label(k))}</td>
                                <td><input type="checkbox" aria-label=move || format!("{} — {}", t(kind_label(k)), t(T::InApp))
                                    prop:checked=move || a.get() on:change=move |ev| a.set(event_target_checked(&ev)) /></td>
                                <td><input type="checkbox" aria-label=move || format!("{} — {}", t(kind_label(k)), t(T::ByEmail))
                                    prop:checked=move || e.get() on:change=move |ev| e.set(event_target_checked(&ev)) /></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <button class="btn primary" type="submit">{prefs.text(T::Save)}</button>
            </form>
        </section>
    }
}
