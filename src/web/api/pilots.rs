//! `/api/v1` forms and pilots (docs/API.md, "Forms and pilots"): form definitions in versions,
//! pilots of a proposal, their submissions (JSON or CSV), metrics, receipts as PDF and
//! webhooks with their delivery log.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::auth::policy::Action;
use crate::domain::pilots::metrics::Metrics;
use crate::domain::pilots::{webhooks, Availability, Pilot, PilotInput};
use crate::domain::time::utc;
use crate::error::{AppError, AppResult};
use crate::forms::FormDefinition;
use crate::kinds::{DeliveryStatus, PilotMode};
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::{render, views};

/// Registers the form, pilot, submission, webhook and delivery routes on the `/api/v1`
/// scope.
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

/// The body of `POST /forms`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FormBody {
    /// The organisation that owns the form; the caller must be a member.
    pub organisation_id: i64,
    /// The name in the organisation's list, at most 200 characters; left out or empty, the
    /// definition's German title.
    #[serde(default)]
    pub title: String,
    /// The form definition (docs/FORMS.md).
    #[schema(value_type = Object)]
    pub definition: Value,
}

/// A form and the version a save wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormSaved {
    /// The form's id, as in `/api/v1/forms/{id}`.
    pub id: i64,
    /// The version now current: the same while nobody answered the form, else one more.
    pub version: i64,
}

/// Create a form in an organisation's name (any member).
#[utoipa::path(post, path = "/api/v1/forms", tag = "forms", request_body = FormBody,
    responses((status = 201, body = FormSaved), (status = 422, description = "a message per problem, by path")))]
pub async fn create_form(ctx: Ctx, body: web::Json<FormBody>) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let def = definition(&b.definition)?;
    let cur = actions::pilots::create_form(&ctx, b.organisation_id, b.title, def).await?;
    Ok(HttpResponse::Created().json(FormSaved {
        id: cur.form.id,
        version: cur.version.version,
    }))
}

/// The body of `PUT /forms/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FormUpdate {
    /// The name in the organisation's list, at most 200 characters; left out, it stays as it
    /// is; empty, the definition's German title.
    pub title: Option<String>,
    /// The whole new definition (docs/FORMS.md).
    #[schema(value_type = Object)]
    pub definition: Value,
}

/// Save a form: over its latest version while nobody answered it, else as a new version.
#[utoipa::path(put, path = "/api/v1/forms/{id}", tag = "forms", params(("id" = i64, Path)), request_body = FormUpdate,
    responses((status = 200, body = FormSaved), (status = 422)))]
pub async fn save_form(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<FormUpdate>,
) -> AppResult<HttpResponse> {
    let (_, facts) = actions::pilots::load_form(&ctx, id.into_inner()).await?;
    let b = body.into_inner();
    let def = definition(&b.definition)?;
    let cur = actions::pilots::save_form(&ctx, &facts, b.title, def).await?;
    Ok(HttpResponse::Ok().json(FormSaved {
        id: cur.form.id,
        version: cur.version.version,
    }))
}

/// A form's latest definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormOut {
    /// The form's id.
    pub id: i64,
    /// Null for readers who may not learn the owner.
    pub organisation_id: Option<i64>,
    /// The name in the organisation's list.
    pub title: String,
    /// The number of the latest version, from 1.
    pub version: i64,
    /// When the form was last saved, RFC 3339.
    pub updated_at: String,
    /// The form definition (docs/FORMS.md).
    #[schema(value_type = Object)]
    pub definition: Value,
}

/// A form's latest definition: its organisation, and anyone once a published challenge
/// asks it or a pilot runs it. `organisation_id` is null for readers who may not learn
/// the owner (a form public only through a pilot: blind review may hide its team).
#[utoipa::path(get, path = "/api/v1/forms/{id}", tag = "forms", params(("id" = i64, Path)),
    responses((status = 200, body = FormOut), (status = 404)))]
pub async fn get_form(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (cur, facts) = actions::pilots::load_form(&ctx, id.into_inner()).await?;
    let owner = facts
        .shows_owner(&ctx.actor())
        .then_some(cur.form.organisation_id);
    let definition: Value =
        serde_json::from_str(&cur.version.definition).map_err(AppError::internal)?;
    Ok(HttpResponse::Ok().json(FormOut {
        id: cur.form.id,
        organisation_id: owner,
        title: cur.form.title,
        version: cur.version.version,
        updated_at: utc(cur.form.updated_at),
        definition,
    }))
}

