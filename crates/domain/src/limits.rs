//! Size limits for request data. They are part of the API contract (the OpenAPI
//! document states them) and the SPA uses them for `maxlength` attributes.

/// A subject is a one-line headline; 200 characters fit any subject line a
/// mail client shows and keeps the follow-up table readable.
pub const SUBJECT_MAX: usize = 200;
/// Descriptions and comments hold pasted emails; 20 000 characters is about
/// ten printed pages, well above real feedback and far below the body limit.
pub const TEXT_MAX: usize = 20_000;
/// Names of users, groups, statuses, types, root causes, tags, sources.
pub const NAME_MAX: usize = 100;
/// RFC 5321 caps a forward path at 256 octets, so an address is at most 254.
pub const EMAIL_MAX: usize = 254;
/// At most this many named sources in the organisation settings.
pub const SOURCES_MAX: usize = 50;
/// At most this many tags on one ticket.
pub const TAGS_MAX: usize = 50;
/// Page size cap for list endpoints.
pub const PAGE_MAX: i64 = 200;
/// Default page size for list endpoints.
pub const PAGE_DEFAULT: i64 = 50;
/// Request body cap in bytes (JSON); 256 KiB leaves room for a description,
/// custom fields and a comment at their maxima, several times over.
pub const BODY_MAX_BYTES: usize = 256 * 1024;
/// Passwords: at least 8 characters (NIST SP 800-63B), at most 256 so argon2
/// cannot be fed megabytes.
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 256;
/// Bulk updates handle at most this many tickets per request.
pub const BULK_MAX: usize = 500;
/// At most this many answers in one survey response.
pub const ANSWERS_MAX: usize = 200;
/// A survey question's text.
pub const QUESTION_MAX: usize = 1_000;
/// Keys of a contact's free attributes, of a response's embedded data and of
/// a touchpoint's payload.
pub const KEYS_MAX: usize = 100;
/// Responses in one `POST /responses/batch`.
pub const RESPONSES_BATCH_MAX: usize = 500;
/// Body cap of `POST /responses`: room for the answers at their maxima; a
/// body over it is refused before it is read.
pub const RESPONSE_BODY_MAX_BYTES: usize = 1024 * 1024;
/// Body cap of `POST /responses/batch`.
pub const RESPONSES_BATCH_BODY_MAX_BYTES: usize = 16 * 1024 * 1024;
/// Alert rules evaluated for each response.
pub const ALERT_RULES_MAX: usize = 200;
/// Tickets in one `POST /import/tickets`.
pub const IMPORT_MAX: usize = 1_000;
/// Comments of one imported ticket.
pub const IMPORT_COMMENTS_MAX: usize = 1_000;
/// Body cap of `POST /import/tickets`.
pub const IMPORT_BODY_MAX_BYTES: usize = 32 * 1024 * 1024;
