//! IMAP polling against a real Dovecot (Debian's `dovecot-imapd`, installed
//! by `.ci/setup.sh`) started by the test on a loopback port with a config
//! in a temporary directory: a customer's reply appended to the mailbox
//! lands on its ticket through the job worker, exactly once, and a new
//! UIDVALIDITY re-reads the mailbox without duplicating anything.

use crate::common;
use crate::mail;

use chrono::Duration;
use common::*;
use lazo_api::jobs::{tasks, Registry, Worker};
use lazo_api::state::Config;
use lazo_domain::email::{Email, EmailPage, EmailStatus};
use lazo_service::email::imap::{self as poller, ImapConfig};
use lazo_service::email::MailConfig;
use serde_json::json;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

struct Dovecot {
    port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // Under runuser the child is runuser, not dovecot: stop dovecot by
        // its own pid file (SIGTERM, it stops its services too).
        let pid_file = self._dir.path().join("run/master.pid");
        if let Ok(pid) = std::fs::read_to_string(&pid_file) {
            let _ = Command::new("kill").arg(pid.trim()).status();
            let start = Instant::now();
            while pid_file.exists() && start.elapsed() < std::time::Duration::from_secs(5) {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const USER: &str = "lazo";
const PASS: &str = "s3cret";
const MAILBOX: &str = "Support";

fn dovecot_bin() -> &'static str {
    ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("dovecot is not installed: run .ci/setup.sh (apt-get install dovecot-imapd)")
}

impl Dovecot {
    /// Dovecot in its own directory on a free port. As root it runs as the
    /// `dovecot` user (it refuses mail access as root); otherwise as the
    /// current user.
    fn start() -> Dovecot {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_string_lossy().into_owned();
        let port = mail::free_port();
        let root = unsafe_is_root();
        let user = if root { "dovecot".to_owned() } else { whoami() };
        for sub in ["run", "state", "mail"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        std::fs::write(
            dir.path().join("passwd"),
            format!("{USER}:{{PLAIN}}{PASS}::::::\n"),
        )
        .unwrap();
        let conf = format!(
            "protocols = imap\nlisten = 127.0.0.1\nbase_dir = {d}/run\nstate_dir = {d}/state\n\
             log_path = {d}/log\nssl = no\ndisable_plaintext_auth = no\nauth_mechanisms = plain login\n\
             mail_location = maildir:{d}/mail/%u\nfirst_valid_uid = 1\n\
             default_internal_user = {user}\ndefault_internal_group = {user}\ndefault_login_user = {user}\n\
             passdb {{\n  driver = passwd-file\n  args = {d}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={user} gid={user} home={d}/mail/%u\n}}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    port = {port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\nservice stats {{\n  chroot =\n}}\n"
        );
        std::fs::write(dir.path().join("dovecot.conf"), conf).unwrap();
        let conf_path = format!("{d}/dovecot.conf");
        let child = if root {
            let status = Command::new("chown")
                .args(["-R", "dovecot", &d])
                .status()
                .unwrap();
            assert!(status.success());
            Command::new("runuser")
                .args(["-u", "dovecot", "--", dovecot_bin(), "-F", "-c", &conf_path])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
        } else {
            Command::new(dovecot_bin())
                .args(["-F", "-c", &conf_path])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
        }
        .expect("start dovecot");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(20),
                "dovecot did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Dovecot {
            port,
            child,
            _dir: dir,
        }
    }

    fn session(&self) -> imap::Session<imap::Connection> {
        let c = imap::ClientBuilder::new("127.0.0.1", self.port)
            .mode(imap::ConnectionMode::Plaintext)
            .connect()
            .unwrap();
        c.login(USER, PASS).map_err(|(e, _)| e).unwrap()
    }

    fn append(&self, raw: &str) {
        let mut s = self.session();
        s.append(MAILBOX, raw.replace('\n', "\r\n").as_bytes())
            .finish()
            .unwrap();
        s.logout().unwrap();
    }

    fn create(&self) {
        let mut s = self.session();
        s.create(MAILBOX).unwrap();
        s.logout().unwrap();
    }

    fn recreate(&self) {
        let mut s = self.session();
        s.delete(MAILBOX).unwrap();
        s.create(MAILBOX).unwrap();
        s.logout().unwrap();
    }
}

fn unsafe_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

fn whoami() -> String {
    let o = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8(o.stdout).unwrap().trim().to_owned()
}

fn worker(app: &TestApp, mail: Arc<MailConfig>, imap: Arc<ImapConfig>) -> Arc<Worker> {
    let mut r: Registry = tasks::standard();
    poller::register(&mut r, mail, imap);
    poller::ensure(&app.db).unwrap();
    Arc::new(Worker::new(app.db.storage(), r, quick_worker()))
}

/// Runs worker rounds until `done` (or 20 s).
async fn work_until<F, Fut>(w: &Arc<Worker>, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        let w2 = w.clone();
        tokio::task::spawn_blocking(move || w2.tick().unwrap())
            .await
            .unwrap();
        if done().await {
            return;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "not there after 20 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

fn reply(subject: &str, in_reply_to: &str, body: &str, id: &str) -> String {
    format!(
        "From: Ada <ada@customer.test>\nTo: support@acme.test\nSubject: {subject}\nMessage-ID: <{id}@customer.test>\nIn-Reply-To: <{in_reply_to}>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n{body}\n"
    )
}

#[tokio::test]
async fn replies_in_the_imap_mailbox_land_on_their_ticket_once_across_polls_and_uidvalidity() {
    let dovecot = Dovecot::start();
    dovecot.create();
    let mail = Arc::new(
        MailConfig::new("Acme Support <support@acme.test>", b"imap-key".to_vec()).unwrap(),
    );
    // Every poll is due at once in this test.
    let imap = Arc::new(
        ImapConfig::parse(
            &format!(
                "imap://{USER}:{PASS}@127.0.0.1:{}/{MAILBOX}?tls=none",
                dovecot.port
            ),
            Duration::milliseconds(1),
        )
        .unwrap(),
    );
    let app = TestApp::spawn_with(Config {
        mail: mail.clone(),
        ..Config::default()
    })
    .await;
    let admin = app.login(ADMIN).await;
    let d = app.demo(&admin).await;
    app.patch(
        &admin,
        "/api/v1/settings",
        &json!({"inbound_email_status_id": d.open}),
    )
    .await;
    let t = app
        .create_ticket(
            &admin,
            &json!({"subject": "Late", "requester": {"email": "ada@customer.test", "name": "Ada"}}),
        )
        .await;
    let sent: Email = created(
        app.post(
            &admin,
            &format!("/api/v1/tickets/{}/emails", t.id),
            &json!({"subject": "Sorry", "body": "What happened?"}),
        )
        .await,
    )
    .await;

    dovecot.append(&reply(
        "Re: Sorry",
        &sent.message_id,
        "It came a week late.",
        "r1",
    ));
    let w = worker(&app, mail.clone(), imap.clone());
    let thread = |app: &TestApp| {
        let (a, tok, id) = (app.address.clone(), admin.clone(), t.id);
        async move {
            let page: EmailPage = reqwest::Client::new()
                .get(format!("{a}/api/v1/tickets/{id}/emails"))
                .bearer_auth(tok)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            page.items
        }
    };
    work_until(&w, || async { thread(&app).await.len() == 2 }).await;
    let items = thread(&app).await;
    assert_eq!(items[1].from, "ada@customer.test");
    assert!(items[1].body.contains("a week late"));
    assert_eq!(
        app.ticket(&admin, t.id).await.status.id,
        d.open,
        "the reply reopened it"
    );

    // More polls, a second reply: each message once.
    dovecot.append(&reply(
        "Re: Sorry",
        &sent.message_id,
        "And the box was wet.",
        "r2",
    ));
    work_until(&w, || async { thread(&app).await.len() == 3 }).await;
    for _ in 0..5 {
        let w2 = w.clone();
        tokio::task::spawn_blocking(move || w2.tick().unwrap())
            .await
            .unwrap();
    }
    assert_eq!(thread(&app).await.len(), 3);
    let status: EmailStatus = ok(app.get(&admin, "/api/v1/inbound/status").await).await;
    assert_eq!(status.imap.len(), 1);
    assert_eq!(status.imap[0].last_uid, 2);
    assert!(status.imap[0].last_error.is_none());
    let old_validity = status.imap[0].uidvalidity;

    // The mailbox is recreated (new UIDVALIDITY) with an old message and a
    // new one: the old one is recognised, the new one lands.
    dovecot.recreate();
    dovecot.append(&reply(
        "Re: Sorry",
        &sent.message_id,
        "It came a week late.",
        "r1",
    ));
    dovecot.append(&reply(
        "Re: Sorry",
        &sent.message_id,
        "Refund please.",
        "r3",
    ));
    work_until(&w, || async { thread(&app).await.len() == 4 }).await;
    for _ in 0..3 {
        let w2 = w.clone();
        tokio::task::spawn_blocking(move || w2.tick().unwrap())
            .await
            .unwrap();
    }
    let items = thread(&app).await;
    assert_eq!(items.len(), 4, "{items:?}");
    assert!(items[3].body.contains("Refund"));
    let status: EmailStatus = ok(app.get(&admin, "/api/v1/inbound/status").await).await;
    assert_ne!(status.imap[0].uidvalidity, old_validity);
    assert_eq!(status.imap[0].last_uid, 2);

    // Server gone: the poll records the error and keeps its position.
    drop(dovecot);
    let w2 = w.clone();
    tokio::task::spawn_blocking(move || w2.tick().unwrap())
        .await
        .unwrap();
    let status: EmailStatus = ok(app.get(&admin, "/api/v1/inbound/status").await).await;
    assert!(status.imap[0].last_error.is_some());
    assert_eq!(status.imap[0].last_uid, 2);
}
