//! The form builder through its pages, without JavaScript: a team starts an empty form,
//! adds a page with a choice field, a field with a condition, renames the field the
//! condition reads, moves and removes with a confirmation; refused input keeps what was
//! typed, a preview never saves, and a change that crossed someone else's save is shown
//! again instead of overwriting it.

use innolab::domain::form_library;
use innolab::forms::FormDefinition;
use innolab::kinds::OrgKind;

use crate::support::{Resp, TestApp};

struct Builder {
    app: TestApp,
    form: i64,
}

impl Builder {
    async fn new() -> Builder {
        let mut app = TestApp::new().await;
        let lead = app.create_user("team@example.org", "Tina Team");
        let org = app.create_org(&lead, "Formfabrik", OrgKind::Startup, false);
        app.log_in_as(&lead);
        let r = app
            .post_form(
                &format!("/organisations/{}/forms", org.slug),
                &[("title", "Hundesteuer"), ("definition", "")],
            )
            .await;
        r.assert_status(303);
        let form = r
            .location()
            .trim_start_matches("/forms/")
            .parse()
            .expect("form id in the redirect");
        Builder { app, form }
    }

    fn def(&self) -> FormDefinition {
        self.app.with_conn(|conn| {
            form_library::current(conn, self.form)
                .unwrap()
                .version
                .definition()
                .unwrap()
        })
    }

    fn keys(&self) -> Vec<Vec<String>> {
        self.def()
            .pages
            .iter()
            .map(|p| p.fields.iter().map(|f| f.key.clone()).collect())
            .collect()
    }

    /// The stamp the builder page carries in its forms.
    async fn base(&mut self) -> String {
        let page = self.app.get(&format!("/forms/{}", self.form)).await;
        page.assert_status(200);
        stamp_in(&page)
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let base = self.base().await;
        let mut all = fields.to_vec();
        all.push(("base", &base));
        let path = format!("/forms/{}{path}", self.form);
        self.app.post_form(&path, &all).await
    }
}

fn stamp_in(page: &Resp) -> String {
    let needle = "name=\"base\" value=\"";
    let at = page.body.find(needle).expect("a stamp in the page") + needle.len();
    page.body[at..].split('"').next().unwrap().to_string()
}

