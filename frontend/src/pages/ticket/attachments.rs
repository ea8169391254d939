//! The ticket's files: the list (name, size, who, when), downloads, removal
//! with a confirmation, and uploads from a file picker or by dropping files
//! on the drop zone, with the upload's progress and the server's refusals
//! named per file. Everything goes through the API (a download is fetched
//! with the session's token and saved from a blob).

use super::TicketState;
use crate::api::{self, ApiError};
use crate::i18n::{fill, Lang, T};
use crate::state::{use_notices, use_prefs, use_session};
use crate::util;
use lazo_domain::attachment::{Attachment, FILES_PER_UPLOAD};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;

fn file_list(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    list.map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
        .unwrap_or_default()
}

/// The badge beside a file's name: its extension (`PDF`), or a generic mark.
fn extension(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && (1..=4).contains(&ext.chars().count()) => {
            ext.to_uppercase()
        }
        _ => "FILE".into(),
    }
}

/// The refusal in the person's words, one line per file the server named
/// (`files[i]` is the i-th file sent).
fn describe(e: &ApiError, names: &[String], lang: Lang) -> Vec<String> {
    let errors = e.field_errors();
    if errors.is_empty() {
        return vec![e.message(lang)];
    }
    errors
        .iter()
        .map(|fe| {
            let name = fe
                .field
                .strip_prefix("files[")
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| names.get(i))
                .cloned()
                .unwrap_or_default();
            let with = |k: T| fill(lang, k, &[("name", &name)]);
            match fe.code.as_str() {
                "payload_too_large" if !name.is_empty() => with(T::AttTooLarge),
                "required" if !name.is_empty() => with(T::AttEmpty),
                "invalid_value" if !name.is_empty() => with(T::AttBadName),
                "too_many" => fill(lang, T::AttTooMany, &[("n", &FILES_PER_UPLOAD.to_string())]),
                _ => crate::api::error::field_message(fe, lang),
            }
        })
        .collect()
}

/// The ticket's files as loaded (`None` until the first answer).
pub type Files = RwSignal<Option<Result<Vec<Attachment>, ApiError>>>;

/// (Re)loads the ticket's files into `items`; what was shown stays until the
/// answer replaces it. Harmless once the screen is gone.
pub fn load(tid: i64, items: Files) {
    spawn_local(async move {
        let r = api::attachments(tid).await;
        let _ = items.try_set(Some(r));
    })
}

