//! Reference territories: import from `@etalab/decoupage-administratif`
//! (its JSON files), and commune search for forms.
use std::collections::HashMap;
use std::path::Path;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Deserialize;

use crate::domain::{EpciKind, InseeCode, search_key};
use crate::error::AppError;
use crate::models::{CommuneHit, Labelled};
use crate::server::entities::territory::{commune, departement, epci, region};

#[derive(Deserialize)]
struct RawRegion {
    code: String,
    nom: String,
}

#[derive(Deserialize)]
struct RawDepartement {
    code: String,
    nom: String,
    region: String,
}

#[derive(Deserialize)]
struct RawMember {
    code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEpci {
    code: String,
    nom: String,
    #[serde(rename = "type")]
    kind: String,
    population_totale: Option<i64>,
    #[serde(default)]
    membres: Vec<RawMember>,
}

#[derive(Deserialize)]
struct RawCommune {
    code: String,
    nom: String,
    #[serde(rename = "type")]
    kind: String,
    departement: Option<String>,
    region: Option<String>,
    population: Option<i64>,
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    pub regions: usize,
    pub departements: usize,
    pub epcis: usize,
    pub communes: usize,
}

/// Why an import of the reference data stopped (nothing is written then).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} : {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{} : JSON illisible ({source})", path.display())]
    Json {
        path: std::path::PathBuf,
        source: serde_json::Error,
    },
    #[error("code INSEE invalide : {0}")]
    Insee(String),
    #[error("EPCI {siren} : type « {kind} » inconnu (attendu : CC, CA, CU, METRO ou MET69)")]
    EpciKind { siren: String, kind: String },
    #[error("base de données : {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("synthèses du tableau de bord : {}", .0.message())]
    Summaries(AppError),
}

fn read<T: for<'de> Deserialize<'de>>(dir: &Path, file: &str) -> Result<Vec<T>, ImportError> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).map_err(|source| ImportError::Read {
        path: path.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| ImportError::Json { path, source })
}

const CHUNK: usize = 500;

/// Imports (or re-imports) the reference territories from the package's
/// `data/` directory. Idempotent: rows are upserted by code, so running it
/// again after a yearly update renames, moves and adds, never duplicates.
/// Communes that disappeared from the list (merged) are kept: projects may
/// still point at their code.
pub async fn import_from_dir(
    db: &DatabaseConnection,
    dir: &Path,
) -> Result<ImportReport, ImportError> {
    let regions: Vec<RawRegion> = read(dir, "regions.json")?;
    let departements: Vec<RawDepartement> = read(dir, "departements.json")?;
    let epcis: Vec<RawEpci> = read(dir, "epci.json")?;
    let communes: Vec<RawCommune> = read(dir, "communes.json")?;

    let mut epci_of: HashMap<&str, &str> = HashMap::new();
    for e in &epcis {
        for m in &e.membres {
            epci_of.insert(m.code.as_str(), e.code.as_str());
        }
    }
    let communes: Vec<commune::ActiveModel> = communes
        .iter()
        .filter(|c| c.kind == "commune-actuelle")
        .map(|c| {
            let insee =
                InseeCode::parse(&c.code).map_err(|_| ImportError::Insee(c.code.clone()))?;
            Ok(commune::ActiveModel {
                insee: Set(insee.as_str().to_owned()),
                name: Set(c.nom.clone()),
                search_key: Set(search_key(&c.nom)),
                departement_code: Set(c.departement.clone().unwrap_or_default()),
                region_code: Set(c.region.clone().unwrap_or_default()),
                epci_siren: Set(epci_of.get(c.code.as_str()).map(|s| (*s).to_owned())),
                population: Set(c.population.and_then(|p| i32::try_from(p).ok())),
            })
        })
        .collect::<Result<_, ImportError>>()?;

    let epcis: Vec<(&RawEpci, EpciKind)> = epcis
        .iter()
        .map(|e| match EpciKind::parse(&e.kind) {
            Some(kind) => Ok((e, kind)),
            None => Err(ImportError::EpciKind {
                siren: e.code.clone(),
                kind: e.kind.clone(),
            }),
        })
        .collect::<Result<_, _>>()?;
    let report = ImportReport {
        regions: regions.len(),
        departements: departements.len(),
        epcis: epcis.len(),
        communes: communes.len(),
    };
    let txn = crate::server::db::begin_write(db).await?;
    for chunk in regions.chunks(CHUNK) {
        region::Entity::insert_many(chunk.iter().map(|r| region::ActiveModel {
            code: Set(r.code.clone()),
            name: Set(r.nom.clone()),
        }))
        .on_conflict(
            OnConflict::column(region::Column::Code)
                .update_column(region::Column::Name)
                .to_owned(),
        )
        .exec(&*txn)
        .await?;
    }
    for chunk in departements.chunks(CHUNK) {
        departement::Entity::insert_many(chunk.iter().map(|d| departement::ActiveModel {
            code: Set(d.code.clone()),
            name: Set(d.nom.clone()),
            region_code: Set(d.region.clone()),
        }))
        .on_conflict(
            OnConflict::column(departement::Column::Code)
                .update_columns([departement::Column::Name, departement::Column::RegionCode])
                .to_owned(),
        )
        .exec(&*txn)
        .await?;
    }
    for chunk in epcis.chunks(CHUNK) {
        epci::Entity::insert_many(chunk.iter().map(|(e, kind)| epci::ActiveModel {
            siren: Set(e.code.clone()),
            name: Set(e.nom.clone()),
            kind: Set(*kind),
            population: Set(e.population_totale.and_then(|p| i32::try_from(p).ok())),
        }))
        .on_conflict(
            OnConflict::column(epci::Column::Siren)
                .update_columns([
                    epci::Column::Name,
                    epci::Column::Kind,
                    epci::Column::Population,
                ])
                .to_owned(),
        )
        .exec(&*txn)
        .await?;
    }
    for chunk in communes.chunks(CHUNK) {
        commune::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::column(commune::Column::Insee)
                    .update_columns([
                        commune::Column::Name,
                        commune::Column::SearchKey,
                        commune::Column::DepartementCode,
                        commune::Column::RegionCode,
                        commune::Column::EpciSiren,
                        commune::Column::Population,
                    ])
                    .to_owned(),
            )
            .exec(&*txn)
            .await?;
    }
    txn.commit().await?;
    // Communes may have changed EPCI: the dashboard's EPCI figures follow.
    crate::server::services::rollup::rebuild(db)
        .await
        .map_err(ImportError::Summaries)?;
    Ok(report)
}

