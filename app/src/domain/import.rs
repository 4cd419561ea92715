//! Reading a spreadsheet of projects the way people type it: which column
//! holds which field (from its header), amounts, dates, stages and lists as
//! written in French offices. Pure: the server reads the file and resolves
//! communes, officers and codes against the database.
use std::fmt;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::{OrganisationKind, Stage, search_key};

/// What a file holds: projects (one per row) or the directory's contacts
/// (an organisation and, often, one of its people per row).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    #[default]
    Projects,
    Contacts,
    /// Funding lines, one per row, of projects already in the portfolio.
    Funding,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Projects => "projects",
            ImportKind::Contacts => "contacts",
            ImportKind::Funding => "funding",
        }
    }

    pub const ALL: [ImportKind; 3] = [
        ImportKind::Projects,
        ImportKind::Funding,
        ImportKind::Contacts,
    ];

    pub fn parse(code: &str) -> Option<ImportKind> {
        ImportKind::ALL.into_iter().find(|k| k.as_str() == code)
    }

    /// The names (as `search_key` gives them) of the sheet a workbook is
    /// read from, first found first; else its first sheet.
    pub fn sheet_names(self) -> &'static [&'static str] {
        match self {
            ImportKind::Projects => &["projets"],
            ImportKind::Contacts => &["contacts", "annuaire", "partenaires"],
            ImportKind::Funding => &[
                "financements",
                "lignes de financement",
                "plan de financement",
                "plans de financement",
                "subventions",
            ],
        }
    }

    pub fn label(self) -> String {
        rust_i18n::t!(format!("import.kind.{}", self.as_str())).into_owned()
    }

    /// The fields a column of such a file can fill (besides funders'
    /// amounts, for projects).
    pub fn fields(self) -> &'static [ImportField] {
        match self {
            ImportKind::Projects => &ImportField::ALL,
            ImportKind::Contacts => &ImportField::CONTACTS,
            ImportKind::Funding => &ImportField::FUNDING,
        }
    }

    /// Whether `field` belongs to such a file.
    pub fn allows(self, field: ImportField) -> bool {
        match field {
            ImportField::Funding(_) => self == ImportKind::Projects,
            f => self.fields().contains(&f),
        }
    }

    /// The field a header names in such a file.
    pub fn guess(self, header: &str) -> Option<ImportField> {
        match self {
            ImportKind::Projects => ImportField::guess(header),
            ImportKind::Contacts => guess_in(header, CONTACT_SYNONYMS),
            ImportKind::Funding => guess_in(header, FUNDING_SYNONYMS),
        }
    }
}

/// A project field a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportField {
    Reference,
    Title,
    Communes,
    Departement,
    Owner,
    Cost,
    Stage,
    Officer,
    Start,
    End,
    Themes,
    Programmes,
    Summary,
    Description,
    /// An amount of one funder: a funding line of the project's plan.
    Funding(FunderColumn),
    // A contacts file's fields (the commune is `Communes`).
    Organisation,
    OrganisationKind,
    Siret,
    Address,
    Website,
    FirstName,
    LastName,
    JobTitle,
    Email,
    Phone,
    // A funding lines file's fields (the project by `Reference` or `Title`).
    Funder,
    LineProgramme,
    LineStatus,
    AmountRequested,
    AmountGranted,
    AmountPaid,
    RequestedOn,
    DecidedOn,
    AgreementOn,
    PaidOn,
    ApplicationDeadline,
}

/// Which of a funder's amounts a column holds, from its header's wording:
/// « DETR sollicitée » is asked for, « Région accordé » granted, « Montant
/// Département » foreseen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunderAmount {
    Planned,
    Requested,
    Granted,
}

impl FunderAmount {
    pub const ALL: [FunderAmount; 3] = [
        FunderAmount::Planned,
        FunderAmount::Requested,
        FunderAmount::Granted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FunderAmount::Planned => "planned",
            FunderAmount::Requested => "requested",
            FunderAmount::Granted => "granted",
        }
    }

    pub fn parse(code: &str) -> Option<FunderAmount> {
        FunderAmount::ALL.into_iter().find(|a| a.as_str() == code)
    }

    pub fn label(self) -> String {
        rust_i18n::t!(format!("import.funder_amount.{}", self.as_str())).into_owned()
    }
}

/// A column holding one funder's amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FunderColumn {
    pub funder_id: i64,
    pub amount: FunderAmount,
}

/// A funder as header names are matched against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunderName {
    pub id: i64,
    pub code: String,
    pub name: String,
}

impl ImportField {
    /// The project's own fields (funders' amounts come from the funders list).
    pub const ALL: [ImportField; 14] = [
        ImportField::Reference,
        ImportField::Title,
        ImportField::Communes,
        ImportField::Departement,
        ImportField::Owner,
        ImportField::Cost,
        ImportField::Stage,
        ImportField::Officer,
        ImportField::Start,
        ImportField::End,
        ImportField::Themes,
        ImportField::Programmes,
        ImportField::Summary,
        ImportField::Description,
    ];

    /// A contacts file's fields.
    pub const CONTACTS: [ImportField; 11] = [
        ImportField::Organisation,
        ImportField::OrganisationKind,
        ImportField::Siret,
        ImportField::Communes,
        ImportField::Address,
        ImportField::Website,
        ImportField::FirstName,
        ImportField::LastName,
        ImportField::JobTitle,
        ImportField::Email,
        ImportField::Phone,
    ];

