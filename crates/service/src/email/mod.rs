//! Email: templates ([`templates`]), the ticket's outbound thread
//! ([`outbound`]), delivery over SMTP by the job runner ([`delivery`]), and
//! the signed reply-to token ([`token`]). PRODUCT.md "Email"; issue 8.

pub mod delivery;
pub mod inbound;
pub mod outbound;
pub mod templates;
pub mod token;

use lettre::message::Mailbox;

/// How Lazo sends and signs email. Built once from the environment
/// (`LAZO_SMTP_URL`, `LAZO_MAIL_FROM`, ...; see README.md) and shared by the
/// API (which fixes each message when it is queued) and the worker (which
/// delivers it).
#[derive(Clone)]
pub struct MailConfig {
    /// `From` of every email, e.g. `Acme Support <support@acme.test>`.
    pub from: Mailbox,
    /// The address replies go to; plus-addressed with the signed ticket
    /// token (`support+t1042.<hmac>@acme.test`). Defaults to `from`.
    pub reply_to: Mailbox,
    /// HMAC key of the reply-to token.
    pub token_key: Vec<u8>,
    /// `smtp://host:port`, `smtps://...`, `smtp://user:pass@host?tls=required`.
    /// `None`: deliveries wait (and retry) until it is configured.
    pub smtp_url: Option<String>,
    /// Gives up on an SMTP conversation after this long (then retries).
    pub smtp_timeout: std::time::Duration,
}

impl MailConfig {
    pub fn new(from: &str, token_key: Vec<u8>) -> anyhow::Result<MailConfig> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("mail from address {from:?}: {e}"))?;
        Ok(MailConfig {
            reply_to: from.clone(),
            from,
            token_key,
            smtp_url: None,
            smtp_timeout: std::time::Duration::from_secs(30),
        })
    }

    /// The domain of our Message-IDs: the sender's.
    pub fn domain(&self) -> &str {
        self.from.email.domain()
    }
}

impl std::fmt::Debug for MailConfig {
    // Never print the token key or SMTP credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("from", &self.from.to_string())
            .field("reply_to", &self.reply_to.to_string())
            .field("smtp", &self.smtp_url.is_some())
            .finish()
    }
}
