//! `/api/v1/challenges*` and `/api/v1/questions*`.

use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::policy::Action;
use crate::domain::challenges::{
    self, Challenge, ChallengeInput, ListFilter, ListedChallenge, Transition,
};
use crate::domain::evaluation::stages::StageInput;
use crate::domain::evaluation::stages::{Criterion, Stage};
use crate::domain::pagination::{Cursor, Page, PageRequest, Paged, DEFAULT_PER_PAGE};
use crate::domain::questions::{self, QuestionView};
use crate::domain::time::utc;
use crate::domain::topics::TopicRef;
use crate::error::{AppError, AppResult};
use crate::kinds::{
    ChallengeStatus, Level, OrgKind, ProposalVisibility, QuestionStatus, StageKind,
};
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::render;

/// Registers the challenge and question routes on the `/api/v1` scope.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/challenges", web::post().to(create))
        .route("/challenges", web::get().to(list))
        .route("/challenges/{id}", web::get().to(show))
        .route("/challenges/{id}", web::patch().to(update))
        .route("/challenges/{id}/stages", web::put().to(stages))
        .route("/challenges/{id}/publish", web::post().to(publish))
        .route("/challenges/{id}/close", web::post().to(close))
        .route("/challenges/{id}/transitions", web::post().to(transition))
        .service(
            web::resource("/challenges/{id}/questions")
                .wrap(from_fn(crate::web::context::untraced))
                .route(web::post().to(ask))
                .route(web::get().to(questions_of)),
        )
        .route("/questions/{id}/answer", web::post().to(answer));
}

/// A challenge as the API shows it; `description` and `stages` only in the answer about
/// one challenge (a list carries the summary: fetch the challenge for the rest).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengeOut {
    /// The challenge's id, as in `/api/v1/challenges/{id}`.
    pub id: i64,
    /// The unique name in its web address, made from the title at creation.
    pub slug: String,
    /// Where it stands: draft, open, closed, evaluating, concluded or archived.
    pub status: ChallengeStatus,
    /// The publishing agency.
    pub organisation_id: i64,
    /// At most 200 characters.
    pub title: String,
    /// A short summary for lists, at most 500 characters.
    pub summary: String,
    /// The full text in Markdown; left out of lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `de` or `en`.
    pub language: String,
    /// Topic slugs.
    pub topics: Vec<String>,
    /// The organisation kinds that may propose.
    pub eligibility: Vec<OrgKind>,
    /// The administrative level of the agency's need: bund, land or kommune.
    pub level: Level,
    /// The region it concerns, free text; may be empty.
    pub region: String,
    /// The budget in whole euros; `null` when the agency names none.
    pub budget_eur: Option<i64>,
    /// RFC 3339.
    pub submission_deadline: String,
    /// How to reach the agency about it, free text; may be empty.
    pub contact: String,
    /// `private`, or `public_after_deadline`: the public part of submitted proposals is
    /// published once the submission deadline has passed.
    pub proposal_visibility: ProposalVisibility,
    /// The agency's form that proposals answer.
    pub submission_form_id: Option<i64>,
    /// RFC 3339.
    pub published_at: Option<String>,
    /// The challenge's page on the site, relative: `/challenges/<slug>`.
    pub url: String,
    /// The evaluation stages in order, with their rubrics; left out of lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<StageOut>>,
}

/// An evaluation stage with its rubric.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageOut {
    /// The stage's id, as the evaluation endpoints take it.
    pub id: i64,
    /// The stage's name as the agency wrote it, at most 120 characters.
    pub name: String,
    /// `review` (evaluators score against the rubric) or `eligibility` (the agency checks
    /// the formal requirements).
    pub kind: StageKind,
    /// How many evaluators each proposal should get, 1 to 20.
    pub reviewers_per_proposal: i64,
    /// Whether evaluators are kept from learning which team wrote a proposal.
    pub blind: bool,
    /// RFC 3339.
    pub starts_at: Option<String>,
    /// The review deadline (inclusive), RFC 3339; `null` when reviews are taken for as long
    /// as the stage runs.
    pub ends_at: Option<String>,
    /// The rubric, in order.
    pub criteria: Vec<Criterion>,
}