    /// A funding lines file's fields.
    pub const FUNDING: [ImportField; 13] = [
        ImportField::Reference,
        ImportField::Title,
        ImportField::Funder,
        ImportField::LineProgramme,
        ImportField::LineStatus,
        ImportField::AmountRequested,
        ImportField::AmountGranted,
        ImportField::AmountPaid,
        ImportField::RequestedOn,
        ImportField::DecidedOn,
        ImportField::AgreementOn,
        ImportField::PaidOn,
        ImportField::ApplicationDeadline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportField::Funding(_) => "funding",
            ImportField::Funder => "funder",
            ImportField::LineProgramme => "line_programme",
            ImportField::LineStatus => "line_status",
            ImportField::AmountRequested => "amount_requested",
            ImportField::AmountGranted => "amount_granted",
            ImportField::AmountPaid => "amount_paid",
            ImportField::RequestedOn => "requested_on",
            ImportField::DecidedOn => "decided_on",
            ImportField::AgreementOn => "agreement_on",
            ImportField::PaidOn => "paid_on",
            ImportField::ApplicationDeadline => "application_deadline",
            ImportField::Organisation => "organisation",
            ImportField::OrganisationKind => "organisation_kind",
            ImportField::Siret => "siret",
            ImportField::Address => "address",
            ImportField::Website => "website",
            ImportField::FirstName => "first_name",
            ImportField::LastName => "last_name",
            ImportField::JobTitle => "job_title",
            ImportField::Email => "email",
            ImportField::Phone => "phone",
            ImportField::Reference => "reference",
            ImportField::Title => "title",
            ImportField::Communes => "communes",
            ImportField::Departement => "departement",
            ImportField::Owner => "owner",
            ImportField::Cost => "cost",
            ImportField::Stage => "stage",
            ImportField::Officer => "officer",
            ImportField::Start => "start",
            ImportField::End => "end",
            ImportField::Themes => "themes",
            ImportField::Programmes => "programmes",
            ImportField::Summary => "summary",
            ImportField::Description => "description",
        }
    }

    /// The code a form sends for this field: its name, or
    /// `funding:<funder id>:<amount>` for a funder's amount.
    pub fn code(self) -> String {
        match self {
            ImportField::Funding(c) => format!("funding:{}:{}", c.funder_id, c.amount.as_str()),
            other => other.as_str().to_owned(),
        }
    }

    pub fn parse(code: &str) -> Option<ImportField> {
        if let Some(rest) = code.strip_prefix("funding:") {
            let (id, amount) = rest.split_once(':')?;
            return Some(ImportField::Funding(FunderColumn {
                funder_id: id.parse().ok()?,
                amount: FunderAmount::parse(amount)?,
            }));
        }
        ImportField::ALL
            .into_iter()
            .chain(ImportField::CONTACTS)
            .chain(ImportField::FUNDING)
            .find(|f| f.as_str() == code)
    }

    pub fn label(self) -> String {
        rust_i18n::t!(format!("import.field.{}", self.as_str())).into_owned()
    }

    /// The field a header names, from the usual French wordings (accents,
    /// case, punctuation and a trailing « (€) » or « HT » ignored).
    pub fn guess(header: &str) -> Option<ImportField> {
        guess_in(header, SYNONYMS)
    }
}

/// The field a header names among `synonyms`: whole headers first, then
/// the first words (« coût total du projet »).
fn guess_in(header: &str, synonyms: &[(ImportField, &[&str])]) -> Option<ImportField> {
    let key = search_key(&header.replace(['°', 'º'], " "));
    let key = key
        .trim_end_matches(" eur")
        .trim_end_matches(" ht")
        .trim_end_matches(" ttc")
        .trim();
    if key.is_empty() {
        return None;
    }
    synonyms
        .iter()
        .find(|(_, words)| words.contains(&key))
        .or_else(|| {
            synonyms.iter().find(|(_, words)| {
                // Only wordings of two words or more: « montant DETR
                // sollicité » is a funder's amount, not the cost.
                words
                    .iter()
                    .any(|w| w.contains(' ') && key.starts_with(&format!("{w} ")))
            })
        })
        .map(|(field, _)| *field)
}

/// A contacts file's headers.
const CONTACT_SYNONYMS: &[(ImportField, &[&str])] = &[
    (
        ImportField::Organisation,
        &[
            "organisme",
            "organisation",
            "structure",
            "raison sociale",
            "nom de l organisme",
            "nom de la structure",
            "collectivite",
            "etablissement",
            "societe",
            "entreprise",
            "partenaire",
        ],
    ),
    (
        ImportField::OrganisationKind,
        &[
            "type",
            "type de structure",
            "type d organisme",
            "categorie",
            "nature",
            "statut juridique",
        ],
    ),
    (
        ImportField::Siret,
        &["siret", "siren", "n siret", "numero siret", "siret siren"],
    ),
    (
        ImportField::Communes,
        &["commune", "ville", "localite", "code insee", "insee"],
    ),
    (ImportField::Address, &["adresse", "adresse postale", "rue"]),
    (
        ImportField::Website,
        &["site", "site web", "site internet", "url"],
    ),
    (ImportField::FirstName, &["prenom", "prenom du contact"]),
    (
        ImportField::LastName,
        &["nom", "nom du contact", "nom de famille", "contact"],
    ),
    (
        ImportField::JobTitle,
        &["fonction", "poste", "qualite", "titre", "role"],
    ),
    (
        ImportField::Email,
        &[
            "e mail",
            "email",
            "mail",
            "courriel",
            "adresse mail",
            "adresse e mail",
            "adresse electronique",
        ],
    ),
    (
        ImportField::Phone,
        &[
            "telephone",
            "tel",
            "portable",
            "mobile",
            "numero de telephone",
            "tel portable",
        ],
    ),
];

