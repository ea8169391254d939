//! Rules that decide whether a ticket may take a new state. The API loads the
//! facts, asks these functions, and answers 422 with every violation named.

use crate::limits;
use crate::model::ErrorCode;
use crate::model::{FieldKind, Role, StatusCategory};
use crate::wire::{FieldDef, FieldError, FieldValues, SourceDef};
use chrono::NaiveDate;
use serde_json::Value;

/// The parts of a ticket the rules look at, after a change is applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketState {
    pub status_id: i64,
    pub status_category: Option<StatusCategory>,
    pub type_id: Option<i64>,
    pub root_cause_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub group_id: Option<i64>,
    pub custom_fields: FieldValues,
}

/// Configuration of the ticket's type.
#[derive(Debug, Clone, Default)]
pub struct TypeRules {
    pub root_cause_ids: Vec<i64>,
    pub required_for: Vec<i64>,
    pub prohibited_for: Vec<i64>,
    pub fields: Vec<FieldDef>,
}

/// Membership of the ticket's group.
#[derive(Debug, Clone, Default)]
pub struct GroupRules {
    pub restrict_assignees: bool,
    pub member_ids: Vec<i64>,
    pub manager_ids: Vec<i64>,
}

/// Who is changing the ticket: a person's role, or `None` for a token.
#[derive(Debug, Clone, Copy)]
pub struct ChangeContext {
    pub role: Option<Role>,
    pub agents_may_close: bool,
    pub comment_required_on_update: bool,
}

/// Checks a ticket's new state. `before` is `None` on creation.
pub fn check(
    before: Option<&TicketState>,
    after: &TicketState,
    ty: Option<&TypeRules>,
    group: Option<&GroupRules>,
    ctx: ChangeContext,
    has_comment: bool,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let status_changed = before.is_none_or(|b| b.status_id != after.status_id);

    match ty {
        Some(ty) => {
            if let Some(rc) = after.root_cause_id {
                if !ty.root_cause_ids.contains(&rc) {
                    errors.push(FieldError::new(
                        "root_cause_id",
                        ErrorCode::RootCauseUnknown,
                        "this root cause does not belong to the ticket's type",
                    ));
                } else if ty.prohibited_for.contains(&after.status_id) {
                    errors.push(FieldError::new(
                        "root_cause_id",
                        ErrorCode::RootCauseProhibited,
                        "the ticket's type prohibits a root cause in this status: clear the root cause first",
                    ));
                }
            } else if ty.required_for.contains(&after.status_id) {
                errors.push(FieldError::new(
                    "root_cause_id",
                    ErrorCode::RootCauseRequired,
                    "the ticket's type requires a root cause in this status: choose one",
                ));
            }
            errors.extend(check_custom_fields(&ty.fields, &after.custom_fields));
        }
        None => {
            if after.root_cause_id.is_some() {
                errors.push(FieldError::new(
                    "root_cause_id",
                    ErrorCode::RootCauseUnknown,
                    "a ticket without a type has no root causes",
                ));
            }
            if let Some(k) = after.custom_fields.keys().next() {
                errors.push(FieldError::new(
                    format!("custom_fields.{k}"),
                    ErrorCode::UnknownField,
                    "a ticket without a type has no custom fields",
                ));
            }
        }
    }

    if let (Some(owner), Some(g)) = (after.owner_id, group) {
        let owner_changed =
            before.is_none_or(|b| b.owner_id != after.owner_id || b.group_id != after.group_id);
        if owner_changed && g.restrict_assignees && !g.member_ids.contains(&owner) {
            errors.push(FieldError::new(
                "owner_id",
                ErrorCode::OwnerNotInGroup,
                "this group only accepts its members as owners",
            ));
        }
    }

    if status_changed
        && after.status_category == Some(StatusCategory::Closed)
        && ctx.role == Some(Role::Agent)
        && !ctx.agents_may_close
    {
        errors.push(FieldError::new(
            "status_id",
            ErrorCode::ClosingNotAllowed,
            "only admins may close tickets in this organisation",
        ));
    }

    if before.is_some() && ctx.comment_required_on_update && !has_comment {
        errors.push(FieldError::new(
            "comment",
            ErrorCode::CommentRequired,
            "this organisation requires a comment with every update",
        ));
    }
    errors
}

