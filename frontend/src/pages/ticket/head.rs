//! What a ticket says about itself: number, type, subject, parent,
//! description (folding), the customer's summary, custom fields.

use super::TicketState;
use crate::components::{set_field, CustomFieldInput, Fold};
use crate::i18n::T;
use crate::state::{use_prefs, use_refdata};
use crate::util;
use lazo_domain::wire::Ticket;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn TicketHead(tk: Ticket, read_only: bool) -> impl IntoView {
    let prefs = use_prefs();
    let t = move |k: T| prefs.t(k);
    let meta = {
        let created = tk.created_at;
        let refdata = crate::state::use_refdata();
        let ty_name = tk
            .ticket_type
            .clone()
            .map(|t| move || refdata.type_name(t.id, &t.name, prefs.lang.get()));
        let source = tk
            .source
            .clone()
            .map(|s| move || refdata.source_name(&s, prefs.lang.get()));
        let public = tk.public;
        view! {
            <div class="ticket-meta muted">
                <span class="num">{format!("#{}", tk.number)}</span>
                {ty_name.map(|n| view! { <span>"· "{n}</span> })}
                {source.map(|s| view! { <span>"· "{s}</span> })}
                <span>"· "{move || t(if public { T::Public } else { T::Internal })}</span>
                <span>"· "{prefs.text(T::Created)}" "{move || util::datetime(prefs.lang.get(), &created)}</span>
            </div>
        }
    };

    let description = tk.description.clone();
    view! {
        <header class="ticket-head">
            {meta}
            // Focusable by script only: the keyboard lands here on opening.
            <h1 tabindex="-1">{tk.subject.clone()}</h1>
            {tk.parent.clone().map(|p| view! {
                <p class="parent-link">
                    {prefs.text(T::ParentTicket)}": "
                    <A href=format!("/tickets/{}", p.number)>{format!("#{} {}", p.number, p.subject)}</A>
                </p>
            })}
            {read_only.then(|| view! { <p class="info-box" role="note">{prefs.text(T::ReadOnlyParent)}</p> })}
        </header>
        {(!description.trim().is_empty()).then(|| view! {
            <Fold key="description" label=Signal::derive(move || t(T::Description).to_owned())>
                <section class="card desc" aria-labelledby="desc-h">
                    <h2 id="desc-h">{prefs.text(T::Description)}</h2>
                    <div class="description">{description.clone()}</div>
                </section>
            </Fold>
        })}
    }
}

/// The customer's score and comment the ticket was opened for, when the
/// ticket's type shows them.
#[component]
pub fn SummaryCard(tk: Ticket) -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let t = move |k: T| prefs.t(k);
    let ty = tk
        .ticket_type
        .as_ref()
        .and_then(|r| refdata.ticket_type(r.id));
    let summary = {
        let show = ty.as_ref().is_none_or(|t| t.show_summary);
        let s = tk.summary.clone();
        (show && (s.score.is_some() || s.comment.is_some())).then(|| {
            let score_class = match s.score {
                Some(n) if n <= 6 => "score detractor",
                Some(n) if n <= 8 => "score passive",
                _ => "score promoter",
            };
            view! {
                <section class="card summary" aria-labelledby="summary-h">
                    <h2 id="summary-h">{prefs.text(T::Summary)}</h2>
                    <div class="summary-body">
                        {s.score.map(|n| view! {
                            <div class=score_class aria-label=move || format!("{} {}", t(T::Score), n)>
                                <span class="score-n">{n}</span><span class="score-label">{prefs.text(T::Score)}</span>
                            </div>
                        })}
                        {s.comment.map(|c| view! { <blockquote aria-label=prefs.text(T::CustomerComment)>{c}</blockquote> })}
                    </div>
                </section>
            }
        })
    };

    summary
}

/// The ticket type's own fields, edited into the draft.
#[component]
pub fn CustomFieldsCard(st: TicketState) -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let read_only = st.read_only();
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
        let ty = ticket_type.get()?;
        if ty.fields.is_empty() {
            return None;
        }
        // Rebuilt when the draft is reset (after a save), so inputs show it.
        st.ticket.track();
        let lang = prefs.lang.get();
        let values = st
            .draft
            .with_untracked(|d| d.as_ref().map(|d| d.custom.clone()))
            .unwrap_or_default();
        Some(view! {
            <section class="card" aria-labelledby="details-h">
                <h2 id="details-h">{T::Details.get(lang)}</h2>
                <div class="field-grid">
                    {ty.fields.into_iter().map(|f| {
                        let key = f.key.clone();
                        let value = values.get(&f.key).cloned();
                        let on_change = Callback::new(move |v| {
                            st.draft.update(|d| {
                                if let Some(d) = d {
                                    set_field(&mut d.custom, &key, v)
                                }
                            })
                        });
                        view! { <CustomFieldInput def=f id_prefix="cf-" value=value disabled=read_only error=st.save_error on_change=on_change /> }
                    }).collect_view()}
                </div>
            </section>
        })
    }
}
