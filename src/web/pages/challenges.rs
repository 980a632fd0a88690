//! Challenge pages: the public list with filters, the detail page with questions,
//! writing and editing, the state machine's buttons, the agency's question desk and the
//! proposals of a challenge.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::policy::{self, Action, ChallengeFacts};
use crate::domain::attachments;
use crate::domain::challenges::{self, Challenge, ChallengeInput, ListFilter, Transition};
use crate::domain::form_library;
use crate::domain::pagination::{Cursor, Page, PageRequest, DEFAULT_PER_PAGE};
use crate::domain::proposals::{self, Scope};
use crate::domain::questions::{self, Audience};
use crate::domain::{time, topics};
use crate::error::{AppError, AppResult};
use crate::kinds::{AttachmentOwner, ChallengeStatus, Level, OrgKind, ProposalVisibility};
use crate::text;
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::csrf_form::CsrfForm;
use crate::web::multipart;
use crate::web::pages::PageQuery;
use crate::web::render::{self, SameFor};
use crate::web::state::ListChoices;
use crate::web::views;

/// The challenge list, detail and editing pages, and the question desk.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/challenges", web::get().to(list))
        .route("/challenges", web::post().to(create))
        .route("/challenges/new", web::get().to(new_form))
        .route("/challenges/{slug}", web::get().to(detail))
        .route("/challenges/{slug}/edit", web::get().to(edit_form))
        .route("/challenges/{slug}/edit", web::post().to(update))
        .route("/challenges/{slug}/transition", web::post().to(transition))
        .route("/challenges/{slug}/follow", web::post().to(follow))
        .service(
            web::resource("/challenges/{slug}/questions")
                .wrap(from_fn(crate::web::context::untraced))
                .route(web::get().to(question_desk))
                .route(web::post().to(ask)),
        )
        .route("/challenges/{slug}/attachments", web::post().to(upload))
        .route("/challenges/{slug}/proposals", web::get().to(proposals_of))
        .route("/questions/{id}", web::get().to(own_question))
        .route("/questions/{id}/respond", web::post().to(respond))
        .route("/questions/{id}/visibility", web::post().to(hide));
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    topic: Option<String>,
    agency: Option<String>,
    level: Option<String>,
    soon: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    page: Option<i64>,
    after: Option<i64>,
    before: Option<i64>,
}

async fn list(ctx: Ctx, q: web::Query<ListQuery>) -> AppResult<HttpResponse> {
    render::public_page(&ctx, "challenges", SameFor::Everyone, || {
        list_data(&ctx, q.into_inner())
    })
    .await
}

/// The list page's title and data.
/// The key of the list's filter choices in `AppState::list_choices`.
const LIST_CHOICES: &str = "list";

