//! The access-control matrix: every role against every route of accounts,
//! organisations and administration, asserting allow or deny.
//!
//! Roles: visitor, unverified user, member of the owning organisation, owner of it,
//! member of another organisation, platform admin. Each row runs on a fresh database
//! per role when it changes state, so one role's success cannot hide another's denial.

use actix_web::http::Method;

use innolab::domain::accounts::User;
use innolab::domain::organisations::Organisation;
use innolab::kinds::{OrgKind, Role};
use serde_json::json;

use crate::support::{Resp, TestApp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Visitor,
    Unverified,
    Member,
    Owner,
    Outsider,
    Admin,
}

const ROLES: [Who; 6] = [
    Who::Visitor,
    Who::Unverified,
    Who::Member,
    Who::Owner,
    Who::Outsider,
    Who::Admin,
];

/// What a role may expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// 2xx, or a redirect that is not to the login form.
    Allow,
    /// Pages: redirect to login; API: 401.
    Login,
    /// 403
    Deny,
    /// 404
    Hidden,
    /// 409 (e.g. the email is not verified yet)
    Conflict,
}

struct World {
    app: TestApp,
    org: Organisation,
    member: User,
    users: Vec<(Who, Option<User>)>,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let owner = app.create_user("owner@example.org", "Owner");
    let member = app.create_user("member@example.org", "Member");
    let outsider = app.create_user("outsider@example.org", "Outsider");
    let unverified = app.create_user_with("unverified@example.org", "Unverified", false, false);
    let admin = app.create_user_with("admin@example.org", "Admin", true, true);
    let org = app.create_org(&owner, "Amt", OrgKind::Agency, false);
    app.add_member(&org, &member, Role::Member);
    app.create_org(&outsider, "Anderswo", OrgKind::Startup, false);
    app.with_conn(|c| {
        innolab::domain::topics::insert_missing(c, "ki", "Künstliche Intelligenz", "AI").unwrap()
    });
    World {
        app,
        org,
        member: member.clone(),
        users: vec![
            (Who::Visitor, None),
            (Who::Unverified, Some(unverified)),
            (Who::Member, Some(member)),
            (Who::Owner, Some(owner)),
            (Who::Outsider, Some(outsider)),
            (Who::Admin, Some(admin)),
        ],
    }
}

