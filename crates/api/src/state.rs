//! What every handler can reach: the database, configuration and the login
//! rate limiter.

use chrono::Duration;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;

use crate::db::Db;

#[derive(Clone)]
pub struct Config {
    pub jwt_secret: Vec<u8>,
    /// Lifetime of a JWT; the SPA refreshes before it runs out.
    pub jwt_ttl: Duration,
    /// Lifetime of a session (a login); refreshes stop working after it.
    pub session_ttl: Duration,
    /// Login attempts per minute for one address and email.
    pub login_per_minute: u32,
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
        }
    }
}

pub struct AppState {
    pub db: Db,
    pub config: Config,
    pub login_limiter: Arc<DefaultKeyedRateLimiter<String>>,
}

impl AppState {
    pub fn new(db: Db, config: Config) -> AppState {
        let per_minute =
            NonZeroU32::new(config.login_per_minute.max(1)).expect("max(1) is non-zero");
        AppState {
            db,
            config,
            login_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
        }
    }
}
