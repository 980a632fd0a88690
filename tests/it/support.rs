//! The test harness: [`TestApp`] builds the real application on a fresh database (a
//! temporary SQLite file, or a fresh schema on the PostgreSQL server named by
//! `INNOLAB_TEST_DATABASE_URL`) and drives it like a browser or an API client, with a
//! cookie jar and the mail outbox at hand.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use actix_http::Request;
use actix_service::boxed::BoxService;
use actix_service::ServiceExt;
use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{header, Method, StatusCode};
use actix_web::test::{self, TestRequest};
use actix_web::web::Data;
use diesel::prelude::*;

use innolab::auth::csrf;
use innolab::config::Config;
use innolab::db::{self, DbConnection, PooledConn};
use innolab::domain::accounts::sessions;
use innolab::domain::accounts::{self, User, ValidRegistration};
use innolab::domain::challenges::{self, Challenge, ChallengeInput};
use innolab::domain::evaluation::stages::{CriterionInput, StageInput};
use innolab::domain::organisations::{self, Organisation, ValidOrg};
use innolab::domain::proposals::{self, Proposal};
use innolab::i18n::Lang;
use innolab::kinds::{ChallengeStatus, OrgKind, ProposalStatus, Role};
use innolab::web::state::AppState;
use serde_json::Value;

/// One password for every account the tests create directly; hashed once per run.
pub const PASSWORD: &str = "Wolken-Fahrrad-Tinte-42";

fn shared_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| innolab::auth::passwords::hash_now(PASSWORD).unwrap())
}

type Svc = BoxService<Request, ServiceResponse<BoxBody>, actix_web::Error>;

/// A response, read to the end.
pub struct Resp {
    pub status: StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: String,
    /// The body as sent (for downloads that are not text).
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }
    #[track_caller]
    pub fn assert_status(&self, expected: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            expected,
            "body: {}",
            &self.body[..self.body.len().min(2000)]
        );
        self
    }
    #[track_caller]
    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(
            self.body.contains(needle),
            "expected {needle:?} in: {}",
            &self.body[..self.body.len().min(4000)]
        );
        self
    }
    #[track_caller]
    pub fn assert_not_contains(&self, needle: &str) -> &Self {
        assert!(
            !self.body.contains(needle),
            "did not expect {needle:?} in: {}",
            &self.body[..self.body.len().min(4000)]
        );
        self
    }
    /// A 303 to the login form (what pages answer to visitors).
    pub fn is_login_redirect(&self) -> bool {
        self.status == StatusCode::SEE_OTHER && self.location().starts_with("/login?next=")
    }
}

/// Where the test database lives; dropped with the app.
enum Store {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    /// Another test app's database, with a data folder of its own.
    Shared(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        base_url: String,
        schema: String,
        _dir: tempfile::TempDir,
    },
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Store::Postgres {
            base_url, schema, ..
        } = self
        {
            if let Ok(mut conn) = PgConnection::establish(base_url) {
                let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    .execute(&mut conn);
            }
        }
    }
}

/// A fresh, empty database with a data folder of its own; it goes (schema and all) when
/// its owner does.
pub struct TestDatabase {
    pub url: String,
    pub data_dir: std::path::PathBuf,
    store: Store,
}

impl TestDatabase {
    /// On this run's backend: PostgreSQL when `INNOLAB_TEST_DATABASE_URL` is set.
    pub fn new() -> TestDatabase {
        TestDatabase::postgres().unwrap_or_else(TestDatabase::sqlite)
    }