/// A challenge as the API shows it.
pub fn view(
    c: &ListedChallenge,
    description: Option<&str>,
    topics: &[TopicRef],
    stages: Option<&[Stage]>,
) -> ChallengeOut {
    ChallengeOut {
        id: c.id,
        slug: c.slug.clone(),
        status: c.status,
        organisation_id: c.organisation_id,
        title: c.title.clone(),
        summary: c.summary.clone(),
        description: description.map(str::to_string),
        language: c.language.clone(),
        topics: topics.iter().map(|t| t.slug.clone()).collect(),
        eligibility: c.eligible_kinds(),
        level: c.level,
        region: c.region.clone(),
        budget_eur: c.budget_eur,
        submission_deadline: utc(c.submission_deadline),
        contact: c.contact.clone(),
        proposal_visibility: c.proposal_visibility,
        submission_form_id: c.submission_form_id,
        published_at: c.published_at.map(utc),
        url: format!("/challenges/{}", c.slug),
        stages: stages.map(|stages| {
            stages
                .iter()
                .map(|s| StageOut {
                    id: s.stage.id,
                    name: s.stage.name.clone(),
                    kind: s.stage.kind,
                    reviewers_per_proposal: s.stage.reviewers_per_proposal,
                    blind: s.stage.blind,
                    starts_at: s.stage.starts_at.map(utc),
                    ends_at: s.stage.ends_at.map(utc),
                    criteria: s.criteria.clone(),
                })
                .collect()
        }),
    }
}

/// The body of `POST /challenges` and `PATCH /challenges/{id}`; every field optional in a
/// PATCH. Times are RFC 3339 (`2027-01-31T17:00:00Z`).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ChallengeBody {
    /// The agency the draft is created for; required in a POST, where the caller must be
    /// allowed to write challenges for it. Ignored in a PATCH.
    pub organisation_id: Option<i64>,
    /// At most 200 characters; required when creating.
    pub title: Option<String>,
    /// A short summary for lists, at most 500 characters; required when creating.
    pub summary: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    /// `de` (default) or `en`.
    pub language: Option<String>,
    /// Topic slugs.
    pub topics: Option<Vec<String>>,
    /// Organisation kinds that may submit: startup, civil_society, research.
    pub eligibility: Option<Vec<String>>,
    /// bund, land or kommune.
    pub level: Option<String>,
    /// The region it concerns, free text, at most 120 characters; may be empty.
    pub region: Option<String>,
    /// The budget in whole euros, 0 to 1,000,000,000,000; left out for none when creating.
    /// In a PATCH, absent or `null` keeps the current budget.
    pub budget_eur: Option<i64>,
    /// When submissions close; required when creating. RFC 3339, or Berlin local time
    /// without an offset (`2027-01-31T18:00`).
    pub submission_deadline: Option<String>,
    /// How to reach the agency about it, free text, at most 300 characters; may be empty.
    pub contact: Option<String>,
    /// private or public_after_deadline.
    pub proposal_visibility: Option<String>,
    /// The agency's form that proposals answer (no file fields); `null` removes it.
    /// Locked once proposals were submitted.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    pub submission_form_id: Option<Option<i64>>,
}

/// A field that may be sent as `null` to clear it: absent is `None`, `null` is
/// `Some(None)`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

impl ChallengeBody {
    /// Fills what the body leaves out from `base` (the current challenge in a PATCH).
    fn over(self, base: ChallengeInput) -> ChallengeInput {
        ChallengeInput {
            title: self.title.unwrap_or(base.title),
            summary: self.summary.unwrap_or(base.summary),
            description: self.description.unwrap_or(base.description),
            language: self.language.unwrap_or(base.language),
            eligibility: self.eligibility.unwrap_or(base.eligibility),
            level: self.level.unwrap_or(base.level),
            region: self.region.unwrap_or(base.region),
            budget_eur: self
                .budget_eur
                .map(|b| b.to_string())
                .unwrap_or(base.budget_eur),
            submission_deadline: self.submission_deadline.unwrap_or(base.submission_deadline),
            contact: self.contact.unwrap_or(base.contact),
            proposal_visibility: self.proposal_visibility.unwrap_or(base.proposal_visibility),
            topics: self.topics.unwrap_or(base.topics),
            submission_form_id: match self.submission_form_id {
                Some(id) => id.map(|i| i.to_string()).unwrap_or_default(),
                None => base.submission_form_id,
            },
        }
    }
}

fn input_of(c: &Challenge, topics: &[crate::domain::topics::TopicRef]) -> ChallengeInput {
    ChallengeInput {
        title: c.title.clone(),
        summary: c.summary.clone(),
        description: c.description.clone(),
        language: c.language.clone(),
        eligibility: c.eligibility.split(',').map(str::to_string).collect(),
        level: c.level.to_string(),
        region: c.region.clone(),
        budget_eur: c.budget_eur.map(|b| b.to_string()).unwrap_or_default(),
        submission_deadline: utc(c.submission_deadline),
        contact: c.contact.clone(),
        proposal_visibility: c.proposal_visibility.to_string(),
        topics: topics.iter().map(|t| t.slug.clone()).collect(),
        submission_form_id: c
            .submission_form_id
            .map(|i| i.to_string())
            .unwrap_or_default(),
    }
}

