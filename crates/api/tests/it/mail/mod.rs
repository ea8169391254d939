//! A real SMTP server for the email tests: maildev (npm, installed by
//! `.ci/setup.sh` into `e2e/maildev`), started on loopback ports of its own
//! for each test, read back through its REST API.

#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct MailDev {
    pub smtp_port: u16,
    pub web_port: u16,
    extra: Vec<String>,
    child: Option<Child>,
    _dir: tempfile::TempDir,
}

// One way to pick a port for a child server, shared with the e2e journeys.
#[path = "../../../../../e2e/tests/support/ports.rs"]
mod ports;
pub use ports::free_port;

fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("LAZO_MAILDEV") {
        return PathBuf::from(p);
    }
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../e2e/maildev/node_modules/.bin/maildev");
    assert!(
        p.exists(),
        "maildev is not installed: run .ci/setup.sh (or `cd e2e/maildev && npm install`)"
    );
    p
}

impl MailDev {
    /// Ports chosen, server not started (to test "SMTP down").
    pub fn stopped(extra: &[&str]) -> MailDev {
        MailDev {
            smtp_port: free_port(),
            web_port: free_port(),
            extra: extra.iter().map(|s| s.to_string()).collect(),
            child: None,
            _dir: tempfile::tempdir().unwrap(),
        }
    }

    pub async fn start(extra: &[&str]) -> MailDev {
        let mut m = MailDev::stopped(extra);
        m.up().await;
        m
    }

    pub fn smtp_url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.smtp_port)
    }

    pub async fn up(&mut self) {
        assert!(self.child.is_none());
        let child = Command::new(binary())
            .args([
                "--ip",
                "127.0.0.1",
                "--smtp",
                &self.smtp_port.to_string(),
                "--web",
                &self.web_port.to_string(),
                "--mail-directory",
                &self._dir.path().to_string_lossy(),
                "--silent",
            ])
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start maildev");
        self.child = Some(child);
        let start = Instant::now();
        loop {
            let web = reqwest::get(format!("http://127.0.0.1:{}/email", self.web_port)).await;
            let smtp = std::net::TcpStream::connect(("127.0.0.1", self.smtp_port));
            if web.is_ok_and(|r| r.status().is_success()) && smtp.is_ok() {
                return;
            }
            // Dead already (a port taken, say): say so now, not in 20 s.
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "maildev exited ({status}) on ports {} and {}",
                    self.smtp_port, self.web_port
                );
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "maildev did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Every message it received, oldest first.
    pub async fn messages(&self) -> Vec<Value> {
        let res = reqwest::get(format!("http://127.0.0.1:{}/email", self.web_port))
            .await
            .expect("maildev REST API");
        res.json().await.unwrap()
    }

    /// Waits until at least `n` messages arrived (or 20 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let m = self.messages().await;
            if m.len() >= n {
                return m;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{} of {n} messages arrived",
                m.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for MailDev {
    fn drop(&mut self) {
        self.down();
    }
}

/// A header of a maildev message (maildev keeps them lowercased).
pub fn header<'a>(m: &'a Value, name: &str) -> Option<&'a str> {
    m["headers"][name].as_str()
}
