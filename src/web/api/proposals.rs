//! `/api/v1/proposals*`, proposal creation under a challenge, attachments and messages.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::Created;
use crate::auth::policy::Action;
use crate::domain::attachments;
use crate::domain::challenges::Challenge;
use crate::domain::evaluation::progress::TeamOutcome;
use crate::domain::messages::{self, Message};
use crate::domain::pagination::{Page, PageRequest, Paged, DEFAULT_PER_PAGE};
use crate::domain::proposals::view::{ProposalActions, ProposalView};
use crate::domain::proposals::{self, Content, Proposal, ProposalInput, Revision};
use crate::domain::time::utc;
use crate::error::AppResult;
use crate::forms::Raw;
use crate::kinds::{AttachmentOwner, ProposalStatus};
use crate::web::actions;
use crate::web::actions::proposals::Step;
use crate::web::context::Ctx;
use crate::web::multipart;

/// Registers the proposal, revision, message and attachment routes on the `/api/v1` scope.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/challenges/{id}/proposals", web::post().to(create))
        .route("/proposals/{id}", web::get().to(show))
        .route("/proposals/{id}", web::patch().to(update))
        .route("/proposals/{id}/submit", web::post().to(submit))
        .route("/proposals/{id}/withdraw", web::post().to(withdraw))
        .route("/proposals/{id}/revisions", web::get().to(revisions))
        .route("/proposals/{id}/attachments", web::post().to(upload))
        .route("/proposals/{id}/messages", web::post().to(post_message))
        .route("/proposals/{id}/messages", web::get().to(thread))
        .route(
            "/attachments/{id}",
            web::get().to(crate::web::downloads::attachment),
        )
        .route("/attachments/{id}", web::delete().to(delete_attachment));
}

/// A proposal as the API shows it, from the reader's [`ProposalView`]: the public part
/// for everyone who may read it, the private part for team, agency and evaluators, and
/// nothing that names the team while blind review hides it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalOut {
    /// The proposal's id, as in `/api/v1/proposals/{id}`.
    pub id: i64,
    /// The challenge it answers.
    pub challenge_id: i64,
    /// Absent while blind review hides the team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation_id: Option<i64>,
    /// draft, submitted or withdrawn.
    pub status: ProposalStatus,
    /// The number of the latest submitted revision; 0 until the first submission.
    pub revision: i64,
    /// At most 200 characters.
    pub title: String,
    /// A short summary, at most 1,000 characters.
    pub summary: String,
    /// The approach (markdown).
    pub description: String,
    /// What a pilot would cover; may be empty in a draft.
    pub pilot_scope: String,
    /// How long a pilot would take, free text.
    pub pilot_duration: String,
    /// The indicators and targets a pilot is measured by.
    pub pilot_kpis: String,
    /// The licence or open-source terms offered.
    pub licence: String,
    /// RFC 3339.
    pub submitted_at: Option<String>,
    /// The proposal's page on the site, relative: `/proposals/<id>`.
    pub url: String,
    /// Team, agency and evaluators only.
    #[serde(flatten)]
    pub private: Option<PrivateOut>,
    /// Blind review hides the team from the caller.
    pub blind: bool,
    /// The outcomes of released stages with the agency's feedback; for the team only.
    pub outcomes: Vec<TeamOutcome>,
    /// What the caller may do now.
    pub may: ProposalActions,
}

/// The part of a proposal that team, agency and evaluators read.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrivateOut {
    /// Absent while blind review hides the team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The estimated cost in whole euros; `null` when the team leaves it open.
    pub cost_estimate_eur: Option<i64>,
    /// How personal data is handled.
    pub data_protection: String,
    /// Answers to the challenge's form by field key; absent while blind review hides
    /// the team.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub answers: Option<Value>,
    /// RFC 3339.
    pub created_at: String,
    /// When content, answers or status last changed, RFC 3339.
    pub updated_at: String,
    /// The files, oldest first.
    pub attachments: Vec<FileOut>,
}

/// A file of a proposal; `url` downloads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileOut {
    /// The file's id; `DELETE /api/v1/attachments/{id}` removes it.
    pub id: i64,
    /// Absent while blind review hides the team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// The MIME type, decided from the file's content, not from what the uploader sent.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// Downloads the file: `/api/v1/attachments/{id}`.
    pub url: String,
}

