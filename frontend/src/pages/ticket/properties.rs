//! The ticket's properties in the side panel, edited as a draft: status,
//! priority, owner, group, root cause (with the type's rules spelled out),
//! due date, tags, and the bar that saves or discards the changes.

use super::{Draft, TicketState};
use crate::api::ApiError;
use crate::components::{field_errors_view, DateInput, OwnerChoice, OwnerPicker};
use crate::i18n::{self, fill, T};
use crate::rules::{self, RootCauseNeed};
use crate::state::{use_prefs, use_refdata, use_session};
use lazo_domain::{Named, Priority};
use leptos::prelude::*;

/// Field errors for `field` (helper for class toggles).
fn rules_errors(e: &ApiError, field: &str) -> Vec<lazo_domain::wire::FieldError> {
    e.problem()
        .map(|p| rules::errors_for(p, field).into_iter().cloned().collect())
        .unwrap_or_default()
}

#[component]
pub fn Properties(st: TicketState) -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let read_only = st.read_only();
    let draft = st.draft;
    let save_error = st.save_error;
    let upd = move |f: &dyn Fn(&mut Draft)| {
        draft.update(|d| {
            if let Some(d) = d {
                f(d)
            }
        })
    };

    // ---- owner: a person, or the group alone
    let owner_text = Signal::derive(move || {
        let lang = prefs.lang.get();
        draft.with(|d| {
            let Some(d) = d else { return String::new() };
            match d.owner_id {
                Some(id) => refdata
                    .users
                    .with(|u| u.iter().find(|u| u.id == id).map(|u| u.name.clone()))
                    .unwrap_or_else(|| format!("#{id}")),
                None => d
                    .group_id
                    .and_then(|g| {
                        refdata.groups.with(|gs| {
                            gs.iter()
                                .find(|x| x.id == g)
                                .map(|x| x.localized(lang.code()).to_owned())
                        })
                    })
                    .map(|g| format!("{g} ({})", T::Unassigned.get(lang)))
                    .unwrap_or_else(|| T::NoOwner.get(lang).to_owned()),
            }
        })
    });
    let pick_owner = Callback::new(move |c: OwnerChoice| match c {
        OwnerChoice::Nobody => upd(&|d| d.owner_id = None),
        OwnerChoice::User(id) => upd(&|d| d.owner_id = Some(id)),
        OwnerChoice::Group(g) => upd(&|d| {
            d.group_id = Some(g);
            d.owner_id = None;
        }),
    });

    let status_select = move || {
        let lang = prefs.lang.get();
        let current = draft.with(|d| d.as_ref().map(|d| d.status_id));
        view! {
            <div class="field">
                <label for="f-status">{T::Status.get(lang)}</label>
                <select id="f-status" disabled=read_only on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<i64>() {
                        upd(&|d| d.status_id = v);
                    }
                }>
                    {refdata.statuses.get().into_iter().filter(|s| s.active || Some(s.id) == current).map(|s| view! {
                        <option value=s.id.to_string() selected=Some(s.id) == current>{s.localized(lang.code()).to_owned()}</option>
                    }).collect_view()}
                    // A status the reference data does not know yet (e.g.
                    // "Snoozed", made by the server on the first snooze).
                    {st.ticket.with(|tk| tk.as_ref().map(|tk| tk.status.clone()))
                        .filter(|s| Some(s.id) == current && refdata.statuses.with(|all| all.iter().all(|x| x.id != s.id)))
                        .map(|s| view! { <option value=s.id.to_string() selected=true>{s.name}</option> })}
                </select>
                {field_errors_view(save_error.get(), "status_id", lang)}
            </div>
        }
    };

    let priority_select = move || {
        let lang = prefs.lang.get();
        let current = draft.with(|d| d.as_ref().map(|d| d.priority));
        view! {
            <div class="field">
                <label for="f-priority">{T::Priority.get(lang)}</label>
                <select id="f-priority" disabled=read_only on:change=move |ev| {
                    if let Ok(p) = event_target_value(&ev).parse::<Priority>() {
                        upd(&|d| d.priority = p);
                    }
                }>
                    {Priority::ALL.iter().map(|p| view! {
                        <option value=p.as_str() selected=Some(*p) == current>{i18n::priority(*p).get(lang)}</option>
                    }).collect_view()}
                </select>
            </div>
        }
    };

    let group_select = move || {
        let lang = prefs.lang.get();
        let current = draft.with(|d| d.as_ref().and_then(|d| d.group_id));
        view! {
            <div class="field">
                <label for="f-group">{T::Group.get(lang)}</label>
                <select id="f-group" disabled=read_only on:change=move |ev| {
                    let v = event_target_value(&ev).parse::<i64>().ok();
                    upd(&|d| d.group_id = v);
                }>
                    <option value="" selected=current.is_none()>{T::NoGroup.get(lang)}</option>
                    {refdata.groups.get().into_iter().map(|g| view! {
                        <option value=g.id.to_string() selected=Some(g.id) == current>{g.localized(lang.code()).to_owned()}</option>
                    }).collect_view()}
                </select>
                {field_errors_view(save_error.get(), "group_id", lang)}
            </div>
        }
    };

    let due_block = move || {
        let lang = prefs.lang.get();
        let due = draft.with(|d| d.as_ref().map(|d| d.due.clone()).unwrap_or_default());
        view! {
            <div class="field">
                <label for="f-due">{T::DueDate.get(lang)}</label>
                <DateInput id="f-due" disabled=read_only value=due
                    on_change=Callback::new(move |v: String| upd(&|d| d.due = v.clone())) />
                {field_errors_view(save_error.get(), "due_at", lang)}
            </div>
        }
    };

    view! {
        {status_select}
        {priority_select}
        <div class="field">
            <label for="f-owner">{prefs.text(T::Owner)}</label>
            <OwnerPicker id="f-owner" current=owner_text on_pick=pick_owner disabled=Signal::derive(move || read_only) />
            {move || field_errors_view(save_error.get(), "owner_id", prefs.lang.get())}
        </div>
        {group_select}
        <RootCause st=st />
        {due_block}
        <Tags st=st />
        <Show when=move || st.dirty.get() && !read_only><SaveBar st=st /></Show>
    }
}

