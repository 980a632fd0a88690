//! Running a stage: starting it, assigning evaluators (balanced or by hand), removing
//! an assignment.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{after, overview_of};
use crate::error::AppResult;
use crate::web::actions;
use crate::web::csrf_form::{CsrfForm, NoFields};

pub(super) async fn start(form: CsrfForm<NoFields>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let s = actions::evaluation::manage_stage(&ctx, *id).await?;
    after(
        actions::evaluation::start(&ctx, s.id()).await,
        &overview_of(&s),
        "flash-stage-started",
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct AutoForm {
    reviewers: Option<String>,
    max_load: Option<String>,
}

/// An optional whole number from a form; unreadable text becomes 0, which the domain
/// refuses with a message.
fn optional_number(raw: Option<&str>) -> Option<u32> {
    raw.map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.parse().unwrap_or(0))
}

pub(super) async fn auto_assign(
    form: CsrfForm<AutoForm>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let s = actions::evaluation::manage_stage(&ctx, *id).await?;
    let r = actions::evaluation::auto_assign(
        &ctx,
        s.id(),
        optional_number(data.reviewers.as_deref()),
        optional_number(data.max_load.as_deref()),
    )
    .await;
    after(
        r,
        &format!("/stages/{}/ranking", s.id()),
        "flash-assignments-made",
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct AssignForm {
    proposal_id: i64,
    evaluator_id: i64,
}

pub(super) async fn assign(
    form: CsrfForm<AssignForm>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let s = actions::evaluation::manage_stage(&ctx, *id).await?;
    let r = actions::evaluation::assign(&ctx, s.id(), data.proposal_id, data.evaluator_id).await;
    after(
        r,
        &format!("/stages/{}/ranking", s.id()),
        "flash-assignments-made",
    )
}

pub(super) async fn unassign(
    form: CsrfForm<NoFields>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let id = id.into_inner();
    let stage = actions::evaluation::managed_assignment(&ctx, id)
        .await?
        .stage_id;
    after(
        actions::evaluation::unassign(&ctx, id).await,
        &format!("/stages/{stage}/ranking"),
        "flash-assignment-removed",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assignment_form_reads_its_numbers_as_typed() {
        assert_eq!(optional_number(Some(" 3 ")), Some(3));
        assert_eq!(optional_number(Some("")), None);
        assert_eq!(optional_number(Some("x")), Some(0));
    }
}
