//! The app root: contexts, the router, the top bar, the session guard.

use crate::api;
use crate::components::{LangSelect, NoticeArea};
use crate::i18n::T;
use crate::pages;
use crate::state::{self, use_prefs, use_refdata, use_session};
use crate::util;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_split::SplitLoaderError;
use leptos_router::components::{Redirect, Route, Router, Routes, A};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::{path, NavigateOptions};
use leptos_router::{Lazy, LazyRoute};

#[component]
pub fn App() -> impl IntoView {
    state::provide_all();
    provide_context(crate::components::ShortcutsCtx(RwSignal::new(false)));
    view! {
        <Router>
            <Shell />
        </Router>
    }
}

#[component]
fn Shell() -> impl IntoView {
    let session = use_session();
    let prefs = use_prefs();
    let refdata = use_refdata();

    // An expired or revoked session: the guard takes the person to login.
    api::on_unauthorized(move || {
        if session.0.get_untracked().is_some() {
            session.expire();
        }
    });

    // The JWT lasts 30 minutes; renewals keep the session going all day.
    state::keep_session_fresh(session);

    // Reference data once per signed-in person; a restored session also
    // refreshes the person (role, groups and settings may have changed) and
    // so finds out at once when the server no longer accepts the token.
    Effect::new(move |prev: Option<Option<i64>>| {
        let id = session.me_id();
        if id.is_some() && prev.flatten() != id {
            refdata.reload();
            if prev.is_none() {
                spawn_local(async move {
                    if let Ok(me) = api::me().await {
                        session.refresh(me);
                    }
                });
            }
        }
        id
    });

    Effect::new(move |_| {
        if let Some(el) = document().document_element() {
            let _ = el.set_attribute("lang", prefs.lang.get().code());
        }
    });

    let location = use_location();
    Effect::new(move |_| {
        let search = location.search.get();
        let sep = if search.is_empty() || search.starts_with('?') {
            ""
        } else {
            "?"
        };
        let place = format!("{}{sep}{search}", location.pathname.get());
        ROUTE_TARGET.with(|t| *t.borrow_mut() = place);
    });
    let signed_in = Memo::new(move |_| session.0.with(|s| s.is_some()));
    // Whatever the first screen (a contact, the bell's ticket links), the
    // ticket screen is fetched a little after it; the follow-up page asks
    // for it sooner, once its rows are shown.
    Effect::new(move |_| {
        if signed_in.get() {
            util::later(2_000, preload_ticket_screen);
        }
    });
    let show_bar = move || signed_in.get() && location.pathname.get() != "/login";

    view! {
        <a class="skip" href="#main">{prefs.text(T::SkipToContent)}</a>
        <Show when=show_bar>
            <TopBar />
        </Show>
        <main id="main" class="main">
            <Routes fallback=|| view! { <pages::NotFound /> }>
                <Route path=path!("/login") view=pages::login::LoginPage />
                <Route path=path!("/") view=|| view! { <Redirect path="/tickets" /> } />
                <Route
                    path=path!("/tickets")
                    view=|| view! { <Guard><pages::followup::FollowUpPage /></Guard> }
                />
                <Route path=path!("/tickets/new") view={Lazy::<NewTicketRoute>::new()} />
                <Route path=path!("/tickets/:number") view={Lazy::<TicketRoute>::new()} />
                <Route path=path!("/tickets/id/:id") view={Lazy::<TicketByIdRoute>::new()} />
                <Route path=path!("/me/notifications") view={Lazy::<MeRoute>::new()} />
                <Route path=path!("/contacts") view={Lazy::<ContactsRoute>::new()} />
                <Route path=path!("/contacts/:id") view={Lazy::<ContactRoute>::new()} />
                <Route path=path!("/admin") view=|| view! { <Redirect path="/admin/users" /> } />
                <Route path=path!("/admin/:section") view={Lazy::<AdminRoute>::new()} />
            </Routes>
        </main>
        <NoticeArea />
        <Show when=move || signed_in.get()>
            <crate::components::ShortcutsHelp />
        </Show>
    }
}