    /// A SQLite file, whatever the run.
    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().unwrap();
        TestDatabase {
            url: format!("sqlite://{}/innolab.db", dir.path().display()),
            data_dir: dir.path().to_path_buf(),
            store: Store::Sqlite(dir),
        }
    }

    /// A fresh schema on the PostgreSQL server of this run, if it has one.
    pub fn postgres() -> Option<TestDatabase> {
        let base_url = std::env::var("INNOLAB_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let random = innolab::auth::secrets::new_token()
            .to_lowercase()
            .replace(['-', '_'], "");
        let schema = format!("t_{}", &random[..20]);
        let mut conn = PgConnection::establish(&base_url)
            .unwrap_or_else(|e| panic!("INNOLAB_TEST_DATABASE_URL unreachable: {e}"));
        diesel::sql_query(format!("CREATE SCHEMA {schema}"))
            .execute(&mut conn)
            .unwrap();
        let sep = if base_url.contains('?') { '&' } else { '?' };
        let data = tempfile::tempdir().unwrap();
        Some(TestDatabase {
            url: format!("{base_url}{sep}options=-c%20search_path%3D{schema}"),
            data_dir: data.path().to_path_buf(),
            store: Store::Postgres {
                base_url,
                schema,
                _dir: data,
            },
        })
    }

    /// Another database's URL, with a data folder of its own.
    fn sharing(url: String) -> TestDatabase {
        let dir = tempfile::tempdir().unwrap();
        TestDatabase {
            url,
            data_dir: dir.path().to_path_buf(),
            store: Store::Shared(dir),
        }
    }
}

pub struct TestApp {
    svc: Svc,
    pub state: Data<AppState>,
    pub cookies: BTreeMap<String, String>,
    pub peer: String,
    _store: Store,
}

/// Builds the app on an empty database.
pub struct TestAppBuilder {
    https: bool,
    page_cache_ms: u64,
    webhooks_to_localhost: bool,
    adjust: Option<ConfigChange>,
    shared_database: Option<String>,
    database: Option<TestDatabase>,
}

/// A change to the test configuration, applied before the app starts.
type ConfigChange = Box<dyn FnOnce(&mut Config)>;

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        // Off by default: tests change data and look at it again at once.
        TestAppBuilder {
            https: false,
            page_cache_ms: 0,
            webhooks_to_localhost: false,
            adjust: None,
            shared_database: None,
            database: None,
        }
    }

    pub async fn new() -> TestApp {
        TestApp::builder().build().await
    }
}

impl TestAppBuilder {
    /// Serve as if behind `https://` (secure cookies, HSTS, `__Host-` names).
    pub fn https(mut self) -> Self {
        self.https = true;
        self
    }

    /// Let pilot webhooks deliver to this machine (a receiver the test runs).
    pub fn webhooks_to_localhost(mut self) -> Self {
        self.webhooks_to_localhost = true;
        self
    }

    /// Turn the page cache for anonymous visitors on.
    pub fn page_cache(mut self, ms: u64) -> Self {
        self.page_cache_ms = ms;
        self
    }

    /// A second instance on `other`'s database, with its own data folder and search
    /// index (as two servers behind a load balancer).
    pub fn same_database_as(mut self, other: &TestApp) -> Self {
        self.shared_database = Some(other.state.config.database_url.clone());
        self
    }

    /// Change the configuration further before the app starts.
    pub fn config(mut self, f: impl FnOnce(&mut Config) + 'static) -> Self {
        self.adjust = Some(Box::new(f));
        self
    }

    /// On this database (a fresh one, or one a restore filled).
    pub fn database(mut self, database: TestDatabase) -> Self {
        self.database = Some(database);
        self
    }

    pub async fn build(self) -> TestApp {
        let database = match (self.shared_database, self.database) {
            (Some(url), _) => TestDatabase::sharing(url),
            (None, Some(database)) => database,
            (None, None) => TestDatabase::new(),
        };
        let mut config = Config::for_data_dir(&database.data_dir);
        config.database_url = database.url.clone();
        config.pool_size = 4;
        config.page_cache_ms = self.page_cache_ms;
        config.webhook_allow_private = self.webhooks_to_localhost;
        if self.https {
            config.public_url = "https://innolab.example".into();
        }
        if let Some(adjust) = self.adjust {
            adjust(&mut config);
        }
        let store = database.store;
        let state = innolab::build_state(config).expect("state builds");
        let svc = test::init_service(innolab::build_app(state.clone())).await;
        let svc =
            actix_service::boxed::service(svc.map(|r: ServiceResponse<_>| r.map_into_boxed_body()));
        TestApp {
            svc,
            state,
            cookies: BTreeMap::new(),
            peer: "198.51.100.7:40000".into(),
            _store: store,
        }
    }
}

