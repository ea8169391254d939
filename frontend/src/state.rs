//! Contexts shared by every page: the session, the person's preferences, the
//! reference data (statuses, groups, people, ticket types), the follow-up list
//! (so a ticket can walk it and the list comes back as it was), and notices.

use crate::api;
use crate::i18n::{Lang, T};
use crate::listview::{columns_to_string, parse_columns, Column};
use crate::util;
use chrono::{DateTime, Utc};
use lazo_domain::wire::{
    Group, LoginResponse, Me, SourceDef, Status, TicketListItem, TicketType, User,
};
use lazo_domain::Named;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

const SESSION_KEY: &str = "lazo.session";
const LANG_KEY: &str = "lazo.lang";
const COLUMNS_KEY: &str = "lazo.columns";

/// A signed-in person, kept in localStorage so a reload keeps them signed in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub me: Me,
}

/// The session, and whether the last one ended by expiry (so the login page
/// can say why the person is there).
#[derive(Clone, Copy)]
pub struct SessionCtx(pub RwSignal<Option<Session>>, pub RwSignal<bool>);

impl SessionCtx {
    fn restore() -> Option<Session> {
        let s: Session = serde_json::from_str(&util::load(SESSION_KEY)?).ok()?;
        (s.expires_at > Utc::now()).then_some(s)
    }

    /// The API refused the token: forget it; the guard sends the person to
    /// the login page, remembering where they were.
    pub fn expire(&self) {
        self.1.set(true);
        self.sign_out();
    }

    pub fn sign_in(&self, s: Session) {
        self.1.set(false);
        util::store(SESSION_KEY, &serde_json::to_string(&s).unwrap_or_default());
        api::set_token(Some(s.token.clone()));
        self.0.set(Some(s));
    }

    /// A renewed token (`POST /auth/refresh`). Pages are not re-rendered for
    /// it: subscribers hear of it only when the person themselves changed.
    pub fn renew(&self, r: LoginResponse) {
        self.0.maybe_update(|s| {
            let Some(s) = s else { return false };
            s.token = r.token;
            s.expires_at = r.expires_at;
            let changed = s.me != r.user;
            s.me = r.user;
            util::store(SESSION_KEY, &serde_json::to_string(&s).unwrap_or_default());
            changed
        });
    }

    /// The token and when it stops being accepted.
    fn token(&self) -> Option<(String, DateTime<Utc>)> {
        self.0
            .try_with_untracked(|s| s.as_ref().map(|s| (s.token.clone(), s.expires_at)))
            .flatten()
    }

    /// A fresh copy of the person from `GET /me`. Subscribers hear of it
    /// only when something changed: the answer usually lands a moment after
    /// a reload, while the person is already typing, and re-rendering a page
    /// then would throw away what they typed.
    pub fn refresh(&self, me: Me) {
        self.0.maybe_update(|s| {
            let Some(s) = s else { return false };
            if s.me == me {
                return false;
            }
            s.me = me;
            util::store(SESSION_KEY, &serde_json::to_string(&s).unwrap_or_default());
            true
        });
    }

    pub fn sign_out(&self) {
        util::forget(SESSION_KEY);
        api::warm::forget();
        api::set_token(None);
        self.0.set(None);
    }

    pub fn me(&self) -> Option<Me> {
        self.0.with(|s| s.as_ref().map(|s| s.me.clone()))
    }

    pub fn me_id(&self) -> Option<i64> {
        self.0.with(|s| s.as_ref().map(|s| s.me.id))
    }

    pub fn configures(&self) -> bool {
        self.0
            .with(|s| s.as_ref().is_some_and(|s| s.me.role.configures_ticketing()))
    }

    pub fn is_admin(&self) -> bool {
        self.0.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.me.role == lazo_domain::Role::Admin)
        })
    }
}

thread_local! {
    /// When the current token is due for renewal (ms since the epoch).
    static RENEW_AT: std::cell::Cell<f64> = const { std::cell::Cell::new(f64::INFINITY) };
}

