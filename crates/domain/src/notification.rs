//! In-app notifications and each person's choices of what to be told and
//! how (PRODUCT.md "Notifications").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::NotificationKind;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// One thing a person is told about a ticket they are responsible for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Notification {
    pub id: i64,
    pub kind: NotificationKind,
    /// Absent once the ticket is deleted.
    pub ticket_id: Option<i64>,
    /// The ticket as it was: `#1042 Late refund`.
    pub title: String,
    /// What changed, e.g. `Status: Open → Resolved`, with status and group
    /// names in the same language: the language the request's
    /// `Accept-Language` asks for (`en`, `es`, `fr`; English when it names
    /// none of them), else the person's account language, which their
    /// notification emails are written in.
    pub detail: String,
    /// Who did it.
    pub actor: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NotificationPage {
    /// Newest first.
    pub items: Vec<Notification>,
    pub next_cursor: Option<String>,
    /// Unread notifications in all (the bell's number).
    pub unread: i64,
}

/// Query of `GET /notifications`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct NotificationQuery {
    /// Only unread ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(max_length = 20, pattern = "^[0-9]+$"))]
    pub cursor: Option<String>,
    /// Page size, 1 to 200; default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<i64>,
}

/// Body of `POST /notifications/read`: these ids, or all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub ids: Vec<i64>,
    /// Every unread notification of the caller.
    #[serde(default)]
    pub all: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MarkedRead {
    /// How many were unread and are now read.
    pub marked: i64,
    pub unread: i64,
}

/// How a person wants to hear of one kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationPref {
    pub kind: NotificationKind,
    /// Under the bell.
    pub in_app: bool,
    /// By email.
    pub email: bool,
}

/// Every kind with the caller's choice (or the default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationPrefs {
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub items: Vec<NotificationPref>,
}

/// What changed, as a notification tells it. Kept as data with the names as
/// recorded (JSON, beside the text), so the words and names can be chosen
/// for whoever reads it, in the language they read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "change")]
pub enum Detail {
    Created,
    Owner(Change),
    Group(Change),
    Priority(Change),
    Status(Change),
    Tags(Change),
    Commented {
        internal: bool,
    },
    Merged {
        into_number: i64,
        status: Option<Change>,
    },
    CustomerEmail,
    FileAdded(String),
    FileRemoved(String),
}

/// Values before and after; `None` or empty shows as `—`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub old: Option<String>,
    pub new: Option<String>,
}

impl Change {
    fn arrow(&self) -> String {
        let v = |s: &Option<String>| {
            s.as_deref()
                .filter(|s| !s.is_empty())
                .unwrap_or("—")
                .to_owned()
        };
        format!("{} → {}", v(&self.old), v(&self.new))
    }

    /// `Label: old → new`.
    fn labelled(&self, label: &str) -> String {
        format!("{label}: {}", self.arrow())
    }
}

/// The languages notifications are written in; anything else reads English.
fn pick<'a>(lang: &str, en: &'a str, es: &'a str, fr: &'a str) -> &'a str {
    match lang {
        "es" => es,
        "fr" => fr,
        _ => en,
    }
}

/// The language an `Accept-Language` header asks notifications to be
/// written in: the supported language (`en`, `es`, `fr`) with the highest
/// q-value, the earlier on a tie, as the app picks from the browser's list.
/// `None` when the header is absent, empty or only `*` (the caller did not
/// choose: the account language); `en` when it names only languages Lazo
/// does not speak, as the app falls back to English.
pub fn negotiate_language(header: Option<&str>) -> Option<&'static str> {
    let header = header?;
    let mut best: Option<(&'static str, u16)> = None;
    let mut named = false;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        if tag.is_empty() || tag == "*" {
            continue;
        }
        named = true;
        // q in thousandths; a malformed q counts as 1, q=0 means "not this".
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .next_back()
            .and_then(|v| v.trim().parse::<f32>().ok())
            .map_or(1000, |v| (v.clamp(0.0, 1.0) * 1000.0).round() as u16);
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        let Some(lang) = crate::names::NAME_LANGUAGES
            .iter()
            .find(|l| l.eq_ignore_ascii_case(primary))
        else {
            continue;
        };
        if q > 0 && best.is_none_or(|(_, bq)| q > bq) {
            best = Some((lang, q));
        }
    }
    match best {
        Some((lang, _)) => Some(lang),
        None if named => Some("en"),
        None => None,
    }
}

/// A priority as the app names it in `lang` (history keeps `high`...).
pub fn priority_word(value: &str, lang: &str) -> String {
    let w = match value {
        "low" => pick(lang, "low", "baja", "basse"),
        "medium" => pick(lang, "medium", "media", "moyenne"),
        "high" => pick(lang, "high", "alta", "haute"),
        "critical" => pick(lang, "critical", "crítica", "critique"),
        other => other,
    };
    w.to_owned()
}

