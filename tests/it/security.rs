//! Security properties that hold across routes: headers, CSRF, cookies, escaping,
//! redirects, no state change on GET.

use crate::support::{TestApp, PASSWORD};
use innolab::kinds::OrgKind;

#[actix_web::test]
async fn every_response_carries_the_security_headers() {
    let mut app = TestApp::new().await;
    for path in [
        "/",
        "/login",
        "/does-not-exist",
        "/static/css/app.css",
        "/api/v1/me",
        "/healthz",
        "/api/v1/openapi.json",
    ] {
        let r = app.get(path).await;
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert!(r.header("referrer-policy").is_some(), "{path}");
        assert!(
            r.header("strict-transport-security").is_none(),
            "no HSTS over plain HTTP"
        );
    }
    let page = app.get("/login").await;
    assert_eq!(page.header("cache-control").as_deref(), Some("no-store"));
    let css = app.get("/static/css/app.css").await;
    css.assert_status(200);
    assert!(css
        .header("cache-control")
        .unwrap()
        .contains("max-age=31536000"));
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    app.get("/static/../Cargo.toml").await.assert_status(404);
}

#[actix_web::test]
async fn over_https_cookies_are_secure_host_only_and_hsts_is_sent() {
    let mut app = TestApp::builder().https().build().await;
    app.create_user("tls@example.org", "TLS");
    let r = app.get("/login").await;
    assert!(r
        .header("strict-transport-security")
        .unwrap()
        .contains("max-age="));
    let token = app.csrf_token().await;
    let r = app
        .post_form_raw(
            "/login",
            &[
                ("email", "tls@example.org"),
                ("password", PASSWORD),
                ("csrf_token", &token),
            ],
        )
        .await;
    r.assert_status(303);
    let cookies: Vec<String> = r
        .headers
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("__Host-innolab_session="))
        .expect("host-prefixed session cookie");
    for attr in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attr), "{attr} missing in {session}");
    }
}

#[actix_web::test]
async fn state_changing_forms_without_a_valid_csrf_token_are_refused() {
    let mut app = TestApp::new().await;
    let u = app.create_user("csrf@example.org", "Csrf");
    let org = app.create_org(&u, "Ziel", OrgKind::Startup, false);
    app.log_in_as(&u);
    app.get("/").await;
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/logout".into(), vec![]),
        (
            "/account/profile".into(),
            vec![("display_name", "Gekapert"), ("locale", "en")],
        ),
        (
            "/account/password".into(),
            vec![
                ("current_password", PASSWORD),
                ("new_password", "Anderes-Kennwort-Neu-9"),
            ],
        ),
        ("/account/tokens".into(), vec![("name", "gekapert")]),
        (
            "/organisations".into(),
            vec![("name", "Gekapert"), ("kind", "startup")],
        ),
        (
            format!("/organisations/{}/edit", org.slug),
            vec![("name", "Gekapert")],
        ),
        (
            format!("/organisations/{}/members", org.slug),
            vec![("email", "x@example.org"), ("role", "owner")],
        ),
        ("/language".into(), vec![("lang", "en")]),
    ];
    for (path, fields) in &posts {
        let r = app.post_form_raw(path, fields).await;
        r.assert_status(403).assert_contains("abgelaufen");
        let mut with_bad = fields.clone();
        with_bad.push(("csrf_token", "0000"));
        app.post_form_raw(path, &with_bad).await.assert_status(403);
    }
    // A token from another session does not work either.
    let foreign = innolab::auth::csrf::token_for("someone-elses-session");
    app.post_form_raw(
        "/account/profile",
        &[
            ("display_name", "Gekapert"),
            ("locale", "en"),
            ("csrf_token", &foreign),
        ],
    )
    .await
    .assert_status(403);
    app.get("/account")
        .await
        .assert_status(200)
        .assert_not_contains("Gekapert");
    // Login and registration forms are protected too (login CSRF).
    app.log_out();
    app.post_form_raw(
        "/login",
        &[("email", "csrf@example.org"), ("password", PASSWORD)],
    )
    .await
    .assert_status(403);
    app.post_form_raw(
        "/register",
        &[
            ("email", "n@example.org"),
            ("display_name", "N"),
            ("password", PASSWORD),
        ],
    )
    .await
    .assert_status(403);
}

#[actix_web::test]
async fn get_never_changes_state() {
    let mut app = TestApp::new().await;
    let u = app.create_user("get@example.org", "Get");
    app.log_in_as(&u);
    for path in [
        "/logout",
        "/account/tokens",
        "/account/profile",
        "/organisations/x/leave",
        "/admin/organisations/1/verify",
    ] {
        let r = app.get(path).await;
        assert!(
            matches!(r.status.as_u16(), 404 | 405),
            "{path}: {}",
            r.status
        );
    }
    app.get("/account").await.assert_status(200);
}