async fn detail(ctx: &Ctx, c: &Challenge) -> AppResult<ChallengeOut> {
    let cid = c.id;
    let (topics, stages) = ctx
        .db(move |conn| {
            Ok((
                crate::domain::topics::topics_of(conn, &[cid])?,
                crate::domain::evaluation::stages::stages_of(conn, cid)?,
            ))
        })
        .await?;
    Ok(view(
        &ListedChallenge::from(c),
        Some(&c.description),
        topics.get(&cid).map(Vec::as_slice).unwrap_or(&[]),
        Some(&stages),
    ))
}

/// Create a challenge draft in the name of an agency the caller belongs to.
#[utoipa::path(post, path = "/api/v1/challenges", tag = "challenges", request_body = ChallengeBody,
    responses((status = 201, body = ChallengeOut, description = "the draft, status \"draft\""), (status = 403), (status = 422)))]
pub async fn create(ctx: Ctx, body: web::Json<ChallengeBody>) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let org = body
        .organisation_id
        .ok_or_else(|| crate::error::FieldErrors::single("organisation_id", "field-required"))?;
    let input = body.over(ChallengeInput {
        language: "de".into(),
        proposal_visibility: "private".into(),
        level: "kommune".into(),
        ..Default::default()
    });
    let c = actions::challenges::create(&ctx, org, input).await?;
    Ok(HttpResponse::Created().json(detail(&ctx, &c).await?))
}

/// The query string of `GET /challenges`: filters, sort order and page (see `list`).
#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    topic: Option<String>,
    organisation_id: Option<i64>,
    level: Option<String>,
    soon: Option<bool>,
    q: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
    after: Option<i64>,
    before: Option<i64>,
}

/// Published challenges with filters; `{items, total, page, per_page}`. To walk the
/// list, ask for the next page with `after` = the id of the last item (and `page` one
/// higher, which only numbers it): that costs the same on every page, where a page by its
/// number alone makes the database count its way there.
#[utoipa::path(get, path = "/api/v1/challenges", tag = "challenges",
    params(("status" = Option<String>, Query), ("topic" = Option<String>, Query), ("organisation_id" = Option<i64>, Query), ("level" = Option<String>, Query),
           ("soon" = Option<bool>, Query), ("q" = Option<String>, Query), ("sort" = Option<String>, Query, description = "deadline | newest | title"),
           ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query),
           ("after" = Option<i64>, Query, description = "the page after this challenge of the list (the id of the previous page's last item)"),
           ("before" = Option<i64>, Query, description = "the page before this challenge of the list (the id of the next page's first item)")),
    responses((status = 200, description = "a page of challenges", body = Paged<ChallengeOut>)))]
pub async fn list(ctx: Ctx, q: web::Query<ListQuery>) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match ChallengeStatus::parse(s).filter(|s| s.is_published()) {
            Some(status) => Some(status),
            None => return Err(AppError::BadRequest(format!("unknown status {s:?}"))),
        },
    };
    let level = match q.level.as_deref().filter(|l| !l.is_empty()) {
        None => None,
        Some(l) => match Level::parse(l) {
            Some(level) => Some(level),
            None => return Err(AppError::BadRequest(format!("unknown level {l:?}"))),
        },
    };
    let page = Page::from_request(
        Some(PageRequest {
            page: q.page,
            per_page: q.per_page,
        }),
        20,
    );
    let cursor = Cursor::from_request(q.after, q.before);
    let filter = ListFilter {
        ids: crate::web::actions::search::challenge_ids(&ctx, q.q.as_deref()).await?,
        status,
        topic: q.topic,
        organisation_id: q.organisation_id,
        level,
        soon: q.soon.unwrap_or(false),
        sort: q.sort,
    };
    render::public_json(&ctx, || async {
        let list = ctx
            .db(move |conn| challenges::list(conn, &filter, page, cursor))
            .await?;
        // A `Value`, the form the visitors' cache keeps; typed as `Paged<ChallengeOut>`.
        serde_json::to_value(list.map(|i| view(&i.challenge, None, &i.topics, None)))
            .map_err(AppError::internal)
    })
    .await
}

/// A challenge with its stages and criteria (drafts: only for its agency).
#[utoipa::path(get, path = "/api/v1/challenges/{id}", tag = "challenges", params(("id" = i64, Path)),
    responses((status = 200, body = ChallengeOut, description = "the challenge"), (status = 404)))]