/// Loads a split page: with the `split` feature `$view` is a split function
/// (its code in a wasm chunk, fetched on first call), without it an ordinary
/// one. A chunk that cannot be fetched is an error, not a panic: after a
/// deploy a tab still running the old bundle asks for chunk names the server
/// no longer has, and `chunk_failed` loads the page anew, new version.
macro_rules! split_view {
    ($view:ident) => {{
        #[cfg(feature = "split")]
        let view = {
            let _busy = PageLoading::start();
            $view().await
        };
        #[cfg(not(feature = "split"))]
        let view = $view();
        view.unwrap_or_else(|_| chunk_failed())
    }};
}

/// While a split page's chunk is on its way the previous page stays up; a
/// bar along the top of the window (style.css, shown only after a moment so
/// that a quick load does not flicker) and `aria-busy` on the main area say
/// that the click was taken.
#[cfg(feature = "split")]
struct PageLoading;

#[cfg(feature = "split")]
thread_local! {
    static PAGES_LOADING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

#[cfg(feature = "split")]
impl PageLoading {
    fn start() -> Self {
        if PAGES_LOADING.with(|n| n.replace(n.get() + 1)) == 0 {
            Self::mark(true);
        }
        PageLoading
    }

    fn mark(on: bool) {
        let doc = document();
        if let Some(root) = doc.document_element() {
            let _ = root.class_list().toggle_with_force("page-loading", on);
        }
        if let Some(main) = doc.get_element_by_id("main") {
            let _ = if on {
                main.set_attribute("aria-busy", "true")
            } else {
                main.remove_attribute("aria-busy")
            };
        }
    }
}

#[cfg(feature = "split")]
impl Drop for PageLoading {
    fn drop(&mut self) {
        if PAGES_LOADING.with(|n| n.replace(n.get().saturating_sub(1))) == 1 {
            Self::mark(false);
        }
    }
}

thread_local! {
    /// Where the router is going: its URL changes on the click, the address
    /// bar only once the new page is there (after its chunk has arrived).
    static ROUTE_TARGET: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Loads the address the router is going to as a new page (the new
/// index.html and bundle after a deploy).
fn load_route_target() {
    let target = ROUTE_TARGET.with(|t| t.borrow().clone());
    let location = window().location();
    let _ = if target.is_empty() {
        location.reload()
    } else {
        location.assign(&target)
    };
}

/// A split page's chunk did not arrive. Most likely a deploy replaced the
/// files this tab's bundle names: load the address as a new page once (the
/// new index.html, the new bundle). A second failure within a minute is a network
/// problem: say so and let the person retry.
fn chunk_failed() -> AnyView {
    const KEY: &str = "lazo.chunk-reload";
    let storage = window().session_storage().ok().flatten();
    let now = js_sys::Date::now();
    let recent = storage
        .as_ref()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|t| t.parse::<f64>().ok())
        .is_some_and(|t| now - t < 60_000.0);
    if !recent {
        if let Some(s) = &storage {
            let _ = s.set_item(KEY, &now.to_string());
        }
        load_route_target();
    }
    view! {
        <crate::components::ErrorBox
            error=api::ApiError::Network("a split page's chunk did not load".into())
            retry=Callback::new(|_| load_route_target())
        />
    }
    .into_any()
}

/// A route whose page is a split one: the router fetches its chunk before it
/// shows the page (the previous page stays until the chunk is there).
macro_rules! split_route {
    ($route:ident, $view:ident) => {
        struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_: Self) -> AnyView {
                split_view!($view)
            }
        }
    };
}

/// A split page: its route ([`split_route!`]) and the function whose code
/// goes into the wasm module `$module` (pages naming the same module share
/// one chunk), which shows `$page` to a signed-in person.
macro_rules! split_page {
    ($route:ident, $view:ident, $module:ident, $($page:ident)::+) => {
        split_route!($route, $view);

        #[cfg_attr(
            feature = "split",
            leptos::wasm_split::wasm_split($module, wasm_split_path = ::leptos::wasm_split, fallible)
        )]
        fn $view() -> Result<AnyView, SplitLoaderError> {
            Ok(view! { <Guard><$($page)::+ /></Guard> }.into_any())
        }
    };
}

