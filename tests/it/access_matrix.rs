//! The access-control matrix: every role against every route of accounts,
//! organisations and administration, asserting allow or deny.
//!
//! Roles: visitor, unverified user, member of the owning organisation, owner of it,
//! member of another organisation, platform admin. Each row runs on a fresh database
//! per role when it changes state, so one role's success cannot hide another's denial.

use actix_web::http::Method;
use innolab::domain::accounts::User;
use innolab::domain::organisations::{OrgKind, Organisation, Role};
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
            innolab::auth::api_tokens::create(c, u.id, "matrix")
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