/// A pilot as its team and agency read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PilotOut {
    /// The pilot's id, as in `/api/v1/pilots/{id}`.
    pub id: i64,
    /// The proposal whose team runs it.
    pub proposal_id: i64,
    /// The team's form it runs; fixed once published.
    pub form_id: i64,
    /// The address after `/p/`.
    pub slug: String,
    /// `web` (pages with back and next) or `assistant` (one question at a time); fixed once
    /// published.
    pub mode: PilotMode,
    /// The title test users see, at most 200 characters.
    pub title: String,
    /// The introduction on the start page; may be empty.
    pub intro: String,
    /// What test users agree to before they start.
    pub consent_text: String,
    /// When runs may start, RFC 3339; `null`: open from publishing.
    pub opens_at: Option<String>,
    /// Until when runs may start and send, RFC 3339; `null`: no end.
    pub closes_at: Option<String>,
    /// Days the answers are kept.
    pub retention_days: i64,
    /// Whether test users can run it now.
    pub availability: Availability,
    /// The link test users open.
    pub public_url: String,
}

fn pilot_out(ctx: &Ctx, p: &Pilot) -> PilotOut {
    PilotOut {
        id: p.id,
        proposal_id: p.proposal_id,
        form_id: p.form_id,
        slug: p.slug.clone(),
        mode: p.mode,
        title: p.title.clone(),
        intro: p.intro.clone(),
        consent_text: p.consent_text.clone(),
        opens_at: p.opens_at.map(utc),
        closes_at: p.closes_at.map(utc),
        retention_days: p.retention_days,
        availability: p.availability(crate::db::now()),
        public_url: format!("{}{}", ctx.state.config.public_url, p.public_path()),
    }
}

/// The body of `POST /proposals/{id}/pilots`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PilotBody {
    /// The form to run: one of the proposing organisation's forms.
    pub form_id: i64,
    /// web or assistant.
    pub mode: Option<String>,
    /// Defaults to the form's title.
    pub title: Option<String>,
    /// The introduction on the start page, at most 5,000 characters; may be left out.
    pub intro: Option<String>,
    /// Defaults to a standard text about taking part and data protection.
    pub consent_text: Option<String>,
    /// When runs may start: RFC 3339, or Berlin local time without an offset; left out or
    /// empty, open at once.
    pub opens_at: Option<String>,
    /// Until when runs may start and send, read like `opens_at` and after it; left out or
    /// empty, no end.
    pub closes_at: Option<String>,
    /// Days the answers are kept (1 to 3650, default 90).
    pub retention_days: Option<i64>,
    /// The address after `/p/` (lower-case letters, digits, hyphens); from the title if
    /// left out. A slug already taken gets a number.
    pub slug: Option<String>,
}

/// Publish one of the team's forms as a pilot at a public link.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/pilots", tag = "forms", params(("id" = i64, Path)), request_body = PilotBody,
    responses((status = 201, body = PilotOut), (status = 422)))]
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
    Ok(HttpResponse::Created().json(pilot_out(&ctx, &pilot)))
}

/// The proposal's pilots (for those who may read its report).
#[utoipa::path(get, path = "/api/v1/proposals/{id}/pilots", tag = "forms", params(("id" = i64, Path)),
    responses((status = 200, body = [PilotOut])))]
pub async fn pilots_of(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (p, _, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ViewPilotReport(&f)).await?;
    let pid = p.id;
    let list = ctx
        .db(move |conn| crate::domain::pilots::of_proposal(conn, pid))
        .await?;
    Ok(HttpResponse::Ok().json(list.iter().map(|p| pilot_out(&ctx, p)).collect::<Vec<_>>()))
}

/// A pilot, for those who may read its proposal's pilot report.
#[utoipa::path(get, path = "/api/v1/pilots/{id}", tag = "forms", params(("id" = i64, Path)),
    responses((status = 200, body = PilotOut), (status = 404)))]
pub async fn get_pilot(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (pilot, _, _, f) = actions::pilots::load_pilot(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ViewPilotReport(&f)).await?;
    Ok(HttpResponse::Ok().json(pilot_out(&ctx, &pilot)))
}

