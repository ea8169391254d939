//! The signed ticket token of the reply-to address: replies to
//! `support+t1042.3f9a0c1b2d4e5f60@acme.test` belong to ticket 1042, and
//! nobody can forge the address of another ticket without the key.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Hex characters of the HMAC kept in the address (64 bits).
const SIG_HEX: usize = 16;

fn mac(key: &[u8], number: i64) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(format!("lazo-ticket:{number}").as_bytes());
    m
}

/// `t<number>.<hmac>`, the tag placed after the `+`.
pub fn tag(key: &[u8], number: i64) -> String {
    let sig = hex::encode(mac(key, number).finalize().into_bytes());
    format!("t{number}.{}", &sig[..SIG_HEX])
}

/// `local+t<number>.<hmac>@domain` for `base` = `local@domain`.
pub fn reply_address(key: &[u8], base: &str, number: i64) -> String {
    let (local, domain) = base.rsplit_once('@').unwrap_or((base, "localhost"));
    // A base that is already plus-addressed keeps its own tag first.
    format!("{local}+{}@{domain}", tag(key, number))
}

/// The ticket number an address's valid token names, if any.
pub fn ticket_of(key: &[u8], address: &str) -> Option<i64> {
    let (local, _) = address.rsplit_once('@')?;
    let (_, t) = local.rsplit_once('+')?;
    let (number, sig) = t.strip_prefix('t')?.split_once('.')?;
    let number: i64 = number.parse().ok()?;
    if sig.len() != SIG_HEX {
        return None;
    }
    let sig = hex::decode(sig.to_ascii_lowercase()).ok()?;
    // Constant-time comparison of the truncated MAC.
    mac(key, number).verify_truncated_left(&sig).ok()?;
    Some(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_round_trips_and_is_bound_to_key_and_number() {
        let a = reply_address(b"k1", "support@acme.test", 1042);
        assert!(a.starts_with("support+t1042."), "{a}");
        assert!(a.ends_with("@acme.test"));
        assert_eq!(ticket_of(b"k1", &a), Some(1042));
        assert_eq!(ticket_of(b"k2", &a), None);
        let forged = a.replace("t1042", "t1043");
        assert_eq!(ticket_of(b"k1", &forged), None);
        assert_eq!(ticket_of(b"k1", "support@acme.test"), None);
        assert_eq!(
            ticket_of(
                b"k1",
                &a.to_uppercase()
                    .replace("ACME.TEST", "acme.test")
                    .replace("SUPPORT+T", "support+t")
            ),
            Some(1042)
        );
    }
}
