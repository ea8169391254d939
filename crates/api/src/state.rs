//! What every handler can reach: the database, configuration and the login
//! rate limiter.

use chrono::Duration;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;

use crate::batch::Batcher;
use crate::db::Db;
use crate::net::TrustedProxies;
use lazo_service::email::MailConfig;

#[derive(Clone)]
pub struct Config {
    pub jwt_secret: Vec<u8>,
    /// Lifetime of a JWT; the SPA refreshes before it runs out.
    pub jwt_ttl: Duration,
    /// Lifetime of a session (a login); refreshes stop working after it.
    pub session_ttl: Duration,
    /// Login attempts per minute for one address and email.
    pub login_per_minute: u32,
    /// Login attempts per minute for one email from all addresses together,
    /// so guessing from many addresses gains nothing.
    pub login_per_account_per_minute: u32,
    /// Peers whose `X-Forwarded-For` names the client (see [`crate::net`]).
    pub trusted_proxies: TrustedProxies,
    /// Accept webhook URLs into loopback/private/link-local networks
    /// (`LAZO_WEBHOOK_ALLOW_PRIVATE`; on-premise receivers and tests).
    pub webhook_allow_private: bool,
    /// Sender, reply-to token key and SMTP server of outgoing email.
    pub mail: Arc<MailConfig>,
    /// Largest ticket attachment, per file (`LAZO_ATTACHMENT_MAX_BYTES`).
    pub attachment_max_bytes: u64,
}

impl Config {
    /// What the session service needs of this configuration.
    pub fn sessions(&self) -> lazo_service::auth::SessionConfig {
        lazo_service::auth::SessionConfig {
            jwt_secret: self.jwt_secret.clone(),
            jwt_ttl: self.jwt_ttl,
            session_ttl: self.session_ttl,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            jwt_secret: crate::auth::random_secret().into_bytes(),
            jwt_ttl: Duration::minutes(30),
            session_ttl: Duration::hours(12),
            login_per_minute: 10,
            login_per_account_per_minute: 30,
            trusted_proxies: TrustedProxies::default(),
            webhook_allow_private: lazo_service::webhooks::allow_private_from_env(),
            mail: Arc::new(
                MailConfig::new(
                    "Lazo <lazo@localhost>",
                    crate::auth::random_secret().into_bytes(),
                )
                .expect("a valid default sender"),
            ),
            attachment_max_bytes: lazo_domain::attachment::DEFAULT_MAX_BYTES,
        }
    }
}

pub struct AppState {
    pub db: Db,
    /// `POST /tickets`' batcher (see [`crate::batch`]).
    pub creates: Batcher<crate::creates::Creates>,
    /// `POST /tickets/{id}/comments`' batcher.
    pub comments: Batcher<crate::routes::comments::Comments>,
    pub config: Config,
    /// Keyed by client address and email.
    pub login_limiter: Arc<DefaultKeyedRateLimiter<String>>,
    /// Keyed by email alone.
    pub account_limiter: Arc<DefaultKeyedRateLimiter<String>>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> AppState {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("max(1) is non-zero"));
        AppState {
            login_limiter: Arc::new(RateLimiter::keyed(quota(config.login_per_minute))),
            account_limiter: Arc::new(RateLimiter::keyed(quota(
                config.login_per_account_per_minute,
            ))),
            creates: Batcher::new(db.storage()),
            comments: Batcher::new(db.storage()),
            db,
            config,
        }
    }
}
