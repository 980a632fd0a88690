//! Downloads served to people and API clients alike, one handler behind the page's and
//! the API's address each: stored files, which follow their parent's reading rule and
//! are sent chunk by chunk from the file store (see [`crate::domain::files`]), never
//! held whole; and a person's export of their own data.

use actix_web::body::SizedStream;
use actix_web::web::Bytes;
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;

use crate::domain::attachments;
use crate::error::{AppError, AppResult};
use crate::web::actions;
use crate::web::context::{run_db, Ctx};
use crate::web::render;

/// Serves a file to exactly those who may read its parent, always as a download, under
/// the name the reader may see (see [`actions::challenges::read_access`]).
pub async fn attachment(ctx: Ctx, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let actor = ctx.actor();
    let files = ctx.state.files.clone();
    let (a, filename, first) = ctx
        .db(move |conn| {
            let a = attachments::find(conn, id)?;
            let filename =
                actions::challenges::read_access(conn, &a, &actor)?.ok_or(AppError::NotFound)?;
            // The first chunk before the answer starts: a file that is gone is a 404,
            // not a broken download.
            let first = files.chunk(conn, &a.storage_name, 0)?.unwrap_or_default();
            Ok((a, filename, first))
        })
        .await?;
    let (state, name) = (ctx.state.clone(), a.storage_name.clone());
    let rest = futures_util::stream::unfold(1usize, move |seq| {
        let (state, name) = (state.clone(), name.clone());
        async move {
            let files = state.files.clone();
            match run_db(&state, move |conn| files.chunk(conn, &name, seq)).await {
                Ok(Some(chunk)) if !chunk.is_empty() => {
                    Some((Ok::<_, AppError>(Bytes::from(chunk)), seq + 1))
                }
                Ok(_) => None,
                // The answer has begun: ending the stream early is all that is left.
                Err(e) => Some((Err(e), usize::MAX)),
            }
        }
    });
    let stream = futures_util::stream::once(async move { Ok::<_, AppError>(Bytes::from(first)) })
        .chain(rest)
        .take_while(|r| std::future::ready(r.is_ok()));
    let body = SizedStream::new(a.size as u64, stream);
    Ok(render::download(&a.content_type, &filename, body))
}

/// Everything stored about the signed-in person, as a JSON file to save
/// (`GET /account/export`, `GET /api/v1/me/export`).
pub async fn personal_data(ctx: Ctx) -> AppResult<HttpResponse> {
    let export = actions::personal_data::export(&ctx).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"innolab-export.json\"",
        ))
        .json(export))
}