async fn list_data(ctx: &Ctx, mut q: ListQuery) -> AppResult<(String, Value)> {
    let lang = ctx.lang;
    // The words are shown again in the search field: without control characters, which
    // also keeps the page cache's token marker out of the page.
    q.q = q.q.map(|words| text::clean(&words));
    // Visitors land on the open challenges; "all" shows every published one.
    // Unknown words in the address are ignored: the list shows what it can.
    let status = match q.status.as_deref() {
        None => Some(ChallengeStatus::Open),
        Some("all") | Some("") => None,
        Some(s) => ChallengeStatus::parse(s).filter(|s| s.is_published()),
    };
    let agency_slug = q.agency.clone().filter(|a| text::is_slug(a));
    let page = Page::from_request(
        Some(PageRequest {
            page: q.page,
            per_page: None,
        }),
        20,
    );
    let cursor = Cursor::from_request(q.after, q.before);
    let ids = crate::web::actions::search::challenge_ids(ctx, q.q.as_deref()).await?;
    let known_choices = ctx.state.list_choices.get(LIST_CHOICES);
    let (list, choices, chosen_agency, agency_id) = ctx
        .db({
            let known_choices = known_choices.clone();
            let (status, topic, level, soon, sort) = (
                status,
                q.topic.clone(),
                q.level.as_deref().and_then(Level::parse),
                q.soon.is_some(),
                q.sort.clone(),
            );
            move |conn| {
                let agency = match &agency_slug {
                    Some(s) => crate::domain::organisations::find_by_slug(conn, s).ok(),
                    None => None,
                };
                let filter = ListFilter {
                    status,
                    topic,
                    organisation_id: agency.as_ref().map(|a| a.id),
                    level,
                    soon,
                    ids,
                    sort,
                };
                let list = challenges::list(conn, &filter, page, cursor)?;
                let choices = match known_choices {
                    Some(known) => known,
                    None => Arc::new(ListChoices {
                        topics: topics::list(conn)?,
                        agencies: challenges::publishing_agencies(conn, None)?,
                    }),
                };
                // An agency chosen by address that is not among the busiest is offered too.
                let chosen_agency = agency
                    .as_ref()
                    .filter(|a| !choices.agencies.iter().any(|(slug, _)| *slug == a.slug))
                    .map(|a| challenges::publishing_agencies(conn, Some(a.id)))
                    .transpose()?;
                Ok((list, choices, chosen_agency, agency.map(|a| a.slug)))
            }
        })
        .await?;
    if known_choices.is_none() {
        ctx.state
            .list_choices
            .put(LIST_CHOICES.into(), choices.clone());
    }
    let (all_topics, agencies) = (
        &choices.topics,
        chosen_agency.as_ref().unwrap_or(&choices.agencies),
    );
    let items: Vec<Value> = list
        .items
        .iter()
        .map(|i| {
            views::challenge_card(
                &i.challenge,
                &i.agency_name,
                &i.agency_slug,
                &i.topics,
                lang,
            )
        })
        .collect();
    let mut params: Vec<(String, String)> = Vec::new();
    for (k, v) in [
        ("status", q.status.clone()),
        ("topic", q.topic.clone()),
        ("agency", agency_id.clone()),
        ("level", q.level.clone()),
        ("soon", q.soon.clone()),
        ("q", q.q.clone()),
        ("sort", q.sort.clone()),
    ] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            params.push((k.to_string(), v));
        }
    }
    let base = format!(
        "/challenges?{}{}",
        serde_urlencoded::to_string(&params).unwrap_or_default(),
        if params.is_empty() { "" } else { "&" }
    );
    // The feed of what the list shows, newest first: the list's filters without words,
    // order and page.
    let feed_params: Vec<(&str, String)> = [
        ("status", status.map(|s| s.as_str().to_string())),
        ("topic", q.topic.clone()),
        ("agency", agency_id.clone()),
        ("level", q.level.clone()),
        ("soon", q.soon.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
    .collect();
    let feed = format!(
        "/challenges.atom?{}",
        serde_urlencoded::to_string(&feed_params).unwrap_or_default()
    );
    let selected = |opt: &Option<String>, v: &str| opt.as_deref() == Some(v);
    // "Previous" and "next" continue from the page's first and last row.
    let edges = list
        .items
        .first()
        .zip(list.items.last())
        .map(|(first, last)| (first.challenge.id, last.challenge.id));
    Ok((
        ctx.t("challenges-title"),
        json!({
            "challenges": items,
            "total": list.total,
            "pagination": views::pagination_by_rows(&base, page, list.total, edges),
            "filter": { "q": q.q, "soon": q.soon.is_some() },
            "feed": feed.trim_end_matches('?'),
            "statuses": (ChallengeStatus::PUBLIC.iter().map(|s| s.as_str()).chain(["all"]).map(|s| json!({ "value": s, "name": ctx.t(&format!("cstatus-{s}")), "selected": status.map(ChallengeStatus::as_str) == Some(s) || (s == "all" && status.is_none()) })).collect::<Vec<_>>()),
            "topics": all_topics.iter().map(|t| json!({ "value": t.slug, "name": t.name(lang), "selected": selected(&q.topic, &t.slug) })).collect::<Vec<_>>(),
            "agencies": agencies.iter().map(|(slug, name)| json!({ "value": slug, "name": name, "selected": agency_id.as_deref() == Some(slug.as_str()) })).collect::<Vec<_>>(),
            "levels": Level::ALL.iter().map(|l| json!({ "value": l.as_str(), "name": ctx.t(&format!("level-{}", l.as_str())), "selected": selected(&q.level, l.as_str()) })).collect::<Vec<_>>(),
            "sorts": (["deadline", "newest", "title"].iter().map(|s| json!({ "value": s, "name": ctx.t(&format!("sort-{s}")), "selected": q.sort.as_deref().unwrap_or("deadline") == *s })).collect::<Vec<_>>()),
        }),
    ))
}

/// The form's choices and current values.
fn form_data(
    ctx: &Ctx,
    form: Value,
    agencies: &[crate::domain::organisations::Organisation],
    all_topics: &[topics::Topic],
    challenge: Option<(&Challenge, &[form_library::Summary])>,
) -> Value {
    let checked = |key: &str| form.get(key).is_some_and(|v| v.as_bool() == Some(true));
    let chosen_form = form
        .get("submission_form_id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let (challenge, forms) = match challenge {
        Some((c, forms)) => (Some(c), forms),
        None => (None, &[][..]),
    };
    json!({
        "submission_forms": forms.iter().map(|f| json!({ "id": f.id, "title": f.title, "selected": f.id.to_string() == chosen_form })).collect::<Vec<_>>(),
        "form": form,
        "challenge": challenge.map(|c| json!({ "slug": c.slug, "title": c.title })),
        "agencies": agencies.iter().map(|a| json!({ "id": a.id, "name": a.name, "selected": form.get("organisation_id").and_then(Value::as_str) == Some(a.id.to_string().as_str()) })).collect::<Vec<_>>(),
        "kinds": ([OrgKind::Startup, OrgKind::CivilSociety, OrgKind::Research].iter().map(|k| json!({ "value": k.as_str(), "checked": checked(&format!("eligibility_{}", k.as_str())) })).collect::<Vec<_>>()),
        "levels": Level::ALL.iter().map(|l| json!({ "value": l.as_str(), "selected": form.get("level").and_then(Value::as_str) == Some(l.as_str()) })).collect::<Vec<_>>(),
        "topic_choices": all_topics.iter().map(|t| json!({ "value": t.slug, "name": t.name(ctx.lang), "checked": checked(&format!("topic_{}", t.slug)) })).collect::<Vec<_>>(),
    })
}

/// The values of an existing challenge as the form shows them.
fn form_of(c: &Challenge, topic_slugs: &[String]) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in [
        ("title", c.title.clone()),
        ("summary", c.summary.clone()),
        ("description", c.description.clone()),
        ("language", c.language.clone()),
        ("level", c.level.to_string()),
        ("region", c.region.clone()),
        (
            "budget_eur",
            c.budget_eur.map(|b| b.to_string()).unwrap_or_default(),
        ),
        (
            "submission_deadline",
            time::to_local_input(c.submission_deadline),
        ),
        ("contact", c.contact.clone()),
        ("proposal_visibility", c.proposal_visibility.to_string()),
        (
            "submission_form_id",
            c.submission_form_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
        ),
    ] {
        m.insert(k.into(), json!(v));
    }
    for k in c.eligibility.split(',') {
        m.insert(format!("eligibility_{k}"), json!(true));
    }
    for t in topic_slugs {
        m.insert(format!("topic_{t}"), json!(true));
    }
    Value::Object(m)
}