/// The body of `PATCH /pilots/{id}`: what is sent changes, the rest stays. Form, mode and
/// address are fixed once published.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PilotPatch {
    /// The title test users see, at most 200 characters; may not be emptied.
    pub title: Option<String>,
    /// The introduction on the start page, at most 5,000 characters; empty removes it.
    pub intro: Option<String>,
    /// What test users agree to, at most 5,000 characters; may not be emptied.
    pub consent_text: Option<String>,
    /// Empty text removes the date.
    pub opens_at: Option<String>,
    /// Empty text removes the date; a time in the past closes the pilot.
    pub closes_at: Option<String>,
    /// Days the answers are kept after sending, 1 to 3650.
    pub retention_days: Option<i64>,
}

/// Change a published pilot's texts, dates (close it) and retention period. Audited.
#[utoipa::path(patch, path = "/api/v1/pilots/{id}", tag = "forms", params(("id" = i64, Path)), request_body = PilotPatch,
    responses((status = 200, body = PilotOut), (status = 404), (status = 422)))]
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
    Ok(HttpResponse::Ok().json(pilot_out(&ctx, &changed)))
}

/// The query string of `GET /pilots/{id}/submissions`.
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    /// `json` (default) or `csv`; anything else is a 400.
    pub format: Option<String>,
}

/// The submissions of a pilot.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionsOut {
    /// The pilot they were sent in.
    pub pilot_id: i64,
    /// Every submission, oldest first.
    pub submissions: Vec<SubmissionItem>,
}

/// One submission of a pilot.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionItem {
    /// The submission's id, as in `/api/v1/pilot-submissions/{id}/pdf`.
    pub id: i64,
    /// The reference the test user got with the receipt.
    pub reference: String,
    /// The version of the pilot's form that was answered.
    pub form_version_id: i64,
    /// When it was sent, RFC 3339.
    pub submitted_at: String,
    /// How long the run took.
    pub seconds: i64,
    /// 1 to 5, if the test user rated the form.
    pub rating: Option<i64>,
    /// The comment with the rating; empty when none was given, and once purged.
    pub rating_comment: String,
    /// Answers deleted after the retention period.
    pub purged: bool,
    /// Field id to answer (docs/FORMS.md); empty once purged.
    #[schema(value_type = Object)]
    pub answers: Map<String, Value>,
}

/// Every submission of the pilot, as JSON or CSV (`?format=csv`). Audited.
#[utoipa::path(get, path = "/api/v1/pilots/{id}/submissions", tag = "forms", params(("id" = i64, Path), ("format" = Option<String>, Query, description = "json (default) or csv")),
    responses((status = 200, body = SubmissionsOut, description = "JSON, or text/csv with `?format=csv`"), (status = 400, description = "unknown format")))]
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
    let submissions = subs
        .iter()
        .map(|s| SubmissionItem {
            id: s.id,
            reference: s.reference.clone(),
            form_version_id: s.form_version_id,
            submitted_at: utc(s.submitted_at),
            seconds: s.seconds,
            rating: s.rating,
            rating_comment: s.rating_comment.clone(),
            purged: s.purged_at.is_some(),
            answers: s.answers(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(SubmissionsOut {
        pilot_id: pilot.id,
        submissions,
    }))
}

/// The pilot report's figures.
#[utoipa::path(get, path = "/api/v1/pilots/{id}/metrics", tag = "forms", params(("id" = i64, Path)),
    responses((status = 200, body = Metrics)))]
pub async fn metrics(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (pilot, _, _, f) = actions::pilots::load_pilot(&ctx, id.into_inner()).await?;
    let (m, _): (Metrics, _) = actions::pilots::metrics(&ctx, &pilot, &f).await?;
    Ok(HttpResponse::Ok().json(m))
}

/// The body of `POST /pilots/{id}/webhooks`; a pilot has at most five active webhooks.
#[derive(Debug, Deserialize, ToSchema)]
pub struct WebhookBody {
    /// Where submissions are POSTed: an `http://` or `https://` URL of at most 500 bytes.
    /// Hosts on this machine or a private network are refused unless the operator allows
    /// them.
    pub url: String,
    /// At least 16 characters; generated (and returned once) when left out.
    pub secret: Option<String>,
}