/// When a ticket lands in a group with exactly one manager and has no owner,
/// that manager becomes its owner (PRODUCT.md, "group").
pub fn auto_owner(owner_id: Option<i64>, group: Option<&GroupRules>) -> Option<i64> {
    match (owner_id, group) {
        (None, Some(g)) if g.manager_ids.len() == 1 => Some(g.manager_ids[0]),
        _ => owner_id,
    }
}

/// Checks custom field values against their definitions.
pub fn check_custom_fields(defs: &[FieldDef], values: &FieldValues) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (key, value) in values {
        let field = format!("custom_fields.{key}");
        let Some(def) = defs.iter().find(|d| &d.key == key) else {
            errors.push(FieldError::new(
                field,
                ErrorCode::UnknownField,
                "the ticket's type defines no such field",
            ));
            continue;
        };
        if let Some(msg) = field_value_problem(def, value) {
            errors.push(FieldError::new(field, ErrorCode::InvalidValue, msg));
        }
    }
    for def in defs.iter().filter(|d| d.required) {
        if values.get(&def.key).is_none_or(Value::is_null) {
            errors.push(FieldError::new(
                format!("custom_fields.{}", def.key),
                ErrorCode::Required,
                format!("{} is required", def.label),
            ));
        }
    }
    errors
}

fn field_value_problem(def: &FieldDef, value: &Value) -> Option<String> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    match (def.kind, value) {
        (_, Value::Null) => None,
        (FieldKind::Number, Value::Number(_)) => None,
        (FieldKind::Number, _) => Some("must be a number".into()),
        (FieldKind::Text, Value::String(s)) if s.chars().count() <= limits::TEXT_MAX => None,
        (FieldKind::Text, Value::String(_)) => Some("is too long".into()),
        (FieldKind::Date, v)
            if text(v).is_some_and(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").is_ok()) =>
        {
            None
        }
        (FieldKind::Date, _) => Some("must be a date, YYYY-MM-DD".into()),
        (FieldKind::Choice, v) if text(v).is_some_and(|s| def.options.contains(&s)) => None,
        (FieldKind::Choice, _) => Some(format!("must be one of: {}", def.options.join(", "))),
        (FieldKind::Email, v) if text(v).is_some_and(|s| is_email(&s)) => None,
        (FieldKind::Email, _) => Some("must be an email address".into()),
        _ => Some("must be text".into()),
    }
}

/// A deliberately small check: what a person can type by mistake (no `@`,
/// spaces, no domain dot), not full RFC 5322, which accepts addresses no mail
/// server delivers to.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    s.len() <= limits::EMAIL_MAX
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && !local.contains('@')
}

/// Checks a required single-line string: present, trimmed non-empty, at most
/// `max` characters, no control characters.
pub fn check_line(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) {
    if value.trim().is_empty() {
        errors.push(FieldError::new(
            field,
            ErrorCode::Required,
            format!("{field} must not be empty"),
        ));
    } else if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            ErrorCode::TooLong,
            format!("{field} is at most {max} characters"),
        ));
    } else if value.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            ErrorCode::Invalid,
            format!("{field} must be a single line"),
        ));
    }
}

/// Checks multi-line text against a length limit.
pub fn check_text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) {
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            ErrorCode::TooLong,
            format!("{field} is at most {max} characters"),
        ));
    }
}

