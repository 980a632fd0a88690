//! Proposal pages: start one, edit, submit, withdraw and reopen, read (public and private
//! parts), revisions with their diffs, the co-creation thread, files.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::policy::{Action, ProposalFacts};
use crate::domain::challenges::Challenge;
use crate::domain::evaluation::reviews;
use crate::domain::messages;
use crate::domain::pagination::{Page, Paged, DEFAULT_PER_PAGE};
use crate::domain::proposals::answers;
use crate::domain::proposals::{self, Content, Proposal, ProposalInput};
use crate::error::{AppError, AppResult};
use crate::forms::view;
use crate::i18n;
use crate::kinds::{AttachmentOwner, ProposalStatus};
use crate::text;
use crate::web::actions;
use crate::web::actions::proposals::Step;
use crate::web::context::Ctx;
use crate::web::csrf_form::{CsrfForm, NoFields};
use crate::web::pages::challenges::{challenge_ref, store_upload};
use crate::web::pages::PageQuery;
use crate::web::{downloads, render, views};

/// Registers the proposal pages: starting, editing, the submit, withdraw and reopen steps,
/// revisions, messages, and uploading, downloading and deleting attachments.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/challenges/{slug}/proposals/new", web::get().to(new_form))
        .route("/challenges/{slug}/proposals", web::post().to(create))
        .route("/proposals/{id}", web::get().to(show))
        .route("/proposals/{id}/edit", web::get().to(edit_form))
        .route("/proposals/{id}/edit", web::post().to(update))
        .route("/proposals/{id}/submit", web::post().to(submit))
        .route("/proposals/{id}/withdraw", web::post().to(withdraw))
        .route("/proposals/{id}/reopen", web::post().to(reopen))
        .route("/proposals/{id}/revisions", web::get().to(revisions))
        .route("/proposals/{id}/messages", web::post().to(message))
        .route("/proposals/{id}/attachments", web::post().to(upload))
        .route("/attachments/{id}", web::get().to(downloads::attachment))
        .route(
            "/attachments/{id}/delete",
            web::post().to(delete_attachment),
        );
}

/// The form fields: what was typed, or the proposal's content. The content fields are
/// the domain's input, named as the form names them.
#[derive(Debug, Default, Deserialize, serde::Serialize)]
struct ProposalForm {
    #[serde(default)]
    organisation_id: String,
    #[serde(flatten)]
    content: ProposalInput,
    #[serde(default)]
    note: String,
    /// Which button was pressed: "save" or "submit".
    #[serde(default)]
    action: String,
}

impl ProposalForm {
    fn of(c: &Content) -> ProposalForm {
        ProposalForm {
            content: ProposalInput::of(c),
            ..Default::default()
        }
    }
}

/// The organisations the user may propose for: memberships of an eligible kind.
async fn eligible_orgs(ctx: &Ctx, c: &Challenge) -> AppResult<Vec<Value>> {
    let uid = ctx.require_user()?.id;
    let mine = ctx
        .db(move |conn| crate::domain::organisations::memberships_of(conn, uid))
        .await?;
    Ok(mine
        .into_iter()
        .filter(|(o, _)| c.is_eligible(o.kind))
        // As text, like the submitted form value it is compared with to keep the choice.
        .map(|(o, _)| json!({ "id": o.id.to_string(), "name": o.name }))
        .collect())
}

async fn new_form(ctx: Ctx, slug: web::Path<String>) -> AppResult<HttpResponse> {
    ctx.require_user()?;
    let (c, _) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    if !c.accepts_submissions(crate::db::now()) {
        return Err(AppError::Conflict {
            message_id: "challenge-not-accepting",
        });
    }
    let orgs = eligible_orgs(&ctx, &c).await?;
    if orgs.is_empty() {
        return Err(AppError::Conflict {
            message_id: "organisation-not-eligible",
        });
    }
    render::page(
        &ctx,
        "proposal_form",
        "proposal-new-title",
        json!({ "challenge": challenge_ref(&c), "orgs": orgs, "proposal": null, "form": ProposalForm::default() }),
    )
}

