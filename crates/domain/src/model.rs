//! The vocabulary of Lazo. Enums serialise in `snake_case`, which is also how
//! they are stored in the database.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] $variant),+ }

        // Written by hand: utoipa's derive does not see `serde(rename)` values
        // that come from a macro, and would document the Rust variant names.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue { kind: stringify!($name), value: s.to_owned() }),
                }
            }
        }
    };
}

/// A string that names no variant of an enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not a valid {}", self.value, self.kind)
    }
}

string_enum!(
    /// What a person may do. Integrator tokens have scopes instead.
    Role {
        /// Organisation admin: everything, including deleting tickets.
        Admin => "admin",
        /// Sees every ticket, reassigns to anyone, configures ticketing.
        TicketAdmin => "ticket_admin",
        /// Sees tickets owned by them or their groups.
        Agent => "agent",
    }
);

impl Role {
    /// Sees and changes every ticket.
    pub fn sees_all_tickets(self) -> bool {
        matches!(self, Role::Admin | Role::TicketAdmin)
    }
    /// May change ticketing configuration (statuses, types, groups, settings).
    pub fn configures_ticketing(self) -> bool {
        matches!(self, Role::Admin | Role::TicketAdmin)
    }
}

string_enum!(
    /// Ticket urgency, ordered from least to most urgent.
    Priority {
        Low => "low",
        Medium => "medium",
        High => "high",
        Critical => "critical",
    }
);

impl Priority {
    /// Rank used for sorting (and stored in the database so sorting by
    /// priority is an index scan, not a string comparison).
    pub fn rank(self) -> i16 {
        match self {
            Priority::Low => 0,
            Priority::Medium => 1,
            Priority::High => 2,
            Priority::Critical => 3,
        }
    }
    pub fn from_rank(rank: i16) -> Option<Priority> {
        Priority::ALL.get(usize::try_from(rank).ok()?).copied()
    }
}

string_enum!(
    /// The fixed meaning behind a configurable status.
    StatusCategory {
        New => "new",
        Open => "open",
        /// Waiting on someone outside; SLA clocks pause.
        Pending => "pending",
        /// Inactive ticket.
        Closed => "closed",
    }
);

string_enum!(
    /// What an integrator token may do.
    Scope {
        TicketsRead => "tickets:read",
        TicketsWrite => "tickets:write",
        ResponsesWrite => "responses:write",
        /// Posting raw inbound email (`POST /inbound/email`, `lazo mailgate`).
        InboundWrite => "inbound:write",
        Admin => "admin",
    }
);

string_enum!(
    /// A language Lazo writes email templates and the SPA in.
    Language {
        En => "en",
        Es => "es",
        Fr => "fr",
    }
);

string_enum!(
    /// Which way an email of a ticket's thread went.
    EmailDirection {
        Outbound => "outbound",
        Inbound => "inbound",
    }
);

string_enum!(
    /// Where an email stands: outbound `queued`, `sent` or `failed` (for good,
    /// with the SMTP answer); inbound `received`, or `auto` for auto-replies
    /// and bounces, which are kept but change nothing.
    EmailState {
        Queued => "queued",
        Sent => "sent",
        Failed => "failed",
        Received => "received",
        Auto => "auto",
    }
);

string_enum!(
    /// Why a person is notified about a ticket.
    NotificationKind {
        /// A ticket was created for you or your group.
        Created => "created",
        /// You became its owner.
        Assigned => "assigned",
        /// It was moved to your group and has no owner.
        GroupAssigned => "group_assigned",
        /// Its status changed.
        Status => "status",
        /// Its priority was raised to high or critical.
        Escalated => "escalated",
        /// Its group changed.
        Group => "group",
        /// Its tags changed.
        Tags => "tags",
        /// Someone commented.
        Commented => "commented",
        /// The customer replied by email.
        EmailReceived => "email_received",
        /// A file was attached or removed.
        Attachments => "attachments",
    }
);

impl NotificationKind {
    /// Whether an email goes out when the person has not chosen: only for
    /// what asks them to act now.
    pub fn emails_by_default(self) -> bool {
        matches!(
            self,
            NotificationKind::Created
                | NotificationKind::Assigned
                | NotificationKind::GroupAssigned
                | NotificationKind::Escalated
                | NotificationKind::EmailReceived
        )
    }
}

string_enum!(
    /// What kind of interaction a touchpoint records.
    TouchpointKind {
        SurveyResponse => "survey_response",
        Email => "email",
        Ticket => "ticket",
        Call => "call",
        Chat => "chat",
        /// Anything else an integrator records.
        Custom => "custom",
    }
);

string_enum!(
    /// A score a survey response carries, each with its own scale.
    ScoreKind {
        /// Net Promoter Score, 0-10 (0-6 detractor, 7-8 passive, 9-10 promoter).
        Nps => "nps",
        /// Customer satisfaction, 1-5.
        Csat => "csat",
        /// Customer effort score, 1-7.
        Ces => "ces",
    }
);

