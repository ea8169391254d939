//! Create a ticket by hand. The API validates; its field errors appear next
//! to their fields (the form does not second-guess the server's rules).

use crate::api::{self, ApiError};
use crate::components::{
    field_errors_view, set_field, use_nav, CustomFieldInput, DateInput, OwnerChoice, OwnerPicker,
};
use crate::i18n::{self, fill, T};
use crate::state::{use_list, use_notices, use_prefs, use_refdata};
use crate::util;
use lazo_domain::wire::{CommentInput, ContactInput, CreateTicket, FieldValues};
use lazo_domain::{Named, Priority};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn NewTicketPage() -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let notices = use_notices();
    let list = use_list();
    let nav = use_nav();
    let t = move |k: T| prefs.t(k);

    let subject = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let type_id = RwSignal::new(None::<i64>);
    let priority = RwSignal::new(Priority::Medium);
    let status_id = RwSignal::new(None::<i64>);
    let group_id = RwSignal::new(None::<i64>);
    let owner_id = RwSignal::new(None::<i64>);
    let root_cause_id = RwSignal::new(None::<i64>);
    let req_email = RwSignal::new(String::new());
    let req_name = RwSignal::new(String::new());
    let tags = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    let score = RwSignal::new(String::new());
    let summary_comment = RwSignal::new(String::new());
    let custom = RwSignal::new(FieldValues::new());
    let public = RwSignal::new(true);
    let comment = RwSignal::new(String::new());
    let comment_internal = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    let ticket_type = Memo::new(move |_| {
        type_id.get().and_then(|id| {
            refdata
                .types
                .with(|ts| ts.iter().find(|t| t.id == id).cloned())
        })
    });
    let owner_name = Signal::derive(move || {
        owner_id
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
        if busy.get_untracked() {
            return;
        }
        let opt = |s: RwSignal<String>| {
            let v = s.get_untracked().trim().to_owned();
            (!v.is_empty()).then_some(v)
        };
        let email = opt(req_email);
        let name = opt(req_name);
        let body = CreateTicket {
            subject: subject.get_untracked().trim().to_owned(),
            description: opt(description),
            type_id: type_id.get_untracked(),
            priority: Some(priority.get_untracked()),
            status_id: status_id.get_untracked(),
            root_cause_id: root_cause_id.get_untracked(),
            group_id: group_id.get_untracked(),
            owner_id: owner_id.get_untracked(),
            requester: (email.is_some() || name.is_some()).then(|| ContactInput {
                email,
                name,
                ..Default::default()
            }),
            tags: tags
                .get_untracked()
                .split(',')
                .map(lazo_domain::wire::normalize_tag)
                .filter(|t| !t.is_empty())
                .collect(),
            source: Some("manual".into()),
            due_at: opt(due).and_then(|d| util::end_of_local_day(&d)),
            // A score that is not a number goes to the API as is... it cannot:
            // the wire type is a number, so a bad one is reported here.
            summary_score: opt(score).and_then(|s| s.parse().ok()),
            summary_comment: opt(summary_comment),
            custom_fields: custom.get_untracked(),
            public: Some(public.get_untracked()),
            comment: opt(comment).map(|body| CommentInput {
                body,
                internal: comment_internal.get_untracked(),
            }),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::create_ticket(&body).await {
                Ok(tk) => {
                    notices.ok(fill(
                        prefs.lang.get_untracked(),
                        T::TicketCreated,
                        &[("n", &tk.number.to_string())],
                    ));
                    // The list is stale now; reload it when shown again.
                    list.0.update(|l| l.search = None);
                    nav.go(&format!("/tickets/{}", tk.number));
                }
                Err(e) => {
                    error.set(Some(e));
                    util::scroll_to(0.0);
                }
            }
            busy.set(false);
        });
    };

    let errs =
        move |field: &'static str| move || field_errors_view(error.get(), field, prefs.lang.get());
    let text_field = move |label: T,
                           sig: RwSignal<String>,
                           field: &'static str,
                           kind: &'static str,
                           required: bool| {
        let id = format!("nt-{field}");
        view! {
            <div class="field">
                <label for=id.clone()>{move || t(label)}{required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}</label>
                <input id=id type=kind bind:value=sig
                    aria-invalid=move || error.with(|e| e.as_ref().is_some_and(|e| e.field_errors().iter().any(|f| f.field == field || f.field.starts_with(&format!("{field}."))))).to_string() />
                {errs(field)}
            </div>
        }
    };

    let type_fields = move || {
        let lang = prefs.lang.get();
        let ty = ticket_type.get()?;
        let causes = ty
            .root_causes
            .iter()
            .filter(|c| c.active)
            .cloned()
            .collect::<Vec<_>>();
        Some(view! {
            {(!causes.is_empty()).then(|| view! {
                <div class="field">
                    <label for="nt-root-cause">{T::RootCause.get(lang)}</label>
                    <select id="nt-root-cause" on:change=move |ev| root_cause_id.set(event_target_value(&ev).parse().ok())>
                        <option value="">"—"</option>
                        {causes.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.localized(lang.code()).to_owned()}</option> }).collect_view()}
                    </select>
                    {errs("root_cause_id")}
                </div>
            })}
            {ty.fields.into_iter().map(|f| {
                let key = f.key.clone();
                view! {
                    <CustomFieldInput def=f id_prefix="nt-cf-" error=error
                        on_change=Callback::new(move |v| custom.update(|c| set_field(c, &key, v))) />
                }
            }).collect_view()}
        })
    };

    view! {
        <section class="page narrow new-ticket">
            <h1>{prefs.text(T::NewTicket)}</h1>
            {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
            <form class="card form" on:submit=submit novalidate aria-label=prefs.text(T::NewTicket)>
                {text_field(T::Subject, subject, "subject", "text", true)}
                <div class="field">
                    <label for="nt-description">{prefs.text(T::Description)}</label>
                    <textarea id="nt-description" rows="4" bind:value=description></textarea>
                    {errs("description")}
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="nt-type">{prefs.text(T::Type)}</label>
                        <select id="nt-type" on:change=move |ev| {
                            type_id.set(event_target_value(&ev).parse().ok());
                            root_cause_id.set(None);
                            custom.set(FieldValues::new());
                        }>
                            <option value="">{prefs.text(T::NoType)}</option>
                            {move || refdata.types.get().into_iter().filter(|t| t.active).map(|ty| view! { <option value=ty.id.to_string()>{ty.localized(prefs.lang.get().code()).to_owned()}</option> }).collect_view()}
                        </select>
                        {errs("type_id")}
                    </div>
                    <div class="field">
                        <label for="nt-priority">{prefs.text(T::Priority)}</label>
                        <select id="nt-priority" on:change=move |ev| { if let Ok(p) = event_target_value(&ev).parse() { priority.set(p) } }>
                            {move || {
                                let lang = prefs.lang.get();
                                Priority::ALL.iter().map(|p| view! {
                                    <option value=p.as_str() selected=*p == priority.get_untracked()>{i18n::priority(*p).get(lang)}</option>
                                }).collect_view()
                            }}
                        </select>
                    </div>
                    <div class="field">
                        <label for="nt-status">{prefs.text(T::Status)}</label>
                        <select id="nt-status" on:change=move |ev| status_id.set(event_target_value(&ev).parse().ok())>
                            <option value="">{prefs.text(T::DefaultValue)}</option>
                            {move || refdata.statuses.get().into_iter().filter(|s| s.active).map(|s| view! { <option value=s.id.to_string()>{s.localized(prefs.lang.get().code()).to_owned()}</option> }).collect_view()}
                        </select>
                        {errs("status_id")}
                    </div>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="nt-group">{prefs.text(T::Group)}</label>
                        <select id="nt-group" on:change=move |ev| group_id.set(event_target_value(&ev).parse().ok())>
                            <option value="">{prefs.text(T::NoGroup)}</option>
                            {move || refdata.groups.get().into_iter().map(|g| view! { <option value=g.id.to_string()>{g.localized(prefs.lang.get().code()).to_owned()}</option> }).collect_view()}
                        </select>
                        {errs("group_id")}
                    </div>
                    <div class="field">
                        <label for="nt-owner">{prefs.text(T::Owner)}</label>
                        <OwnerPicker id="nt-owner" current=owner_name groups=false on_pick=Callback::new(move |c| match c {
                            OwnerChoice::User(id) => owner_id.set(Some(id)),
                            _ => owner_id.set(None),
                        }) />
                        {errs("owner_id")}
                    </div>
                    <div class="field">
                        <label for="nt-due_at">{prefs.text(T::DueDate)}</label>
                        <DateInput id="nt-due_at" value=due on_change=Callback::new(move |v| due.set(v)) />
                        {errs("due_at")}
                    </div>
                </div>
                <div class="field-row">
                    {text_field(T::RequesterEmail, req_email, "requester", "email", false)}
                    {text_field(T::RequesterName, req_name, "requester_name", "text", false)}
                </div>
                <div class="field">
                    <label for="nt-tags">{prefs.text(T::Tags)}</label>
                    <input id="nt-tags" type="text" placeholder=prefs.text(T::TagsHint) bind:value=tags />
                    {errs("tags")}
                </div>
                <div class="field-row">
                    {text_field(T::Score, score, "summary_score", "number", false)}
                    {text_field(T::CustomerComment, summary_comment, "summary_comment", "text", false)}
                </div>
                {type_fields}
                <label class="check">
                    <input type="checkbox" prop:checked=move || public.get() on:change=move |ev| public.set(event_target_checked(&ev)) />
                    {prefs.text(T::Public)}
                </label>
                <div class="field">
                    <label for="nt-comment">{prefs.text(T::FirstComment)}</label>
                    <textarea id="nt-comment" rows="3" bind:value=comment></textarea>
                    <label class="check">
                        <input type="checkbox" prop:checked=move || comment_internal.get() on:change=move |ev| comment_internal.set(event_target_checked(&ev)) />
                        {prefs.text(T::InternalNote)}
                    </label>
                    {errs("comment")}
                </div>
                <div class="composer-actions">
                    <button type="button" class="btn ghost" on:click=move |_| nav.go("/tickets")>{prefs.text(T::Cancel)}</button>
                    <button type="submit" class="btn primary" disabled=move || busy.get()>
                        {move || if busy.get() { t(T::Saving) } else { t(T::CreateTicket) }}
                    </button>
                </div>
            </form>
        </section>
    }
}
