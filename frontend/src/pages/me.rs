//! The signed-in person's own settings: what they are told, and how.

use crate::api::{self, ApiError};
use crate::i18n::{Lang, T};
use crate::state::{use_notices, use_prefs, use_session};
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
    let session = use_session();
    let t = move |k: T| prefs.t(k);
    // The account's language: what notification emails are written in (the
    // app itself shows the language picked in the top bar).
    let email_lang = RwSignal::new(
        session
            .me()
            .map(|m| m.language)
            .unwrap_or_else(|| "en".into()),
    );
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
        let language = email_lang.get_untracked();
        let changed = session.me().is_some_and(|m| m.language != language);
        leptos::task::spawn_local(async move {
            let lang = prefs.lang.get_untracked();
            if changed {
                let body = lazo_domain::wire::UpdateMe {
                    language: Some(language),
                };
                match api::update_me(&body).await {
                    Ok(me) => session.refresh(me),
                    Err(e) => return notices.error(e.message(lang)),
                }
            }
            match api::set_notification_prefs(&body).await {
                Ok(_) => notices.ok(T::Saved.get(lang)),
                Err(e) => notices.error(e.message(lang)),
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
                <label class="field email-language">
                    <span>{prefs.text(T::EmailLanguage)}</span>
                    <select prop:value=move || email_lang.get() on:change=move |ev| email_lang.set(event_target_value(&ev))>
                        {Lang::ALL.iter().map(|l| view! { <option value=l.code()>{l.native_name()}</option> }).collect_view()}
                    </select>
                </label>
                <button class="btn primary" type="submit">{prefs.text(T::Save)}</button>
            </form>
        </section>
    }
}
