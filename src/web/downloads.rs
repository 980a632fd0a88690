//! Stored files served to people and API clients alike: one handler behind the page's
//! and the API's address, so both follow the same reading rule.

use actix_web::{web, HttpResponse};

use crate::domain::attachments;
use crate::error::{AppError, AppResult};
use crate::web::actions;
use crate::web::context::Ctx;
use crate::web::render;

/// Serves a file to exactly those who may read its parent, always as a download, under
/// the name the reader may see (see [`actions::challenges::read_access`]).
pub async fn attachment(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let actor = ctx.actor();
    let dir = ctx.state.config.upload_dir();
    let (a, filename, bytes) = ctx
        .db(move |conn| {
            let a = attachments::find(conn, id)?;
            let filename =
                actions::challenges::read_access(conn, &a, &actor)?.ok_or(AppError::NotFound)?;
            let bytes = std::fs::read(attachments::path_of(&dir, &a.storage_name))
                .map_err(|_| AppError::NotFound)?;
            Ok((a, filename, bytes))
        })
        .await?;
    Ok(render::download(&a.content_type, &filename, bytes))
}