/// The communes the structure's projects are in (a sub-query).
fn project_communes() -> sea_orm::sea_query::SelectStatement {
    use crate::server::entities::projects::project_commune;
    sea_orm::sea_query::Query::select()
        .column(project_commune::Column::Insee)
        .from(project_commune::Entity)
        .to_owned()
}

/// The distinct values of `column` over the communes the structure's
/// projects are in (a sub-query).
fn of_project_communes(column: commune::Column) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .distinct()
        .column(column)
        .from(commune::Entity)
        .and_where(commune::Column::Insee.in_subquery(project_communes()))
        .to_owned()
}

/// The structure's territory: the EPCIs its projects are in, by name.
pub async fn territory_epcis(db: &impl ConnectionTrait) -> Result<Vec<Labelled>, AppError> {
    let sirens = of_project_communes(commune::Column::EpciSiren);
    Ok(epci::Entity::find()
        .filter(epci::Column::Siren.in_subquery(sirens))
        .order_by_asc(epci::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|e| Labelled {
            code: e.siren,
            label: e.name,
        })
        .collect())
}

/// The départements the structure's projects are in, by code.
pub async fn territory_departements(db: &impl ConnectionTrait) -> Result<Vec<Labelled>, AppError> {
    let codes = of_project_communes(commune::Column::DepartementCode);
    Ok(departement::Entity::find()
        .filter(departement::Column::Code.in_subquery(codes))
        .order_by_asc(departement::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|d| Labelled {
            label: format!("{} – {}", d.code, d.name),
            code: d.code,
        })
        .collect())
}

pub async fn commune_count(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    Ok(commune::Entity::find().count(db).await?)
}

/// Communes whose name contains the query, accent- and case-insensitive:
/// the exact name first, then the structure's territory (the EPCIs its
/// projects are in), then names that start with the query, then the most
/// populated. An INSEE code finds its commune too.
pub async fn search_communes(
    db: &impl ConnectionTrait,
    query: &str,
    limit: u64,
) -> Result<Vec<CommuneHit>, AppError> {
    let key = search_key(query);
    if key.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let mut condition = sea_orm::Condition::any().add(commune::Column::SearchKey.contains(&key));
    if let Ok(code) = InseeCode::parse(query) {
        condition = condition.add(commune::Column::Insee.eq(code.as_str()));
    }
    let rows = commune::Entity::find()
        .filter(condition)
        .order_by_desc(commune::Column::Population)
        .limit(200)
        .all(db)
        .await?;
    let mut rows: Vec<_> = rows.into_iter().collect();
    let territory: std::collections::HashSet<String> = territory_epcis(db)
        .await?
        .into_iter()
        .map(|e| e.code)
        .collect();
    let outside = |c: &commune::Model| {
        !c.epci_siren
            .as_ref()
            .is_some_and(|siren| territory.contains(siren))
    };
    // Exact, then prefix, then word-start, then anywhere; population within.
    let rank = |c: &commune::Model| {
        if c.search_key == key || c.insee == query.trim().to_ascii_uppercase() {
            0
        } else if c.search_key.starts_with(&key) {
            1
        } else if c.search_key.contains(&format!(" {key}")) {
            2
        } else {
            3
        }
    };
    rows.sort_by_key(|c| {
        let rank = rank(c);
        (
            rank > 0,
            outside(c),
            rank,
            std::cmp::Reverse(c.population.unwrap_or(0)),
        )
    });
    rows.truncate(usize::try_from(limit).unwrap_or(20));
    Ok(rows
        .into_iter()
        .map(|c| CommuneHit {
            insee: c.insee,
            name: c.name,
            departement_code: c.departement_code,
        })
        .collect())
}
