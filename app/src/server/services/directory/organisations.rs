//! Organisations of the partner directory: writes with duplicate detection,
//! the directory list, the picker, and an organisation's page (its people,
//! mandates, projects and, for a commune, the network around it).
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::domain::{OrganisationKind, format_company_id, search_key};
use crate::error::{AppError, FieldErrors};
use crate::models::{
    CommuneNetwork, CommuneRef, DIRECTORY_LIMIT, DirectoryChoices, DirectoryFilter, DirectoryList,
    EntryRef, OrganisationDetail, OrganisationInput, OrganisationRow, PersonRow, PickHit,
    ProjectRef,
};
use crate::server::entities::directory::{
    mandate, membership, organisation, person, project_partner,
};
use crate::server::entities::funding::funder;
use crate::server::entities::projects::project_commune;
use crate::server::entities::territory::{commune, epci};
use crate::server::services::directory::names::{
    by_keys, commune_names, current_mandate, current_membership, current_roles, organisation_names,
    project_refs,
};
use crate::server::services::directory::people;

fn t(key: &str) -> String {
    rust_i18n::t!(key).into_owned()
}

pub fn organisation_href(id: i64) -> String {
    format!("/annuaire/organisations/{id}")
}

/// Refuses a record that already exists: the same SIRET (or SIREN, when
/// neither has an establishment number) always; a name that folds to the
/// same text in the same commune unless the officer confirmed it is
/// another organisation.
async fn check_duplicates(
    db: &impl sea_orm::ConnectionTrait,
    input: &OrganisationInput,
    except: Option<i64>,
) -> Result<(), AppError> {
    let not_self = |query: sea_orm::Select<organisation::Entity>| match except {
        Some(id) => query.filter(organisation::Column::Id.ne(id)),
        None => query,
    };
    if let Some(company) = &input.company_id {
        let same = match company.siret() {
            Some(siret) => organisation::Column::Siret.eq(siret),
            None => organisation::Column::Siren
                .eq(company.siren())
                .and(organisation::Column::Siret.is_null()),
        };
        if let Some(existing) = not_self(organisation::Entity::find().filter(same))
            .one(db)
            .await?
        {
            return Err(AppError::Duplicate {
                message: rust_i18n::t!(
                    "directory.duplicate_siret",
                    name = existing.name,
                    number = format_company_id(company.siren(), company.siret())
                )
                .into_owned(),
                href: organisation_href(existing.id),
                confirmable: false,
            });
        }
    }
    if !input.confirm_duplicate {
        let same_place = match &input.commune {
            Some(code) => organisation::Column::CommuneCode.eq(code.as_str()),
            None => organisation::Column::CommuneCode.is_null(),
        };
        if let Some(existing) = not_self(
            organisation::Entity::find()
                .filter(organisation::Column::SearchKey.eq(input.search_key.as_str()))
                .filter(same_place),
        )
        .one(db)
        .await?
        {
            return Err(AppError::Duplicate {
                message: rust_i18n::t!("directory.duplicate_name", name = existing.name)
                    .into_owned(),
                href: organisation_href(existing.id),
                confirmable: true,
            });
        }
    }
    Ok(())
}

/// The commune, EPCI and funder named by the form must exist; a funder
/// stands for one organisation only.
async fn check_references(
    db: &impl sea_orm::ConnectionTrait,
    input: &OrganisationInput,
    except: Option<i64>,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    if let Some(code) = &input.commune
        && commune::Entity::find_by_id(code.clone())
            .one(db)
            .await?
            .is_none()
    {
        errors.add("commune", t("directory.commune_unknown"));
    }
    if let Some(siren) = &input.epci
        && epci::Entity::find_by_id(siren.clone())
            .one(db)
            .await?
            .is_none()
    {
        errors.add("epci", t("directory.epci_unknown"));
    }
    if let Some(funder_id) = input.funder_id {
        if funder::Entity::find_by_id(funder_id)
            .one(db)
            .await?
            .is_none()
        {
            errors.add("funder_id", t("directory.unknown_choice"));
        } else {
            let mut taken =
                organisation::Entity::find().filter(organisation::Column::FunderId.eq(funder_id));
            if let Some(id) = except {
                taken = taken.filter(organisation::Column::Id.ne(id));
            }
            if let Some(other) = taken.one(db).await? {
                errors.add(
                    "funder_id",
                    rust_i18n::t!("directory.funder_taken", name = other.name),
                );
            }
        }
    }
    errors.into_result()
}