/// A funding lines file's headers.
const FUNDING_SYNONYMS: &[(ImportField, &[&str])] = &[
    (
        ImportField::Reference,
        &[
            "reference",
            "reference projet",
            "reference du projet",
            "ref",
            "ref projet",
            "n projet",
            "code projet",
        ],
    ),
    (
        ImportField::Title,
        &[
            "projet",
            "intitule",
            "intitule du projet",
            "nom du projet",
            "operation",
        ],
    ),
    (
        ImportField::Funder,
        &[
            "financeur",
            "financeurs",
            "cofinanceur",
            "organisme financeur",
            "source de financement",
        ],
    ),
    (
        ImportField::LineProgramme,
        &[
            "programme",
            "dispositif",
            "fonds",
            "ligne",
            "appel a projets",
        ],
    ),
    (
        ImportField::LineStatus,
        &[
            "statut",
            "etat",
            "etat de la demande",
            "etat du dossier",
            "avancement",
            "etape",
        ],
    ),
    (
        ImportField::AmountRequested,
        &[
            "montant sollicite",
            "montant demande",
            "sollicite",
            "demande",
            "montant",
            "montant prevu",
            "montant previsionnel",
        ],
    ),
    (
        ImportField::AmountGranted,
        &[
            "montant accorde",
            "accorde",
            "montant obtenu",
            "montant notifie",
            "montant attribue",
        ],
    ),
    (
        ImportField::AmountPaid,
        &[
            "montant verse",
            "verse",
            "montant paye",
            "versements",
            "montant percu",
            "percu",
        ],
    ),
    (
        ImportField::RequestedOn,
        &[
            "date de depot",
            "depot",
            "depose le",
            "date depot",
            "date de demande",
        ],
    ),
    (
        ImportField::DecidedOn,
        &[
            "date de notification",
            "notification",
            "date de decision",
            "decision",
            "date d attribution",
            "notifie le",
            "date de l arrete",
        ],
    ),
    (
        ImportField::AgreementOn,
        &[
            "date de convention",
            "convention",
            "date de signature",
            "convention signee le",
        ],
    ),
    (
        ImportField::PaidOn,
        &[
            "date de versement",
            "date de paiement",
            "verse le",
            "date du versement",
        ],
    ),
    (
        ImportField::ApplicationDeadline,
        &[
            "date limite",
            "date limite de depot",
            "cloture",
            "date de cloture",
            "echeance",
        ],
    ),
];

/// A funding line's status from its usual French words.
pub fn parse_funding_status(text: &str) -> Option<crate::domain::funding::FundingStatus> {
    use crate::domain::funding::FundingStatus as S;
    let key = search_key(text);
    if let Ok(status) = key.replace(' ', "_").parse::<S>() {
        return Some(status);
    }
    let words: &[(S, &[&str])] = &[
        (
            S::Identified,
            &[
                "identifie",
                "prevu",
                "envisage",
                "a deposer",
                "a solliciter",
                "en projet",
                "previsionnel",
            ],
        ),
        (
            S::Requested,
            &[
                "depose",
                "deposee",
                "sollicite",
                "sollicitee",
                "demande",
                "demandee",
                "dossier depose",
                "en instruction",
                "en cours d instruction",
                "en attente",
                "instruction",
            ],
        ),
        (
            S::Granted,
            &[
                "accorde",
                "accordee",
                "notifie",
                "notifiee",
                "attribue",
                "attribuee",
                "obtenu",
                "obtenue",
                "acquis",
            ],
        ),
        (
            S::Refused,
            &[
                "refuse",
                "refusee",
                "rejete",
                "rejetee",
                "non retenu",
                "non retenue",
            ],
        ),
        (
            S::AgreementSigned,
            &[
                "convention signee",
                "conventionne",
                "conventionnee",
                "signe",
                "signee",
                "convention",
            ],
        ),
        (
            S::AdvancePaid,
            &[
                "acompte verse",
                "avance versee",
                "acompte",
                "avance",
                "versement partiel",
                "en cours de versement",
            ],
        ),
        (
            S::BalancePaid,
            &[
                "solde",
                "soldee",
                "solde verse",
                "verse",
                "versee",
                "paye",
                "payee",
                "clos",
            ],
        ),
    ];
    words
        .iter()
        .find(|(status, w)| w.contains(&key.as_str()) || search_key(&status.label()) == key)
        .map(|(status, _)| *status)
}

/// The funder a cell names: its name, its code, or a usual alias (« DETR »,
/// « Conseil départemental », « BdT »); `None` when it names none or
/// several.
pub fn find_funder(text: &str, funders: &[FunderName]) -> Option<i64> {
    named_funder(&search_key(text), funders).map(|(f, _)| f.id)
}

/// The funder named in `key` (as `search_key` gives it) by the longest of
/// its phrases, whole words only, and that phrase; a tie between two
/// funders is no answer.
fn named_funder<'f>(key: &str, funders: &'f [FunderName]) -> Option<(&'f FunderName, String)> {
    let padded = format!(" {key} ");
    let mut best: Option<(&FunderName, String)> = None;
    let mut tie = false;
    for f in funders {
        for phrase in funder_phrases(f) {
            if !padded.contains(&format!(" {phrase} ")) {
                continue;
            }
            match &best {
                Some((_, p)) if p.len() > phrase.len() => {}
                Some((other, p)) if p.len() == phrase.len() => tie |= other.id != f.id,
                _ => {
                    tie = false;
                    best = Some((f, phrase));
                }
            }
        }
    }
    best.filter(|_| !tie)
}

/// An organisation's kind from its usual French words (« Mairie »,
/// « Communauté de communes », « Asso », « SARL »…), its label or code.
pub fn parse_organisation_kind(text: &str) -> Option<OrganisationKind> {
    let key = search_key(text);
    if let Some(kind) = OrganisationKind::parse(&key.replace(' ', "_")) {
        return Some(kind);
    }
    let words: &[(OrganisationKind, &[&str])] = &[
        (
            OrganisationKind::Commune,
            &["commune", "mairie", "municipalite"],
        ),
        (
            OrganisationKind::Epci,
            &[
                "epci",
                "intercommunalite",
                "communaute de communes",
                "communaute d agglomeration",
                "cc",
                "ca",
                "metropole",
            ],
        ),
        (
            OrganisationKind::Departement,
            &["departement", "conseil departemental", "cd"],
        ),
        (OrganisationKind::Region, &["region", "conseil regional"]),
        (
            OrganisationKind::StateService,
            &[
                "etat",
                "service de l etat",
                "prefecture",
                "sous prefecture",
                "ddt",
                "ddtm",
                "dreal",
            ],
        ),
        (OrganisationKind::Association, &["association", "asso"]),
        (
            OrganisationKind::Business,
            &[
                "entreprise",
                "societe",
                "sarl",
                "sas",
                "sa",
                "eurl",
                "commerce",
                "artisan",
            ],
        ),
        (
            OrganisationKind::Chamber,
            &[
                "chambre consulaire",
                "cci",
                "cma",
                "chambre d agriculture",
                "chambre des metiers",
            ],
        ),
        (OrganisationKind::Funder, &["financeur"]),
        (OrganisationKind::Other, &["autre", "autres"]),
    ];
    words
        .iter()
        .find(|(kind, w)| w.contains(&key.as_str()) || search_key(&kind.label()) == key)
        .map(|(kind, _)| *kind)
}