pub async fn show(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (c, _) = actions::challenges::load_by_id(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(detail(&ctx, &c).await?))
}

/// Change fields; the rules for submitted proposals stay locked (422 with field messages).
#[utoipa::path(patch, path = "/api/v1/challenges/{id}", tag = "challenges", params(("id" = i64, Path)), request_body = ChallengeBody,
    responses((status = 200, body = ChallengeOut), (status = 403), (status = 422)))]
pub async fn update(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<ChallengeBody>,
) -> AppResult<HttpResponse> {
    let (c, f) = actions::challenges::load_by_id(&ctx, id.into_inner()).await?;
    let cid = c.id;
    let topics = ctx
        .db(move |conn| crate::domain::topics::topics_of(conn, &[cid]))
        .await?;
    let base = input_of(&c, topics.get(&cid).map(Vec::as_slice).unwrap_or(&[]));
    let updated = actions::challenges::update(&ctx, &c, &f, body.into_inner().over(base)).await?;
    Ok(HttpResponse::Ok().json(detail(&ctx, &updated).await?))
}

/// Replace the stages and their rubric criteria.
#[utoipa::path(put, path = "/api/v1/challenges/{id}/stages", tag = "challenges", params(("id" = i64, Path)), request_body = Vec<StageInput>,
    responses((status = 200, body = Vec<StageOut>, description = "the stages with ids"), (status = 409), (status = 422)))]
pub async fn stages(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<Vec<StageInput>>,
) -> AppResult<HttpResponse> {
    let (c, f) = actions::challenges::load_by_id(&ctx, id.into_inner()).await?;
    actions::challenges::replace_stages(&ctx, &c, &f, body.into_inner()).await?;
    let v = detail(&ctx, &c).await?;
    Ok(HttpResponse::Ok().json(v.stages.unwrap_or_default()))
}

async fn run_transition(ctx: Ctx, id: i64, t: Transition) -> AppResult<HttpResponse> {
    let (c, f) = actions::challenges::load_by_id(&ctx, id).await?;
    let c = actions::challenges::transition(&ctx, &c, &f, t).await?;
    Ok(HttpResponse::Ok().json(detail(&ctx, &c).await?))
}

/// Publish a draft (status "open"); the agency must be verified.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/publish", tag = "challenges", params(("id" = i64, Path)),
    responses((status = 200, body = ChallengeOut), (status = 409, description = "illegal transition or unverified agency")))]
pub async fn publish(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    run_transition(ctx, id.into_inner(), Transition::Publish).await
}

/// Close submissions (status "closed").
#[utoipa::path(post, path = "/api/v1/challenges/{id}/close", tag = "challenges", params(("id" = i64, Path)), responses((status = 200, body = ChallengeOut), (status = 409)))]
pub async fn close(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    run_transition(ctx, id.into_inner(), Transition::Close).await
}

/// The body of `POST /challenges/{id}/transitions`.
#[derive(Deserialize, ToSchema)]
pub struct TransitionBody {
    /// publish, close, start_evaluation, conclude or archive.
    pub transition: String,
}

/// Any step of the state machine.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/transitions", tag = "challenges", params(("id" = i64, Path)), request_body = TransitionBody,
    responses((status = 200, body = ChallengeOut), (status = 409)))]
pub async fn transition(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<TransitionBody>,
) -> AppResult<HttpResponse> {
    let t = Transition::parse(&body.transition).ok_or(AppError::Conflict {
        message_id: "transition-illegal",
    })?;
    run_transition(ctx, id.into_inner(), t).await
}

/// The body of `POST /challenges/{id}/questions`.
#[derive(Deserialize, ToSchema)]
pub struct QuestionBody {
    /// The question, at most 2,000 characters; must not be blank.
    pub body: String,
    /// Without a token the question is always anonymous.
    #[serde(default)]
    pub anonymous: bool,
}

/// A question as its asker gets it back.
#[derive(Serialize, ToSchema)]
pub struct AskedQuestion {
    /// The new question's id.
    pub id: i64,
    /// Always `open` for a new question.
    pub status: QuestionStatus,
    /// Stored without the asker.
    pub anonymous: bool,
    /// For an anonymous question: the private address to follow it (keep it).
    pub follow_url: Option<String>,
}

/// Ask a question; anonymous ones store nobody and return a private `follow_url`.
#[utoipa::path(post, path = "/api/v1/challenges/{id}/questions", tag = "questions", params(("id" = i64, Path)), request_body = QuestionBody,
    responses((status = 201, body = AskedQuestion), (status = 422), (status = 429)))]
