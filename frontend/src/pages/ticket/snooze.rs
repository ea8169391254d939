//! Snooze ("scheduled reopen"): the ticket waits in a pending status and
//! reopens by itself at a chosen moment. Quick choices, or any local date and
//! time (`datetime-local`, the browser's time zone), sent as UTC.

use super::TicketState;
use crate::api::{self, ApiError};
use crate::components::{clock_icon, DateInput};
use crate::i18n::{fill, T};
use crate::state::{use_notices, use_prefs};
use crate::util;
use chrono::{DateTime, Utc};
use lazo_domain::wire::SnoozeTicket;
use lazo_domain::StatusCategory;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A quick choice, computed in the browser's time zone when clicked.
#[derive(Clone, Copy)]
enum Quick {
    Tomorrow9,
    NextMonday9,
    InAWeek,
}

impl Quick {
    fn label(self) -> T {
        match self {
            Quick::Tomorrow9 => T::SnoozeTomorrow,
            Quick::NextMonday9 => T::SnoozeNextMonday,
            Quick::InAWeek => T::SnoozeInAWeek,
        }
    }

    fn at(self) -> Option<DateTime<Utc>> {
        let d = js_sys::Date::new_0();
        match self {
            Quick::Tomorrow9 => {
                d.set_date(d.get_date() + 1);
                d.set_hours(9);
                d.set_minutes(0);
                d.set_seconds(0);
                d.set_milliseconds(0);
            }
            Quick::NextMonday9 => {
                // getDay: 0 Sunday .. 6 Saturday; on a Monday, the next one.
                let days = match (8 - d.get_day()) % 7 {
                    0 => 7,
                    n => n,
                };
                d.set_date(d.get_date() + days);
                d.set_hours(9);
                d.set_minutes(0);
                d.set_seconds(0);
                d.set_milliseconds(0);
            }
            Quick::InAWeek => {
                d.set_date(d.get_date() + 7);
                d.set_seconds(0);
                d.set_milliseconds(0);
            }
        }
        DateTime::from_timestamp_millis(d.get_time() as i64)
    }
}

#[component]
pub fn Snooze(st: TicketState) -> impl IntoView {
    let prefs = use_prefs();
    let notices = use_notices();
    let t = move |k: T| prefs.t(k);
    let read_only = st.read_only();
    let until = Memo::new(move |_| st.ticket.with(|t| t.as_ref().and_then(|t| t.snooze_until)));
    let closed = Memo::new(move |_| {
        st.ticket.with(|t| {
            t.as_ref()
                .is_some_and(|t| t.status.category == StatusCategory::Closed)
        })
    });
    let picking = RwSignal::new(false);
    let at = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    let done = move |r: Result<(lazo_domain::wire::Ticket, String), ApiError>, ok: String| {
        match r {
            Ok((tk, tag)) => {
                st.apply(tk, tag);
                st.history_changed.update(|n| *n += 1);
                picking.set(false);
                notices.ok(ok);
            }
            Err(e) => {
                // Someone may have changed it meanwhile: show the ticket as it is.
                if e.problem().is_some_and(|p| p.code == "not_snoozed") {
                    let tid = st.tid;
                    spawn_local(async move {
                        if let Ok((tk, tag)) = api::ticket(tid).await {
                            st.apply(tk, tag);
                        }
                    });
                }
                error.set(Some(e));
            }
        }
        busy.set(false);
    };
    let snooze = move |when: Option<DateTime<Utc>>| {
        let Some(until) = when.filter(|w| *w > Utc::now()) else {
            error.set(Some(ApiError::Problem(lazo_domain::wire::Problem {
                type_: String::new(),
                title: t(T::ErrSnoozeInPast).into(),
                status: 422,
                detail: Some(t(T::ErrSnoozeInPast).into()),
                code: "invalid_value".into(),
                errors: vec![],
                request_id: None,
            })));
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let r = api::snooze(st.tid, &SnoozeTicket { until }).await;
            let lang = prefs.lang.get_untracked();
            done(
                r,
                fill(
                    lang,
                    T::TicketSnoozed,
                    &[("date", &util::datetime(lang, &until))],
                ),
            );
        });
    };
    let unsnooze = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let r = api::unsnooze(st.tid).await;
            done(r, t(T::TicketUnsnoozed).to_owned());
        });
    };
    let open_picker = move || {
        // Start from the current date, else tomorrow 9:00.
        let start = until.get_untracked().or_else(|| Quick::Tomorrow9.at());
        at.set(start.map(|d| util::input_datetime(&d)).unwrap_or_default());
        error.set(None);
        picking.set(true);
    };

    let picker = move || {
        let lang = prefs.lang.get();
        view! {
            <div class="snooze-pick" role="group" aria-label=T::Snooze.get(lang)>
                <div class="quick">
                    {[Quick::Tomorrow9, Quick::NextMonday9, Quick::InAWeek].into_iter().map(|q| view! {
                        <button type="button" class="btn small" disabled=move || busy.get() on:click=move |_| snooze(q.at())>
                            {q.label().get(lang)}
                        </button>
                    }).collect_view()}
                </div>
                <div class="field">
                    <label for="snooze-at">{T::SnoozeAt.get(lang)}</label>
                    <DateInput id="snooze-at" with_time=true value=at on_change=Callback::new(move |v| at.set(v)) />
                </div>
                <div class="composer-actions">
                    <button type="button" class="btn ghost" on:click=move |_| { picking.set(false); error.set(None) }>{T::Cancel.get(lang)}</button>
                    <button type="button" class="btn primary" disabled=move || busy.get() || at.with(|a| a.is_empty())
                        on:click=move |_| snooze(util::from_input_datetime(&at.get_untracked()))>
                        {T::Snooze.get(lang)}
                    </button>
                </div>
            </div>
        }
    };

    let body = move || {
        let lang = prefs.lang.get();
        match until.get() {
            Some(u) => view! {
                <p class="snoozed">
                    {clock_icon()}" "
                    {fill(lang, T::SnoozedUntil, &[("date", &util::datetime(lang, &u))])}
                </p>
                <Show when=move || !picking.get() && !read_only>
                    <div class="composer-actions">
                        <button type="button" class="btn small" on:click=move |_| open_picker()>{prefs.text(T::ChangeSnooze)}</button>
                        <button type="button" class="btn small primary" disabled=move || busy.get() on:click=move |_| unsnooze()>{prefs.text(T::Unsnooze)}</button>
                    </div>
                </Show>
            }
            .into_any(),
            None => view! {
                <Show when=move || !picking.get()>
                    <button type="button" class="btn" on:click=move |_| open_picker()>
                        {clock_icon()}" "{prefs.text(T::Snooze)}
                    </button>
                    <p class="help">{prefs.text(T::SnoozeHelp)}</p>
                </Show>
            }
            .into_any(),
        }
    };

    // Closed tickets cannot be snoozed; read-only parents show the date only.
    move || {
        let show = !closed.get() && (!read_only || until.with(|u| u.is_some()));
        show.then(|| view! {
            <section class="card snooze" aria-labelledby="snooze-h" class:active=move || until.with(|u| u.is_some())>
                <h2 id="snooze-h">{prefs.text(T::Snooze)}</h2>
                {body}
                <Show when=move || picking.get()>{picker}</Show>
                {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
            </section>
        })
    }
}