/// Headers as offices write them, as `search_key` gives them.
const SYNONYMS: &[(ImportField, &[&str])] = &[
    (
        ImportField::Reference,
        &[
            "reference",
            "ref",
            "references",
            "n",
            "no",
            "numero",
            "num",
            "code projet",
            "identifiant",
            "id",
            "n dossier",
            "numero de dossier",
            "reference projet",
        ],
    ),
    (
        ImportField::Title,
        &[
            "intitule",
            "intitule du projet",
            "nom du projet",
            "projet",
            "titre",
            "libelle",
            "nom",
            "operation",
            "intitule de l operation",
        ],
    ),
    (
        ImportField::Communes,
        &[
            "commune",
            "communes",
            "commune s",
            "code insee",
            "insee",
            "communes concernees",
            "localisation",
            "lieu",
        ],
    ),
    (
        ImportField::Departement,
        &["departement", "dept", "dep", "dpt", "code departement"],
    ),
    (
        ImportField::Owner,
        &[
            "porteur",
            "porteur de projet",
            "porteur du projet",
            "maitre d ouvrage",
            "maitre d ouvrage mo",
            "maitrise d ouvrage",
            "beneficiaire",
            "mo",
            "moa",
        ],
    ),
    (
        ImportField::Cost,
        &[
            "cout",
            "cout total",
            "cout total du projet",
            "cout estime",
            "montant total",
            "montant",
            "budget",
            "budget total",
            "depense totale",
            "depenses",
        ],
    ),
    (
        ImportField::Stage,
        &[
            "etape",
            "phase",
            "etat d avancement",
            "avancement",
            "etat",
            "stade",
            "statut",
        ],
    ),
    (
        ImportField::Officer,
        &[
            "charge e de mission",
            "charge de mission",
            "chargee de mission",
            "referent",
            "referente",
            "referent e",
            "suivi par",
            "chef de projet",
            "agent",
        ],
    ),
    (
        ImportField::Start,
        &[
            "debut",
            "date de debut",
            "date debut",
            "demarrage",
            "date de demarrage",
            "debut des travaux",
        ],
    ),
    (
        ImportField::End,
        &[
            "fin",
            "date de fin",
            "date fin",
            "achevement",
            "fin des travaux",
            "date d achevement",
        ],
    ),
    (
        ImportField::Themes,
        &["thematique", "thematiques", "theme", "themes", "domaine"],
    ),
    (
        ImportField::Programmes,
        &[
            "programme",
            "programmes",
            "dispositif",
            "dispositifs",
            "programme dispositif",
            "programmes dispositifs",
        ],
    ),
    (
        ImportField::Summary,
        &["resume", "objet", "description courte", "synthese"],
    ),
    (
        ImportField::Description,
        &[
            "description",
            "commentaire",
            "commentaires",
            "observations",
            "remarques",
        ],
    ),
];

/// Why an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    /// « 1,2 M€ », « 300 k€ »: a rounded figure, not an amount.
    Abbreviated,
    Negative,
    /// « 1,234 »: a separator that reads both ways.
    Ambiguous,
    TooManyDecimals,
    TooLarge,
    Invalid,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = match self {
            AmountError::Abbreviated => "import.amount_abbreviated",
            AmountError::Negative => "import.amount_negative",
            AmountError::Ambiguous => "import.amount_ambiguous",
            AmountError::TooManyDecimals => "import.amount_decimals",
            AmountError::TooLarge => "import.amount_too_large",
            AmountError::Invalid => "import.amount_invalid",
        };
        f.write_str(&rust_i18n::t!(key))
    }
}

/// An amount typed as text, in cents: « 1 234 567,89 € », « 1.234.567,89 »,
/// « 1234567.89 », « 12 000 € HT ». Never through floating point.
pub fn parse_amount(text: &str) -> Result<i64, AmountError> {
    let mut s = text.trim().to_lowercase();
    for suffix in ["ttc", "ht", "euros", "euro", "eur", "€"] {
        s = s.trim_end().trim_end_matches(suffix).to_owned();
    }
    let s: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’'))
        .collect();
    if s.is_empty() {
        return Err(AmountError::Invalid);
    }
    if s.starts_with('-') || (s.starts_with('(') && s.ends_with(')')) {
        return Err(AmountError::Negative);
    }
    let s = s.strip_prefix('+').unwrap_or(&s);
    if s.ends_with(['m', 'k']) || s.ends_with("md") || s.ends_with("mds") {
        return Err(AmountError::Abbreviated);
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return Err(AmountError::Invalid);
    }
    let (units, decimals) = split_decimal(s)?;
    to_cents(&units, &decimals)
}

/// A number cell's value (the shortest text that gives the stored number
/// back), in cents, rounded half up to the cent.
pub fn amount_of_number(shortest: &str) -> Result<i64, AmountError> {
    let s = shortest.trim();
    if s.starts_with('-') {
        return Err(AmountError::Negative);
    }
    if s.contains(['e', 'E']) {
        return Err(AmountError::TooLarge);
    }
    let (units, decimals) = s.split_once('.').unwrap_or((s, ""));
    if units.is_empty()
        || !units
            .chars()
            .chain(decimals.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(AmountError::Invalid);
    }
    let round_up = decimals.as_bytes().get(2).is_some_and(|d| *d >= b'5');
    let kept: String = decimals.chars().take(2).collect();
    let cents = to_cents(units, &kept)?;
    if round_up {
        cents.checked_add(1).ok_or(AmountError::TooLarge)
    } else {
        Ok(cents)
    }
}

