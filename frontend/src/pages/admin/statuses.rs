use super::{writer, NameEdits};
use crate::api::{self, ApiError};
use crate::i18n::{self, T};
use crate::state::{use_prefs, use_refdata};
use lazo_domain::wire::{CreateStatus, Status, UpdateStatus};
use lazo_domain::StatusCategory;
use leptos::prelude::*;

#[component]
pub fn Statuses() -> impl IntoView {
    let prefs = use_prefs();
    let w = writer();
    let refdata = use_refdata();
    let t = move |k: T| prefs.t(k);
    let name = RwSignal::new(String::new());
    let category = RwSignal::new(StatusCategory::Open);
    let names = NameEdits::new(&Default::default());
    let error = RwSignal::new(None::<ApiError>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CreateStatus {
            name: name.get_untracked().trim().to_owned(),
            names: names.names(),
            category: category.get_untracked(),
            position: None,
        };
        w.run(
            async move { api::create_status(&body).await },
            error,
            move |_| {
                name.set(String::new());
                names.clear();
            },
        );
    };
    // Swapping positions with the neighbour keeps the order dense.
    let swap = move |a: Status, b: Status| {
        let e = error;
        w.run(
            async move {
                api::update_status(
                    a.id,
                    &UpdateStatus {
                        position: Some(b.position),
                        ..Default::default()
                    },
                )
                .await?;
                api::update_status(
                    b.id,
                    &UpdateStatus {
                        position: Some(a.position),
                        ..Default::default()
                    },
                )
                .await
            },
            e,
            |_| {},
        );
    };
    let cat_select = move |sig: RwSignal<StatusCategory>| {
        view! {
            <select aria-label=prefs.text(T::Category) on:change=move |ev| { if let Ok(c) = event_target_value(&ev).parse() { sig.set(c) } }>
                {move || StatusCategory::ALL.iter().map(|c| view! { <option value=c.as_str() selected=*c == sig.get_untracked()>{t(i18n::category(*c))}</option> }).collect_view()}
            </select>
        }
    };
    let rows = move || {
        let all = refdata.statuses.get();
        let n = all.len();
        all.iter().enumerate().map(|(i, s)| {
            let s = s.clone();
            let prev = (i > 0).then(|| all[i - 1].clone());
            let next = (i + 1 < n).then(|| all[i + 1].clone());
            let nm = RwSignal::new(s.name.clone());
            let cat = RwSignal::new(s.category);
            let active = RwSignal::new(s.active);
            let names = NameEdits::new(&s.names);
            let id = s.id;
            let s_up = s.clone();
            let s_down = s.clone();
            let save = move |_| {
                let body = UpdateStatus { name: Some(nm.get_untracked()), names: Some(names.names()), category: Some(cat.get_untracked()), active: Some(active.get_untracked()), position: None };
                w.run(async move { api::update_status(id, &body).await }, error, |_| {});
            };
            view! {
                <tr>
                    <td class="num">{s.position}</td>
                    <td><input type="text" aria-label=prefs.text(T::Name) bind:value=nm /></td>
                    <td class="names-cell">{names.inputs(s.name.clone())}</td>
                    <td>{cat_select(cat)}</td>
                    <td><input type="checkbox" aria-label=prefs.text(T::Active) prop:checked=move || active.get() on:change=move |ev| active.set(event_target_checked(&ev)) /></td>
                    <td class="row-actions">
                        <button class="btn icon small" aria-label=prefs.text(T::MoveUp) disabled=prev.is_none()
                            on:click=move |_| if let Some(p) = prev.clone() { swap(s_up.clone(), p) }>"↑"</button>
                        <button class="btn icon small" aria-label=prefs.text(T::MoveDown) disabled=next.is_none()
                            on:click=move |_| if let Some(nx) = next.clone() { swap(s_down.clone(), nx) }>"↓"</button>
                        <button class="btn small" on:click=save>{prefs.text(T::Save)}</button>
                    </td>
                </tr>
            }
        }).collect_view()
    };
    view! {
        <form class="card form inline-form" on:submit=create aria-label=prefs.text(T::NewStatus)>
            <h2>{prefs.text(T::NewStatus)}</h2>
            <div class="field-row">
                <label class="field"><span>{prefs.text(T::Name)}</span>
                    <input type="text" bind:value=name /></label>
                {names.fields()}
                <label class="field"><span>{prefs.text(T::Category)}</span>{cat_select(category)}</label>
                <button class="btn primary" type="submit">{prefs.text(T::Create)}</button>
            </div>
            {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
        </form>
        <table class="admin-table" aria-label=prefs.text(T::Statuses)>
            <thead><tr><th>{prefs.text(T::Position)}</th><th>{prefs.text(T::Name)}</th><th>"es / fr"</th><th>{prefs.text(T::Category)}</th><th>{prefs.text(T::Active)}</th><th></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
