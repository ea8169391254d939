//! What the e2e journeys share: free loopback ports, child processes killed
//! with the test (kill -9), maildev, and a fresh database per test.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod ports;
pub use ports::free_port;

/// A child process, killed with SIGKILL (and reaped) when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// maildev (npm, installed by `.ci/setup.sh` into `e2e/maildev`) on
/// loopback, its REST API on `web`; `extra` are more of its flags (TLS...).
pub fn maildev(smtp: u16, web: u16, dir: &Path, extra: &[&str]) -> Killed {
    let bin = std::env::var("LAZO_MAILDEV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("maildev/node_modules/.bin/maildev")
        });
    let child = Command::new(&bin)
        .args([
            "--ip",
            "127.0.0.1",
            "--smtp",
            &smtp.to_string(),
            "--web",
            &web.to_string(),
        ])
        .args(["--mail-directory", &dir.to_string_lossy(), "--silent"])
        .args(extra)
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {bin:?}: {e} (run .ci/setup.sh)"));
    let start = Instant::now();
    // Both ports: its web API can answer before its SMTP port listens. The
    // SMTP port is looked up, not connected to: a TLS maildev exits when a
    // connection closes before its handshake.
    while reqwest::blocking::get(format!("http://127.0.0.1:{web}/email")).is_err()
        || !listening(smtp)
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "maildev did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Killed(child)
}

/// Whether a TCP socket listens on `port` (Linux: /proc/net/tcp{,6}).
pub fn listening(port: u16) -> bool {
    let needle = format!(":{port:04X} ");
    ["/proc/net/tcp", "/proc/net/tcp6"].iter().any(|f| {
        std::fs::read_to_string(f).is_ok_and(|t| {
            t.lines().skip(1).any(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                cols.len() > 3 && format!("{} ", cols[1]).ends_with(&needle) && cols[3] == "0A"
            })
        })
    })
}

/// A fresh database: SQLite beside the test, or, when the suite runs
/// against PostgreSQL (`LAZO_TEST_DATABASE_URL`), a new database there.
pub fn database(dir: &tempfile::TempDir) -> String {
    use diesel::{Connection, RunQueryDsl};
    match std::env::var("LAZO_TEST_DATABASE_URL") {
        Ok(admin) if !admin.trim().is_empty() => {
            let name = format!("lazo_e2e_mail_{}", uuid::Uuid::new_v4().simple());
            let mut c = diesel::PgConnection::establish(&admin).expect("postgres reachable");
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut c)
                .expect("create database");
            let base = admin.rsplit_once('/').expect("url with a database").0;
            format!("{base}/{name}")
        }
        _ => dir.path().join("lazo.db").to_string_lossy().into_owned(),
    }
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}
