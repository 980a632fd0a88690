//! Form and pilot operations shared by pages and API: load with the policy's facts, save
//! forms, publish pilots, run them (start, step, send, rate), report, export, webhooks.
//! Every change that matters for data protection (exports, purges) is audited.

use serde_json::json;

use crate::auth::policy::{Action, FormFacts, ProposalFacts};
use crate::db::DbConnection;
use crate::domain::audit::{self, Event};
use crate::domain::challenges::Challenge;
use crate::domain::form_library::{self, Current};
use crate::domain::organisations;
use crate::domain::pilots::metrics::{self, Metrics};
use crate::domain::pilots::runs::{self, Submission};
use crate::domain::pilots::{self, webhooks, Pilot, PilotInput};
use crate::domain::proposals::Proposal;
use crate::domain::rate;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::forms::FormDefinition;
use crate::mail::Attachment;
use crate::web::context::Ctx;

fn form_facts(conn: &mut DbConnection, cur: &Current, uid: Option<i64>) -> AppResult<FormFacts> {
    let publicity = form_library::publicity(conn, cur.form.id)?;
    Ok(FormFacts {
        id: cur.form.id,
        org: organisations::facts_by_id(conn, cur.form.organisation_id, uid)?,
        public: publicity.asked || publicity.piloted,
        asked: publicity.asked,
    })
}

/// A form with its latest version, if the user may read it (404 otherwise).
pub async fn load_form(ctx: &Ctx, id: i64) -> AppResult<(Current, FormFacts)> {
    let uid = ctx.user_id();
    let (cur, facts) = ctx
        .db(move |conn| {
            let cur = form_library::current(conn, id)?;
            let facts = form_facts(conn, &cur, uid)?;
            Ok((cur, facts))
        })
        .await?;
    ctx.authorize(Action::ViewForm(&facts)).await?;
    Ok((cur, facts))
}

/// Creates a form with its first version in the organisation's library (audited).
pub async fn create_form(
    ctx: &Ctx,
    organisation_id: i64,
    title: String,
    def: FormDefinition,
) -> AppResult<Current> {
    let (_, org) = super::organisations::load_org_by_id(ctx, organisation_id).await?;
    ctx.authorize(Action::CreateForm(&org)).await?;
    let (uid, ip) = (ctx.require_user()?.id, ctx.ip.clone());
    ctx.tx(move |conn| {
        let cur = form_library::create(
            conn,
            organisation_id,
            &title,
            &def,
            Some(uid),
            crate::db::now(),
        )?;
        audit::append(
            conn,
            Event::new(Some(uid), "form_created", "form", Some(cur.form.id)).ip(&ip),
        )?;
        Ok(cur)
    })
    .await
}

/// Saves a form's definition and, if given, its title (audited): over the latest version
/// while it has no answers, as the next version once it has. Returns what is now current.
pub async fn save_form(
    ctx: &Ctx,
    facts: &FormFacts,
    title: Option<String>,
    def: FormDefinition,
) -> AppResult<Current> {
    ctx.authorize(Action::EditForm(facts)).await?;
    let (id, uid, ip) = (facts.id, ctx.require_user()?.id, ctx.ip.clone());
    ctx.tx(move |conn| {
        let cur = form_library::save(
            conn,
            id,
            title.as_deref(),
            &def,
            Some(uid),
            crate::db::now(),
        )?;
        audit::append(
            conn,
            Event::new(Some(uid), "form_saved", "form", Some(id))
                .details(json!({ "version": cur.version.version }))
                .ip(&ip),
        )?;
        Ok(cur)
    })
    .await
}

/// A pilot with its proposal, challenge and the policy's facts; the caller authorizes
/// the action it takes. Unknown pilots and pilots of proposals the user may not even
/// see are 404.
pub async fn load_pilot(
    ctx: &Ctx,
    id: i64,
) -> AppResult<(Pilot, Proposal, Challenge, ProposalFacts)> {
    let uid = ctx.user_id();
    let (pilot, p, c, f) = ctx
        .db(move |conn| {
            let (pilot, p, c) = pilots::with_proposal(conn, id)?;
            let f = crate::domain::proposals::facts(conn, &p, &c, uid)?;
            Ok((pilot, p, c, f))
        })
        .await?;
    ctx.authorize(Action::ViewProposal(&f)).await?;
    Ok((pilot, p, c, f))
}