impl From<ProposalView> for ProposalOut {
    fn from(v: ProposalView) -> Self {
        ProposalOut {
            id: v.id,
            challenge_id: v.challenge_id,
            organisation_id: v.organisation.map(|o| o.id),
            status: v.status,
            revision: v.revision,
            title: v.title,
            summary: v.summary,
            description: v.approach,
            pilot_scope: v.pilot_scope,
            pilot_duration: v.pilot_duration,
            pilot_kpis: v.pilot_kpis,
            licence: v.licence,
            submitted_at: v.submitted_at.map(utc),
            url: format!("/proposals/{}", v.id),
            private: v.private.map(|p| PrivateOut {
                team: p.team,
                cost_estimate_eur: p.cost_estimate_eur,
                data_protection: p.data_protection,
                answers: p.answers,
                created_at: utc(p.created_at),
                updated_at: utc(p.updated_at),
                attachments: p
                    .attachments
                    .into_iter()
                    .map(|a| FileOut {
                        url: format!("/api/v1/attachments/{}", a.id),
                        id: a.id,
                        filename: a.filename,
                        content_type: a.content_type,
                        size: a.size,
                    })
                    .collect(),
            }),
            blind: v.blind,
            outcomes: v.outcomes,
            may: v.may,
        }
    }
}

/// The answer of a change: the proposal as the caller now sees it.
async fn changed(
    ctx: &Ctx,
    p: Proposal,
    c: Challenge,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let view = actions::proposals::view_after_change(ctx, p, c).await?;
    Ok(HttpResponse::build(status).json(ProposalOut::from(view)))
}

/// The body of `POST /challenges/{id}/proposals` and `PATCH /proposals/{id}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ProposalBody {
    /// Only when creating: the proposing organisation.
    pub organisation_id: Option<i64>,
    /// At most 200 characters; needed when creating, and may never be emptied.
    pub title: Option<String>,
    /// A short summary, at most 1,000 characters. Needed to submit, like every text field.
    pub summary: Option<String>,
    /// The approach, markdown.
    pub description: Option<String>,
    /// Who does the work, at most 5,000 characters; only team, agency and evaluators read it.
    pub team: Option<String>,
    /// What a pilot would cover, at most 5,000 characters.
    pub pilot_scope: Option<String>,
    /// How long a pilot would take, free text, at most 200 characters.
    pub pilot_duration: Option<String>,
    /// The indicators and targets a pilot is measured by, at most 5,000 characters.
    pub pilot_kpis: Option<String>,
    /// The estimated cost in whole euros, 0 to 1,000,000,000,000; optional even to submit.
    /// Absent or `null` leaves it as it is.
    pub cost_estimate_eur: Option<i64>,
    /// How personal data is handled, at most 5,000 characters; only team, agency and
    /// evaluators read it.
    pub data_protection: Option<String>,
    /// The licence or open-source terms offered, at most 300 characters.
    pub licence: Option<String>,
    /// Answers to the challenge's form, by field key (as docs/FORMS.md's webhook answers).
    /// A draft may leave required ones open; a submitted proposal may not.
    pub answers: Option<Value>,
    /// After submission: a note for the revision list.
    pub note: Option<String>,
}

impl ProposalBody {
    /// The answers as the form engine reads them; an answers value that is not an object
    /// is refused.
    fn answers(&self) -> AppResult<Option<Raw>> {
        match &self.answers {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Raw::from_json(m))),
            Some(_) => Err(crate::error::FieldErrors::single(
                "answers",
                "form-def-object",
            )),
        }
    }

    fn input(&self) -> ProposalInput {
        ProposalInput {
            title: self.title.clone(),
            summary: self.summary.clone(),
            approach: self.description.clone(),
            team: self.team.clone(),
            pilot_scope: self.pilot_scope.clone(),
            pilot_duration: self.pilot_duration.clone(),
            pilot_kpis: self.pilot_kpis.clone(),
            cost_estimate_eur: self.cost_estimate_eur.map(|c| c.to_string()),
            data_protection: self.data_protection.clone(),
            licence: self.licence.clone(),
        }
    }
}

