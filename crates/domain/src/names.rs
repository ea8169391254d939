//! Names of configured records (statuses, groups, types, root causes, custom
//! field labels and options, sources) in the languages Lazo speaks. The base
//! `name` stays the record's identity (unique, searched, kept in history);
//! `names` only changes what an agent reads.

use crate::limits::NAME_MAX;
use crate::rules::check_line;
use crate::wire::FieldError;
use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The languages a name may be given in, as in a user's `language`.
pub const NAME_LANGUAGES: &[&str] = &["en", "es", "fr"];

/// A record's name per language, e.g. `{"es": "Abierto", "fr": "Ouvert"}`.
/// A language left out (or `null`) shows the base `name`. Any other key is
/// refused (422 `unknown_field`, e.g. `names.de`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Names {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub es: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub fr: Option<String>,
}

impl Names {
    pub fn is_empty(&self) -> bool {
        self.en.is_none() && self.es.is_none() && self.fr.is_none()
    }

    /// The name given for `lang`, if any (an unknown language has none).
    pub fn get(&self, lang: &str) -> Option<&str> {
        match lang {
            "en" => self.en.as_deref(),
            "es" => self.es.as_deref(),
            "fr" => self.fr.as_deref(),
            _ => None,
        }
    }

    /// The name to show in `lang`: its translation, else `base`.
    pub fn localized<'a>(&'a self, lang: &str, base: &'a str) -> &'a str {
        self.get(lang)
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(base)
    }

    /// The same names trimmed, as they are stored.
    pub fn trimmed(&self) -> Names {
        let t = |v: &Option<String>| v.as_deref().map(|s| s.trim().to_owned());
        Names {
            en: t(&self.en),
            es: t(&self.es),
            fr: t(&self.fr),
        }
    }

    fn each(&self) -> [(&'static str, Option<&str>); 3] {
        [
            ("en", self.en.as_deref()),
            ("es", self.es.as_deref()),
            ("fr", self.fr.as_deref()),
        ]
    }

    /// The stored form (a JSON object). Reading it back never fails: a
    /// column that does not parse shows the base names.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.trimmed()).unwrap_or_else(|_| "{}".into())
    }

    pub fn from_json(s: &str) -> Names {
        serde_json::from_str(s).unwrap_or_default()
    }
}

/// Checks each given name as a `name` is checked (non-blank, one line, at
/// most [`NAME_MAX`] characters), naming the failing one `<field>.<lang>`.
pub fn check_names(field: &str, names: &Names, errors: &mut Vec<FieldError>) {
    for (lang, value) in names.each() {
        if let Some(v) = value {
            check_line(&format!("{field}.{lang}"), v, NAME_MAX, errors);
        }
    }
}

/// A record with a base name and per-language names.
pub trait Named {
    fn base_name(&self) -> &str;
    fn names(&self) -> &Names;
    /// The name an agent reading `lang` sees.
    fn localized(&self, lang: &str) -> &str {
        self.names().localized(lang, self.base_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_the_base_name() {
        let n = Names {
            es: Some("Abierto".into()),
            fr: Some("  ".into()),
            ..Names::default()
        };
        assert_eq!(n.localized("es", "Open"), "Abierto");
        assert_eq!(n.localized("fr", "Open"), "Open");
        assert_eq!(n.localized("en", "Open"), "Open");
        assert_eq!(n.localized("de", "Open"), "Open");
    }

    #[test]
    fn unknown_languages_are_refused() {
        let e = serde_json::from_str::<Names>(r#"{"de": "Offen"}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{e}");
        assert_eq!(
            serde_json::from_str::<Names>(r#"{"es": null}"#).unwrap(),
            Names::default()
        );
    }

    #[test]
    fn each_name_is_checked_like_a_name() {
        let mut errors = vec![];
        let n = Names {
            en: Some(String::new()),
            es: Some("x".repeat(NAME_MAX + 1)),
            fr: Some("ok".into()),
        };
        check_names("names", &n, &mut errors);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["names.en", "names.es"]);
    }

    #[test]
    fn stored_form_round_trips() {
        let n = Names {
            es: Some(" Abierto ".into()),
            ..Names::default()
        };
        assert_eq!(n.to_json(), r#"{"es":"Abierto"}"#);
        assert_eq!(
            Names::from_json(&n.to_json()).es.as_deref(),
            Some("Abierto")
        );
        assert_eq!(Names::from_json("not json"), Names::default());
    }
}