/// A source list as stored: keys as tickets are filtered by them (trimmed,
/// lowercase), names trimmed.
pub fn clean_source_defs(list: &[SourceDef]) -> Vec<SourceDef> {
    list.iter()
        .map(|d| SourceDef {
            key: d.key.trim().to_lowercase(),
            name: d.name.trim().to_owned(),
            names: d.names.trimmed(),
        })
        .collect()
}

/// Checks the organisation's source list (keys one word and unique, names
/// as names are checked).
pub fn check_source_defs(list: &[SourceDef], errors: &mut Vec<FieldError>) {
    if list.len() > limits::SOURCES_MAX {
        errors.push(FieldError::new(
            "sources",
            ErrorCode::TooMany,
            format!("at most {} sources", limits::SOURCES_MAX),
        ));
    }
    for (i, d) in list.iter().enumerate() {
        let f = format!("sources[{i}]");
        check_line(&format!("{f}.key"), &d.key, limits::NAME_MAX, errors);
        if d.key.chars().any(char::is_whitespace) {
            errors.push(FieldError::new(
                format!("{f}.key"),
                ErrorCode::Invalid,
                "a source key is one word",
            ));
        }
        if list[..i].iter().any(|o| o.key == d.key) {
            errors.push(FieldError::new(
                format!("{f}.key"),
                ErrorCode::Duplicate,
                "source keys are unique",
            ));
        }
        check_line(&format!("{f}.name"), &d.name, limits::NAME_MAX, errors);
        crate::names::check_names(&format!("{f}.names"), &d.names, errors);
    }
}