impl Detail {
    /// The text in `lang` (`en`, `es`, `fr`; others read English).
    pub fn render(&self, lang: &str) -> String {
        let l = |en, es, fr| pick(lang, en, es, fr);
        let status_word = l("Status", "Estado", "Statut");
        match self {
            Detail::Created => l("New ticket", "Ticket nuevo", "Nouveau ticket").into(),
            Detail::Owner(c) => c.labelled(l("Owner", "Responsable", "Responsable")),
            Detail::Group(c) => c.labelled(l("Group", "Grupo", "Groupe")),
            Detail::Priority(c) => Change {
                old: c.old.as_deref().map(|v| priority_word(v, lang)),
                new: c.new.as_deref().map(|v| priority_word(v, lang)),
            }
            .labelled(l("Priority", "Prioridad", "Priorité")),
            Detail::Status(c) => c.labelled(status_word),
            Detail::Tags(c) => c.labelled(l("Tags", "Etiquetas", "Étiquettes")),
            Detail::Commented { internal: true } => l(
                "New internal note",
                "Nueva nota interna",
                "Nouvelle note interne",
            )
            .into(),
            Detail::Commented { internal: false } => {
                l("New reply", "Nueva respuesta", "Nouvelle réponse").into()
            }
            Detail::Merged {
                into_number,
                status,
            } => {
                let merged = format!(
                    "{} #{into_number}",
                    l("Merged into", "Fusionado en", "Fusionné dans")
                );
                match status {
                    Some(c) => format!("{merged}. {}", c.labelled(status_word)),
                    None => merged,
                }
            }
            Detail::CustomerEmail => l(
                "The customer replied by email",
                "El cliente respondió por correo",
                "Le client a répondu par e-mail",
            )
            .into(),
            Detail::FileAdded(f) => {
                format!(
                    "{}: {f}",
                    l("File attached", "Archivo adjuntado", "Fichier joint")
                )
            }
            Detail::FileRemoved(f) => {
                format!(
                    "{}: {f}",
                    l("File removed", "Archivo quitado", "Fichier retiré")
                )
            }
        }
    }
}

/// The lines of a notification email around its detail, in `lang`.
pub fn email_words(lang: &str) -> (&'static str, &'static str) {
    (
        pick(lang, "By", "Por", "Par"),
        pick(
            lang,
            "You get this email because of your notification settings in Lazo.",
            "Recibes este correo por tus ajustes de notificaciones en Lazo.",
            "Vous recevez cet e-mail en raison de vos réglages de notifications dans Lazo.",
        ),
    )
}

#[cfg(test)]
mod detail_tests {
    use super::*;

    #[test]
    fn accept_language_picks_what_the_app_would() {
        let n = |h: &str| negotiate_language(Some(h));
        assert_eq!(negotiate_language(None), None);
        assert_eq!(n(""), None);
        assert_eq!(n("*"), None);
        assert_eq!(n("es"), Some("es"));
        assert_eq!(n("fr-CA,fr;q=0.9,en;q=0.8"), Some("fr"));
        assert_eq!(n("de-DE,de;q=0.9,es;q=0.5"), Some("es"));
        assert_eq!(n("en;q=0.5, FR"), Some("fr"));
        assert_eq!(n("es;q=0.7, fr;q=0.7"), Some("es"));
        assert_eq!(n("de, pt-BR"), Some("en"));
        assert_eq!(n("fr;q=0, es;q=0.1"), Some("es"));
        assert_eq!(n("fr;q=0"), Some("en"));
        assert_eq!(n("es;q=bogus;;,,;"), Some("es"));
        assert_eq!(n(" ; , ;q=1"), None);
    }

    #[test]
    fn details_keep_as_data() {
        for d in [
            Detail::Created,
            Detail::Status(ch("Open", "Resolved")),
            Detail::Commented { internal: true },
            Detail::Merged {
                into_number: 9,
                status: None,
            },
            Detail::FileAdded("a.pdf".into()),
        ] {
            let json = serde_json::to_string(&d).unwrap();
            assert_eq!(serde_json::from_str::<Detail>(&json).unwrap(), d, "{json}");
        }
        assert_eq!(
            serde_json::to_string(&Detail::Priority(ch("low", "high"))).unwrap(),
            r#"{"kind":"priority","change":{"old":"low","new":"high"}}"#
        );
    }

    fn ch(old: &str, new: &str) -> Change {
        Change {
            old: Some(old.into()),
            new: (!new.is_empty()).then(|| new.into()),
        }
    }

    #[test]
    fn english_reads_as_before() {
        assert_eq!(
            Detail::Status(ch("New", "Open")).render("en"),
            "Status: New → Open"
        );
        assert_eq!(
            Detail::Priority(ch("medium", "critical")).render("en"),
            "Priority: medium → critical"
        );
        assert_eq!(Detail::Owner(ch("Ana", "")).render("xx"), "Owner: Ana → —");
    }

    #[test]
    fn spanish_and_french_words_and_priorities() {
        assert_eq!(
            Detail::Priority(ch("medium", "critical")).render("es"),
            "Prioridad: media → crítica"
        );
        assert_eq!(
            Detail::Status(ch("Nuevo", "Abierto")).render("es"),
            "Estado: Nuevo → Abierto"
        );
        assert_eq!(
            Detail::Merged {
                into_number: 7,
                status: Some(ch("Ouvert", "Fermé"))
            }
            .render("fr"),
            "Fusionné dans #7. Statut: Ouvert → Fermé"
        );
        assert_eq!(
            Detail::Commented { internal: true }.render("fr"),
            "Nouvelle note interne"
        );
    }
}
