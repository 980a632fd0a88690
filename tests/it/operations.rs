//! What operators and machines rely on: `HEAD` wherever `GET` works, `/readyz`,
//! `/metrics` behind its address list or token, `robots.txt`, the sitemap and the Atom
//! feed of public challenges, and the legal pages with their placeholder.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use diesel::prelude::*;

use innolab::db::schema::{challenge_topics, topics};
use innolab::kinds::OrgKind;

use crate::support::TestApp;

#[actix_web::test]
async fn head_is_answered_wherever_get_is() {
    let mut app = TestApp::new().await;
    for path in [
        "/",
        "/challenges",
        "/healthz",
        "/readyz",
        "/api/v1/challenges",
        "/robots.txt",
    ] {
        let r = app
            .send(TestRequest::default().method(Method::HEAD).uri(path))
            .await;
        assert_eq!(r.status.as_u16(), 200, "HEAD {path}");
        let get = app.get(path).await;
        assert_eq!(
            r.header("content-type"),
            get.header("content-type"),
            "HEAD {path} differs from GET"
        );
    }
    let r = app
        .send(
            TestRequest::default()
                .method(Method::HEAD)
                .uri("/nirgendwo"),
        )
        .await;
    r.assert_status(404);
    // HEAD never reaches a route that changes things.
    let r = app
        .send(TestRequest::default().method(Method::HEAD).uri("/logout"))
        .await;
    assert_ne!(r.status.as_u16(), 200);
}

#[actix_web::test]
async fn metrics_answer_only_allowed_addresses_or_the_token() {
    let mut app = TestApp::builder()
        .config(|c| c.metrics_token = Some("zaehlwerk-geheim".into()))
        .build()
        .await;
    let admin = app.create_user_with("admin@example.org", "Admin", true, true);
    app.get("/challenges").await.assert_status(200);
    // From elsewhere, signed in as an admin or not, the endpoint does not exist.
    app.get("/metrics").await.assert_status(404);
    app.log_in_as(&admin);
    app.get("/metrics").await.assert_status(404);
    app.log_out();
    let wrong = TestRequest::get()
        .uri("/metrics")
        .insert_header(("Authorization", "Bearer falsch"));
    app.send(wrong).await.assert_status(404);

    let with_token = TestRequest::get()
        .uri("/metrics")
        .insert_header(("Authorization", "Bearer zaehlwerk-geheim"));
    let r = app.send(with_token).await;
    r.assert_status(200)
        .assert_contains(
            "innolab_http_requests_total{method=\"GET\",route=\"/challenges\",status=\"200\"} 1",
        )
        .assert_contains("route=\"/metrics\",status=\"404\"")
        .assert_contains("innolab_http_request_duration_seconds_bucket{method=\"GET\",route=\"/challenges\",le=\"+Inf\"} 1")
        .assert_contains("innolab_db_pool_size 4")
        .assert_contains("innolab_search_lag_seconds ")
        .assert_contains("innolab_webhook_deliveries_pending 0")
        .assert_contains("innolab_password_hash_queue_waiting 0");
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    // Unknown addresses are counted under one label, not one series each.
    app.get("/gibt-es-nicht-1").await;
    app.get("/gibt-es-nicht-2").await;
    app.peer = "127.0.0.1:40000".into();
    // A local reverse proxy that is not trusted does not make its clients local.
    let proxied = TestRequest::get()
        .uri("/metrics")
        .insert_header(("X-Forwarded-For", "203.0.113.5"));
    app.send(proxied).await.assert_status(404);
    let r = app.get("/metrics").await;
    r.assert_status(200)
        .assert_contains("route=\"unmatched\",status=\"404\"} 2")
        .assert_not_contains("gibt-es-nicht");
}

