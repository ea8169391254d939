//! The whole email loop through real mail servers on loopback, all over TLS
//! where a real deployment would use it, against the real `lazo` binary:
//!
//! - Postfix (Debian's, a private instance in a temp dir, as root like CI)
//!   is the organisation's mail server: it takes Lazo's outgoing mail with
//!   STARTTLS required and relays it to the customer's server, and it takes
//!   the customer's replies and hands them to Dovecot over LMTP.
//! - Dovecot holds the support mailbox; Lazo polls it over IMAPS.
//! - maildev stands in for the customer's mail server (its REST API shows
//!   what arrived); a second one speaks SMTPS (implicit TLS) to Lazo.
//! - One CA made for the test signs every server certificate; Lazo trusts it
//!   only through `SSL_CERT_FILE`, like an on-premise CA.
//!
//! The journey: an agent sends a follow-up from a template (SMTPS); the
//! customer's reply, sent through Postfix into the IMAP mailbox, lands on
//! the ticket, notifies its owner and moves its status; a stranger quoting
//! the ticket's `[#number]` gets a ticket of their own; an email through
//! Postfix (STARTTLS) arrives; and a server whose certificate Lazo cannot
//! verify gets nothing.

mod support;

use lettre::{SmtpTransport, Transport};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{database, free_port, is_root, maildev, Killed};

const MAILBOX_USER: &str = "support";
const MAILBOX_PASS: &str = "imap-s3cret";

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and, signed by it, a certificate for `localhost` and 127.0.0.1
/// (`ca.pem`, `server.pem`, `server.key` in `dir`); `name` tells two CAs
/// apart.
fn certificates(dir: &Path, name: &str) {
    let p = |f: &str| dir.join(f).to_string_lossy().into_owned();
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
    run(Command::new("openssl")
        .args(["req", "-x509", "-nodes", "-days", "2"])
        .args(ec)
        .args(["-keyout", &p("ca.key"), "-out", &p("ca.pem")])
        .args(["-subj", &format!("/CN={name}")])
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]));
    run(Command::new("openssl")
        .args(["req", "-nodes"])
        .args(ec)
        .args(["-keyout", &p("server.key"), "-out", &p("server.csr")])
        .args(["-subj", "/CN=localhost"]));
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(Command::new("openssl")
        .args(["x509", "-req", "-days", "2", "-in", &p("server.csr")])
        .args([
            "-CA",
            &p("ca.pem"),
            "-CAkey",
            &p("ca.key"),
            "-CAcreateserial",
        ])
        .args(["-out", &p("server.pem"), "-extfile", &p("ext.cnf")]));
}