impl ScoreKind {
    /// The inclusive range a score of this kind takes.
    pub fn range(self) -> (i32, i32) {
        match self {
            ScoreKind::Nps => (0, 10),
            ScoreKind::Csat => (1, 5),
            ScoreKind::Ces => (1, 7),
        }
    }
}

string_enum!(
    /// The type of one answer of a survey response, which says what its
    /// `answer` value is.
    AnswerType {
        /// A string.
        Text => "text",
        /// A number.
        Number => "number",
        /// A number on a scale (stars, 0-10...).
        Rating => "rating",
        /// One option, a string.
        Choice => "choice",
        /// Several options, an array of strings.
        MultiChoice => "multi_choice",
        /// `true` or `false`.
        Boolean => "boolean",
        /// A date, `YYYY-MM-DD`.
        Date => "date",
    }
);

string_enum!(
    /// What an alert rule did with a response.
    RuleAction {
        /// The rule created a ticket.
        TicketCreated => "ticket_created",
        /// A record-only rule matched: nothing but this record.
        Recorded => "recorded",
        /// The rule matched but its ticket could not be created (e.g. its
        /// status was retired); the response is kept.
        Failed => "failed",
    }
);

string_enum!(
    /// Type of a custom field defined by a ticket type.
    FieldKind {
        Text => "text",
        Number => "number",
        Date => "date",
        Choice => "choice",
        Email => "email",
    }
);

string_enum!(
    /// How two tickets relate.
    LinkKind {
        Related => "related",
        DuplicateOf => "duplicate_of",
        MergedInto => "merged_into",
    }
);

string_enum!(
    /// Whether a root cause is required or prohibited for a status.
    RootCauseRule {
        Required => "required",
        Prohibited => "prohibited",
    }
);

string_enum!(
    /// How much of a ticket the caller may touch.
    Access {
        /// Read, comment and update.
        Full => "full",
        /// Read and comment only: the parent of a sub-ticket the caller owns.
        Comment => "comment",
    }
);

string_enum!(
    /// Sort keys of the follow-up list.
    SortKey {
        Created => "created",
        Updated => "updated",
        Priority => "priority",
        Due => "due",
        Number => "number",
    }
);

string_enum!(
    SortDir {
        Asc => "asc",
        Desc => "desc",
    }
);

string_enum!(
    /// Stable error codes: the `code` of a problem document and of each
    /// field error. Clients key on these (the SPA maps them to text in the
    /// agent's language), so a code is only ever added, never renamed.
    ErrorCode {
        // Field errors.
        Required => "required",
        TooLong => "too_long",
        TooMany => "too_many",
        Invalid => "invalid",
        InvalidValue => "invalid_value",
        InvalidCharacter => "invalid_character",
        NotAnObject => "not_an_object",
        OutOfRange => "out_of_range",
        Duplicate => "duplicate",
        Taken => "taken",
        UnknownField => "unknown_field",
        /// A reference to a record that exists but is deactivated.
        Inactive => "inactive",
        /// A reference to a record that does not exist.
        UnknownReference => "unknown_reference",
        // Ticket rules (field errors that are also the problem's code when
        // one rule failed).
        RootCauseRequired => "root_cause_required",
        RootCauseProhibited => "root_cause_prohibited",
        RootCauseUnknown => "root_cause_unknown",
        ClosingNotAllowed => "closing_not_allowed",
        OwnerNotInGroup => "owner_not_in_group",
        CommentRequired => "comment_required",
        // Problems.
        ValidationFailed => "validation_failed",
        BadBody => "bad_body",
        MalformedJson => "malformed_json",
        InvalidQuery => "invalid_query",
        InvalidCursor => "invalid_cursor",
        InvalidIfMatch => "invalid_if_match",
        InvalidIdempotencyKey => "invalid_idempotency_key",
        IdempotencyKeyReused => "idempotency_key_reused",
        Unauthenticated => "unauthenticated",
        InvalidCredentials => "invalid_credentials",
        Forbidden => "forbidden",
        NotFound => "not_found",
        MethodNotAllowed => "method_not_allowed",
        Conflict => "conflict",
        InUse => "in_use",
        GroupInUse => "group_in_use",
        NameTaken => "name_taken",
        EmailTaken => "email_taken",
        Stale => "stale",
        PayloadTooLarge => "payload_too_large",
        UnsupportedMediaType => "unsupported_media_type",
        PreconditionRequired => "precondition_required",
        RateLimited => "rate_limited",
        Internal => "internal",
        Unavailable => "unavailable",
        TicketClosed => "ticket_closed",
        NotSnoozed => "not_snoozed",
        JobNotRetryable => "job_not_retryable",
        /// A webhook URL that points into the private network (refused by default).
        UrlNotAllowed => "url_not_allowed",
        ExternalRefTaken => "external_ref_taken",
        /// A survey response's external id was received before with other
        /// content.
        DuplicateResponse => "duplicate_response",
        /// A link between the same two tickets of the same kind exists.
        LinkExists => "link_exists",
        /// A ticket linked or merged to itself.
        SelfLink => "self_link",
        /// The ticket was merged already (it is closed and linked).
        AlreadyMerged => "already_merged",
        /// The merge target was itself merged; the problem names its survivor.
        TargetMerged => "target_merged",
        /// A ticket with open sub-tickets cannot be merged.
        OpenSubTickets => "open_sub_tickets",
        /// A merge link cannot be removed: a merge is not undone.
        MergeLinkFixed => "merge_link_fixed",
        /// The last active status of category `new` cannot go.
        LastNewStatus => "last_new_status",
        /// An admin cannot demote or deactivate themselves.
        SelfLockout => "self_lockout",
        /// A permanent bounce reported this address; no more email to it.
        AddressBounced => "address_bounced",
        /// Only a failed (or waiting) email is sent again.
        EmailNotRetryable => "email_not_retryable",
        /// An inbound message that was matched already.
        AlreadyProcessed => "already_processed",
        /// An inbound message whose Message-ID another message has.
        DuplicateMessageId => "duplicate_message_id",
    }
);

