//! The filter bar: status, priority, owner, group, type, origin group,
//! source, overdue, tags, survey and score, reported dates.
//! Every filter lives in the URL.

use super::ListView;
use crate::components::DateInput;
use crate::i18n::{self, T};
use crate::state::{use_prefs, use_refdata};
use lazo_domain::wire::TicketQuery;
use lazo_domain::Named;
use leptos::prelude::*;

#[component]
pub fn Filters(view: ListView) -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let t = move |k: T| prefs.t(k);
    let query = view.query;
    let set_query = move |f: &dyn Fn(&mut TicketQuery)| view.set(f);
    let select_filter = move |label: T,
                              current: Option<String>,
                              options: Vec<(String, String)>,
                              any: T,
                              set: fn(&mut TicketQuery, Option<String>)| {
        view! {
            <label class="filter">
                <span class="filter-label">{move || t(label)}</span>
                <select
                    aria-label=move || t(label)
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set_query(&|q| set(q, (!v.is_empty()).then(|| v.clone())));
                    }
                    prop:value=current.clone().unwrap_or_default()
                >
                    <option value="">{move || t(any)}</option>
                    {options
                        .into_iter()
                        .map(|(v, l)| {
                            let sel = current.as_deref() == Some(v.as_str());
                            view! { <option value=v selected=sel>{l}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
        }
    };

    move || {
        let lang = prefs.lang.get();
        let q = query.get();
        let statuses: Vec<(String, String)> = refdata.statuses.with(|s| {
            s.iter()
                .map(|s| (s.id.to_string(), s.localized(lang.code()).to_owned()))
                .collect()
        });
        let priorities: Vec<(String, String)> = lazo_domain::Priority::ALL
            .iter()
            .rev()
            .map(|p| {
                (
                    p.as_str().to_owned(),
                    i18n::priority(*p).get(lang).to_owned(),
                )
            })
            .collect();
        let mut owners = vec![
            ("me".to_owned(), T::Me.get(lang).to_owned()),
            ("none".to_owned(), T::Unassigned.get(lang).to_owned()),
        ];
        refdata
            .users
            .with(|u| owners.extend(u.iter().map(|u| (u.id.to_string(), u.name.clone()))));
        let all_groups: Vec<(String, String)> = refdata.groups.with(|g| {
            g.iter()
                .map(|g| (g.id.to_string(), g.localized(lang.code()).to_owned()))
                .collect()
        });
        let mut groups = vec![("none".to_owned(), T::NoGroup.get(lang).to_owned())];
        groups.extend(all_groups.iter().cloned());
        let types: Vec<(String, String)> = refdata.types.with(|t| {
            t.iter()
                .map(|t| (t.id.to_string(), t.localized(lang.code()).to_owned()))
                .collect()
        });
        let mut sources: Vec<(String, String)> = refdata.sources.with(|s| {
            s.iter()
                .map(|d| (d.key.clone(), d.localized(lang.code()).to_owned()))
                .collect()
        });
        for key in ["email", "phone", "survey"] {
            if !sources.iter().any(|(k, _)| k == key) {
                sources.push((key.to_owned(), String::new()));
            }
        }
        let overdue = q.overdue == Some(true);
        view! {
            {select_filter(T::Status, q.status.clone(), statuses, T::AnyStatus, |q, v| {
                q.status = v;
                q.category = None;
            })}
            {select_filter(T::Priority, q.priority.clone(), priorities, T::AnyPriority, |q, v| q.priority = v)}
            {select_filter(T::Owner, q.owner.clone(), owners, T::Anyone, |q, v| q.owner = v)}
            {select_filter(T::Group, q.group.clone(), groups, T::AnyGroup, |q, v| q.group = v)}
            {select_filter(T::Type, q.ticket_type.clone(), types, T::AnyType, |q, v| q.ticket_type = v)}
            {select_filter(T::OriginGroup, q.origin_group.clone(), all_groups, T::AnyGroup, |q, v| q.origin_group = v)}
            <label class="filter">
                <span class="filter-label">{T::Source.get(lang)}</span>
                <input
                    type="text"
                    class="tags-filter"
                    aria-label=T::Source.get(lang)
                    placeholder="email, phone"
                    list="known-sources"
                    prop:value=q.source.clone().unwrap_or_default()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let v = v.trim().to_owned();
                        set_query(&|q| q.source = (!v.is_empty()).then(|| v.clone()));
                    }
                />
                // Where Lazo's own tickets come from, and the sources the
                // organisation names (labelled in the agent's language).
                <datalist id="known-sources">
                    {sources.into_iter().map(|(key, label)| view! { <option value=key>{label}</option> }).collect_view()}
                </datalist>
            </label>
            <label class="filter filter-check">
                <span class="filter-label">{T::Overdue.get(lang)}</span>
                <span class="check">
                    <input
                        type="checkbox"
                        prop:checked=overdue
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            set_query(&|q| q.overdue = on.then_some(true));
                        }
                    />
                    {T::OverdueOnly.get(lang)}
                </span>
            </label>
            <label class="filter">
                <span class="filter-label">{T::Tags.get(lang)}</span>
                <input
                    type="text"
                    class="tags-filter"
                    aria-label=T::Tags.get(lang)
                    placeholder="vip, refund"
                    prop:value=q.tags.clone().unwrap_or_default()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let v = v.trim().to_owned();
                        set_query(&|q| q.tags = (!v.is_empty()).then(|| v.clone()));
                    }
                />
            </label>
            <label class="filter">
                <span class="filter-label">{T::SurveyFilter.get(lang)}</span>
                <input
                    type="text"
                    class="tags-filter"
                    aria-label=T::SurveyFilter.get(lang)
                    placeholder="nps-2026"
                    prop:value=q.survey.clone().unwrap_or_default()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let v = v.trim().to_owned();
                        set_query(&|q| q.survey = (!v.is_empty()).then(|| v.clone()));
                    }
                />
            </label>
            <div class="filter score-filter" role="group" aria-label=T::ScoreFilter.get(lang)>
                <span class="filter-label">{T::ScoreFilter.get(lang)}</span>
                <span class="score-pair">
                    <input
                        type="number"
                        aria-label=T::ScoreMin.get(lang)
                        placeholder="0"
                        prop:value=q.score_min.map(|v| v.to_string()).unwrap_or_default()
                        on:change=move |ev| {
                            let v = event_target_value(&ev).trim().parse::<i32>().ok();
                            set_query(&|q| q.score_min = v);
                        }
                    />
                    "–"
                    <input
                        type="number"
                        aria-label=T::ScoreMax.get(lang)
                        placeholder="10"
                        prop:value=q.score_max.map(|v| v.to_string()).unwrap_or_default()
                        on:change=move |ev| {
                            let v = event_target_value(&ev).trim().parse::<i32>().ok();
                            set_query(&|q| q.score_max = v);
                        }
                    />
                </span>
            </div>
            <label class="filter">
                <span class="filter-label">{T::ReportedFrom.get(lang)}</span>
                <DateInput
                    aria_label=T::ReportedFrom.get(lang)
                    value=q.created_from.clone().unwrap_or_default()
                    on_change=Callback::new(move |v: String| {
                        set_query(&|q| q.created_from = (!v.is_empty()).then(|| v.clone()));
                    })
                />
            </label>
            <label class="filter">
                <span class="filter-label">{T::ReportedTo.get(lang)}</span>
                <DateInput
                    aria_label=T::ReportedTo.get(lang)
                    value=q.created_to.clone().unwrap_or_default()
                    on_change=Callback::new(move |v: String| {
                        set_query(&|q| q.created_to = (!v.is_empty()).then(|| v.clone()));
                    })
                />
            </label>
        }
    }
}
