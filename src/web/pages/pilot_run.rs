//! The public side of a pilot, for test users without an account: the start page with
//! the consent text, the steps (a multi-step web form, or the assistant's one question
//! at a time), the review page, the receipt with its PDF and a copy by mail, and the
//! rating.
//!
//! A run lives in its secret resume link (`/p/{slug}/r/{token}`): no cookie or account
//! is needed to come back. Every step is checked on the server; an address naming a page
//! the person has not reached, or a hidden one, sends them back to where they are.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::auth::policy::Action;
use crate::domain::pilots::runs::{self, Loaded, Position};
use crate::domain::pilots::{self, Availability, Pilot};
use crate::domain::{rate, time};
use crate::error::{AppError, AppResult, FieldErrors, FileProblem};
use crate::forms::answers::{self, Raw, Scope};
use crate::forms::{steps, view, FormDefinition};
use crate::i18n;
use crate::kinds::PilotMode;
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::csrf_form::CsrfForm;
use crate::web::multipart::{self, FileRules};
use crate::web::render;

/// The public pilot pages under `/p/{slug}` and their receipts.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/p/{slug}", web::get().to(landing))
        .route("/p/{slug}", web::post().to(start))
        .route("/p/{slug}/r/{token}", web::get().to(show))
        .route("/p/{slug}/r/{token}", web::post().to(answer))
        .route("/p/{slug}/r/{token}/send", web::post().to(send))
        .route("/p/{slug}/receipt/{token}", web::get().to(receipt))
        .route("/p/{slug}/receipt/{token}/pdf", web::get().to(receipt_pdf))
        .route("/p/{slug}/receipt/{token}/rating", web::post().to(rate_run))
        .route(
            "/p/{slug}/receipt/{token}/mail",
            web::post().to(mail_receipt),
        );
}

async fn pilot_of(ctx: &Ctx, slug: String) -> AppResult<Pilot> {
    ctx.authorize(Action::RunPilot).await?;
    ctx.db(move |conn| pilots::by_slug(conn, &slug)).await
}

fn pilot_view(p: &Pilot, ctx: &Ctx) -> Value {
    let now = crate::db::now();
    json!({
        "slug": p.slug,
        "title": p.title,
        "intro": p.intro,
        "consent_text": p.consent_text,
        "assistant": p.mode == PilotMode::Assistant,
        "open": p.availability(now) == Availability::Open,
        "not_yet_open": p.availability(now) == Availability::NotYetOpen,
        "opens_at": p.opens_at.map(|t| time::to_local_input(t).replace('T', " ")),
        "closes_at": p.closes_at.map(|t| time::to_local_input(t).replace('T', " ")),
        "retention_days": p.retention_days,
        "public_url": format!("{}{}", ctx.state.config.public_url, p.public_path()),
    })
}

async fn landing(ctx: Ctx, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let p = pilot_of(&ctx, slug.into_inner()).await?;
    render::page_titled(
        &ctx,
        "pilot_start",
        &p.title.clone(),
        json!({ "pilot": pilot_view(&p, &ctx) }),
    )
}

#[derive(serde::Deserialize)]
struct StartForm {
    consent: Option<String>,
    website: Option<String>,
}

/// Starts a run: consent given, honeypot empty, within the address's hourly limit.
async fn start(form: CsrfForm<StartForm>, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let p = pilot_of(&ctx, slug.into_inner()).await?;
    let mut e = FieldErrors::new();
    if form
        .data
        .website
        .as_deref()
        .is_some_and(|w| !w.trim().is_empty())
    {
        e.add("form", "pilot-honeypot");
    }
    if form.data.consent.is_none() {
        e.add("consent", "pilot-consent-required");
    }
    let refused = e.into_result().err();
    let result = match refused {
        Some(err) => Err(err),
        None => {
            let (pilot, ip, limit) = (
                p.clone(),
                ctx.ip.clone(),
                ctx.state.config.pilot_starts_per_hour,
            );
            ctx.tx(move |conn| {
                if limit > 0 {
                    rate::hit(conn, "pilot-start", &ip, limit, chrono::Duration::hours(1))?;
                }
                runs::start(conn, &pilot, crate::db::now())
            })
            .await
        }
    };
    match result {
        Ok(started) => Ok(render::redirect(&format!(
            "/p/{}/r/{}",
            p.slug, started.token
        ))),
        Err(err) => {
            let view = json!({ "pilot": pilot_view(&p, &ctx) });
            render::form_error(
                &ctx,
                err,
                "pilot_start",
                "pilot-start-title",
                json!({}),
                view,
            )
        }
    }
}

