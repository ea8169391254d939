//! First come, first served access to the pool's connections.
//!
//! r2d2 hands a returned connection to whichever thread takes the pool's
//! lock next: usually one just arriving, not the one that has waited
//! longest (it was only woken, and still has to be scheduled). Under load,
//! with more threads than connections, a request could lose that race over
//! and over: on PostgreSQL at a million tickets (5 connections, 16 clients
//! on 2 cores) counts answered at a p50 of 11 ms with a maximum of 0.4-1 s,
//! and with as many connections as threads the maximum was 57 ms
//! (docs/BENCHMARKS.md). A permit of tokio's semaphore, which hands permits
//! out in the order they were asked for, is taken before the pool is asked;
//! there are as many permits as connections, so the pool itself never
//! makes anyone wait.
//!
//! The callers are blocking threads (actix's blocking pool, the job worker,
//! the CLI), so the permit's future is driven here by parking the thread,
//! which needs no runtime.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A fair gate with `n` places.
#[derive(Debug, Clone)]
pub(crate) struct Gate(Arc<Semaphore>);

/// A place in the gate, given back when dropped.
#[derive(Debug)]
pub(crate) struct Permit(#[allow(dead_code)] OwnedSemaphorePermit);

impl Gate {
    pub(crate) fn new(n: usize) -> Gate {
        Gate(Arc::new(Semaphore::new(n)))
    }

    /// Waits in line for a place, at most `timeout`; `None` when it ran out
    /// (the waiter leaves the line: dropping the future withdraws it).
    pub(crate) fn enter(&self, timeout: Duration) -> Option<Permit> {
        // Uncontended: no waker, no parking.
        if let Ok(p) = self.0.clone().try_acquire_owned() {
            return Some(Permit(p));
        }
        let deadline = Instant::now() + timeout;
        block_on_until(self.0.clone().acquire_owned(), deadline)
            .and_then(Result::ok)
            .map(Permit)
    }
}

/// Wakes a parked thread.
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `f` on this thread, parking between polls, until it is ready or
/// `deadline` passes (`None`; `f` is dropped).
fn block_on_until<F: Future>(f: F, deadline: Instant) -> Option<F::Output> {
    let mut f = pin!(f);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return Some(v);
        }
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        // A spurious wake-up only means one more poll.
        std::thread::park_timeout(deadline - now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// A thread that gives its place back and at once asks again (a request
    /// whose handler checks out right after its authentication did) must
    /// not keep a waiting one out: it was first in line.
    #[test]
    fn a_waiting_thread_is_served_before_one_asking_again() {
        let gate = Gate::new(1);
        let stop = Arc::new(AtomicBool::new(false));
        let busy = {
            let (gate, stop) = (gate.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let p = gate.enter(Duration::from_secs(10)).unwrap();
                    std::thread::sleep(Duration::from_millis(2));
                    drop(p);
                }
            })
        };
        std::thread::sleep(Duration::from_millis(20));
        let mut worst = Duration::ZERO;
        for _ in 0..20 {
            let t = Instant::now();
            let p = gate.enter(Duration::from_secs(10)).unwrap();
            worst = worst.max(t.elapsed());
            drop(p);
            std::thread::sleep(Duration::from_millis(3));
        }
        stop.store(true, Ordering::Relaxed);
        busy.join().unwrap();
        // At most the other thread's one turn (2 ms) and a wake-up each.
        assert!(worst < Duration::from_millis(100), "waited {worst:?}");
    }

    #[test]
    fn a_waiter_gives_up_at_its_deadline_and_leaves_the_line() {
        let gate = Gate::new(1);
        let held = gate.enter(Duration::from_secs(1)).unwrap();
        let t = Instant::now();
        assert!(gate.enter(Duration::from_millis(50)).is_none());
        assert!(t.elapsed() >= Duration::from_millis(50));
        // The one who gave up holds no place in line: the next one gets in
        // as soon as the place is free.
        drop(held);
        assert!(gate.enter(Duration::from_millis(0)).is_some());
    }
}