/// Checks a custom field definition list (keys unique and well-formed,
/// choices with options).
pub fn check_field_defs(defs: &[FieldDef]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, d) in defs.iter().enumerate() {
        let f = format!("fields[{i}]");
        let key_ok = !d.key.is_empty()
            && d.key.len() <= 64
            && d.key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            errors.push(FieldError::new(
                format!("{f}.key"),
                ErrorCode::Invalid,
                "keys are 1-64 lowercase letters, digits or _",
            ));
        }
        if defs[..i].iter().any(|o| o.key == d.key) {
            errors.push(FieldError::new(
                format!("{f}.key"),
                ErrorCode::Duplicate,
                "keys must be unique",
            ));
        }
        check_line(
            &format!("{f}.label"),
            &d.label,
            limits::NAME_MAX,
            &mut errors,
        );
        if d.kind == FieldKind::Choice && d.options.is_empty() {
            errors.push(FieldError::new(
                format!("{f}.options"),
                ErrorCode::Required,
                "a choice field needs options",
            ));
        }
        crate::names::check_names(&format!("{f}.names"), &d.names, &mut errors);
        for (value, names) in &d.option_names {
            let field = format!("{f}.option_names.{value}");
            if !d.options.contains(value) {
                errors.push(FieldError::new(
                    field.clone(),
                    ErrorCode::UnknownReference,
                    "labels name one of the field's options",
                ));
            }
            crate::names::check_names(&field, names, &mut errors);
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const AGENT: ChangeContext = ChangeContext {
        role: Some(Role::Agent),
        agents_may_close: false,
        comment_required_on_update: false,
    };

    fn ty() -> TypeRules {
        TypeRules {
            root_cause_ids: vec![5, 6],
            required_for: vec![4],
            prohibited_for: vec![1],
            fields: vec![
                FieldDef {
                    key: "order".into(),
                    label: "Order".into(),
                    kind: FieldKind::Number,
                    required: false,
                    options: vec![],
                    names: Default::default(),
                    option_names: Default::default(),
                },
                FieldDef {
                    key: "channel".into(),
                    label: "Channel".into(),
                    kind: FieldKind::Choice,
                    required: false,
                    options: vec!["web".into(), "store".into()],
                    names: Default::default(),
                    option_names: Default::default(),
                },
            ],
        }
    }

    fn codes(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.code).collect()
    }

    #[test]
    fn resolving_without_a_required_root_cause_is_refused() {
        let before = TicketState {
            status_id: 2,
            type_id: Some(1),
            ..Default::default()
        };
        let after = TicketState {
            status_id: 4,
            ..before.clone()
        };
        assert_eq!(
            codes(check(
                Some(&before),
                &after,
                Some(&ty()),
                None,
                ChangeContext {
                    agents_may_close: true,
                    ..AGENT
                },
                false
            )),
            ["root_cause_required"]
        );
        let with_cause = TicketState {
            root_cause_id: Some(5),
            ..after
        };
        assert!(check(
            Some(&before),
            &with_cause,
            Some(&ty()),
            None,
            ChangeContext {
                agents_may_close: true,
                ..AGENT
            },
            false
        )
        .is_empty());
    }

    #[test]
    fn a_root_cause_in_a_prohibited_status_is_refused() {
        let after = TicketState {
            status_id: 1,
            root_cause_id: Some(5),
            ..Default::default()
        };
        assert_eq!(
            codes(check(None, &after, Some(&ty()), None, AGENT, false)),
            ["root_cause_prohibited"]
        );
    }

    #[test]
    fn agents_cannot_close_unless_the_organisation_allows_it() {
        let before = TicketState {
            status_id: 2,
            ..Default::default()
        };
        let after = TicketState {
            status_id: 4,
            status_category: Some(StatusCategory::Closed),
            ..Default::default()
        };
        assert_eq!(
            codes(check(Some(&before), &after, None, None, AGENT, false)),
            ["closing_not_allowed"]
        );
        let admin = ChangeContext {
            role: Some(Role::Admin),
            ..AGENT
        };
        assert!(check(Some(&before), &after, None, None, admin, false).is_empty());
    }

    #[test]
    fn restricted_groups_only_take_members_as_owners() {
        let g = GroupRules {
            restrict_assignees: true,
            member_ids: vec![1],
            manager_ids: vec![],
        };
        let after = TicketState {
            owner_id: Some(2),
            group_id: Some(3),
            ..Default::default()
        };
        assert_eq!(
            codes(check(None, &after, None, Some(&g), AGENT, false)),
            ["owner_not_in_group"]
        );
    }

    #[test]
    fn updates_need_a_comment_when_the_setting_is_on() {
        let ctx = ChangeContext {
            comment_required_on_update: true,
            ..AGENT
        };
        let s = TicketState::default();
        assert_eq!(
            codes(check(Some(&s), &s, None, None, ctx, false)),
            ["comment_required"]
        );
        assert!(check(Some(&s), &s, None, None, ctx, true).is_empty());
        assert!(
            check(None, &s, None, None, ctx, false).is_empty(),
            "creation needs no comment"
        );
    }

    #[test]
    fn custom_fields_are_type_checked() {
        let v = json!({"order": "abc", "channel": "fax", "ghost": 1});
        let errs = check_custom_fields(&ty().fields, v.as_object().unwrap());
        assert_eq!(
            codes(errs),
            ["invalid_value", "unknown_field", "invalid_value"]
        );
        let ok = json!({"order": 12, "channel": "web"});
        assert!(check_custom_fields(&ty().fields, ok.as_object().unwrap()).is_empty());
    }

    #[test]
    fn a_group_with_one_manager_takes_unowned_tickets() {
        let g = GroupRules {
            manager_ids: vec![7],
            ..Default::default()
        };
        assert_eq!(auto_owner(None, Some(&g)), Some(7));
        assert_eq!(auto_owner(Some(3), Some(&g)), Some(3));
        let two = GroupRules {
            manager_ids: vec![7, 8],
            ..Default::default()
        };
        assert_eq!(auto_owner(None, Some(&two)), None);
    }

    #[test]
    fn emails_are_checked_for_typing_mistakes() {
        assert!(is_email("ana@example.com"));
        assert!(!is_email("ana@example"));
        assert!(!is_email("ana example@x.com"));
        assert!(!is_email("@x.com"));
    }
}
