//! Warm start: the first screen's data is requested before the app exists.
//!
//! A cold load spends most of its time fetching and compiling the wasm; only
//! then would the app ask for the ticket list. So the app remembers which
//! GET requests it made in its first moments at a location (`lazo.warm` in
//! localStorage: paths only, never data), and the small inline script in
//! index.html replays them with the stored session the moment the page
//! starts, into `window.__lazoWarm`. Each API call here takes its answer from
//! there when the path and the token are the same, once; anything else (a
//! different person, a day-old list URL, a failed request) simply goes to
//! the network as before, so a wrong guess costs one wasted request.

use std::cell::{Cell, RefCell};
use wasm_bindgen::{JsCast, JsValue};

const KEY: &str = "lazo.warm";
/// How long after start-up a GET still counts as the first screen's.
const WINDOW_MS: f64 = 2000.0;
/// The inline script replays at most this many.
const MAX: usize = 16;

thread_local! {
    static STARTED: Cell<f64> = const { Cell::new(f64::NAN) };
    static SEEN: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Starts recording; the paths are stored when the window closes.
pub fn start() {
    STARTED.with(|s| s.set(js_sys::Date::now()));
    let Some(w) = web_sys::window() else { return };
    let at = w.location().pathname().unwrap_or_default().to_owned()
        + &w.location().search().unwrap_or_default();
    leptos::prelude::set_timeout(
        move || {
            let urls = SEEN.with(|s| s.borrow().clone());
            // Signed out (the login page) or nothing asked: keep the last one.
            if urls.is_empty() || super::token().is_none() {
                return;
            }
            let v = serde_json::json!({ "at": at, "urls": urls });
            crate::util::store(KEY, &v.to_string());
        },
        std::time::Duration::from_millis(WINDOW_MS as u64 + 100),
    );
}

/// Signing out forgets the paths too (a list URL can hold a search).
pub fn forget() {
    crate::util::forget(KEY);
}

/// A GET the app makes: remembered when it belongs to the first screen.
pub fn note(path: &str) {
    let started = STARTED.with(|s| s.get());
    if started.is_nan() || js_sys::Date::now() - started >= WINDOW_MS {
        return;
    }
    SEEN.with(|s| {
        let mut s = s.borrow_mut();
        if s.len() < MAX && !s.iter().any(|p| p == path) {
            s.push(path.to_owned());
        }
    });
}

/// The replayed request for `path`, if the inline script made one with
/// `token`; taken out, so it answers once.
pub fn take(path: &str, token: Option<&str>) -> Option<js_sys::Promise> {
    let window: JsValue = web_sys::window()?.into();
    let warm = js_sys::Reflect::get(&window, &JsValue::from_str("__lazoWarm")).ok()?;
    if warm.is_undefined() || warm.is_null() {
        return None;
    }
    let sent_with = js_sys::Reflect::get(&warm, &JsValue::from_str("token"))
        .ok()?
        .as_string();
    if sent_with.as_deref() != token || token.is_none() {
        return None;
    }
    let requests = js_sys::Reflect::get(&warm, &JsValue::from_str("requests")).ok()?;
    let key = JsValue::from_str(path);
    let p = js_sys::Reflect::get(&requests, &key).ok()?;
    let _ = js_sys::Reflect::delete_property(requests.unchecked_ref::<js_sys::Object>(), &key);
    p.dyn_into::<js_sys::Promise>().ok()
}
