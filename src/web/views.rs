//! View models: the shapes templates and API answers get, built from domain types.

use serde_json::{json, Value};

use crate::domain::organisations::Organisation;
use crate::domain::pagination::Page;

/// An organisation as cards, profiles and the API show it publicly.
pub fn org_card(org: &Organisation) -> Value {
    json!({
        "id": org.id,
        "slug": org.slug,
        "name": org.name,
        "kind": org.kind,
        "website": org.website,
        "verified": org.is_verified(),
        "needs_verification": org.kind == "agency" && !org.is_verified(),
        "created_at": org.created_at,
    })
}

/// Links for the pagination partial. `base` ends in `?` or `&`.
pub fn pagination(base: &str, page: Page, total: i64) -> Value {
    let last = page.last_page(total);
    let link = |p: i64| format!("{base}page={p}");
    json!({
        "page": page.page,
        "last": last,
        "show": last > 1,
        "prev": (page.page > 1).then(|| link(page.page - 1)),
        "next": (page.page < last).then(|| link(page.page + 1)),
    })
}
