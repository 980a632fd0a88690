//! Relevance on the demo data: German and English queries with the result that must come
//! first (compounds, umlauts and their typed-out spellings, typos, stems, phrases,
//! filters). The test prints each rank and the mean reciprocal rank, and holds both.

use innolab::auth::policy::SearchReader;
use innolab::search::Request;

use crate::support::TestApp;

/// (query, the start of the title that must rank first).
const CASES: &[(&str, &str)] = &[
    ("hundesteuer", "Hundesteuer-Anmeldung"),
    ("Hundesteuer Anmeldung", "Hundesteuer-Anmeldung"),
    ("hundesteur", "Hundesteuer-Anmeldung"),
    ("Auslaenderbehoerde termin", "Chat-Assistent"),
    ("auslanderbehorde", "Chat-Assistent"),
    ("Terminvereinbarung", "Chat-Assistent"),
    ("termin", "Chat-Assistent"),
    ("open source fachverfahren", "Open-Source-Fachverfahren"),
    ("wohngeld", "Open-Source-Fachverfahren"),
    ("anonyme beratung", "Anonym und trotzdem"),
    ("schuldnerberatung", "Anonym und trotzdem"),
    ("Wohnsitzanmeldung", "Digitale Wohnsitzanmeldung"),
    ("ummelden", "Digitale Wohnsitzanmeldung"),
    ("Hochwasser", "Bürgerkommunikation"),
    ("starkregen", "Bürgerkommunikation"),
    ("Schulen IT", "IT-Betreuung"),
    ("Markterkundung", "KI-gestützte Markterkundung"),
    ("beschaffung ki", "KI-gestützte Markterkundung"),
    (r#""Leichte Sprache""#, "Barrierefreie Formulare"),
    ("barrierefreie formulare", "Barrierefreie Formulare"),
    ("Hitzewarnung", "Hitzewarnungen"),
    ("Quartier", "Hitzewarnungen"),
    ("Bürgerkommunikation", "Bürgerkommunikation"),
    ("buergerkommunikation", "Bürgerkommunikation"),
    ("document triage", "AI document triage"),
    ("incoming mail", "AI document triage"),
    ("cross-border services", "Cross-border"),
    ("EU citizens", "Cross-border"),
    ("climate data API", "Open climate data"),
    ("municipalities developers", "Open climate data"),
    ("documents", "AI document triage"),
    ("kind:organisation Termintakt", "Termintakt"),
    ("Dokulogik", "Dokulogik"),
    ("topic:open-source wohngeld", "Open-Source-Fachverfahren"),
    (
        r#""Leichte Sprache" kind:challenge"#,
        "Barrierefreie Formulare",
    ),
    ("Schuldenberatung", "Anonym und trotzdem"),
    (
        "Wohnungsgeberbestätigung",
        "Kann die Wohnungsgeberbestätigung",
    ),
    ("Gebärdensprache", "Ist auch Beratung"),
];

#[actix_web::test]
async fn the_right_result_comes_first() {
    let app = TestApp::new().await;
    app.with_conn(|conn| innolab::seed::apply(conn).unwrap());
    app.settle_search();
    let visitor = SearchReader::default();
    let mut reciprocal = Vec::new();
    let mut misses = Vec::new();
    for (q, expected) in CASES {
        let found = app
            .state
            .search
            .search(&visitor, &Request::words(q))
            .unwrap();
        let rank = found
            .hits
            .iter()
            .position(|h| h.title.starts_with(expected))
            .map(|i| i + 1);
        println!(
            "{:>2}  {q}",
            rank.map_or("-".to_string(), |r| r.to_string())
        );
        reciprocal.push(rank.map_or(0.0, |r| 1.0 / r as f64));
        if rank.is_none_or(|r| r > 2) {
            misses.push(format!("{q} -> {:?}", found.hits.first().map(|h| &h.title)));
        }
    }
    let mrr = reciprocal.iter().sum::<f64>() / reciprocal.len() as f64;
    println!(
        "mean reciprocal rank over {} queries: {mrr:.3}",
        CASES.len()
    );
    assert!(CASES.len() >= 30);
    assert!(misses.is_empty(), "expected in the first two: {misses:#?}");
    assert!(mrr >= 0.95, "mean reciprocal rank {mrr:.3}");
}
