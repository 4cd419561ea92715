//! The partner directory's vocabulary: kinds of organisation, elected
//! offices, roles on a project, and when a mandate is current.
use chrono::NaiveDate;

use crate::domain::OwnerKind;
use crate::domain::stored::code_enum;

code_enum!(
    /// What an organisation of the directory is.
    OrganisationKind, "organisation_kind", [
        Commune => "commune",
        Epci => "epci",
        Departement => "departement",
        Region => "region",
        StateService => "state_service",
        Association => "association",
        Business => "business",
        Chamber => "chamber",
        Funder => "funder",
        Other => "other",
    ]
);

code_enum!(
    /// An elected office.
    Office, "office", [
        Maire => "maire",
        Adjoint => "adjoint",
        PresidentEpci => "president_epci",
        VicePresident => "vice_president",
        ConseillerDepartemental => "conseiller_departemental",
        ConseillerRegional => "conseiller_regional",
        Depute => "depute",
        Senateur => "senateur",
    ]
);

code_enum!(
    /// What the directory's audit trail records (RGPD: who exported or
    /// erased a person's data, and when).
    AuditAction, "audit_action", [
        PersonExported => "person_exported",
        PersonErased => "person_erased",
    ]
);

code_enum!(
    /// How a partner takes part in a project.
    PartnerRole, "partner_role", [
        Owner => "owner",
        Funder => "funder",
        TechnicalPartner => "technical_partner",
        ReferentElected => "referent_elected",
        Other => "other",
    ]
);

impl OrganisationKind {
    /// A commune organisation points to its INSEE code.
    pub fn needs_commune(self) -> bool {
        self == OrganisationKind::Commune
    }

    /// An EPCI organisation points to its SIREN in the reference data.
    pub fn needs_epci(self) -> bool {
        self == OrganisationKind::Epci
    }

    /// What kind of project owner an organisation of this kind is (the
    /// 20 % self-funding rule depends on it).
    pub fn owner_kind(self) -> OwnerKind {
        match self {
            OrganisationKind::Commune => OwnerKind::Commune,
            OrganisationKind::Epci => OwnerKind::Epci,
            OrganisationKind::Departement => OwnerKind::Departement,
            OrganisationKind::Region => OwnerKind::Region,
            OrganisationKind::StateService => OwnerKind::State,
            OrganisationKind::Association => OwnerKind::Association,
            OrganisationKind::Business => OwnerKind::Business,
            OrganisationKind::Chamber | OrganisationKind::Funder | OrganisationKind::Other => {
                OwnerKind::Other
            }
        }
    }
}

/// Whether a mandate (or membership) held from `start` to `end` (both
/// included; no end = still held) is held on `today`.
pub fn is_current(start: Option<NaiveDate>, end: Option<NaiveDate>, today: NaiveDate) -> bool {
    start.is_none_or(|s| s <= today) && end.is_none_or(|e| e >= today)
}

/// A period is well formed when it does not end before it starts.
pub fn period_is_valid(start: Option<NaiveDate>, end: Option<NaiveDate>) -> bool {
    match (start, end) {
        (Some(s), Some(e)) => e >= s,
        _ => true,
    }
}

/// One character folded as `search_key` folds text (transliterated,
/// lower-cased); anything but a letter or digit folds to one space.
fn fold_char(c: char) -> String {
    // Transliteration drops control characters (a line break): keep them
    // as separators.
    if !c.is_alphanumeric() {
        return " ".to_owned();
    }
    let folded = deunicode::deunicode_char(c).unwrap_or("?").to_lowercase();
    folded
        .chars()
        .map(|f| if f.is_ascii_alphanumeric() { f } else { ' ' })
        .collect()
}

/// `text` folded, runs of spaces collapsed, with each folded byte's
/// original character range.
fn folded_with_origin(text: &str) -> (String, Vec<(usize, usize)>) {
    let mut folded = String::with_capacity(text.len());
    let mut origin: Vec<(usize, usize)> = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        for f in fold_char(c).chars() {
            if f == ' ' && (folded.is_empty() || folded.ends_with(' ')) {
                continue;
            }
            folded.push(f);
            origin.push((i, i + c.len_utf8()));
        }
    }
    (folded, origin)
}