fn wait_port(port: u16, what: &str) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what} did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Dovecot with the support mailbox: IMAPS on `imaps`, LMTP on `lmtp`, run
/// as the `dovecot` user (it refuses mail access as root).
struct Dovecot {
    dir: tempfile::TempDir,
    _child: Killed,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // The child is runuser: stop dovecot itself by its pid file.
        let pid_file = self.dir.path().join("run/master.pid");
        if let Ok(pid) = std::fs::read_to_string(&pid_file) {
            let _ = Command::new("kill").arg(pid.trim()).status();
            let start = Instant::now();
            while pid_file.exists() && start.elapsed() < Duration::from_secs(5) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

fn dovecot(certs: &Path, imaps: u16, lmtp: u16) -> Dovecot {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_string_lossy().into_owned();
    for sub in ["run", "state", "mail"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    for f in ["server.pem", "server.key"] {
        std::fs::copy(certs.join(f), dir.path().join(f)).unwrap();
    }
    std::fs::write(
        dir.path().join("passwd"),
        format!("{MAILBOX_USER}:{{PLAIN}}{MAILBOX_PASS}::::::\n"),
    )
    .unwrap();
    // `support+t1042.<mac>@acme.test` is the mailbox `support`: the
    // plus-addressed reply-to of Lazo's emails.
    let conf = format!(
        "protocols = imap lmtp\nlisten = 127.0.0.1\nbase_dir = {d}/run\nstate_dir = {d}/state\n\
         log_path = {d}/log\nssl = required\nssl_cert = <{d}/server.pem\nssl_key = <{d}/server.key\n\
         auth_mechanisms = plain login\nrecipient_delimiter = +\nauth_username_format = %Ln\n\
         mail_location = maildir:{d}/mail/%u\nfirst_valid_uid = 1\n\
         default_internal_user = dovecot\ndefault_internal_group = dovecot\ndefault_login_user = dovecot\n\
         passdb {{\n  driver = passwd-file\n  args = {d}/passwd\n}}\n\
         userdb {{\n  driver = static\n  args = uid=dovecot gid=dovecot home={d}/mail/%u allow_all_users=yes\n}}\n\
         service imap-login {{\n  chroot =\n  inet_listener imap {{\n    port = 0\n  }}\n  inet_listener imaps {{\n    port = {imaps}\n  }}\n}}\n\
         service lmtp {{\n  inet_listener lmtp {{\n    address = 127.0.0.1\n    port = {lmtp}\n  }}\n}}\n\
         service anvil {{\n  chroot =\n}}\nservice stats {{\n  chroot =\n}}\n"
    );
    std::fs::write(dir.path().join("dovecot.conf"), conf).unwrap();
    run(Command::new("chown").args(["-R", "dovecot", &d]));
    let child = Command::new("runuser")
        .args(["-u", "dovecot", "--", "/usr/sbin/dovecot", "-F"])
        .args(["-c", &format!("{d}/dovecot.conf")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start dovecot (apt-get install dovecot-imapd dovecot-lmtpd)");
    wait_port(imaps, "dovecot (imaps)");
    wait_port(lmtp, "dovecot (lmtp)");
    Dovecot {
        dir,
        _child: Killed(child),
    }
}

/// A private Postfix instance (config, queue and log in a temp dir; the
/// system's Postfix is not touched): SMTP with STARTTLS on `port`, mail for
/// acme.test to Dovecot's LMTP, mail for customer.test to maildev.
struct Postfix {
    dir: tempfile::TempDir,
}

impl Postfix {
    fn conf(&self) -> String {
        self.dir.path().join("etc").to_string_lossy().into_owned()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("maillog")).unwrap_or_default()
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new("postfix")
            .args(["-c", &self.conf(), "stop"])
            .output();
    }
}

fn postfix(certs: &Path, port: u16, lmtp: u16, customer_smtp: u16) -> Postfix {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_string_lossy().into_owned();
    for sub in ["etc", "queue", "data"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    // Postfix's own daemons read the key as the postfix user.
    for f in ["server.pem", "server.key"] {
        std::fs::copy(certs.join(f), dir.path().join("etc").join(f)).unwrap();
    }
    let master = std::fs::read_to_string("/etc/postfix/master.cf")
        .expect("postfix is not installed: run .ci/setup.sh (apt-get install postfix)");
    // The smtpd listener moves to our port, out of the chroot (its files
    // would have to be copied into the queue directory).
    let master: String = master
        .lines()
        .map(|l| {
            if l.starts_with("smtp ") && l.contains(" inet ") {
                format!("{port} inet n - n - - smtpd")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.path().join("etc/master.cf"), master + "\n").unwrap();
    std::fs::copy(
        "/etc/postfix/dynamicmaps.cf",
        dir.path().join("etc/dynamicmaps.cf"),
    )
    .unwrap();
    let main = format!(
        "compatibility_level = 3.6\nqueue_directory = {d}/queue\ndata_directory = {d}/data\n\
         mail_owner = postfix\nsetgid_group = postdrop\ninet_interfaces = 127.0.0.1\ninet_protocols = ipv4\n\
         myhostname = mx.acme.test\nmydomain = acme.test\nmydestination =\nrelay_domains = acme.test\n\
         transport_maps = inline:{{ acme.test=lmtp:inet:127.0.0.1:{lmtp}, customer.test=smtp:[127.0.0.1]:{customer_smtp}, stranger.test=smtp:[127.0.0.1]:{customer_smtp} }}\n\
         mynetworks = 127.0.0.0/8\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n\
         smtpd_tls_cert_file = {d}/etc/server.pem\nsmtpd_tls_key_file = {d}/etc/server.key\nsmtpd_tls_security_level = may\nsmtpd_tls_loglevel = 1\n\
         smtp_tls_security_level = none\nsmtputf8_enable = no\nbiff = no\n\
         maillog_file_prefixes = {d}\nmaillog_file = {d}/maillog\n"
    );
    std::fs::write(dir.path().join("etc/main.cf"), main).unwrap();
    run(Command::new("chown").args(["postfix", &format!("{d}/data")]));
    let pf = Postfix { dir };
    run(Command::new("postfix").args(["-c", &pf.conf(), "start"]));
    wait_port(port, "postfix");
    pf
}

/// `lazo serve` with its SMTP and IMAP URLs, trusting `ca` for TLS.
fn lazo(db: &str, smtp_url: &str, imap_url: Option<&str>, ca: &Path) -> (Killed, String) {
    let bin = std::env::var("LAZO_BIN")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target/debug/lazo").into());
    let mut cmd = Command::new(&bin);
    cmd.args(["serve", "--demo", "--demo-tickets", "5"])
        .args(["--bind", "127.0.0.1:0", "--static-dir", "/nonexistent"])
        .env("DATABASE_URL", db)
        .env("LAZO_LOG", "warn")
        .env(
            "LAZO_JWT_SECRET",
            "e2e-secret-0123456789-0123456789-0123456789",
        )
        .env("SSL_CERT_FILE", ca)
        .env("LAZO_SMTP_URL", smtp_url)
        .env("LAZO_MAIL_FROM", "Acme Support <support@acme.test>")
        .env("LAZO_IMAP_POLL_SECS", "1")
        .env("LAZO_JOB_POLL_MS", "50")
        .env("LAZO_JOB_BACKOFF_MS", "200")
        .env("LAZO_LOGIN_PER_MINUTE", "1000")
        .env_remove("LAZO_IMAP_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(u) = imap_url {
        cmd.env("LAZO_IMAP_URL", u);
    }
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e} (cargo build -p lazo-api)"));
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("lazo exited before listening").unwrap();
        if let Some(rest) = line.strip_prefix("Lazo listening on ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (Killed(child), base)
}

struct Api {
    http: reqwest::blocking::Client,
    base: String,
}

impl Api {
    fn login(&self, email: &str) -> String {
        let v: Value = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"email": email, "password": "lazo-demo-1"}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        v["token"].as_str().expect("logged in").to_owned()
    }

    fn call(&self, method: reqwest::Method, token: &str, path: &str, body: Option<Value>) -> Value {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().unwrap();
        let status = res.status();
        let v: Value = res.json().unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {v}");
        v
    }

    fn get(&self, token: &str, path: &str) -> Value {
        self.call(reqwest::Method::GET, token, path, None)
    }

    fn post(&self, token: &str, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, token, path, Some(body))
    }

    fn patch(&self, token: &str, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::PATCH, token, path, Some(body))
    }
}

/// Waits up to 60 s for `f` to give something.
fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(t) = f() {
            return t;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn maildev_messages(web: u16) -> Vec<Value> {
    reqwest::blocking::get(format!("http://127.0.0.1:{web}/email"))
        .unwrap()
        .json()
        .unwrap()
}

fn email_states(api: &Api, token: &str, ticket: i64) -> Vec<(String, String)> {
    let page = api.get(token, &format!("/api/v1/tickets/{ticket}/emails"));
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["subject"].as_str().unwrap_or("").to_owned(),
                e["state"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// The customer's own mail client: plain SMTP to the organisation's
/// Postfix on loopback.
fn send_via_postfix(port: u16, raw: &str, from: &str, to: &str) {
    let envelope =
        lettre::address::Envelope::new(Some(from.parse().unwrap()), vec![to.parse().unwrap()])
            .unwrap();
    SmtpTransport::builder_dangerous("127.0.0.1")
        .port(port)
        .build()
        .send_raw(&envelope, raw.replace('\n', "\r\n").as_bytes())
        .expect("postfix took the message");
}

#[test]
fn the_loop_through_postfix_dovecot_and_tls() {
    assert!(
        is_root(),
        "this journey runs Postfix and Dovecot as their own users: run it as root (CI does)"
    );
    let certs = tempfile::tempdir().unwrap();
    certificates(certs.path(), "Lazo Test CA");
    let ca = certs.path().join("ca.pem");
    let cert = certs
        .path()
        .join("server.pem")
        .to_string_lossy()
        .into_owned();
    let key = certs
        .path()
        .join("server.key")
        .to_string_lossy()
        .into_owned();

    // The customer's mail server (plain, reached through Postfix) and one
    // speaking SMTPS to Lazo directly.
    let (customer_smtp, customer_web) = (free_port(), free_port());
    let customer_dir = tempfile::tempdir().unwrap();
    let _customer = maildev(customer_smtp, customer_web, customer_dir.path(), &[]);
    let (smtps, smtps_web) = (free_port(), free_port());
    let smtps_dir = tempfile::tempdir().unwrap();
    let _smtps = maildev(
        smtps,
        smtps_web,
        smtps_dir.path(),
        &[
            "--incoming-secure",
            "--incoming-cert",
            &cert,
            "--incoming-key",
            &key,
        ],
    );
    let (imaps, lmtp, submission) = (free_port(), free_port(), free_port());
    let _dovecot = dovecot(certs.path(), imaps, lmtp);
    let postfix = postfix(certs.path(), submission, lmtp, customer_smtp);

    let db_dir = tempfile::tempdir().unwrap();
    let db = database(&db_dir);
    let imap_url = format!("imaps://{MAILBOX_USER}:{MAILBOX_PASS}@localhost:{imaps}/INBOX");

    // 1. Lazo sends over SMTPS (implicit TLS), polling the mailbox over IMAPS.
    let (server, base) = lazo(
        &db,
        &format!("smtps://localhost:{smtps}"),
        Some(&imap_url),
        &ca,
    );
    let api = Api {
        http: reqwest::blocking::Client::new(),
        base,
    };
    let admin = api.login("admin@demo.lazo");
    let ana = api.login("ana@demo.lazo");
    let ana_id = api.get(&ana, "/api/v1/me")["id"]
        .as_i64()
        .expect("ana's id");
    let statuses = api.get(&admin, "/api/v1/statuses");
    let status_id = |name: &str| {
        statuses
            .as_array()
            .or(statuses["items"].as_array())
            .unwrap()
            .iter()
            .find(|s| s["name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("status {name}: {statuses}"))["id"]
            .as_i64()
            .unwrap()
    };
    let open = status_id("Open");
    api.patch(
        &admin,
        "/api/v1/settings",
        json!({"inbound_email_status_id": open}),
    );
    let template = api.post(
        &admin,
        "/api/v1/email-templates",
        json!({"name": "Follow-up", "subject": "About your order (#{{ ticket.number }})",
               "body": "Hello {{ contact.name }}, {{ agent.name }} here: what went wrong?"}),
    );
    let ticket = api.post(
        &admin,
        "/api/v1/tickets",
        json!({"subject": "Parcel arrived broken", "owner_id": ana_id,
               "requester": {"email": "ada@customer.test", "name": "Ada"}}),
    );
    let (tid, number) = (
        ticket["id"].as_i64().unwrap(),
        ticket["number"].as_i64().unwrap(),
    );
    let sent = api.post(
        &admin,
        &format!("/api/v1/tickets/{tid}/emails"),
        json!({"template_id": template["id"]}),
    );
    // (The owner's notification emails go out through the same server.)
    let want = format!("<{}>", sent["message_id"].as_str().unwrap());
    let arrived = eventually("the follow-up reaches the SMTPS server", || {
        maildev_messages(smtps_web)
            .into_iter()
            .find(|m| m["headers"]["message-id"].as_str() == Some(want.as_str()))
    });
    let h = &arrived["headers"];
    assert_eq!(
        h["message-id"].as_str().unwrap(),
        format!("<{}>", sent["message_id"].as_str().unwrap())
    );
    assert!(
        arrived["subject"]
            .as_str()
            .unwrap()
            .contains(&format!("[#{number}]")),
        "{arrived}"
    );
    assert_eq!(arrived["to"][0]["address"], "ada@customer.test");
    assert!(
        arrived["text"].as_str().unwrap().contains("Hello Ada"),
        "{arrived}"
    );
    let reply_to = h["reply-to"].as_str().expect("a reply-to").to_owned();
    let reply_to = reply_to
        .rsplit_once('<')
        .map(|(_, a)| a.trim_end_matches('>').to_owned())
        .unwrap_or(reply_to);
    assert!(reply_to.starts_with("support+t"), "{reply_to}");

    // 2. Ada answers from her mail client: through Postfix, over LMTP into
    // Dovecot, read by Lazo over IMAPS.
    let reply = format!(
        "From: Ada <ada@customer.test>\nTo: {reply_to}\nSubject: Re: {}\nMessage-ID: <ada-1@customer.test>\n\
         In-Reply-To: {}\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n\
         The box was crushed and the cup inside is broken.\n",
        arrived["subject"].as_str().unwrap(),
        h["message-id"].as_str().unwrap(),
    );
    send_via_postfix(submission, &reply, "ada@customer.test", &reply_to);
    let inbound = eventually("the reply lands on the ticket", || {
        let page = api.get(&ana, &format!("/api/v1/tickets/{tid}/emails"));
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["direction"] == "inbound")
            .cloned()
    });
    assert!(
        inbound["body"]
            .as_str()
            .unwrap_or_default()
            .contains("cup inside is broken"),
        "{inbound}\npostfix log:\n{}",
        postfix.log()
    );
    let t = api.get(&ana, &format!("/api/v1/tickets/{tid}"));
    assert_eq!(
        t["status"]["id"].as_i64(),
        Some(open),
        "the reply reopens: {t}"
    );
    let note = eventually("the owner is notified", || {
        let page = api.get(&ana, "/api/v1/notifications");
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["kind"] == "email_received" && n["ticket_id"].as_i64() == Some(tid))
            .cloned()
    });
    assert!(
        !note.to_string().contains("cup inside"),
        "the customer's words stay on the ticket: {note}"
    );

    // 3. A stranger quoting the ticket's number gets a ticket of their own.
    let stranger = format!(
        "From: Eve <eve@stranger.test>\nTo: support@acme.test\nSubject: Re: [#{number}] give me the details\n\
         Message-ID: <eve-1@stranger.test>\nMIME-Version: 1.0\nContent-Type: text/plain\n\nWhat is in that ticket?\n"
    );
    send_via_postfix(
        submission,
        &stranger,
        "eve@stranger.test",
        "support@acme.test",
    );
    let other = eventually("the stranger's mail opens a ticket", || {
        let page = api.get(&admin, "/api/v1/tickets?q=details");
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"].as_i64() != Some(tid))
            .cloned()
    });
    let inbound_on_first: usize = api.get(&ana, &format!("/api/v1/tickets/{tid}/emails"))["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["direction"] == "inbound")
        .count();
    assert_eq!(
        inbound_on_first, 1,
        "the stranger's mail is not on #{number}"
    );
    assert_ne!(other["number"].as_i64(), Some(number));
    drop(server);

    // 4. Through Postfix with STARTTLS required: the next email goes out via
    // the organisation's server and reaches the customer's.
    let (server, base) = lazo(
        &db,
        &format!("smtp://localhost:{submission}?tls=required"),
        Some(&imap_url),
        &ca,
    );
    let api = Api { base, ..api };
    let admin = api.login("admin@demo.lazo");
    api.post(
        &admin,
        &format!("/api/v1/tickets/{tid}/emails"),
        json!({"subject": "Replacement on its way", "body": "A new cup ships today."}),
    );
    let relayed = eventually("the email relayed by Postfix arrives", || {
        maildev_messages(customer_web)
            .into_iter()
            .find(|m| m["subject"].as_str().unwrap_or("").contains("Replacement"))
    });
    assert_eq!(relayed["to"][0]["address"], "ada@customer.test");
    assert!(
        postfix.log().contains("TLS connection established"),
        "Lazo spoke TLS to Postfix:\n{}",
        postfix.log()
    );
    drop(server);

    // 5. A server whose certificate comes from a CA Lazo does not trust:
    // nothing is sent to it, and the email says why.
    let rogue = tempfile::tempdir().unwrap();
    certificates(rogue.path(), "Rogue CA");
    // openssl's own TLS server: it keeps serving after a refused handshake.
    let rogue_smtp = free_port();
    let _rogue = Killed(
        Command::new("openssl")
            .args(["s_server", "-quiet", "-accept", &rogue_smtp.to_string()])
            .args(["-cert", &rogue.path().join("server.pem").to_string_lossy()])
            .args(["-key", &rogue.path().join("server.key").to_string_lossy()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_server"),
    );
    let start = Instant::now();
    while !support::listening(rogue_smtp) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "openssl s_server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (_server, base) = lazo(&db, &format!("smtps://localhost:{rogue_smtp}"), None, &ca);
    let api = Api { base, ..api };
    let admin = api.login("admin@demo.lazo");
    let e = api.post(
        &admin,
        &format!("/api/v1/tickets/{tid}/emails"),
        json!({"subject": "Should not leave", "body": "Untrusted server."}),
    );
    let eid = e["id"].as_i64().unwrap();
    let why = eventually("the failed try is recorded", || {
        let page = api.get(&admin, &format!("/api/v1/tickets/{tid}/emails"));
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"].as_i64() == Some(eid))
            .and_then(|m| m["smtp_answer"].as_str())
            .filter(|a| {
                let a = a.to_lowercase();
                a.contains("certificate") || a.contains("tls")
            })
            .map(str::to_owned)
    });
    assert!(
        why.to_lowercase().contains("certificate") || why.to_lowercase().contains("tls"),
        "{why}"
    );
    let states = email_states(&api, &admin, tid);
    assert!(
        states
            .iter()
            .any(|(s, st)| s.contains("Should not leave") && st == "queued"),
        "it waits to be retried: {states:?}"
    );
}
