//! A person's data-protection requests: the export of everything stored about them and
//! the erasure of their account (see `domain::accounts::personal_data`).

use chrono::Duration;
use serde_json::{json, Value};

use crate::auth::policy::Action;
use crate::domain::accounts::personal_data::{self, Erasure};
use crate::domain::audit::{self, Event};
use crate::domain::rate;
use crate::error::{AppResult, FieldErrors};
use crate::web::context::Ctx;

/// Exports per person and hour: an export reads every table about them.
const EXPORTS_PER_HOUR: i64 = 10;

/// Everything stored about the signed-in person, as JSON (audited, a few an hour).
pub async fn export(ctx: &Ctx) -> AppResult<Value> {
    ctx.authorize(Action::ManageOwnAccount).await?;
    let user = ctx.require_user()?.clone();
    ctx.tx(move |conn| {
        rate::hit(
            conn,
            "personal_data_export",
            &user.id.to_string(),
            EXPORTS_PER_HOUR,
            Duration::hours(1),
        )?;
        // Recorded first, so that the export lists its own request.
        audit::append(
            conn,
            Event::new(
                Some(user.id),
                "personal_data_exported",
                "user",
                Some(user.id),
            ),
        )?;
        personal_data::export(conn, &user, crate::db::now())
    })
    .await
}

/// Erases the signed-in person's account once the password is given again; their
/// sessions and tokens end with it. A wrong password names the field (422); being the
/// last owner of an organisation with other members is a 409.
pub async fn erase_account(ctx: &Ctx, password: String) -> AppResult<Erasure> {
    ctx.authorize(Action::ManageOwnAccount).await?;
    let user = ctx.require_user()?.clone();
    if !ctx
        .state
        .hasher
        .verify(password, user.password_hash.clone())
        .await?
    {
        return Err(FieldErrors::single("password", "password-wrong"));
    }
    ctx.tx(move |conn| {
        let erasure = personal_data::erase(conn, &user, crate::db::now())?;
        // Written after the erasure and without the address: the entry keeps that an
        // account was erased, and nothing that names the person.
        audit::append(
            conn,
            Event::new(Some(user.id), "account_erased", "user", Some(user.id))
                .details(json!(erasure)),
        )?;
        Ok(erasure)
    })
    .await
}
