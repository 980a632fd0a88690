//! The team's and the agency's side of pilots: publishing a form as a pilot, and the
//! pilot report with its figures, chart, exports, webhooks and delivery log.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::auth::policy::Action;
use crate::domain::forms as stored_forms;
use crate::domain::pilots::{self, webhooks, Mode, Pilot, PilotInput};
use crate::domain::time;
use crate::error::{AppError, AppResult};
use crate::i18n;
use crate::web::actions::{pilots as ops, proposals as proposal_ops};
use crate::web::chart;
use crate::web::context::Ctx;
use crate::web::forms::CsrfForm;
use crate::web::render;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/proposals/{id}/pilots/new", web::get().to(new_pilot))
        .route("/proposals/{id}/pilots", web::get().to(pilots_of))
        .route("/proposals/{id}/pilots", web::post().to(publish))
        .route("/pilots/{id}", web::get().to(report))
        .route("/pilots/{id}/webhooks", web::post().to(add_webhook))
        .route(
            "/pilots/{id}/deliveries/{delivery}/redeliver",
            web::post().to(redeliver),
        );
}

fn availability_label(p: &Pilot, now: chrono::NaiveDateTime, lang: i18n::Lang) -> String {
    i18n::text(
        lang,
        match p.availability(now) {
            pilots::Availability::Open => "pilot-availability-open",
            pilots::Availability::NotYetOpen => "pilot-availability-not-yet-open",
            pilots::Availability::Closed => "pilot-availability-closed",
        },
    )
}

/// A proposal's pilots, for those who may read their reports.
async fn pilots_of(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (p, _, f) = proposal_ops::load(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ViewPilotReport(&f)).await?;
    let may_pilot = crate::auth::policy::authorize(&ctx.actor(), Action::ManagePilots(&f)).is_ok();
    let pid = p.id;
    let list = ctx.db(move |conn| pilots::of_proposal(conn, pid)).await?;
    let now = crate::db::now();
    let items: Vec<Value> = list
        .iter()
        .map(|pl| {
            json!({
                "id": pl.id,
                "title": pl.title,
                "path": pl.public_path(),
                "assistant": pl.mode() == Mode::Assistant,
                "state": availability_label(pl, now, ctx.lang),
            })
        })
        .collect();
    render::page(
        &ctx,
        "pilots",
        "pilots-title",
        json!({ "proposal": { "id": p.id, "title": p.title }, "pilots": items, "may_pilot": may_pilot }),
    )
}

async fn new_pilot(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (p, _, f) = proposal_ops::load(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ManagePilots(&f)).await?;
    let data = pilot_form_data(
        &ctx,
        &p,
        json!({
            "mode": "web",
            "consent_text": i18n::text(ctx.lang, "pilot-default-consent"),
            "retention_days": pilots::DEFAULT_RETENTION_DAYS,
        }),
    )
    .await?;
    render::page(&ctx, "pilot_new", "pilot-new-title", data)
}

async fn pilot_form_data(
    ctx: &Ctx,
    p: &crate::domain::proposals::Proposal,
    form: Value,
) -> AppResult<Value> {
    let oid = p.organisation_id;
    let forms = ctx
        .db(move |conn| stored_forms::of_organisation(conn, oid))
        .await?;
    let org_slug = {
        let oid = p.organisation_id;
        ctx.db(move |conn| Ok(crate::domain::organisations::find(conn, oid)?.slug))
            .await?
    };
    let chosen = form["form_id"].as_str().and_then(|v| v.parse::<i64>().ok());
    let options: Vec<Value> = forms
        .iter()
        .map(|f| json!({ "id": f.id, "title": f.title, "selected": Some(f.id) == chosen }))
        .collect();
    Ok(
        json!({ "proposal": { "id": p.id, "title": p.title }, "forms": options, "org_slug": org_slug, "form": form }),
    )
}

#[derive(Deserialize, Serialize)]
struct PilotFields {
    form_id: Option<String>,
    mode: Option<String>,
    title: Option<String>,
    intro: Option<String>,
    consent_text: Option<String>,
    opens_at: Option<String>,
    closes_at: Option<String>,
    retention_days: Option<String>,
}

async fn publish(form: CsrfForm<PilotFields>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (p, _, f) = proposal_ops::load(&ctx, id.into_inner()).await?;
    let d = &form.data;
    let input = PilotInput {
        form_id: d.form_id.as_deref().and_then(|v| v.parse().ok()),
        mode: d.mode.clone(),
        title: d.title.clone(),
        intro: d.intro.clone(),
        consent_text: d.consent_text.clone(),
        opens_at: d.opens_at.clone(),
        closes_at: d.closes_at.clone(),
        // Unreadable numbers become a value the check refuses with its message.
        retention_days: Some(match d.retention_days.as_deref().map(str::trim) {
            None | Some("") => pilots::DEFAULT_RETENTION_DAYS,
            Some(v) => v.parse().unwrap_or(-1),
        }),
        slug: None,
    };
    match ops::create_pilot(&ctx, &p, &f, input).await {
        Ok(pilot) => Ok(render::redirect_with(
            &format!("/pilots/{}", pilot.id),
            "success",
            "pilot-published",
        )),
        Err(err @ AppError::Validation(_)) => {
            let typed = serde_json::to_value(d).unwrap_or(json!({}));
            let data = pilot_form_data(&ctx, &p, typed.clone()).await?;
            render::form_error(&ctx, err, "pilot_new", "pilot-new-title", typed, data)
        }
        Err(other) => Err(other),
    }
}

