//! Sub-tickets: a separate task of a ticket, owned by someone else. The list
//! shows what the caller may see (the API hides siblings they do not own).

use crate::api::{self, ApiError};
use crate::components::{
    field_errors_view, ErrorBox, Loading, OwnerChoice, OwnerPicker, PriorityTag, StatusPill,
};
use crate::i18n::{self, fill, T};
use crate::state::{use_notices, use_prefs, use_refdata};
use lazo_domain::wire::{CommentInput, CreateTicket};
use lazo_domain::{Named, Priority};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

#[component]
pub fn SubTickets(
    /// The parent's screen: its sub-tickets are loaded with it.
    st: super::TicketState,
    /// The caller may add sub-tickets (full access to the parent).
    can_create: bool,
) -> impl IntoView {
    let (parent_id, subs) = (st.tid, st.subs);
    let reload = Callback::new(move |_| st.load_subs());
    let prefs = use_prefs();
    let refdata = use_refdata();
    let notices = use_notices();
    let open = RwSignal::new(false);
    let subject = RwSignal::new(String::new());
    let priority = RwSignal::new(Priority::Medium);
    let status = RwSignal::new(String::new());
    let owner = RwSignal::new(None::<i64>);
    let group = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    let owner_name = Signal::derive(move || {
        owner
            .get()
            .and_then(|id| {
                refdata
                    .users
                    .with(|u| u.iter().find(|u| u.id == id).map(|u| u.name.clone()))
            })
            .unwrap_or_default()
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let c = comment.get_untracked();
        let body = CreateTicket {
            subject: subject.get_untracked().trim().to_owned(),
            priority: Some(priority.get_untracked()),
            status_id: status.get_untracked().parse().ok(),
            owner_id: owner.get_untracked(),
            group_id: group.get_untracked().parse().ok(),
            comment: (!c.trim().is_empty()).then_some(CommentInput {
                body: c,
                internal: true,
            }),
            ..Default::default()
        };
        spawn_local(async move {
            match api::create_sub_ticket(parent_id, &body).await {
                Ok(tk) => {
                    notices.ok(fill(
                        prefs.lang.get_untracked(),
                        T::SubTicketCreated,
                        &[("n", &tk.number.to_string())],
                    ));
                    subject.set(String::new());
                    comment.set(String::new());
                    owner.set(None);
                    open.set(false);
                    reload.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };

    let form = move || {
        let lang = prefs.lang.get();
        let err = error.get();
        view! {
            <form class="subticket-form card inset" on:submit=submit aria-label=T::NewSubTicket.get(lang)>
                <label class="field">
                    <span>{T::Subject.get(lang)}</span>
                    <input
                        type="text"
                        required
                        maxlength=lazo_domain::limits::SUBJECT_MAX.to_string()
                        bind:value=subject
                    />
                    {field_errors_view(err.clone(), "subject", lang)}
                </label>
                <div class="field-row">
                    <label class="field">
                        <span>{T::Priority.get(lang)}</span>
                        <select on:change=move |ev| {
                            if let Ok(p) = event_target_value(&ev).parse() {
                                priority.set(p)
                            }
                        }>
                            {Priority::ALL
                                .iter()
                                .map(|p| view! {
                                    <option value=p.as_str() selected=*p == priority.get_untracked()>
                                        {i18n::priority(*p).get(lang)}
                                    </option>
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span>{T::Status.get(lang)}</span>
                        <select on:change=move |ev| status.set(event_target_value(&ev))>
                            <option value="">{T::DefaultValue.get(lang)}</option>
                            {refdata.statuses.get().into_iter().filter(|s| s.active)
                                .map(|s| view! { <option value=s.id.to_string()>{s.localized(lang.code()).to_owned()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="sub-owner">{T::Owner.get(lang)}</label>
                        <OwnerPicker
                            id="sub-owner"
                            current=owner_name
                            groups=false
                            on_pick=Callback::new(move |c| match c {
                                OwnerChoice::User(id) => owner.set(Some(id)),
                                _ => owner.set(None),
                            })
                        />
                        {field_errors_view(err.clone(), "owner_id", lang)}
                    </div>
                    <label class="field">
                        <span>{T::Group.get(lang)}</span>
                        <select on:change=move |ev| group.set(event_target_value(&ev))>
                            <option value="">{T::NoGroup.get(lang)}</option>
                            {refdata.groups.get().into_iter()
                                .map(|g| view! { <option value=g.id.to_string()>{g.localized(lang.code()).to_owned()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                </div>
                <label class="field">
                    <span>{T::Comment.get(lang)}</span>
                    <textarea rows="2" bind:value=comment></textarea>
                </label>
                {err.filter(|e| e.field_errors().is_empty()).map(|e| view! { <p class="error-box" role="alert">{e.message(lang)}</p> })}
                <div class="composer-actions">
                    <button type="button" class="btn ghost" on:click=move |_| open.set(false)>{T::Cancel.get(lang)}</button>
                    <button type="submit" class="btn primary" disabled=move || busy.get()>{T::CreateSubTicket.get(lang)}</button>
                </div>
            </form>
        }
    };

    let rows = move || {
        match subs.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Err(e)) => view! { <ErrorBox error=e retry=reload /> }.into_any(),
        Some(Ok(items)) if items.is_empty() => view! { <p class="empty small">{prefs.text(T::NoSubTickets)}</p> }.into_any(),
        Some(Ok(items)) => view! {
            <ul class="sub-list">
                {items.into_iter().map(|s| view! {
                    <li>
                        <A href=format!("/tickets/{}", s.number)>
                            <span class="num">{format!("#{}", s.number)}</span>
                            <span class="sub-subject">{s.subject.clone()}</span>
                        </A>
                        <StatusPill status=s.status.clone() />
                        <PriorityTag priority=s.priority />
                        <span class="muted">{s.owner.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| "—".into())}</span>
                    </li>
                }).collect_view()}
            </ul>
        }.into_any(),
    }
    };

    view! {
        <section class="card subtickets" aria-labelledby="subtickets-h">
            <div class="card-head">
                <h2 id="subtickets-h">
                    {prefs.text(T::SubTickets)}
                    <span class="count">{move || subs.with(|s| s.as_ref().and_then(|s| s.as_ref().ok()).map(|s| s.len()).unwrap_or(0))}</span>
                </h2>
                {can_create.then(|| view! {
                    <button class="btn small" on:click=move |_| open.update(|o| *o = !*o) aria-expanded=move || open.get().to_string()>
                        {prefs.text(T::NewSubTicket)}
                    </button>
                })}
            </div>
            <Show when=move || open.get()>{form}</Show>
            {rows}
        </section>
    }
}
