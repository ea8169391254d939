use super::writer;
use crate::api::{self, ApiError};
use crate::components::{field_errors_view, ErrorBox, Loading};
use crate::i18n::{self, T};
use crate::state::use_prefs;
use lazo_domain::wire::{CreateUser, UpdateUser, User};
use lazo_domain::Role;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn Users() -> impl IntoView {
    let prefs = use_prefs();
    let w = writer();
    let t = move |k: T| prefs.t(k);
    let users = RwSignal::new(None::<Result<Vec<User>, ApiError>>);
    let load = move || spawn_local(async move { users.set(Some(api::users().await)) });
    load();

    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Agent);
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CreateUser {
            email: email.get_untracked().trim().to_owned(),
            name: name.get_untracked().trim().to_owned(),
            language: Some(prefs.lang.get_untracked().code().to_owned()),
            role: role.get_untracked(),
            password: password.get_untracked(),
            active: Some(true),
        };
        w.run(
            async move { api::create_user(&body).await },
            error,
            move |_| {
                name.set(String::new());
                email.set(String::new());
                password.set(String::new());
                load();
            },
        );
    };

    let list = move || {
        match users.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
        Some(Ok(us)) => view! {
            <table class="admin-table" aria-label=prefs.text(T::Users)>
                <thead><tr>
                    <th>{prefs.text(T::Name)}</th><th>{prefs.text(T::Email)}</th><th>{prefs.text(T::Role)}</th>
                    <th>{prefs.text(T::Groups)}</th><th>{prefs.text(T::Active)}</th><th>{prefs.text(T::NewPassword)}</th><th></th>
                </tr></thead>
                <tbody>{us.into_iter().map(|u| view! { <UserRow user=u reload=Callback::new(move |_| load()) /> }).collect_view()}</tbody>
            </table>
        }.into_any(),
    }
    };

    view! {
        <form class="card form inline-form" on:submit=create aria-label=prefs.text(T::NewUser)>
            <h2>{prefs.text(T::NewUser)}</h2>
            <div class="field-row">
                <label class="field"><span>{prefs.text(T::Name)}</span>
                    <input type="text" bind:value=name />
                    {move || field_errors_view(error.get(), "name", prefs.lang.get())}</label>
                <label class="field"><span>{prefs.text(T::Email)}</span>
                    <input type="email" bind:value=email />
                    {move || field_errors_view(error.get(), "email", prefs.lang.get())}</label>
                <label class="field"><span>{prefs.text(T::Role)}</span>
                    <select on:change=move |ev| { if let Ok(r) = event_target_value(&ev).parse() { role.set(r) } }>
                        {move || Role::ALL.iter().map(|r| view! { <option value=r.as_str() selected=*r == role.get_untracked()>{t(i18n::role(*r))}</option> }).collect_view()}
                    </select></label>
                <label class="field"><span>{prefs.text(T::Password)}</span>
                    <input type="password" autocomplete="new-password" bind:value=password />
                    {move || field_errors_view(error.get(), "password", prefs.lang.get())}</label>
                <button class="btn primary" type="submit">{prefs.text(T::Create)}</button>
            </div>
        </form>
        {list}
    }
}

#[component]
fn UserRow(user: User, reload: Callback<()>) -> impl IntoView {
    let prefs = use_prefs();
    let w = writer();
    let t = move |k: T| prefs.t(k);
    let name = RwSignal::new(user.name.clone());
    let role = RwSignal::new(user.role);
    let active = RwSignal::new(user.active);
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let id = user.id;
    let orig = StoredValue::new(user.clone());
    let save = move |_| {
        let o = orig.get_value();
        let pw = password.get_untracked();
        let body = UpdateUser {
            name: (name.get_untracked() != o.name).then(|| name.get_untracked()),
            role: (role.get_untracked() != o.role).then(|| role.get_untracked()),
            active: (active.get_untracked() != o.active).then(|| active.get_untracked()),
            password: (!pw.is_empty()).then_some(pw),
            ..Default::default()
        };
        w.run(
            async move { api::update_user(id, &body).await },
            error,
            move |_| {
                password.set(String::new());
                reload.run(());
            },
        );
    };
    let groups = user
        .groups
        .iter()
        .map(|g| g.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <tr>
            <td><input type="text" aria-label=prefs.text(T::Name) bind:value=name /></td>
            <td>{user.email.clone()}</td>
            <td><select aria-label=prefs.text(T::Role) on:change=move |ev| { if let Ok(r) = event_target_value(&ev).parse() { role.set(r) } }>
                {move || Role::ALL.iter().map(|r| view! { <option value=r.as_str() selected=*r == role.get_untracked()>{t(i18n::role(*r))}</option> }).collect_view()}
            </select></td>
            <td class="muted">{groups}</td>
            <td><input type="checkbox" aria-label=prefs.text(T::Active) prop:checked=move || active.get() on:change=move |ev| active.set(event_target_checked(&ev)) /></td>
            <td><input type="password" autocomplete="new-password" aria-label=prefs.text(T::NewPassword) bind:value=password />
                {move || error.get().map(|e| view! { <p class="field-error">{e.message(prefs.lang.get())}</p> })}</td>
            <td><button class="btn small" on:click=save>{prefs.text(T::Save)}</button></td>
        </tr>
    }
}