#[component]
pub fn Attachments(
    st: TicketState,
    /// Loaded with the ticket's screen, so its tab can show the count.
    items: Files,
) -> impl IntoView {
    let prefs = use_prefs();
    let session = use_session();
    let notices = use_notices();
    let tid = st.tid;
    let load = move || load(tid, items);
    // Opening the tab looks again: someone else may have attached files.
    load();

    // (what is being sent, share sent 0..1) while an upload runs.
    let uploading = RwSignal::new(None::<(String, f64)>);
    let errors = RwSignal::new(Vec::<String>::new());
    let dragging = RwSignal::new(false);

    let upload = move |files: Vec<web_sys::File>| {
        if files.is_empty() || uploading.get_untracked().is_some() {
            return;
        }
        let lang = prefs.lang.get_untracked();
        if files.len() > FILES_PER_UPLOAD {
            errors.set(vec![fill(
                lang,
                T::AttTooMany,
                &[("n", &FILES_PER_UPLOAD.to_string())],
            )]);
            return;
        }
        let names: Vec<String> = files.iter().map(|f| f.name()).collect();
        let label = names.join(", ");
        errors.set(vec![]);
        uploading.set(Some((label.clone(), 0.0)));
        spawn_local(async move {
            let progress: Rc<dyn Fn(f64)> = Rc::new(move |share| {
                let _ = uploading.try_set(Some((label.clone(), share)));
            });
            let r = api::upload_attachments(tid, &files, progress).await;
            let _ = uploading.try_set(None);
            match r {
                Ok(added) => {
                    notices.ok(fill(
                        lang,
                        T::AttUploaded,
                        &[("n", &added.len().to_string())],
                    ));
                    let _ = items.try_update(|v| {
                        if let Some(Ok(v)) = v {
                            v.extend(added);
                        }
                    });
                    st.history_changed.try_update(|n| *n += 1);
                }
                Err(e) => {
                    let _ = errors.try_set(describe(&e, &names, lang));
                }
            }
        });
    };

    let remove = move |a: Attachment| {
        let lang = prefs.lang.get_untracked();
        let ok = window()
            .confirm_with_message(&fill(lang, T::AttConfirmRemove, &[("name", &a.filename)]))
            .unwrap_or(false);
        if !ok {
            return;
        }
        spawn_local(async move {
            match api::delete_attachment(tid, a.id).await {
                Ok(()) => {
                    notices.ok(T::AttRemoved.get(lang));
                    let _ = items.try_update(|v| {
                        if let Some(Ok(v)) = v {
                            v.retain(|x| x.id != a.id);
                        }
                    });
                    st.history_changed.try_update(|n| *n += 1);
                }
                Err(e) => notices.error(e.message(lang)),
            }
        });
    };

    let download = move |a: Attachment| {
        spawn_local(async move {
            let lang = prefs.lang.get_untracked();
            match api::attachment_bytes(tid, a.id).await {
                Ok(bytes) => {
                    if let Err(e) = util::save_bytes(&a.filename, &a.content_type, &bytes) {
                        notices.error(format!("{}: {e}", T::ErrUnexpected.get(lang)));
                    }
                }
                Err(e) => notices.error(e.message(lang)),
            }
        });
    };

    // Who may remove a file: its uploader, the ticket's owner, an admin (the
    // server decides; this only hides a button that would be refused).
    let may_remove = move |a: &Attachment| {
        let me = session.me_id();
        let owner = st
            .ticket
            .with(|t| t.as_ref().and_then(|t| t.owner.as_ref().map(|o| o.id)));
        session.is_admin()
            || (me.is_some() && (a.uploaded_by.as_ref().map(|u| u.id) == me || owner == me))
    };

    let list = move || {
        let lang = prefs.lang.get();
        match items.get() {
            None => view! { <crate::components::Loading /> }.into_any(),
            Some(Err(e)) => view! {
                <crate::components::ErrorBox error=e retry=Callback::new(move |_| load()) />
            }
            .into_any(),
            Some(Ok(v)) if v.is_empty() => {
                view! { <p class="empty">{T::NoAttachments.get(lang)}</p> }.into_any()
            }
            Some(Ok(v)) => view! {
                <ul class="attachment-list" aria-label=T::Attachments.get(lang)>
                    {v.into_iter().map(|a| {
                        let (d, r) = (a.clone(), a.clone());
                        let removable = may_remove(&a);
                        let who = if a.uploaded_by_name.is_empty() {
                            T::System.get(lang).to_owned()
                        } else {
                            a.uploaded_by_name.clone()
                        };
                        view! {
                            <li class="attachment">
                                <span class="att-ext" aria-hidden="true">{extension(&a.filename)}</span>
                                <button class="linklike att-name" title=T::AttDownload.get(lang)
                                    on:click=move |_| download(d.clone())>
                                    {a.filename.clone()}
                                </button>
                                <span class="muted small att-meta">
                                    {util::file_size(lang, a.size_bytes)}" · "{who}" · "
                                    <time>{util::datetime(lang, &a.created_at)}</time>
                                </span>
                                <span class="spacer"></span>
                                {removable.then(|| view! {
                                    <button class="btn ghost small danger"
                                        aria-label=format!("{} {}", T::AttRemove.get(lang), a.filename)
                                        on:click=move |_| remove(r.clone())>
                                        {T::AttRemove.get(lang)}
                                    </button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
            .into_any(),
        }
    };

    view! {
        <div
            class="dropzone"
            class:dragging=move || dragging.get()
            on:dragover=move |ev: leptos::ev::DragEvent| {
                // Without this the browser opens the dropped file itself.
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                dragging.set(false);
                upload(file_list(ev.data_transfer().and_then(|d| d.files())));
            }
        >
            <span>{prefs.text(T::AttDrop)}" "</span>
            <label class="btn small">
                {prefs.text(T::AttChoose)}
                <input
                    type="file"
                    multiple
                    class="sr-only"
                    data-testid="attachment-input"
                    disabled=move || uploading.with(|u| u.is_some())
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        let files = file_list(input.files());
                        // The same file may be chosen again after an error.
                        input.set_value("");
                        upload(files);
                    }
                />
            </label>
        </div>
        {move || uploading.get().map(|(label, share)| {
            let pct = (share * 100.0).round() as i64;
            let text = fill(prefs.lang.get(), T::AttUploading, &[("name", &label), ("pct", &pct.to_string())]);
            view! {
                <div class="upload-progress" role="status">
                    <progress max="100" value=pct.to_string()></progress>
                    <span class="small">{text}</span>
                </div>
            }
        })}
        {move || {
            let e = errors.get();
            (!e.is_empty()).then(|| view! {
                <ul class="error-box upload-errors" role="alert">
                    {e.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                </ul>
            })
        }}
        {list}
    }
}