pub async fn create_organisation(
    db: &DatabaseConnection,
    input: OrganisationInput,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let txn = crate::server::db::begin_write(db).await?;
    let id = create_organisation_in(&txn, input, now).await?;
    txn.commit().await?;
    Ok(id)
}

/// Creates an organisation within a write transaction (the form's, or an
/// import's), through the same checks: references and duplicates.
pub(crate) async fn create_organisation_in(
    txn: &DatabaseTransaction,
    input: OrganisationInput,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    check_references(txn, &input, None).await?;
    check_duplicates(txn, &input, None).await?;
    let row = organisation::ActiveModel {
        name: Set(input.name),
        search_key: Set(input.search_key),
        kind: Set(input.kind),
        siren: Set(input.company_id.as_ref().map(|c| c.siren().to_owned())),
        siret: Set(input
            .company_id
            .as_ref()
            .and_then(|c| c.siret().map(str::to_owned))),
        commune_code: Set(input.commune),
        epci_siren: Set(input.epci),
        address: Set(input.address),
        website: Set(input.website),
        notes: Set(input.notes),
        funder_id: Set(input.funder_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(row.id)
}

/// Rewrites an organisation, compare-and-set on its version.
pub async fn update_organisation(
    db: &DatabaseConnection,
    id: i64,
    version: i32,
    input: OrganisationInput,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let txn = crate::server::db::begin_write(db).await?;
    let current = organisation::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if current.version != version {
        return Err(AppError::Conflict(t("directory.conflict")));
    }
    check_references(&*txn, &input, Some(id)).await?;
    // Keeping one's own name is not a duplicate; a rename is checked.
    let renamed = current.search_key != input.search_key || current.commune_code != input.commune;
    let input = OrganisationInput {
        confirm_duplicate: input.confirm_duplicate || !renamed,
        ..input
    };
    check_duplicates(&*txn, &input, Some(id)).await?;
    let result = organisation::Entity::update_many()
        .col_expr(organisation::Column::Name, Expr::value(input.name))
        .col_expr(
            organisation::Column::SearchKey,
            Expr::value(input.search_key),
        )
        .col_expr(organisation::Column::Kind, Expr::value(input.kind))
        .col_expr(
            organisation::Column::Siren,
            Expr::value(input.company_id.as_ref().map(|c| c.siren().to_owned())),
        )
        .col_expr(
            organisation::Column::Siret,
            Expr::value(
                input
                    .company_id
                    .as_ref()
                    .and_then(|c| c.siret().map(str::to_owned)),
            ),
        )
        .col_expr(
            organisation::Column::CommuneCode,
            Expr::value(input.commune),
        )
        .col_expr(organisation::Column::EpciSiren, Expr::value(input.epci))
        .col_expr(organisation::Column::Address, Expr::value(input.address))
        .col_expr(organisation::Column::Website, Expr::value(input.website))
        .col_expr(organisation::Column::Notes, Expr::value(input.notes))
        .col_expr(organisation::Column::FunderId, Expr::value(input.funder_id))
        .col_expr(organisation::Column::Version, Expr::value(version + 1))
        .col_expr(organisation::Column::UpdatedAt, Expr::value(now))
        .filter(organisation::Column::Id.eq(id))
        .filter(organisation::Column::Version.eq(version))
        .exec(&*txn)
        .await?;
    if result.rows_affected != 1 {
        return Err(AppError::Conflict(t("directory.conflict")));
    }
    txn.commit().await?;
    Ok(id)
}

/// `LIKE '%key%'` on a folded column.
fn folded_like(q: &Option<String>) -> Option<String> {
    q.as_deref()
        .map(search_key)
        .filter(|k| !k.is_empty())
        .map(|k| format!("%{k}%"))
}

/// Organisations located in a commune or in the EPCI's communes (or the
/// EPCI itself).
fn organisations_in(filter: &DirectoryFilter) -> Condition {
    let mut place = Condition::all();
    if let Some(code) = &filter.commune {
        place = place.add(organisation::Column::CommuneCode.eq(code.as_str()));
    }
    if let Some(siren) = &filter.epci {
        place = place.add(
            Condition::any()
                .add(organisation::Column::EpciSiren.eq(siren.as_str()))
                .add(
                    organisation::Column::CommuneCode.in_subquery(
                        Query::select()
                            .column(commune::Column::Insee)
                            .from(commune::Entity)
                            .and_where(commune::Column::EpciSiren.eq(siren.as_str()))
                            .to_owned(),
                    ),
                ),
        );
    }
    place
}

/// The directory list: organisations and people matching the filters,
/// `DIRECTORY_LIMIT` of each, with their totals.
pub async fn list(
    db: &DatabaseConnection,
    filter: &DirectoryFilter,
    today: NaiveDate,
) -> Result<DirectoryList, AppError> {
    let like = folded_like(&filter.q);
    let kind = match &filter.kind {
        Some(code) => Some(
            OrganisationKind::parse(code)
                .ok_or_else(|| AppError::validation("type", t("directory.kind_required")))?,
        ),
        None => None,
    };

    // Organisations.
    let mut orgs = organisation::Entity::find().filter(organisations_in(filter));
    if let Some(like) = &like {
        orgs = orgs.filter(organisation::Column::SearchKey.like(like.as_str()));
    }
    if let Some(kind) = kind {
        orgs = orgs.filter(organisation::Column::Kind.eq(kind));
    }
    if filter.mandate {
        orgs = orgs.filter(
            organisation::Column::Id.in_subquery(
                Query::select()
                    .column(mandate::Column::OrganisationId)
                    .from(mandate::Entity)
                    .cond_where(current_mandate(today))
                    .to_owned(),
            ),
        );
    }
    let organisation_total = orgs.clone().count(db).await?;
    let org_rows = orgs
        .order_by_asc(organisation::Column::SearchKey)
        .order_by_asc(organisation::Column::Id)
        .limit(DIRECTORY_LIMIT)
        .all(db)
        .await?;
    let commune_names =
        commune_names(db, org_rows.iter().filter_map(|o| o.commune_code.clone())).await?;
    let epci_names = epci_names(db, org_rows.iter().filter_map(|o| o.epci_siren.clone())).await?;
    let organisations = org_rows
        .into_iter()
        .map(|o| OrganisationRow {
            id: o.id,
            kind: o.kind,
            company_id: o
                .siren
                .as_deref()
                .map(|s| format_company_id(s, o.siret.as_deref())),
            commune: o
                .commune_code
                .as_ref()
                .and_then(|c| commune_names.get(c).cloned()),
            epci: o
                .epci_siren
                .as_ref()
                .and_then(|s| epci_names.get(s).cloned()),
            name: o.name,
        })
        .collect();

    // People: through the organisations they belong to or hold a mandate at.
    let mut people_query = person::Entity::find().filter(person::Column::ErasedAt.is_null());
    if let Some(like) = &like {
        people_query = people_query.filter(person::Column::SearchKey.like(like.as_str()));
    }
    // Through the organisations of the place and type filtered on: people
    // who belong to one today or held an office there; with "has a current
    // mandate", an office held there today.
    let placed = filter.commune.is_some() || filter.epci.is_some();
    let orgs = (placed || kind.is_some()).then(|| {
        let mut orgs = Query::select();
        orgs.column(organisation::Column::Id)
            .from(organisation::Entity)
            .cond_where(organisations_in(filter));
        if let Some(kind) = kind {
            orgs.and_where(organisation::Column::Kind.eq(kind));
        }
        orgs
    });
    if filter.mandate {
        let mut held = Query::select();
        held.column(mandate::Column::PersonId)
            .from(mandate::Entity)
            .cond_where(current_mandate(today));
        if let Some(orgs) = &orgs {
            held.and_where(mandate::Column::OrganisationId.in_subquery(orgs.clone()));
        }
        people_query = people_query.filter(person::Column::Id.in_subquery(held));
    } else if let Some(orgs) = orgs {
        people_query = people_query.filter(
            Condition::any()
                .add(
                    person::Column::Id.in_subquery(
                        Query::select()
                            .column(membership::Column::PersonId)
                            .from(membership::Entity)
                            .cond_where(current_membership(today))
                            .and_where(membership::Column::OrganisationId.in_subquery(orgs.clone()))
                            .to_owned(),
                    ),
                )
                .add(
                    person::Column::Id.in_subquery(
                        Query::select()
                            .column(mandate::Column::PersonId)
                            .from(mandate::Entity)
                            .and_where(mandate::Column::OrganisationId.in_subquery(orgs))
                            .to_owned(),
                    ),
                ),
        );
    }
    let people_total = people_query.clone().count(db).await?;
    let person_rows = people_query
        .order_by_asc(person::Column::LastName)
        .order_by_asc(person::Column::FirstName)
        .order_by_asc(person::Column::Id)
        .limit(DIRECTORY_LIMIT)
        .all(db)
        .await?;
    let ids: Vec<i64> = person_rows.iter().map(|p| p.id).collect();
    let (belongs, offices) = current_roles(db, &ids, today).await?;
    let people = person_rows
        .into_iter()
        .map(|p| PersonRow {
            id: p.id,
            name: format!("{} {}", p.first_name, p.last_name),
            job_title: p.job_title,
            organisations: belongs.get(&p.id).cloned().unwrap_or_default(),
            mandates: offices.get(&p.id).cloned().unwrap_or_default(),
        })
        .collect();

    let commune_name = match &filter.commune {
        Some(code) => commune::Entity::find_by_id(code.clone())
            .one(db)
            .await?
            .map(|c| c.name),
        None => None,
    };
    let epci_name = match &filter.epci {
        Some(siren) => epci::Entity::find_by_id(siren.clone())
            .one(db)
            .await?
            .map(|e| e.name),
        None => None,
    };
    Ok(DirectoryList {
        organisations,
        organisation_total,
        people,
        people_total,
        commune_name,
        epci_name,
        epci_choices: crate::server::services::territories::territory_epcis(db).await?,
    })
}

async fn epci_names(
    db: &impl sea_orm::ConnectionTrait,
    sirens: impl Iterator<Item = String>,
) -> Result<BTreeMap<String, String>, AppError> {
    by_keys::<epci::Entity, _, _>(db, epci::Column::Siren, sirens, |e| (e.siren, e.name)).await
}

/// Organisations or people whose name contains `q`, for pickers.
pub async fn pick(
    db: &DatabaseConnection,
    q: &str,
    people_wanted: bool,
) -> Result<Vec<PickHit>, AppError> {
    let Some(like) = folded_like(&Some(q.to_owned())) else {
        return Ok(Vec::new());
    };
    if people_wanted {
        let rows = person::Entity::find()
            .filter(person::Column::ErasedAt.is_null())
            .filter(person::Column::SearchKey.like(like.as_str()))
            .order_by_asc(person::Column::LastName)
            .limit(20)
            .all(db)
            .await?;
        return Ok(rows
            .into_iter()
            .map(|p| PickHit {
                id: p.id.to_string(),
                label: if p.job_title.is_empty() {
                    format!("{} {}", p.first_name, p.last_name)
                } else {
                    format!("{} {} — {}", p.first_name, p.last_name, p.job_title)
                },
            })
            .collect());
    }
    let rows = organisation::Entity::find()
        .filter(organisation::Column::SearchKey.like(like.as_str()))
        .order_by_asc(organisation::Column::SearchKey)
        .limit(20)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|o| PickHit {
            id: o.id.to_string(),
            label: format!("{} ({})", o.name, o.kind.label()),
        })
        .collect())
}