async fn report(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (pilot, p, _, f) = ops::load_pilot(&ctx, id.into_inner()).await?;
    let data = report_data(&ctx, &pilot, &p, &f, None).await?;
    render::page_titled(&ctx, "pilot_report", &pilot.title.clone(), data)
}

/// The report page's data; `new_secret` is a webhook secret to show once.
async fn report_data(
    ctx: &Ctx,
    pilot: &Pilot,
    p: &crate::domain::proposals::Proposal,
    f: &crate::auth::policy::ProposalFacts,
    new_secret: Option<String>,
) -> AppResult<Value> {
    let (m, comments) = ops::metrics(ctx, pilot, f).await?;
    let team = crate::auth::policy::authorize(&ctx.actor(), Action::ManagePilots(f)).is_ok();
    let answers =
        crate::auth::policy::authorize(&ctx.actor(), Action::ViewPilotAnswers(f, false)).is_ok();
    let pid = pilot.id;
    let (hooks, log) = if team {
        ctx.db(move |conn| {
            Ok((
                webhooks::of_pilot(conn, pid)?,
                webhooks::log(conn, pid, 20)?,
            ))
        })
        .await?
    } else {
        (vec![], vec![])
    };
    let steps: Vec<(String, i64)> = m
        .drop_off_by_step
        .iter()
        .map(|s| (s.title.clone(), s.reached))
        .collect();
    let funnel = chart::funnel(&steps, m.starts, ctx.lang);
    let minutes = m
        .median_seconds
        .map(|s| format!("{}:{:02}", s / 60, s % 60));
    let ratings: Vec<Value> = m
        .rating_counts
        .iter()
        .enumerate()
        .map(|(i, n)| json!({ "value": i + 1, "count": n }))
        .collect();
    let now = crate::db::now();
    Ok(json!({
        "pilot": {
            "id": pilot.id, "title": pilot.title, "slug": pilot.slug,
            "assistant": pilot.mode() == Mode::Assistant,
            "availability_label": availability_label(pilot, now, ctx.lang),
            "opens_at": pilot.opens_at.map(|t| time::to_local_input(t).replace('T', " ")),
            "closes_at": pilot.closes_at.map(|t| time::to_local_input(t).replace('T', " ")),
            "retention_days": pilot.retention_days,
            "public_url": format!("{}{}", ctx.state.config.public_url, pilot.public_path()),
            "form_id": pilot.form_id,
        },
        "proposal": { "id": p.id, "title": p.title },
        "metrics": m,
        "completion_percent": format!("{:.0}", m.completion_rate * 100.0),
        "rating_avg": m.rating_avg.map(|r| format!("{r:.1}")),
        "median_time": minutes,
        "ratings": ratings,
        "funnel": funnel,
        "comments": comments,
        "team": team,
        "answers": answers,
        "webhooks": hooks,
        "deliveries": log.iter().map(|l| {
            let mut v = json!(l);
            v["status_label"] = json!(i18n::text(ctx.lang, &format!("webhook-status-{}", l.delivery.status)));
            v
        }).collect::<Vec<_>>(),
        "new_secret": new_secret,
    }))
}

#[derive(Deserialize, Serialize)]
struct WebhookFields {
    url: Option<String>,
    secret: Option<String>,
}

async fn add_webhook(form: CsrfForm<WebhookFields>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (pilot, p, _, f) = ops::load_pilot(&ctx, id.into_inner()).await?;
    let url = form.data.url.clone().unwrap_or_default();
    match ops::add_webhook(&ctx, &pilot, &f, url, form.data.secret.clone()).await {
        Ok((_, secret)) => {
            // The secret is shown once, right here; it is not in any later page.
            let data = report_data(&ctx, &pilot, &p, &f, Some(secret)).await?;
            render::page_titled(&ctx, "pilot_report", &pilot.title.clone(), data)
        }
        Err(err @ AppError::Validation(_)) => {
            let data = report_data(&ctx, &pilot, &p, &f, None).await?;
            let typed = json!({ "url": form.data.url });
            render::form_error(&ctx, err, "pilot_report", "pilot-report-title", typed, data)
        }
        Err(other) => Err(other),
    }
}

async fn redeliver(
    form: CsrfForm<crate::web::forms::NoFields>,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (id, delivery) = path.into_inner();
    let (pilot, _, _, f) = ops::load_pilot(&ctx, id).await?;
    ops::redeliver(&ctx, &pilot, &f, delivery).await?;
    Ok(render::redirect_with(
        &format!("/pilots/{id}#deliveries"),
        "success",
        "webhook-redelivery-queued",
    ))
}