#[actix_web::test]
async fn a_form_is_built_field_by_field_and_every_step_is_checked_as_a_whole() {
    let mut b = Builder::new().await;
    assert_eq!(b.keys(), vec![vec!["name"]]);
    b.app
        .get(&format!("/forms/{}", b.form))
        .await
        .assert_status(200)
        .assert_contains("Baukasten")
        .assert_contains(&format!("/forms/{}/pages/1/fields/new", b.form));

    // A new page whose first field is a choice, keys made from the labels.
    let editor = b
        .app
        .get(&format!("/forms/{}/pages/new?type=choice", b.form))
        .await;
    editor
        .assert_status(200)
        .assert_contains("name=\"options\"")
        .assert_not_contains("name=\"min_length\"");
    let r = b
        .post(
            "/pages",
            &[
                ("title_de", "Der Hund"),
                ("type", "choice"),
                ("label_de", "Rasse des Hundes"),
                ("options", "Dackel\nlisten | Listenhund | Listed breed"),
                ("required", "on"),
                ("action", "save"),
            ],
        )
        .await;
    r.assert_status(303);
    assert!(
        r.location().ends_with("#builder-field-rasse_des_hundes"),
        "{}",
        r.location()
    );
    let def = b.def();
    assert_eq!(def.pages[1].key, "der_hund");
    let rasse = def.field("rasse_des_hundes").unwrap();
    assert_eq!(rasse.options.len(), 2);
    assert_eq!(rasse.options[1].label.en.as_deref(), Some("Listed breed"));

    // A field with a condition on the choice, added to the second page.
    let r = b
        .post(
            "/pages/2/fields",
            &[
                ("type", "file"),
                ("key", "nachweis"),
                ("label_de", "Wesenstest"),
                ("required", "on"),
                ("cond_field", "rasse_des_hundes"),
                ("cond_op", "equals"),
                ("cond_value", "listen"),
                ("action", "save"),
            ],
        )
        .await;
    r.assert_status(303);
    assert_eq!(
        b.keys(),
        vec![vec!["name"], vec!["rasse_des_hundes", "nachweis"]]
    );

    // Renaming the field keeps the condition that reads it.
    let editor = b
        .app
        .get(&format!("/forms/{}/fields/rasse_des_hundes", b.form))
        .await;
    editor
        .assert_status(200)
        .assert_contains("listen | Listenhund | Listed breed");
    let r = b
        .post(
            "/fields/rasse_des_hundes",
            &[
                ("type", "choice"),
                ("key", "rasse"),
                ("label_de", "Rasse"),
                ("options", "Dackel\nlisten | Listenhund | Listed breed"),
                ("action", "save"),
            ],
        )
        .await;
    r.assert_status(303);
    let cond = b
        .def()
        .field("nachweis")
        .unwrap()
        .visible_if
        .clone()
        .unwrap();
    assert_eq!(cond.fields(), vec!["rasse"]);

    // The field a condition reads cannot leave, and the page says why.
    let r = b
        .post(
            "/outline",
            &[("op", "field_remove"), ("key", "rasse"), ("confirm", "yes")],
        )
        .await;
    r.assert_status(422).assert_contains("nachweis");
    // Moving the conditional field above what it reads is refused with the path.
    let r = b
        .post("/outline", &[("op", "field_up"), ("key", "nachweis")])
        .await;
    r.assert_status(422)
        .assert_contains("pages[1].fields[0].visible_if.field");
    assert_eq!(b.keys(), vec![vec!["name"], vec!["rasse", "nachweis"]]);
    // The first field of a page moves up to the end of the page before.
    b.post("/outline", &[("op", "field_up"), ("key", "rasse")])
        .await
        .assert_status(303);
    assert_eq!(b.keys(), vec![vec!["name", "rasse"], vec!["nachweis"]]);

    // Removal asks first; only the confirmation removes.
    let r = b
        .post("/outline", &[("op", "field_remove"), ("key", "name")])
        .await;
    r.assert_status(200)
        .assert_contains("Das Feld „Name“ entfernen?");
    assert_eq!(b.keys()[0], vec!["name", "rasse"]);
}