/// Start a draft for an eligible organisation the caller belongs to.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/proposals", tag = "proposals", params(("id" = i64, Path)), request_body = ProposalBody,
    responses((status = 201, body = ProposalOut), (status = 409, description = "not eligible, deadline passed, or one exists"), (status = 422)))]
pub async fn create(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<ProposalBody>,
) -> AppResult<HttpResponse> {
    let (c, _) = actions::challenges::load_by_id(&ctx, id.into_inner()).await?;
    let body = body.into_inner();
    let org = body
        .organisation_id
        .ok_or_else(|| crate::error::FieldErrors::single("organisation_id", "field-required"))?;
    let p = actions::proposals::create(&ctx, &c, org, body.input(), body.answers()?).await?;
    changed(&ctx, p, c, StatusCode::CREATED).await
}

/// The proposal: team and owning agency see everything, the public only the public part
/// of submitted proposals after the deadline of an open co-creation challenge.
#[utoipa::path(get, path = "/api/v1/proposals/{id}", tag = "proposals", params(("id" = i64, Path)), responses((status = 200, body = ProposalOut), (status = 404)))]
pub async fn show(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let view = actions::proposals::view(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(ProposalOut::from(view)))
}

/// Change fields; after submission only until the deadline, each change a new revision.
#[utoipa::path(patch, path = "/api/v1/proposals/{id}", tag = "proposals", params(("id" = i64, Path)), request_body = ProposalBody,
    responses((status = 200, body = ProposalOut), (status = 409, description = "withdrawn or past the deadline"), (status = 422)))]
pub async fn update(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<ProposalBody>,
) -> AppResult<HttpResponse> {
    let (p, c, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    let body = body.into_inner();
    let p = actions::proposals::update(
        &ctx,
        &p,
        &c,
        &f,
        body.input(),
        body.answers()?,
        body.note.clone().unwrap_or_default(),
    )
    .await?;
    changed(&ctx, p, c, StatusCode::OK).await
}

async fn run_step(ctx: Ctx, id: i64, step: Step) -> AppResult<HttpResponse> {
    let (p, c, f) = actions::proposals::load(&ctx, id).await?;
    let p = actions::proposals::step(&ctx, &p, &c, &f, step).await?;
    changed(&ctx, p, c, StatusCode::OK).await
}

/// Submit (validated; 422 with a message per missing field).
#[utoipa::path(post, path = "/api/v1/proposals/{id}/submit", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 200, body = ProposalOut, description = "status \"submitted\""), (status = 409), (status = 422)))]
pub async fn submit(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    run_step(ctx, id.into_inner(), Step::Submit).await
}

/// Withdraw a submitted proposal.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/withdraw", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 200, body = ProposalOut, description = "status \"withdrawn\""), (status = 409)))]
pub async fn withdraw(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    run_step(ctx, id.into_inner(), Step::Withdraw).await
}

/// A submitted version as the API lists it, with the whole content it recorded.
#[derive(Serialize, ToSchema)]
pub struct RevisionItem {
    /// The revision number, from 1 (the first submission).
    pub number: i64,
    /// When it was recorded, RFC 3339.
    pub created_at: String,
    /// The team's note on the change, at most 300 characters; empty when none was given, as
    /// at submission.
    pub note: String,
    /// The proposal's fields as they were at this revision.
    pub content: Content,
}

impl From<Revision> for RevisionItem {
    fn from(r: Revision) -> Self {
        RevisionItem {
            content: r.content(),
            number: r.number,
            created_at: utc(r.created_at),
            note: r.note,
        }
    }
}

/// Every submitted version with its content (team and owning agency): a page of them by
/// number, oldest first.
#[utoipa::path(get, path = "/api/v1/proposals/{id}/revisions", tag = "proposals", params(("id" = i64, Path), PageRequest),
    responses((status = 200, description = "a page of revisions by number", body = Paged<RevisionItem>), (status = 403), (status = 404)))]