/// Where `needle` occurs in `text` as whole words, compared accent-, case-
/// and punctuation-insensitively ("Vidal-Roux" matches "VIDAL Roux" and a
/// line break between the names): byte ranges of `text`, in order.
pub fn find_folded(text: &str, needle: &str) -> Vec<std::ops::Range<usize>> {
    let (needle, _) = folded_with_origin(needle);
    let needle = needle.trim();
    if needle.is_empty() {
        return Vec::new();
    }
    let (folded, origin) = folded_with_origin(text);
    let bytes = folded.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(pos) = folded[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        let starts_word = start == 0 || bytes[start - 1] == b' ';
        let ends_word = end == bytes.len() || bytes[end] == b' ';
        if starts_word && ends_word {
            found.push(origin[start].0..origin[end - 1].1);
            from = end;
        } else {
            from = start + 1;
        }
    }
    found
}

/// Whether `text` names the person (first and last name in either order).
pub fn names_person(text: &str, first: &str, last: &str) -> bool {
    !first.trim().is_empty()
        && !last.trim().is_empty()
        && [format!("{first} {last}"), format!("{last} {first}")]
            .iter()
            .any(|name| !find_folded(text, name).is_empty())
}

/// `text` with every mention of the person replaced by `replacement`;
/// `None` when it does not name them.
pub fn redact_person(text: &str, first: &str, last: &str, replacement: &str) -> Option<String> {
    if !names_person(text, first, last) {
        return None;
    }
    let mut out = text.to_owned();
    for name in [format!("{first} {last}"), format!("{last} {first}")] {
        for range in find_folded(&out, &name).into_iter().rev() {
            out.replace_range(range, replacement);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_mandate_is_current_between_its_dates_included() {
        let start = Some(d("2026-03-22"));
        assert!(!is_current(start, None, d("2026-03-21")));
        assert!(is_current(start, None, d("2026-03-22")));
        assert!(is_current(start, None, d("2031-01-01")));
        // The mayor elected in 2020 until the 2026 election.
        let (s, e) = (Some(d("2020-05-23")), Some(d("2026-03-21")));
        assert!(is_current(s, e, d("2026-03-21")));
        assert!(!is_current(s, e, d("2026-03-22")));
        assert!(is_current(None, None, d("2026-11-29")));
    }

    #[test]
    fn a_period_cannot_end_before_it_starts() {
        assert!(period_is_valid(
            Some(d("2026-03-22")),
            Some(d("2026-03-22"))
        ));
        assert!(!period_is_valid(
            Some(d("2026-03-22")),
            Some(d("2026-03-21"))
        ));
        assert!(period_is_valid(None, Some(d("2026-03-21"))));
    }

    #[test]
    fn mentions_are_found_whatever_the_accents_and_case() {
        let note = "Rendez-vous avec HÉLÈNE Vidal-Roux, puis vidal-roux helene au conseil.";
        assert!(names_person(note, "Hélène", "Vidal-Roux"));
        assert!(!names_person(note, "Hélène", "Martin"));
        assert_eq!(
            redact_person(note, "Hélène", "Vidal-Roux", "[personne supprimée]").as_deref(),
            Some("Rendez-vous avec [personne supprimée], puis [personne supprimée] au conseil.")
        );
        assert_eq!(
            redact_person("Rien à voir.", "Hélène", "Vidal-Roux", "x"),
            None
        );
        // Ligatures and non-Latin letters fold without breaking the ranges.
        assert_eq!(
            find_folded("Œuvre de Jean Cœur", "jean coeur"),
            vec![10..20]
        );
    }

    #[test]
    fn mentions_ignore_punctuation_and_line_breaks_but_not_word_ends() {
        assert!(names_person(
            "Vu VIDAL ROUX\nHélène hier",
            "Hélène",
            "Vidal-Roux"
        ));
        assert!(names_person(
            "vu Hélène  Vidal-Roux.",
            "Hélène",
            "Vidal-Roux"
        ));
        assert!(names_person(
            "Visite avec Hélène\nVidal\n",
            "Hélène",
            "Vidal"
        ));
        assert!(!names_person("vu Hélène Vidalou", "Hélène", "Vidal"));
    }

    #[test]
    fn local_authorities_own_as_local_authorities() {
        assert!(OrganisationKind::Commune.owner_kind().is_local_authority());
        assert!(OrganisationKind::Epci.owner_kind().is_local_authority());
        assert!(
            !OrganisationKind::Association
                .owner_kind()
                .is_local_authority()
        );
        assert_eq!(
            OrganisationKind::StateService.owner_kind(),
            OwnerKind::State
        );
    }

    #[test]
    fn codes_round_trip() {
        for kind in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::parse(kind.as_str()), Some(*kind));
        }
        for office in Office::ALL {
            assert_eq!(Office::parse(office.as_str()), Some(*office));
        }
        for role in PartnerRole::ALL {
            assert_eq!(PartnerRole::parse(role.as_str()), Some(*role));
        }
        assert_eq!(PartnerRole::parse("proprietaire"), None);
    }
}