/// Splits digits and separators into whole units and decimals: the last
/// of two different separators marks the decimals; one kind repeated
/// groups thousands; a lone comma is French decimals; a lone dot before
/// three digits groups thousands (« 1.234 »).
fn split_decimal(s: &str) -> Result<(String, String), AmountError> {
    let commas = s.matches(',').count();
    let dots = s.matches('.').count();
    let grouped = |whole: &str, sep: char| -> Result<String, AmountError> {
        let mut parts = whole.split(sep);
        let first = parts.next().unwrap_or_default();
        if first.is_empty() || first.len() > 3 {
            return Err(AmountError::Invalid);
        }
        let mut out = first.to_owned();
        for part in parts {
            if part.len() != 3 {
                return Err(AmountError::Invalid);
            }
            out.push_str(part);
        }
        Ok(out)
    };
    match (commas, dots) {
        (0, 0) => Ok((s.to_owned(), String::new())),
        (_, _) if commas > 0 && dots > 0 => {
            let last_comma = s.rfind(',').unwrap_or(0);
            let last_dot = s.rfind('.').unwrap_or(0);
            let (decimal, group) = if last_comma > last_dot {
                (',', '.')
            } else {
                ('.', ',')
            };
            let (whole, decimals) = s.rsplit_once(decimal).unwrap_or((s, ""));
            if decimals.contains(group) || s.matches(decimal).count() > 1 {
                return Err(AmountError::Invalid);
            }
            Ok((grouped(whole, group)?, decimals.to_owned()))
        }
        (1, 0) => {
            let (whole, decimals) = s.split_once(',').unwrap_or((s, ""));
            if decimals.len() == 3 {
                return Err(AmountError::Ambiguous);
            }
            Ok((whole.to_owned(), decimals.to_owned()))
        }
        (0, 1) => {
            let (whole, decimals) = s.split_once('.').unwrap_or((s, ""));
            if decimals.len() == 3 {
                Ok((grouped(s, '.')?, String::new()))
            } else {
                Ok((whole.to_owned(), decimals.to_owned()))
            }
        }
        (n, 0) if n > 1 => Ok((grouped(s, ',')?, String::new())),
        _ => Ok((grouped(s, '.')?, String::new())),
    }
}

fn to_cents(units: &str, decimals: &str) -> Result<i64, AmountError> {
    if units.is_empty() && decimals.is_empty()
        || !units
            .chars()
            .chain(decimals.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(AmountError::Invalid);
    }
    if decimals.len() > 2 {
        return Err(AmountError::TooManyDecimals);
    }
    // The forms' own reading of « units.decimals ».
    crate::domain::parse_euros(&format!("{units}.{decimals}")).map_err(|e| match e {
        crate::domain::MoneyError::TooLarge => AmountError::TooLarge,
        crate::domain::MoneyError::Negative => AmountError::Negative,
        _ => AmountError::Invalid,
    })
}

/// A date typed as text: `jj/mm/aaaa` (also with `-` or `.`, or a two-digit
/// year), `aaaa-mm-jj`, with or without a time after it.
pub fn parse_date_text(text: &str) -> Option<NaiveDate> {
    let day = text.trim().split([' ', 'T']).next().unwrap_or_default();
    // « 05/03/24 »: a two-digit year is this century.
    let parts: Vec<&str> = day.split(['/', '.', '-']).collect();
    if let [d, m, y] = parts.as_slice()
        && y.len() == 2
        && d.len() <= 2
    {
        let (d, m, y): (u32, u32, i32) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
        return NaiveDate::from_ymd_opt(2000 + y, m, d);
    }
    for format in ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d"] {
        if let Ok(date) = NaiveDate::parse_from_str(day, format) {
            return Some(date);
        }
    }
    None
}

/// A spreadsheet's day number (1900 system, as Excel and LibreOffice
/// store dates) as a date; `None` out of the years a project can have.
pub fn date_of_serial(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let days = serial.trunc() as i64;
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(Duration::days(days))
}

/// A stage from its usual French words (« en travaux », « achevé »,
/// « montage financier »…), its label or its code.
pub fn parse_stage(text: &str) -> Option<Stage> {
    let key = search_key(text);
    if let Ok(stage) = key.parse::<Stage>() {
        return Some(stage);
    }
    let words: &[(Stage, &[&str])] = &[
        (
            Stage::Emergence,
            &[
                "emergence",
                "en emergence",
                "idee",
                "intention",
                "pre projet",
                "avant projet",
                "reperage",
            ],
        ),
        (
            Stage::Study,
            &[
                "etude",
                "etudes",
                "en etude",
                "en etudes",
                "faisabilite",
                "etude de faisabilite",
                "conception",
                "programmation",
            ],
        ),
        (
            Stage::Funding,
            &[
                "montage financier",
                "financement",
                "plan de financement",
                "recherche de financements",
                "recherche de financement",
                "montage",
                "instruction",
                "en instruction",
                "depot",
            ],
        ),
        (
            Stage::Delivery,
            &[
                "realisation",
                "en realisation",
                "travaux",
                "en travaux",
                "en cours",
                "execution",
                "mise en oeuvre",
                "chantier",
            ],
        ),
        (
            Stage::Completed,
            &[
                "acheve", "achevee", "termine", "terminee", "fini", "livre", "realise", "clos",
                "cloture", "solde",
            ],
        ),
        (
            Stage::Abandoned,
            &[
                "abandonne",
                "abandonnee",
                "abandon",
                "annule",
                "annulee",
                "arrete",
                "sans suite",
            ],
        ),
    ];
    words
        .iter()
        .find(|(stage, w)| w.contains(&key.as_str()) || search_key(&stage.label()) == key)
        .map(|(stage, _)| *stage)
}

/// The items of a list cell: « Murat, Saint-Flour ; Allanche » → three.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([',', ';', '\n', '/', '|'])
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// « Saint-Flour (15) » → (« Saint-Flour », Some(« 15 »)).
pub fn name_and_departement(text: &str) -> (String, Option<String>) {
    let text = text.trim();
    if let Some(open) = text.rfind('(')
        && let Some(inner) = text[open + 1..].strip_suffix(')')
    {
        let inner = inner.trim();
        if (2..=3).contains(&inner.len()) && inner.chars().all(|c| c.is_ascii_alphanumeric()) {
            return (text[..open].trim().to_owned(), Some(inner.to_uppercase()));
        }
    }
    (text.to_owned(), None)
}