async fn create(form: CsrfForm<ProposalForm>, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let (c, _) = actions::challenges::load(&ctx, slug.into_inner()).await?;
    let org_id = data.organisation_id.parse::<i64>().unwrap_or(-1);
    match actions::proposals::create(&ctx, &c, org_id, data.content.clone(), None).await {
        Ok(p) => Ok(render::redirect_with(
            &format!("/proposals/{}", p.id),
            "success",
            "flash-proposal-created",
        )),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let orgs = eligible_orgs(&ctx, &c).await?;
            render::form_error(
                &ctx,
                e,
                "proposal_form",
                "proposal-new-title",
                json!(data),
                json!({ "challenge": challenge_ref(&c), "orgs": orgs, "proposal": null }),
            )
        }
        // An organisation the person cannot propose for is unknown to them, here as in
        // the API (404).
        Err(e) => Err(e),
    }
}

/// The proposal; for team and agency with a page of the thread (`?page=N`, page 1 the
/// newest messages).
async fn show(ctx: Ctx, id: web::Path<i64>, q: web::Query<PageQuery>) -> AppResult<HttpResponse> {
    let (p, c, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    let data = show_data(&ctx, &p, &c, &f, q.into_inner().page(DEFAULT_PER_PAGE)).await?;
    render::page_titled(&ctx, "proposal", &p.title, data)
}

async fn show_data(
    ctx: &Ctx,
    p: &Proposal,
    c: &Challenge,
    f: &ProposalFacts,
    thread_page: Page,
) -> AppResult<Value> {
    let actor = ctx.actor();
    let uid = ctx.user_id();
    let assigned = f.reviewer.assigned && !f.reviewer.conflicted;
    let (pid, lang) = (p.id, ctx.lang);
    let (proposal, challenge, facts) = (p.clone(), c.clone(), f.clone());
    let (view, thread, assignment, answers) = ctx
        .db(move |conn| {
            let view = proposals::view::build(
                conn,
                &actor,
                &proposal,
                &challenge,
                &facts,
                crate::db::now(),
            )?;
            let private = view.private.is_some();
            let answers = if challenge.submission_form_id.is_some() && private {
                Some(answers_view(
                    conn,
                    &proposal,
                    &challenge,
                    view.blind,
                    view.may.edit,
                    lang,
                )?)
            } else {
                None
            };
            let thread = if view.may.read_thread {
                messages::thread(conn, pid, thread_page)?
            } else {
                Paged::new(Vec::new(), 0, thread_page)
            };
            let assignment = match uid {
                // The evaluator's way to the score form of the running stage.
                Some(u) if assigned => reviews::running_assignment(conn, u, pid)?,
                _ => None,
            };
            Ok((view, thread, assignment, answers))
        })
        .await?;
    // A file whose name the view leaves out is shown by its number.
    let files: Vec<Value> = view
        .private
        .iter()
        .flat_map(|part| part.attachments.iter())
        .enumerate()
        .map(|(i, a)| {
            let name = a.filename.clone().unwrap_or_else(|| {
                i18n::text_with(
                    ctx.lang,
                    "attachment-numbered",
                    &[("number", (i + 1).to_string())],
                )
            });
            json!({ "id": a.id, "filename": name, "content_type": a.content_type, "size": a.size })
        })
        .collect();
    let may = view.may;
    Ok(json!({
        "proposal": {
            "id": view.id,
            "title": view.title,
            "summary": view.summary,
            "status": view.status,
            "revision": view.revision,
            "submitted_at": view.submitted_at,
            "approach_html": text::render_markdown(&view.approach),
            "pilot_scope": view.pilot_scope,
            "pilot_duration": view.pilot_duration,
            "pilot_kpis_html": text::render_markdown(&view.pilot_kpis),
            "licence": view.licence,
        },
        "private": view.private.as_ref().map(|part| json!({
            "team_html": part.team.as_deref().map(text::render_markdown),
            "cost": part.cost_estimate_eur.map(crate::web::views::format_euros),
            "data_protection": part.data_protection,
        })),
        "blind": view.blind,
        "co_creation": may.read_thread,
        "outcomes": view.outcomes,
        "show_reviews": may.view_reviews,
        "answers": answers,
        "show_pilots": may.view_pilot_report,
        "may_pilot": may.manage_pilots,
        "assignment": assignment,
        "organisation": view.organisation.as_ref().map(|o| json!({ "name": o.name, "slug": o.slug })),
        "challenge": challenge_ref(c),
        "attachments": files,
        "thread": thread.items,
        "thread_pagination": views::pagination_to(&format!("/proposals/{}?", view.id), "#thread", thread_page, thread.total),
        "may_edit": may.edit,
        "may_submit": may.submit,
        "may_withdraw": may.withdraw,
        "may_reopen": may.reopen,
        "may_upload": may.edit,
        "may_message": may.message,
        "show_revisions": may.read_thread && view.revision > 0,
        "message_form": { "body": "" },
    }))
}

/// The proposal's answers to its challenge's questions, under the version they answer;
/// for the team also how many required ones are still open. Hidden in blind review.
fn answers_view(
    conn: &mut crate::db::DbConnection,
    p: &Proposal,
    c: &Challenge,
    blind: bool,
    may_answer: bool,
    lang: i18n::Lang,
) -> AppResult<Value> {
    if blind {
        return Ok(json!({ "blind": true }));
    }
    let stored = answers::stored(p);
    let pages = match answers::answered_version(conn, p)? {
        Some(def) => view::summary(&def, &stored, lang)
            .into_iter()
            .filter(|page| page["rows"].as_array().is_some_and(|r| !r.is_empty()))
            .collect(),
        None => Vec::new(),
    };
    let missing = match answers::current_of(conn, c)? {
        Some((_, def)) if may_answer => {
            let raw = crate::forms::Raw::from_json(&stored);
            crate::forms::answers::check(
                &def,
                crate::forms::Scope::All,
                &raw,
                &Default::default(),
                &[],
            )
            .errors
            .len()
        }
        _ => 0,
    };
    Ok(json!({ "pages": pages, "missing": missing, "may_edit": may_answer }))
}

async fn edit_form(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (p, c, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::EditProposal(&f)).await?;
    render::page(
        &ctx,
        "proposal_form",
        "proposal-edit-title",
        json!({ "challenge": challenge_ref(&c), "orgs": [], "proposal": { "id": p.id, "status": p.status }, "form": ProposalForm::of(&Content::of(&p)) }),
    )
}

async fn update(form: CsrfForm<ProposalForm>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let (p, c, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    let saved = actions::proposals::update(
        &ctx,
        &p,
        &c,
        &f,
        data.content.clone(),
        None,
        data.note.clone(),
    )
    .await;
    let result = match saved {
        Ok(updated) if data.action == "submit" && updated.status == ProposalStatus::Draft => {
            actions::proposals::step(&ctx, &updated, &c, &f, Step::Submit)
                .await
                .map(|p| (p, "flash-proposal-submitted"))
        }
        Ok(updated) => Ok((updated, "flash-proposal-saved")),
        Err(e) => Err(e),
    };
    match result {
        Ok((p, msg)) => Ok(render::redirect_with(
            &format!("/proposals/{}", p.id),
            "success",
            msg,
        )),
        // Saved, but the challenge's questions are still open: show them.
        Err(AppError::Validation(e)) if e.iter().all(|(k, _)| k.starts_with("answers.")) => {
            super::proposal_answers::incomplete(&ctx, &p, &c, e).await
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. })) => render::form_error(
            &ctx,
            e,
            "proposal_form",
            "proposal-edit-title",
            json!(data),
            json!({ "challenge": challenge_ref(&c), "orgs": [], "proposal": { "id": p.id, "status": p.status } }),
        ),
        Err(e) => Err(e),
    }
}

