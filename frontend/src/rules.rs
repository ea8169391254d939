//! What the ticket form can tell a person before the server refuses: the
//! root-cause rule of the chosen status, explained. The server stays the judge
//! (it answers 422 with the same codes); this only makes the refusal
//! unsurprising.

use lazo_domain::wire::{FieldError, Problem, Status, TicketType};
use lazo_domain::Named;

/// How the ticket's type treats a root cause in one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootCauseNeed {
    Required,
    Prohibited,
    Optional,
}

pub fn root_cause_need(ty: &TicketType, status_id: i64) -> RootCauseNeed {
    if ty.root_cause_required_for.contains(&status_id) {
        RootCauseNeed::Required
    } else if ty.root_cause_prohibited_for.contains(&status_id) {
        RootCauseNeed::Prohibited
    } else {
        RootCauseNeed::Optional
    }
}

/// Names of the statuses among `ids`, in status order.
pub fn status_names(statuses: &[Status], ids: &[i64], lang: &str) -> Vec<String> {
    let mut named: Vec<&Status> = statuses.iter().filter(|s| ids.contains(&s.id)).collect();
    named.sort_by_key(|s| s.position);
    named
        .into_iter()
        .map(|s| s.localized(lang).to_owned())
        .collect()
}

/// The rule code the server would answer for this combination, if any.
pub fn root_cause_violation(
    ty: &TicketType,
    status_id: i64,
    root_cause_id: Option<i64>,
) -> Option<&'static str> {
    match (root_cause_need(ty, status_id), root_cause_id) {
        (RootCauseNeed::Required, None) => Some("root_cause_required"),
        (RootCauseNeed::Prohibited, Some(_)) => Some("root_cause_prohibited"),
        _ => None,
    }
}

/// The errors of a problem that name `field` (exactly, or a sub-path of it,
/// e.g. `requester` matches `requester.email`).
pub fn errors_for<'a>(problem: &'a Problem, field: &str) -> Vec<&'a FieldError> {
    problem
        .errors
        .iter()
        .filter(|e| {
            e.field == field
                || e.field
                    .strip_prefix(field)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lazo_domain::wire::RootCause;
    use lazo_domain::StatusCategory;

    fn ty() -> TicketType {
        TicketType {
            id: 1,
            name: "Detractor follow-up".into(),
            names: Default::default(),
            description: String::new(),
            show_summary: true,
            show_survey: false,
            active: true,
            root_causes: vec![RootCause {
                id: 7,
                name: "Late delivery".into(),
                names: Default::default(),
                active: true,
            }],
            root_cause_required_for: vec![4],
            root_cause_prohibited_for: vec![1],
            fields: vec![],
        }
    }

    #[test]
    fn a_required_status_without_cause_is_flagged_before_saving() {
        assert_eq!(root_cause_need(&ty(), 4), RootCauseNeed::Required);
        assert_eq!(
            root_cause_violation(&ty(), 4, None),
            Some("root_cause_required")
        );
        assert_eq!(root_cause_violation(&ty(), 4, Some(7)), None);
        assert_eq!(
            root_cause_violation(&ty(), 1, Some(7)),
            Some("root_cause_prohibited")
        );
        assert_eq!(root_cause_violation(&ty(), 2, None), None);
    }

    #[test]
    fn status_names_follow_status_order() {
        let st = |id, name: &str, position| Status {
            id,
            name: name.into(),
            names: Default::default(),
            category: StatusCategory::Open,
            position,
            active: true,
        };
        let all = vec![st(4, "Resolved", 4), st(1, "New", 1), st(3, "Escalated", 3)];
        assert_eq!(status_names(&all, &[4, 1], "en"), vec!["New", "Resolved"]);
        let mut all = all;
        all[0].names.es = Some("Resuelto".into());
        assert_eq!(status_names(&all, &[4, 1], "es"), vec!["New", "Resuelto"]);
    }

    #[test]
    fn field_errors_match_their_field_and_sub_fields_only() {
        let p = Problem {
            type_: "urn:lazo:problem:validation_failed".into(),
            title: "Invalid".into(),
            status: 422,
            detail: None,
            code: "validation_failed".into(),
            errors: vec![
                FieldError::new("requester.email", "invalid", "bad email"),
                FieldError::new("subject", "required", "subject is required"),
                FieldError::new("subject_extra", "x", "y"),
            ],
            request_id: None,
        };
        assert_eq!(errors_for(&p, "subject").len(), 1);
        assert_eq!(errors_for(&p, "requester")[0].message, "bad email");
        assert!(errors_for(&p, "owner_id").is_empty());
    }
}
