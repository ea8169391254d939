//! Files attached to a ticket: the wire type, and the rules for the names and
//! content types the server keeps (pure, so they are unit-tested here).
//!
//! A file's bytes are never trusted: its name is reduced to a base name, its
//! content type is sniffed before the declared one is believed, and it is
//! only ever served as a download (`Content-Disposition: attachment`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::wire::UserRef;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Longest file name kept, in characters (most file systems allow 255 bytes).
pub const FILENAME_MAX: usize = 255;

/// Most files in one upload request.
pub const FILES_PER_UPLOAD: usize = 10;

/// Default largest file, in bytes (`LAZO_ATTACHMENT_MAX_BYTES`): 20 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// One file on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Attachment {
    pub id: i64,
    pub ticket_id: i64,
    /// The base name as uploaded (path parts removed).
    pub filename: String,
    /// Sniffed from the bytes when recognisable, else as declared, else
    /// `application/octet-stream`. Informational: downloads are never inline.
    pub content_type: String,
    pub size_bytes: i64,
    /// Lowercase hex SHA-256 of the bytes (their content address).
    pub sha256: String,
    /// The person who uploaded it; absent for an API token or a deleted user.
    pub uploaded_by: Option<UserRef>,
    /// Who uploaded it as history shows it (a person, or `API token <name>`).
    pub uploaded_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// Why a file name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadName {
    /// Nothing left once the path and blanks are removed (or only dots).
    Empty,
    /// NUL or another control character (PostgreSQL cannot store NUL, and
    /// they break `Content-Disposition`).
    Control,
    /// Longer than [`FILENAME_MAX`] characters.
    TooLong,
}

impl BadName {
    pub fn message(self) -> String {
        match self {
            BadName::Empty => "a file needs a name".into(),
            BadName::Control => "a file name may not contain control characters".into(),
            BadName::TooLong => format!("a file name is at most {FILENAME_MAX} characters"),
        }
    }
}

/// The name a file is kept under: the part after the last `/` or `\`
/// (browsers and tools may send a client path such as `C:\fakepath\a.pdf`),
/// trimmed. Control characters and names of only dots are refused rather
/// than silently rewritten, so the uploader knows what was kept.
pub fn clean_filename(raw: &str) -> Result<String, BadName> {
    if raw.chars().any(char::is_control) {
        return Err(BadName::Control);
    }
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if base.chars().all(|c| c == '.') {
        return Err(BadName::Empty);
    }
    if base.chars().count() > FILENAME_MAX {
        return Err(BadName::TooLong);
    }
    Ok(base.to_owned())
}

/// The content type recognised from the first bytes, for formats with an
/// unambiguous signature.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"%PDF-", "application/pdf"),
        (b"PK\x03\x04", "application/zip"),
        (b"\x1f\x8b", "application/gzip"),
    ];
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    SIGNATURES
        .iter()
        .find(|(sig, _)| head.starts_with(sig))
        .map(|(_, t)| *t)
}

/// A declared `type/subtype` without parameters, lowercased, if it is a
/// well-formed media type (RFC 9110 tokens).
fn essence(declared: &str) -> Option<String> {
    let t = declared.split(';').next()?.trim().to_ascii_lowercase();
    let (ty, sub) = t.split_once('/')?;
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 127
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    (token(ty) && token(sub)).then_some(t)
}

/// The content type kept for a file: sniffed from its bytes when
/// recognisable (a declared type is the client's guess, or a lie), else the
/// declared one, else `application/octet-stream`.
pub fn content_type(declared: Option<&str>, head: &[u8]) -> String {
    sniff(head)
        .map(str::to_owned)
        .or_else(|| declared.and_then(essence))
        .unwrap_or_else(|| "application/octet-stream".into())
}

/// The `Content-Type` a download is served with: the kept type only when a
/// browser cannot run it (images but SVG, PDF, plain text, archives);
/// anything else — HTML, SVG, XML, scripts, unknown — as
/// `application/octet-stream`. The download is an attachment either way.
pub fn served_type(kept: &str) -> &str {
    const HARMLESS: &[&str] = &[
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/zip",
        "application/gzip",
    ];
    if HARMLESS.contains(&kept) {
        kept
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_path_and_keep_the_rest() {
        assert_eq!(clean_filename("report.pdf").unwrap(), "report.pdf");
        assert_eq!(clean_filename("C:\\fakepath\\a b.pdf").unwrap(), "a b.pdf");
        assert_eq!(clean_filename("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean_filename("  año ñ.txt ").unwrap(), "año ñ.txt");
        assert_eq!(clean_filename("dir/"), Err(BadName::Empty));
        assert_eq!(clean_filename(".."), Err(BadName::Empty));
        assert_eq!(clean_filename(""), Err(BadName::Empty));
        assert_eq!(clean_filename("a\0b"), Err(BadName::Control));
        assert_eq!(clean_filename("a\nb"), Err(BadName::Control));
        assert_eq!(clean_filename(&"x".repeat(256)), Err(BadName::TooLong));
        assert!(clean_filename(&"é".repeat(255)).is_ok());
    }

    #[test]
    fn the_bytes_win_over_the_declared_type() {
        assert_eq!(
            content_type(Some("text/html"), b"\x89PNG\r\n\x1a\n...."),
            "image/png"
        );
        assert_eq!(
            content_type(Some("Text/Plain; charset=utf-8"), b"hello"),
            "text/plain"
        );
        assert_eq!(
            content_type(Some("nonsense"), b"hello"),
            "application/octet-stream"
        );
        assert_eq!(content_type(None, b"RIFF\0\0\0\0WEBPVP8 "), "image/webp");
        assert_eq!(content_type(None, b""), "application/octet-stream");
    }

    #[test]
    fn nothing_a_browser_could_run_is_served_as_itself() {
        for t in [
            "text/html",
            "image/svg+xml",
            "application/xhtml+xml",
            "text/xml",
            "application/javascript",
        ] {
            assert_eq!(served_type(t), "application/octet-stream", "{t}");
        }
        assert_eq!(served_type("image/png"), "image/png");
        assert_eq!(served_type("application/pdf"), "application/pdf");
    }
}
