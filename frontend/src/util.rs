//! Small browser helpers: storage, the local date, locale formatting.

use crate::i18n::Lang;
use chrono::{DateTime, NaiveDate, Utc};
use wasm_bindgen::JsValue;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

pub fn store(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

pub fn forget(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// Today in the browser's time zone (the date range filter is a local idea).
pub fn today() -> NaiveDate {
    let d = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date())
        .unwrap_or_else(|| Utc::now().date_naive())
}

/// The browser's preferred languages, most preferred first.
pub fn browser_languages() -> Vec<String> {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return vec![];
    };
    let mut out: Vec<String> = nav
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    if let Some(l) = nav.language() {
        out.push(l);
    }
    out
}

fn options(pairs: &[(&str, &str)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o
}

fn js_date(t: &DateTime<Utc>) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(t.timestamp_millis() as f64))
}

/// A short date in the person's language, e.g. `3 Mar 2026` / `3 mar 2026`.
pub fn date(lang: Lang, t: &DateTime<Utc>) -> String {
    js_date(t)
        .to_locale_date_string(
            lang.code(),
            &options(&[("day", "numeric"), ("month", "short"), ("year", "numeric")]).into(),
        )
        .as_string()
        .unwrap_or_default()
}

/// A date for a dense table: without the year when it is this year's
/// (`3 Mar`), with it otherwise.
pub fn short_date(lang: Lang, t: &DateTime<Utc>) -> String {
    let d = js_date(t);
    if d.get_full_year() != js_sys::Date::new_0().get_full_year() {
        return date(lang, t);
    }
    d.to_locale_date_string(
        lang.code(),
        &options(&[("day", "numeric"), ("month", "short")]).into(),
    )
    .as_string()
    .unwrap_or_default()
}

/// Date and time in the person's language.
pub fn datetime(lang: Lang, t: &DateTime<Utc>) -> String {
    js_date(t)
        .to_locale_string(
            lang.code(),
            &options(&[
                ("day", "numeric"),
                ("month", "short"),
                ("year", "numeric"),
                ("hour", "2-digit"),
                ("minute", "2-digit"),
            ])
            .into(),
        )
        .as_string()
        .unwrap_or_default()
}

/// A count with the locale's grouping, e.g. `1,204` / `1.204` / `1 204`.
pub fn number(lang: Lang, n: i64) -> String {
    js_sys::Number::from(n as f64)
        .to_locale_string(lang.code())
        .as_string()
        .unwrap_or_else(|| n.to_string())
}

/// The local calendar date of an instant, as `YYYY-MM-DD` for `<input type=date>`.
pub fn input_date(t: &DateTime<Utc>) -> String {
    let d = js_date(t);
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

/// An instant as local `YYYY-MM-DDTHH:MM`, for `<input type=datetime-local>`.
pub fn input_datetime(t: &DateTime<Utc>) -> String {
    let d = js_date(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// A `datetime-local` value (`YYYY-MM-DDTHH:MM`, the browser's time zone) as
/// an instant.
pub fn from_input_datetime(s: &str) -> Option<DateTime<Utc>> {
    let dt = crate::dates::parse_iso_datetime(s)?;
    use chrono::{Datelike, Timelike};
    let js = js_sys::Date::new_with_year_month_day_hr_min_sec(
        dt.year() as u32,
        dt.month0() as i32,
        dt.day() as i32,
        dt.hour() as i32,
        dt.minute() as i32,
        dt.second() as i32,
    );
    DateTime::from_timestamp_millis(js.get_time() as i64)
}

/// The end of a local calendar day (`YYYY-MM-DD`) as an instant: a due date
/// means "by the end of that day".
pub fn end_of_local_day(s: &str) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    let d = crate::dates::parse_iso_date(s)?;
    let js = js_sys::Date::new_with_year_month_day_hr_min_sec(
        d.year() as u32,
        d.month0() as i32,
        d.day() as i32,
        23,
        59,
        0,
    );
    DateTime::from_timestamp_millis(js.get_time() as i64)
}

/// True when a key press happens in a text field, where letters are typing,
/// not shortcuts.
pub fn typing_in_field(ev: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| {
            let tag = el.tag_name().to_ascii_lowercase();
            tag == "input"
                || tag == "textarea"
                || tag == "select"
                || el.has_attribute("contenteditable")
        })
        .unwrap_or(false)
}

/// True while a modal dialog is open: it owns the keyboard, page shortcuts
/// (Esc, j/k...) wait.
pub fn modal_open() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("dialog[open]").ok().flatten())
        .is_some()
}

pub fn scroll_y() -> f64 {
    web_sys::window()
        .and_then(|w| w.scroll_y().ok())
        .unwrap_or(0.0)
}

pub fn scroll_to(y: f64) {
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, y);
    }
}

/// The current path and query, to come back to after logging in.
pub fn current_place() -> String {
    web_sys::window()
        .map(|w| {
            let l = w.location();
            format!(
                "{}{}",
                l.pathname().unwrap_or_default(),
                l.search().unwrap_or_default()
            )
        })
        .unwrap_or_else(|| "/".into())
}

/// Runs `f` after `ms` milliseconds.
pub fn later(ms: i32, f: impl FnOnce() + 'static) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let cb = Closure::once_into_js(f);
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms);
    }
}

/// Percent-encodes a value for a query string.
pub fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s)
        .as_string()
        .unwrap_or_default()
}

/// Hands `bytes` to the browser as a download named `filename` (through a
/// short-lived object URL: a plain link could not carry the bearer token).
pub fn save_bytes(filename: &str, content_type: &str, bytes: &[u8]) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let err = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(content_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(err)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(err)?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(err)?
        .dyn_into()
        .map_err(|_| "not an anchor".to_owned())?;
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    // The browser has taken the blob once the click is handled.
    later(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Ok(())
}

/// A size as people read it: `512 B`, `12.3 KB`, `4.0 MB` (powers of 1024,
/// one decimal) in the language's number format.
pub fn file_size(lang: Lang, bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    let (n, unit) = if b < 1024.0 {
        return format!("{bytes} B");
    } else if b < 1024.0 * 1024.0 {
        (b / 1024.0, "KB")
    } else {
        (b / (1024.0 * 1024.0), "MB")
    };
    let s = format!("{n:.1}");
    let s = if lang == Lang::En {
        s
    } else {
        s.replace('.', ",")
    };
    format!("{s} {unit}")
}
