//! What a funding plan and its figures are computed from: the project
//! row, the funder catalogue, the project's lines (with their funder's
//! category and their status) and the recorded works start. The plan page
//! (`funding::plan`) and the stored plan figures (`plan_figures::compute`)
//! read the same rows.
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::funding::{
    Derogation, FunderCategory, FundingStatus, PlanFigures, PlanLine, SelfFundingCheck, Totals,
    check_self_funding, detr_completion_deadline, detr_next_due, detr_start_deadline, totals,
};
use crate::domain::{MilestoneKind, OwnerKind};
use crate::error::AppError;
use crate::models::DetrDeadlines;
use crate::server::entities::funding::{funder, funding_line};
use crate::server::entities::projects::{milestone, project};

/// The recorded works start of projects: the earliest done "début des
/// travaux" milestone.
pub(crate) async fn works_starts(
    db: &impl ConnectionTrait,
    project_ids: &[i64],
) -> Result<HashMap<i64, NaiveDate>, AppError> {
    let mut out: HashMap<i64, NaiveDate> = HashMap::new();
    for m in milestone::Entity::find()
        .filter(milestone::Column::ProjectId.is_in(project_ids.to_vec()))
        .filter(milestone::Column::Kind.eq(MilestoneKind::WorksStart))
        .filter(milestone::Column::DoneDate.is_not_null())
        .all(db)
        .await?
    {
        if let Some(done) = m.done_date {
            out.entry(m.project_id)
                .and_modify(|d| *d = (*d).min(done))
                .or_insert(done);
        }
    }
    Ok(out)
}

pub(crate) fn detr_deadlines(
    row: &funding_line::Model,
    status: FundingStatus,
    works_start: Option<NaiveDate>,
) -> Option<DetrDeadlines> {
    let notified = row.decided_on.filter(|_| status.is_secured())?;
    Some(DetrDeadlines {
        start_by: detr_start_deadline(notified, row.start_extended),
        complete_by: works_start.map(|s| detr_completion_deadline(s, row.completion_extended)),
    })
}

pub(crate) fn plan_line(
    category: FunderCategory,
    status: FundingStatus,
    row: &funding_line::Model,
) -> PlanLine {
    PlanLine {
        category,
        status,
        requested: row.amount_requested_cents,
        granted: row.amount_granted_cents,
        paid: row.amount_paid_cents,
    }
}

/// What a plan and its figures are computed from: the project row, the
/// funder catalogue, the project's lines (with their funder's category and
/// their status) and the recorded works start.
pub(crate) struct PlanRows {
    pub(crate) project: project::Model,
    pub(crate) funders: HashMap<i64, funder::Model>,
    pub(crate) lines: Vec<(funding_line::Model, FunderCategory, FundingStatus)>,
    pub(crate) works_start: Option<NaiveDate>,
}

/// The whole funder catalogue by id.
pub(crate) async fn funder_catalogue(
    db: &impl ConnectionTrait,
) -> Result<HashMap<i64, funder::Model>, AppError> {
    Ok(funder::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.id, f))
        .collect())
}

impl PlanRows {
    pub(crate) async fn load(db: &impl ConnectionTrait, project_id: i64) -> Result<Self, AppError> {
        Self::load_many(db, &[project_id])
            .await?
            .remove(&project_id)
            .ok_or(AppError::NotFound)
    }

    /// `load` for many projects at once (a change spanning projects):
    /// four statements whatever their number. Projects not found are absent.
    pub(crate) async fn load_many(
        db: &impl ConnectionTrait,
        project_ids: &[i64],
    ) -> Result<HashMap<i64, Self>, AppError> {
        let funders = funder_catalogue(db).await?;
        let mut lines: HashMap<i64, Vec<(funding_line::Model, FunderCategory, FundingStatus)>> =
            HashMap::new();
        for row in funding_line::Entity::find()
            .filter(funding_line::Column::ProjectId.is_in(project_ids.iter().copied()))
            .order_by_asc(funding_line::Column::Id)
            .all(db)
            .await?
        {
            let f = funders.get(&row.funder_id).ok_or_else(|| {
                AppError::internal(format_args!(
                    "line {}: funder {} missing",
                    row.id, row.funder_id
                ))
            })?;
            let (category, status) = (f.category, row.status);
            lines
                .entry(row.project_id)
                .or_default()
                .push((row, category, status));
        }
        let starts = works_starts(db, project_ids).await?;
        Ok(project::Entity::find()
            .filter(project::Column::Id.is_in(project_ids.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|project| {
                let id = project.id;
                let rows = PlanRows {
                    project,
                    funders: funders.clone(),
                    lines: lines.remove(&id).unwrap_or_default(),
                    works_start: starts.get(&id).copied(),
                };
                (id, rows)
            })
            .collect())
    }

    pub(crate) fn rule_lines(&self) -> Vec<PlanLine> {
        self.lines
            .iter()
            .map(|(row, category, status)| plan_line(*category, *status, row))
            .collect()
    }

    pub(crate) fn owner_kind(&self) -> Option<OwnerKind> {
        self.project.owner_kind
    }

    pub(crate) fn totals(&self, rule_lines: &[PlanLine]) -> Totals {
        totals(self.project.estimated_cost_cents, rule_lines)
    }

    pub(crate) fn self_funding(&self, rule_lines: &[PlanLine]) -> SelfFundingCheck {
        check_self_funding(
            self.owner_kind().is_some_and(OwnerKind::is_local_authority),
            rule_lines,
            derogation_of(&self.project).as_ref(),
        )
    }

    /// The DETR deadlines of a line (a DETR line once granted).
    pub(crate) fn detr(
        &self,
        row: &funding_line::Model,
        status: FundingStatus,
    ) -> Option<DetrDeadlines> {
        let f = self.funders.get(&row.funder_id)?;
        (f.code == "detr")
            .then(|| detr_deadlines(row, status, self.works_start))
            .flatten()
    }

    /// The figures the dashboard adds up, as the plan page shows them.
    pub(crate) fn figures(&self) -> PlanFigures {
        let rule_lines = self.rule_lines();
        PlanFigures::new(
            &self.totals(&rule_lines),
            &self.self_funding(&rule_lines).verdict,
            self.lines.iter().filter_map(|(row, _, status)| {
                let d = self.detr(row, *status)?;
                detr_next_due(
                    d.start_by,
                    d.complete_by,
                    *status == FundingStatus::BalancePaid,
                )
            }),
        )
    }
}

pub(crate) fn derogation_of(project: &project::Model) -> Option<Derogation> {
    Some(Derogation {
        kind: project.derogation_kind?,
        reason: project.derogation_reason.clone().unwrap_or_default(),
    })
}