/// Publishes one of the team's forms as a pilot of the proposal under a fresh slug
/// (audited).
pub async fn create_pilot(
    ctx: &Ctx,
    p: &Proposal,
    f: &ProposalFacts,
    input: PilotInput,
) -> AppResult<Pilot> {
    ctx.authorize(Action::ManagePilots(f)).await?;
    let (p, uid, ip) = (p.clone(), ctx.require_user()?.id, ctx.ip.clone());
    ctx.tx(move |conn| {
        let pilot = pilots::create(conn, &p, &input, uid, crate::db::now())?;
        audit::append(
            conn,
            Event::new(Some(uid), "pilot_published", "pilot", Some(pilot.id))
                .details(json!({ "proposal": p.id, "slug": pilot.slug, "mode": pilot.mode }))
                .ip(&ip),
        )?;
        Ok(pilot)
    })
    .await
}

/// Changes a published pilot's settings (see `pilots::update`). Audited.
pub async fn update_pilot(
    ctx: &Ctx,
    pilot: &Pilot,
    p: &Proposal,
    f: &ProposalFacts,
    input: PilotInput,
) -> AppResult<Pilot> {
    ctx.authorize(Action::ManagePilots(f)).await?;
    let (pilot, p, uid, ip) = (
        pilot.clone(),
        p.clone(),
        ctx.require_user()?.id,
        ctx.ip.clone(),
    );
    ctx.tx(move |conn| {
        let Some(changed) = pilots::update(conn, &pilot, &p, &input, crate::db::now())? else {
            return Ok(pilot);
        };
        audit::append(
            conn,
            Event::new(Some(uid), "pilot_changed", "pilot", Some(pilot.id))
                .details(json!({ "closes_at": changed.closes_at, "retention_days": changed.retention_days }))
                .ip(&ip),
        )?;
        Ok(changed)
    })
    .await
}

/// The report's figures, with steps and fields named in the reader's language, and the
/// latest comments.
pub async fn metrics(
    ctx: &Ctx,
    pilot: &Pilot,
    f: &ProposalFacts,
) -> AppResult<(Metrics, Vec<metrics::Comment>)> {
    ctx.authorize(Action::ViewPilotReport(f)).await?;
    let (pilot_id, form_id, lang) = (pilot.id, pilot.form_id, ctx.lang);
    ctx.db(move |conn| {
        let def = form_library::current(conn, form_id)?.version.definition()?;
        let (raw, comments) = metrics::read(conn, pilot_id)?;
        Ok((metrics::summarise(&def, raw, lang), comments))
    })
    .await
}

/// Every submission of a pilot with the definitions their versions had, for the export;
/// the export itself is audited.
pub async fn export(
    ctx: &Ctx,
    pilot: &Pilot,
    f: &ProposalFacts,
    format: &str,
) -> AppResult<(Vec<Submission>, FormDefinition)> {
    ctx.authorize(Action::ViewPilotAnswers(f, false)).await?;
    let (pilot_id, form_id, uid, ip, format) = (
        pilot.id,
        pilot.form_id,
        ctx.user_id(),
        ctx.ip.clone(),
        format.to_string(),
    );
    ctx.tx(move |conn| {
        let def = form_library::current(conn, form_id)?.version.definition()?;
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let page = runs::list(conn, pilot_id, after, 1000)?;
            after = page.last().map(|s| s.id);
            let done = page.len() < 1000;
            all.extend(page);
            if done {
                break;
            }
        }
        audit::append(
            conn,
            Event::new(uid, "pilot_exported", "pilot", Some(pilot_id))
                .details(json!({ "format": format, "submissions": all.len() }))
                .ip(&ip),
        )?;
        Ok((all, def))
    })
    .await
}

/// Adds a webhook to the pilot (audited) and returns it with its secret: the one given, or
/// a generated one to show once. The URL must be `http(s)` and, unless the configuration
/// allows it, not point at this machine or a private network.
pub async fn add_webhook(
    ctx: &Ctx,
    pilot: &Pilot,
    f: &ProposalFacts,
    url: String,
    secret: Option<String>,
) -> AppResult<(webhooks::Webhook, String)> {
    ctx.authorize(Action::ManagePilots(f)).await?;
    let (pilot_id, uid, ip, allow_private) = (
        pilot.id,
        ctx.require_user()?.id,
        ctx.ip.clone(),
        ctx.state.config.webhook_allow_private,
    );
    ctx.tx(move |conn| {
        let (hook, secret) = webhooks::add(
            conn,
            pilot_id,
            &url,
            secret.as_deref(),
            allow_private,
            uid,
            crate::db::now(),
        )?;
        audit::append(
            conn,
            Event::new(Some(uid), "webhook_added", "pilot", Some(pilot_id))
                .details(json!({ "webhook": hook.id, "url": hook.url }))
                .ip(&ip),
        )?;
        Ok((hook, secret))
    })
    .await
}

