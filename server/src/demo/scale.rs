//! `maillage demo --scale N`: a large, realistic portfolio for benchmarks,
//! written by bulk inserts (N projects, ten milestones and three funding
//! lines each, their timeline events). The plan figures kept on each row are
//! computed by the same domain rules as the services (`PlanFigures`), so the
//! dashboard reads exactly what it would after N officers' work.
//!
//! Deterministic: the same N gives the same portfolio.
use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::{Alias, Expr, Func, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use app::domain::funding::{
    DetrDue, FunderCategory, FundingStatus, PlanFigures, PlanLine, check_self_funding,
    detr_completion_deadline, detr_next_due, detr_start_deadline, totals,
};
use app::domain::{EventKind, HealthStatus, MilestoneKind, OwnerKind, Role, Stage};
use app::error::AppError;
use app::server::entities::funding::{funder, funding_line};
use app::server::entities::projects::{
    event, milestone, project, project_commune, project_programme, project_theme,
};
use app::server::entities::territory::commune;
use app::server::entities::user;
use app::server::services::plan_figures::FIGURES_VERSION;

/// Rows per INSERT: under both backends' limits on bound parameters.
const PARAMS_PER_INSERT: usize = 30_000;

#[derive(Debug)]
pub struct ScaleReport {
    pub projects: usize,
    pub milestones: usize,
    pub funding_lines: usize,
    pub events: usize,
}

async fn insert_chunks<A, E>(
    db: &impl ConnectionTrait,
    rows: Vec<A>,
    columns: usize,
) -> Result<(), AppError>
where
    A: sea_orm::ActiveModelTrait<Entity = E> + Send,
    E: EntityTrait,
{
    let per = (PARAMS_PER_INSERT / columns).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per).collect();
        E::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(())
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// Adds `n` generated projects to the database.
pub async fn generate(
    db: &DatabaseConnection,
    n: usize,
    today: NaiveDate,
) -> Result<ScaleReport, AppError> {
    let mut rng = StdRng::seed_from_u64(n as u64);
    let officers: Vec<i64> = user::Entity::find()
        .filter(user::Column::Role.is_in([Role::Officer, Role::Head]))
        .select_only()
        .column(user::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    if officers.is_empty() {
        return Err(AppError::Conflict(
            "aucun compte de chargé·e de mission : lancez d’abord `maillage demo`".into(),
        ));
    }
    let communes: Vec<String> = commune::Entity::find()
        .filter(commune::Column::EpciSiren.is_not_null())
        .order_by_asc(commune::Column::Insee)
        .select_only()
        .column(commune::Column::Insee)
        .limit(3000)
        .into_tuple()
        .all(db)
        .await?;
    if communes.is_empty() {
        return Err(AppError::Conflict(
            "le référentiel des communes est vide : lancez d’abord `maillage demo`".into(),
        ));
    }
    let funders: HashMap<String, (i64, FunderCategory)> = funder::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.code.clone(), (f.id, f.category)))
        .collect();
    let funder = |code: &str| {
        funders
            .get(code)
            .copied()
            .ok_or_else(AppError::internal_here)
    };
    let grant_funders = [
        funder("detr")?,
        funder("region")?,
        funder("departement")?,
        funder("feder")?,
        funder("dsil")?,
    ];
    let own = funder("autofinancement")?;
    let detr_id = funder("detr")?.0;
    let themes = [
        "economie",
        "commerce",
        "tourisme",
        "mobilite",
        "transition_ecologique",
        "habitat",
        "services",
        "sante",
        "culture",
    ];
    let programmes = [
        "pvd",
        "acv",
        "crte",
        "territoires_industrie",
        "villages_avenir",
    ];
    let first_id: i64 = {
        let q = Query::select()
            .expr(Func::max(Expr::col((
                Alias::new("projects"),
                Alias::new("id"),
            ))))
            .from(project::Entity)
            .to_owned();
        let row = db.query_one(&q).await?;
        row.and_then(|r| r.try_get_by_index::<Option<i64>>(0).ok().flatten())
            .unwrap_or(0)
            + 1
    };
    let now = Utc::now();
    let at = |day: NaiveDate| -> DateTime<Utc> {
        day.and_hms_opt(9, 0, 0).unwrap_or_default().and_utc()
    };

    let mut report = ScaleReport {
        projects: 0,
        milestones: 0,
        funding_lines: 0,
        events: 0,
    };
    // A batch of projects at a time, each in one transaction.
    const BATCH: usize = 5_000;
    let mut done = 0;
    while done < n {
        let size = BATCH.min(n - done);
        let mut projects = Vec::with_capacity(size);
        let mut links_c = Vec::new();
        let mut links_t = Vec::new();
        let mut links_p = Vec::new();
        let mut milestones = Vec::with_capacity(size * 10);
        let mut lines = Vec::with_capacity(size * 3);
        let mut events = Vec::with_capacity(size * 3);
        for k in 0..size {
            let i = done + k;
            let id = first_id + i as i64;
            let stage = match rng.gen_range(0..100) {
                0..20 => Stage::Emergence,
                20..45 => Stage::Study,
                45..70 => Stage::Funding,
                70..88 => Stage::Delivery,
                88..96 => Stage::Completed,
                _ => Stage::Abandoned,
            };
            let (health, reason) = match rng.gen_range(0..100) {
                0..75 => (HealthStatus::OnTrack, None),
                75..87 => (HealthStatus::Late, None),
                87..93 => (
                    HealthStatus::Paused,
                    Some("En attente de la décision du conseil"),
                ),
                _ => (
                    HealthStatus::Blocked,
                    Some("Recours contre le permis de construire"),
                ),
            };
            let created = today - Duration::days(rng.gen_range(30..1460));
            let last = created + Duration::days(rng.gen_range(0..=(today - created).num_days()));
            let cost: i64 = rng.gen_range(20_000..3_000_000) * 100;
            let owner_local = rng.gen_bool(0.8);
            let officer = *pick(&mut rng, &officers);

            // Milestones: ten, spread from creation to a year ahead.
            let mut works_start: Option<NaiveDate> = None;
            for m in 0..10 {
                let due = created + Duration::days(60 * m + rng.gen_range(0..30));
                let kind = match m {
                    0 => MilestoneKind::SteeringCommittee,
                    4 => MilestoneKind::ApplicationFiling,
                    6 => MilestoneKind::WorksStart,
                    8 => MilestoneKind::WorksEnd,
                    _ => *pick(
                        &mut rng,
                        &[
                            MilestoneKind::TechnicalCommittee,
                            MilestoneKind::PublicMeeting,
                            MilestoneKind::Decision,
                            MilestoneKind::Deliverable,
                        ],
                    ),
                };
                let done_date = (due <= today && rng.gen_bool(0.9)).then_some(due);
                // As the plan reads it: the done "début des travaux".
                if kind == MilestoneKind::WorksStart {
                    works_start = done_date;
                }
                milestones.push(milestone::ActiveModel {
                    project_id: Set(id),
                    kind: Set(kind),
                    title: Set(format!("{} n° {}", kind.label(), m + 1)),
                    due_date: Set(due),
                    done_date: Set(done_date),
                    note: Set(String::new()),
                    shareable: Set(m % 3 == 0),
                    created_at: Set(at(created)),
                    updated_at: Set(at(created)),
                    ..Default::default()
                });
            }

            // Three funding lines: two grants and the owner's share.
            let mut plan = Vec::new();
            let mut detr_dues: Vec<(DetrDue, NaiveDate)> = Vec::new();
            {
                let g1 = *pick(&mut rng, &grant_funders);
                let g2 = *pick(&mut rng, &grant_funders);
                let share1 = rng.gen_range(20..45);
                let share2 = rng.gen_range(10..35);
                let own_share = if rng.gen_bool(0.9) { 20 } else { 10 };
                for (j, ((fid, cat), share)) in [(g1, share1), (g2, share2), (own, own_share)]
                    .into_iter()
                    .enumerate()
                {
                    let amount = cost * share / 100;
                    let status = if j == 2 {
                        FundingStatus::Identified
                    } else {
                        match stage {
                            Stage::Emergence | Stage::Study => FundingStatus::Identified,
                            Stage::Funding => *pick(
                                &mut rng,
                                &[
                                    FundingStatus::Identified,
                                    FundingStatus::Requested,
                                    FundingStatus::Granted,
                                ],
                            ),
                            Stage::Abandoned => FundingStatus::Refused,
                            _ => *pick(
                                &mut rng,
                                &[
                                    FundingStatus::Granted,
                                    FundingStatus::AgreementSigned,
                                    FundingStatus::AdvancePaid,
                                    FundingStatus::BalancePaid,
                                ],
                            ),
                        }
                    };
                    let filed = status.is_filed();
                    let secured = status.is_secured();
                    // Step dates never in the future; each status has the
                    // date of the step it reached.
                    let step = |days: i64| (created + Duration::days(days)).min(today);
                    let requested_on = filed.then(|| step(60));
                    let decided_on =
                        (secured || status == FundingStatus::Refused).then(|| step(150));
                    let agreement_on = matches!(
                        status,
                        FundingStatus::AgreementSigned
                            | FundingStatus::AdvancePaid
                            | FundingStatus::BalancePaid
                    )
                    .then(|| step(180));
                    let advance_on = matches!(
                        status,
                        FundingStatus::AdvancePaid | FundingStatus::BalancePaid
                    )
                    .then(|| step(240));
                    let balance_on = (status == FundingStatus::BalancePaid).then(|| step(600));
                    let granted = secured.then_some(amount);
                    let paid = match status {
                        FundingStatus::AdvancePaid => amount * 3 / 10,
                        FundingStatus::BalancePaid => amount,
                        _ => 0,
                    };
                    let deadline = (status == FundingStatus::Identified)
                        .then(|| today + Duration::days(rng.gen_range(-30..180)));
                    if fid == detr_id
                        && let Some(notified) = decided_on.filter(|_| secured)
                        && let Some(due) = detr_next_due(
                            detr_start_deadline(notified, false),
                            works_start.map(|s| detr_completion_deadline(s, false)),
                            status == FundingStatus::BalancePaid,
                        )
                    {
                        detr_dues.push(due);
                    }
                    plan.push(PlanLine {
                        category: cat,
                        status,
                        requested: Some(amount),
                        granted,
                        paid,
                    });
                    lines.push(funding_line::ActiveModel {
                        project_id: Set(id),
                        funder_id: Set(fid),
                        programme: Set(String::new()),
                        basis: Set("ht".into()),
                        status: Set(status),
                        amount_requested_cents: Set(Some(amount)),
                        amount_granted_cents: Set(granted),
                        amount_paid_cents: Set(paid),
                        eligible_base_cents: Set(None),
                        rate_basis_points: Set(None),
                        application_deadline: Set(deadline),
                        identified_on: Set(Some(created)),
                        requested_on: Set(requested_on),
                        decided_on: Set(decided_on),
                        agreement_on: Set(agreement_on),
                        advance_on: Set(advance_on),
                        balance_on: Set(balance_on),
                        start_extended: Set(false),
                        completion_extended: Set(false),
                        notes: Set(String::new()),
                        version: Set(1),
                        created_at: Set(at(created)),
                        updated_at: Set(at(created)),
                        ..Default::default()
                    });
                }
            }
            let t = totals(Some(cost), &plan);
            let check = check_self_funding(owner_local, &plan, None);
            let figures = PlanFigures::new(&t, &check.verdict, detr_dues);

            let title = format!("Projet n° {} – {}", i + 1, pick(&mut rng, &themes));
            projects.push(project::ActiveModel {
                id: Set(id),
                reference: Set(Some(format!("GEN-{id:07}"))),
                title: Set(title.clone()),
                summary: Set(String::new()),
                description: Set(String::new()),
                stage: Set(stage),
                health: Set(health),
                health_reason: Set(reason.map(str::to_owned)),
                health_since: Set(reason.map(|_| last)),
                lead_officer_id: Set(Some(officer)),
                estimated_cost_cents: Set(Some(cost)),
                start_date: Set(Some(created)),
                end_date: Set(Some(created + Duration::days(900))),
                version: Set(1),
                search_key: Set(app::domain::search_key(&title)),
                created_at: Set(at(created)),
                updated_at: Set(at(last)),
                last_event_at: Set(at(last)),
                owner_name: Set("Commune".into()),
                owner_kind: Set(Some(if owner_local {
                    OwnerKind::Commune
                } else {
                    OwnerKind::Association
                })),
                derogation_kind: Set(None),
                derogation_reason: Set(None),
                plan_requested_cents: Set(figures.requested),
                plan_pending_cents: Set(figures.pending),
                plan_granted_cents: Set(figures.granted),
                plan_paid_cents: Set(figures.paid),
                plan_to_find_cents: Set(figures.to_find),
                rule_breach: Set(figures.breach),
                detr_due: Set(figures.detr_due.map(|(_, d)| d)),
                detr_due_kind: Set(figures.detr_due.map(|(k, _)| k)),
                figures_version: Set(FIGURES_VERSION),
            });
            let c1 = pick(&mut rng, &communes).clone();
            let c2 = pick(&mut rng, &communes).clone();
            links_c.push(project_commune::ActiveModel {
                project_id: Set(id),
                insee: Set(c1.clone()),
            });
            if c2 != c1 && rng.gen_bool(0.3) {
                links_c.push(project_commune::ActiveModel {
                    project_id: Set(id),
                    insee: Set(c2),
                });
            }
            links_t.push(project_theme::ActiveModel {
                project_id: Set(id),
                theme_code: Set((*pick(&mut rng, &themes)).to_owned()),
            });
            if rng.gen_bool(0.6) {
                links_p.push(project_programme::ActiveModel {
                    project_id: Set(id),
                    programme_code: Set((*pick(&mut rng, &programmes)).to_owned()),
                });
            }

            // Events: the creation, the stage moves, spread until the last.
            let mut previous = Stage::Emergence;
            let moves: Vec<Stage> = match stage {
                Stage::Abandoned => vec![Stage::Abandoned],
                s => Stage::PATH
                    .into_iter()
                    .skip(1)
                    .take_while(|p| *p <= s)
                    .collect(),
            };
            events.push(event::ActiveModel {
                project_id: Set(id),
                actor_id: Set(Some(officer)),
                at: Set(at(created)),
                kind: Set(EventKind::Created),
                data: Set(format!(r#"{{"stage":"emergence","title":{title:?}}}"#)),
                state_from: Set(None),
                state_to: Set(Some("emergence".into())),
                ..Default::default()
            });
            let span = (last - created).num_days().max(1);
            for (m, to) in moves.iter().enumerate() {
                let day = if m + 1 == moves.len() {
                    last
                } else {
                    created + Duration::days(span * (m as i64 + 1) / (moves.len() as i64 + 1))
                };
                events.push(event::ActiveModel {
                    project_id: Set(id),
                    actor_id: Set(Some(officer)),
                    at: Set(at(day)),
                    kind: Set(EventKind::StageChanged),
                    data: Set(format!(
                        r#"{{"from":"{}","move":"forward","reason":null,"to":"{}"}}"#,
                        previous.as_str(),
                        to.as_str()
                    )),
                    state_from: Set(Some(previous.as_str().to_owned())),
                    state_to: Set(Some(to.as_str().to_owned())),
                    ..Default::default()
                });
                previous = *to;
            }
        }
        report.projects += projects.len();
        report.milestones += milestones.len();
        report.funding_lines += lines.len();
        report.events += events.len();
        let txn = app::server::db::begin_write(db).await?;
        insert_chunks(&*txn, projects, 32).await?;
        insert_chunks(&*txn, links_c, 2).await?;
        insert_chunks(&*txn, links_t, 2).await?;
        insert_chunks(&*txn, links_p, 2).await?;
        insert_chunks(&*txn, milestones, 10).await?;
        insert_chunks(&*txn, lines, 24).await?;
        insert_chunks(&*txn, events, 8).await?;
        txn.commit().await?;
        done += size;
    }
    // Bulk inserts bypass the services: the dashboard's summaries are
    // recomputed once at the end.
    app::server::services::rollup::rebuild(db).await?;
    // Explicit ids: move PostgreSQL's sequence past them.
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        db.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('projects', 'id'), (SELECT MAX(id) FROM projects))",
        )
        .await?;
        db.execute_unprepared("ANALYZE").await?;
    }
    let _ = now;
    Ok(report)
}