/// Keeps a signed-in person's JWT fresh for the whole session (12 hours):
/// renews it at 80% of its remaining life, and at once when the tab is shown
/// again after the renewal fell due (timers stop while a laptop sleeps).
/// A renewal that finds no network is tried again 30 s later.
pub fn keep_session_fresh(session: SessionCtx) {
    api::on_renewed(move |r| {
        session.renew(r);
        schedule_renewal(session);
    });
    // Sign-in, restore, sign-out.
    Effect::new(move |_| {
        session.0.track();
        schedule_renewal(session);
    });
    let on_visible = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
        let shown = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| !d.hidden());
        if shown && js_sys::Date::now() >= RENEW_AT.with(|r| r.get()) {
            if let Some((token, _)) = session.token() {
                renew_if_current(session, token);
            }
        }
    });
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        use wasm_bindgen::JsCast;
        let _ = d.add_event_listener_with_callback(
            "visibilitychange",
            on_visible.as_ref().unchecked_ref(),
        );
    }
    on_visible.forget(); // lives as long as the app
}

fn schedule_renewal(session: SessionCtx) {
    let Some((token, expires)) = session.token() else {
        RENEW_AT.with(|r| r.set(f64::INFINITY));
        return;
    };
    let left = (expires - Utc::now()).num_milliseconds() as f64;
    // Near the session's own end a renewal cannot extend the token: let it lapse.
    if left < 10_000.0 {
        RENEW_AT.with(|r| r.set(f64::INFINITY));
        return;
    }
    let wait = left * 0.8;
    RENEW_AT.with(|r| r.set(js_sys::Date::now() + wait));
    util::later(wait.min(i32::MAX as f64) as i32, move || {
        renew_if_current(session, token)
    });
}

/// Renews unless the token changed meanwhile (renewed, or signed out).
fn renew_if_current(session: SessionCtx, token: String) {
    if session.token().is_none_or(|(t, _)| t != token) {
        return;
    }
    RENEW_AT.with(|r| r.set(f64::INFINITY));
    spawn_local(async move {
        match api::renew_session().await {
            Err(api::ApiError::Network(_)) => {
                RENEW_AT.with(|r| r.set(js_sys::Date::now() + 30_000.0));
                util::later(30_000, move || renew_if_current(session, token));
            }
            // Revoked, or expired while the computer slept: log in again.
            Err(_) if session.token().is_some_and(|(t, _)| t == token) => session.expire(),
            _ => {}
        }
    });
}

/// Language and columns: per browser, remembered in localStorage.
#[derive(Clone, Copy)]
pub struct Prefs {
    pub lang: RwSignal<Lang>,
    pub columns: RwSignal<Vec<Column>>,
}

impl Prefs {
    fn restore() -> Self {
        let lang = util::load(LANG_KEY)
            .and_then(|l| Lang::from_tag(&l))
            .unwrap_or_else(|| {
                let langs = util::browser_languages();
                Lang::pick(langs.iter().map(String::as_str))
            });
        api::set_language(lang.code());
        let columns = util::load(COLUMNS_KEY)
            .map(|s| parse_columns(&s))
            .unwrap_or_else(|| Column::DEFAULT.to_vec());
        Prefs {
            lang: RwSignal::new(lang),
            columns: RwSignal::new(columns),
        }
    }

    pub fn set_lang(&self, lang: Lang) {
        util::store(LANG_KEY, lang.code());
        api::set_language(lang.code());
        self.lang.set(lang);
    }

    pub fn toggle_column(&self, c: Column) {
        self.columns.update(|cols| {
            if cols.contains(&c) {
                if c != Column::Subject {
                    cols.retain(|x| *x != c);
                }
            } else {
                cols.push(c);
                cols.sort_by_key(|c| Column::ALL.iter().position(|a| a == c));
            }
            util::store(COLUMNS_KEY, &columns_to_string(cols));
        });
    }