enum Call {
    Page(&'static str),
    Form(&'static str, Vec<(&'static str, &'static str)>),
    Api(Method, &'static str, Option<serde_json::Value>),
}

fn expand(path: &str, w: &World) -> String {
    path.replace("{slug}", &w.org.slug)
        .replace("{id}", &w.org.id.to_string())
        .replace("{member}", &w.member.id.to_string())
}

async fn run(w: &mut World, who: Who, call: &Call) -> Resp {
    w.app.log_out();
    let user = w
        .users
        .iter()
        .find(|(r, _)| *r == who)
        .and_then(|(_, u)| u.clone());
    let bearer = match (&user, call) {
        (Some(u), Call::Api(..)) => Some(w.app.with_conn(|c| {
            innolab::domain::accounts::api_tokens::create(c, u.id, "matrix")
                .unwrap()
                .1
        })),
        (Some(u), _) => {
            w.app.log_in_as(u);
            None
        }
        (None, _) => None,
    };
    match call {
        Call::Page(p) => w.app.get(&expand(p, w)).await,
        Call::Form(p, fields) => w.app.post_form(&expand(p, w), fields).await,
        Call::Api(m, p, body) => {
            w.app
                .api(m.clone(), &expand(p, w), body.clone(), bearer.as_deref())
                .await
        }
    }
}

fn verdict(r: &Resp, api: bool) -> Expect {
    match r.status.as_u16() {
        401 if api => Expect::Login,
        303 if r.is_login_redirect() => Expect::Login,
        403 => Expect::Deny,
        404 => Expect::Hidden,
        409 => Expect::Conflict,
        // Past the policy, stopped by validation: access was granted.
        422 => Expect::Allow,
        s if (200..400).contains(&s) => Expect::Allow,
        _ => panic!("unexpected status {} body {}", r.status, r.body),
    }
}

/// One row: a call and the expectation of each role in ROLES order.
struct Row {
    call: Call,
    expect: [Expect; 6],
    changes_state: bool,
}

fn row(call: Call, expect: [Expect; 6]) -> Row {
    let changes_state = !matches!(call, Call::Page(_) | Call::Api(Method::GET, _, _));
    Row {
        call,
        expect,
        changes_state,
    }
}

use Expect::{Allow as A, Conflict as C, Deny as D, Login as L};

fn rows() -> Vec<Row> {
    vec![
        //                                                               visitor unverif member owner outsider admin
        row(Call::Page("/"), [A, A, A, A, A, A]),
        row(Call::Page("/organisations"), [A, A, A, A, A, A]),
        row(Call::Page("/organisations/{slug}"), [A, A, A, A, A, A]),
        row(Call::Page("/account"), [L, A, A, A, A, A]),
        row(Call::Page("/invitations"), [L, A, A, A, A, A]),
        row(Call::Page("/account/export"), [L, A, A, A, A, A]),
        // Without the confirmation: refused by validation (422), past the policy.
        row(
            Call::Form("/account/delete", vec![("password", "falsch")]),
            [L, A, A, A, A, A],
        ),
        row(
            Call::Api(Method::GET, "/api/v1/me/export", None),
            [L, A, A, A, A, A],
        ),
        row(
            Call::Api(
                Method::DELETE,
                "/api/v1/me",
                Some(json!({"password": "falsch"})),
            ),
            [L, A, A, A, A, A],
        ),
        row(
            Call::Form(
                "/account/profile",
                vec![("display_name", "Neu"), ("locale", "de")],
            ),
            [L, A, A, A, A, A],
        ),
        row(
            Call::Form("/account/tokens", vec![("name", "matrix")]),
            [L, A, A, A, A, A],
        ),
        row(Call::Page("/organisations/new"), [L, C, A, A, A, A]),
        row(
            Call::Form("/organisations", vec![("name", "Neu"), ("kind", "startup")]),
            [L, C, A, A, A, A],
        ),
        row(Call::Page("/organisations/{slug}/edit"), [L, D, D, A, D, A]),
        row(
            Call::Form("/organisations/{slug}/edit", vec![("name", "Umbenannt")]),
            [L, D, D, A, D, A],
        ),
        row(
            Call::Page("/organisations/{slug}/members"),
            [L, D, A, A, D, A],
        ),
        row(
            Call::Form(
                "/organisations/{slug}/members",
                vec![("email", "new@example.org"), ("role", "member")],
            ),
            [L, D, D, A, D, A],
        ),
        row(
            Call::Form(
                "/organisations/{slug}/members/{member}/role",
                vec![("role", "owner")],
            ),
            [L, D, D, A, D, A],
        ),
        row(
            Call::Form("/organisations/{slug}/members/{member}/remove", vec![]),
            [L, D, A, A, D, A],
        ),
        row(
            Call::Form("/organisations/{slug}/leave", vec![]),
            [L, D, A, C, D, D],
        ),
        row(Call::Page("/admin"), [L, D, D, D, D, A]),
        row(Call::Page("/admin/users"), [L, D, D, D, D, A]),
        row(Call::Page("/admin/organisations"), [L, D, D, D, D, A]),
        row(Call::Page("/admin/audit"), [L, D, D, D, D, A]),
        row(
            Call::Form("/admin/organisations/{id}/verify", vec![]),
            [L, D, D, D, D, A],
        ),
        // Operations data: hidden from every role (addresses and token only, see
        // tests/it/operations.rs).
        row(Call::Page("/metrics"), [Expect::Hidden; 6]),
        row(Call::Page("/impressum"), [A, A, A, A, A, A]),
        row(Call::Page("/datenschutz"), [A, A, A, A, A, A]),
        row(Call::Page("/robots.txt"), [A, A, A, A, A, A]),
        row(Call::Page("/sitemap.xml"), [A, A, A, A, A, A]),
        row(Call::Page("/sitemap/challenges-1.xml"), [A, A, A, A, A, A]),
        row(Call::Page("/challenges.atom"), [A, A, A, A, A, A]),
        row(Call::Page("/readyz"), [A, A, A, A, A, A]),
        row(Call::Page("/admin/topics"), [L, D, D, D, D, A]),
        row(
            Call::Form(
                "/admin/topics",
                vec![
                    ("slug", "matrix"),
                    ("name_de", "Matrix"),
                    ("name_en", "Matrix"),
                ],
            ),
            [L, D, D, D, D, A],
        ),
        row(Call::Page("/admin/topics/ki"), [L, D, D, D, D, A]),
        row(
            Call::Form(
                "/admin/topics/ki",
                vec![("name_de", "KI"), ("name_en", "AI")],
            ),
            [L, D, D, D, D, A],
        ),
        row(
            Call::Form("/admin/topics/ki/retire", vec![]),
            [L, D, D, D, D, A],
        ),
        row(
            Call::Form("/admin/topics/ki/restore", vec![]),
            [L, D, D, D, D, A],
        ),
        row(
            Call::Api(Method::GET, "/api/v1/topics", None),
            [A, A, A, A, A, A],
        ),
        row(
            Call::Api(
                Method::POST,
                "/api/v1/topics",
                Some(json!({"slug": "matrix", "name_de": "Matrix", "name_en": "Matrix"})),
            ),
            [L, D, D, D, D, A],
        ),
        row(
            Call::Api(
                Method::PATCH,
                "/api/v1/topics/ki",
                Some(json!({"retired": true})),
            ),
            [L, D, D, D, D, A],
        ),
        row(
            Call::Api(Method::GET, "/api/v1/me", None),
            [L, A, A, A, A, A],
        ),
        row(
            Call::Api(Method::GET, "/api/v1/me/invitations", None),
            [L, A, A, A, A, A],
        ),
        row(
            Call::Api(Method::GET, "/api/v1/auth/tokens", None),
            [L, A, A, A, A, A],
        ),
        row(
            Call::Api(Method::GET, "/api/v1/organisations/{id}", None),
            [A, A, A, A, A, A],
        ),
        row(
            Call::Api(Method::GET, "/api/v1/organisations/{id}/members", None),
            [L, D, A, A, D, A],
        ),
        row(
            Call::Api(
                Method::POST,
                "/api/v1/organisations",
                Some(json!({"name": "Neu", "kind": "startup"})),
            ),
            [L, C, A, A, A, A],
        ),
        row(
            Call::Api(
                Method::POST,
                "/api/v1/organisations/{id}/members",
                Some(json!({"email": "new@example.org", "role": "member"})),
            ),
            [L, D, D, A, D, A],
        ),
        row(
            Call::Api(
                Method::DELETE,
                "/api/v1/organisations/{id}/members/{member}",
                None,
            ),
            [L, D, A, A, D, A],
        ),
        row(
            Call::Api(
                Method::POST,
                "/api/v1/admin/organisations/{id}/verify",
                None,
            ),
            [L, D, D, D, D, A],
        ),
    ]
}

#[actix_web::test]
async fn every_role_against_every_route() {
    let mut shared = world().await;
    let mut failures = Vec::new();
    for row in rows() {
        let api = matches!(row.call, Call::Api(..));
        for (i, who) in ROLES.iter().enumerate() {
            let got = if row.changes_state {
                let mut fresh = world().await;
                verdict(&run(&mut fresh, *who, &row.call).await, api)
            } else {
                verdict(&run(&mut shared, *who, &row.call).await, api)
            };
            if got != row.expect[i] {
                let what = match &row.call {
                    Call::Page(p) => format!("GET {p}"),
                    Call::Form(p, _) => format!("POST {p}"),
                    Call::Api(m, p, _) => format!("{m} {p}"),
                };
                failures.push(format!(
                    "{what} as {who:?}: expected {:?}, got {got:?}",
                    row.expect[i]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "access-control matrix violations:\n{}",
        failures.join("\n")
    );
}

/// The second matrix: challenges, questions, proposals and their files. Roles: visitor,
/// unverified user, member and owner of the owning agency, the proposing team, a platform
/// admin, and a stranger from another startup.
mod co_creation {
    use actix_web::http::Method;
    use innolab::domain::accounts::User;
    use innolab::domain::attachments;
    use innolab::kinds::{AttachmentOwner, OrgKind, Role};
    use serde_json::json;

    use super::{verdict, Expect};
    use crate::support::{Resp, TestApp};
    use Expect::{Allow as A, Deny as D, Hidden as H, Login as L};

    const ROLES: [&str; 7] = [
        "visitor",
        "unverified",
        "member",
        "owner",
        "team",
        "admin",
        "stranger",
    ];

    struct World {
        app: TestApp,
        users: Vec<Option<User>>,
        ids: Vec<(&'static str, String)>,
    }

    async fn world() -> World {
        let app = TestApp::new().await;
        let owner = app.create_user("owner@example.org", "Owner");
        let member = app.create_user("member@example.org", "Member");
        let team = app.create_user("team@example.org", "Team");
        let stranger = app.create_user("stranger@example.org", "Stranger");
        let unverified = app.create_user_with("unverified@example.org", "Unverified", false, false);
        let admin = app.create_user_with("admin@example.org", "Admin", true, true);
        let agency = app.create_org(&owner, "Amt", OrgKind::Agency, true);
        app.add_member(&agency, &member, Role::Member);
        let startup = app.create_org(&team, "Team-Start", OrgKind::Startup, false);
        app.create_org(&stranger, "Fremd-Start", OrgKind::Startup, false);
        let open = app.create_challenge(&agency, &owner, "Offen", "open", 20);
        let draft = app.create_challenge(&agency, &owner, "Entwurf", "draft", 20);
        let second = app.create_challenge(&agency, &owner, "Zweite", "open", 20);
        let submitted = app.create_proposal(&open, &startup, &team, "submitted");
        let team_draft = app.create_proposal(&second, &startup, &team, "draft");
        let file = app.with_conn(|c| {
            attachments::store(
                c,
                &app.state.files,
                AttachmentOwner::Proposal,
                submitted.id,
                "a.pdf",
                b"%PDF-1.7\n",
                team.id,
            )
            .unwrap()
        });
        let question = app.with_conn(|c| {
            innolab::domain::questions::ask(c, open.id, None, "Frage?", true)
                .unwrap()
                .0
        });
        World {
            ids: vec![
                ("{c}", open.slug.clone()),
                ("{cid}", open.id.to_string()),
                ("{d}", draft.slug.clone()),
                ("{did}", draft.id.to_string()),
                ("{p}", submitted.id.to_string()),
                ("{pd}", team_draft.id.to_string()),
                ("{a}", file.id.to_string()),
                ("{q}", question.id.to_string()),
            ],
            users: vec![
                None,
                Some(unverified),
                Some(member),
                Some(owner),
                Some(team),
                Some(admin),
                Some(stranger),
            ],
            app,
        }
    }

    enum Call {
        Page(&'static str),
        Form(&'static str, Vec<(&'static str, &'static str)>),
        Api(Method, &'static str, Option<serde_json::Value>),
    }

    async fn run(w: &mut World, role: usize, call: &Call) -> Resp {
        w.app.log_out();
        let user = w.users[role].clone();
        let mut path = match call {
            Call::Page(p) | Call::Form(p, _) | Call::Api(_, p, _) => p.to_string(),
        };
        for (k, v) in &w.ids {
            path = path.replace(k, v);
        }
        match call {
            Call::Api(m, _, body) => {
                let token = user.map(|u| {
                    w.app.with_conn(|c| {
                        innolab::domain::accounts::api_tokens::create(c, u.id, "m")
                            .unwrap()
                            .1
                    })
                });
                w.app
                    .api(m.clone(), &path, body.clone(), token.as_deref())
                    .await
            }
            Call::Page(_) => {
                if let Some(u) = &user {
                    w.app.log_in_as(u);
                }
                w.app.get(&path).await
            }
            Call::Form(_, fields) => {
                if let Some(u) = &user {
                    w.app.log_in_as(u);
                }
                w.app.post_form(&path, fields).await
            }
        }
    }

    fn rows() -> Vec<(Call, [Expect; 7])> {
        vec![
            //                                                        visitor unverif member owner team admin stranger
            (Call::Page("/challenges"), [A, A, A, A, A, A, A]),
            (Call::Page("/search?q=Offen"), [A, A, A, A, A, A, A]),
            (
                Call::Api(Method::GET, "/api/v1/search?q=Offen&kind=proposal", None),
                [A, A, A, A, A, A, A],
            ),
            // An unanswered question: only its asker's private link opens it.
            (Call::Page("/questions/{q}"), [H, H, H, H, H, H, H]),
            (Call::Page("/challenges/{c}"), [A, A, A, A, A, A, A]),
            (Call::Page("/challenges/{d}"), [H, H, A, A, H, A, H]),
            (Call::Page("/challenges/new"), [L, D, A, A, D, D, D]),
            (Call::Page("/challenges/{c}/edit"), [L, D, A, A, D, D, D]),
            (Call::Page("/challenges/{d}/edit"), [H, H, A, A, H, H, H]),
            (
                Call::Form("/challenges/{c}/edit", vec![("title", "Gekapert")]),
                [L, D, A, A, D, D, D],
            ),
            (
                Call::Form("/challenges/{c}/transition", vec![("transition", "close")]),
                [L, D, A, A, D, D, D],
            ),
            (
                Call::Page("/challenges/{c}/questions"),
                [L, D, A, A, D, A, D],
            ),
            (
                Call::Form(
                    "/challenges/{c}/questions",
                    vec![("body", "Noch eine Frage?")],
                ),
                [A, A, A, A, A, A, A],
            ),
            (
                Call::Form(
                    "/questions/{q}/respond",
                    vec![("decision", "answer"), ("answer", "Ja")],
                ),
                [L, D, A, A, D, D, D],
            ),
            (
                Call::Form(
                    "/questions/{q}/visibility",
                    vec![("hide", "1"), ("reason", "Spam")],
                ),
                [L, D, A, A, D, A, D],
            ),
            (
                Call::Page("/challenges/{c}/proposals"),
                [L, D, A, A, D, D, D],
            ),
            (Call::Page("/proposals/{p}"), [H, H, A, A, A, H, H]),
            (Call::Page("/proposals/{pd}"), [H, H, H, H, A, H, H]),
            (Call::Page("/proposals/{p}/edit"), [H, H, D, D, A, H, H]),
            (
                Call::Form("/proposals/{p}/withdraw", vec![]),
                [H, H, D, D, A, H, H],
            ),
            (
                Call::Page("/proposals/{p}/revisions"),
                [H, H, A, A, A, H, H],
            ),
            (
                Call::Form("/proposals/{p}/messages", vec![("body", "Hallo")]),
                [H, H, A, A, A, H, H],
            ),
            (Call::Page("/attachments/{a}"), [H, H, A, A, A, H, H]),
            (
                Call::Form("/attachments/{a}/delete", vec![]),
                [L, H, D, D, A, H, H],
            ),
            (
                Call::Api(Method::DELETE, "/api/v1/attachments/{a}", None),
                [L, H, D, D, A, H, H],
            ),
            (Call::Page("/dashboard"), [L, A, A, A, A, A, A]),
            (Call::Page("/notifications"), [L, A, A, A, A, A, A]),
            (
                Call::Api(Method::GET, "/api/v1/challenges/{did}", None),
                [H, H, A, A, H, A, H],
            ),
            (
                Call::Api(
                    Method::PATCH,
                    "/api/v1/challenges/{cid}",
                    Some(json!({ "title": "Gekapert" })),
                ),
                [L, D, A, A, D, D, D],
            ),
            (
                Call::Api(Method::POST, "/api/v1/challenges/{cid}/close", None),
                [L, D, A, A, D, D, D],
            ),
            (
                Call::Api(
                    Method::POST,
                    "/api/v1/questions/{q}/answer",
                    Some(json!({ "body": "Ja" })),
                ),
                [L, D, A, A, D, D, D],
            ),
            (
                Call::Api(Method::GET, "/api/v1/proposals/{p}", None),
                [H, H, A, A, A, H, H],
            ),
            (
                Call::Api(Method::GET, "/api/v1/proposals/{pd}", None),
                [H, H, H, H, A, H, H],
            ),
            (
                Call::Api(
                    Method::PATCH,
                    "/api/v1/proposals/{p}",
                    Some(json!({ "summary": "Neu" })),
                ),
                [H, H, D, D, A, H, H],
            ),
            (
                Call::Api(Method::GET, "/api/v1/proposals/{p}/revisions", None),
                [H, H, A, A, A, H, H],
            ),
            (
                Call::Api(Method::GET, "/api/v1/attachments/{a}", None),
                [H, H, A, A, A, H, H],
            ),
            (
                Call::Api(
                    Method::POST,
                    "/api/v1/proposals/{p}/messages",
                    Some(json!({ "body": "Hallo" })),
                ),
                [H, H, A, A, A, H, H],
            ),
        ]
    }

    #[actix_web::test]
    async fn every_role_against_every_co_creation_route() {
        let mut shared = world().await;
        let mut failures = Vec::new();
        for (call, expect) in rows() {
            let api = matches!(call, Call::Api(..));
            let reads = matches!(call, Call::Page(_) | Call::Api(Method::GET, _, _));
            for (i, role) in ROLES.iter().enumerate() {
                let got = if reads {
                    verdict(&run(&mut shared, i, &call).await, api)
                } else {
                    let mut fresh = world().await;
                    verdict(&run(&mut fresh, i, &call).await, api)
                };
                if got != expect[i] {
                    let what = match &call {
                        Call::Page(p) => format!("GET {p}"),
                        Call::Form(p, _) => format!("POST {p}"),
                        Call::Api(m, p, _) => format!("{m} {p}"),
                    };
                    failures.push(format!(
                        "{what} as {role}: expected {:?}, got {got:?}",
                        expect[i]
                    ));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "access-control matrix violations:\n{}",
            failures.join("\n")
        );
    }
}

/// The third matrix: every evaluation route. Roles: visitor, the owner of the agency that
/// runs the challenge, the lead of the team whose proposal is under test, three accepted
/// evaluators of the challenge (assigned to that proposal; in declared conflict with its
/// team; assigned only elsewhere), a member of another verified agency, and a platform
/// admin outside the agency.
///
/// The world: a closed challenge with a running review stage (and a planned one after
/// it), the team's proposal `{p}` and a second team's proposal `{p2}`. The assigned
/// evaluator holds assignment `{a}` on `{p}` with a draft review; the conflicted one was
/// assigned to `{p}` until declaring the conflict and still reviews `{p2}`; the
/// unassigned one (`{e}`) has submitted a review of `{p2}`.
mod evaluation {
    use actix_web::http::Method;
    use innolab::domain::accounts::User;

    use innolab::domain::evaluation::{evaluators, progress, reviews};
    use innolab::kinds::OrgKind;

    use serde_json::{json, Value};

    use super::{verdict, Expect};
    use crate::support::{review_stage, Resp, TestApp};
    use Expect::{Allow as A, Conflict as C, Deny as D, Hidden as H, Login as L};

    const ROLES: [&str; 8] = [
        "visitor",
        "agency owner",
        "team lead",
        "assigned evaluator",
        "conflicted evaluator",
        "unassigned evaluator",
        "stranger",
        "admin",
    ];

    struct World {
        app: TestApp,
        users: Vec<Option<User>>,
        ids: Vec<(&'static str, String)>,
    }

    async fn world() -> World {
        let app = TestApp::new().await;
        let owner = app.create_user("owner@example.org", "Owner");
        let lead = app.create_user("lead@example.org", "Lead");
        let lead2 = app.create_user("lead2@example.org", "Lead Zwei");
        let assigned = app.create_user("assigned@example.org", "Assigned");
        let conflicted = app.create_user("conflicted@example.org", "Conflicted");
        let unassigned = app.create_user("unassigned@example.org", "Unassigned");
        let stranger = app.create_user("stranger@example.org", "Stranger");
        let admin = app.create_user_with("admin@example.org", "Admin", true, true);
        let agency = app.create_org(&owner, "Amt", OrgKind::Agency, true);
        app.create_org(&stranger, "Fremdes Amt", OrgKind::Agency, true);
        let startup = app.create_org(&lead, "Team-Start", OrgKind::Startup, false);
        let startup2 = app.create_org(&lead2, "Zweit-Start", OrgKind::Startup, false);
        let c = app.create_challenge(&agency, &owner, "Bewertet", "closed", 20);
        let p = app.create_proposal(&c, &startup, &lead, "submitted");
        let p2 = app.create_proposal(&c, &startup2, &lead2, "submitted");
        let (s, s2, a, e, ec, q) = app.with_conn(|conn| {
            let stages = innolab::domain::evaluation::stages::replace_stages(
                conn,
                &c,
                &[
                    review_stage("Fachbewertung", false),
                    review_stage("Pitch", false),
                ],
            )
            .unwrap();
            let mut pool = Vec::new();
            for u in [&assigned, &conflicted, &unassigned] {
                let (inv, _) =
                    evaluators::invite(conn, c.id, owner.id, &u.email, &[], &[]).unwrap();
                evaluators::answer_invitation(conn, inv, u, true).unwrap();
                pool.push(
                    evaluators::find_for_user(conn, c.id, u.id)
                        .unwrap()
                        .unwrap(),
                );
            }
            let ctx = progress::load(conn, stages[0].stage.id).unwrap();
            progress::start(conn, &ctx).unwrap();
            let ctx = progress::load(conn, ctx.id()).unwrap();
            let criterion = ctx.stage.criteria[0].id;
            let review = |submit: bool| reviews::ReviewInput {
                scores: [(criterion, 3.0)].into_iter().collect(),
                submit,
                ..Default::default()
            };
            // The assigned evaluator: a draft review of the proposal under test.
            let a = reviews::assign(conn, &ctx, p.id, pool[0].id).unwrap();
            reviews::save_review(conn, &ctx, &a, &review(false), innolab::db::now()).unwrap();
            // The conflicted evaluator loses the assignment by declaring the conflict,
            // and keeps the one elsewhere.
            reviews::assign(conn, &ctx, p.id, pool[1].id).unwrap();
            let (_, _, removed) = evaluators::declare_conflict(
                conn,
                &pool[1],
                &innolab::domain::organisations::OrgRef::Id(startup.id),
                "Früher dort tätig",
            )
            .unwrap();
            assert_eq!(removed, 1);
            reviews::assign(conn, &ctx, p2.id, pool[1].id).unwrap();
            // The unassigned evaluator: a submitted review of the other proposal only.
            let elsewhere = reviews::assign(conn, &ctx, p2.id, pool[2].id).unwrap();
            reviews::save_review(conn, &ctx, &elsewhere, &review(true), innolab::db::now())
                .unwrap();
            // An open clarification question to the team of the proposal under test.
            let due = (innolab::db::now() + chrono::Duration::days(3))
                .and_utc()
                .to_rfc3339();
            let q = innolab::domain::evaluation::clarifications::ask(
                conn,
                &ctx,
                p.id,
                "Wie hoch sind die Betriebskosten?",
                &due,
                owner.id,
                innolab::db::now(),
            )
            .unwrap();
            (
                ctx.id(),
                stages[1].stage.id,
                a.id,
                pool[2].id,
                pool[1].id,
                q.id,
            )
        });
        World {
            ids: vec![
                ("{cid}", c.id.to_string()),
                ("{c}", c.slug.clone()),
                ("{s2}", s2.to_string()),
                ("{s}", s.to_string()),
                ("{p2}", p2.id.to_string()),
                ("{p}", p.id.to_string()),
                ("{a}", a.to_string()),
                ("{ec}", ec.to_string()),
                ("{e}", e.to_string()),
                ("{org}", startup.id.to_string()),
                ("{orgslug}", startup.slug.clone()),
                ("{q}", q.to_string()),
            ],
            users: vec![
                None,
                Some(owner),
                Some(lead),
                Some(assigned),
                Some(conflicted),
                Some(unassigned),
                Some(stranger),
                Some(admin),
            ],
            app,
        }
    }

    enum Call {
        Page(&'static str),
        Form(&'static str, Vec<(&'static str, &'static str)>),
        Api(Method, &'static str, Option<Value>),
    }

    impl Call {
        fn reads(&self) -> bool {
            matches!(self, Call::Page(_) | Call::Api(Method::GET, _, _))
        }
        fn describe(&self) -> String {
            match self {
                Call::Page(p) => format!("GET {p}"),
                Call::Form(p, _) => format!("POST {p}"),
                Call::Api(m, p, _) => format!("{m} {p}"),
            }
        }
    }

    /// Placeholders replaced by the world's ids: in paths and form values as text, in
    /// JSON bodies a string that is exactly a placeholder becomes its number.
    fn expand(text: &str, w: &World) -> String {
        let mut out = text.to_string();
        for (k, v) in &w.ids {
            out = out.replace(k, v);
        }
        out
    }

    fn expand_json(body: &Value, w: &World) -> Value {
        match body {
            Value::String(s) => match w.ids.iter().find(|(k, _)| k == s) {
                Some((_, v)) => v.parse::<i64>().map_or_else(|_| json!(v), |n| json!(n)),
                None => body.clone(),
            },
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), expand_json(v, w)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| expand_json(v, w)).collect()),
            other => other.clone(),
        }
    }

    async fn run(w: &mut World, role: usize, call: &Call) -> Resp {
        w.app.log_out();
        let user = w.users[role].clone();
        match call {
            Call::Api(m, p, body) => {
                let path = expand(p, w);
                let body = body.as_ref().map(|b| expand_json(b, w));
                let token = user.map(|u| {
                    w.app.with_conn(|c| {
                        innolab::domain::accounts::api_tokens::create(c, u.id, "m")
                            .unwrap()
                            .1
                    })
                });
                w.app.api(m.clone(), &path, body, token.as_deref()).await
            }
            Call::Page(p) => {
                let path = expand(p, w);
                if let Some(u) = &user {
                    w.app.log_in_as(u);
                }
                w.app.get(&path).await
            }
            Call::Form(p, fields) => {
                let path = expand(p, w);
                let values: Vec<(&str, String)> =
                    fields.iter().map(|(k, v)| (*k, expand(v, w))).collect();
                let fields: Vec<(&str, &str)> =
                    values.iter().map(|(k, v)| (*k, v.as_str())).collect();
                if let Some(u) = &user {
                    w.app.log_in_as(u);
                }
                w.app.post_form(&path, &fields).await
            }
        }
    }

    /// [`verdict`], but a status it has no verdict for (a 500, a 400) is reported as a
    /// failing cell instead of stopping the whole matrix.
    fn judge(r: &Resp, api: bool) -> Result<Expect, String> {
        let s = r.status.as_u16();
        if (200..400).contains(&s) || matches!(s, 403 | 404 | 409 | 422) || (api && s == 401) {
            Ok(verdict(r, api))
        } else {
            let body: String = r.body.chars().take(300).collect();
            Err(format!("status {s} ({body})"))
        }
    }

    /// Only the agency manages the evaluation (a visitor is asked to log in).
    const AGENCY: [Expect; 8] = [L, A, D, D, D, D, D, D];
    /// The agency; to everyone else assignment ids are not revealed (404).
    const AGENCY_HIDDEN: [Expect; 8] = [L, A, H, H, H, H, H, H];
    /// Only the agency, and the domain refuses (already running; undecided proposals).
    const AGENCY_REFUSED: [Expect; 8] = [L, C, D, D, D, D, D, D];
    /// The assignment's own evaluator; everyone else must not learn it exists.
    const OWN_ASSIGNMENT: [Expect; 8] = [L, H, H, A, H, H, H, H];
    /// Acting as an evaluator of the challenge.
    const EVALUATORS: [Expect; 8] = [L, D, D, A, A, A, D, D];
    const LOGGED_IN: [Expect; 8] = [L, A, A, A, A, A, A, A];
    const EVERYONE: [Expect; 8] = [A, A, A, A, A, A, A, A];
    /// The proposal under test: team, agency and its (unconflicted) evaluator.
    const PROPOSAL: [Expect; 8] = [H, A, A, A, H, H, H, H];
    /// Its reviews: the agency; the team and the evaluator whose own review is still a
    /// draft know the proposal but may not read them.
    const REVIEWS: [Expect; 8] = [H, A, D, D, H, H, H, H];
    /// The other proposal: both its evaluators see it, the first team's people do not.
    const PROPOSAL2: [Expect; 8] = [H, A, H, H, A, A, H, H];
    /// Its reviews: the agency, and the evaluator who submitted their own; the one with
    /// nothing submitted yet knows the proposal but may not read them.
    /// Only the team answers a clarification; the agency is refused, the rest do not see it.
    const TEAM_ANSWERS: [Expect; 8] = [H, D, A, D, H, H, H, H];
    /// The agency asks; the team and the assigned evaluator know the proposal but may not.
    const AGENCY_ON_PROPOSAL: [Expect; 8] = [H, A, D, D, H, H, H, H];
    const REVIEWS2: [Expect; 8] = [H, A, H, H, D, A, H, H];

    fn rows() -> Vec<(Call, [Expect; 8])> {
        use Method as M;
        let api = Call::Api;
        vec![
            // --- API ------------------------------------------------------------------
            (
                api(
                    M::POST,
                    "/api/v1/challenges/{cid}/evaluators",
                    Some(json!({ "email": "neu@example.org" })),
                ),
                AGENCY,
            ),
            (
                api(M::GET, "/api/v1/challenges/{cid}/evaluators", None),
                AGENCY,
            ),
            (
                api(
                    M::POST,
                    "/api/v1/conflicts",
                    Some(
                        json!({ "challenge_id": "{cid}", "organisation_id": "{org}", "reason": "Befangen" }),
                    ),
                ),
                EVALUATORS,
            ),
            (
                api(M::POST, "/api/v1/stages/{s}/start", None),
                AGENCY_REFUSED,
            ),
            (
                api(
                    M::POST,
                    "/api/v1/stages/{s}/assignments",
                    Some(json!({ "proposal_id": "{p}", "evaluator_id": "{e}" })),
                ),
                AGENCY,
            ),
            // The conflict is the agency's 409; everyone else is refused before it.
            (
                api(
                    M::POST,
                    "/api/v1/stages/{s}/assignments",
                    Some(json!({ "proposal_id": "{p}", "evaluator_id": "{ec}" })),
                ),
                AGENCY_REFUSED,
            ),
            (
                api(M::POST, "/api/v1/stages/{s}/auto-assign", Some(json!({}))),
                AGENCY,
            ),
            (api(M::GET, "/api/v1/stages/{s}/ranking", None), AGENCY),
            (api(M::GET, "/api/v1/stages/{s2}/ranking", None), AGENCY),
            (
                api(
                    M::POST,
                    "/api/v1/stages/{s}/decisions",
                    Some(json!({ "proposal_id": "{p}", "outcome": "advance", "feedback": "" })),
                ),
                AGENCY,
            ),
            (
                api(M::POST, "/api/v1/stages/{s}/release", Some(json!({}))),
                AGENCY_REFUSED,
            ),
            (api(M::GET, "/api/v1/me/assignments", None), LOGGED_IN),
            (
                api(M::DELETE, "/api/v1/assignments/{a}", None),
                AGENCY_HIDDEN,
            ),
            (
                api(
                    M::POST,
                    "/api/v1/assignments/{a}/decline",
                    Some(json!({ "reason": "Keine Zeit" })),
                ),
                OWN_ASSIGNMENT,
            ),
            (
                api(
                    M::PUT,
                    "/api/v1/assignments/{a}/review",
                    Some(json!({ "scores": {}, "submit": false })),
                ),
                OWN_ASSIGNMENT,
            ),
            (api(M::GET, "/api/v1/proposals/{p}/reviews", None), REVIEWS),
            (
                api(
                    M::POST,
                    "/api/v1/stages/{s}/clarifications",
                    Some(
                        json!({ "proposal_id": "{p}", "question": "Noch eine Frage?", "due_at": "2099-01-01T12:00:00Z" }),
                    ),
                ),
                AGENCY,
            ),
            (
                api(
                    M::POST,
                    "/api/v1/clarifications/{q}/answer",
                    Some(json!({ "answer": "Zwölftausend Euro im Jahr." })),
                ),
                TEAM_ANSWERS,
            ),
            (
                api(M::GET, "/api/v1/proposals/{p}/clarifications", None),
                PROPOSAL,
            ),
            (
                api(M::GET, "/api/v1/proposals/{p}/discussion", None),
                REVIEWS,
            ),
            (
                api(
                    M::POST,
                    "/api/v1/proposals/{p}/discussion",
                    Some(json!({ "body": "Meinung?" })),
                ),
                REVIEWS,
            ),
            (api(M::GET, "/api/v1/proposals/{p}", None), PROPOSAL),
            (
                api(M::GET, "/api/v1/proposals/{p2}/reviews", None),
                REVIEWS2,
            ),
            (api(M::GET, "/api/v1/proposals/{p2}", None), PROPOSAL2),
            // --- Pages ----------------------------------------------------------------
            (Call::Page("/evaluation"), LOGGED_IN),
            (
                Call::Form(
                    "/evaluation/conflicts",
                    vec![
                        ("challenge_id", "{cid}"),
                        ("organisation", "{orgslug}"),
                        ("reason", "Befangen"),
                    ],
                ),
                EVALUATORS,
            ),
            (Call::Page("/assignments/{a}/review"), OWN_ASSIGNMENT),
            (
                Call::Form(
                    "/assignments/{a}/review",
                    vec![("comment", "Entwurf"), ("action", "save")],
                ),
                OWN_ASSIGNMENT,
            ),
            (
                Call::Form("/assignments/{a}/decline", vec![("reason", "Keine Zeit")]),
                OWN_ASSIGNMENT,
            ),
            (Call::Form("/assignments/{a}/remove", vec![]), AGENCY_HIDDEN),
            (Call::Page("/challenges/{c}/evaluation"), AGENCY),
            (
                Call::Form(
                    "/challenges/{c}/evaluators",
                    vec![("email", "neu@example.org")],
                ),
                AGENCY,
            ),
            (Call::Page("/challenges/{c}/results"), EVERYONE),
            // Stage actions redirect with a notice also when the domain refuses (start
            // of a running stage, release with undecided proposals): past the policy.
            (Call::Form("/stages/{s}/start", vec![]), AGENCY),
            (Call::Form("/stages/{s}/auto-assign", vec![]), AGENCY),
            (
                Call::Form(
                    "/stages/{s}/assignments",
                    vec![("proposal_id", "{p}"), ("evaluator_id", "{e}")],
                ),
                AGENCY,
            ),
            (Call::Page("/stages/{s}/ranking"), AGENCY),
            (Call::Page("/stages/{s}/ranking.csv"), AGENCY),
            (
                Call::Form(
                    "/stages/{s}/decisions",
                    vec![
                        ("proposal_id", "{p}"),
                        ("outcome", "advance"),
                        ("feedback", ""),
                    ],
                ),
                AGENCY,
            ),
            (
                Call::Form("/stages/{s}/decisions/{p}/retract", vec![]),
                AGENCY,
            ),
            (Call::Form("/stages/{s}/release", vec![]), AGENCY),
            (Call::Page("/proposals/{p}/reviews"), REVIEWS),
            (Call::Page("/proposals/{p}/clarifications"), PROPOSAL),
            (
                Call::Form(
                    "/proposals/{p}/clarifications",
                    vec![
                        ("question", "Noch eine Frage?"),
                        ("due_at", "2099-01-01T12:00"),
                    ],
                ),
                AGENCY_ON_PROPOSAL,
            ),
            (
                Call::Form(
                    "/clarifications/{q}/answer",
                    vec![("answer", "Zwölftausend Euro im Jahr.")],
                ),
                TEAM_ANSWERS,
            ),
            (
                Call::Form("/proposals/{p}/discussion", vec![("body", "Meinung?")]),
                REVIEWS,
            ),
            (Call::Page("/proposals/{p}"), PROPOSAL),
            (Call::Page("/proposals/{p2}/reviews"), REVIEWS2),
            (Call::Page("/proposals/{p2}"), PROPOSAL2),
        ]
    }

    #[actix_web::test]
    async fn every_role_against_every_evaluation_route() {
        let mut shared = world().await;
        let mut failures = Vec::new();
        for (call, expect) in rows() {
            let api = matches!(call, Call::Api(..));
            for (i, role) in ROLES.iter().enumerate() {
                let r = if call.reads() {
                    run(&mut shared, i, &call).await
                } else {
                    let mut fresh = world().await;
                    run(&mut fresh, i, &call).await
                };
                match judge(&r, api) {
                    Ok(got) if got == expect[i] => {}
                    Ok(got) => failures.push(format!(
                        "{} as {role}: expected {:?}, got {got:?}",
                        call.describe(),
                        expect[i]
                    )),
                    Err(status) => failures.push(format!(
                        "{} as {role}: expected {:?}, got {status}",
                        call.describe(),
                        expect[i]
                    )),
                }
            }
        }
        assert!(
            failures.is_empty(),
            "access-control matrix violations:\n{}",
            failures.join("\n")
        );
    }
}

/// The fourth matrix: every form and pilot route. Roles: visitor, a member of the
/// proposing team's organisation, a member of the owning agency, an evaluator assigned to
/// the proposal in a running stage that is not blind, a member of another startup, and a
/// platform admin (not a member of either organisation).
///
/// The world: a verified agency's challenge with private proposals and a running review
/// stage (starting one needs a closed challenge, which it then moves to evaluation), the
/// team's submitted proposal `{p}`; two forms of the team, `{form}` run by the pilot
/// `{pilot}` (so public) and `{draft}` that nothing runs; a webhook on the pilot; one sent
/// submission `{sub}` with its receipt secret `{receipt}` and webhook delivery `{d}`; and
/// an open run `{run}` whose answers are complete but not sent yet.
mod pilots {
    use actix_web::http::Method;
    use innolab::domain::accounts::User;

    use innolab::domain::evaluation::{evaluators, progress, reviews};
    use innolab::kinds::OrgKind;

    use innolab::domain::pilots::{runs, webhooks};
    use innolab::forms::FormDefinition;
    use serde_json::{json, Value};

    use super::{verdict, Expect};
    use crate::support::{create_web_pilot, review_stage, Resp, TestApp};
    use Expect::{Allow as A, Deny as D, Hidden as H, Login as L};

    const ROLES: [&str; 6] = [
        "visitor",
        "team",
        "agency",
        "evaluator",
        "stranger",
        "admin",
    ];

    /// A small valid definition, as JSON text (the pages' field) and as a value (the API).
    const DEFINITION: &str = r#"{
        "title": {"de": "Umfrage", "en": "Survey"},
        "pages": [{"key": "start", "title": {"de": "Angaben", "en": "Details"}, "fields": [
            {"key": "name", "type": "text", "label": {"de": "Name", "en": "Name"}, "required": true}
        ]}]
    }"#;

    fn definition() -> Value {
        serde_json::from_str(DEFINITION).unwrap()
    }

    const HOOK_URL: &str = "https://empfang.example.org/hook";
    const HOOK_SECRET: &str = "sechzehn-zeichen-lang";

    struct World {
        app: TestApp,
        users: Vec<Option<User>>,
        ids: Vec<(&'static str, String)>,
    }

    async fn world() -> World {
        let app = TestApp::new().await;
        let staff = app.create_user("amt@example.org", "Amt");
        let team = app.create_user("team@example.org", "Team");
        let evaluator = app.create_user("evaluator@example.org", "Evaluator");
        let stranger = app.create_user("stranger@example.org", "Stranger");
        let admin = app.create_user_with("admin@example.org", "Admin", true, true);
        let agency = app.create_org(&staff, "Amt", OrgKind::Agency, true);
        let startup = app.create_org(&team, "Team-Start", OrgKind::Startup, false);
        app.create_org(&stranger, "Fremd-Start", OrgKind::Startup, false);
        let c = app.create_challenge(&agency, &staff, "Erprobt", "closed", 20);
        let p = app.create_proposal(&c, &startup, &team, "submitted");
        let asking = app.create_challenge(&agency, &staff, "Gefragt", "open", 20);
        let q = app.create_proposal(&asking, &startup, &team, "draft");
        let ids = app.with_conn(|conn| {
            // The evaluator: accepted, assigned to `{p}` in the running (not blind) stage.
            let stages = innolab::domain::evaluation::stages::replace_stages(
                conn,
                &c,
                &[review_stage("Fachbewertung", false)],
            )
            .unwrap();
            let (inv, _) =
                evaluators::invite(conn, c.id, staff.id, &evaluator.email, &[], &[]).unwrap();
            evaluators::answer_invitation(conn, inv, &evaluator, true).unwrap();
            let pool = evaluators::find_for_user(conn, c.id, evaluator.id)
                .unwrap()
                .unwrap();
            let ctx = progress::load(conn, stages[0].stage.id).unwrap();
            progress::start(conn, &ctx).unwrap();
            let ctx = progress::load(conn, ctx.id()).unwrap();
            reviews::assign(conn, &ctx, p.id, pool.id).unwrap();

            // The team's forms and the pilot that makes `{form}` public.
            let now = innolab::db::now();
            let def = FormDefinition::from_value(&definition()).unwrap();
            let form = innolab::domain::form_library::create(
                conn,
                startup.id,
                "Umfrage",
                &def,
                Some(team.id),
                now,
            )
            .unwrap()
            .form;
            let draft = innolab::domain::form_library::create(
                conn,
                startup.id,
                "Entwurf",
                &def,
                Some(team.id),
                now,
            )
            .unwrap()
            .form;
            // The agency's questions, asked by an open challenge that `{q}` (a draft)
            // answers.
            let asked = innolab::domain::form_library::create(
                conn,
                agency.id,
                "Fragen",
                &def,
                Some(staff.id),
                now,
            )
            .unwrap()
            .form;
            {
                use diesel::prelude::*;
                use innolab::db::schema::challenges as table;
                diesel::update(table::table.find(asking.id))
                    .set(table::submission_form_id.eq(asked.id))
                    .execute(conn)
                    .unwrap();
            }
            let pilot = create_web_pilot(conn, &p, form.id, team.id);
            // The webhook comes first, so the submission queues a delivery.
            webhooks::add(
                conn,
                pilot.id,
                HOOK_URL,
                Some(HOOK_SECRET),
                false,
                team.id,
                now,
            )
            .unwrap();

            // Two test users' runs with every answer given: one sent, one not yet.
            let mut answers = innolab::forms::Answers::new();
            answers.insert("name".into(), json!("Erika Muster"));
            let answered = |conn: &mut innolab::db::DbConnection| {
                let started = runs::start(conn, &pilot, now).unwrap();
                let at = runs::Position {
                    page: 0,
                    question: 0,
                };
                runs::save(conn, &started.run, &answers, at, now).unwrap();
                started.token
            };
            let sent_run = answered(conn);
            let open_run = answered(conn);
            let loaded = runs::load(conn, &pilot, &sent_run).unwrap();
            let sent = runs::send(conn, &pilot, &loaded, now).unwrap().unwrap();
            let log = webhooks::log(conn, pilot.id, 10).unwrap();
            assert_eq!(log.len(), 1, "the submission queued one delivery");
            vec![
                ("{org}", startup.id.to_string()),
                ("{orgslug}", startup.slug.clone()),
                ("{p}", p.id.to_string()),
                ("{q}", q.id.to_string()),
                ("{form}", form.id.to_string()),
                ("{draft}", draft.id.to_string()),
                ("{pilot}", pilot.id.to_string()),
                ("{slug}", pilot.slug.clone()),
                ("{sub}", sent.submission.id.to_string()),
                ("{receipt}", sent.receipt_token),
                ("{d}", log[0].delivery.id.to_string()),
                ("{run}", open_run),
            ]
        });
        World {
            ids,
            users: vec![
                None,
                Some(team),
                Some(staff),
                Some(evaluator),
                Some(stranger),
                Some(admin),
            ],
            app,
        }
    }

    enum Call {
        Page(&'static str),
        Form(&'static str, Vec<(&'static str, &'static str)>),
        Api(Method, &'static str, Option<Value>),
    }

    impl Call {
        fn reads(&self) -> bool {
            matches!(self, Call::Page(_) | Call::Api(Method::GET, _, _))
        }
        fn describe(&self) -> String {
            match self {
                Call::Page(p) => format!("GET {p}"),
                Call::Form(p, _) => format!("POST {p}"),
                Call::Api(m, p, _) => format!("{m} {p}"),
            }
        }
    }

    /// A call, the status it answers when allowed, and each role's expectation in ROLES
    /// order.
    struct Row {
        call: Call,
        ok: u16,
        expect: [Expect; 6],
    }

    fn row(call: Call, ok: u16, expect: [Expect; 6]) -> Row {
        Row { call, ok, expect }
    }

    /// Placeholders replaced by the world's ids: in paths and form values as text, in
    /// JSON bodies a string that is exactly a placeholder becomes its number.
    fn expand(text: &str, w: &World) -> String {
        let mut out = text.to_string();
        for (k, v) in &w.ids {
            out = out.replace(k, v);
        }
        out
    }

    fn expand_json(body: &Value, w: &World) -> Value {
        match body {
            Value::String(s) => match w.ids.iter().find(|(k, _)| k == s) {
                Some((_, v)) => v.parse::<i64>().map_or_else(|_| json!(v), |n| json!(n)),
                None => body.clone(),
            },
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), expand_json(v, w)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| expand_json(v, w)).collect()),
            other => other.clone(),
        }
    }

    async fn run(w: &mut World, role: usize, call: &Call) -> Resp {
        w.app.log_out();
        let user = w.users[role].clone();
        match call {
            Call::Api(m, p, body) => {
                let path = expand(p, w);
                let body = body.as_ref().map(|b| expand_json(b, w));
                let token = user.map(|u| {
                    w.app.with_conn(|c| {
                        innolab::domain::accounts::api_tokens::create(c, u.id, "t")
                            .unwrap()
                            .1
                    })
                });
                w.app.api(m.clone(), &path, body, token.as_deref()).await
            }
            Call::Page(p) => {
                let path = expand(p, w);
                if let Some(u) = &user {
                    w.app.log_in_as(u);
                }
                w.app.get(&path).await
            }
            Call::Form(p, fields) => {
                let path = expand(p, w);
                let values: Vec<(&str, String)> =
                    fields.iter().map(|(k, v)| (*k, expand(v, w))).collect();
                let fields: Vec<(&str, &str)> =
                    values.iter().map(|(k, v)| (*k, v.as_str())).collect();
                if let Some(u) = &user {
                    w.app.log_in_as(u);
                }
                w.app.post_form(&path, &fields).await
            }
        }
    }

    /// [`verdict`], stricter: access is granted only with the row's own status (a 422 or
    /// another success would hide a bad request or a wrong setup), and a status it has no
    /// verdict for is reported as a failing cell instead of stopping the whole matrix.
    fn judge(r: &Resp, api: bool, ok: u16) -> Result<Expect, String> {
        let s = r.status.as_u16();
        let login = if api { s == 401 } else { r.is_login_redirect() };
        if s == ok || login || matches!(s, 403 | 404) {
            Ok(verdict(r, api))
        } else {
            let body: String = r.body.chars().take(300).collect();
            Err(format!("status {s} ({body})"))
        }
    }

    /// Anyone, signed in or not.
    const EVERYONE: [Expect; 6] = [A, A, A, A, A, A];
    /// Nobody: a wrong secret is not there for anyone.
    const NOBODY: [Expect; 6] = [H, H, H, H, H, H];
    /// Members of the team's organisation; everyone else signed in is refused (admins are
    /// not members), a visitor is asked to log in.
    const TEAM_ORG: [Expect; 6] = [L, A, D, D, D, D];
    /// A form nothing publishes: its organisation and the admins read it.
    const DRAFT_FORM: [Expect; 6] = [H, A, H, H, H, A];
    /// Changing that form: its organisation only; nobody else learns it exists. Visitors
    /// too get 404, not 401 or the login form: the form is looked up (ViewForm) before
    /// the change is asked (EditForm), as a draft challenge's edit page is in
    /// `co_creation` (`/challenges/{d}/edit`).
    const DRAFT_FORM_EDIT: [Expect; 6] = [H, A, H, H, H, H];
    /// The pilot report: team, owning agency, assigned evaluator.
    const REPORT: [Expect; 6] = [H, A, A, A, H, H];
    /// The test users' answers: team and owning agency; the evaluator knows the proposal
    /// but may not read them.
    const ANSWERS: [Expect; 6] = [H, A, A, D, H, H];
    /// A draft proposal: its team only; nobody else learns it exists.
    const DRAFT_PROPOSAL: [Expect; 6] = [H, A, H, H, H, H];
    /// Managing the pilots: the team; agency and evaluator know the proposal.
    const MANAGE: [Expect; 6] = [H, A, D, D, H, H];

    fn rows() -> Vec<Row> {
        use Method as M;
        let api = Call::Api;
        let hook = || json!({ "url": HOOK_URL, "secret": HOOK_SECRET });
        vec![
            // --- API: forms --------------------------------------------------------------
            //                                                          visitor team agency evaluator stranger admin
            row(
                api(
                    M::POST,
                    "/api/v1/forms",
                    Some(json!({ "organisation_id": "{org}", "definition": definition() })),
                ),
                201,
                TEAM_ORG,
            ),
            row(api(M::GET, "/api/v1/forms/{form}", None), 200, EVERYONE),
            row(api(M::GET, "/api/v1/forms/{draft}", None), 200, DRAFT_FORM),
            row(
                api(
                    M::PUT,
                    "/api/v1/forms/{draft}",
                    Some(json!({ "definition": definition() })),
                ),
                200,
                DRAFT_FORM_EDIT,
            ),
            row(
                api(
                    M::PUT,
                    "/api/v1/forms/{form}",
                    Some(json!({ "definition": definition() })),
                ),
                200,
                TEAM_ORG,
            ),
            // --- API: pilots -------------------------------------------------------------
            row(
                api(
                    M::POST,
                    "/api/v1/proposals/{p}/pilots",
                    Some(json!({ "form_id": "{form}", "mode": "web" })),
                ),
                201,
                MANAGE,
            ),
            row(
                api(M::GET, "/api/v1/proposals/{p}/pilots", None),
                200,
                REPORT,
            ),
            row(api(M::GET, "/api/v1/pilots/{pilot}", None), 200, REPORT),
            row(
                api(
                    M::PATCH,
                    "/api/v1/pilots/{pilot}",
                    Some(json!({ "title": "Pilot" })),
                ),
                200,
                MANAGE,
            ),
            row(
                api(M::GET, "/api/v1/pilots/{pilot}/metrics", None),
                200,
                REPORT,
            ),
            row(
                api(M::GET, "/api/v1/pilots/{pilot}/submissions", None),
                200,
                ANSWERS,
            ),
            row(
                api(
                    M::GET,
                    "/api/v1/pilots/{pilot}/submissions?format=csv",
                    None,
                ),
                200,
                ANSWERS,
            ),
            row(
                api(M::GET, "/api/v1/pilot-submissions/{sub}/pdf", None),
                200,
                ANSWERS,
            ),
            // The receipt secret opens the one submission to anyone; a wrong one opens
            // nothing (the members keep their own access).
            row(
                api(
                    M::GET,
                    "/api/v1/pilot-submissions/{sub}/pdf?receipt={receipt}",
                    None,
                ),
                200,
                EVERYONE,
            ),
            row(
                api(
                    M::GET,
                    "/api/v1/pilot-submissions/{sub}/pdf?receipt=falsch",
                    None,
                ),
                200,
                ANSWERS,
            ),
            row(
                api(M::POST, "/api/v1/pilots/{pilot}/webhooks", Some(hook())),
                201,
                MANAGE,
            ),
            row(
                api(M::GET, "/api/v1/pilots/{pilot}/deliveries", None),
                200,
                MANAGE,
            ),
            row(
                api(
                    M::POST,
                    "/api/v1/pilots/{pilot}/deliveries/{d}/redeliver",
                    None,
                ),
                202,
                MANAGE,
            ),
            // --- Pages: forms ------------------------------------------------------------
            row(Call::Page("/organisations/{orgslug}/forms"), 200, TEAM_ORG),
            row(
                Call::Form(
                    "/organisations/{orgslug}/forms",
                    vec![("title", "Neu"), ("definition", DEFINITION)],
                ),
                303,
                TEAM_ORG,
            ),
            row(Call::Page("/forms/{form}"), 200, EVERYONE),
            row(Call::Page("/forms/{draft}"), 200, DRAFT_FORM),
            row(
                Call::Form("/forms/{form}", vec![("definition", DEFINITION)]),
                303,
                TEAM_ORG,
            ),
            row(
                Call::Form("/forms/{draft}", vec![("definition", DEFINITION)]),
                303,
                DRAFT_FORM_EDIT,
            ),
            row(Call::Page("/forms/{form}/export"), 200, EVERYONE),
            row(Call::Page("/forms/{draft}/export"), 200, DRAFT_FORM),
            // The builder on the form form: every editor and change.
            row(
                Call::Page("/forms/{form}/pages/new?type=choice"),
                200,
                TEAM_ORG,
            ),
            row(
                Call::Form(
                    "/forms/{form}/pages",
                    vec![("title_de", "Zwei"), ("type", "text"), ("label_de", "Ort")],
                ),
                303,
                TEAM_ORG,
            ),
            row(Call::Page("/forms/{form}/pages/1"), 200, TEAM_ORG),
            row(
                Call::Form(
                    "/forms/{form}/pages/1",
                    vec![("page_key", "start"), ("title_de", "Angaben")],
                ),
                303,
                TEAM_ORG,
            ),
            row(
                Call::Page("/forms/{form}/pages/1/fields/new"),
                200,
                TEAM_ORG,
            ),
            row(
                Call::Form(
                    "/forms/{form}/pages/1/fields",
                    vec![("type", "date"), ("label_de", "Datum")],
                ),
                303,
                TEAM_ORG,
            ),
            row(Call::Page("/forms/{form}/fields/name"), 200, TEAM_ORG),
            row(
                Call::Form(
                    "/forms/{form}/fields/name",
                    vec![("type", "text"), ("key", "name"), ("label_de", "Name")],
                ),
                303,
                TEAM_ORG,
            ),
            // A removal is asked first: the question is the page's success.
            row(
                Call::Form(
                    "/forms/{form}/outline",
                    vec![("op", "field_remove"), ("key", "name")],
                ),
                200,
                TEAM_ORG,
            ),
            // The builder on the draft form: every editor and change.
            row(
                Call::Page("/forms/{draft}/pages/new?type=choice"),
                200,
                DRAFT_FORM_EDIT,
            ),
            row(
                Call::Form(
                    "/forms/{draft}/pages",
                    vec![("title_de", "Zwei"), ("type", "text"), ("label_de", "Ort")],
                ),
                303,
                DRAFT_FORM_EDIT,
            ),
            row(Call::Page("/forms/{draft}/pages/1"), 200, DRAFT_FORM_EDIT),
            row(
                Call::Form(
                    "/forms/{draft}/pages/1",
                    vec![("page_key", "start"), ("title_de", "Angaben")],
                ),
                303,
                DRAFT_FORM_EDIT,
            ),
            row(
                Call::Page("/forms/{draft}/pages/1/fields/new"),
                200,
                DRAFT_FORM_EDIT,
            ),
            row(
                Call::Form(
                    "/forms/{draft}/pages/1/fields",
                    vec![("type", "date"), ("label_de", "Datum")],
                ),
                303,
                DRAFT_FORM_EDIT,
            ),
            row(
                Call::Page("/forms/{draft}/fields/name"),
                200,
                DRAFT_FORM_EDIT,
            ),
            row(
                Call::Form(
                    "/forms/{draft}/fields/name",
                    vec![("type", "text"), ("key", "name"), ("label_de", "Name")],
                ),
                303,
                DRAFT_FORM_EDIT,
            ),
            // A removal is asked first: the question is the page's success.
            row(
                Call::Form(
                    "/forms/{draft}/outline",
                    vec![("op", "field_remove"), ("key", "name")],
                ),
                200,
                DRAFT_FORM_EDIT,
            ),
            // --- Pages: a proposal's answers to its challenge's questions -------------------
            row(Call::Page("/proposals/{q}/answers"), 200, DRAFT_PROPOSAL),
            row(
                Call::Form("/proposals/{q}/answers", vec![("name", "Erika")]),
                303,
                DRAFT_PROPOSAL,
            ),
            // --- Pages: pilots -----------------------------------------------------------
            // The proposal is hidden from visitors: 404, not a login redirect.
            row(Call::Page("/proposals/{p}/pilots"), 200, REPORT),
            row(Call::Page("/pilots/{pilot}"), 200, REPORT),
            row(Call::Page("/pilots/{pilot}/settings"), 200, MANAGE),
            row(
                Call::Form(
                    "/pilots/{pilot}/settings",
                    vec![
                        ("title", "Pilot"),
                        ("consent_text", "Ok?"),
                        ("retention_days", "90"),
                    ],
                ),
                303,
                MANAGE,
            ),
            row(Call::Page("/proposals/{p}/pilots/new"), 200, MANAGE),
            row(
                Call::Form(
                    "/proposals/{p}/pilots",
                    vec![
                        ("form_id", "{form}"),
                        ("mode", "web"),
                        ("title", "Zweiter Pilot"),
                        ("consent_text", "Ok?"),
                        ("retention_days", ""),
                    ],
                ),
                303,
                MANAGE,
            ),
            // Adding a webhook shows the report with the new secret once (200).
            row(
                Call::Form(
                    "/pilots/{pilot}/webhooks",
                    vec![("url", HOOK_URL), ("secret", HOOK_SECRET)],
                ),
                200,
                MANAGE,
            ),
            row(
                Call::Form("/pilots/{pilot}/deliveries/{d}/redeliver", vec![]),
                303,
                MANAGE,
            ),
            // --- Pages: the public side of a pilot ----------------------------------------
            row(Call::Page("/p/{slug}"), 200, EVERYONE),
            row(
                Call::Form("/p/{slug}", vec![("consent", "yes")]),
                303,
                EVERYONE,
            ),
            row(Call::Page("/p/{slug}/r/{run}"), 200, EVERYONE),
            row(Call::Page("/p/{slug}/r/falsch"), 200, NOBODY),
            row(
                Call::Form(
                    "/p/{slug}/r/{run}",
                    vec![("_page", "0"), ("_action", "next"), ("name", "Max")],
                ),
                303,
                EVERYONE,
            ),
            row(Call::Form("/p/{slug}/r/{run}/send", vec![]), 303, EVERYONE),
            row(Call::Page("/p/{slug}/receipt/{receipt}"), 200, EVERYONE),
            row(Call::Page("/p/{slug}/receipt/falsch"), 200, NOBODY),
            row(Call::Page("/p/{slug}/receipt/{receipt}/pdf"), 200, EVERYONE),
            row(Call::Page("/p/{slug}/receipt/falsch/pdf"), 200, NOBODY),
            row(
                Call::Form(
                    "/p/{slug}/receipt/{receipt}/rating",
                    vec![("rating", "4"), ("comment", "Schnell")],
                ),
                303,
                EVERYONE,
            ),
            row(
                Call::Form(
                    "/p/{slug}/receipt/{receipt}/mail",
                    vec![("email", "kopie@example.org")],
                ),
                303,
                EVERYONE,
            ),
            row(
                Call::Form(
                    "/p/{slug}/receipt/falsch/mail",
                    vec![("email", "kopie@example.org")],
                ),
                303,
                NOBODY,
            ),
        ]
    }

    #[actix_web::test]
    async fn every_role_against_every_pilot_route() {
        let mut shared = world().await;
        let mut failures = Vec::new();
        for Row { call, ok, expect } in rows() {
            let api = matches!(call, Call::Api(..));
            for (i, role) in ROLES.iter().enumerate() {
                let r = if call.reads() {
                    run(&mut shared, i, &call).await
                } else {
                    let mut fresh = world().await;
                    run(&mut fresh, i, &call).await
                };
                match judge(&r, api, ok) {
                    Ok(got) if got == expect[i] => {}
                    Ok(got) => failures.push(format!(
                        "{} as {role}: expected {:?}, got {got:?} ({})",
                        call.describe(),
                        expect[i],
                        r.status
                    )),
                    Err(status) => failures.push(format!(
                        "{} as {role}: expected {:?}, got {status}",
                        call.describe(),
                        expect[i]
                    )),
                }
            }
        }
        assert!(
            failures.is_empty(),
            "access-control matrix violations:\n{}",
            failures.join("\n")
        );
    }
}