/// The root cause, with the type's rules spelled out.
#[component]
fn RootCause(st: TicketState) -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let read_only = st.read_only();
    let (draft, save_error) = (st.draft, st.save_error);
    let ty_id = st.ticket.with_untracked(|t| {
        t.as_ref()
            .and_then(|t| t.ticket_type.as_ref().map(|r| r.id))
    });
    let ticket_type = Memo::new(move |_| {
        ty_id.and_then(|id| {
            refdata
                .types
                .with(|ts| ts.iter().find(|t| t.id == id).cloned())
        })
    });
    move || {
        let lang = prefs.lang.get();
        // A ticket without a type has no root causes: nothing to choose.
        let ty = ticket_type.get()?;
        let statuses = refdata.statuses.get();
        let d = draft.get();
        let status_id = d.as_ref().map(|d| d.status_id).unwrap_or_default();
        let current = d.as_ref().and_then(|d| d.root_cause_id);
        let need = rules::root_cause_need(&ty, status_id);
        let status_name = statuses
            .iter()
            .find(|s| s.id == status_id)
            .map(|s| s.localized(lang.code()).to_owned())
            .unwrap_or_default();
        let warning = rules::root_cause_violation(&ty, status_id, current).map(|code| {
            let key = if code == "root_cause_required" {
                T::RootCauseNeeded
            } else {
                T::RootCauseForbidden
            };
            fill(lang, key, &[("status", &status_name)])
        });
        let req = rules::status_names(&statuses, &ty.root_cause_required_for, lang.code());
        let pro = rules::status_names(&statuses, &ty.root_cause_prohibited_for, lang.code());
        let causes: Vec<_> = ty
            .root_causes
            .iter()
            .filter(|c| c.active || Some(c.id) == current)
            .cloned()
            .collect();
        let refused = move || {
            save_error.with(|e| {
                e.as_ref()
                    .is_some_and(|e| !rules_errors(e, "root_cause_id").is_empty())
            })
        };
        Some(view! {
            <div class="field" class:has-error=refused>
                <label for="f-root-cause">
                    {T::RootCause.get(lang)}
                    {(need == RootCauseNeed::Required).then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}
                </label>
                <select
                    id="f-root-cause"
                    disabled=read_only
                    aria-invalid=warning.is_some().to_string()
                    aria-describedby="root-cause-help"
                    on:change=move |ev| {
                        let v = event_target_value(&ev).parse::<i64>().ok();
                        draft.update(|d| if let Some(d) = d { d.root_cause_id = v });
                    }
                >
                    <option value="" selected=current.is_none()>"—"</option>
                    {causes.into_iter().map(|c| view! {
                        <option value=c.id.to_string() selected=Some(c.id) == current>{c.localized(lang.code()).to_owned()}</option>
                    }).collect_view()}
                </select>
                <div id="root-cause-help" class="help">
                    {(!req.is_empty()).then(|| view! { <p>{fill(lang, T::RootCauseRequiredIn, &[("statuses", &req.join(", "))])}</p> })}
                    {(!pro.is_empty()).then(|| view! { <p>{fill(lang, T::RootCauseProhibitedIn, &[("statuses", &pro.join(", "))])}</p> })}
                </div>
                // The preview stands aside once the server has said the same.
                {move || (!refused()).then(|| warning.clone().map(|w| view! { <p class="warn">{w}</p> }))}
                {field_errors_view(save_error.get(), "root_cause_id", lang)}
            </div>
        })
    }
}