/// A delivery of one of the pilot's webhooks, sent again now.
pub async fn redeliver(
    ctx: &Ctx,
    pilot: &Pilot,
    f: &ProposalFacts,
    delivery_id: i64,
) -> AppResult<()> {
    ctx.authorize(Action::ManagePilots(f)).await?;
    let (pilot_id, uid, ip) = (pilot.id, ctx.require_user()?.id, ctx.ip.clone());
    ctx.tx(move |conn| {
        let (_, hook) = webhooks::delivery(conn, delivery_id)?;
        if hook.pilot_id != pilot_id {
            return Err(AppError::NotFound);
        }
        webhooks::redeliver(conn, delivery_id, crate::db::now())?;
        audit::append(
            conn,
            Event::new(Some(uid), "webhook_redelivered", "pilot", Some(pilot_id))
                .details(json!({ "delivery": delivery_id }))
                .ip(&ip),
        )
    })
    .await
}

/// The receipt of a submission as a tagged PDF, in the reader's language.
async fn receipt_pdf(
    ctx: &Ctx,
    pilot: &Pilot,
    s: &Submission,
    def: &FormDefinition,
) -> AppResult<Vec<u8>> {
    let lang = ctx.lang;
    let t = |id: &str| crate::i18n::text(lang, id);
    let sections = crate::forms::view::summary(def, &s.answers(), lang)
        .into_iter()
        .map(|section| crate::forms::pdf::Section {
            title: section["title"].as_str().unwrap_or("").to_string(),
            rows: section["rows"]
                .as_array()
                .map(|rows| {
                    rows.iter()
                        .map(|r| {
                            (
                                r["label"].as_str().unwrap_or("").to_string(),
                                r["answer"].as_str().unwrap_or("").to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    let sent = crate::domain::time::to_local_input(s.submitted_at).replace('T', " ");
    let receipt = crate::forms::pdf::Receipt {
        lang: lang.code(),
        title: format!("{}: {}", t("pilot-pdf-title"), pilot.title),
        facts: vec![
            format!("{}: {}", t("pilot-reference"), s.reference),
            format!("{} {sent}", t("pilot-sent-at")),
        ],
        sections,
        footer: t("pilot-pdf-footer"),
        truncated: t("pilot-pdf-truncated"),
    };
    actix_web::web::block(move || crate::forms::pdf::render(&receipt))
        .await?
        .map_err(AppError::internal)
}

/// A submission with its pilot, the policy's facts about the pilot's proposal (not yet
/// checked: the caller decides, since a receipt secret also opens it) and the definition.
pub async fn load_submission(
    ctx: &Ctx,
    id: i64,
) -> AppResult<(Pilot, Submission, ProposalFacts, FormDefinition)> {
    let uid = ctx.user_id();
    ctx.db(move |conn| {
        let s = runs::submission(conn, id)?;
        let pilot = pilots::find(conn, s.pilot_id)?;
        let p = crate::domain::proposals::find(conn, pilot.proposal_id)?;
        let c = crate::domain::challenges::find(conn, p.challenge_id)?;
        let f = crate::domain::proposals::facts(conn, &p, &c, uid)?;
        let def = form_library::version(conn, s.form_version_id)?.definition()?;
        Ok((pilot, s, f, def))
    })
    .await
}

/// The receipt PDF as a download, unless the answers were deleted meanwhile (409).
pub async fn pdf_download(
    ctx: &Ctx,
    pilot: &Pilot,
    s: &Submission,
    def: &FormDefinition,
    read: PdfReader,
) -> AppResult<actix_web::HttpResponse> {
    if s.purged_at.is_some() {
        return Err(AppError::Conflict {
            message_id: "pilot-answers-purged",
        });
    }
    let bytes = receipt_pdf(ctx, pilot, s, def).await?;
    if read == PdfReader::Staff {
        let (pilot_id, id, uid, ip) = (pilot.id, s.id, ctx.user_id(), ctx.ip.clone());
        ctx.tx(move |conn| {
            audit::append(
                conn,
                Event::new(uid, "pilot_submission_read", "pilot", Some(pilot_id))
                    .details(json!({ "submission": id, "format": "pdf" }))
                    .ip(&ip),
            )
        })
        .await?;
    }
    Ok(crate::web::render::download(
        "application/pdf",
        &receipt_file_name(ctx, s),
        bytes,
    ))
}

/// Who reads a submission's PDF: the test user with their receipt secret, or the team or
/// agency, whose reads of someone's answers are audited like the bulk export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfReader {
    /// The test user, proving it with the receipt's secret; not audited.
    ReceiptHolder,
    /// A member of the team or agency; each read is audited.
    Staff,
}

fn receipt_file_name(ctx: &Ctx, s: &Submission) -> String {
    format!(
        "{}-{}.pdf",
        crate::i18n::text(ctx.lang, "pilot-pdf-file"),
        s.reference
    )
}

/// Copies of one receipt by mail per day, and per client address per hour: enough for a
/// typo and a second mailbox, too few to make the receipt a way to send mail to strangers.
const RECEIPT_MAILS_PER_SUBMISSION: i64 = 3;
const RECEIPT_MAILS_PER_IP: i64 = 10;
/// Receipt copies one address receives per day, from all pilots together.
const RECEIPT_MAILS_PER_RECIPIENT: i64 = 5;

/// Mails a copy of the receipt, with its PDF and the receipt link, to an address the test
/// user typed. The address is used for this one mail only: neither stored, audited nor
/// logged. Refused once the answers are deleted; 503 when the mail relay fails.
pub async fn mail_receipt(
    ctx: &Ctx,
    pilot: &Pilot,
    s: &Submission,
    def: &FormDefinition,
    receipt_link: String,
    address: &str,
) -> AppResult<()> {
    if s.purged_at.is_some() {
        return Err(AppError::Conflict {
            message_id: "pilot-answers-purged",
        });
    }
    let to = match address.trim() {
        "" => return Err(FieldErrors::single("email", "pilot-mail-missing")),
        typed => crate::text::normalise_email(typed)
            .ok_or_else(|| FieldErrors::single("email", "pilot-mail-invalid"))?,
    };
    let (id, ip, recipient) = (s.id, ctx.ip.clone(), to.clone());
    ctx.tx(move |conn| {
        let day = chrono::Duration::days(1);
        rate::hit(
            conn,
            "receipt_mail",
            &id.to_string(),
            RECEIPT_MAILS_PER_SUBMISSION,
            day,
        )?;
        rate::hit(
            conn,
            "receipt_mail_ip",
            &ip,
            RECEIPT_MAILS_PER_IP,
            chrono::Duration::hours(1),
        )?;
        // Per recipient too, across every pilot: receipts are no way to mail a stranger.
        rate::hit(
            conn,
            "receipt_mail_to",
            &recipient,
            RECEIPT_MAILS_PER_RECIPIENT,
            day,
        )
    })
    .await?;
    let lang = ctx.lang;
    let sent = crate::domain::time::to_local_input(s.submitted_at).replace('T', " ");
    let mut mail = super::mails::compose(
        ctx,
        &to,
        lang,
        "pilot_receipt",
        crate::i18n::text_with(
            lang,
            "mail-pilot-receipt-subject",
            &[("reference", s.reference.clone())],
        ),
        json!({ "pilot_title": pilot.title, "reference": s.reference, "sent_at": sent, "link": receipt_link }),
    )?;
    mail.attachments.push(Attachment {
        file_name: receipt_file_name(ctx, s),
        content_type: "application/pdf",
        bytes: receipt_pdf(ctx, pilot, s, def).await?,
    });
    if let Err(e) = ctx.state.mailer.deliver(mail).await {
        tracing::error!(submission = s.id, error = %e, "receipt copy not sent");
        return Err(AppError::Unavailable {
            message_id: "pilot-mail-failed",
        });
    }
    // No client address either: the test user is anonymous, and the entry is about the
    // submission, not about them.
    let pilot_id = pilot.id;
    ctx.tx(move |conn| {
        audit::append(
            conn,
            Event::new(None, "pilot_receipt_mailed", "pilot", Some(pilot_id))
                .details(json!({ "submission": id })),
        )
    })
    .await
}