// The rarely used pages, a chunk each (code two of them share and the first
// load does not need goes into a chunk of its own, fetched with either).
split_page!(AdminRoute, admin_view, lazo_admin, pages::admin::AdminPage);
split_page!(
    NewTicketRoute,
    new_ticket_view,
    lazo_new_ticket,
    pages::new_ticket::NewTicketPage
);
split_page!(MeRoute, me_view, lazo_me, pages::me::NotificationSettings);
split_page!(
    ContactsRoute,
    contacts_view,
    lazo_contacts,
    pages::contacts::ContactsPage
);
split_page!(
    ContactRoute,
    contact_view,
    lazo_contact,
    pages::contacts::ContactPage
);
// A ticket by its id (the bell's links): the ticket screen's module.
split_page!(
    TicketByIdRoute,
    ticket_by_id_view,
    lazo_ticket,
    pages::ticket::TicketById
);

split_route!(TicketRoute, ticket_view);

// The ticket screen is the biggest page and the one opened next, so it is
// split from the first load but fetched in the background as soon as the
// first screen is up (`preload_ticket_screen`): the first load does not wait
// for it, the first ticket opened does not either.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(
        lazo_ticket,
        wasm_split_path = ::leptos::wasm_split,
        fallible,
        preload(preload_ticket_chunk)
    )
)]
fn ticket_view() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <Guard><pages::ticket::TicketPage /></Guard> }.into_any())
}

/// Fetches and compiles the ticket screen's chunk without showing it, once;
/// called when the first screen is up. A failure is left for the route
/// itself to meet (and handle) when a ticket is opened.
pub fn preload_ticket_screen() {
    #[cfg(feature = "split")]
    {
        thread_local! {
            static STARTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
        }
        if STARTED.with(|s| s.replace(true)) {
            return;
        }
        spawn_local(async {
            if preload_ticket_chunk().await.is_err() {
                STARTED.with(|s| s.set(false));
            }
        });
    }
}

/// Renders its children only for a signed-in person; sends anyone else to the
/// login page with the place to come back to.
#[component]
fn Guard(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let signed_in = Memo::new(move |_| session.0.with(|s| s.is_some()));
    Effect::new(move |_| {
        if !signed_in.get() {
            navigate(
                &format!(
                    "/login?{}next={}",
                    if session.1.get_untracked() {
                        "expired=1&"
                    } else {
                        ""
                    },
                    util::encode(&util::current_place())
                ),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    move || signed_in.get().then(|| children())
}

#[component]
fn TopBar() -> impl IntoView {
    let session = use_session();
    let prefs = use_prefs();
    let navigate = use_navigate();
    let t = move |k: T| prefs.t(k);
    let shortcuts = expect_context::<crate::components::ShortcutsCtx>();
    let name = move || session.me().map(|m| m.name).unwrap_or_default();
    let logout = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            let _ = api::logout().await;
            session.sign_out();
            navigate("/login", NavigateOptions::default());
        });
    };
    view! {
        <header class="topbar">
            <A href="/tickets" attr:class="brand">
                <span class="brand-mark" aria-hidden="true"></span>
                "Lazo"
            </A>
            <nav class="topnav" aria-label=prefs.text(T::MainNav)>
                <A href="/tickets" exact=true>{prefs.text(T::FollowUp)}</A>
                <A href="/tickets/new">{prefs.text(T::NewTicket)}</A>
                <A href="/contacts">{prefs.text(T::Customers)}</A>
                <Show when=move || session.configures()>
                    <A href="/admin/users">{prefs.text(T::Admin)}</A>
                </Show>
            </nav>
            <div class="topbar-right">
                <button
                    class="btn ghost icon small keys-open"
                    aria-label=prefs.text(T::Shortcuts)
                    title=move || format!("{} (?)", t(T::Shortcuts))
                    on:click=move |_| shortcuts.0.set(true)
                >
                    "?"
                </button>
                <crate::components::Bell />
                <LangSelect />
                <span class="whoami" title=move || session.me().map(|m| m.email).unwrap_or_default()>
                    {name}
                </span>
                <button class="btn ghost" on:click=logout>{prefs.text(T::LogOut)}</button>
            </div>
        </header>
    }
}
