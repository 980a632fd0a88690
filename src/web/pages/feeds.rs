//! What machines read: `robots.txt`, the sitemap of public pages and the Atom feed of
//! published challenges (filtered like the list). All hold public data only, so one cached
//! copy serves everyone.

use std::fmt::Write as _;

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::domain::challenges::{self, ListFilter};
use crate::domain::pagination::Page;
use crate::domain::sitemap::{self, Section};
use crate::domain::time;
use crate::error::{AppError, AppResult};
use crate::kinds::{ChallengeStatus, Level};
use crate::text;
use crate::web::context::Ctx;
use crate::web::render;

/// Entries in the Atom feed: the newest published challenges that match.
pub const FEED_ENTRIES: i64 = 50;

/// Public pages without a record behind them, listed in the sitemap.
const STATIC_PAGES: [&str; 6] = [
    "/",
    "/challenges",
    "/organisations",
    "/accessibility",
    "/impressum",
    "/datenschutz",
];

/// `robots.txt`, `sitemap.xml` with its parts, and `challenges.atom`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/robots.txt", web::get().to(robots))
        .route("/sitemap.xml", web::get().to(sitemap_index))
        .route("/sitemap/{part}", web::get().to(sitemap_part))
        .route("/challenges.atom", web::get().to(feed));
}

async fn robots(ctx: Ctx) -> AppResult<HttpResponse> {
    let base = &ctx.state.config.public_url;
    // Personal, secret-bearing and endless pages stay out of search engines (a test user's
    // run and receipt addresses hold their token); the rest is public anyway.
    let mut body = String::from("User-agent: *\n");
    for path in [
        "/api/",
        "/account",
        "/admin",
        "/dashboard",
        "/evaluation",
        "/invitations",
        "/notifications",
        "/login",
        "/register",
        "/password/",
        "/search",
        "/p/*/r/",
        "/p/*/receipt/",
    ] {
        let _ = writeln!(body, "Disallow: {path}");
    }
    let _ = write!(body, "\nSitemap: {base}/sitemap.xml\n");
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(body))
}

async fn sitemap_index(ctx: Ctx) -> AppResult<HttpResponse> {
    render::shared_body(&ctx, "application/xml; charset=utf-8", || async {
        let (challenges, organisations) = ctx
            .db(|conn| {
                Ok((
                    sitemap::parts(conn, Section::Challenges)?,
                    sitemap::parts(conn, Section::Organisations)?,
                ))
            })
            .await?;
        let base = &ctx.state.config.public_url;
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let mut part = |name: String| {
            let _ = writeln!(xml, "<sitemap><loc>{base}/sitemap/{name}.xml</loc></sitemap>");
        };
        part("pages".into());
        for (section, n) in [
            (Section::Challenges, challenges),
            (Section::Organisations, organisations),
        ] {
            for i in 1..=n {
                part(format!("{}-{i}", section.as_str()));
            }
        }
        xml.push_str("</sitemapindex>\n");
        Ok(xml)
    })
    .await
}

/// `pages.xml`, or `<section>-<n>.xml` with n from 1.
fn parse_part(name: &str) -> Option<Option<(Section, i64)>> {
    let stem = name.strip_suffix(".xml")?;
    if stem == "pages" {
        return Some(None);
    }
    let (section, n) = stem.rsplit_once('-')?;
    let n: i64 = n.parse().ok().filter(|n| (1..=1_000_000).contains(n))?;
    Some(Some((Section::parse(section)?, n)))
}

async fn sitemap_part(ctx: Ctx, name: web::Path<String>) -> AppResult<HttpResponse> {
    let part = parse_part(&name).ok_or(AppError::NotFound)?;
    render::shared_body(&ctx, "application/xml; charset=utf-8", || async {
        let base = &ctx.state.config.public_url;
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        match part {
            None => {
                for path in STATIC_PAGES {
                    let _ = writeln!(xml, "<url><loc>{base}{path}</loc></url>");
                }
            }
            Some((section, n)) => {
                let entries = ctx.db(move |conn| sitemap::part(conn, section, n)).await?;
                for e in entries {
                    let _ = writeln!(
                        xml,
                        "<url><loc>{base}/{}/{}</loc><lastmod>{}</lastmod></url>",
                        section.as_str(),
                        e.slug,
                        time::utc(e.updated_at)
                    );
                }
            }
        }
        xml.push_str("</urlset>\n");
        Ok(xml)
    })
    .await
}

