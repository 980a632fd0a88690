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
    pagination_to(base, "", page, total)
}

/// Like [`pagination`], for a list that is one section of a longer page: the links end in
/// `anchor` (`#questions`), so that the reader lands on the list again, not at the top.
pub fn pagination_to(base: &str, anchor: &str, page: Page, total: i64) -> Value {
    let last = page.last_page(total);
    let link = |p: i64| format!("{base}page={p}{anchor}");
    json!({
        "page": page.page,
        "last": last,
        "show": last > 1,
        "prev": (page.page > 1).then(|| link(page.page - 1)),
        "next": (page.page < last).then(|| link(page.page + 1)),
    })
}

/// Days until a deadline (negative when past), for "noch 3 Tage".
pub fn days_left(deadline: chrono::NaiveDateTime) -> i64 {
    let secs = (deadline - crate::db::now()).num_seconds();
    if secs <= 0 {
        -1
    } else {
        (secs + 86_399) / 86_400
    }
}

/// A challenge as list cards and the API show it.
pub fn challenge_card(
    c: &crate::domain::challenges::Challenge,
    agency_name: &str,
    agency_slug: &str,
    topics: &[crate::domain::challenges::TopicRef],
    lang: crate::i18n::Lang,
) -> Value {
    let now = crate::db::now();
    json!({
        "id": c.id,
        "slug": c.slug,
        "title": c.title,
        "summary": c.summary,
        "language": c.language,
        "status": c.status,
        "level": c.level,
        "region": c.region,
        "budget_eur": c.budget_eur,
        "budget_display": c.budget_eur.map(format_euros),
        "submission_deadline": c.submission_deadline,
        "days_left": days_left(c.submission_deadline),
        "accepting": c.accepts_submissions(now),
        "agency_name": agency_name,
        "agency_slug": agency_slug,
        "topics": topics.iter().map(|t| json!({ "slug": t.slug, "name": if lang == crate::i18n::Lang::En { &t.name_en } else { &t.name_de } })).collect::<Vec<_>>(),
    })
}

/// 45000 -> "45.000 €".
pub fn format_euros(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    format!("{out} €")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_links_keep_their_anchor() {
        let page = Page {
            page: 2,
            per_page: 20,
        };
        let v = pagination_to("/proposals/7?", "#thread", page, 45);
        assert_eq!(v["prev"], "/proposals/7?page=1#thread");
        assert_eq!(v["next"], "/proposals/7?page=3#thread");
        assert_eq!(v["last"], 3);
        assert_eq!(pagination("/a?", page, 45)["next"], "/a?page=3");
        assert_eq!(pagination("/a?", page, 40)["next"], Value::Null);
    }

    #[test]
    fn euros_are_grouped_the_german_way() {
        assert_eq!(format_euros(45000), "45.000 €");
        assert_eq!(format_euros(1_200_000), "1.200.000 €");
        assert_eq!(format_euros(999), "999 €");
    }
}
