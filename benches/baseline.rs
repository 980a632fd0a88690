//! The bare baseline of `benches/pages.sh`: actix-web, the challenge list's own query
//! (`domain::challenges::list`, the same statements the list page runs) and one
//! handlebars template, without sessions, policy, page cache, layout or translations.
//! The real list page's throughput is printed as a ratio of this one's on the same
//! request mix, so the cost of everything around the query shows.
//!
//! `baseline DATABASE_URL PORT` serves `GET /challenges?page=&status=&sort=&after=&before=` on the
//! database the benchmark seeded (already migrated).

use actix_web::{web, App, HttpResponse, HttpServer};
use handlebars::Handlebars;
use serde::Deserialize;

use innolab::config::Config;
use innolab::db::{self, DbPool};
use innolab::domain::challenges::{list, ListFilter};
use innolab::domain::pagination::{Cursor, Page, PageRequest};
use innolab::kinds::ChallengeStatus;

/// The list as cards with pagination, the fields the real page shows.
const TEMPLATE: &str = r#"<!doctype html><html lang="de"><head><title>Challenges</title></head>
<body><main><h1>Challenges</h1><p>{{total}}</p><ol>
{{#each items}}<li><h2><a href="/challenges/{{challenge.slug}}">{{challenge.title}}</a></h2>
<p>{{agency_name}} · {{challenge.status}} · {{challenge.submission_deadline}}</p>
<p>{{challenge.summary}}</p>
<ul>{{#each topics}}<li>{{name}}</li>{{/each}}</ul></li>{{/each}}
</ol><nav><a href="?page={{next}}">next</a></nav></main></body></html>"#;

#[derive(Deserialize)]
struct Query {
    page: Option<i64>,
    status: Option<String>,
    sort: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
}

struct Shared {
    pool: DbPool,
    templates: Handlebars<'static>,
}

async fn challenges(shared: web::Data<Shared>, q: web::Query<Query>) -> HttpResponse {
    let q = q.into_inner();
    let page = Page::from_request(
        Some(PageRequest {
            page: q.page,
            per_page: None,
        }),
        20,
    );
    let filter = ListFilter {
        status: q.status.as_deref().and_then(ChallengeStatus::parse),
        sort: q.sort,
        ..ListFilter::default()
    };
    let cursor = Cursor::from_request(q.after, q.before);
    let pool = shared.pool.clone();
    let listed = web::block(move || {
        let mut conn = db::checkout(&pool)?;
        list(&mut conn, &filter, page, cursor)
    })
    .await;
    match listed {
        Ok(Ok(paged)) => {
            let data = serde_json::json!({
                "total": paged.total, "items": paged.items, "next": page.page + 1,
            });
            match shared.templates.render("list", &data) {
                Ok(html) => HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .body(html),
                Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
            }
        }
        Ok(Err(e)) => HttpResponse::InternalServerError().body(e.to_string()),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let (Some(url), Some(port)) = (args.next(), args.next()) else {
        eprintln!("usage: baseline DATABASE_URL PORT");
        std::process::exit(2);
    };
    let config = Config {
        database_url: url,
        ..Config::default()
    };
    let pool = db::pool_of(&config, config.pool_size, Default::default())
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut templates = Handlebars::new();
    templates
        .register_template_string("list", TEMPLATE)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let shared = web::Data::new(Shared { pool, templates });
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .route("/challenges", web::get().to(challenges))
                .route("/healthz", web::get().to(HttpResponse::Ok))
        })
        .workers(config.workers)
        .bind(("127.0.0.1", port.parse::<u16>().unwrap_or(18090)))?
        .run()
        .await
    })
}