/// The form as typed, for re-display after a problem (checkboxes as booleans).
fn echo(fields: &HashMap<String, String>) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in fields {
        if k == "csrf_token" {
            continue;
        }
        if k.starts_with("eligibility_") || k.starts_with("topic_") {
            m.insert(k.clone(), json!(true));
        } else {
            m.insert(k.clone(), json!(v));
        }
    }
    Value::Object(m)
}

fn input_of(fields: &HashMap<String, String>) -> ChallengeInput {
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let mut eligibility: Vec<String> = fields
        .keys()
        .filter_map(|k| k.strip_prefix("eligibility_"))
        .map(str::to_string)
        .collect();
    eligibility.sort();
    let mut topics: Vec<String> = fields
        .keys()
        .filter_map(|k| k.strip_prefix("topic_"))
        .map(str::to_string)
        .collect();
    topics.sort();
    ChallengeInput {
        title: get("title"),
        summary: get("summary"),
        description: get("description"),
        language: get("language"),
        eligibility,
        level: get("level"),
        region: get("region"),
        budget_eur: get("budget_eur"),
        submission_deadline: get("submission_deadline"),
        contact: get("contact"),
        proposal_visibility: get("proposal_visibility"),
        topics,
        submission_form_id: get("submission_form_id"),
    }
}

