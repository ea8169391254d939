use super::{writer, NameEdits};
use crate::api::{self, ApiError};
use crate::i18n::T;
use crate::state::{use_prefs, use_refdata};
use lazo_domain::wire::{CreateGroup, Group, GroupMemberInput, UpdateGroup};
use leptos::prelude::*;

#[component]
pub fn Groups() -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let w = writer();
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let names = NameEdits::new(&Default::default());
    let error = RwSignal::new(None::<ApiError>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let d = description.get_untracked();
        let body = CreateGroup {
            name: name.get_untracked().trim().to_owned(),
            names: names.names(),
            description: (!d.trim().is_empty()).then_some(d),
            restrict_assignees: Some(false),
            members: vec![],
        };
        w.run(
            async move { api::create_group(&body).await },
            error,
            move |_| {
                name.set(String::new());
                description.set(String::new());
                names.clear();
            },
        );
    };
    view! {
        <form class="card form inline-form" on:submit=create aria-label=prefs.text(T::NewGroup)>
            <h2>{prefs.text(T::NewGroup)}</h2>
            <div class="field-row">
                <label class="field"><span>{prefs.text(T::Name)}</span>
                    <input type="text" bind:value=name /></label>
                <label class="field"><span>{prefs.text(T::Description)}</span>
                    <input type="text" bind:value=description /></label>
                {names.fields()}
                <button class="btn primary" type="submit">{prefs.text(T::Create)}</button>
            </div>
            {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
        </form>
        <div class="group-cards">
            {move || refdata.groups.get().into_iter().map(|g| view! { <GroupCard group=g /> }).collect_view()}
        </div>
    }
}

#[component]
fn GroupCard(group: Group) -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let w = writer();
    let t = move |k: T| prefs.t(k);
    let id = group.id;
    let name = RwSignal::new(group.name.clone());
    let description = RwSignal::new(group.description.clone());
    let restrict = RwSignal::new(group.restrict_assignees);
    let names = NameEdits::new(&group.names);
    let members = RwSignal::new(
        group
            .members
            .iter()
            .map(|m| (m.user.id, m.user.name.clone(), m.manager))
            .collect::<Vec<_>>(),
    );
    let error = RwSignal::new(None::<ApiError>);
    let save = move |_| {
        let body = UpdateGroup {
            name: Some(name.get_untracked()),
            names: Some(names.names()),
            description: Some(description.get_untracked()),
            restrict_assignees: Some(restrict.get_untracked()),
            members: Some(
                members
                    .get_untracked()
                    .into_iter()
                    .map(|(user_id, _, manager)| GroupMemberInput { user_id, manager })
                    .collect(),
            ),
        };
        w.run(
            async move { api::update_group(id, &body).await },
            error,
            |_| {},
        );
    };
    let delete = move |_| {
        if window()
            .confirm_with_message(t(T::ConfirmDelete))
            .unwrap_or(false)
        {
            w.run(async move { api::delete_group(id).await }, error, |_| {});
        }
    };
    let add = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        if let Ok(uid) = v.parse::<i64>() {
            if let Some(u) = refdata
                .users
                .with_untracked(|us| us.iter().find(|u| u.id == uid).cloned())
            {
                members.update(|m| {
                    if !m.iter().any(|x| x.0 == uid) {
                        m.push((uid, u.name, false))
                    }
                });
            }
        }
    };
    let heading_id = format!("group-{id}");
    view! {
        <section class="card group-card" aria-labelledby=format!("group-{id}")>
            <h2 id=heading_id>{group.name.clone()}</h2>
            <label class="field"><span>{prefs.text(T::Name)}</span>
                <input type="text" bind:value=name /></label>
            <div class="field-row">{names.fields()}</div>
            <label class="field"><span>{prefs.text(T::Description)}</span>
                <input type="text" bind:value=description /></label>
            <label class="check"><input type="checkbox" prop:checked=move || restrict.get() on:change=move |ev| restrict.set(event_target_checked(&ev)) />
                {prefs.text(T::RestrictAssignees)}</label>
            <h3>{prefs.text(T::Members)}</h3>
            <ul class="member-list">
                {move || members.get().into_iter().map(|(uid, uname, manager)| view! {
                    <li>
                        <span>{uname.clone()}</span>
                        <label class="check small"><input type="checkbox" prop:checked=manager
                            on:change=move |ev| { let c = event_target_checked(&ev); members.update(|m| if let Some(x) = m.iter_mut().find(|x| x.0 == uid) { x.2 = c }) } />
                            {prefs.text(T::Manager)}</label>
                        <button class="btn ghost small" aria-label=format!("{} {}", t(T::Remove), uname)
                            on:click=move |_| members.update(|m| m.retain(|x| x.0 != uid))>{prefs.text(T::Remove)}</button>
                    </li>
                }).collect_view()}
            </ul>
            <label class="field"><span>{prefs.text(T::AddMember)}</span>
                <select on:change=add prop:value="">
                    <option value="">"—"</option>
                    {move || refdata.users.get().into_iter().filter(|u| u.active).map(|u| view! { <option value=u.id.to_string()>{u.name}</option> }).collect_view()}
                </select></label>
            {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
            <div class="composer-actions">
                <button class="btn ghost danger" on:click=delete>{prefs.text(T::Delete)}</button>
                <button class="btn primary" on:click=save>{prefs.text(T::Save)}</button>
            </div>
        </section>
    }
}