#[component]
fn Tags(st: TicketState) -> impl IntoView {
    let prefs = use_prefs();
    let read_only = st.read_only();
    let draft = st.draft;
    let upd = move |f: &dyn Fn(&mut Draft)| {
        draft.update(|d| {
            if let Some(d) = d {
                f(d)
            }
        })
    };
    let tag_input = RwSignal::new(String::new());
    move || {
        let lang = prefs.lang.get();
        let tags = draft.with(|d| d.as_ref().map(|d| d.tags.clone()).unwrap_or_default());
        view! {
            <div class="field">
                <label for="f-tag">{T::Tags.get(lang)}</label>
                <div class="tag-editor">
                    {tags.into_iter().map(|tg| {
                        let tg2 = tg.clone();
                        view! {
                            <span class="tag">
                                {tg.clone()}
                                {(!read_only).then(|| view! {
                                    <button type="button" class="tag-x" aria-label=format!("{} {}", T::Remove.get(lang), tg)
                                        on:click=move |_| { let x = tg2.clone(); upd(&|d| d.tags.retain(|t| *t != x)) }>"×"</button>
                                })}
                            </span>
                        }
                    }).collect_view()}
                    {(!read_only).then(|| view! {
                        <input id="f-tag" type="text" class="tag-input" placeholder="+" aria-label=format!("{} ({})", T::Add.get(lang), T::Tags.get(lang))
                            bind:value=tag_input
                            on:keydown=move |ev| {
                                if ev.key() == "Enter" || ev.key() == "," {
                                    ev.prevent_default();
                                    let v = lazo_domain::wire::normalize_tag(&tag_input.get_untracked());
                                    if !v.is_empty() {
                                        upd(&|d| if !d.tags.contains(&v) { d.tags.push(v.clone()) });
                                    }
                                    tag_input.set(String::new());
                                }
                            } />
                    })}
                </div>
            </div>
        }
    }
}

/// Unsaved changes: an optional change comment, save or discard.
#[component]
fn SaveBar(st: TicketState) -> impl IntoView {
    let prefs = use_prefs();
    let session = use_session();
    let t = move |k: T| prefs.t(k);
    let (save_error, saving) = (st.save_error, st.saving);
    let (change_comment, change_internal) = (st.change_comment, st.change_internal);
    let comment_required = session.0.with_untracked(|s| {
        s.as_ref()
            .is_some_and(|s| s.me.settings.comment_required_on_update)
    });
    move || {
        let lang = prefs.lang.get();
        view! {
            <div class="save-bar" role="region" aria-label=T::UnsavedChanges.get(lang)>
                <strong>{T::UnsavedChanges.get(lang)}</strong>
                <label class="field">
                    <span>{T::ChangeComment.get(lang)}{comment_required.then_some(" *")}</span>
                    <textarea rows="2" aria-label=T::ChangeComment.get(lang)
                        bind:value=change_comment></textarea>
                    {comment_required.then(|| view! { <span class="help">{T::ChangeCommentRequired.get(lang)}</span> })}
                    {field_errors_view(save_error.get(), "comment", lang)}
                </label>
                <label class="check">
                    <input type="checkbox" prop:checked=move || change_internal.get() on:change=move |ev| change_internal.set(event_target_checked(&ev)) />
                    {T::ChangeCommentInternal.get(lang)}
                </label>
                // Errors that sit next to their fields are not repeated here.
                {move || save_error.get().filter(|e| {
                    const SHOWN: [&str; 7] = ["status_id", "owner_id", "group_id", "root_cause_id", "due_at", "comment", "custom_fields."];
                    let errs = e.field_errors();
                    errs.is_empty() || errs.iter().any(|f| !SHOWN.iter().any(|s| f.field == *s || (s.ends_with('.') && f.field.starts_with(s))))
                }).map(|e| {
                    let lang = prefs.lang.get();
                    view! { <p class="error-box" role="alert">{e.message(lang)}</p> }
                })}
                <div class="composer-actions">
                    <button class="btn ghost" on:click=move |_| st.discard()>{T::Discard.get(lang)}</button>
                    <button class="btn primary" on:click=move |_| st.save() disabled=move || saving.get()>
                        {move || if saving.get() { t(T::Saving) } else { t(T::SaveChanges) }}
                    </button>
                </div>
            </div>
        }
    }
}