async fn new_form(ctx: Ctx) -> AppResult<HttpResponse> {
    ctx.require_user()?;
    let agencies = actions::challenges::my_agencies(&ctx).await?;
    if agencies.is_empty() {
        return Err(AppError::Forbidden);
    }
    let all_topics = ctx.db(topics::list).await?;
    let defaults = json!({ "language": ctx.lang.code(), "level": "kommune", "proposal_visibility": "private", "eligibility_startup": true, "eligibility_civil_society": true, "eligibility_research": true });
    render::page(
        &ctx,
        "challenge_form",
        "challenge-new-title",
        form_data(&ctx, defaults, &agencies, &all_topics, None),
    )
}

async fn create(form: CsrfForm<HashMap<String, String>>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let org_id = data
        .get("organisation_id")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(-1);
    match actions::challenges::create(&ctx, org_id, input_of(&data)).await {
        Ok(c) => Ok(render::redirect_with(
            &format!("/challenges/{}", c.slug),
            "success",
            "flash-challenge-created",
        )),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let agencies = actions::challenges::my_agencies(&ctx).await?;
            let all_topics = ctx.db(topics::list).await?;
            let data = form_data(&ctx, echo(&data), &agencies, &all_topics, None);
            let form = data["form"].clone();
            render::form_error(&ctx, e, "challenge_form", "challenge-new-title", form, data)
        }
        Err(AppError::NotFound) => Err(AppError::Forbidden),
        Err(e) => Err(e),
    }
}

/// The challenge with a page of its questions (`?page=N`, newest first).
async fn detail(
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    render::public_page(&ctx, "challenge", SameFor::Visitors, || async {
        let (c, f) = actions::challenges::load(&ctx, slug.into_inner()).await?;
        let data = detail_data(&ctx, &c, &f, q.into_inner().page(DEFAULT_PER_PAGE)).await?;
        Ok((c.title.clone(), data))
    })
    .await
}

