//! `/api/v1` forms and pilots (docs/API.md, "Forms and pilots"): form definitions in versions,
//! pilots of a proposal, their submissions (JSON or CSV), metrics, receipts as PDF and
//! webhooks with their delivery log.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::auth::policy::Action;
use crate::domain::pilots::{webhooks, Pilot, PilotInput};
use crate::domain::time::utc;
use crate::error::{AppError, AppResult};
use crate::forms::FormDefinition;
use crate::kinds::DeliveryStatus;
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::{render, views};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/forms", web::post().to(create_form))
        .route("/forms/{id}", web::put().to(save_form))
        .route("/forms/{id}", web::get().to(get_form))
        .route("/proposals/{id}/pilots", web::post().to(create_pilot))
        .route("/proposals/{id}/pilots", web::get().to(pilots_of))
        .route("/pilots/{id}", web::get().to(get_pilot))
        .route("/pilots/{id}", web::patch().to(update_pilot))
        .route("/pilots/{id}/submissions", web::get().to(submissions))
        .route("/pilots/{id}/metrics", web::get().to(metrics))
        .route("/pilots/{id}/webhooks", web::post().to(add_webhook))
        .route("/pilot-submissions/{id}/pdf", web::get().to(submission_pdf))
        .route("/pilots/{id}/deliveries", web::get().to(deliveries))
        .route(
            "/pilots/{id}/deliveries/{delivery}/redeliver",
            web::post().to(redeliver),
        );
}

/// The definition from a request body: an object as docs/FORMS.md describes.
fn definition(v: &Value) -> AppResult<FormDefinition> {
    FormDefinition::from_value(v).map_err(AppError::Validation)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FormBody {
    pub organisation_id: i64,
    #[serde(default)]
    pub title: String,
    /// The form definition (docs/FORMS.md).
    #[schema(value_type = Object)]
    pub definition: Value,
}

/// Create a form in an organisation's name (any member).
#[utoipa::path(post, path = "/api/v1/forms", tag = "forms", request_body = FormBody,
    responses((status = 201, description = "{id, version}"), (status = 422, description = "a message per problem, by path")))]
pub async fn create_form(ctx: Ctx, body: web::Json<FormBody>) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let def = definition(&b.definition)?;
    let cur = actions::pilots::create_form(&ctx, b.organisation_id, b.title, def).await?;
    Ok(HttpResponse::Created().json(json!({ "id": cur.form.id, "version": cur.version.version })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FormUpdate {
    pub title: Option<String>,
    #[schema(value_type = Object)]
    pub definition: Value,
}

/// Save a form: over its latest version while nobody answered it, else as a new version.
#[utoipa::path(put, path = "/api/v1/forms/{id}", tag = "forms", params(("id" = i64, Path)), request_body = FormUpdate,
    responses((status = 200, description = "{id, version}"), (status = 422)))]
pub async fn save_form(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<FormUpdate>,
) -> AppResult<HttpResponse> {
    let (_, facts) = actions::pilots::load_form(&ctx, id.into_inner()).await?;
    let b = body.into_inner();
    let def = definition(&b.definition)?;
    let cur = actions::pilots::save_form(&ctx, &facts, b.title, def).await?;
    Ok(HttpResponse::Ok().json(json!({ "id": cur.form.id, "version": cur.version.version })))
}

/// A form's latest definition: its organisation, and anyone once a published challenge
/// asks it or a pilot runs it. `organisation_id` is null for readers who may not learn
/// the owner (a form public only through a pilot: blind review may hide its team).
#[utoipa::path(get, path = "/api/v1/forms/{id}", tag = "forms", params(("id" = i64, Path)),
    responses((status = 200, description = "{id, organisation_id (null when the owner is not shown), title, version, definition}"), (status = 404)))]
pub async fn get_form(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (cur, facts) = actions::pilots::load_form(&ctx, id.into_inner()).await?;
    let owner = facts
        .shows_owner(&ctx.actor())
        .then_some(cur.form.organisation_id);
    let definition: Value =
        serde_json::from_str(&cur.version.definition).map_err(AppError::internal)?;
    Ok(HttpResponse::Ok().json(json!({
        "id": cur.form.id,
        "organisation_id": owner,
        "title": cur.form.title,
        "version": cur.version.version,
        "updated_at": utc(cur.form.updated_at),
        "definition": definition,
    })))
}

