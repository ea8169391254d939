//! Ticket types: root causes, the per-status root-cause rule, custom fields.

use super::{writer, NameEdits};
use crate::api::{self, ApiError};
use crate::i18n::{self, T};
use crate::state::{use_prefs, use_refdata};
use lazo_domain::wire::{CreateTicketType, FieldDef, RootCauseInput, TicketType, UpdateTicketType};
use lazo_domain::{FieldKind, Named, Names, RootCauseRule};
use leptos::prelude::*;
use std::collections::HashMap;

#[component]
pub fn Types() -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let w = writer();
    let name = RwSignal::new(String::new());
    let names = NameEdits::new(&Default::default());
    let error = RwSignal::new(None::<ApiError>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CreateTicketType {
            name: name.get_untracked().trim().to_owned(),
            names: names.names(),
            description: None,
            show_summary: Some(true),
            show_survey: Some(false),
            root_causes: vec![],
            root_cause_required_for: vec![],
            root_cause_prohibited_for: vec![],
            fields: vec![],
        };
        w.run(
            async move { api::create_ticket_type(&body).await },
            error,
            move |_| {
                name.set(String::new());
                names.clear();
            },
        );
    };
    view! {
        <form class="card form inline-form" on:submit=create aria-label=prefs.text(T::NewType)>
            <h2>{prefs.text(T::NewType)}</h2>
            <div class="field-row">
                <label class="field"><span>{prefs.text(T::Name)}</span>
                    <input type="text" bind:value=name /></label>
                {names.fields()}
                <button class="btn primary" type="submit">{prefs.text(T::Create)}</button>
            </div>
            {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
        </form>
        {move || refdata.types.get().into_iter().map(|ty| view! { <TypeCard ty=ty /> }).collect_view()}
    }
}