impl TestApp {
    pub fn conn(&self) -> PooledConn {
        db::checkout(&self.state.pool).unwrap()
    }

    fn session_cookie_name(&self) -> String {
        self.state.cookie_name("innolab_session")
    }

    /// The CSRF token a page would carry for the current cookies (a page visit first
    /// when the jar is empty, as a browser would have).
    pub async fn csrf_token(&mut self) -> String {
        let session = self.cookies.get(&self.session_cookie_name()).cloned();
        let anon = self
            .cookies
            .get(&self.state.cookie_name("innolab_anon"))
            .cloned();
        match (session, anon) {
            (Some(s), _) => csrf::token_for(&s),
            (None, Some(a)) => csrf::token_for(&a),
            (None, None) => {
                self.get("/").await;
                let anon = self
                    .cookies
                    .get(&self.state.cookie_name("innolab_anon"))
                    .cloned()
                    .expect("anon cookie set");
                csrf::token_for(&anon)
            }
        }
    }

    pub async fn send(&mut self, mut req: TestRequest) -> Resp {
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.insert_header((header::COOKIE, jar.join("; ")));
        }
        req = req.peer_addr(self.peer.parse().unwrap());
        let resp = test::call_service(&self.svc, req.to_request()).await;
        let status = resp.status();
        let headers = resp.headers().clone();
        for value in headers.get_all(header::SET_COOKIE) {
            let c = actix_web::cookie::Cookie::parse(value.to_str().unwrap().to_string()).unwrap();
            let removal = c.max_age().is_some_and(|a| a.is_zero()) || c.value().is_empty();
            if removal {
                self.cookies.remove(c.name());
            } else {
                self.cookies
                    .insert(c.name().to_string(), c.value().to_string());
            }
        }
        // Streamed bodies (file downloads) are read to their end.
        let bytes = actix_web::body::to_bytes(resp.into_body())
            .await
            .unwrap_or_default();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(TestRequest::get().uri(path)).await
    }

    /// POSTs a url-encoded form with the right CSRF token.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_form_raw(path, &all).await
    }

    /// POSTs a form exactly as given (no token added).
    pub async fn post_form_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.send(
            TestRequest::post()
                .uri(path)
                .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
                .set_payload(body),
        )
        .await
    }

    /// A JSON API call; `bearer` adds `Authorization: Bearer`.
    pub async fn api(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
        bearer: Option<&str>,
    ) -> Resp {
        let mut req = TestRequest::default().method(method).uri(path);
        if let Some(b) = body {
            req = req
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .set_payload(b.to_string());
        }
        if let Some(t) = bearer {
            req = req.insert_header((header::AUTHORIZATION, format!("Bearer {t}")));
        }
        self.send(req).await
    }

    /// Waits until everything written so far is in the search index.
    #[track_caller]
    pub fn settle_search(&self) {
        self.state
            .search
            .catch_up(std::time::Duration::from_secs(30))
            .expect("search index catches up");
    }

    /// `GET /api/v1/search?{query}` as whoever is logged in; the JSON answer.
    pub async fn search(&mut self, query: &[(&str, &str)]) -> Value {
        let qs = serde_urlencoded::to_string(query).unwrap();
        let r = self.get(&format!("/api/v1/search?{qs}")).await;
        r.assert_status(200);
        r.json()
    }

    /// Creates a verified account directly (no mail, no hashing per user).
    pub fn create_user(&self, email: &str, name: &str) -> User {
        self.create_user_with(email, name, true, false)
    }

    pub fn create_user_with(&self, email: &str, name: &str, verified: bool, admin: bool) -> User {
        let mut conn = self.conn();
        let reg = ValidRegistration {
            email: email.to_string(),
            display_name: name.to_string(),
            locale: Lang::De,
        };
        let user = accounts::create_verified(&mut conn, &reg, shared_hash(), admin).unwrap();
        if !verified {
            diesel::update(innolab::db::schema::users::table.find(user.id))
                .set(
                    innolab::db::schema::users::email_verified_at.eq(None::<chrono::NaiveDateTime>),
                )
                .execute(&mut conn)
                .unwrap();
        }
        accounts::find(&mut conn, user.id).unwrap()
    }

    /// Creates an organisation owned by `owner`; agencies verified or not.
    pub fn create_org(
        &self,
        owner: &User,
        name: &str,
        kind: OrgKind,
        verified: bool,
    ) -> Organisation {
        let mut conn = self.conn();
        let org = organisations::create(
            &mut conn,
            owner.id,
            &ValidOrg {
                name: name.into(),
                kind,
                website: None,
                description: String::new(),
            },
        )
        .unwrap();
        if verified {
            organisations::verify(&mut conn, org.id, owner.id).unwrap()
        } else {
            org
        }
    }

    pub fn add_member(&self, org: &Organisation, user: &User, role: Role) {
        organisations::ensure_member(&mut self.conn(), org.id, user.id, role).unwrap();
    }

    /// Logs in without the form (a session row and its cookie).
    pub fn log_in_as(&mut self, user: &User) {
        let token = sessions::create(
            &mut self.conn(),
            user.id,
            "test",
            "127.0.0.1",
            self.state.session_limits(),
        )
        .unwrap();
        let name = self.session_cookie_name();
        self.cookies.insert(name, token);
    }

    /// Logs in through the login form.
    pub async fn login(&mut self, email: &str, password: &str) -> Resp {
        self.post_form("/login", &[("email", email), ("password", password)])
            .await
    }

    pub fn log_out(&mut self) {
        self.cookies.clear();
    }

    /// Every mail in the outbox, oldest first: (to, subject, decoded body).
    pub fn outbox(&self) -> Vec<Mail> {
        let dir = self.state.config.outbox_dir();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .map(|p| Mail::parse(&std::fs::read(p).unwrap()))
            .collect()
    }

    /// The last mail to `to`.
    #[track_caller]
    pub fn last_mail_to(&self, to: &str) -> Mail {
        self.outbox()
            .into_iter()
            .rev()
            .find(|m| m.to.contains(to))
            .unwrap_or_else(|| panic!("no mail to {to}"))
    }

    /// Creates a challenge of `agency` (written by `author`) in `status`, with its
    /// deadline `deadline_days` from now and one review stage.
    pub fn create_challenge(
        &self,
        agency: &Organisation,
        author: &User,
        title: &str,
        status: &str,
        deadline_days: i64,
    ) -> Challenge {
        let mut conn = self.conn();
        let input = ChallengeInput {
            title: title.into(),
            summary: format!("Kurzbeschreibung von {title}"),
            description: "## Ausgangslage\n\nViel **Papier**.".into(),
            language: "de".into(),
            eligibility: vec!["startup".into(), "civil_society".into(), "research".into()],
            level: "kommune".into(),
            region: "Musterstadt".into(),
            budget_eur: "50000".into(),
            submission_deadline: (innolab::db::now() + chrono::Duration::days(deadline_days))
                .and_utc()
                .to_rfc3339(),
            contact: "amt@example.org".into(),
            proposal_visibility: "private".into(),
            topics: vec![],
            submission_form_id: String::new(),
        };
        let valid = challenges::validate(&input, &[]).unwrap();
        let c = challenges::create(&mut conn, agency.id, author.id, &valid).unwrap();
        let slug = c.slug.clone();
        challenges::seed_finish(
            &mut conn,
            c.id,
            &slug,
            ChallengeStatus::parse(status).unwrap(),
            (status != "draft").then(innolab::db::now),
        )
        .unwrap();
        challenges::find(&mut conn, c.id).unwrap()
    }

    /// Creates a complete proposal of `org` for `c`, submitted or as a draft.
    pub fn create_proposal(
        &self,
        c: &Challenge,
        org: &Organisation,
        author: &User,
        status: &str,
    ) -> Proposal {
        let content = proposals::Content {
            title: format!("Vorschlag von {}", org.name),
            summary: "Wir lösen das.".into(),
            approach: "So geht es.".into(),
            team: "Drei Leute".into(),
            pilot_scope: "Ein Bezirk".into(),
            pilot_duration: "3 Monate".into(),
            pilot_kpis: "- Quote 80 %".into(),
            cost_estimate_eur: Some(30000),
            data_protection: "Hosting in Deutschland".into(),
            licence: "EUPL-1.2".into(),
        };
        let status = ProposalStatus::parse(status).unwrap();
        proposals::seed_insert(
            &mut self.conn(),
            c,
            org.id,
            author.id,
            &content,
            status,
            &[],
        )
        .unwrap()
        .unwrap()
    }

    /// Asks `n` questions on `c` as `asker` ("Testfrage 00", "Testfrage 01", ... in that
    /// order) and answers each publicly as `staff`.
    pub fn answered_questions(&self, c: &Challenge, asker: &User, staff: &User, n: usize) {
        use innolab::domain::questions;
        self.with_conn(|conn| {
            for i in 0..n {
                let body = format!("Testfrage {i:02}");
                let (q, _) = questions::ask(conn, c.id, Some(asker.id), &body, false).unwrap();
                questions::respond(conn, q.id, staff.id, Some("Antwort"), None).unwrap();
            }
        });
    }

    /// Edits a submitted proposal `edits` times through the domain, each edit a new
    /// revision whose summary is "Stand NN" (NN its revision number); returns the result.
    pub fn revise(&self, p: &Proposal, c: &Challenge, by: &User, edits: usize) -> Proposal {
        self.with_conn(|conn| {
            let mut current = p.clone();
            for _ in 0..edits {
                let input = proposals::ProposalInput {
                    summary: Some(format!("Stand {:02}", current.revision + 1)),
                    ..Default::default()
                };
                current = proposals::update(conn, &current, c, by.id, &input, "").unwrap();
            }
            current
        })
    }

    /// Posts `n` messages in the proposal's thread as `by` ("Wortmeldung 00", ... in that
    /// order).
    pub fn post_messages(&self, p: &Proposal, by: &User, n: usize) {
        self.with_conn(|conn| {
            for i in 0..n {
                let body = format!("Wortmeldung {i:02}");
                innolab::domain::messages::post(conn, p.id, by.id, &body).unwrap();
            }
        });
    }

    /// Inserts an audit entry by hand, bypassing the chain (as an attacker with database
    /// access would); returns its id.
    pub fn forge_audit_entry(&self) -> i64 {
        use innolab::db::schema::audit_log;
        self.with_conn(|c| {
            diesel::insert_into(audit_log::table)
                .values((
                    audit_log::created_at.eq(innolab::db::now()),
                    audit_log::action.eq("forged"),
                    audit_log::object_type.eq("user"),
                    audit_log::details.eq("{}"),
                    audit_log::ip.eq(""),
                    audit_log::prev_hash.eq("1".repeat(64)),
                    audit_log::hash.eq("2".repeat(64)),
                ))
                .returning(audit_log::id)
                .get_result(c)
                .unwrap()
        })
    }

    pub fn with_conn<T>(&self, f: impl FnOnce(&mut DbConnection) -> T) -> T {
        let mut c = self.conn();
        f(&mut c)
    }
}

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub attachments: Vec<MailFile>,
}