/// The feed's filters: those of the list, by the same names.
#[derive(Deserialize)]
struct FeedQuery {
    status: Option<String>,
    topic: Option<String>,
    agency: Option<String>,
    level: Option<String>,
    soon: Option<String>,
}

async fn feed(ctx: Ctx, q: web::Query<FeedQuery>) -> AppResult<HttpResponse> {
    render::shared_body(&ctx, "application/atom+xml; charset=utf-8", || {
        feed_body(&ctx, q.into_inner())
    })
    .await
}

async fn feed_body(ctx: &Ctx, q: FeedQuery) -> AppResult<String> {
    // Every published challenge unless a status is asked for; unknown values are ignored
    // as the list ignores them.
    let status = q
        .status
        .as_deref()
        .and_then(ChallengeStatus::parse)
        .filter(|s| s.is_published());
    let agency = q.agency.clone().filter(|a| text::is_slug(a));
    let filter = ListFilter {
        status,
        topic: q.topic.clone().filter(|t| text::is_slug(t)),
        organisation_id: None,
        level: q.level.as_deref().and_then(Level::parse),
        soon: q.soon.is_some(),
        ids: None,
        sort: Some("newest".into()),
    };
    let list = ctx
        .db(move |conn| {
            let mut filter = filter;
            if let Some(slug) = &agency {
                match crate::domain::organisations::find_by_slug(conn, slug) {
                    Ok(a) => filter.organisation_id = Some(a.id),
                    // An agency that does not exist publishes nothing.
                    Err(_) => filter.organisation_id = Some(-1),
                }
            }
            challenges::list(conn, &filter, Page::first(FEED_ENTRIES), None)
        })
        .await?;
    let base = &ctx.state.config.public_url;
    let query = ctx.path.split_once('?').map_or("", |(_, q)| q);
    let suffix = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let updated = list
        .items
        .iter()
        .filter_map(|i| i.challenge.published_at)
        .max()
        .unwrap_or_else(crate::db::now);
    let mut xml = String::new();
    let _ = write!(
        xml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n<title>{}</title>\n<id>{base}/challenges.atom{}</id>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{base}/challenges.atom{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{base}/challenges{}\"/>\n<updated>{}</updated>\n",
        ctx.lang.code(),
        xml_text(&ctx.t("feed-title")),
        xml_text(&suffix),
        xml_text(&suffix),
        xml_text(&suffix),
        time::utc(updated),
    );
    for item in &list.items {
        let c = &item.challenge;
        let link = format!("{base}/challenges/{}", c.slug);
        let published = time::utc(c.published_at.unwrap_or(updated));
        let _ = write!(
            xml,
            "<entry>\n<title>{}</title>\n<id>{link}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{link}\"/>\n<published>{published}</published>\n<updated>{published}</updated>\n<author><name>{}</name></author>\n<summary>{}</summary>\n",
            xml_text(&c.title),
            xml_text(&item.agency_name),
            xml_text(&c.summary),
        );
        for t in &item.topics {
            let _ = writeln!(
                xml,
                "<category term=\"{}\" label=\"{}\"/>",
                xml_text(&t.slug),
                xml_text(t.name(ctx.lang))
            );
        }
        xml.push_str("</entry>\n");
    }
    xml.push_str("</feed>\n");
    Ok(xml)
}

/// Text for XML content and attributes: control characters XML forbids removed, markup
/// escaped.
fn xml_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    text::escape_html(&text::clean(value), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_names_are_read_strictly() {
        assert_eq!(parse_part("pages.xml"), Some(None));
        assert_eq!(
            parse_part("challenges-3.xml"),
            Some(Some((Section::Challenges, 3)))
        );
        assert_eq!(
            parse_part("organisations-1.xml"),
            Some(Some((Section::Organisations, 1)))
        );
        for bad in [
            "challenges-0.xml",
            "challenges--1.xml",
            "challenges-x.xml",
            "proposals-1.xml",
            "challenges-1",
            "challenges-99999999999999999999.xml",
        ] {
            assert_eq!(parse_part(bad), None, "{bad}");
        }
    }

    #[test]
    fn xml_text_escapes_markup_and_drops_control_characters() {
        assert_eq!(xml_text("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&#x27;");
    }
}