    /// A string in the current language (reactive when read in a closure).
    pub fn t(&self, key: T) -> &'static str {
        key.get(self.lang.get())
    }

    /// A label that follows the language, for a view or an attribute. Every
    /// label has this one closure type, so Leptos' render code for it exists
    /// once in the wasm; written inline (`move || t(T::X)`), each of ~400
    /// labels was a type of its own with its own copy.
    pub fn text(self, key: T) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || key.get(self.lang.get())
    }
}

/// Configuration everyone needs to label and fill dropdowns.
#[derive(Clone, Copy)]
pub struct RefData {
    pub statuses: RwSignal<Vec<Status>>,
    pub groups: RwSignal<Vec<Group>>,
    pub users: RwSignal<Vec<User>>,
    pub types: RwSignal<Vec<TicketType>>,
    /// The named sources of the organisation settings.
    pub sources: RwSignal<Vec<SourceDef>>,
    pub ready: RwSignal<bool>,
}

impl RefData {
    /// Loads (again) all four lists; each request runs on its own.
    pub fn reload(&self) {
        let this = *self;
        spawn_local(async move {
            if let Ok(mut s) = api::statuses().await {
                s.sort_by_key(|s| s.position);
                this.statuses.set(s);
            }
            this.ready.set(true);
        });
        spawn_local(async move {
            if let Ok(g) = api::groups().await {
                this.groups.set(g);
            }
        });
        spawn_local(async move {
            if let Ok(u) = api::users().await {
                this.users.set(u);
            }
        });
        spawn_local(async move {
            if let Ok(t) = api::ticket_types().await {
                this.types.set(t);
            }
        });
        spawn_local(async move {
            if let Ok(s) = api::settings().await {
                this.sources.set(s.sources);
            }
        });
    }

    // The names records carry in the agent's language. Each takes the name
    // the server sent with the ticket as `fallback`, shown while the
    // reference data loads or for a record it does not hold. Tracked, so a
    // view re-renders when the data arrives or the language changes.

    pub fn status_name(&self, id: i64, fallback: &str, lang: Lang) -> String {
        named(self.statuses, |s| s.id == id, fallback, lang)
    }

    pub fn group_name(&self, id: i64, fallback: &str, lang: Lang) -> String {
        named(self.groups, |g| g.id == id, fallback, lang)
    }

    pub fn type_name(&self, id: i64, fallback: &str, lang: Lang) -> String {
        named(self.types, |t| t.id == id, fallback, lang)
    }

    /// A custom field's label (by key) in `lang`, from the first type that
    /// defines it; with `value`, that option's label instead.
    pub fn field_label(&self, key: &str, value: Option<&str>, lang: Lang) -> Option<String> {
        self.types.with(|ts| {
            let def = ts.iter().flat_map(|t| &t.fields).find(|f| f.key == key)?;
            Some(match value {
                Some(v) => def.option_label(v, lang.code()).to_owned(),
                None => def.localized(lang.code()).to_owned(),
            })
        })
    }

    /// A ticket's `source` as the organisation names it, else as it is.
    pub fn source_name(&self, key: &str, lang: Lang) -> String {
        named(self.sources, |s| s.key == key.to_lowercase(), key, lang)
    }

    /// A value as the history recorded it, in the agent's language when it
    /// still names the record `id` (a record renamed since keeps the name it
    /// had then).
    pub fn history_name(&self, field: &str, id: Option<i64>, value: &str, lang: Lang) -> String {
        let same = |n: &dyn Named| n.base_name() == value;
        let pick = |n: &dyn Named| {
            if same(n) {
                n.localized(lang.code()).to_owned()
            } else {
                value.to_owned()
            }
        };
        let Some(id) = id else {
            if let Some(key) = field.strip_prefix("custom_fields.") {
                return self
                    .field_label(key, Some(value), lang)
                    .unwrap_or_else(|| value.to_owned());
            }
            return match field {
                "source" => self.source_name(value, lang),
                _ => value.to_owned(),
            };
        };
        let found = match field {
            "status" => self
                .statuses
                .with(|v| v.iter().find(|s| s.id == id).map(|s| pick(s))),
            "group" => self
                .groups
                .with(|v| v.iter().find(|g| g.id == id).map(|g| pick(g))),
            "type" => self
                .types
                .with(|v| v.iter().find(|t| t.id == id).map(|t| pick(t))),
            "root_cause" => self.types.with(|v| {
                v.iter()
                    .flat_map(|t| &t.root_causes)
                    .find(|c| c.id == id)
                    .map(|c| pick(c))
            }),
            _ => None,
        };
        found.unwrap_or_else(|| value.to_owned())
    }
}