/// A file sent with a mail.
#[derive(Debug, Clone)]
pub struct MailFile {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Mail {
    fn parse(raw: &[u8]) -> Mail {
        use mail_parser::MimeHeaders;
        let m = mail_parser::MessageParser::default()
            .parse(raw)
            .expect("the outbox holds a readable mail");
        Mail {
            to: m
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_string(),
            subject: m.subject().unwrap_or_default().to_string(),
            body: m.body_text(0).unwrap_or_default().into_owned(),
            attachments: m
                .attachments()
                .map(|a| MailFile {
                    name: a.attachment_name().unwrap_or_default().to_string(),
                    content_type: a
                        .content_type()
                        .map(|t| format!("{}/{}", t.ctype(), t.subtype().unwrap_or_default()))
                        .unwrap_or_default(),
                    bytes: a.contents().to_vec(),
                })
                .collect(),
        }
    }

    /// The first link in the body that starts with `prefix` (e.g. "http://127.0.0.1:8080/verify").
    #[track_caller]
    pub fn link_containing(&self, part: &str) -> String {
        self.body
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(part))
            .unwrap_or_else(|| panic!("no link with {part} in {}", self.body))
            .to_string()
    }

    /// The `token` query parameter of the first link containing `part`.
    pub fn token(&self, part: &str) -> String {
        let link = self.link_containing(part);
        let q = link.split_once("token=").unwrap().1;
        urlencoding::decode(q).unwrap().into_owned()
    }

