//! View models: the shapes templates and API answers get, built from domain types.

use serde_json::{json, Value};

use crate::domain::organisations::Organisation;
use crate::domain::pagination::Page;
use crate::kinds::{OrgKind, Outcome};

/// An organisation as cards, profiles and the API show it publicly.
pub fn org_card(org: &Organisation) -> Value {
    json!({
        "id": org.id,
        "slug": org.slug,
        "name": org.name,
        "kind": org.kind,
        "website": org.website,
        "verified": org.is_verified(),
        "needs_verification": org.kind == OrgKind::Agency && !org.is_verified(),
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
    links(base, anchor, page, total, None)
}

/// Like [`pagination`], for a list that continues from a row (keyset pagination):
/// "previous" asks for the rows before `edges.0`, the page's first row, "next" for those
/// after `edges.1`, its last; the page number only names the page.
pub fn pagination_by_rows(base: &str, page: Page, total: i64, edges: Option<(i64, i64)>) -> Value {
    links(base, "", page, total, edges)
}

/// The links of both: page N±1, continuing from `edges` when given, ending in `anchor`.
fn links(base: &str, anchor: &str, page: Page, total: i64, edges: Option<(i64, i64)>) -> Value {
    let last = page.last_page(total);
    let link = |p: i64, from: Option<(&str, i64)>| {
        let from = from.map_or(String::new(), |(key, id)| format!("&{key}={id}"));
        format!("{base}page={p}{from}{anchor}")
    };
    json!({
        "page": page.page,
        "last": last,
        "show": last > 1,
        "prev": (page.page > 1).then(|| link(page.page - 1, edges.map(|(first, _)| ("before", first)))),
        "next": (page.page < last).then(|| link(page.page + 1, edges.map(|(_, last)| ("after", last)))),
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
    c: &crate::domain::challenges::ListedChallenge,
    agency_name: &str,
    agency_slug: &str,
    topics: &[crate::domain::topics::TopicRef],
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
        "topics": topics.iter().map(|t| json!({ "slug": t.slug, "name": t.name(lang) })).collect::<Vec<_>>(),
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

/// A 0–100 figure with one decimal, or nothing.
pub fn points(v: Option<f64>) -> Option<String> {
    v.map(|v| format!("{v:.1}"))
}

/// A CSV cell (RFC 4180) that no spreadsheet runs as a formula.
///
/// Our files are comma separated, but German Excel splits on `;` and may split on `,` as
/// well, so text such as `Name;=HYPERLINK(…)` would start a formula in the next column.
/// Every segment that would begin a cell that way (the start, and after each `;` or `,`,
/// spaces skipped) and begins with `=`, `+`, `-`, `@`, a tab or CR gets an apostrophe of its own: an
/// apostrophe before the whole cell would disarm only its first segment. A cell with a
/// separator of either kind, a quote or a line break is quoted, so that a reader that
/// honours quotes keeps it one cell whatever separator it picks.
pub fn csv_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    let mut segment_start = true;
    for c in text.chars() {
        if segment_start && matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r') {
            out.push('\'');
        }
        // Spaces after a separator keep the segment open: readers may trim them.
        segment_start = matches!(c, ';' | ',') || (segment_start && c == ' ');
        out.push(c);
    }
    if out.contains([',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", out.replace('"', "\"\""))
    } else {
        out
    }
}

/// The answers of a pilot's submissions as CSV: reference, time, duration, rating and
/// comment, then one column per field (by key), answers as people read them.
pub fn submissions_csv(
    def: &crate::forms::FormDefinition,
    subs: &[crate::domain::pilots::runs::Submission],
    lang: crate::i18n::Lang,
) -> String {
    let fields: Vec<&crate::forms::Field> =
        def.fields().filter(|f| f.kind.takes_answer()).collect();
    let mut out = String::from("reference,submitted_at,seconds,rating,rating_comment");
    for f in &fields {
        out.push(',');
        out.push_str(&csv_cell(&f.key));
    }
    out.push_str("\r\n");
    for s in subs {
        let answers = s.answers();
        out.push_str(&format!(
            "{},{},{},{},{}",
            csv_cell(&s.reference),
            crate::domain::time::utc(s.submitted_at),
            s.seconds,
            s.rating.map(|r| r.to_string()).unwrap_or_default(),
            csv_cell(&s.rating_comment)
        ));
        for f in &fields {
            out.push(',');
            if let Some(v) = answers.get(&f.key) {
                out.push_str(&csv_cell(&crate::forms::answers::display(f, v, lang)));
            }
        }
        out.push_str("\r\n");
    }
    out
}

/// The ranking as CSV (RFC 4180, comma separated, with a header row); text cells go
/// through [`csv_cell`].
pub fn ranking_csv(rows: &[crate::domain::evaluation::reviews::RankingRow]) -> String {
    let cell = csv_cell;
    let num = |v: Option<f64>| points(v).unwrap_or_default();
    let mut out = String::from(
        "place,proposal_id,title,organisation,score,calibrated,spread,reviews_done,reviews_required,flags,outcome\r\n",
    );
    for (i, r) in rows.iter().enumerate() {
        let flags: Vec<&str> = r
            .ranked
            .flags
            .iter()
            .map(|f| match f {
                crate::domain::evaluation::ranking::Flag::Disagreement => "disagreement",
                crate::domain::evaluation::ranking::Flag::Incomplete => "incomplete",
            })
            .collect();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\r\n",
            i + 1,
            r.ranked.proposal_id,
            cell(&r.title),
            cell(&r.organisation_name),
            num(r.ranked.score),
            num(r.ranked.calibrated),
            num(r.ranked.spread),
            r.ranked.reviews_done,
            r.ranked.reviews_required,
            flags.join(" "),
            r.outcome.map_or("", Outcome::as_str),
        ));
    }
    out
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

    /// A formula after a separator that German Excel splits on is disarmed, not only one
    /// at the start of the cell; cells with either separator are quoted.
    #[test]
    fn csv_cells_defuse_formulas_in_every_segment() {
        assert_eq!(csv_cell("Erika"), "Erika");
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("a,=1+1"), "\"a,'=1+1\"");
        assert_eq!(
            csv_cell("Name;=HYPERLINK(\"x\")"),
            "\"Name;'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(csv_cell("a;+1;-2,@SUM(A1)"), "\"a;'+1;'-2,'@SUM(A1)\"");
        assert_eq!(csv_cell("a;\tb"), "\"a;'\tb\"");
        assert_eq!(csv_cell("a;\r=1"), "\"a;'\r=1\"");
        // Spaces a reader may trim do not hide a formula; inside a segment nothing counts.
        assert_eq!(csv_cell("a;  =1"), "\"a;  '=1\"");
        assert_eq!(csv_cell("1;2"), "\"1;2\"");
        assert_eq!(csv_cell("x=1-2"), "x=1-2");
    }

    #[test]
    fn ranking_csv_quotes_cells_and_defuses_formulas() {
        use crate::domain::evaluation::ranking::{Flag, Ranked};
        use crate::domain::evaluation::reviews::RankingRow;
        let row = RankingRow {
            ranked: Ranked {
                proposal_id: 7,
                score: Some(81.26),
                spread: Some(3.0),
                calibrated: None,
                reviews_done: 2,
                reviews_required: 3,
                flags: vec![Flag::Incomplete],
            },
            title: "Akten, \"digital\"".into(),
            organisation_name: "=HYPERLINK(\"x\")".into(),
            outcome: Some(Outcome::Advance),
            scores: vec![80.0, 82.5],
        };
        let csv = ranking_csv(&[row]);
        let line = csv.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "1,7,\"Akten, \"\"digital\"\"\",\"'=HYPERLINK(\"\"x\"\")\",81.3,,3.0,2,3,incomplete,advance"
        );
    }
}