fn named<N: Named + Send + Sync + 'static>(
    list: RwSignal<Vec<N>>,
    pick: impl Fn(&N) -> bool,
    fallback: &str,
    lang: Lang,
) -> String {
    list.with(|v| {
        v.iter()
            .find(|n| pick(n))
            .map(|n| n.localized(lang.code()).to_owned())
            .unwrap_or_else(|| fallback.to_owned())
    })
}

impl RefData {
    pub fn ticket_type(&self, id: i64) -> Option<TicketType> {
        self.types.with(|t| t.iter().find(|t| t.id == id).cloned())
    }
}

/// The follow-up list as last shown: what a ticket walks with next/previous,
/// and what the list shows again (with its scroll) when the ticket closes.
#[derive(Debug, Clone, Default)]
pub struct ListCache {
    /// The URL query string this list was loaded for; `None` before any load.
    pub search: Option<String>,
    pub items: Vec<TicketListItem>,
    pub next_cursor: Option<String>,
    pub scroll_y: f64,
    /// Keyboard cursor row.
    pub cursor: usize,
}

impl ListCache {
    pub fn ids(&self) -> Vec<i64> {
        self.items.iter().map(|i| i.id).collect()
    }
}

#[derive(Clone, Copy)]
pub struct ListCtx(pub RwSignal<ListCache>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Ok,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub id: u64,
    pub kind: NoticeKind,
    pub text: String,
}

/// A short message at the bottom of the screen (also read by screen readers).
#[derive(Clone, Copy)]
pub struct Notices(pub RwSignal<Option<Notice>>, StoredValue<u64>);

impl Notices {
    pub fn show(&self, kind: NoticeKind, text: impl Into<String>) {
        let id = self.1.get_value() + 1;
        self.1.set_value(id);
        self.0.set(Some(Notice {
            id,
            kind,
            text: text.into(),
        }));
        let sig = self.0;
        util::later(
            if kind == NoticeKind::Error {
                8000
            } else {
                3500
            },
            move || {
                sig.update(|n| {
                    if n.as_ref().is_some_and(|n| n.id == id) {
                        *n = None;
                    }
                })
            },
        );
    }
    pub fn ok(&self, text: impl Into<String>) {
        self.show(NoticeKind::Ok, text)
    }
    pub fn error(&self, text: impl Into<String>) {
        self.show(NoticeKind::Error, text)
    }
}

/// Creates every context; called once by the app root.
pub fn provide_all() {
    let session = SessionCtx(RwSignal::new(SessionCtx::restore()), RwSignal::new(false));
    if let Some(s) = session.0.get_untracked() {
        api::set_token(Some(s.token));
    }
    provide_context(session);
    provide_context(Prefs::restore());
    provide_context(RefData {
        statuses: RwSignal::new(vec![]),
        groups: RwSignal::new(vec![]),
        users: RwSignal::new(vec![]),
        types: RwSignal::new(vec![]),
        sources: RwSignal::new(vec![]),
        ready: RwSignal::new(false),
    });
    provide_context(ListCtx(RwSignal::new(ListCache::default())));
    provide_context(Notices(RwSignal::new(None), StoredValue::new(0)));
}

pub fn use_session() -> SessionCtx {
    expect_context()
}
pub fn use_prefs() -> Prefs {
    expect_context()
}
pub fn use_refdata() -> RefData {
    expect_context()
}
pub fn use_list() -> ListCtx {
    expect_context()
}
pub fn use_notices() -> Notices {
    expect_context()
}