    /// Path and query of the first link containing `part`.
    pub fn path(&self, part: &str) -> String {
        let link = self.link_containing(part);
        let after_scheme = link.split_once("://").unwrap().1;
        format!("/{}", after_scheme.split_once('/').unwrap().1)
    }
}

/// The fields a browser sends for the form posting to `action` on this page, exactly as
/// the page shows them: inputs with their values, checked boxes and radios, the text of
/// textareas as an HTML parser reads it, selected options. Buttons and file inputs are
/// left out (a browser sends only the button that was pressed).
#[track_caller]
pub fn form_values(html: &str, action: &str) -> Vec<(String, String)> {
    use scraper::{ElementRef, Html, Selector};
    let doc = Html::parse_document(html);
    let forms = Selector::parse("form").unwrap();
    let form = doc
        .select(&forms)
        .find(|f| f.value().attr("action") == Some(action))
        .unwrap_or_else(|| panic!("no form posting to {action}"));
    let controls = Selector::parse("input, textarea, select").unwrap();
    let options = Selector::parse("option").unwrap();
    let mut out = Vec::new();
    for el in form.select(&controls) {
        let v = el.value();
        let Some(name) = v.attr("name") else { continue };
        if v.attr("disabled").is_some() {
            continue;
        }
        let name = name.to_string();
        match v.name() {
            "textarea" => out.push((name, el.text().collect())),
            "select" => {
                let all: Vec<ElementRef> = el.select(&options).collect();
                let value = |o: &ElementRef| {
                    o.value()
                        .attr("value")
                        .map(str::to_string)
                        .unwrap_or_else(|| o.text().collect())
                };
                let chosen: Vec<&ElementRef> = all
                    .iter()
                    .filter(|o| o.value().attr("selected").is_some())
                    .collect();
                if chosen.is_empty() && v.attr("multiple").is_none() {
                    if let Some(first) = all.first() {
                        out.push((name.clone(), value(first)));
                    }
                }
                for o in chosen {
                    out.push((name.clone(), value(o)));
                }
            }
            _ => match v.attr("type").unwrap_or("text") {
                "submit" | "button" | "reset" | "image" | "file" => {}
                "checkbox" | "radio" => {
                    if v.attr("checked").is_some() {
                        out.push((name, v.attr("value").unwrap_or("on").to_string()));
                    }
                }
                _ => out.push((name, v.attr("value").unwrap_or("").to_string())),
            },
        }
    }
    out
}