#[actix_web::test]
async fn user_content_is_escaped_everywhere_it_is_shown() {
    const PAYLOADS: [&str; 4] = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "javascript:alert(1)",
        "<svg/onload=alert(1)>",
    ];
    let mut app = TestApp::new().await;
    let admin = app.create_user_with("xss-admin@example.org", "Admin", true, true);
    for (i, p) in PAYLOADS.iter().enumerate() {
        let u = app.create_user(&format!("xss{i}@example.org"), &format!("Name {p}"));
        app.log_in_as(&u);
        let r = app
            .post_form(
                "/organisations",
                &[
                    ("name", &format!("Org {i} {p}")),
                    ("kind", "agency"),
                    ("description", &format!("Text {p}")),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let slug = r
            .location()
            .trim_start_matches("/organisations/")
            .to_string();
        for path in [
            format!("/organisations/{slug}"),
            format!("/organisations/{slug}/members"),
            "/organisations".to_string(),
            "/account".to_string(),
        ] {
            let page = app.get(&path).await;
            for raw in ["<script>alert(1)", "<img src=x onerror", "<svg/onload"] {
                page.assert_not_contains(raw);
            }
        }
        // Failed form submissions echo the payload escaped, too.
        app.post_form(
            "/organisations",
            &[("name", ""), ("kind", "startup"), ("website", p)],
        )
        .await
        .assert_not_contains("<script>alert(1)");
    }
    app.log_in_as(&admin);
    for path in ["/admin/users", "/admin/organisations", "/admin/audit"] {
        let page = app.get(path).await;
        page.assert_status(200)
            .assert_not_contains("<script>alert(1)")
            .assert_not_contains("<img src=x onerror");
    }
}

#[actix_web::test]
async fn login_only_redirects_within_the_site() {
    let mut app = TestApp::new().await;
    app.create_user("next@example.org", "Next");
    for (next, expected) in [
        ("/account", "/account"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
    ] {
        let token = app.csrf_token().await;
        let r = app
            .post_form_raw(
                "/login",
                &[
                    ("email", "next@example.org"),
                    ("password", PASSWORD),
                    ("next", next),
                    ("csrf_token", &token),
                ],
            )
            .await;
        assert_eq!(r.location(), expected, "next={next}");
        app.log_out();
    }
}

#[actix_web::test]
async fn errors_never_leak_internals() {
    let mut app = TestApp::new().await;
    let r = app.get("/organisations/%00%ff").await;
    assert!(r.status.is_client_error());
    for leak in ["diesel", "sqlite", "SELECT", "panicked", "/work/"] {
        r.assert_not_contains(leak);
    }
    let r = app
        .send(
            actix_web::test::TestRequest::post()
                .uri("/login")
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(vec![b'a'; 300 * 1024]),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
}

#[actix_web::test]
async fn control_characters_in_any_field_never_cause_a_server_error() {
    let mut app = TestApp::new().await;
    let u = app.create_user_with("ctl@example.org", "Ctl", true, true);
    let org = app.create_org(&u, "Steuer", OrgKind::Startup, false);
    let nasty = "a\u{0}b\u{7}\u{1b}[31m";
    let forms: Vec<(String, Vec<&str>)> = vec![
        (
            "/register".into(),
            vec!["email", "display_name", "password", "locale"],
        ),
        ("/login".into(), vec!["email", "password", "next"]),
        ("/password/forgot".into(), vec!["email"]),
        ("/password/reset".into(), vec!["token", "password"]),
        ("/verify".into(), vec!["token"]),
        ("/account/profile".into(), vec!["display_name", "locale"]),
        ("/account/tokens".into(), vec!["name"]),
        (
            "/organisations".into(),
            vec!["name", "kind", "website", "description"],
        ),
        (
            format!("/organisations/{}/edit", org.slug),
            vec!["name", "website", "description"],
        ),
        (
            format!("/organisations/{}/members", org.slug),
            vec!["email", "role"],
        ),
        ("/language".into(), vec!["lang", "back"]),
    ];
    for logged_in in [false, true] {
        app.log_out();
        if logged_in {
            app.log_in_as(&u);
        }
        for (path, fields) in &forms {
            let values: Vec<(&str, &str)> = fields.iter().map(|f| (*f, nasty)).collect();
            let r = app.post_form(path, &values).await;
            assert!(r.status.as_u16() < 500, "{path}: {}", r.status);
        }
        for path in [
            "/organisations/a%00b",
            "/admin/users?q=%00",
            "/admin/audit?action=%00",
            "/verify?token=%00",
            "/organisations?kind=%00",
        ] {
            let r = app.get(path).await;
            assert!(r.status.as_u16() < 500, "{path}: {}", r.status);
        }
    }
}

#[actix_web::test]
async fn bearer_tokens_do_not_open_the_account_pages() {
    let mut app = TestApp::new().await;
    let u = app.create_user("bearer@example.org", "Bearer");
    let (_, token) =
        app.with_conn(|c| innolab::domain::accounts::api_tokens::create(c, u.id, "t").unwrap());
    let r = app
        .send(
            actix_web::test::TestRequest::get()
                .uri("/account")
                .insert_header(("Authorization", format!("Bearer {token}"))),
        )
        .await;
    assert!(
        r.is_login_redirect(),
        "pages ignore bearer tokens: {}",
        r.status
    );
    // A stolen token plus a self-made pre-session cookie cannot mint new tokens.
    let anon = "a".repeat(40);
    app.cookies.insert("innolab_anon".into(), anon.clone());
    let csrf = innolab::auth::csrf::token_for(&anon);
    let body =
        serde_urlencoded::to_string([("name", "stolen"), ("csrf_token", csrf.as_str())]).unwrap();
    let r = app
        .send(
            actix_web::test::TestRequest::post()
                .uri("/account/tokens")
                .insert_header(("Authorization", format!("Bearer {token}")))
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(body),
        )
        .await;
    assert!(r.is_login_redirect());
    assert_eq!(
        app.with_conn(|c| innolab::domain::accounts::api_tokens::list(c, u.id)
            .unwrap()
            .len()),
        1
    );
}

#[actix_web::test]
async fn login_attempts_are_counted_before_the_password_is_checked() {
    let app = TestApp::new().await;
    // Five attempts begun (as parallel requests would) exhaust the account's allowance
    // even though none of them has been judged yet.
    app.with_conn(|c| {
        for _ in 0..5 {
            innolab::auth::throttle::begin(c, "race@example.org", "192.0.2.1").unwrap();
        }
        let sixth = innolab::auth::throttle::begin(c, "race@example.org", "192.0.2.2");
        assert!(matches!(
            sixth,
            Err(innolab::error::AppError::TooManyRequests { .. })
        ));
    });
}

#[actix_web::test]
async fn duplicate_keys_are_conflicts_not_server_errors() {
    let app = TestApp::new().await;
    app.create_user("twice@example.org", "Twice");
    let second = app.with_conn(|c| {
        innolab::domain::accounts::create_verified(
            c,
            &innolab::domain::accounts::ValidRegistration {
                email: "twice@example.org".into(),
                display_name: "Again".into(),
                locale: innolab::i18n::Lang::De,
            },
            "x",
            false,
        )
    });
    assert!(
        matches!(
            second,
            Err(innolab::error::AppError::Conflict {
                message_id: "conflict-duplicate"
            })
        ),
        "{second:?}"
    );
}

#[actix_web::test]
async fn reset_requests_are_rate_limited() {
    let mut app = TestApp::new().await;
    app.create_user("limit@example.org", "Limit");
    for _ in 0..5 {
        app.post_form("/password/forgot", &[("email", "limit@example.org")])
            .await
            .assert_status(200);
    }
    app.post_form("/password/forgot", &[("email", "limit@example.org")])
        .await
        .assert_status(429);
    assert_eq!(app.outbox().len(), 5);
}

#[test]
fn unescaped_output_is_only_ever_sanitised_markdown() {
    // `{{{ }}}` skips escaping; it may only print values named `*_html`, which the views
    // fill from `text::render_markdown` (ammonia), and, in the layout only, `page_html`:
    // the page's own rendered (escaped) template. A new triple-brace use fails here.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut found = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "hbs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for part in text.split("{{{").skip(1) {
                    let expr = part.split("}}}").next().unwrap().trim().to_string();
                    found.push((p.file_name().unwrap().to_string_lossy().into_owned(), expr));
                }
            }
        }
    }
    assert!(!found.is_empty());
    for (file, expr) in &found {
        assert_eq!(
            expr == "page_html",
            file == "base.hbs",
            "{file}: only the layout prints the rendered page"
        );
        assert!(
            expr.ends_with("_html") && !expr.contains(' '),
            "{file}: unescaped {{{{{{{expr}}}}}}} is not a sanitised *_html value"
        );
    }
    // And every *_html value in the views is made by render_markdown, or is a search
    // snippet, which the highlighter escapes whole (see `search::highlight`'s tests).
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/pages")];
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 10, "the page handlers were not found");
    // The legal texts are read once, at start-up, and only through render_markdown.
    let legal = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/legal.rs"),
    )
    .unwrap();
    assert!(legal.contains("Ok(crate::text::render_markdown(&source))"));
    for path in files {
        let text = std::fs::read_to_string(path).unwrap();
        for line in text.lines().filter(|l| l.contains("_html\":")) {
            assert!(
                line.contains("render_markdown")
                    || line.contains("h.snippet_html")
                    || line.contains("h.title_html")
                    || line.contains("\"body_legal_html\": text"),
                "an *_html value not from render_markdown: {line}"
            );
        }
    }
}