fn pilot_json(ctx: &Ctx, p: &Pilot) -> Value {
    json!({
        "id": p.id,
        "proposal_id": p.proposal_id,
        "form_id": p.form_id,
        "slug": p.slug,
        "mode": p.mode,
        "title": p.title,
        "intro": p.intro,
        "consent_text": p.consent_text,
        "opens_at": p.opens_at.map(utc),
        "closes_at": p.closes_at.map(utc),
        "retention_days": p.retention_days,
        "availability": p.availability(crate::db::now()),
        "public_url": format!("{}{}", ctx.state.config.public_url, p.public_path()),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PilotBody {
    pub form_id: i64,
    /// web or assistant.
    pub mode: Option<String>,
    /// Defaults to the form's title.
    pub title: Option<String>,
    pub intro: Option<String>,
    /// Defaults to a standard text about taking part and data protection.
    pub consent_text: Option<String>,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    /// Days the answers are kept (1 to 3650, default 90).
    pub retention_days: Option<i64>,
    /// The address after `/p/` (lower-case letters, digits, hyphens); from the title if
    /// left out. A slug already taken gets a number.
    pub slug: Option<String>,
}

/// Publish one of the team's forms as a pilot at a public link.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/pilots", tag = "forms", params(("id" = i64, Path)), request_body = PilotBody,
    responses((status = 201, description = "{id, public_url, ...}"), (status = 422)))]
pub async fn create_pilot(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<PilotBody>,
) -> AppResult<HttpResponse> {
    let (p, _, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    let b = body.into_inner();
    let title = match b.title {
        Some(t) => Some(t),
        None => {
            let form_id = b.form_id;
            let org = p.organisation_id;
            // The form's own title, if it is the team's form (the check proper comes later).
            ctx.db(move |conn| {
                Ok(crate::domain::form_library::current(conn, form_id)
                    .ok()
                    .filter(|c| c.form.organisation_id == org)
                    .map(|c| c.form.title))
            })
            .await?
        }
    };
    let input = PilotInput {
        form_id: Some(b.form_id),
        mode: b.mode,
        title,
        intro: b.intro,
        consent_text: b.consent_text.or_else(|| {
            Some(crate::i18n::text(
                crate::i18n::Lang::De,
                "pilot-default-consent",
            ))
        }),
        opens_at: b.opens_at,
        closes_at: b.closes_at,
        retention_days: b.retention_days,
        slug: b.slug,
    };
    let pilot = actions::pilots::create_pilot(&ctx, &p, &f, input).await?;
    Ok(HttpResponse::Created().json(pilot_json(&ctx, &pilot)))
}

/// The proposal's pilots (for those who may read its report).
#[utoipa::path(get, path = "/api/v1/proposals/{id}/pilots", tag = "forms", params(("id" = i64, Path)),
    responses((status = 200, description = "list of pilots")))]
pub async fn pilots_of(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (p, _, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ViewPilotReport(&f)).await?;
    let pid = p.id;
    let list = ctx
        .db(move |conn| crate::domain::pilots::of_proposal(conn, pid))
        .await?;
    Ok(HttpResponse::Ok().json(list.iter().map(|p| pilot_json(&ctx, p)).collect::<Vec<_>>()))
}

#[utoipa::path(get, path = "/api/v1/pilots/{id}", tag = "forms", params(("id" = i64, Path)),
    responses((status = 200, description = "the pilot"), (status = 404)))]
pub async fn get_pilot(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (pilot, _, _, f) = actions::pilots::load_pilot(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ViewPilotReport(&f)).await?;
    Ok(HttpResponse::Ok().json(pilot_json(&ctx, &pilot)))
}