#[component]
fn TypeCard(ty: TicketType) -> impl IntoView {
    let prefs = use_prefs();
    let refdata = use_refdata();
    let w = writer();
    let id = ty.id;
    let name = RwSignal::new(ty.name.clone());
    let description = RwSignal::new(ty.description.clone());
    let show_summary = RwSignal::new(ty.show_summary);
    let show_survey = RwSignal::new(ty.show_survey);
    let active = RwSignal::new(ty.active);
    let names = NameEdits::new(&ty.names);
    let causes = RwSignal::new(
        ty.root_causes
            .iter()
            .map(|c| (Some(c.id), c.name.clone(), c.active, c.names.clone()))
            .collect::<Vec<_>>(),
    );
    let mut rules0 = HashMap::new();
    for s in &ty.root_cause_required_for {
        rules0.insert(*s, RootCauseRule::Required);
    }
    for s in &ty.root_cause_prohibited_for {
        rules0.insert(*s, RootCauseRule::Prohibited);
    }
    let rules = RwSignal::new(rules0);
    let fields = RwSignal::new(ty.fields.clone());
    let new_cause = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);

    let save = move |_| {
        let r = rules.get_untracked();
        let body = UpdateTicketType {
            name: Some(name.get_untracked()),
            names: Some(names.names()),
            description: Some(description.get_untracked()),
            show_summary: Some(show_summary.get_untracked()),
            show_survey: Some(show_survey.get_untracked()),
            active: Some(active.get_untracked()),
            root_causes: Some(
                causes
                    .get_untracked()
                    .into_iter()
                    .map(|(id, name, active, names)| RootCauseInput {
                        id,
                        name,
                        active,
                        names,
                    })
                    .collect(),
            ),
            root_cause_required_for: Some(
                r.iter()
                    .filter(|(_, v)| **v == RootCauseRule::Required)
                    .map(|(k, _)| *k)
                    .collect(),
            ),
            root_cause_prohibited_for: Some(
                r.iter()
                    .filter(|(_, v)| **v == RootCauseRule::Prohibited)
                    .map(|(k, _)| *k)
                    .collect(),
            ),
            fields: Some(fields.get_untracked()),
        };
        w.run(
            async move { api::update_ticket_type(id, &body).await },
            error,
            |_| {},
        );
    };

    let causes_view = move || {
        causes.get().into_iter().enumerate().map(|(i, (_, cname, cactive, cnames))| view! {
        <li>
            <input type="text" aria-label=prefs.text(T::RootCause) prop:value=cname.clone()
                on:input=move |ev| { let v = event_target_value(&ev); causes.update(|c| c[i].1 = v) } />
            {lang_inputs(cname.clone(), cnames, move |n| causes.update_untracked(|c| c[i].3 = n))}
            <label class="check small"><input type="checkbox" prop:checked=cactive
                on:change=move |ev| { let v = event_target_checked(&ev); causes.update(|c| c[i].2 = v) } />{prefs.text(T::Active)}</label>
        </li>
    }).collect_view()
    };

    let rules_view = move || {
        let lang = prefs.lang.get();
        refdata.statuses.get().into_iter().map(|s| {
            let sid = s.id;
            let current = rules.with(|r| r.get(&sid).copied());
            view! {
                <label class="field rule">
                    <span>{s.localized(lang.code()).to_owned()}</span>
                    <select on:change=move |ev| {
                        let v = event_target_value(&ev);
                        rules.update(|r| match v.parse::<RootCauseRule>() { Ok(x) => { r.insert(sid, x); } Err(_) => { r.remove(&sid); } })
                    }>
                        <option value="" selected=current.is_none()>{T::RuleOptional.get(lang)}</option>
                        <option value="required" selected=current == Some(RootCauseRule::Required)>{T::RuleRequired.get(lang)}</option>
                        <option value="prohibited" selected=current == Some(RootCauseRule::Prohibited)>{T::RuleProhibited.get(lang)}</option>
                    </select>
                </label>
            }
        }).collect_view()
    };

    let fields_view = move || {
        let lang = prefs.lang.get();
        fields.get().into_iter().enumerate().map(|(i, f)| view! {
            <tr>
                <td><input type="text" aria-label=T::FieldKey.get(lang) prop:value=f.key.clone() on:input=move |ev| { let v = event_target_value(&ev); fields.update(|fs| fs[i].key = v) } /></td>
                <td><input type="text" aria-label=T::FieldLabel.get(lang) prop:value=f.label.clone() on:input=move |ev| { let v = event_target_value(&ev); fields.update(|fs| fs[i].label = v) } /></td>
                <td class="names-cell">{lang_inputs(f.label.clone(), f.names.clone(), move |n| fields.update_untracked(|fs| fs[i].names = n))}</td>
                <td><select aria-label=T::FieldKindLabel.get(lang) on:change=move |ev| { if let Ok(k) = event_target_value(&ev).parse() { fields.update(|fs| fs[i].kind = k) } }>
                    {FieldKind::ALL.iter().map(|k| view! { <option value=k.as_str() selected=*k == f.kind>{i18n::field_kind(*k).get(lang)}</option> }).collect_view()}
                </select></td>
                <td><input type="checkbox" aria-label=T::FieldRequired.get(lang) prop:checked=f.required on:change=move |ev| { let v = event_target_checked(&ev); fields.update(|fs| fs[i].required = v) } /></td>
                <td><input type="text" aria-label=T::FieldOptions.get(lang) prop:value=f.options.join(", ")
                    on:change=move |ev| { let v = event_target_value(&ev); fields.update(|fs| fs[i].options = v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()) } />
                    {(!f.options.is_empty()).then(|| view! {
                        <details class="option-names">
                            <summary>{T::OptionLabels.get(lang)}</summary>
                            {f.options.iter().map(|o| {
                                let key = o.clone();
                                let current = f.option_names.get(o).cloned().unwrap_or_default();
                                view! {
                                    <div class="option-name"><span>{o.clone()}</span>
                                        {lang_inputs(o.clone(), current, move |n| {
                                            let key = key.clone();
                                            fields.update_untracked(|fs| {
                                                if n.is_empty() {
                                                    fs[i].option_names.remove(&key);
                                                } else {
                                                    fs[i].option_names.insert(key, n);
                                                }
                                            })
                                        })}
                                    </div>
                                }
                            }).collect_view()}
                        </details>
                    })}
                </td>
                <td><button class="btn ghost small" on:click=move |_| fields.update(|fs| { fs.remove(i); })>{T::Remove.get(lang)}</button></td>
            </tr>
        }).collect_view()
    };

    let heading = format!("type-{id}");
    view! {
        <section class="card type-card" aria-labelledby=format!("type-{id}")>
            <h2 id=heading>{ty.name.clone()}</h2>
            <div class="field-row">
                <label class="field"><span>{prefs.text(T::Name)}</span>
                    <input type="text" bind:value=name /></label>
                <label class="field grow"><span>{prefs.text(T::Description)}</span>
                    <input type="text" bind:value=description /></label>
            </div>
            <div class="field-row">{names.fields()}</div>
            <div class="checks">
                <label class="check"><input type="checkbox" prop:checked=move || show_summary.get() on:change=move |ev| show_summary.set(event_target_checked(&ev)) />{prefs.text(T::ShowSummary)}</label>
                <label class="check"><input type="checkbox" prop:checked=move || show_survey.get() on:change=move |ev| show_survey.set(event_target_checked(&ev)) />{prefs.text(T::ShowSurvey)}</label>
                <label class="check"><input type="checkbox" prop:checked=move || active.get() on:change=move |ev| active.set(event_target_checked(&ev)) />{prefs.text(T::Active)}</label>
            </div>
            <div class="type-cols">
                <div>
                    <h3>{prefs.text(T::RootCauses)}</h3>
                    <ul class="cause-list">{causes_view}</ul>
                    <div class="field-row">
                        <input type="text" aria-label=prefs.text(T::AddRootCause) placeholder=prefs.text(T::AddRootCause) bind:value=new_cause />
                        <button class="btn small" on:click=move |_| {
                            let v = new_cause.get_untracked().trim().to_owned();
                            if !v.is_empty() { causes.update(|c| c.push((None, v, true, Names::default()))); new_cause.set(String::new()); }
                        }>{prefs.text(T::Add)}</button>
                    </div>
                </div>
                <div>
                    <h3>{prefs.text(T::RootCauseRules)}</h3>
                    <div class="rules-grid">{rules_view}</div>
                </div>
            </div>
            <h3>{prefs.text(T::CustomFieldsDefs)}</h3>
            <table class="admin-table compact">
                <thead><tr><th>{prefs.text(T::FieldKey)}</th><th>{prefs.text(T::FieldLabel)}</th><th>"es / fr"</th><th>{prefs.text(T::FieldKindLabel)}</th><th>{prefs.text(T::FieldRequired)}</th><th>{prefs.text(T::FieldOptions)}</th><th></th></tr></thead>
                <tbody>{fields_view}</tbody>
            </table>
            <button class="btn small" on:click=move |_| fields.update(|fs| fs.push(FieldDef { key: String::new(), label: String::new(), kind: FieldKind::Text, required: false, options: vec![], names: Names::default(), option_names: Default::default() }))>
                {prefs.text(T::AddField)}
            </button>
            {move || error.get().map(|e| view! { <p class="error-box" role="alert">{e.message(prefs.lang.get())}</p> })}
            <div class="composer-actions"><button class="btn primary" on:click=save>{prefs.text(T::Save)}</button></div>
        </section>
    }
}

/// Spanish and French inputs for one name inside a list that re-renders as a
/// whole: each keystroke hands the names back through `set` (untracked, so
/// the input keeps its focus).
fn lang_inputs(of: String, names: Names, set: impl Fn(Names) + Clone + 'static) -> impl IntoView {
    let prefs = use_prefs();
    let current = StoredValue::new(names);
    let one = move |label: T, lang: &'static str, value: Option<String>, of: String| {
        let set = set.clone();
        view! {
            <input type="text" class="name-lang" lang=lang maxlength=lazo_domain::limits::NAME_MAX
                aria-label=move || format!("{} ({of})", prefs.t(label))
                placeholder=lang
                prop:value=value.unwrap_or_default()
                on:input=move |ev| {
                    let v = event_target_value(&ev).trim().to_owned();
                    let v = (!v.is_empty()).then_some(v);
                    current.update_value(|n| if lang == "es" { n.es = v } else { n.fr = v });
                    set(current.get_value());
                } />
        }
    };
    let n = current.get_value();
    view! {
        {one(T::NameEs, "es", n.es, of.clone())}
        {one(T::NameFr, "fr", n.fr, of)}
    }
}