async fn load(ctx: &Ctx, slug: String, token: String) -> AppResult<(Pilot, Loaded)> {
    let p = pilot_of(ctx, slug).await?;
    let pilot = p.clone();
    let loaded = ctx.db(move |conn| runs::load(conn, &pilot, &token)).await?;
    Ok((p, loaded))
}

#[derive(serde::Deserialize)]
struct At {
    page: Option<usize>,
    q: Option<String>,
}

/// Where the run stands, or where `at` asks to go if the person may go there.
fn position(def: &FormDefinition, loaded: &Loaded, at: &At) -> (usize, usize) {
    let answers = loaded.run.answers();
    let furthest = loaded.run.furthest as usize;
    let here = (loaded.run.page as usize, loaded.run.question as usize);
    if let Some(key) = &at.q {
        let reached = steps::questions(def, &answers)
            .into_iter()
            .filter(|q| q.0 <= furthest && *q <= here.max((furthest, 0)))
            .find(|(p, i)| def.pages[*p].fields[*i].key == *key);
        if let Some(q) = reached {
            return q;
        }
    }
    match at.page {
        Some(page) if steps::may_open(def, &answers, page, furthest) => (page, 0),
        _ => here,
    }
}

async fn show(
    ctx: Ctx,
    path: web::Path<(String, String)>,
    at: web::Query<At>,
) -> AppResult<HttpResponse> {
    let (slug, token) = path.into_inner();
    let (p, loaded) = load(&ctx, slug, token.clone()).await?;
    if loaded.run.completed_at.is_some() {
        return render::page_titled(
            &ctx,
            "pilot_start",
            &p.title.clone(),
            json!({ "pilot": pilot_view(&p, &ctx), "already_sent": true }),
        );
    }
    let at = position(&loaded.definition, &loaded, &at);
    step_page(&ctx, &p, &loaded, &token, at, &FieldErrors::new(), None)
}

