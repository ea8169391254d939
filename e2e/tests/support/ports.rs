//! Loopback ports for servers the tests start as child processes (maildev,
//! Dovecot, Postfix, `lazo serve`): chosen here, bound for a moment to see
//! that they are free, closed, and handed to the child.
//!
//! Why not the kernel's pick (bind to port 0): that comes from the ephemeral
//! range, which the kernel also draws from for the local end of every
//! outgoing connection. In the gap between closing the probe and the child's
//! listen, a test running beside this one (a PostgreSQL or HTTP client) can
//! take the port, and the child dies with EADDRINUSE: CI saw it, maildev on
//! 127.0.0.1:38453. Below the ephemeral range the kernel hands out nothing
//! by itself, so only another test drawing here could collide, and each
//! process draws in turn from a start of its own.

#![allow(dead_code)]

use std::net::TcpListener;
use std::sync::atomic::{AtomicU32, Ordering};

/// The kernel's ephemeral range, low end (Linux; 32768 elsewhere).
fn ephemeral_low() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(32768)
}

pub fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let high = ephemeral_low();
    let low = high.saturating_sub(16384).max(1024);
    let width = u32::from(high.saturating_sub(low));
    if width < 1024 {
        // No room below the ephemeral range: the kernel's pick it is.
        return TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
    }
    let start = std::process::id().wrapping_mul(7919) % width;
    for _ in 0..width {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = low + ((start + n) % width) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port in {low}..{high}");
}
