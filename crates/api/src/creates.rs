//! `POST /tickets` in batches ([`crate::batch`]): the creates waiting
//! together are made with one statement per table ([`write::create_many`]),
//! their idempotency keys read and stored at once.

use std::collections::HashSet;

use lazo_domain::wire::{CreateTicket, Ticket};
use lazo_service::auth::Principal;
use lazo_service::tickets::{self, write};
use lazo_storage::DbConn;

use crate::batch::Kind;
use crate::error::ApiError;

/// What a create became.
pub enum Outcome {
    Fresh(Box<Ticket>),
    /// The answer stored under the request's idempotency key.
    Replay(String),
}

/// One create waiting for its batch.
pub struct Pending {
    pub who: Principal,
    pub key: Option<String>,
    /// SHA-256 of the request body, for the idempotency key.
    pub hash: String,
    pub input: CreateTicket,
}

/// Ticket creates, as a kind of batched write.
pub struct Creates;

impl Kind for Creates {
    type Item = Pending;
    type Done = Outcome;
    const NAME: &'static str = "creates";

    /// A key twice in one batch: the first is made in the batch, the others
    /// alone afterwards, where they find it stored and replay it.
    fn alone(items: &[Pending]) -> Vec<bool> {
        let mut keys = HashSet::new();
        items
            .iter()
            .map(|p| {
                p.key
                    .as_ref()
                    .is_some_and(|k| !keys.insert((p.who.key(), k.clone())))
            })
            .collect()
    }

    fn make(c: &mut DbConn, items: &[Pending]) -> Result<Vec<Result<Outcome, ApiError>>, ApiError> {
        make(c, items)
    }
}

/// Makes a batch of creates in the caller's transaction: replays those
/// whose key is stored, creates the rest, stores their keys.
fn make(c: &mut DbConn, creates: &[Pending]) -> Result<Vec<Result<Outcome, ApiError>>, ApiError> {
    let principals: Vec<String> = creates.iter().map(|p| p.who.key()).collect();
    let asks: Vec<(usize, crate::idempotency::Ask<'_>)> = creates
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.key.as_deref().map(|k| {
                (
                    i,
                    crate::idempotency::Ask {
                        principal: &principals[i],
                        key: k,
                        hash: &p.hash,
                    },
                )
            })
        })
        .collect();
    let found = crate::idempotency::stored_many(c, asks.iter().map(|(_, a)| *a))?;
    let mut answers: Vec<Option<Result<Outcome, ApiError>>> = std::iter::repeat_with(|| None)
        .take(creates.len())
        .collect();
    for ((i, _), prior) in asks.iter().zip(found) {
        match prior {
            Ok(None) => {}
            Ok(Some(body)) => answers[*i] = Some(Ok(Outcome::Replay(body))),
            Err(e) => answers[*i] = Some(Err(e)),
        }
    }
    let to_make: Vec<usize> = (0..creates.len())
        .filter(|i| answers[*i].is_none())
        .collect();
    let made = write::create_many(
        c,
        to_make
            .iter()
            .map(|&i| write::NewTicket {
                who: &creates[i].who,
                input: creates[i].input.clone(),
                parent_id: None,
            })
            .collect(),
    )?;
    let mut fresh = Vec::new();
    for (&i, result) in to_make.iter().zip(made) {
        match result {
            Ok(id) => fresh.push((i, id)),
            Err(e) => answers[i] = Some(Err(e.into())),
        }
    }
    let ids: Vec<i64> = fresh.iter().map(|(_, id)| *id).collect();
    let made = tickets::to_new_tickets(c, &ids)?;
    let mut remember = Vec::new();
    for ((i, _), ticket) in fresh.iter().zip(made) {
        if let Some(k) = &creates[*i].key {
            let body = serde_json::to_string(&ticket).map_err(ApiError::internal)?;
            remember.push((*i, k.as_str(), body));
        }
        answers[*i] = Some(Ok(Outcome::Fresh(Box::new(ticket))));
    }
    crate::idempotency::remember_many(
        c,
        remember
            .iter()
            .map(|(i, k, body)| crate::idempotency::Remember {
                ask: crate::idempotency::Ask {
                    principal: &principals[*i],
                    key: k,
                    hash: &creates[*i].hash,
                },
                status: 201,
                body,
            }),
    )?;
    Ok(answers
        .into_iter()
        .map(|a| a.expect("every create answered"))
        .collect())
}