/// The key a commune's name is matched on: accents, case, hyphens and the
/// « St »/« Ste » abbreviations ignored.
pub fn commune_key(name: &str) -> String {
    search_key(name)
        .split(' ')
        .map(|w| match w {
            "st" => "saint",
            "ste" => "sainte",
            w => w,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a row is a totals row (« Total », « TOTAL GÉNÉRAL », « Sous-total »).
pub fn is_totals_label(text: &str) -> bool {
    let key = search_key(text);
    key == "total"
        || key == "totaux"
        || key.starts_with("total ")
        || key.starts_with("sous total")
        || key == "somme"
}

/// « État – DETR : montant sollicité ».
pub fn funding_label<'a>(
    column: FunderColumn,
    mut funders: impl Iterator<Item = (i64, &'a str)>,
) -> String {
    let name = funders
        .find(|(id, _)| *id == column.funder_id)
        .map(|(_, n)| n.to_owned())
        .unwrap_or_else(|| rust_i18n::t!("import.funder_gone").into_owned());
    rust_i18n::t!(
        "import.funding_field",
        funder = name,
        amount = column.amount.label()
    )
    .into_owned()
}

/// Wordings that say a column holds what was asked for…
const REQUESTED_WORDS: &[&str] = &[
    "sollicite",
    "sollicitee",
    "sollicites",
    "sollicitees",
    "demande",
    "demandee",
    "demandes",
    "demandees",
    "depose",
    "deposee",
    "deposees",
];
/// …what was granted…
const GRANTED_WORDS: &[&str] = &[
    "accorde",
    "accordee",
    "accordes",
    "obtenu",
    "obtenue",
    "attribue",
    "attribuee",
    "notifie",
    "notifiee",
    "accordees",
    "obtenus",
    "obtenues",
    "attribuees",
    "notifiees",
    "acquis",
    "acquise",
    "acquises",
    "octroye",
    "octroyee",
    "octroyees",
];
/// …or what is foreseen.
const PLANNED_WORDS: &[&str] = &[
    "prevu",
    "prevue",
    "previsionnel",
    "previsionnelle",
    "envisage",
    "envisagee",
    "estime",
    "estimee",
    "attendu",
    "attendue",
];
/// Words that make a header name an amount.
const MONEY_WORDS: &[&str] = &[
    "montant",
    "subvention",
    "subventions",
    "aide",
    "aides",
    "financement",
    "part",
    "participation",
    "dotation",
    "contribution",
    "apport",
    "eur",
    "euros",
];
/// Words of headers that speak of a funder but hold no amount (a status,
/// a date, a rate, a file number, a comment) or a figure over several
/// (« Reste à financer (coût − aides − autofinancement) »).
const NOT_AMOUNT_WORDS: &[&str] = &[
    // Figures computed over several funders.
    "reste",
    "total",
    "totaux",
    "somme",
    "cumul",
    "statut",
    "date",
    "dates",
    "taux",
    "numero",
    "n",
    "no",
    "dossier",
    "commentaire",
    "commentaires",
    "observation",
    "observations",
    "echeance",
    "pourcentage",
    "decision",
    "avis",
    "versement",
    "verse",
    "versee",
    "paye",
    "payee",
];
/// Other names offices give the usual funders (by funder code).
const FUNDER_ALIASES: &[(&str, &[&str])] = &[
    ("region", &["conseil regional", "cr"]),
    (
        "departement",
        &["conseil departemental", "cd", "conseil general", "cg"],
    ),
    (
        "banque_territoires",
        &["bdt", "banque des territoires", "caisse des depots", "cdc"],
    ),
    (
        "autofinancement",
        &[
            "autofinancement",
            "fonds propres",
            "part communale",
            "maitre d ouvrage",
            "moa",
        ],
    ),
    ("agence_eau", &["agence de l eau"]),
    ("leader", &["feader", "leader"]),
    ("emprunt", &["pret", "emprunt"]),
    ("mecenat", &["mecenat", "fonds prives"]),
];
/// Funders whose name alone is also a place (« Région », « Département »
/// columns usually hold a name, not an amount).
const PLACE_FUNDERS: &[&str] = &["region", "departement"];

/// The phrases a header may name a funder by, as `search_key` gives them.
fn funder_phrases(f: &FunderName) -> Vec<String> {
    let mut out = vec![search_key(&f.code.replace('_', " ")), search_key(&f.name)];
    // « État – DETR » is written « DETR »; « FEADER / LEADER » either.
    for dash in [" – ", " - ", " — "] {
        if let Some((_, tail)) = f.name.split_once(dash) {
            out.extend(tail.split('/').map(search_key));
        }
    }
    for (code, aliases) in FUNDER_ALIASES {
        if *code == f.code {
            out.extend(aliases.iter().map(|a| (*a).to_owned()));
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

/// The funder and the amount a header names: « DETR sollicitée »,
/// « Montant Région accordé », « Subvention Département », « Fonds vert
/// (prévisionnel) ». `None` when it names no funder, several, or
/// something else than an amount (« Date dépôt DETR », « Taux Région »).
pub fn guess_funder(header: &str, funders: &[FunderName]) -> Option<FunderColumn> {
    if header.contains('%') {
        return None;
    }
    let key = search_key(header);
    let words: Vec<&str> = key.split(' ').collect();
    let padded = format!(" {key} ");
    if words.iter().any(|w| NOT_AMOUNT_WORDS.contains(w))
        || [" etat de ", " etat d ", " etat du "]
            .iter()
            .any(|w| padded.contains(w))
    {
        return None;
    }
    let (funder, phrase) = named_funder(&key, funders)?;
    let said = |list: &[&str]| words.iter().any(|w| list.contains(w));
    let kinds: Vec<FunderAmount> = [
        (FunderAmount::Planned, said(PLANNED_WORDS)),
        (FunderAmount::Requested, said(REQUESTED_WORDS)),
        (FunderAmount::Granted, said(GRANTED_WORDS)),
    ]
    .into_iter()
    .filter(|(_, yes)| *yes)
    .map(|(k, _)| k)
    .collect();
    let amount = match kinds.as_slice() {
        [one] => *one,
        [] if said(MONEY_WORDS) => FunderAmount::Planned,
        // The funder's name alone: an amount, unless the name is a place.
        [] if key == phrase && !PLACE_FUNDERS.contains(&funder.code.as_str()) => {
            FunderAmount::Planned
        }
        _ => return None,
    };
    Some(FunderColumn {
        funder_id: funder.id,
        amount,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_recognised_in_their_usual_wordings() {
        for (header, field) in [
            ("Intitulé", ImportField::Title),
            ("Nom du projet", ImportField::Title),
            ("Commune(s)", ImportField::Communes),
            ("Code INSEE", ImportField::Communes),
            ("Porteur", ImportField::Owner),
            ("Maître d'ouvrage", ImportField::Owner),
            ("Coût", ImportField::Cost),
            ("Montant total", ImportField::Cost),
            ("Budget HT", ImportField::Cost),
            ("Coût total du projet", ImportField::Cost),
            ("Coût total du projet (€ HT)", ImportField::Cost),
            ("Date de début des travaux prévue", ImportField::Start),
            ("Étape", ImportField::Stage),
            ("Phase", ImportField::Stage),
            ("État d'avancement", ImportField::Stage),
            ("Chargé·e de mission", ImportField::Officer),
            ("Référent", ImportField::Officer),
            ("Début", ImportField::Start),
            ("Date de fin", ImportField::End),
            ("Thématique", ImportField::Themes),
            ("Programme / dispositif", ImportField::Programmes),
            ("Dispositif", ImportField::Programmes),
            ("N°", ImportField::Reference),
            ("Référence", ImportField::Reference),
            ("Département", ImportField::Departement),
        ] {
            assert_eq!(ImportField::guess(header), Some(field), "{header}");
        }
        for header in [
            "",
            "Santé",
            "EPCI",
            "Aides versées",
            "Colonne 12",
            "Montant DETR sollicité",
            "État de la demande Région",
            "Personne chargée du suivi",
        ] {
            assert_eq!(ImportField::guess(header), None, "{header}");
        }
    }

    fn funders() -> Vec<FunderName> {
        [
            (1, "detr", "État – DETR"),
            (2, "dsil", "État – DSIL"),
            (6, "fonds_vert", "État – Fonds vert"),
            (7, "feder", "Union européenne – FEDER"),
            (8, "leader", "Union européenne – FEADER / LEADER"),
            (9, "region", "Région"),
            (10, "departement", "Département"),
            (11, "banque_territoires", "Banque des Territoires"),
            (15, "autofinancement", "Autofinancement du maître d’ouvrage"),
        ]
        .into_iter()
        .map(|(id, code, name)| FunderName {
            id,
            code: code.into(),
            name: name.into(),
        })
        .collect()
    }

    #[test]
    fn funders_amounts_are_recognised_from_their_headers() {
        use FunderAmount::*;
        let f = funders();
        for (header, id, amount) in [
            ("DETR sollicitée", 1, Requested),
            ("Montant DETR sollicité (€)", 1, Requested),
            ("DETR accordée", 1, Granted),
            ("Région accordé", 9, Granted),
            ("Subvention Région obtenue", 9, Granted),
            ("Conseil départemental - montant demandé", 10, Requested),
            ("Subvention Département", 10, Planned),
            ("Fonds vert (prévisionnel)", 6, Planned),
            ("FEDER", 7, Planned),
            ("LEADER sollicité", 8, Requested),
            ("Autofinancement", 15, Planned),
            ("Part du maître d'ouvrage", 15, Planned),
            ("BdT", 11, Planned),
            ("DSIL notifiée", 2, Granted),
            ("État - DETR accordé", 1, Granted),
            ("Subventions Région obtenues", 9, Granted),
        ] {
            assert_eq!(
                guess_funder(header, &f),
                Some(FunderColumn {
                    funder_id: id,
                    amount
                }),
                "{header}"
            );
        }
        for header in [
            "Région",
            "Département",
            "État de la demande Région",
            "Date de dépôt DETR",
            "Taux DETR",
            "DETR %",
            "N° dossier FEDER",
            "DETR / DSIL sollicitée",
            "DETR demandée et accordée",
            "Montant total",
            "Subventions",
            "État",
            "Commentaire Région",
            "Reste à financer (coût − aides accordées − autofinancement)",
            "Total DETR",
        ] {
            assert_eq!(guess_funder(header, &f), None, "{header}");
        }
        // Codes round-trip through the mapping form.
        let field = ImportField::Funding(FunderColumn {
            funder_id: 9,
            amount: Granted,
        });
        assert_eq!(ImportField::parse(&field.code()), Some(field));
        assert_eq!(ImportField::parse("funding:x:granted"), None);
        assert_eq!(ImportField::parse("funding:9:maybe"), None);
    }

    #[test]
    fn contacts_headers_and_kinds_are_recognised() {
        let k = ImportKind::Contacts;
        for (header, field) in [
            ("Structure", ImportField::Organisation),
            ("Raison sociale", ImportField::Organisation),
            ("N° SIRET", ImportField::Siret),
            ("Prénom", ImportField::FirstName),
            ("Nom", ImportField::LastName),
            ("Fonction", ImportField::JobTitle),
            ("E-mail", ImportField::Email),
            ("Courriel", ImportField::Email),
            ("Tél.", ImportField::Phone),
            ("Commune", ImportField::Communes),
            ("Type de structure", ImportField::OrganisationKind),
        ] {
            assert_eq!(k.guess(header), Some(field), "{header}");
        }
        assert_eq!(ImportKind::Projects.guess("Nom"), Some(ImportField::Title));
        assert!(!k.allows(ImportField::Cost));
        assert!(!ImportKind::Projects.allows(ImportField::Email));
        for (text, kind) in [
            ("Mairie", OrganisationKind::Commune),
            ("Communauté de communes", OrganisationKind::Epci),
            ("Asso", OrganisationKind::Association),
            ("SARL", OrganisationKind::Business),
            ("Service de l'État", OrganisationKind::StateService),
            ("state_service", OrganisationKind::StateService),
            ("CCI", OrganisationKind::Chamber),
        ] {
            assert_eq!(parse_organisation_kind(text), Some(kind), "{text}");
        }
        assert_eq!(parse_organisation_kind("club"), None);
        assert_eq!(
            ImportField::parse(ImportField::Email.as_str()),
            Some(ImportField::Email)
        );
    }

    #[test]
    fn funding_lines_headers_statuses_and_funders() {
        use crate::domain::funding::FundingStatus as S;
        let k = ImportKind::Funding;
        for (header, field) in [
            ("Référence projet", ImportField::Reference),
            ("Financeur", ImportField::Funder),
            ("Dispositif", ImportField::LineProgramme),
            ("État de la demande", ImportField::LineStatus),
            ("Montant sollicité (€)", ImportField::AmountRequested),
            ("Montant accordé", ImportField::AmountGranted),
            ("Montant versé", ImportField::AmountPaid),
            ("Date de dépôt", ImportField::RequestedOn),
            ("Date de notification", ImportField::DecidedOn),
            ("Date de convention", ImportField::AgreementOn),
            ("Date de versement", ImportField::PaidOn),
            ("Date limite de dépôt", ImportField::ApplicationDeadline),
        ] {
            assert_eq!(k.guess(header), Some(field), "{header}");
        }
        for (text, status) in [
            ("Prévu", S::Identified),
            ("Dossier déposé", S::Requested),
            ("en cours d'instruction", S::Requested),
            ("Accordé", S::Granted),
            ("Refusé", S::Refused),
            ("Convention signée", S::AgreementSigned),
            ("Acompte versé", S::AdvancePaid),
            ("Soldé", S::BalancePaid),
            ("granted", S::Granted),
        ] {
            assert_eq!(parse_funding_status(text), Some(status), "{text}");
        }
        assert_eq!(parse_funding_status("peut-être"), None);
        let f = funders();
        assert_eq!(find_funder("DETR", &f), Some(1));
        assert_eq!(find_funder("État – DETR", &f), Some(1));
        assert_eq!(find_funder("Conseil départemental", &f), Some(10));
        assert_eq!(find_funder("Subvention Fonds vert", &f), Some(6));
        assert_eq!(find_funder("FEADER", &f), Some(8));
        assert_eq!(find_funder("DETR / DSIL", &f), None);
        assert_eq!(find_funder("Mairie", &f), None);
        assert_eq!(
            ImportKind::Funding.sheet_names()[0],
            "financements",
            "the second sheet of a workbook"
        );
    }

    #[test]
    fn amounts_read_as_french_offices_type_them() {
        for (text, cents) in [
            ("1 234 567,89 €", 123_456_789),
            ("1\u{a0}234\u{a0}567,89", 123_456_789),
            ("1.234.567,89", 123_456_789),
            ("1,234,567.89", 123_456_789),
            ("1234567.89", 123_456_789),
            ("12 000 € HT", 1_200_000),
            ("12000", 1_200_000),
            ("1.234", 123_400),
            ("0,5", 50),
            ("250 000 euros", 25_000_000),
        ] {
            assert_eq!(parse_amount(text), Ok(cents), "{text}");
        }
        assert_eq!(parse_amount("1,2 M€"), Err(AmountError::Abbreviated));
        assert_eq!(parse_amount("300 k€"), Err(AmountError::Abbreviated));
        assert_eq!(parse_amount("-5 000"), Err(AmountError::Negative));
        assert_eq!(parse_amount("1,234"), Err(AmountError::Ambiguous));
        assert_eq!(parse_amount("12,345,6"), Err(AmountError::Invalid));
        assert_eq!(parse_amount("environ 5000"), Err(AmountError::Invalid));
        assert_eq!(parse_amount("12,345 €"), Err(AmountError::Ambiguous));
        assert_eq!(parse_amount("1.5,3"), Err(AmountError::Invalid));
        assert_eq!(
            parse_amount("99999999999999999999"),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn number_cells_become_cents_without_floating_point() {
        assert_eq!(amount_of_number("1234567.89"), Ok(123_456_789));
        assert_eq!(amount_of_number("0.30000000000000004"), Ok(30));
        assert_eq!(amount_of_number("10.005"), Ok(1_001));
        assert_eq!(amount_of_number("120000"), Ok(12_000_000));
        assert_eq!(amount_of_number("-3"), Err(AmountError::Negative));
        assert_eq!(amount_of_number("1e300"), Err(AmountError::TooLarge));
    }

    #[test]
    fn dates_read_from_text_and_serials() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_date_text("05/03/2026"), d(2026, 3, 5));
        assert_eq!(parse_date_text("2026-03-05"), d(2026, 3, 5));
        assert_eq!(parse_date_text("05.03.2026"), d(2026, 3, 5));
        assert_eq!(parse_date_text("05/03/26"), d(2026, 3, 5));
        assert_eq!(parse_date_text("05/03/2026 00:00:00"), d(2026, 3, 5));
        assert_eq!(parse_date_text("31/02/2026"), None);
        assert_eq!(parse_date_text("mars 2026"), None);
        assert_eq!(date_of_serial(46_086.0), d(2026, 3, 5));
        assert_eq!(date_of_serial(-1.0), None);
        assert_eq!(date_of_serial(f64::NAN), None);
    }

    #[test]
    fn stages_read_from_their_usual_words() {
        for (text, stage) in [
            ("Émergence", Stage::Emergence),
            ("idée", Stage::Emergence),
            ("Études", Stage::Study),
            ("montage financier", Stage::Funding),
            ("EN TRAVAUX", Stage::Delivery),
            ("Réalisation", Stage::Delivery),
            ("achevé", Stage::Completed),
            ("Abandonné", Stage::Abandoned),
            ("delivery", Stage::Delivery),
        ] {
            assert_eq!(parse_stage(text), Some(stage), "{text}");
        }
        assert_eq!(parse_stage("peut-être"), None);
    }

    #[test]
    fn lists_communes_and_totals() {
        assert_eq!(
            split_list("Murat, Saint-Flour ; Allanche"),
            ["Murat", "Saint-Flour", "Allanche"]
        );
        assert_eq!(
            name_and_departement("Saint-Flour (15)"),
            ("Saint-Flour".to_owned(), Some("15".to_owned()))
        );
        assert_eq!(
            name_and_departement("Ajaccio (2A)"),
            ("Ajaccio".to_owned(), Some("2A".to_owned()))
        );
        assert_eq!(commune_key("St-Flour"), commune_key("Saint Flour"));
        assert_eq!(commune_key("Sainte-Anne"), commune_key("STE ANNE"));
        assert!(is_totals_label("TOTAL GÉNÉRAL"));
        assert!(is_totals_label("Sous-total"));
        assert!(!is_totals_label("Totalement neuf"));
    }
}