pub async fn ask(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<QuestionBody>,
) -> AppResult<HttpResponse> {
    let (c, _) = actions::challenges::load_by_id(&ctx, id.into_inner()).await?;
    let b = body.into_inner();
    let (q, key) = actions::challenges::ask(&ctx, &c, b.body, b.anonymous).await?;
    Ok(HttpResponse::Created().json(AskedQuestion {
        id: q.id,
        status: q.status,
        anonymous: q.asker_id.is_none(),
        follow_url: key.map(|k| format!("/questions/{}?key={k}", q.id)),
    }))
}

/// A question as the API lists it.
#[derive(Serialize, ToSchema)]
pub struct QuestionItem {
    /// The question's id, as in `/api/v1/questions/{id}/answer`.
    pub id: i64,
    /// The question as asked.
    pub body: String,
    /// open, answered or declined.
    pub status: QuestionStatus,
    /// The agency's public answer; `null` unless answered.
    pub answer: Option<String>,
    /// Why the agency declined it; `null` unless declined.
    pub decline_reason: Option<String>,
    /// The asker's name; none for anonymous questions.
    pub asked_by: Option<String>,
    /// When it was asked, RFC 3339.
    pub created_at: String,
    /// When it was last answered or declined, RFC 3339; `null` while open.
    pub answered_at: Option<String>,
    /// Hidden by moderation (only the agency gets these).
    pub hidden: bool,
}

impl From<QuestionView> for QuestionItem {
    fn from(v: QuestionView) -> Self {
        let q = v.question;
        QuestionItem {
            id: q.id,
            body: q.body,
            status: q.status,
            answer: q.answer,
            decline_reason: q.decline_reason,
            asked_by: v.asker_name,
            created_at: utc(q.created_at),
            answered_at: q.answered_at.map(utc),
            hidden: q.hidden_at.is_some(),
        }
    }
}

/// Answered questions; a logged-in asker also sees their own open ones; the agency all.
/// A page of them, newest first.
#[utoipa::path(get, path = "/api/v1/challenges/{id}/questions", tag = "questions", params(("id" = i64, Path), PageRequest),
    responses((status = 200, description = "a page of questions, newest first", body = Paged<QuestionItem>), (status = 404)))]
pub async fn questions_of(
    ctx: Ctx,
    id: web::Path<i64>,
    q: web::Query<PageRequest>,
) -> AppResult<HttpResponse> {
    let (c, f) = actions::challenges::load_by_id(&ctx, id.into_inner()).await?;
    let audience = actions::challenges::question_audience(&ctx, &f);
    let page = Page::from_request(Some(q.into_inner()), DEFAULT_PER_PAGE);
    let cid = c.id;
    let list = ctx
        .db(move |conn| questions::list(conn, cid, audience, page))
        .await?;
    Ok(HttpResponse::Ok().json(list.map(QuestionItem::from)))
}

/// The body of `POST /questions/{id}/answer`: send `body` to answer (at most 5,000
/// characters) or only `decline_reason` to decline (at most 1,000); `body` wins if both
/// are sent, and sending neither is a 422.
#[derive(Deserialize, ToSchema)]
pub struct AnswerBody {
    /// The public answer.
    pub body: Option<String>,
    /// Instead of an answer: why the question is declined.
    pub decline_reason: Option<String>,
}

/// A question after the agency answered or declined it.
#[derive(Serialize, ToSchema)]
pub struct AnsweredQuestion {
    /// The question's id.
    pub id: i64,
    /// `answered` or `declined`.
    pub status: QuestionStatus,
    /// The public answer; `null` when declined.
    pub answer: Option<String>,
    /// Why it was declined; `null` when answered.
    pub decline_reason: Option<String>,
}

/// Answer publicly (or decline with a reason).
#[utoipa::path(post, path = "/api/v1/questions/{id}/answer", tag = "questions", params(("id" = i64, Path)), request_body = AnswerBody,
    responses((status = 200, body = AnsweredQuestion), (status = 403), (status = 422)))]
pub async fn answer(
    ctx: Ctx,
    id: web::Path<i64>,
    body: web::Json<AnswerBody>,
) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let id = id.into_inner();
    let (answer, decline) = match (b.body, b.decline_reason) {
        (Some(a), _) => (Some(a), None),
        (None, d) => (None, d),
    };
    let (_, _, f) = actions::challenges::load_question(&ctx, id).await?;
    ctx.authorize(Action::ViewChallenge(&f)).await?;
    let q = actions::challenges::respond(&ctx, id, answer, decline).await?;
    Ok(HttpResponse::Ok().json(AnsweredQuestion {
        id: q.id,
        status: q.status,
        answer: q.answer,
        decline_reason: q.decline_reason,
    }))
}