/// The body of `PATCH /pilots/{id}`: what is sent changes, the rest stays. Form, mode and
/// address are fixed once published.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PilotPatch {
    pub title: Option<String>,
    pub intro: Option<String>,
    pub consent_text: Option<String>,
    /// Empty text removes the date.
    pub opens_at: Option<String>,
    /// Empty text removes the date; a time in the past closes the pilot.
    pub closes_at: Option<String>,
    pub retention_days: Option<i64>,
}

/// Change a published pilot's texts, dates (close it) and retention period. Audited.
#[utoipa::path(patch, path = "/api/v1/pilots/{id}", tag = "forms", params(("id" = i64, Path)), request_body = PilotPatch,
    responses((status = 200, description = "the pilot"), (status = 404), (status = 422)))]
pub async fn update_pilot(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<PilotPatch>,
) -> AppResult<HttpResponse> {
    let (pilot, p, _, f) = actions::pilots::load_pilot(&ctx, id.into_inner()).await?;
    let b = body.into_inner();
    let cur = PilotInput::of(&pilot);
    let input = PilotInput {
        title: b.title.or(cur.title),
        intro: b.intro.or(cur.intro),
        consent_text: b.consent_text.or(cur.consent_text),
        opens_at: b.opens_at.or(cur.opens_at),
        closes_at: b.closes_at.or(cur.closes_at),
        retention_days: b.retention_days.or(cur.retention_days),
        ..cur
    };
    let changed = actions::pilots::update_pilot(&ctx, &pilot, &p, &f, input).await?;
    Ok(HttpResponse::Ok().json(pilot_json(&ctx, &changed)))
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    pub format: Option<String>,
}

/// Every submission of the pilot, as JSON or CSV (`?format=csv`). Audited.
#[utoipa::path(get, path = "/api/v1/pilots/{id}/submissions", tag = "forms", params(("id" = i64, Path), ("format" = Option<String>, Query, description = "json (default) or csv")),
    responses((status = 200, description = "answers"), (status = 400, description = "unknown format")))]
pub async fn submissions(
    ctx: Ctx,
    id: web::Path<i64>,
    q: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let format = q.format.clone().unwrap_or_else(|| "json".into());
    if format != "json" && format != "csv" {
        return Err(AppError::BadRequest("format must be json or csv".into()));
    }
    let (pilot, _, _, f) = actions::pilots::load_pilot(&ctx, id.into_inner()).await?;
    let (subs, def) = actions::pilots::export(&ctx, &pilot, &f, &format).await?;
    if format == "csv" {
        return Ok(render::download(
            "text/csv; charset=utf-8",
            &format!("pilot-{}-submissions.csv", pilot.id),
            views::submissions_csv(&def, &subs, ctx.lang),
        ));
    }
    let items: Vec<Value> = subs
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "reference": s.reference,
                "form_version_id": s.form_version_id,
                "submitted_at": utc(s.submitted_at),
                "seconds": s.seconds,
                "rating": s.rating,
                "rating_comment": s.rating_comment,
                "purged": s.purged_at.is_some(),
                "answers": Value::Object(s.answers()),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "pilot_id": pilot.id, "submissions": items })))
}

/// The pilot report's figures.
#[utoipa::path(get, path = "/api/v1/pilots/{id}/metrics", tag = "forms", params(("id" = i64, Path)),
    responses((status = 200, description = "{starts, completions, completion_rate, median_seconds, drop_off_by_step, errors_by_field, rating_avg}")))]
pub async fn metrics(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (pilot, _, _, f) = actions::pilots::load_pilot(&ctx, id.into_inner()).await?;
    let (m, _) = actions::pilots::metrics(&ctx, &pilot, &f).await?;
    Ok(HttpResponse::Ok().json(m))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct WebhookBody {
    pub url: String,
    /// At least 16 characters; generated (and returned once) when left out.
    pub secret: Option<String>,
}

/// Add a webhook: each submission is POSTed to it, signed (docs/FORMS.md), with retries.
#[utoipa::path(post, path = "/api/v1/pilots/{id}/webhooks", tag = "forms", params(("id" = i64, Path)), request_body = WebhookBody,
    responses((status = 201, description = "{id, url, secret}"), (status = 422)))]