#[actix_web::test]
async fn robots_sitemap_and_feed_list_only_public_pages() {
    let mut app = TestApp::new().await;
    let owner = app.create_user("amt@example.org", "Amt");
    let agency = app.create_org(&owner, "Stadt Nordheim", OrgKind::Agency, true);
    app.with_conn(|c| {
        innolab::domain::topics::insert_missing(c, "ki", "Künstliche Intelligenz", "AI").unwrap()
    });
    let open = app.create_challenge(&agency, &owner, "Akten & Ablage <digital>", "open", 20);
    let other = app.create_challenge(&agency, &owner, "Parkraum zählen", "open", 20);
    let draft = app.create_challenge(&agency, &owner, "Geheimer Entwurf", "draft", 20);
    app.with_conn(|c| {
        let ki: i64 = topics::table
            .filter(topics::slug.eq("ki"))
            .select(topics::id)
            .first(c)
            .unwrap();
        diesel::insert_into(challenge_topics::table)
            .values((
                challenge_topics::challenge_id.eq(open.id),
                challenge_topics::topic_id.eq(ki),
            ))
            .execute(c)
            .unwrap();
    });

    let robots = app.get("/robots.txt").await;
    robots
        .assert_status(200)
        .assert_contains("Disallow: /api/")
        .assert_contains("Disallow: /p/*/r/")
        .assert_contains("Sitemap: http://127.0.0.1:8080/sitemap.xml");

    let index = app.get("/sitemap.xml").await;
    index
        .assert_status(200)
        .assert_contains("<sitemapindex")
        .assert_contains("/sitemap/pages.xml")
        .assert_contains("/sitemap/challenges-1.xml")
        .assert_contains("/sitemap/organisations-1.xml")
        .assert_not_contains("challenges-2.xml");
    app.get("/sitemap/pages.xml")
        .await
        .assert_status(200)
        .assert_contains("/impressum</loc>");
    let part = app.get("/sitemap/challenges-1.xml").await;
    part.assert_status(200)
        .assert_contains(&format!("/challenges/{}</loc>", open.slug))
        .assert_contains(&format!("/challenges/{}</loc>", other.slug))
        .assert_not_contains(&draft.slug);
    app.get("/sitemap/organisations-1.xml")
        .await
        .assert_contains(&format!("/organisations/{}</loc>", agency.slug));
    app.get("/sitemap/challenges-7.xml")
        .await
        .assert_status(200)
        .assert_not_contains("<url>");
    for bad in [
        "/sitemap/proposals-1.xml",
        "/sitemap/challenges-0.xml",
        "/sitemap/x",
    ] {
        app.get(bad).await.assert_status(404);
    }

    let feed = app.get("/challenges.atom").await;
    feed.assert_status(200)
        .assert_contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"")
        .assert_contains("<title>Akten &amp; Ablage &lt;digital&gt;</title>")
        .assert_contains("Parkraum zählen")
        .assert_contains("<name>Stadt Nordheim</name>")
        .assert_contains("<category term=\"ki\"")
        .assert_not_contains("Geheimer Entwurf");
    assert!(feed
        .header("content-type")
        .unwrap()
        .starts_with("application/atom+xml"));
    let by_topic = app.get("/challenges.atom?topic=ki").await;
    by_topic
        .assert_contains("Akten &amp; Ablage")
        .assert_not_contains("Parkraum zählen")
        .assert_contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"http://127.0.0.1:8080/challenges.atom?topic=ki\"/>");
    app.get(&format!("/challenges.atom?agency={}", agency.slug))
        .await
        .assert_contains("Parkraum zählen");
    app.get("/challenges.atom?agency=niemand&level=bund&status=draft")
        .await
        .assert_status(200)
        .assert_not_contains("<entry>");
    // The list links to the feed of what it shows.
    let list = app.get("/challenges?topic=ki").await;
    assert!(
        list.body
            .replace("&#x3D;", "=")
            .contains("href=\"/challenges.atom?status=open&amp;topic=ki\""),
        "{}",
        list.body
    );
}

#[actix_web::test]
async fn legal_pages_show_a_placeholder_until_the_operator_names_the_texts() {
    let mut app = TestApp::new().await;
    for path in ["/impressum", "/datenschutz", "/imprint", "/privacy"] {
        app.get(path)
            .await
            .assert_status(200)
            .assert_contains("noch nicht hinterlegt");
    }
    // Linked from every page's footer, beside the accessibility statement.
    for path in ["/", "/challenges", "/login"] {
        app.get(path)
            .await
            .assert_contains("href=\"/impressum\"")
            .assert_contains("href=\"/datenschutz\"")
            .assert_contains("href=\"/accessibility\"");
    }
    // The privacy page names every cookie the site sets.
    let privacy = app.get("/datenschutz").await;
    for cookie in [
        "innolab_session",
        "innolab_anon",
        "innolab_lang",
        "innolab_flash",
    ] {
        privacy.assert_contains(&format!("<code>{cookie}</code>"));
    }

    let dir = tempfile::tempdir().unwrap();
    let impressum = dir.path().join("impressum.md");
    std::fs::write(
        &impressum,
        "# Stadt Musterhausen\n\nVertreten durch die Bürgermeisterin.\n\n<script>alert(1)</script>",
    )
    .unwrap();
    let mut app = TestApp::builder()
        .config(move |c| c.legal.impressum_de = Some(impressum))
        .build()
        .await;
    let r = app.get("/impressum").await;
    r.assert_status(200)
        .assert_contains("<h2>Stadt Musterhausen</h2>")
        .assert_contains("Vertreten durch die Bürgermeisterin.")
        .assert_not_contains("<script>alert(1)")
        .assert_not_contains("noch nicht hinterlegt");
    // In English the German text stands in, and the page says so.
    app.cookies.insert("innolab_lang".into(), "en".into());
    app.get("/imprint")
        .await
        .assert_contains("Vertreten durch die Bürgermeisterin.")
        .assert_contains("only available in another language")
        .assert_contains("lang=\"de\"")
        // The layout's language switch still offers German.
        .assert_contains("name=\"lang\" value=\"de\"");
    drop(dir);
}
