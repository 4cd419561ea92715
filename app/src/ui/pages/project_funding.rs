//! The funding section of the project page: the plan as a table with inline
//! status moves, the stacked bar (SVG with a text equivalent), the totals and
//! the rule checks with their verdicts.
use leptos::prelude::*;

use crate::ui::components::data_table::{Col, DataTable};
use rust_i18n::t;

use crate::api::funding::{
    AddFundingLine, DeleteFundingLine, MoveFundingStatus, SaveLineDocuments, SetDerogation,
    UpdateFundingLine,
};
use crate::domain::funding::{
    DerogationKind, FundingStatus, PlanFigure, SelfFundingCheck, Totals, Verdict,
};
use crate::domain::{OwnerKind, Stage, euros_input, format_euros, format_percent};
use crate::error::AppError;
use crate::models::{Attachment, FunderView, FundingLineView, FundingPlan, Labelled};
use crate::ui::actions::{field_error, general_error, reloads};
use crate::ui::components::field::{Field, TextAreaField};
use crate::ui::components::on_demand::{CloseLink, EditLink, editing};
use crate::ui::format;
use crate::ui::pages::project_documents::{AttachedDocuments, attached};

/// The section's page-level actions, and a counter the per-line forms bump
/// after a write.
#[derive(Clone, Copy)]
pub struct FundingActions {
    add: ServerAction<AddFundingLine>,
    derogation: ServerAction<SetDerogation>,
    refresh: RwSignal<u32>,
    /// A line write refused as stale: shown above the plan, which has
    /// reloaded with the current values (the line's own form is rebuilt).
    notice: RwSignal<Option<String>>,
}

impl FundingActions {
    pub fn new() -> Self {
        Self {
            add: ServerAction::new(),
            derogation: ServerAction::new(),
            refresh: RwSignal::new(0),
            notice: RwSignal::new(None),
        }
    }

    /// What should reload the page.
    pub fn reloads(&self) -> [Memo<usize>; 3] {
        let refresh = self.refresh;
        [
            reloads(self.add),
            reloads(self.derogation),
            Memo::new(move |_| refresh.get() as usize),
        ]
    }
}

impl Default for FundingActions {
    fn default() -> Self {
        Self::new()
    }
}

/// What a finished line write means for the page notice: a conflict sets
/// it, a success clears it, anything else leaves it.
fn outcome<T>(value: &Option<Result<T, AppError>>) -> Option<Option<String>> {
    match value {
        Some(Err(AppError::Conflict(message))) => Some(Some(message.clone())),
        Some(Ok(_)) => Some(None),
        _ => None,
    }
}

fn euros(cents: Option<i64>) -> String {
    cents.map(format_euros).unwrap_or_else(|| "—".to_owned())
}