impl TestApp {
    /// Opens `page`, then sends its form posting to `action` as it stands, with `extra`
    /// fields added (the button pressed, say): a person saving without changing anything.
    pub async fn resubmit(&mut self, page: &str, action: &str, extra: &[(&str, &str)]) -> Resp {
        let shown = self.get(page).await;
        shown.assert_status(200);
        let mut fields = form_values(&shown.body, action);
        fields.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post_form_raw(action, &pairs).await
    }
}

/// One part of a `multipart/form-data` body: a field name, a file name for files, and
/// the bytes.
pub struct Part<'a> {
    pub name: &'a str,
    pub filename: Option<&'a str>,
    pub bytes: &'a [u8],
}

impl<'a> Part<'a> {
    pub fn text(name: &'a str, value: &'a str) -> Part<'a> {
        Part {
            name,
            filename: None,
            bytes: value.as_bytes(),
        }
    }
    pub fn file(name: &'a str, filename: &'a str, bytes: &'a [u8]) -> Part<'a> {
        Part {
            name,
            filename: Some(filename),
            bytes,
        }
    }
}

/// The `Content-Type` and body of a multipart form made of `parts`, in order.
pub fn multipart_body(parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = "----innolab-test-boundary-5f1c";
    let mut body = Vec::new();
    for p in parts {
        let disposition = match p.filename {
            Some(f) => format!(
                "form-data; name=\"{}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream",
                p.name
            ),
            None => format!("form-data; name=\"{}\"", p.name),
        };
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(p.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    /// POSTs a multipart form made of `parts` as they are (no token added).
    pub async fn post_multipart(&mut self, path: &str, parts: &[Part<'_>]) -> Resp {
        let (content_type, body) = multipart_body(parts);
        self.send(
            TestRequest::post()
                .uri(path)
                .insert_header((header::CONTENT_TYPE, content_type))
                .set_payload(body),
        )
        .await
    }
}

impl TestApp {
    /// An API token of `user` (made through the API with the shared test password).
    pub async fn bearer_of(&mut self, user: &User) -> String {
        let r = self
            .api(
                Method::POST,
                "/api/v1/auth/tokens",
                Some(
                    serde_json::json!({"email": user.email, "password": PASSWORD, "name": "test"}),
                ),
                None,
            )
            .await;
        r.assert_status(201);
        r.json()["token"].as_str().unwrap().to_string()
    }
}

/// One row of any table, as JSON text.
#[derive(diesel::QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    row: String,
}

#[derive(diesel::QueryableByName)]
struct NameRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[derive(diesel::QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
}

impl TestApp {
    /// Every row of every table of the application, as JSON objects by table name: for
    /// tests that must know what a request left anywhere in the database.
    pub fn dump_all(&self) -> BTreeMap<String, Vec<Value>> {
        self.with_conn(|conn| {
            let sqlite = matches!(conn, DbConnection::Sqlite(_));
            let tables: Vec<NameRow> = if sqlite {
                diesel::sql_query(
                    "SELECT name FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%diesel%'",
                )
                .load(conn)
                .unwrap()
            } else {
                diesel::sql_query(
                    "SELECT table_name::text AS name FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '%diesel%'",
                )
                .load(conn)
                .unwrap()
            };
            let mut out = BTreeMap::new();
            for NameRow { name } in tables {
                let query = if sqlite {
                    let columns: Vec<ColumnRow> = diesel::sql_query(format!(
                        "SELECT name, type AS kind FROM pragma_table_info('{name}')"
                    ))
                    .load(conn)
                    .unwrap();
                    let pairs: Vec<String> = columns
                        .iter()
                        .map(|c| {
                            if c.kind.eq_ignore_ascii_case("blob") {
                                format!("'{0}', hex(\"{0}\")", c.name)
                            } else {
                                format!("'{0}', \"{0}\"", c.name)
                            }
                        })
                        .collect();
                    format!(
                        "SELECT json_object({}) AS row FROM \"{name}\"",
                        pairs.join(", ")
                    )
                } else {
                    format!("SELECT row_to_json(t)::text AS row FROM \"{name}\" t")
                };
                let rows: Vec<JsonRow> = diesel::sql_query(query).load(conn).unwrap();
                out.insert(
                    name,
                    rows.into_iter()
                        .map(|r| serde_json::from_str(&r.row).unwrap())
                        .collect(),
                );
            }
            out
        })
    }
}

/// A review stage with one criterion ("Wirkung", 1 to 5), one reviewer per proposal.
pub fn review_stage(name: &str, blind: bool) -> StageInput {
    StageInput {
        name: name.into(),
        kind: None,
        reviewers_per_proposal: 1,
        blind,
        starts_at: None,
        ends_at: None,
        criteria: vec![CriterionInput {
            name: "Wirkung".into(),
            description: String::new(),
            weight: 1.0,
            scale_min: Some(1),
            scale_max: Some(5),
            comment_required: false,
            labels: vec![],
        }],
    }
}

/// Publishes a pilot of `p` in web mode on the form `form_id`, as the team member `by`.
pub fn create_web_pilot(
    conn: &mut DbConnection,
    p: &Proposal,
    form_id: i64,
    by: i64,
) -> innolab::domain::pilots::Pilot {
    innolab::domain::pilots::create(
        conn,
        p,
        &innolab::domain::pilots::PilotInput {
            form_id: Some(form_id),
            mode: Some("web".into()),
            title: Some("Pilot".into()),
            consent_text: Some("Ok?".into()),
            ..Default::default()
        },
        by,
        innolab::db::now(),
    )
    .unwrap()
}
