//! The notification bell: the unread count (looked up every minute and when
//! the panel closes), a panel with the latest notifications, mark read, and
//! the way to the preferences.

use crate::api;
use crate::i18n::T;
use crate::state::use_prefs;
use crate::util;
use lazo_domain::notification::{MarkRead, Notification};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn Bell() -> impl IntoView {
    let prefs = use_prefs();
    let t = move |k: T| prefs.t(k);
    let unread = RwSignal::new(0i64);
    let open = RwSignal::new(false);
    let items = RwSignal::new(Vec::<Notification>::new());
    let refresh = move || {
        leptos::task::spawn_local(async move {
            if let Ok(p) = api::notifications(false, 20).await {
                unread.set(p.unread);
                items.set(p.items);
            }
        })
    };
    // At once, and again whenever the app's language changes: the server
    // words the details in the language the requests ask for.
    Effect::new(move |_| {
        prefs.lang.track();
        refresh();
    });
    // Every minute while the app is open.
    fn tick(f: impl Fn() + Copy + 'static) {
        util::later(60_000, move || {
            f();
            tick(f)
        });
    }
    tick(refresh);
    let navigate = use_navigate();
    let go = Callback::new(move |n: Notification| {
        open.set(false);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            if n.read_at.is_none() {
                let _ = api::mark_read(&MarkRead {
                    ids: vec![n.id],
                    all: false,
                })
                .await;
            }
            refresh();
        });
        if let Some(tid) = n.ticket_id {
            navigate(&format!("/tickets/id/{tid}"), Default::default());
        }
    });
    let all_read = move |_| {
        leptos::task::spawn_local(async move {
            let _ = api::mark_read(&MarkRead {
                ids: vec![],
                all: true,
            })
            .await;
            refresh();
        })
    };
    let label = move || {
        let n = unread.get();
        if n > 0 {
            format!("{} ({n})", t(T::Notifications))
        } else {
            t(T::Notifications).to_owned()
        }
    };
    view! {
        <div class="bell">
            <button class="btn ghost bell-button" aria-label=label aria-expanded=move || open.get().to_string()
                on:click=move |_| { open.update(|o| *o = !*o); if open.get_untracked() { refresh() } }>
                <svg class="bell-icon" aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                    <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9"></path>
                    <path d="M13.73 21a2 2 0 0 1-3.46 0"></path>
                </svg>
                {move || (unread.get() > 0).then(|| view! { <span class="bell-count">{move || if unread.get() > 99 { "99+".to_owned() } else { unread.get().to_string() }}</span> })}
            </button>
            <Show when=move || open.get()>
                <div class="bell-panel" role="dialog" aria-label=prefs.text(T::Notifications)>
                    <div class="bell-head">
                        <strong>{prefs.text(T::Notifications)}</strong>
                        <button class="btn small" disabled=move || unread.get() == 0 on:click=all_read>{prefs.text(T::MarkAllRead)}</button>
                    </div>
                    <ul class="bell-list">
                        {move || items.get().into_iter().map(|n| {
                            let lang = prefs.lang.get_untracked();
                            let unread_item = n.read_at.is_none();
                            let n2 = n.clone();
                            view! {
                                <li class:unread=unread_item>
                                    <button class="linklike" on:click=move |_| go.run(n2.clone())>
                                        <span class="n-title">{n.title.clone()}</span>
                                        <span class="n-detail">{n.detail.clone()}</span>
                                        <span class="muted small">{n.actor.clone()}" · "{util::datetime(lang, &n.created_at)}</span>
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {move || items.with(|v| v.is_empty()).then(|| view! { <p class="muted small">{prefs.text(T::NoNotifications)}</p> })}
                    <div class="bell-foot">
                        <A href="/me/notifications" on:click=move |_| open.set(false)>{prefs.text(T::NotificationSettings)}</A>
                    </div>
                </div>
            </Show>
        </div>
    }
}