#[component]
pub fn FundingSection(
    plan: FundingPlan,
    stage: Stage,
    actions: FundingActions,
    /// The project's documents, for each line's own.
    documents: crate::models::ProjectDocuments,
) -> impl IntoView {
    let FundingActions {
        add,
        derogation,
        refresh,
        notice,
    } = actions;
    let today = plan.as_of;
    let funders = plan.funders.clone();
    let assignable = plan.assignable.clone();
    let unfunded = plan.unfunded_delivery.then(|| {
        view! {
            <p class="notice warning" role="status" data-testid="unfunded">
                {t!("funding.unfunded_delivery", stage = stage.label())}
            </p>
        }
    });
    let over = plan.totals.over_funding.map(|over| {
        view! {
            <p class="form-error" role="alert" data-testid="over-funding">
                {t!("funding.over_funding", amount = format_euros(over))}
            </p>
        }
    });
    view! {
        <section class="card" id="financements" aria-labelledby="funding-title" data-testid="funding">
            <h2 id="funding-title">{t!("funding.title")}</h2>
            <p class="form-error" role="alert" data-testid="funding-notice">{move || notice.get()}</p>
            {unfunded}
            <FundingBar totals=plan.totals />
            <TotalsList totals=plan.totals />
            {over}
            <SelfFunding
                check=plan.self_funding.clone()
                owner_kind=plan.owner_kind
                project_id=plan.project_id
                project_version=plan.project_version
                current=plan.derogation.as_ref().map(|d| (d.kind, d.reason.clone()))
                action=derogation
            />
            <PlanTable plan=plan.clone() />
            <details class="add-form" id="nouveau-financement" open=move || add.value().with(|v| matches!(v, Some(Err(_))))>
                <summary>{t!("funding.add_line")}</summary>
                <ActionForm action=add attr:class="form" attr:novalidate="true" attr:data-anchor="financements" attr:data-done=t!("done.line_added").into_owned()>
                    <input type="hidden" name="project_id" value=plan.project_id.to_string() />
                    <LineFields prefix="new-line".to_owned() funders=plan.funders.clone() assignable=plan.assignable.clone() line=None
                        error=move |name| field_error(add, name) />
                    <p class="form-error" role="alert">{general_error(add)}</p>
                    <button type="submit" class="button">{t!("funding.add_line")}</button>
                </ActionForm>
            </details>
            <h3>{t!("funding.lines")}</h3>
            {if plan.lines.is_empty() {
                view! { <p class="empty">{t!("funding.no_lines")}</p> }.into_any()
            } else {
                view! {
                    <ul class="funding-lines">
                        {plan.lines.iter().cloned().map(|line| {
                            let docs = attached(&documents, Attachment::FundingLine(line.id));
                            view! { <LineItem line funders=funders.clone() assignable=assignable.clone() today refresh notice docs types=documents.types.clone() /> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// The plan as a table: one row per line, then the totals; each line's
/// share of the total cost is exact until shown.
#[component]
fn PlanTable(plan: FundingPlan) -> impl IntoView {
    if plan.lines.is_empty() {
        return ().into_any();
    }
    let cost = plan.totals.cost.filter(|c| *c > 0);
    // The column's total: what every line still in the plan asks for.
    let requested_total: i64 = plan
        .lines
        .iter()
        .filter(|l| l.status != FundingStatus::Refused)
        .filter_map(|l| l.amount_requested_cents)
        .sum();
    let share = move |cents: i64| {
        cost.and_then(|c| crate::domain::funding::Ratio::of(cents, c))
            .map(|r| r.to_string())
            .unwrap_or_else(|| "—".to_owned())
    };
    let totals = plan.totals;
    view! {
        <DataTable
            class="plan-table stack-on-phone"
            testid="plan-table"
            caption=t!("funding.table_caption").into_owned()
            cols=vec![
                Col::text(t!("funding.funder")), Col::text(t!("funding.status")),
                Col::num(t!("funding.requested_or_planned")), Col::num(t!("funding.granted")),
                Col::num(t!("funding.paid")), Col::num(t!("funding.share_of_cost")),
            ]
            foot=move || view! {
                <tr>
                    <th scope="row">{t!("funding.total")}</th>
                    <td class="empty-cell"></td>
                    <td class="num" data-label=t!("funding.requested_or_planned").into_owned()>{format_euros(requested_total)}</td>
                    <td class="num" data-label=t!("funding.granted").into_owned()>{format_euros(totals.granted)}</td>
                    <td class="num" data-label=t!("funding.paid").into_owned()>{format_euros(totals.paid)}</td>
                    <td class="num" data-label=t!("funding.share_of_cost").into_owned()>{share(totals.planned)}</td>
                </tr>
            }
        >
            {plan.lines.iter().map(|l| view! {
                <tr>
                    <th scope="row">
                        {l.funder_name.clone()}
                        {(!l.programme.is_empty()).then(|| view! { <span class="muted">" — "{l.programme.clone()}</span> })}
                    </th>
                    <td data-label=t!("funding.status").into_owned()>{l.status.label()}</td>
                    <td class="num" data-label=t!("funding.requested_or_planned").into_owned()>{euros(l.amount_requested_cents)}</td>
                    <td class="num" data-label=t!("funding.granted").into_owned()>{euros(l.amount_granted_cents)}</td>
                    <td class="num" data-label=t!("funding.paid").into_owned()>{format_euros(l.amount_paid_cents)}</td>
                    <td class="num" data-label=t!("funding.share_of_cost").into_owned()>{share(l.planned_cents)}</td>
                </tr>
            }).collect_view()}
        </DataTable>
    }
    .into_any()
}

/// The stacked bar: paid / granted / requested / identified / still to find,
/// as an SVG image whose text equivalent is the legend below it.
#[component]
fn FundingBar(totals: Totals) -> impl IntoView {
    let bar = totals.bar;
    let segments = [
        ("paid", bar.paid),
        ("granted", bar.granted),
        ("own_funds", bar.own_funds),
        ("pending", bar.pending),
        ("identified", bar.identified),
        ("to_find", bar.to_find),
    ];
    let total = bar.total().max(totals.cost.unwrap_or(0));
    let rects = crate::ui::components::stacked_bar::rects(&segments, total);
    let base = totals.cost.filter(|c| *c > 0);
    view! {
        <figure class="funding-bar">
            <svg viewBox="0 0 1000 24" preserveAspectRatio="none" role="img"
                aria-labelledby="funding-bar-title" data-testid="funding-bar">
                <title id="funding-bar-title">{t!("funding.bar_title")}</title>
                <rect class="seg-empty" x="0" y="0" width="1000" height="24" />
                {rects}
            </svg>
            <figcaption>
                <ul class="bar-legend" data-testid="bar-legend">
                    {segments.into_iter().map(|(name, v)| {
                        let share = base
                            .and_then(|c| crate::domain::funding::Ratio::of(v, c))
                            .map(|r| format!(" ({r})"))
                            .unwrap_or_default();
                        view! {
                            <li data-segment=name>
                                <span class=format!("swatch seg-{name}") aria-hidden="true"></span>
                                {t!(format!("funding.bar_{name}"))}" : "{format_euros(v)}{share}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </figcaption>
        </figure>
    }
}

/// Every figure of the plan, with the labels every other page uses.
#[component]
fn TotalsList(totals: Totals) -> impl IntoView {
    view! {
        <dl class="facts" data-testid="funding-totals">
            {PlanFigure::ALL.into_iter().map(|f| view! {
                <div data-figure=f.as_str()>
                    <dt>{f.label()}</dt>
                    <dd>{euros(f.of(&totals))}</dd>
                </div>
            }).collect_view()}
        </dl>
    }
}

/// The self-funding rule: the owner's share, the threshold, the verdict,
/// and the derogation form.
#[component]
fn SelfFunding(
    check: SelfFundingCheck,
    owner_kind: Option<OwnerKind>,
    project_id: i64,
    project_version: i32,
    current: Option<(DerogationKind, String)>,
    action: ServerAction<SetDerogation>,
) -> impl IntoView {
    let share = check
        .share
        .map(|r| r.to_string())
        .unwrap_or_else(|| "—".to_owned());
    let figures = t!(
        "funding.self_funding_figures",
        owner = format_euros(check.owner),
        share = share,
        public = format_euros(check.public_total),
        threshold = format_euros(check.threshold)
    )
    .into_owned();
    let missing = format_euros(check.shortfall);
    let (class, verdict) = match &check.verdict {
        Verdict::Met => ("met", t!("funding.self_funding_met").into_owned()),
        Verdict::Breached => (
            "breached",
            t!("funding.self_funding_breached", missing = missing).into_owned(),
        ),
        Verdict::Derogation(d) => (
            "derogation",
            t!(
                "funding.self_funding_derogation",
                kind = d.kind.label(),
                reason = d.reason.clone(),
                missing = missing
            )
            .into_owned(),
        ),
        Verdict::NotApplicable => (
            "not-applicable",
            match owner_kind {
                Some(k) => t!("funding.self_funding_not_applicable", kind = k.label()).into_owned(),
                None => t!("funding.self_funding_owner_unknown").into_owned(),
            },
        ),
    };
    let breached = matches!(check.verdict, Verdict::Breached);
    let (kind_now, reason_now) = current.unzip();
    view! {
        <div class=format!("rule verdict-{class}") data-testid="self-funding" data-verdict=class>
            <h3>{t!("funding.self_funding_title")}</h3>
            <p>{figures}</p>
            <p class="verdict" role=if breached { "alert" } else { "status" }>{verdict}</p>
            <details class="derogation-edit" open=move || action.value().with(|v| matches!(v, Some(Err(_))))>
                <summary>{t!("funding.derogation_edit")}</summary>
                <ActionForm action attr:class="form" attr:novalidate="true" attr:data-anchor="financements" attr:data-done=t!("done.derogation").into_owned()>
                    <input type="hidden" name="project_id" value=project_id.to_string() />
                    <input type="hidden" name="version" value=project_version.to_string() />
                    <div class="field" class:has-error=move || field_error(action, "kind").get().is_some()>
                        <label for="derogation-kind">{t!("funding.derogation_kind")}</label>
                        <select id="derogation-kind" name="form[kind]">
                            <option value="">{t!("funding.derogation_none")}</option>
                            {DerogationKind::ALL.into_iter().map(|k| view! {
                                <option value=k.as_str() selected=kind_now == Some(k)>{k.label()}</option>
                            }).collect_view()}
                        </select>
                        <p class="field-error" role="alert">{move || field_error(action, "kind").get()}</p>
                    </div>
                    <TextAreaField name="form[reason]" id="derogation-reason" label=t!("funding.derogation_reason").into_owned() rows=2
                        value=reason_now.unwrap_or_default() max=crate::domain::input::max::REASON
                        error=field_error(action, "reason") />
                    <p class="form-error" role="alert">{general_error(action)}</p>
                    <button type="submit" class="button">{t!("funding.derogation_save")}</button>
                </ActionForm>
            </details>
        </div>
    }
}

/// One funding line: its figures, dates, deadlines and warnings; a status
/// move form; an edit form with delete.
#[component]
fn LineItem(
    line: FundingLineView,
    funders: Vec<FunderView>,
    assignable: Vec<Labelled>,
    today: chrono::NaiveDate,
    refresh: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
    /// Its own documents.
    docs: Vec<crate::models::DocumentView>,
    /// The document types to choose from (what the application asks for).
    types: Vec<Labelled>,
) -> impl IntoView {
    let status = ServerAction::<MoveFundingStatus>::new();
    let update = ServerAction::<UpdateFundingLine>::new();
    let delete = ServerAction::<DeleteFundingLine>::new();
    let asked = ServerAction::<SaveLineDocuments>::new();
    let status_reloads = reloads(status);
    let update_reloads = reloads(update);
    let delete_reloads = reloads(delete);
    let asked_reloads = reloads(asked);
    Effect::new(move |_| {
        let outcomes = [
            status.value().with(outcome),
            update.value().with(outcome),
            delete.value().with(outcome),
            asked.value().with(outcome),
        ];
        for o in outcomes.into_iter().flatten() {
            notice.set(o);
        }
    });
    Effect::new(move |previous: Option<usize>| {
        let now = status_reloads.get()
            + update_reloads.get()
            + delete_reloads.get()
            + asked_reloads.get();
        if previous.is_some_and(|p| p != now) {
            refresh.update(|n| *n += 1);
        }
        now
    });
    let id = line.id;
    let prefix = format!("line-{id}");
    let dates: Vec<String> = [
        (line.requested_on, "funding.requested_on"),
        (
            line.decided_on,
            if line.status == FundingStatus::Refused {
                "funding.refused_on"
            } else {
                "funding.decided_on"
            },
        ),
        (line.agreement_on, "funding.agreement_on"),
        (line.advance_on, "funding.advance_on"),
        (line.balance_on, "funding.balance_on"),
    ]
    .into_iter()
    .filter_map(|(d, key)| d.map(|d| t!(key, date = format::date(d)).into_owned()))
    .collect();
    let responsible = line.responsible.clone().map(|name| {
        view! { <p class="hint" data-testid="line-responsible">{t!("projects.assigned_to", name = name)}</p> }
    });
    let deadline = line
        .application_deadline
        .filter(|_| line.status == FundingStatus::Identified)
        .map(|d| {
            let late = d < today;
            view! {
                <p class=if late { "deadline late" } else { "deadline" }>
                    {t!("funding.application_deadline_on", date = format::date(d))}
                </p>
            }
        });
    let detr = line.detr.map(|d| {
        view! {
            <p class="deadline" data-testid="detr-deadlines">
                {t!("funding.detr_start_by", date = format::date(d.start_by))}
                {d.complete_by.map(|c| view! { " · "{t!("funding.detr_complete_by", date = format::date(c))} })}
            </p>
        }
    });
    let rate = line.rate_basis_points.map(|r| {
        let base = line
            .eligible_base_cents
            .map(|b| {
                t!(
                    "funding.on_base",
                    base = format_euros(b),
                    basis = line.basis.to_uppercase()
                )
                .into_owned()
            })
            .unwrap_or_default();
        format!("{}{}", format_percent(r), base)
    });
    let general = move || {
        general_error(status)
            .get()
            .or_else(|| general_error(update).get())
            .or_else(|| general_error(delete).get())
    };
    let current = line.status;
    let status_id = format!("{prefix}-status");
    let date_id = format!("{prefix}-date");
    let amount_id = format!("{prefix}-amount");
    let reason_id = format!("{prefix}-reason");
    let version = line.version;
    let funder_code = line.funder_code.clone();
    let funder_name = line.funder_name.clone();
    let programme = line.programme.clone();
    let notes = line.notes.clone();
    let warnings = line.warnings.clone();
    let required = line.required_documents.clone();
    let own_documents = line.own_documents;
    let asked_form = view! {
        <AskedForm line_id=line.id version=line.version own=own_documents required=required.clone() types action=asked />
    };
    let figures = (
        euros(line.amount_requested_cents),
        euros(line.amount_granted_cents),
        format_euros(line.amount_paid_cents),
    );
    // Before filing, the amount is what the line plans on, not a request.
    let requested_label = if current == FundingStatus::Identified {
        t!("funding.planned")
    } else {
        t!("funding.requested")
    };
    let edit_line = Some(line);
    let key = format!("ligne-{id}");
    view! {
        <li class=format!("funding-line status-{}", current.as_str()) data-testid="funding-line" data-funder=funder_code id=key.clone()>
            <div class="line-head">
                <strong>{funder_name}</strong>
                {(!programme.is_empty()).then(|| view! { <span class="muted">" — "{programme}</span> })}
                " "
                <span class=format!("badge funding-{}", current.as_str()) data-testid="line-status">{current.label()}</span>
            </div>
            <dl class="line-figures">
                <dt>{requested_label}</dt><dd>{figures.0}</dd>
                <dt>{t!("funding.granted")}</dt><dd>{figures.1}</dd>
                <dt>{t!("funding.paid")}</dt><dd>{figures.2}</dd>
                {rate.map(|r| view! { <dt>{t!("funding.rate")}</dt><dd>{r}</dd> })}
            </dl>
            {(!dates.is_empty()).then(|| view! { <p class="muted">{dates.join(" · ")}</p> })}
            {deadline}
            {responsible}
            {detr}
            {warnings.into_iter().map(|w| view! { <p class="notice warning" role="status">{w}</p> }).collect_view()}
            {(!required.is_empty() || own_documents).then(|| view! {
                <p class="required-documents" data-testid="required-documents">
                    {if own_documents { t!("documents.required_own") } else { t!("documents.required") }}" "
                    {required.is_empty().then_some("—")}
                    {required.into_iter().map(|r| view! {
                        <span class=if r.present { "badge present" } else { "badge missing" }
                            data-present=r.present.to_string()>
                            {if r.present { "✓ " } else { "✗ " }}{r.label}
                            <span class="visually-hidden">{if r.present { t!("documents.present") } else { t!("documents.missing") }}</span>
                        </span>" "
                    }).collect_view()}
                </p>
            })}
            {asked_form}
            <AttachedDocuments docs />
            {(!notes.is_empty()).then(|| view! { <p class="pre muted">{notes}</p> })}
            <details class="line-status" open=move || status.value().with(|v| matches!(v, Some(Err(_))))>
                <summary>{t!("funding.change_status")}</summary>
                <ActionForm action=status attr:class="form" attr:novalidate="true" attr:data-anchor="financements" attr:data-done=t!("done.line_status").into_owned()>
                    <input type="hidden" name="line_id" value=id.to_string() />
                    <input type="hidden" name="version" value=version.to_string() />
                    <div class="field" class:has-error=move || field_error(status, "status").get().is_some()>
                        <label for=status_id.clone()>{t!("funding.new_status")}</label>
                        <select id=status_id.clone() name="form[status]">
                            {FundingStatus::ALL.into_iter().filter(|s| *s != current).map(|s| view! {
                                <option value=s.as_str()>{s.label()}</option>
                            }).collect_view()}
                        </select>
                        <p class="field-error" role="alert">{move || field_error(status, "status").get()}</p>
                    </div>
                    <Field name="form[date]" id=date_id.clone() kind="date" label=t!("funding.step_date").into_owned()
                        hint=t!("funding.step_date_hint").into_owned() value=today.to_string() error=field_error(status, "date") />
                    <Field name="form[amount]" id=amount_id.clone() label=t!("funding.step_amount").into_owned()
                        hint=t!("funding.step_amount_hint").into_owned() error=field_error(status, "amount") />
                    <Field max=crate::domain::input::max::REASON name="form[reason]" id=reason_id.clone() label=t!("funding.step_reason").into_owned()
                        error=field_error(status, "reason") />
                    <button type="submit" class="button">{t!("funding.save_status")}</button>
                </ActionForm>
            </details>
            {if editing(&key) { view! {
            <div class="line-edit">
                <ActionForm action=update attr:class="form" attr:novalidate="true" attr:data-anchor="financements" attr:data-done=t!("done.line_saved").into_owned()>
                    <input type="hidden" name="line_id" value=id.to_string() />
                    <input type="hidden" name="version" value=version.to_string() />
                    <LineFields prefix=prefix.clone() funders=funders.clone() assignable=assignable.clone() line=edit_line.clone()
                        error=move |name| field_error(update, name) />
                    <button type="submit" class="button">{t!("funding.save_line")}</button>
                </ActionForm>
                <ActionForm action=delete attr:class="inline-form" attr:data-anchor="financements" attr:data-done=t!("done.line_deleted").into_owned() attr:data-confirm=t!("confirm.delete_line").into_owned()>
                    <input type="hidden" name="line_id" value=id.to_string() />
                    <input type="hidden" name="version" value=version.to_string() />
                    <button type="submit" class="button small danger">{t!("funding.delete_line")}</button>
                </ActionForm>
                <CloseLink anchor=key.clone() label=t!("projects.close_edit").into_owned() />
            </div>
            }.into_any() } else { view! {
                <EditLink key=key.clone() label=t!("funding.edit_line").into_owned() />
            }.into_any() }}
            <p class="form-error" role="alert">{general}</p>
        </li>
    }
}

/// The fields of a line (add and edit). Granted and paid amounts and the
/// DETR extensions only show when editing an existing line.
#[component]
fn LineFields<E>(
    prefix: String,
    funders: Vec<FunderView>,
    assignable: Vec<Labelled>,
    line: Option<FundingLineView>,
    error: E,
) -> impl IntoView
where
    E: Fn(&'static str) -> Signal<Option<String>> + Copy + Send + Sync + 'static,
{
    let id = |name: &str| format!("{prefix}-{name}");
    let selected = line.as_ref().map(|l| l.funder_id);
    let money = |v: Option<i64>| v.map(euros_input).unwrap_or_default();
    let l = line.clone();
    let text = move |f: fn(&FundingLineView) -> String| l.as_ref().map(f).unwrap_or_default();
    let basis = line
        .as_ref()
        .map(|l| l.basis.clone())
        .unwrap_or_else(|| "ht".to_owned());
    let existing = line.clone().map(|l| {
        view! {
            <div class="two-cols">
                <Field name="form[amount_granted]" id=format!("{prefix}-granted") label=t!("funding.granted_amount").into_owned()
                    value=money(l.amount_granted_cents) error=error("amount_granted") />
                <Field name="form[amount_paid]" id=format!("{prefix}-paid") label=t!("funding.paid_amount").into_owned()
                    value=euros_input(l.amount_paid_cents) error=error("amount_paid") />
            </div>
            {(l.funder_code == "detr").then(|| view! {
                <label class="check"><input type="checkbox" name="form[start_extended]" checked=l.start_extended />{t!("funding.start_extended")}</label>
                <label class="check"><input type="checkbox" name="form[completion_extended]" checked=l.completion_extended />{t!("funding.completion_extended")}</label>
            })}
        }
    });
    view! {
        <div class="field" class:has-error=move || error("funder_id").get().is_some()>
            <label for=id("funder")>{t!("funding.funder")}" *"</label>
            <select id=id("funder") name="form[funder_id]">
                {line.is_none().then(|| view! { <option value="">{t!("funding.choose_funder")}</option> })}
                // A funder deactivated since stays the line's funder.
                {line.as_ref().filter(|l| !funders.iter().any(|f| f.id == l.funder_id)).map(|l| view! {
                    <option value=l.funder_id.to_string() selected=true>{l.funder_name.clone()}</option>
                })}
                {funders.into_iter().map(|f| view! {
                    <option value=f.id.to_string() selected=selected == Some(f.id)>{f.name}</option>
                }).collect_view()}
            </select>
            <p class="field-error" role="alert" id=id("funder-erreur")>{move || error("funder_id").get()}</p>
        </div>
        <Field max=200 name="form[programme]" id=id("programme") label=t!("funding.programme").into_owned()
            hint=t!("funding.programme_hint").into_owned()
            value=text(|l| l.programme.clone()) error=error("programme") />
        <div class="two-cols">
            <Field name="form[amount_requested]" id=id("requested") label=t!("funding.requested_amount").into_owned() required=true
                value=money(line.as_ref().and_then(|l| l.amount_requested_cents)) error=error("amount_requested") />
            <div class="field" class:has-error=move || error("basis").get().is_some()>
                <label for=id("basis")>{t!("funding.basis")}</label>
                <select id=id("basis") name="form[basis]">
                    <option value="ht" selected=basis == "ht">{t!("funding.basis_ht")}</option>
                    <option value="ttc" selected=basis == "ttc">{t!("funding.basis_ttc")}</option>
                </select>
                <p class="field-error" role="alert">{move || error("basis").get()}</p>
            </div>
        </div>
        <div class="two-cols">
            <Field name="form[eligible_base]" id=id("base") label=t!("funding.eligible_base").into_owned()
                value=money(line.as_ref().and_then(|l| l.eligible_base_cents)) error=error("eligible_base") />
            <Field name="form[rate]" id=id("rate") label=t!("funding.rate_percent").into_owned()
                value=line.as_ref().and_then(|l| l.rate_basis_points).map(|r| euros_input(i64::from(r))).unwrap_or_default()
                error=error("rate") />
        </div>
        <Field name="form[application_deadline]" id=id("deadline") kind="date" label=t!("funding.application_deadline").into_owned()
            value=line.as_ref().and_then(|l| l.application_deadline).map(|d| d.to_string()).unwrap_or_default()
            error=error("application_deadline") />
        <crate::ui::pages::project::AssigneeField id=id("responsible") name="form[responsible]"
            label=t!("funding.responsible").into_owned() choices=assignable
            current=line.as_ref().and_then(|l| l.responsible_id.map(|id| (id, l.responsible_name.clone().unwrap_or_default())))
            error=error("responsible") />
        {existing}
        <Field max=crate::domain::input::max::NOTE name="form[notes]" id=id("notes") label=t!("funding.notes").into_owned()
            value=text(|l| l.notes.clone()) error=error("notes") />
    }
}

/// « Modifier les pièces demandées »: the line's own list of what its
/// application asks for, as checkboxes; and, when it has one, the way back
/// to its funder's list.
#[component]
fn AskedForm(
    line_id: i64,
    version: i32,
    own: bool,
    required: Vec<crate::models::RequiredDocument>,
    types: Vec<Labelled>,
    action: ServerAction<SaveLineDocuments>,
) -> impl IntoView {
    // The types offered, and any the list holds that no longer is.
    let mut choices = types;
    for r in &required {
        if !choices.iter().any(|t| t.code == r.type_code) {
            choices.push(Labelled {
                code: r.type_code.clone(),
                label: r.label.clone(),
            });
        }
    }
    let legend = t!("documents.asked_edit").into_owned();
    view! {
        <details class="asked-edit" open=move || action.value().with(|v| matches!(v, Some(Err(AppError::Validation(_)))))>
            <summary>{legend.clone()}</summary>
            <ActionForm action attr:class="form" attr:novalidate="true" attr:data-anchor="financements" attr:data-done=t!("documents.asked_saved").into_owned()>
                <input type="hidden" name="line_id" value=line_id.to_string() />
                <input type="hidden" name="version" value=version.to_string() />
                <fieldset class="checks">
                    <legend>{legend}</legend>
                    <p class="hint">{t!("documents.asked_hint")}</p>
                    {choices.into_iter().enumerate().map(|(i, ty)| {
                        let checked = required.iter().any(|r| r.type_code == ty.code);
                        view! {
                            <label class="check">
                                <input type="checkbox" name=format!("form[types][{i}]") value=ty.code checked=checked />
                                {ty.label}
                            </label>
                        }
                    }).collect_view()}
                    <p class="field-error" role="alert">{field_error(action, "types")}</p>
                </fieldset>
                <p class="form-error" role="alert">{general_error(action)}</p>
                <button type="submit" class="button small">{t!("documents.asked_save")}</button>
            </ActionForm>
            {own.then(|| view! {
                <ActionForm action attr:class="inline-form" attr:data-anchor="financements" attr:data-done=t!("documents.asked_saved").into_owned()>
                    <input type="hidden" name="line_id" value=line_id.to_string() />
                    <input type="hidden" name="version" value=version.to_string() />
                    <input type="hidden" name="form[reset]" value="on" />
                    <button type="submit" class="button small">{t!("documents.asked_reset")}</button>
                </ActionForm>
            })}
        </details>
    }
}