#[actix_web::test]
async fn refused_input_keeps_what_was_typed_and_a_preview_never_saves() {
    let mut b = Builder::new().await;
    let before = b.def();
    let r = b
        .post(
            "/pages/1/fields",
            &[
                ("type", "number"),
                ("key", "Anzahl Hunde"),
                ("label_de", "Anzahl der Hunde"),
                ("min", "5"),
                ("max", "viele"),
                ("action", "save"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_contains("value=\"Anzahl Hunde\"")
        .assert_contains("value=\"viele\"")
        .assert_contains("id=\"error-key\"")
        .assert_contains("id=\"error-max\"")
        .assert_contains("href=\"#field-max\"");
    assert_eq!(b.def(), before);

    // The preview shows the field as test users would and stores nothing.
    let r = b
        .post(
            "/pages/1/fields",
            &[
                ("type", "yes_no"),
                ("label_de", "Ist ein Listenhund dabei?"),
                ("action", "preview"),
            ],
        )
        .await;
    r.assert_status(200)
        .assert_contains("name=\"ist_ein_listenhund_dabei\" value=\"yes\"");
    assert_eq!(b.def(), before);

    // A type change shows the new type's settings, with the typed label kept.
    let r = b
        .post(
            "/fields/name",
            &[
                ("type", "choice"),
                ("key", "name"),
                ("label_de", "Anrede"),
                ("action", "preview"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_contains("name=\"options\"")
        .assert_contains("value=\"Anrede\"");
}

#[actix_web::test]
async fn a_change_that_crossed_another_save_is_shown_again_not_stored() {
    let mut b = Builder::new().await;
    let old = b.base().await;
    b.post(
        "/outline",
        &[("op", "field_remove"), ("key", "nope"), ("confirm", "yes")],
    )
    .await
    .assert_status(422);
    // Someone else saves meanwhile.
    let r = b
        .post(
            "/fields/name",
            &[
                ("type", "text"),
                ("key", "name"),
                ("label_de", "Vollständiger Name"),
                ("action", "save"),
            ],
        )
        .await;
    r.assert_status(303);
    let path = format!("/forms/{}/fields/name", b.form);
    let r = b
        .app
        .post_form(
            &path,
            &[
                ("type", "text"),
                ("key", "name"),
                ("label_de", "Nur mein Name"),
                ("base", &old),
                ("action", "save"),
            ],
        )
        .await;
    r.assert_status(409)
        .assert_contains("value=\"Nur mein Name\"")
        .assert_contains("inzwischen geändert");
    assert_eq!(
        b.def().field("name").unwrap().label.de,
        "Vollständiger Name"
    );
    // The page shown carries the new stamp: sending it again goes through.
    let fresh = stamp_in(&r);
    let r = b
        .app
        .post_form(
            &path,
            &[
                ("type", "text"),
                ("key", "name"),
                ("label_de", "Nur mein Name"),
                ("base", &fresh),
                ("action", "save"),
            ],
        )
        .await;
    r.assert_status(303);
    assert_eq!(b.def().field("name").unwrap().label.de, "Nur mein Name");
}

#[actix_web::test]
async fn pages_are_set_moved_and_removed_with_their_conditions() {
    let mut b = Builder::new().await;
    b.post(
        "/pages",
        &[
            ("title_de", "Zweite"),
            ("type", "number"),
            ("key", "anzahl"),
            ("label_de", "Anzahl"),
            ("action", "save"),
        ],
    )
    .await
    .assert_status(303);
    b.post(
        "/pages",
        &[
            ("title_de", "Dritte"),
            ("type", "textarea"),
            ("key", "weitere"),
            ("label_de", "Weitere Hunde"),
            ("action", "save"),
        ],
    )
    .await
    .assert_status(303);
    // Page 3 only for more than one dog.
    let settings = b.app.get(&format!("/forms/{}/pages/3", b.form)).await;
    settings
        .assert_status(200)
        .assert_contains("<option value=\"anzahl\"");
    b.post(
        "/pages/3",
        &[
            ("page_key", "dritte"),
            ("title_de", "Weitere Hunde"),
            ("cond_field", "anzahl"),
            ("cond_op", "gt"),
            ("cond_value", "1"),
        ],
    )
    .await
    .assert_status(303);
    let def = b.def();
    assert_eq!(
        def.pages[2].visible_if.as_ref().unwrap().to_json(),
        serde_json::json!({"field": "anzahl", "gt": 1})
    );
    // Page 2 holds what page 3's condition reads: it may not move below it or leave.
    b.post("/outline", &[("op", "page_down"), ("page", "2")])
        .await
        .assert_status(422);
    b.post(
        "/outline",
        &[("op", "page_remove"), ("page", "2"), ("confirm", "yes")],
    )
    .await
    .assert_status(422)
    .assert_contains("dritte");
    b.post("/outline", &[("op", "page_up"), ("page", "2")])
        .await
        .assert_status(303);
    assert_eq!(
        b.keys(),
        vec![vec!["anzahl"], vec!["name"], vec!["weitere"]]
    );
    b.post(
        "/outline",
        &[("op", "page_remove"), ("page", "3"), ("confirm", "yes")],
    )
    .await
    .assert_status(303);
    assert_eq!(b.keys(), vec![vec!["anzahl"], vec!["name"]]);
    // Unknown pages and operations are clear errors, not crashes.
    b.app
        .get(&format!("/forms/{}/pages/9", b.form))
        .await
        .assert_status(404);
    b.post("/outline", &[("op", "explode")])
        .await
        .assert_status(400);
}
