//! The team's and the agency's side of pilots: publishing a form as a pilot, and the
//! pilot report with its figures, chart, exports, webhooks and delivery log.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::auth::policy::Action;
use crate::domain::form_library;
use crate::domain::pilots::{self, webhooks, Pilot, PilotInput};
use crate::domain::time;
use crate::error::{AppError, AppResult};
use crate::i18n;
use crate::kinds::PilotMode;
use crate::web::actions;
use crate::web::chart;
use crate::web::context::Ctx;
use crate::web::csrf_form::CsrfForm;
use crate::web::render;

/// Publishing pilots and the pilot report with its settings and webhooks.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/proposals/{id}/pilots/new", web::get().to(new_pilot))
        .route("/proposals/{id}/pilots", web::get().to(pilots_of))
        .route("/proposals/{id}/pilots", web::post().to(publish))
        .route("/pilots/{id}", web::get().to(report))
        .route("/pilots/{id}/settings", web::get().to(settings))
        .route("/pilots/{id}/settings", web::post().to(save_settings))
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
    let (p, _, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
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
                "assistant": pl.mode == PilotMode::Assistant,
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
    let (p, _, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
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
        .db(move |conn| form_library::of_organisation(conn, oid))
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

impl PilotFields {
    fn input(&self) -> PilotInput {
        PilotInput {
            form_id: self.form_id.as_deref().and_then(|v| v.parse().ok()),
            mode: self.mode.clone(),
            title: self.title.clone(),
            intro: self.intro.clone(),
            consent_text: self.consent_text.clone(),
            opens_at: self.opens_at.clone(),
            closes_at: self.closes_at.clone(),
            // Unreadable numbers become a value the check refuses with its message.
            retention_days: Some(match self.retention_days.as_deref().map(str::trim) {
                None | Some("") => pilots::DEFAULT_RETENTION_DAYS,
                Some(v) => v.parse().unwrap_or(-1),
            }),
            slug: None,
        }
    }
}

/// The settings page of a published pilot: texts, dates and retention.
async fn settings(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (pilot, p, _, f) = actions::pilots::load_pilot(&ctx, id.into_inner()).await?;
    ctx.authorize(Action::ManagePilots(&f)).await?;
    let local = |t: Option<chrono::NaiveDateTime>| t.map(time::to_local_input).unwrap_or_default();
    let form = json!({
        "title": pilot.title, "intro": pilot.intro, "consent_text": pilot.consent_text,
        "opens_at": local(pilot.opens_at), "closes_at": local(pilot.closes_at),
        "retention_days": pilot.retention_days.to_string(),
    });
    let data = settings_data(&ctx, &pilot, &p, form).await?;
    render::page(&ctx, "pilot_new", "pilot-settings-title", data)
}

async fn settings_data(
    ctx: &Ctx,
    pilot: &Pilot,
    p: &crate::domain::proposals::Proposal,
    form: Value,
) -> AppResult<Value> {
    let mut data = pilot_form_data(ctx, p, form).await?;
    data["editing"] = json!({ "id": pilot.id, "title": pilot.title, "path": pilot.public_path() });
    Ok(data)
}

#[derive(Deserialize, Serialize)]
struct SettingsFields {
    #[serde(flatten)]
    fields: PilotFields,
    /// "Close now": the closing time becomes this moment, everything else stays.
    #[serde(default)]
    close_now: Option<String>,
}

async fn save_settings(
    form: CsrfForm<SettingsFields>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (pilot, p, _, f) = actions::pilots::load_pilot(&ctx, id.into_inner()).await?;
    let d = &form.data;
    let input = if d.close_now.is_some() {
        PilotInput {
            closes_at: Some(crate::db::now().and_utc().to_rfc3339()),
            ..PilotInput::of(&pilot)
        }
    } else {
        d.fields.input()
    };
    match actions::pilots::update_pilot(&ctx, &pilot, &p, &f, input).await {
        Ok(changed) => Ok(render::redirect_with(
            &format!("/pilots/{}", changed.id),
            "success",
            "pilot-settings-saved",
        )),
        Err(err @ AppError::Validation(_)) => {
            let typed = serde_json::to_value(&d.fields).unwrap_or(json!({}));
            let data = settings_data(&ctx, &pilot, &p, typed.clone()).await?;
            render::form_error(&ctx, err, "pilot_new", "pilot-settings-title", typed, data)
        }
        Err(other) => Err(other),
    }
}

async fn publish(form: CsrfForm<PilotFields>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (p, _, f) = actions::proposals::load(&ctx, id.into_inner()).await?;
    let d = &form.data;
    match actions::pilots::create_pilot(&ctx, &p, &f, d.input()).await {
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
    let (pilot, p, _, f) = actions::pilots::load_pilot(&ctx, id.into_inner()).await?;
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
    let (m, comments) = actions::pilots::metrics(ctx, pilot, f).await?;
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
            "assistant": pilot.mode == PilotMode::Assistant,
            "availability_label": availability_label(pilot, now, ctx.lang),
            "open": pilot.availability(now) != pilots::Availability::Closed,
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
    let (pilot, p, _, f) = actions::pilots::load_pilot(&ctx, id.into_inner()).await?;
    let url = form.data.url.clone().unwrap_or_default();
    match actions::pilots::add_webhook(&ctx, &pilot, &f, url, form.data.secret.clone()).await {
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
    form: CsrfForm<crate::web::csrf_form::NoFields>,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let ctx = form.ctx;
    let (id, delivery) = path.into_inner();
    let (pilot, _, _, f) = actions::pilots::load_pilot(&ctx, id).await?;
    actions::pilots::redeliver(&ctx, &pilot, &f, delivery).await?;
    Ok(render::redirect_with(
        &format!("/pilots/{id}#deliveries"),
        "success",
        "webhook-redelivery-queued",
    ))
}