pub async fn add_webhook(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<WebhookBody>,
) -> AppResult<HttpResponse> {
    let (pilot, _, _, f) = actions::pilots::load_pilot(&ctx, id.into_inner()).await?;
    let b = body.into_inner();
    let (hook, secret) = actions::pilots::add_webhook(&ctx, &pilot, &f, b.url, b.secret).await?;
    Ok(HttpResponse::Created().json(json!({ "id": hook.id, "url": hook.url, "secret": secret })))
}

/// The delivery log: the latest 100 deliveries with their attempts.
#[utoipa::path(get, path = "/api/v1/pilots/{id}/deliveries", tag = "forms", params(("id" = i64, Path)),
    responses((status = 200, description = "list of deliveries with attempts")))]
pub async fn deliveries(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (pilot, _, _, f) = actions::pilots::load_pilot(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ManagePilots(&f)).await?;
    let pid = pilot.id;
    let log = ctx
        .db(move |conn| {
            let lines = webhooks::log(conn, pid, 100)?;
            let ids: Vec<i64> = lines.iter().map(|l| l.delivery.id).collect();
            let attempts = webhooks::attempts_of(conn, &ids)?;
            Ok((lines, attempts))
        })
        .await?;
    let (lines, attempts) = log;
    let items: Vec<Value> = lines
        .iter()
        .map(|l| {
            let d = &l.delivery;
            json!({
                "id": d.id,
                "webhook_id": d.webhook_id,
                "url": l.url,
                "submission_id": d.submission_id,
                "reference": l.reference,
                "status": d.status,
                "attempts": attempts.iter().filter(|a| a.delivery_id == d.id).map(|a| json!({
                    "at": utc(a.attempted_at), "status_code": a.status_code, "error": a.error, "duration_ms": a.duration_ms,
                })).collect::<Vec<_>>(),
                "next_attempt_at": (d.status == DeliveryStatus::Pending).then(|| utc(d.next_attempt_at)),
                "delivered_at": d.delivered_at.map(utc),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(items))
}

/// Send a delivery again now.
#[utoipa::path(post, path = "/api/v1/pilots/{id}/deliveries/{delivery}/redeliver", tag = "forms", params(("id" = i64, Path), ("delivery" = i64, Path)),
    responses((status = 202, description = "queued")))]
pub async fn redeliver(ctx: Ctx, path: web::Path<(i64, i64)>) -> AppResult<HttpResponse> {
    let (id, delivery) = path.into_inner();
    let (pilot, _, _, f) = actions::pilots::load_pilot(&ctx, id).await?;
    actions::pilots::redeliver(&ctx, &pilot, &f, delivery).await?;
    Ok(HttpResponse::Accepted().json(json!({ "status": "pending" })))
}

#[derive(Debug, Deserialize)]
pub struct ReceiptQuery {
    /// The receipt secret from the test user's receipt link.
    pub receipt: Option<String>,
}

/// A submission's receipt as PDF: for team and owning agency, and for the test user
/// with the receipt secret.
#[utoipa::path(get, path = "/api/v1/pilot-submissions/{id}/pdf", tag = "forms", params(("id" = i64, Path), ("receipt" = Option<String>, Query)),
    responses((status = 200, description = "application/pdf"), (status = 404), (status = 409, description = "answers deleted after the retention period")))]
pub async fn submission_pdf(
    ctx: Ctx,
    id: web::Path<i64>,
    q: web::Query<ReceiptQuery>,
) -> AppResult<HttpResponse> {
    let (pilot, s, f, def) = actions::pilots::load_submission(&ctx, id.into_inner()).await?;
    let receipt = q
        .receipt
        .as_deref()
        .is_some_and(|t| crate::domain::pilots::runs::receipt_matches(&s, t));
    ctx.authorize(Action::ViewPilotAnswers(&f, receipt)).await?;
    let reader = if receipt {
        actions::pilots::PdfReader::ReceiptHolder
    } else {
        actions::pilots::PdfReader::Staff
    };
    actions::pilots::pdf_download(&ctx, &pilot, &s, &def, reader).await
}
