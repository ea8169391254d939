//! The ticket's history: who changed what, when, from what to what.

use super::activity::more_button;
use crate::components::{ErrorBox, Loading, Paged};
use crate::i18n::{self, T};
use crate::state::{use_prefs, use_refdata};
use crate::util;
use lazo_domain::wire::HistoryEntry;
use leptos::prelude::*;

#[component]
pub fn History(history: Paged<HistoryEntry>) -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let list = move || {
        let lang = prefs.lang.get();
        match history.items.get() {
            h if h.is_empty() && history.loading.get() => view! { <Loading /> }.into_any(),
            h if h.is_empty() => match history.error.get() {
                Some(e) => view! { <ErrorBox error=e retry=Callback::new(move |_| history.reload()) /> }.into_any(),
                None => view! { <p class="empty">{T::NoHistory.get(lang)}</p> }.into_any(),
            },
            h => view! {
                <ol class="history">
                    {h.into_iter()
                        .map(|e| {
                            let who = if e.actor.kind == "system" { T::System.get(lang).to_owned() } else { e.actor.name.clone() };
                            let what = if e.field == "created" {
                                view! { <span>{T::HistoryCreated.get(lang)}</span> }.into_any()
                            } else {
                                let label = i18n::history_field(&e.field)
                                    .map(|t| t.get(lang).to_owned())
                                    .or_else(|| {
                                        let key = e.field.strip_prefix("custom_fields.")?;
                                        refdata.field_label(key, None, lang)
                                    })
                                    .unwrap_or_else(|| {
                                        e.field.strip_prefix("custom_fields.").unwrap_or(&e.field).replace('_', " ")
                                    });
                                // Enum values read in the person's language.
                                let show = |v: &Option<String>, id: Option<i64>| -> String {
                                    match v {
                                        None => "—".into(),
                                        Some(v) if e.field == "priority" => v
                                            .parse::<lazo_domain::Priority>()
                                            .map(|p| i18n::priority(p).get(lang).to_owned())
                                            .unwrap_or_else(|_| v.clone()),
                                        // Configured names in the agent's language.
                                        Some(v) => refdata.history_name(&e.field, id, v, lang),
                                    }
                                };
                                view! {
                                    <span class="h-field">{label}</span>
                                    <span class="h-old">{show(&e.old_value, e.old_id)}</span>
                                    <span class="h-arrow" aria-hidden="true">"→"</span>
                                    <span class="h-new">{show(&e.new_value, e.new_id)}</span>
                                }
                                .into_any()
                            };
                            view! {
                                <li>
                                    <time class="muted">{util::datetime(lang, &e.at)}</time>
                                    <strong class="h-who">{who}</strong>
                                    {what}
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            }
            .into_any(),
        }
    };
    view! {
        {list}
        {more_button(history)}
    }
}