pub async fn revisions(
    ctx: Ctx,
    id: web::Path<i64>,
    q: web::Query<PageRequest>,
) -> AppResult<HttpResponse> {
    let (p, _, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    // Revisions carry the team's words and names: team and agency only, never evaluators.
    ctx.authorize(Action::MessageProposal(&f)).await?;
    let page = Page::from_request(Some(q.into_inner()), DEFAULT_PER_PAGE);
    let pid = p.id;
    let list = ctx
        .db(move |conn| proposals::revisions(conn, pid, page))
        .await?;
    Ok(HttpResponse::Ok().json(list.map(RevisionItem::from)))
}

/// Upload a file (multipart field `file`); type by content against an allow-list.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/attachments", tag = "proposals", params(("id" = i64, Path)),
    responses((status = 201, body = FileOut), (status = 413, description = "larger than the upload limit"), (status = 415, description = "a type not on the allow-list"), (status = 422, description = "empty")))]
pub async fn upload(
    ctx: Ctx,
    id: web::Path<i64>,
    payload: actix_multipart::Multipart,
) -> AppResult<HttpResponse> {
    let p = actions::proposals::open_for_upload(&ctx, id.into_inner()).await?;
    let file = multipart::read_file(&ctx, payload, ctx.state.config.upload_limit_bytes).await?;
    let a: attachments::Attachment = actions::challenges::attach(
        &ctx,
        AttachmentOwner::Proposal,
        p.id,
        file.filename,
        file.bytes,
    )
    .await?;
    Ok(HttpResponse::Created().json(FileOut {
        id: a.id,
        url: format!("/api/v1/attachments/{}", a.id),
        filename: Some(a.filename),
        content_type: a.content_type,
        size: a.size,
    }))
}

/// Delete a file (the agency for a challenge's, the team for a proposal's).
#[utoipa::path(delete, path = "/api/v1/attachments/{id}", tag = "proposals", params(("id" = i64, Path)), responses((status = 204), (status = 403), (status = 404), (status = 409)))]
pub async fn delete_attachment(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    actions::challenges::delete_attachment(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The body of `POST /proposals/{id}/messages`.
#[derive(Deserialize, ToSchema)]
pub struct MessageBody {
    /// The message, at most 10,000 characters; must not be blank.
    pub body: String,
}

/// Write in the private co-creation thread (team and owning agency).
#[utoipa::path(post, path = "/api/v1/proposals/{id}/messages", tag = "proposals", params(("id" = i64, Path)), request_body = MessageBody,
    responses((status = 201, body = Created, description = "the message"), (status = 404), (status = 422)))]
pub async fn post_message(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<MessageBody>,
) -> AppResult<HttpResponse> {
    let (p, c, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    let mid = actions::proposals::post_message(&ctx, &p, &c, &f, body.into_inner().body).await?;
    Ok(HttpResponse::Created().json(Created { id: mid }))
}

/// A message of the co-creation thread.
#[derive(Serialize, ToSchema)]
pub struct MessageItem {
    /// The message's id; ids rise in the thread's order.
    pub id: i64,
    /// The author's name; none when the account is gone.
    pub author: Option<String>,
    /// The text as written, trimmed.
    pub body: String,
    /// When it was posted, RFC 3339.
    pub created_at: String,
}

impl From<Message> for MessageItem {
    fn from(m: Message) -> Self {
        MessageItem {
            id: m.id,
            author: m.author_name,
            body: m.body,
            created_at: utc(m.created_at),
        }
    }
}

/// The thread, a page at a time: page 1 holds the newest messages; within a page they
/// run oldest first.
#[utoipa::path(get, path = "/api/v1/proposals/{id}/messages", tag = "proposals", params(("id" = i64, Path), PageRequest),
    responses((status = 200, description = "a page of messages, page 1 the newest", body = Paged<MessageItem>), (status = 404)))]
pub async fn thread(
    ctx: Ctx,
    id: web::Path<i64>,
    q: web::Query<PageRequest>,
) -> AppResult<HttpResponse> {
    let (p, _, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::MessageProposal(&f)).await?;
    let page = Page::from_request(Some(q.into_inner()), DEFAULT_PER_PAGE);
    let pid = p.id;
    let list = ctx
        .db(move |conn| messages::thread(conn, pid, page))
        .await?;
    Ok(HttpResponse::Ok().json(list.map(MessageItem::from)))
}
