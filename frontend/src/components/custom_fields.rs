//! The custom fields of a ticket type as inputs of their kind, written once
//! for the new-ticket form and the ticket detail.

use super::DateInput;
use crate::api::{error::field_message, ApiError};
use crate::state::use_prefs;
use lazo_domain::wire::{FieldDef, FieldValues};
use lazo_domain::{FieldKind, Named};
use leptos::prelude::*;
use serde_json::Value;

/// What an input's text means for a field of `kind`: `None` clears it; a
/// number that does not parse goes as text, for the server to explain.
pub fn field_value(kind: FieldKind, raw: &str) -> Option<Value> {
    if raw.trim().is_empty() {
        return None;
    }
    if kind == FieldKind::Number {
        if let Some(n) = raw
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
        {
            return Some(Value::Number(n));
        }
    }
    Some(Value::String(raw.to_owned()))
}

/// Sets or (with `None`) removes one field's value.
pub fn set_field(values: &mut FieldValues, key: &str, v: Option<Value>) {
    match v {
        Some(v) => {
            values.insert(key.to_owned(), v);
        }
        None => {
            values.remove(key);
        }
    }
}

/// One field: label (`*` when required), input, and the server's errors for
/// `custom_fields.<key>` under it.
#[component]
pub fn CustomFieldInput(
    def: FieldDef,
    /// Element id prefix: ids are `<prefix><key>`.
    id_prefix: &'static str,
    /// The current value, if any.
    #[prop(optional_no_strip)]
    value: Option<Value>,
    #[prop(optional)] disabled: bool,
    /// The last refusal; its errors for this field are shown under it.
    error: RwSignal<Option<ApiError>>,
    on_change: Callback<Option<Value>>,
) -> impl IntoView {
    let prefs = use_prefs();
    let id = format!("{id_prefix}{}", def.key);
    let text = match &value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let kind = def.kind;
    let set =
        move |ev: leptos::ev::Event| on_change.run(field_value(kind, &event_target_value(&ev)));
    let input = match kind {
        FieldKind::Date => view! {
            <DateInput id=id.clone() value=text disabled=disabled
                on_change=Callback::new(move |v: String| on_change.run(field_value(kind, &v))) />
        }
        .into_any(),
        FieldKind::Choice => view! {
            <select id=id.clone() disabled=disabled on:change=set>
                <option value="" selected=text.is_empty()>"—"</option>
                {def.options.iter().map(|o| {
                    let label = def.option_label(o, prefs.lang.get_untracked().code()).to_owned();
                    view! { <option value=o.clone() selected=*o == text>{label}</option> }
                }).collect_view()}
            </select>
        }
        .into_any(),
        k => {
            let ty = match k {
                FieldKind::Number => "number",
                FieldKind::Date => "date",
                FieldKind::Email => "email",
                _ => "text",
            };
            view! { <input id=id.clone() type=ty disabled=disabled prop:value=text on:change=set /> }.into_any()
        }
    };
    let path = format!("custom_fields.{}", def.key);
    let label = {
        let def = def.clone();
        move || def.localized(prefs.lang.get().code()).to_owned()
    };
    let errors = move || {
        let lang = prefs.lang.get();
        error.with(|e| {
            e.as_ref()
                .and_then(|e| e.problem())
                .map(|p| {
                    crate::rules::errors_for(p, &path)
                        .into_iter()
                        .map(|fe| field_message(fe, lang))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
                .into_iter()
                .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
                .collect_view()
        })
    };
    view! {
        <div class="field">
            <label for=id>{label}{def.required.then_some(" *")}</label>
            {input}
            {errors}
        </div>
    }
}
