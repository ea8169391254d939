//! A list that comes a page at a time (`next_cursor`), owned by the view that
//! shows it: answers that arrive after a newer load, or after the view is
//! gone (its signals disposed), are dropped.

use crate::api::ApiError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<(Vec<T>, Option<String>), ApiError>>>>;
type Fetch<T> = Rc<dyn Fn(Option<String>) -> PageFuture<T>>;

pub struct Paged<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    /// Cursor of the next page; `None` once everything is shown.
    pub next: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
    /// A first load was asked for (lazy lists load when first shown).
    pub started: RwSignal<bool>,
    version: StoredValue<u64>,
    fetch: StoredValue<Fetch<T>, LocalStorage>,
    key: fn(&T) -> i64,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Send + Sync + 'static> Paged<T> {
    /// `key` identifies an item: a page never adds one already shown (e.g.
    /// a comment just written, shown before its page came).
    pub fn new<F: Future<Output = Result<(Vec<T>, Option<String>), ApiError>> + 'static>(
        key: fn(&T) -> i64,
        fetch: impl Fn(Option<String>) -> F + 'static,
    ) -> Self {
        let fetch: Fetch<T> = Rc::new(move |c| Box::pin(fetch(c)));
        Paged {
            items: RwSignal::new(vec![]),
            next: RwSignal::new(None),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            started: RwSignal::new(false),
            version: StoredValue::new(0),
            fetch: StoredValue::new_local(fetch),
            key,
        }
    }

    /// The first page again (what was shown stays until it arrives).
    pub fn reload(&self) {
        self.load(None);
    }

    /// The next page, appended; nothing when all is shown or a load runs.
    pub fn more(&self) {
        if self.loading.get_untracked() {
            return;
        }
        if let Some(c) = self.next.get_untracked() {
            self.load(Some(c));
        }
    }

    fn load(&self, cursor: Option<String>) {
        let this = *self;
        let v = self.version.get_value() + 1;
        self.version.set_value(v);
        self.started.set(true);
        self.loading.set(true);
        self.error.set(None);
        let append = cursor.is_some();
        let fut = self.fetch.with_value(|f| f(cursor));
        spawn_local(async move {
            let r = fut.await;
            // A newer load won, or the view is gone.
            if this.version.try_get_value() != Some(v) {
                return;
            }
            match r {
                Ok((items, next)) => {
                    let key = this.key;
                    this.items.update(|xs| {
                        if append {
                            let shown: Vec<i64> = xs.iter().map(key).collect();
                            xs.extend(items.into_iter().filter(|x| !shown.contains(&key(x))))
                        } else {
                            *xs = items
                        }
                    });
                    this.next.set(next);
                }
                Err(e) => this.error.set(Some(e)),
            }
            this.loading.set(false);
        });
    }
}
