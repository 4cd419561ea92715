//! Demo funding plans: DETR at 20–40 %, Région, Département, LEADER and the
//! owner's own funds, moved through their lifecycle as the project's stage
//! implies; one plan breaks the 20 % rule, one carries a derogation.
use app::domain::Stage;
use app::domain::funding::{Derogation, DerogationKind, FundingStatus};
use app::error::AppError;
use app::models::{CurrentUser, FundingLineForm, FundingStatusInput};
use app::server::services::funding;
use chrono::{DateTime, Months, NaiveDate, Utc};
use sea_orm::DatabaseConnection;

/// The demo project (0-based) whose plan breaks the 20 % rule.
pub const BREAKS_RULE: usize = 14;
/// The demo project (the church) whose plan carries a derogation.
pub const DEROGATION: usize = 18;
/// The demo project whose DETR grant must see works start within 90 days.
pub const DETR_DUE: usize = 0;

struct Plan<'a> {
    db: &'a DatabaseConnection,
    actor: &'a CurrentUser,
    project_id: i64,
    today: NaiveDate,
    /// The latest write so far (at first, when the plan was drawn up): each comes after it (a project's last
    /// activity is its latest event).
    cursor: std::cell::Cell<DateTime<Utc>>,
    /// The demo project's rank: each gets its own office hours.
    index: usize,
    now: DateTime<Utc>,
    /// The catalogue, read once per plan.
    funders: Vec<app::models::FunderView>,
}

impl Plan<'_> {
    async fn line(
        &self,
        funder: &str,
        programme: &str,
        cents: i64,
        deadline: Option<NaiveDate>,
    ) -> Result<(i64, i32), AppError> {
        let funder_id = self
            .funders
            .iter()
            .find(|f| f.code == funder)
            .ok_or_else(AppError::internal_here)?
            .id;
        let form = FundingLineForm {
            funder_id: funder_id.to_string(),
            programme: programme.to_owned(),
            amount_requested: app::domain::euros_input(cents),
            application_deadline: deadline.map(|d| d.to_string()).unwrap_or_default(),
            ..Default::default()
        };
        let input = form.validate(FundingStatus::Identified)?;
        let id = funding::add_line(self.db, self.actor, self.project_id, input, self.today, {
            let at = (self.cursor.get() + chrono::Duration::minutes(2)).min(self.now);
            self.cursor.set(at);
            at
        })
        .await?;
        Ok((id, 1))
    }

    /// Walks a line through `steps` (status, days from today, amount).
    async fn walk(
        &self,
        (id, mut version): (i64, i32),
        steps: &[(FundingStatus, i64, Option<i64>)],
    ) -> Result<(), AppError> {
        for (k, (status, days, amount)) in steps.iter().enumerate() {
            let date = self.today + chrono::Duration::days(*days);
            let input = FundingStatusInput {
                status: *status,
                date: Some(date),
                amount: *amount,
                reason: None,
            };
            // Recorded on the day it happened, after the write before it.
            let wanted = super::at_office(
                date,
                8 + ((self.index + 2 * k) % 10) as u32,
                ((self.index * 13 + k * 7) % 60) as u32,
                self.now,
            );
            let at = wanted
                .max(self.cursor.get() + chrono::Duration::minutes(3))
                .min(self.now);
            self.cursor.set(at);
            funding::move_status(self.db, self.actor, id, version, input, self.today, at).await?;
            version += 1;
        }
        Ok(())
    }
}