pub async fn choices(db: &DatabaseConnection) -> Result<DirectoryChoices, AppError> {
    let funders = funder::Entity::find()
        .filter(funder::Column::Active.eq(true))
        .order_by_asc(funder::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|f| EntryRef {
            id: f.id,
            name: f.name,
        })
        .collect();
    Ok(DirectoryChoices { funders })
}

/// An organisation's page.
pub async fn organisation_detail(
    db: &DatabaseConnection,
    id: i64,
    today: NaiveDate,
) -> Result<OrganisationDetail, AppError> {
    let org = organisation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let kind = org.kind;
    let commune = match &org.commune_code {
        Some(code) => commune::Entity::find_by_id(code.clone())
            .one(db)
            .await?
            .map(|c| CommuneRef {
                insee: c.insee,
                name: c.name,
            }),
        None => None,
    };
    let epci = match &org.epci_siren {
        Some(siren) => epci::Entity::find_by_id(siren.clone())
            .one(db)
            .await?
            .map(|e| EntryRef {
                id: 0,
                name: e.name,
            }),
        None => None,
    };
    let funder = match org.funder_id {
        Some(fid) => funder::Entity::find_by_id(fid)
            .one(db)
            .await?
            .map(|f| EntryRef {
                id: f.id,
                name: f.name,
            }),
        None => None,
    };
    let members = people::memberships(db, membership::Column::OrganisationId.eq(id), today).await?;
    let mandates = people::mandates(db, mandate::Column::OrganisationId.eq(id), today).await?;
    let projects =
        crate::server::services::directory::partners::involvements_of_organisation(db, &org)
            .await?;
    let network = match (&org.commune_code, kind) {
        (Some(code), OrganisationKind::Commune) => {
            Some(commune_network(db, org.id, code, &mandates).await?)
        }
        _ => None,
    };
    Ok(OrganisationDetail {
        id: org.id,
        version: org.version,
        name: org.name,
        kind,
        siren: org.siren,
        siret: org.siret,
        commune,
        epci,
        epci_siren: org.epci_siren,
        address: org.address,
        website: org.website,
        notes: org.notes,
        funder,
        members,
        mandates,
        projects,
        network,
        updated_at: org.updated_at,
    })
}