async fn run_step(
    form: CsrfForm<NoFields>,
    id: i64,
    step: Step,
    done: &str,
) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (p, c, f) = actions::proposals::load(&ctx, id).await?;
    match actions::proposals::step(&ctx, &p, &c, &f, step).await {
        Ok(p) => Ok(render::redirect_with(
            &format!("/proposals/{}", p.id),
            "success",
            done,
        )),
        // Open questions of the challenge: back to them, each problem at its question.
        Err(AppError::Validation(e)) if e.iter().all(|(k, _)| k.starts_with("answers.")) => {
            super::proposal_answers::incomplete(&ctx, &p, &c, e).await
        }
        // A submission that is not complete goes back to the form with every problem.
        Err(e @ AppError::Validation(_)) => render::form_error(
            &ctx,
            e,
            "proposal_form",
            "proposal-edit-title",
            json!(ProposalForm::of(&Content::of(&p))),
            json!({ "challenge": challenge_ref(&c), "orgs": [], "proposal": { "id": p.id, "status": p.status } }),
        ),
        Err(e) => Err(e),
    }
}

async fn submit(form: CsrfForm<NoFields>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    run_step(
        form,
        id.into_inner(),
        Step::Submit,
        "flash-proposal-submitted",
    )
    .await
}

async fn withdraw(form: CsrfForm<NoFields>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    run_step(
        form,
        id.into_inner(),
        Step::Withdraw,
        "flash-proposal-withdrawn",
    )
    .await
}

