//! Who carries a project (porteur / maître d'ouvrage), and whether the
//! self-funding rule of CGCT art. L1111-10 applies to it.
use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::domain::stored::stored_enum;

stored_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum OwnerKind {
        Commune,
        Epci,
        Syndicat,
        Departement,
        Region,
        Association,
        Business,
        State,
        Other,
    }
}

impl OwnerKind {
    pub const ALL: [OwnerKind; 9] = [
        OwnerKind::Commune,
        OwnerKind::Epci,
        OwnerKind::Syndicat,
        OwnerKind::Departement,
        OwnerKind::Region,
        OwnerKind::Association,
        OwnerKind::Business,
        OwnerKind::State,
        OwnerKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::Commune => "commune",
            OwnerKind::Epci => "epci",
            OwnerKind::Syndicat => "syndicat",
            OwnerKind::Departement => "departement",
            OwnerKind::Region => "region",
            OwnerKind::Association => "association",
            OwnerKind::Business => "business",
            OwnerKind::State => "state",
            OwnerKind::Other => "other",
        }
    }

    pub fn label(self) -> String {
        rust_i18n::t!(format!("owner_kind.{}", self.as_str())).into_owned()
    }

    /// Local authorities and their groupings: the 20 % rule applies.
    pub fn is_local_authority(self) -> bool {
        matches!(
            self,
            OwnerKind::Commune
                | OwnerKind::Epci
                | OwnerKind::Syndicat
                | OwnerKind::Departement
                | OwnerKind::Region
        )
    }
}

impl fmt::Display for OwnerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OwnerKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OwnerKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| rust_i18n::t!("project.unknown_owner_kind").into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_authorities_are_the_collectivites_and_their_groupings() {
        let local: Vec<_> = OwnerKind::ALL
            .into_iter()
            .filter(|k| k.is_local_authority())
            .map(OwnerKind::as_str)
            .collect();
        assert_eq!(
            local,
            ["commune", "epci", "syndicat", "departement", "region"]
        );
        for k in OwnerKind::ALL {
            assert_eq!(k.as_str().parse::<OwnerKind>(), Ok(k));
        }
        assert!("mairie".parse::<OwnerKind>().is_err());
    }
}