/// Renders the step at `at` (a page, a question, or the review).
fn step_page(
    ctx: &Ctx,
    p: &Pilot,
    loaded: &Loaded,
    token: &str,
    at: (usize, usize),
    errors: &FieldErrors,
    typed: Option<&Raw>,
) -> AppResult<HttpResponse> {
    let def = &loaded.definition;
    let answers = loaded.run.answers();
    let lang = ctx.lang;
    let (page, question) = at;
    let visible: Vec<usize> = (0..def.pages.len())
        .filter(|i| answers::visible_pages(def, &answers)[*i])
        .collect();
    let progress: Vec<Value> = visible
        .iter()
        .enumerate()
        .map(|(n, i)| json!({ "number": n + 1, "title": def.pages[*i].title.get(lang), "current": *i == page, "done": *i < page, "index": i }))
        .collect();
    let step_number = visible
        .iter()
        .position(|i| *i == page)
        .map_or(visible.len(), |n| n + 1);
    let values = match typed {
        Some(raw) => view::Values::Typed(raw),
        None => view::Values::Stored(&answers),
    };
    let base = format!("/p/{}/r/{}", p.slug, token);
    let mut data = json!({
        "pilot": pilot_view(p, ctx),
        "form_title": def.title.get(lang),
        "action": base,
        "resume_link": format!("{}{}", ctx.state.config.public_url, base),
        "progress": progress,
        "step_number": step_number,
        "step_count": visible.len(),
        "page_index": page,
    });
    let status = if errors.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let error_list: Vec<Value> = errors
        .iter()
        .map(|(k, m)| json!({ "field": k, "link": true, "message": m.text(lang) }))
        .collect();
    data["error_list"] = json!(error_list);
    if page >= def.pages.len() {
        data["summary"] = json!(view::summary(def, &answers, lang));
        data["review"] = json!(true);
        let title = format!("{}: {}", i18n::text(lang, "pilot-review-title"), p.title);
        return render::page_status(ctx, status, "pilot_review", &title, data);
    }
    let page_title = def.pages[page].title.get(lang).to_string();
    if p.mode == PilotMode::Assistant {
        let script = steps::questions(def, &answers);
        let asked: Vec<Value> = script
            .iter()
            .filter(|q| **q < (page, question))
            .map(|(pi, fi)| {
                let f = &def.pages[*pi].fields[*fi];
                json!({
                    "question": f.label.get(lang),
                    "answer": answers.get(&f.key).map(|v| answers::display(f, v, lang)),
                    "statement": !f.kind.takes_answer(),
                    "key": f.key,
                })
            })
            .collect();
        let f = def.pages.get(page).and_then(|pg| pg.fields.get(question));
        let Some(f) = f else {
            return Err(AppError::NotFound);
        };
        // One question at a time: its condition is already decided, no note needed.
        data["asked"] = json!(asked);
        data["field"] = view::field(f, &values, errors.text(&f.key, lang), None, lang);
        data["question_number"] = json!(script
            .iter()
            .position(|q| *q == (page, question))
            .map_or(1, |n| n + 1));
        data["question_count"] = json!(script.len());
        data["question_index"] = json!(question);
        data["multipart"] = json!(f.kind == crate::forms::FieldType::File);
        data["first"] = json!(steps::previous_question(def, &answers, (page, question)).is_none());
        let title = format!("{} – {}", f.label.get(lang), p.title);
        return render::page_status(ctx, status, "pilot_assistant", &title, data);
    }
    data["page_title"] = json!(page_title);
    data["fields"] = json!(view::page_fields(
        def, page, &answers, &values, errors, lang
    ));
    data["multipart"] = json!(view::has_file(def, page));
    data["first"] = json!(steps::previous_page(def, &answers, page).is_none());
    let title = if errors.is_empty() {
        format!("{page_title} – {}", p.title)
    } else {
        format!(
            "{}: {page_title} – {}",
            i18n::text(lang, "error-summary-prefix"),
            p.title
        )
    };
    render::page_status(ctx, status, "pilot_page", &title, data)
}