/// Seeds the plan of demo project `index` (cost in cents) at `stage`.
#[allow(clippy::too_many_arguments)]
pub async fn seed_plan(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    project_id: i64,
    project_version: i32,
    index: usize,
    stage: Stage,
    cost: i64,
    today: NaiveDate,
    (start, now): (DateTime<Utc>, DateTime<Utc>),
) -> Result<(), AppError> {
    use FundingStatus::{AdvancePaid, AgreementSigned, BalancePaid, Granted, Requested};
    if matches!(stage, Stage::Emergence | Stage::Abandoned) {
        return Ok(());
    }
    let plan = Plan {
        db,
        actor,
        project_id,
        today,
        cursor: std::cell::Cell::new(start),
        index,
        // A step dated today or later is recorded a few hours before the
        // seeding, at a time of this project's own, not all at one instant.
        now: (now
            - chrono::Duration::hours(1 + index as i64 % 20)
            - chrono::Duration::minutes((index as i64 * 7) % 60))
        .max(start),
        funders: funding::all_funders(db).await?,
    };
    let pct = |p: i64| cost * p / 100;
    let breaks = index == BREAKS_RULE || index == DEROGATION;
    // DETR between 20 and 40 %; the two special plans lean on grants.
    let detr_rate = if breaks {
        40
    } else {
        20 + (index as i64 * 7) % 21
    };
    let region_rate = if breaks { 30 } else { 20 };
    let dept_rate = if breaks { 15 } else { 10 };
    // LEADER (at least 10 000 €, at most 10 % here) where DETR leaves room.
    let leader =
        (index % 4 == 2 && detr_rate <= 30 && pct(10) >= 10_000_00).then(|| pct(10).min(40_000_00));
    let detr = pct(detr_rate);
    let region = pct(region_rate);
    let dept = pct(dept_rate);
    let owner = cost - detr - region - dept - leader.unwrap_or(0);
    let days = |n: i64| today + chrono::Duration::days(n);

    let detr_line = plan
        .line(
            "detr",
            &format!("DETR {}", today.format("%Y")),
            detr,
            Some(days(20 + index as i64)),
        )
        .await?;
    let region_line = plan
        .line("region", "Contrat territorial régional", region, None)
        .await?;
    let dept_line = plan
        .line(
            "departement",
            "Aide aux communes",
            dept,
            Some(days(45 + index as i64)),
        )
        .await?;
    let leader_line = match leader {
        Some(amount) => Some(
            plan.line("leader", "GAL Haute Auvergne", amount, None)
                .await?,
        ),
        None => None,
    };
    plan.line("autofinancement", "Budget d’investissement", owner, None)
        .await?;

    match stage {
        Stage::Funding => {
            if index == DETR_DUE {
                // Notified almost two years ago, works not started: the
                // grant lapses within the officer's 90-day horizon.
                let notified = today.checked_sub_months(Months::new(24)).unwrap_or(today)
                    + chrono::Duration::days(40);
                let back = (notified - today).num_days();
                plan.walk(
                    detr_line,
                    &[(Requested, back - 60, None), (Granted, back, None)],
                )
                .await?;
            } else {
                plan.walk(detr_line, &[(Requested, -60, None)]).await?;
            }
            plan.walk(region_line, &[(Requested, -30, None)]).await?;
        }
        Stage::Delivery | Stage::Completed => {
            let done = stage == Stage::Completed;
            let mut detr_steps = vec![
                (Requested, -500, None),
                (Granted, -420, Some(detr - detr / 20)),
                (AgreementSigned, -400, None),
            ];
            let mut region_steps = vec![(Requested, -480, None), (Granted, -380, None)];
            let mut dept_steps = vec![
                (Requested, -470, None),
                (Granted, -360, None),
                (AdvancePaid, -200, Some(dept * 3 / 10)),
            ];
            if done {
                detr_steps.push((BalancePaid, -30, None));
                region_steps.push((BalancePaid, -25, None));
                dept_steps.push((BalancePaid, -20, None));
            }
            plan.walk(detr_line, &detr_steps).await?;
            plan.walk(region_line, &region_steps).await?;
            plan.walk(dept_line, &dept_steps).await?;
            if let Some(line) = leader_line {
                // Filed after works started: the plan warns about it.
                plan.walk(line, &[(Requested, -90, None)]).await?;
            }
        }
        _ => {}
    }
    if index == DEROGATION {
        funding::set_derogation(
            db,
            actor,
            project_id,
            project_version,
            Some(Derogation {
                kind: DerogationKind::ListedMonument,
                reason:
                    "Église inscrite aux monuments historiques : dérogation accordée par le préfet."
                        .to_owned(),
            }),
            (plan.cursor.get() + chrono::Duration::minutes(5)).min(now),
        )
        .await?;
    }
    Ok(())
}