/// A webhook as created; the secret is shown only here.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookCreated {
    /// The webhook's id; deliveries name it as `webhook_id`.
    pub id: i64,
    /// The address as stored, trimmed.
    pub url: String,
    /// Signs every delivery (docs/FORMS.md).
    pub secret: String,
}

/// Add a webhook: each submission is POSTed to it, signed (docs/FORMS.md), with retries.
#[utoipa::path(post, path = "/api/v1/pilots/{id}/webhooks", tag = "forms", params(("id" = i64, Path)), request_body = WebhookBody,
    responses((status = 201, body = WebhookCreated), (status = 422)))]
pub async fn add_webhook(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<WebhookBody>,
) -> AppResult<HttpResponse> {
    let (pilot, _, _, f) = actions::pilots::load_pilot(&ctx, id.into_inner()).await?;
    let b = body.into_inner();
    let (hook, secret) = actions::pilots::add_webhook(&ctx, &pilot, &f, b.url, b.secret).await?;
    Ok(HttpResponse::Created().json(WebhookCreated {
        id: hook.id,
        url: hook.url,
        secret,
    }))
}

/// A delivery of a submission to a webhook, with its attempts.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryItem {
    /// The delivery's id, as in `/pilots/{id}/deliveries/{delivery}/redeliver`.
    pub id: i64,
    /// The webhook it goes to.
    pub webhook_id: i64,
    /// That webhook's address.
    pub url: String,
    /// The submission it carries.
    pub submission_id: i64,
    /// The submission's reference.
    pub reference: String,
    /// `pending`, `delivered` (a 2xx answer came) or `failed` (given up 25 hours after it
    /// was queued or last redelivered).
    pub status: DeliveryStatus,
    /// The attempts made so far, oldest first.
    pub attempts: Vec<AttemptItem>,
    /// While pending: when it is tried next.
    pub next_attempt_at: Option<String>,
    /// When a 2xx answer came, RFC 3339; `null` until then.
    pub delivered_at: Option<String>,
}

/// One attempt to deliver.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptItem {
    /// When it was made, RFC 3339.
    pub at: String,
    /// The receiver's HTTP status; none when it could not be reached.
    pub status_code: Option<i64>,
    /// What went wrong, at most 500 characters; empty if nothing did.
    pub error: String,
    /// How long it took, in milliseconds.
    pub duration_ms: i64,
}

/// A delivery queued again.
#[derive(Debug, Serialize, ToSchema)]
pub struct Requeued {
    /// Always `pending`.
    pub status: DeliveryStatus,
}

/// The delivery log: the latest 100 deliveries with their attempts.
#[utoipa::path(get, path = "/api/v1/pilots/{id}/deliveries", tag = "forms", params(("id" = i64, Path)),
    responses((status = 200, body = [DeliveryItem], description = "newest first")))]
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
    let items: Vec<DeliveryItem> = lines
        .into_iter()
        .map(|l| {
            let d = l.delivery;
            DeliveryItem {
                id: d.id,
                webhook_id: d.webhook_id,
                url: l.url,
                submission_id: d.submission_id,
                reference: l.reference,
                status: d.status,
                attempts: attempts
                    .iter()
                    .filter(|a| a.delivery_id == d.id)
                    .map(|a| AttemptItem {
                        at: utc(a.attempted_at),
                        status_code: a.status_code,
                        error: a.error.clone(),
                        duration_ms: a.duration_ms,
                    })
                    .collect(),
                next_attempt_at: (d.status == DeliveryStatus::Pending)
                    .then(|| utc(d.next_attempt_at)),
                delivered_at: d.delivered_at.map(utc),
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(items))
}

/// Send a delivery again now.
#[utoipa::path(post, path = "/api/v1/pilots/{id}/deliveries/{delivery}/redeliver", tag = "forms", params(("id" = i64, Path), ("delivery" = i64, Path)),
    responses((status = 202, body = Requeued)))]
pub async fn redeliver(ctx: Ctx, path: web::Path<(i64, i64)>) -> AppResult<HttpResponse> {
    let (id, delivery) = path.into_inner();
    let (pilot, _, _, f) = actions::pilots::load_pilot(&ctx, id).await?;
    actions::pilots::redeliver(&ctx, &pilot, &f, delivery).await?;
    Ok(HttpResponse::Accepted().json(Requeued {
        status: DeliveryStatus::Pending,
    }))
}

/// The query string of `GET /pilot-submissions/{id}/pdf`.
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