/// A step sent: checked, saved, and on to the next step (or back, or paused).
async fn answer(
    ctx: Ctx,
    req: HttpRequest,
    payload: web::Payload,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (slug, token) = path.into_inner();
    // The pilot and the run's secret are checked before a byte of the body is read.
    let (p, loaded) = load(&ctx, slug, token.clone()).await?;
    let base = format!("/p/{}/r/{}", p.slug, token);
    if loaded.run.completed_at.is_some() {
        return Ok(render::redirect(&base));
    }
    p.ensure_open(crate::db::now())?;
    let def = &loaded.definition;
    let stored = loaded.run.answers();
    // Files only for the file fields of the page the form says it is (its `_page`
    // comes before any field), and only if the run may open that page.
    let accepts = |name: &str, before: &[(String, String)]| {
        let page = before
            .iter()
            .find(|(k, _)| k == "_page")
            .and_then(|(_, v)| v.trim().parse::<usize>().ok());
        page.filter(|&page| {
            page < def.pages.len()
                && steps::may_open(def, &stored, page, loaded.run.furthest as usize)
        })
        .is_some_and(|page| {
            def.pages[page]
                .fields
                .iter()
                .any(|f| f.key == name && f.kind == crate::forms::FieldType::File)
        })
    };
    let rules = FileRules {
        file_limit: runs::MAX_FILE_BYTES,
        accepts: &accepts,
        strict: false,
    };
    let sent = multipart::read(&ctx, &req, payload, rules).await?;
    let field = |k: &str| sent.field(k).map(|v| v.trim().to_string());
    let page: usize = field("_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    let question: usize = field("_question").and_then(|v| v.parse().ok()).unwrap_or(0);
    let action = field("_action").unwrap_or_default();
    // A page the person has not reached, or one that is hidden: back to where they are.
    if page >= def.pages.len() || !steps::may_open(def, &stored, page, loaded.run.furthest as usize)
    {
        return Ok(render::redirect(&base));
    }
    let assistant = p.mode == PilotMode::Assistant;
    if assistant && def.pages[page].fields.get(question).is_none() {
        return Ok(render::redirect(&base));
    }
    let scope = if assistant {
        Scope::Field {
            page,
            index: question,
        }
    } else {
        Scope::Page(page)
    };
    let in_scope = |key: &str| match scope {
        Scope::Field { page, index } => def.pages[page].fields[index].key == key,
        _ => def.pages[page].fields.iter().any(|f| f.key == key),
    };
    let mut raw = sent.answers();
    // Files first: each stored for its field, named in the answers by its id.
    let mut file_errors = FieldErrors::new();
    let mut files = loaded.files.clone();
    for upload in sent.files {
        let is_file_field = def
            .field(&upload.field)
            .is_some_and(|f| f.kind == crate::forms::FieldType::File)
            && in_scope(&upload.field);
        if !is_file_field {
            continue;
        }
        if upload.too_large {
            file_errors.add(&upload.field, FileProblem::TooLarge.message_id());
            continue;
        }
        let (run, store, now) = (
            loaded.run.clone(),
            ctx.state.files.clone(),
            crate::db::now(),
        );
        let key = upload.field.clone();
        let stored_file = ctx
            .tx(move |conn| {
                runs::add_file(
                    conn,
                    &store,
                    &run,
                    &upload.field,
                    &upload.filename,
                    &upload.bytes,
                    now,
                )
            })
            .await;
        match stored_file {
            Ok(f) => {
                raw.insert(&key, f.id.to_string());
                files.push(f);
            }
            Err(AppError::File(problem)) => file_errors.add(&key, problem.message_id()),
            Err(other) => return Err(other),
        }
    }
    // A file chosen earlier stays unless a new one replaces it.
    for f in def.pages[page]
        .fields
        .iter()
        .filter(|f| f.kind == crate::forms::FieldType::File)
    {
        if raw.get(&f.key).is_none() && file_errors.get(&f.key).is_none() {
            if let Some(id) = stored.get(&f.key).and_then(|v| v.get("id")) {
                raw.insert(&f.key, id.to_string());
            }
        }
    }
    let mut checked = answers::check(def, scope, &raw, &stored, &files);
    // A refused upload comes first: it says why the field has no file now.
    let missing = std::mem::replace(&mut checked.errors, file_errors);
    checked.errors.merge_prefixed("", missing);
    let going_back = action == "back";
    let pausing = action == "save";
    if !checked.errors.is_empty() && !going_back && !pausing {
        let (run, errors) = (loaded.run.clone(), checked.errors.clone());
        ctx.tx(move |conn| runs::count_errors(conn, &run, &errors, crate::db::now()))
            .await?;
        let loaded = Loaded { files, ..loaded };
        return step_page(
            &ctx,
            &p,
            &loaded,
            &token,
            (page, question),
            &checked.errors,
            Some(&raw),
        );
    }
    // Going back or pausing keeps what passed the checks and drops only what did not.
    let mut answers = checked.answers;
    if going_back || pausing {
        for (k, _) in checked.errors.iter() {
            answers.remove(k);
        }
    }
    let next = if going_back {
        if assistant {
            steps::previous_question(def, &answers, (page, question)).unwrap_or((page, question))
        } else {
            (steps::previous_page(def, &answers, page).unwrap_or(page), 0)
        }
    } else if pausing {
        (page, question)
    } else if assistant {
        steps::next_question(def, &answers, Some((page, question))).unwrap_or((def.pages.len(), 0))
    } else {
        (steps::next_page(def, &answers, page), 0)
    };
    let run = loaded.run.clone();
    let at = Position {
        page: next.0 as i64,
        question: next.1 as i64,
    };
    ctx.tx(move |conn| runs::save(conn, &run, &answers, at, crate::db::now()))
        .await?;
    if pausing {
        return render::page_titled(
            &ctx,
            "pilot_paused",
            &p.title.clone(),
            json!({ "pilot": pilot_view(&p, &ctx), "resume_link": format!("{}{}", ctx.state.config.public_url, base) }),
        );
    }
    Ok(render::redirect(&base))
}

#[derive(serde::Deserialize)]
struct SendForm {
    website: Option<String>,
}

/// Sends from the review page: the run becomes a submission; on to the receipt.
async fn send(
    form: CsrfForm<SendForm>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (slug, token) = path.into_inner();
    let (p, loaded) = load(&ctx, slug, token.clone()).await?;
    let base = format!("/p/{}/r/{}", p.slug, token);
    if loaded.run.completed_at.is_some() {
        return Ok(render::redirect(&base));
    }
    if form
        .data
        .website
        .as_deref()
        .is_some_and(|w| !w.trim().is_empty())
    {
        return Err(FieldErrors::single("form", "pilot-honeypot"));
    }
    let pilot = p.clone();
    let (outcome, loaded) = ctx
        .tx(move |conn| {
            let outcome = runs::send(conn, &pilot, &loaded, crate::db::now())?;
            Ok((outcome, loaded))
        })
        .await?;
    match outcome {
        Ok(sent) => Ok(render::redirect(&format!(
            "/p/{}/receipt/{}",
            p.slug, sent.receipt_token
        ))),
        // A shown page with a problem (a condition changed, a required field came into
        // view): back to that page with the problems listed.
        Err(incomplete) => step_page(
            &ctx,
            &p,
            &loaded,
            &token,
            (incomplete.page, 0),
            &incomplete.errors,
            None,
        ),
    }
}

/// The receipt's data; `chosen` is a rating that was sent but refused (it stays ticked).
async fn receipt_data(
    ctx: &Ctx,
    slug: String,
    token: String,
    chosen: Option<&str>,
) -> AppResult<(Pilot, Value)> {
    // The forms post below this path: the page is also shown at their addresses.
    let path = format!("/p/{slug}/receipt/{token}");
    let p = pilot_of(ctx, slug).await?;
    let pilot = p.clone();
    let lang = ctx.lang;
    let (s, def) = ctx
        .db(move |conn| {
            let s = runs::by_receipt(conn, pilot.id, &token)?;
            let def = crate::domain::form_library::version(conn, s.form_version_id)?
                .shared_definition()?;
            Ok((s, def))
        })
        .await?;
    let answers = s.answers();
    let data = json!({
        "pilot": pilot_view(&p, ctx),
        "receipt_path": path,
        "reference": s.reference,
        "submitted_at": s.submitted_at,
        "summary": view::summary(&def, &answers, lang),
        "purged": s.purged_at.is_some(),
        "mail_to": crate::forms::answers::first_email(&def, &answers),
        "rated": s.rating.is_some(),
        "rating": s.rating,
        "points": (1..=5).map(|v| json!({ "value": v, "checked": chosen == Some(v.to_string().as_str()) })).collect::<Vec<_>>(),
    });
    Ok((p, data))
}

async fn receipt(ctx: Ctx, path: web::Path<(String, String)>) -> AppResult<HttpResponse> {
    let (slug, token) = path.into_inner();
    let (p, data) = receipt_data(&ctx, slug, token, None).await?;
    let title = format!(
        "{}: {}",
        i18n::text(ctx.lang, "pilot-receipt-title"),
        p.title
    );
    render::page_titled(&ctx, "pilot_receipt", &title, data)
}

#[derive(serde::Deserialize, serde::Serialize)]
struct RatingForm {
    rating: Option<String>,
    comment: Option<String>,
}

async fn rate_run(
    form: CsrfForm<RatingForm>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (slug, token) = path.into_inner();
    let (p, mut data) = receipt_data(
        &ctx,
        slug.clone(),
        token.clone(),
        form.data.rating.as_deref(),
    )
    .await?;
    let (pilot_id, rating, comment) = (
        p.id,
        form.data.rating.clone().unwrap_or_default(),
        form.data.comment.clone().unwrap_or_default(),
    );
    let tok = token.clone();
    let result = ctx
        .tx(move |conn| {
            let s = runs::by_receipt(conn, pilot_id, &tok)?;
            runs::rate(conn, &s, &rating, &comment)
        })
        .await;
    match result {
        Ok(()) => Ok(render::redirect_with(
            &format!("/p/{slug}/receipt/{token}"),
            "success",
            "pilot-rating-thanks",
        )),
        Err(err) => {
            data["rated"] = json!(false);
            let form_view = serde_json::to_value(&form.data).unwrap_or(json!({}));
            render::form_error(
                &ctx,
                err,
                "pilot_receipt",
                "pilot-receipt-title",
                form_view,
                data,
            )
        }
    }
}

#[derive(serde::Deserialize, serde::Serialize)]
struct MailForm {
    email: Option<String>,
}

/// Mails a copy of the receipt to the address typed on the receipt page.
async fn mail_receipt(
    form: CsrfForm<MailForm>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (slug, token) = path.into_inner();
    let receipt = format!("/p/{slug}/receipt/{token}");
    let (pilot, s, def) = by_receipt(&ctx, slug.clone(), token.clone()).await?;
    let typed = form.data.email.clone().unwrap_or_default();
    let link = actions::mails::link(&ctx, &receipt);
    match actions::pilots::mail_receipt(&ctx, &pilot, &s, &def, link, &typed).await {
        Ok(()) => Ok(render::redirect_with(
            &receipt,
            "success",
            "pilot-mail-sent",
        )),
        Err(err) => {
            let (_, data) = receipt_data(&ctx, slug, token, None).await?;
            let form_view = serde_json::to_value(&form.data).unwrap_or(json!({}));
            render::form_error(
                &ctx,
                err,
                "pilot_receipt",
                "pilot-receipt-title",
                form_view,
                data,
            )
        }
    }
}

/// The submission behind a receipt link, with its pilot and definition, once the policy
/// has let the link's holder see it.
async fn by_receipt(
    ctx: &Ctx,
    slug: String,
    token: String,
) -> AppResult<(Pilot, runs::Submission, FormDefinition)> {
    let pilot_id = pilot_of(ctx, slug).await?.id;
    let id = ctx
        .db(move |conn| Ok(runs::by_receipt(conn, pilot_id, &token)?.id))
        .await?;
    let (pilot, s, f, def) = actions::pilots::load_submission(ctx, id).await?;
    ctx.authorize(Action::ViewPilotAnswers(&f, true)).await?;
    Ok((pilot, s, def))
}

/// The receipt as PDF, for the test user holding the receipt link.
async fn receipt_pdf(ctx: Ctx, path: web::Path<(String, String)>) -> AppResult<HttpResponse> {
    let (slug, token) = path.into_inner();
    let (pilot, s, def) = by_receipt(&ctx, slug, token).await?;
    actions::pilots::pdf_download(
        &ctx,
        &pilot,
        &s,
        &def,
        actions::pilots::PdfReader::ReceiptHolder,
    )
    .await
}