async fn detail_data(
    ctx: &Ctx,
    c: &Challenge,
    f: &ChallengeFacts,
    questions_page: Page,
) -> AppResult<Value> {
    let actor = ctx.actor();
    let may = |a| policy::authorize(&actor, a).is_ok();
    let manage = may(Action::ManageChallenge(f));
    let (cid, uid, org_id) = (c.id, ctx.user_id(), c.organisation_id);
    let (agency, topic_map, stages, files, qs, following, my_orgs, submitted) = ctx
        .db(move |conn| {
            Ok((
                crate::domain::organisations::find(conn, org_id)?,
                crate::domain::topics::topics_of(conn, &[cid])?,
                crate::domain::evaluation::stages::stages_of(conn, cid)?,
                attachments::list(conn, AttachmentOwner::Challenge, cid)?,
                questions::list(conn, cid, Audience::Public { reader: uid }, questions_page)?,
                match uid {
                    Some(u) => challenges::is_following(conn, u, cid)?,
                    None => false,
                },
                match uid {
                    Some(u) => crate::domain::organisations::memberships_of(conn, u)?,
                    None => Vec::new(),
                },
                challenges::submitted_count(conn, cid)?,
            ))
        })
        .await?;
    let topics = topic_map.get(&c.id).cloned().unwrap_or_default();
    let now = crate::db::now();
    let eligible_orgs: Vec<Value> = my_orgs
        .iter()
        .filter(|(o, _)| c.is_eligible(o.kind))
        .map(|(o, _)| json!({ "id": o.id, "name": o.name }))
        .collect();
    let ui_lang = ctx.lang;
    Ok(json!({
        "challenge": views::challenge_card(&challenges::ListedChallenge::from(c), &agency.name, &agency.slug, &topics, ui_lang),
        "content_lang": if c.language == ui_lang.code() { Value::Null } else { json!(c.language) },
        "description_html": text::render_markdown(&c.description),
        "contact": c.contact,
        "eligibility": c.eligibility.split(',').collect::<Vec<_>>(),
        "public_after_deadline": c.proposal_visibility == ProposalVisibility::PublicAfterDeadline,
        "proposals_public": c.proposals_public(now),
        "stages": stages,
        "attachments": files,
        "questions": qs.items,
        "questions_pagination": views::pagination_to(&format!("/challenges/{}?", c.slug), "#questions", questions_page, qs.total),
        "following": following,
        "manage": manage,
        "moderate": may(Action::ModerateQuestions(f)),
        "transitions": if manage { challenges::transitions_from(c.status).iter().map(|t| t.as_str()).collect::<Vec<_>>() } else { Vec::new() },
        "draft": !c.status.is_published(),
        "submitted_count": submitted,
        "may_propose": c.accepts_submissions(now) && !eligible_orgs.is_empty(),
        "eligible_orgs": eligible_orgs,
        "ask_form": { "body": "" },
        "anon_key": null,
    }))
}

async fn edit_form(ctx: Ctx, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let (c, f) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    ctx.authorize(Action::ManageChallenge(&f)).await?;
    let (cid, oid) = (c.id, c.organisation_id);
    let (topic_map, all_topics, forms) = ctx
        .db(move |conn| {
            Ok((
                crate::domain::topics::topics_of(conn, &[cid])?,
                topics::choices_for(conn, Some(cid))?,
                form_library::of_organisation(conn, oid)?,
            ))
        })
        .await?;
    let slugs: Vec<String> = topic_map
        .get(&cid)
        .map(|v| v.iter().map(|t| t.slug.clone()).collect())
        .unwrap_or_default();
    render::page(
        &ctx,
        "challenge_form",
        "challenge-edit-title",
        form_data(
            &ctx,
            form_of(&c, &slugs),
            &[],
            &all_topics,
            Some((&c, &forms)),
        ),
    )
}