async fn reopen(form: CsrfForm<NoFields>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    run_step(
        form,
        id.into_inner(),
        Step::Reopen,
        "flash-proposal-reopened",
    )
    .await
}

/// A page of the revisions, newest first, each with what it changed.
async fn revisions(
    ctx: Ctx,
    id: web::Path<i64>,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let (p, c, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    // Revisions carry the team's words and names: team and agency only, never evaluators.
    ctx.authorize(Action::MessageProposal(&f)).await?;
    let page = q.into_inner().page(DEFAULT_PER_PAGE);
    let pid = p.id;
    let list = ctx
        .db(move |conn| proposals::history(conn, pid, page))
        .await?;
    let items: Vec<Value> = list
        .items
        .iter()
        .map(|r| {
            let changes: Vec<Value> = r
                .changes
                .iter()
                .flatten()
                .map(|(field, lines)| json!({ "field": field, "lines": lines }))
                .collect();
            json!({ "number": r.revision.number, "created_at": r.revision.created_at, "note": r.revision.note, "first": r.changes.is_none(), "changes": changes })
        })
        .collect();
    render::page(
        &ctx,
        "proposal_revisions",
        "revisions-title",
        json!({
            "proposal": { "id": p.id, "title": p.title },
            "challenge": challenge_ref(&c),
            "revisions": items,
            // The list counts down from the newest revision on the page.
            "start": list.items.first().map(|r| r.revision.number),
            "pagination": views::pagination(&format!("/proposals/{}/revisions?", p.id), page, list.total),
        }),
    )
}

#[derive(Deserialize)]
struct MessageForm {
    #[serde(default)]
    body: String,
}

async fn message(form: CsrfForm<MessageForm>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let CsrfForm { ctx, data } = form;
    let (p, c, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    match actions::proposals::post_message(&ctx, &p, &c, &f, data.body.clone()).await {
        Ok(_) => Ok(render::redirect_with(
            &format!("/proposals/{}#thread", p.id),
            "success",
            "flash-message-sent",
        )),
        Err(e @ AppError::Validation(_)) => {
            // Shown again with the first page of the thread, the newest messages.
            let first = Page::first(DEFAULT_PER_PAGE);
            let mut page = show_data(&ctx, &p, &c, &f, first).await?;
            page["message_form"] = json!({ "body": data.body });
            let form = page["message_form"].clone();
            render::form_error(&ctx, e, "proposal", "proposal-title", form, page)
        }
        Err(e) => Err(e),
    }
}

async fn upload(
    ctx: Ctx,
    id: web::Path<i64>,
    payload: actix_multipart::Multipart,
) -> AppResult<HttpResponse> {
    let p = actions::proposals::open_for_upload(&ctx, id.into_inner()).await?;
    store_upload(
        &ctx,
        payload,
        AttachmentOwner::Proposal,
        p.id,
        &format!("/proposals/{}#attachments", p.id),
    )
    .await
}

async fn delete_attachment(
    form: CsrfForm<NoFields>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let back = actions::challenges::delete_attachment(&form.ctx, id.into_inner()).await?;
    Ok(render::redirect_with(
        &back,
        "success",
        "flash-file-deleted",
    ))
}