impl ErrorCode {
    /// The codes of ticket rules: when every failing field has the same one,
    /// it is also the problem's code.
    pub fn is_rule(self) -> bool {
        matches!(
            self,
            ErrorCode::RootCauseRequired
                | ErrorCode::RootCauseProhibited
                | ErrorCode::RootCauseUnknown
                | ErrorCode::ClosingNotAllowed
                | ErrorCode::OwnerNotInGroup
                | ErrorCode::CommentRequired
                | ErrorCode::InvalidValue
                | ErrorCode::UnknownField
                | ErrorCode::Required
        )
    }
}

impl From<ErrorCode> for String {
    fn from(c: ErrorCode) -> String {
        c.as_str().to_owned()
    }
}

string_enum!(
    /// What a history row is about: a ticket field, or an event without a
    /// field (created, a comment...). Custom fields are
    /// `custom_fields.<key>` ([`HistoryField::CUSTOM_PREFIX`]).
    HistoryField {
        Created => "created",
        /// Brought from another help desk (`POST /import/tickets`): one row
        /// for the whole ticket, at its original creation time.
        Imported => "imported",
        SubTicket => "sub_ticket",
        Comment => "comment",
        InternalNote => "internal_note",
        CommentEdited => "comment_edited",
        CommentDeleted => "comment_deleted",
        Subject => "subject",
        Description => "description",
        Priority => "priority",
        Status => "status",
        Type => "type",
        RootCause => "root_cause",
        Group => "group",
        Owner => "owner",
        Requester => "requester",
        Tags => "tags",
        Source => "source",
        DueAt => "due_at",
        SummaryScore => "summary_score",
        SummaryComment => "summary_comment",
        Public => "public",
        SnoozeUntil => "snooze_until",
        /// The ticket was forwarded by email (new value: the recipients).
        Forwarded => "forwarded",
        /// An email queued to the customer (new value: the recipient).
        EmailQueued => "email_queued",
        /// An email whose delivery failed for good (new value: the SMTP answer).
        EmailFailed => "email_failed",
        /// An email from the customer landed on the ticket (new value: the sender).
        EmailReceived => "email_received",
        /// A file attached (new value: its name) or removed (old value).
        Attachment => "attachment",
        /// A `related` link made (new value `#n`) or removed (old value).
        LinkRelated => "link_related",
        /// This ticket marked a duplicate of `#n` (or no longer).
        LinkDuplicateOf => "link_duplicate_of",
        /// `#n` marked a duplicate of this ticket (or no longer).
        LinkDuplicatedBy => "link_duplicated_by",
        /// This ticket was merged into `#n` (new value).
        MergedInto => "merged_into",
        /// `#n` was merged into this ticket (new value).
        MergedFrom => "merged_from",
    }
);

impl HistoryField {
    pub const CUSTOM_PREFIX: &'static str = "custom_fields.";

    /// The history name of custom field `key`.
    pub fn custom(key: &str) -> String {
        format!("{}{key}", Self::CUSTOM_PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_history_fields_round_trip() {
        for c in ErrorCode::ALL {
            assert_eq!(c.as_str().parse::<ErrorCode>(), Ok(*c));
        }
        for f in HistoryField::ALL {
            assert_eq!(f.as_str().parse::<HistoryField>(), Ok(*f));
        }
    }

    #[test]
    fn enums_round_trip_through_their_text() {
        for p in Priority::ALL {
            assert_eq!(p.as_str().parse::<Priority>().unwrap(), *p);
            assert_eq!(Priority::from_rank(p.rank()), Some(*p));
        }
        assert_eq!("tickets:read".parse::<Scope>().unwrap(), Scope::TicketsRead);
        assert!("superuser".parse::<Role>().is_err());
        assert_eq!(
            serde_json::to_string(&Scope::TicketsWrite).unwrap(),
            "\"tickets:write\""
        );
        assert_eq!(
            serde_json::from_str::<Role>("\"ticket_admin\"").unwrap(),
            Role::TicketAdmin
        );
    }

    #[test]
    fn priorities_are_ordered_by_urgency() {
        assert!(Priority::Low < Priority::Critical);
        assert!(Priority::High.rank() > Priority::Medium.rank());
    }
}