async fn update(
    form: CsrfForm<HashMap<String, String>>,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let (c, f) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    match actions::challenges::update(&ctx, &c, &f, input_of(&data)).await {
        Ok(c) => Ok(render::redirect_with(
            &format!("/challenges/{}", c.slug),
            "success",
            "flash-challenge-saved",
        )),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let (cid, oid) = (c.id, c.organisation_id);
            let (all_topics, forms) = ctx
                .db(move |conn| {
                    Ok((
                        topics::choices_for(conn, Some(cid))?,
                        form_library::of_organisation(conn, oid)?,
                    ))
                })
                .await?;
            let data = form_data(&ctx, echo(&data), &[], &all_topics, Some((&c, &forms)));
            let form = data["form"].clone();
            render::form_error(
                &ctx,
                e,
                "challenge_form",
                "challenge-edit-title",
                form,
                data,
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct TransitionForm {
    #[serde(default)]
    transition: String,
}

async fn transition(
    form: CsrfForm<TransitionForm>,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let (c, f) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    let t = Transition::parse(&data.transition).ok_or(AppError::Conflict {
        message_id: "transition-illegal",
    })?;
    match actions::challenges::transition(&ctx, &c, &f, t).await {
        Ok(c) => Ok(render::redirect_with(
            &format!("/challenges/{}", c.slug),
            "success",
            "flash-challenge-status",
        )),
        Err(AppError::Validation(_)) => Err(AppError::Conflict {
            message_id: "deadline-in-past",
        }),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct FollowForm {
    #[serde(default)]
    follow: String,
}

async fn follow(form: CsrfForm<FollowForm>, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let (c, _) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    let on = data.follow == "1";
    actions::challenges::set_following(&ctx, &c, on).await?;
    let msg = if on {
        "flash-following"
    } else {
        "flash-unfollowed"
    };
    Ok(render::redirect_with(
        &format!("/challenges/{}", c.slug),
        "success",
        msg,
    ))
}

#[derive(Deserialize)]
struct AskForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    anonymous: Option<String>,
    /// A field people never see: whatever fills it is a robot.
    #[serde(default)]
    website: String,
}

async fn ask(form: CsrfForm<AskForm>, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let (c, f) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    if !data.website.is_empty() {
        // Answer as if all went well; store nothing.
        return Ok(render::redirect_with(
            &format!("/challenges/{}#questions", c.slug),
            "success",
            "flash-question-asked",
        ));
    }
    match actions::challenges::ask(&ctx, &c, data.body.clone(), data.anonymous.is_some()).await {
        Ok((q, Some(key))) => render::page(
            &ctx,
            "question_asked",
            "question-asked-title",
            json!({ "challenge": { "slug": c.slug, "title": c.title }, "link": format!("/questions/{}?key={}", q.id, key) }),
        ),
        Ok((_, None)) => Ok(render::redirect_with(
            &format!("/challenges/{}#questions", c.slug),
            "success",
            "flash-question-asked",
        )),
        Err(e @ (AppError::Validation(_) | AppError::TooManyRequests { .. })) => {
            // Shown again with the first page of questions, the newest.
            let mut page = detail_data(&ctx, &c, &f, Page::first(DEFAULT_PER_PAGE)).await?;
            page["ask_form"] = json!({ "body": data.body, "anonymous": data.anonymous.is_some() });
            let form = page["ask_form"].clone();
            render::form_error(&ctx, e, "challenge", "challenge-title", form, page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct KeyQuery {
    key: Option<String>,
}

/// An anonymous asker's private view of their question.
async fn own_question(
    ctx: Ctx,
    id: web::Path<i64>,
    q: web::Query<KeyQuery>,
) -> AppResult<HttpResponse> {
    let key = q.into_inner().key.unwrap_or_default();
    let id = id.into_inner();
    // With its private key the asker sees their question in any state; everyone sees an
    // answered one that is public on its challenge's page (search results link here).
    let (question, c) = ctx
        .db(move |conn| {
            let (q, asker) = match questions::find_by_key(conn, id, &key) {
                Ok(q) => (q, true),
                Err(AppError::NotFound) => (questions::find(conn, id)?, false),
                Err(e) => return Err(e),
            };
            let c = challenges::find(conn, q.challenge_id)?;
            let published = c.status.is_published();
            if !published || !(asker || questions::is_public(&q, published)) {
                return Err(AppError::NotFound);
            }
            Ok((q, c))
        })
        .await?;
    render::page(
        &ctx,
        "question",
        "question-title",
        json!({ "question": question, "challenge": { "slug": c.slug, "title": c.title } }),
    )
}

/// The agency's desk: a page of every question, hidden ones included, newest first.
async fn question_desk(
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let (c, f) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    ctx.authorize(Action::ModerateQuestions(&f)).await?;
    let page = q.into_inner().page(DEFAULT_PER_PAGE);
    let cid = c.id;
    let list = ctx
        .db(move |conn| questions::list(conn, cid, Audience::Agency, page))
        .await?;
    let may_answer = policy::authorize(&ctx.actor(), Action::ManageChallenge(&f)).is_ok();
    render::page(
        &ctx,
        "challenge_questions",
        "questions-desk-title",
        json!({
            "challenge": { "slug": c.slug, "title": c.title },
            "questions": list.items,
            "total": list.total,
            "may_answer": may_answer,
            "pagination": views::pagination(&format!("/challenges/{}/questions?", c.slug), page, list.total),
        }),
    )
}

#[derive(Deserialize)]
struct RespondForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    decision: String,
}

async fn respond(form: CsrfForm<RespondForm>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let id = id.into_inner();
    let (answer, decline) = if data.decision == "decline" {
        (None, Some(data.reason))
    } else {
        (Some(data.answer), None)
    };
    let (_, c, _) = actions::challenges::load_question(&ctx, id).await?;
    match actions::challenges::respond(&ctx, id, answer, decline).await {
        Ok(_) => Ok(render::redirect_with(
            &format!("/challenges/{}/questions", c.slug),
            "success",
            "flash-question-answered",
        )),
        Err(AppError::Validation(_)) => Ok(render::redirect_with(
            &format!("/challenges/{}/questions#question-{id}", c.slug),
            "error",
            "flash-answer-empty",
        )),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct HideForm {
    #[serde(default)]
    hide: String,
    #[serde(default)]
    reason: String,
}

async fn hide(form: CsrfForm<HideForm>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let c = actions::challenges::set_question_hidden(
        &ctx,
        id.into_inner(),
        data.hide == "1",
        data.reason,
    )
    .await?;
    Ok(render::redirect_with(
        &format!("/challenges/{}/questions", c.slug),
        "success",
        "flash-question-moderated",
    ))
}

async fn upload(
    ctx: Ctx,
    slug: web::Path<String>,
    payload: actix_multipart::Multipart,
) -> AppResult<HttpResponse> {
    let (c, f) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    ctx.authorize(Action::ManageChallenge(&f)).await?;
    store_upload(
        &ctx,
        payload,
        AttachmentOwner::Challenge,
        c.id,
        &format!("/challenges/{}#attachments", c.slug),
    )
    .await
}

/// Reads an uploaded file, stores it for its owner (authorised by the caller) and goes
/// back to `back` with a notice: done, or what was wrong with the file.
pub(crate) async fn store_upload(
    ctx: &Ctx,
    payload: actix_multipart::Multipart,
    owner: AttachmentOwner,
    owner_id: i64,
    back: &str,
) -> AppResult<HttpResponse> {
    let stored = match multipart::read_file(ctx, payload, ctx.state.config.upload_limit_bytes).await
    {
        Ok(file) => actions::challenges::attach(ctx, owner, owner_id, file.filename, file.bytes)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match stored {
        Ok(()) => Ok(render::redirect_with(
            back,
            "success",
            "flash-file-uploaded",
        )),
        Err(AppError::File(problem)) => {
            Ok(render::redirect_with(back, "error", problem.message_id()))
        }
        Err(e) => Err(e),
    }
}

/// The agency sees every submitted proposal; everybody sees them once the challenge made
/// them public after its deadline.
async fn proposals_of(
    ctx: Ctx,
    slug: web::Path<String>,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let (c, f) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    let scope = actions::challenges::proposal_scope(&ctx, &c, &f).await?;
    let page = q.into_inner().page(DEFAULT_PER_PAGE);
    let cid = c.id;
    let list = ctx
        .db(move |conn| proposals::list_for_challenge(conn, cid, scope, page))
        .await?;
    let items: Vec<Value> = list
        .items
        .iter()
        .map(|i| json!({ "id": i.proposal.id, "title": i.proposal.title, "summary": i.proposal.summary, "status": i.proposal.status, "organisation_name": i.organisation_name, "submitted_at": i.proposal.submitted_at, "revision": i.proposal.revision }))
        .collect();
    render::page(
        &ctx,
        "challenge_proposals",
        "challenge-proposals-title",
        json!({
            "challenge": { "slug": c.slug, "title": c.title },
            "proposals": items,
            "total": list.total,
            "agency_view": scope == Scope::Agency,
            "pagination": views::pagination(&format!("/challenges/{}/proposals?", c.slug), page, list.total),
        }),
    )
}

/// A challenge as the proposal pages refer to it.
pub fn challenge_ref(c: &Challenge) -> Value {
    json!({ "slug": c.slug, "title": c.title, "deadline": c.submission_deadline, "days_left": views::days_left(c.submission_deadline), "status": c.status })
}
