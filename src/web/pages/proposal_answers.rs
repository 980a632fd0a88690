//! A proposal's answers to the questions its challenge asks (the challenge's form), on
//! one page: every page of the form as a group, conditions as notes. A draft may save
//! with answers still missing; the page then says how many remain before submitting.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::auth::policy::{Action, ProposalFacts};
use crate::domain::challenges::Challenge;
use crate::domain::proposals::answers;
use crate::domain::proposals::Proposal;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::view::{self, Values};
use crate::forms::{FormDefinition, Raw};
use crate::i18n;
use crate::kinds::ProposalStatus;
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::multipart::{self, FileRules};
use crate::web::render;

/// The page of a proposal's answers to its challenge's form.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/proposals/{id}/answers", web::get().to(edit))
        .route("/proposals/{id}/answers", web::post().to(save));
}

/// The proposal, its challenge's form as it is now, and the right to answer it.
async fn load(
    ctx: &Ctx,
    id: i64,
) -> AppResult<(Proposal, Challenge, ProposalFacts, FormDefinition)> {
    let (p, c, f) = actions::proposals::load(ctx, id).await?;
    ctx.authorize(Action::EditProposal(&f)).await?;
    let challenge = c.clone();
    let (_, def) = ctx
        .db(move |conn| answers::current_of(conn, &challenge))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((p, c, f, def))
}

fn data(
    p: &Proposal,
    c: &Challenge,
    def: &FormDefinition,
    values: &Values,
    errors: &FieldErrors,
    lang: i18n::Lang,
) -> Value {
    json!({
        "proposal": { "id": p.id, "title": p.title },
        "challenge": { "slug": c.slug, "title": c.title },
        "form_title": def.title.get(lang),
        "pages": view::all_pages(def, values, errors, lang),
        "draft": p.status == ProposalStatus::Draft,
    })
}

async fn edit(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (p, c, _, def) = load(&ctx, id.into_inner()).await?;
    let answers = answers::stored(&p);
    let body = data(
        &p,
        &c,
        &def,
        &Values::Stored(&answers),
        &FieldErrors::new(),
        ctx.lang,
    );
    render::page(&ctx, "proposal_answers", "answers-title", body)
}

async fn save(
    ctx: Ctx,
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (p, c, f, def) = load(&ctx, id.into_inner()).await?;
    let sent = multipart::read(&ctx, &req, payload, FileRules::NONE).await?;
    let raw: Raw = sent.answers();
    match actions::proposals::save_answers(&ctx, &p, &c, &f, raw.clone()).await {
        Ok(saved) if saved.missing > 0 => Ok(render::redirect_with(
            &format!("/proposals/{}#answers", p.id),
            "info",
            "answers-saved-missing",
        )),
        Ok(_) => Ok(render::redirect_with(
            &format!("/proposals/{}#answers", p.id),
            "success",
            "answers-saved",
        )),
        Err(AppError::Validation(errors)) => {
            let extra = data(&p, &c, &def, &Values::Typed(&raw), &errors, ctx.lang);
            render::form_error(
                &ctx,
                AppError::Validation(errors),
                "proposal_answers",
                "answers-title",
                json!({}),
                extra,
            )
        }
        Err(e) => Err(e),
    }
}

/// A submission refused for open questions (`answers.<key>` problems): the answers page
/// with each problem at its question.
pub async fn incomplete(
    ctx: &Ctx,
    p: &Proposal,
    c: &Challenge,
    problems: FieldErrors,
) -> AppResult<HttpResponse> {
    let challenge = c.clone();
    let (_, def) = ctx
        .db(move |conn| answers::current_of(conn, &challenge))
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    for (key, message) in problems {
        errors.add_message(key.trim_start_matches("answers."), message);
    }
    let answers = answers::stored(p);
    let extra = data(p, c, &def, &Values::Stored(&answers), &errors, ctx.lang);
    render::form_error(
        ctx,
        AppError::Validation(errors),
        "proposal_answers",
        "answers-title",
        json!({}),
        extra,
    )
}
