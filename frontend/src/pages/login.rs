//! Sign in. The session (JWT and the person) is kept in localStorage; `next`
//! brings the person back to where an expired session interrupted them.

use crate::api::{self, ApiError};
use crate::components::LangSelect;
use crate::i18n::T;
use crate::state::{use_prefs, use_session, Session};
use lazo_domain::wire::LoginRequest;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

/// Only same-site paths are followed after login (no open redirect).
fn safe_next(next: Option<String>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/login") => n,
        _ => "/tickets".into(),
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let prefs = use_prefs();
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let expired = move || query.with(|q| q.get("expired").is_some()) || session.1.get();
    let t = move |k: T| prefs.t(k);

    // Already signed in (e.g. a second tab): go on.
    {
        let navigate = navigate.clone();
        Effect::new(move |_| {
            if session.0.with(|s| s.is_some()) && !busy.get_untracked() {
                let next = safe_next(query.with_untracked(|q| q.get("next")));
                navigate(
                    &next,
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
            }
        });
    }

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let req = LoginRequest {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::login(&req).await {
                Ok(r) => {
                    session.sign_in(Session {
                        token: r.token,
                        expires_at: r.expires_at,
                        me: r.user,
                    });
                    let next = safe_next(query.with_untracked(|q| q.get("next")));
                    navigate(
                        &next,
                        NavigateOptions {
                            replace: true,
                            ..Default::default()
                        },
                    );
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };

    view! {
        <section class="login">
            <div class="login-card">
                <div class="login-head">
                    <span class="brand-mark big" aria-hidden="true"></span>
                    <h1>{prefs.text(T::LoginTitle)}</h1>
                    <p class="muted">{prefs.text(T::LoginTagline)}</p>
                </div>
                <Show when=move || expired() && error.with(|e| e.is_none())>
                    <p class="info-box" role="status">{prefs.text(T::SessionExpired)}</p>
                </Show>
                <form on:submit=submit novalidate>
                    <label class="field">
                        <span>{prefs.text(T::Email)}</span>
                        <input
                            type="email"
                            name="email"
                            autocomplete="username"
                            required
                            autofocus
                            bind:value=email
                        />
                    </label>
                    <label class="field">
                        <span>{prefs.text(T::Password)}</span>
                        <input
                            type="password"
                            name="password"
                            autocomplete="current-password"
                            required
                            bind:value=password
                        />
                    </label>
                    {move || {
                        error
                            .get()
                            .map(|e| {
                                view! {
                                    <p class="error-box" role="alert">
                                        {e.message(prefs.lang.get())}
                                    </p>
                                }
                            })
                    }}
                    <button class="btn primary wide" type="submit" disabled=move || busy.get()>
                        {move || if busy.get() { t(T::SigningIn) } else { t(T::SignIn) }}
                    </button>
                </form>
                <div class="login-foot">
                    <LangSelect />
                </div>
            </div>
        </section>
    }
}