/// The network around a commune: its officials today, the projects
/// located in it, and the organisations that take part in them.
async fn commune_network(
    db: &DatabaseConnection,
    organisation_id: i64,
    insee: &str,
    mandates: &[crate::models::MandateView],
) -> Result<CommuneNetwork, AppError> {
    let elected_now = mandates.iter().filter(|m| m.current).cloned().collect();
    let project_ids: Vec<i64> = project_commune::Entity::find()
        .filter(project_commune::Column::Insee.eq(insee))
        .all(db)
        .await?
        .into_iter()
        .map(|pc| pc.project_id)
        .collect();
    let refs = project_refs(db, project_ids.iter().copied()).await?;
    let mut projects: Vec<ProjectRef> = refs.into_values().collect();
    projects.sort_by(|a, b| a.title.cmp(&b.title));
    let partner_ids: BTreeSet<i64> = if project_ids.is_empty() {
        BTreeSet::new()
    } else {
        project_partner::Entity::find()
            .filter(project_partner::Column::ProjectId.is_in(project_ids))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|l| l.organisation_id)
            .filter(|o| *o != organisation_id)
            .collect()
    };
    let mut partners: Vec<EntryRef> = organisation_names(db, partner_ids.into_iter())
        .await?
        .into_iter()
        .map(|(id, name)| EntryRef { id, name })
        .collect();
    partners.sort_by_key(|p| search_key(&p.name));
    Ok(CommuneNetwork {
        insee: insee.to_owned(),
        elected_now,
        projects,
        partners,
    })
}
