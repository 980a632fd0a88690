//! The OpenAPI description, generated from the handlers' annotations.

use actix_web::HttpResponse;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{accounts, challenges, evaluation, organisations, pilots, proposals, search, topics};

/// The OpenAPI description of `/api/v1`: every documented path, with bearer-token security.
#[derive(OpenApi)]
#[openapi(
    info(title = "Innolab API", description = "Challenges, proposals and evaluation for the public sector. Errors: {\"error\", \"message\", \"fields\"}. Lists: ?page=&per_page= (<= 100)."),
    paths(
        accounts::register,
        accounts::verify,
        accounts::create_token,
        accounts::list_tokens,
        accounts::revoke_token,
        accounts::me,
        accounts::export_me,
        accounts::erase_me,
        accounts::my_invitations,
        accounts::accept_invitation,
        accounts::decline_invitation,
        organisations::create,
        organisations::list,
        organisations::show,
        organisations::members,
        organisations::add_member,
        organisations::remove_member,
        organisations::verify,
        challenges::create,
        challenges::list,
        challenges::show,
        challenges::update,
        challenges::stages,
        challenges::publish,
        challenges::close,
        challenges::transition,
        challenges::ask,
        challenges::questions_of,
        challenges::answer,
        proposals::create,
        proposals::show,
        proposals::update,
        proposals::submit,
        proposals::withdraw,
        proposals::revisions,
        proposals::upload,
        proposals::delete_attachment,
        proposals::post_message,
        proposals::thread,
        evaluation::invite,
        evaluation::pool,
        evaluation::declare_conflict,
        evaluation::start,
        evaluation::assign,
        evaluation::auto_assign,
        evaluation::unassign,
        evaluation::decline,
        evaluation::my_assignments,
        evaluation::review,
        evaluation::ranking,
        evaluation::decide,
        evaluation::release,
        evaluation::reviews_of,
        evaluation::ask_clarification,
        evaluation::answer_clarification,
        evaluation::clarifications_of,
        evaluation::discussion_of,
        evaluation::post_discussion,
        pilots::create_form,
        pilots::save_form,
        pilots::get_form,
        pilots::create_pilot,
        pilots::pilots_of,
        pilots::get_pilot,
        pilots::update_pilot,
        pilots::submissions,
        pilots::metrics,
        pilots::add_webhook,
        pilots::submission_pdf,
        pilots::deliveries,
        pilots::redeliver,
        search::search,
        topics::list,
        topics::create,
        topics::update,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// `GET /api/v1/openapi.json`: the description as JSON, cacheable for five minutes.
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(ApiDoc::openapi())
}
