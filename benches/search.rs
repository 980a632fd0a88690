//! Search figures at synthetic scale, in one run: the engine's latency for a fixed query
//! mix next to SQLite FTS5 over the same texts, the lag from save to searchable, and the
//! memory the process holds. `benches/search.sh` prepares the database and the index and
//! adds the endpoint under load and the full reindex.
//!
//! Usage: `cargo bench --bench search -- DATABASE_URL INDEX_DIR`. For profiling, set
//! `ONLY_QUERY` to one query of the mix to run only that one, engine only, and `ROUNDS`.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use innolab::auth::policy::SearchReader;
use innolab::config::Config;
use innolab::db::schema::{challenges, proposals};
use innolab::search::{Request, Search};

/// The mix: common and rare words, compounds, umlauts typed out, a typo, phrases, filters.
const QUERIES: &[&str] = &[
    "hundesteuer",
    "Wohngeld barrierefrei",
    "\"Leichte Sprache\"",
    "anmeldung",
    "Schuldnerberatung Smartphone",
    "elterngeld",
    "Parkausweis digital",
    "Sperrmuell",
    "fuehrungszeugnis",
    "Bauantrg",
    "open source",
    "mehrsprachig",
    "denkmalschutz beschaffung",
    "status:open hitzeschutz",
    "kind:proposal wohngeld",
    "Straßensanierung",
    "vereinsregister daten",
    "Kita-Platzvergabe",
    "Aufenthaltstitel ohne Papier",
    "Fundbüro",
];
/// Rounds of the mix (`ROUNDS` overrides, for profiling).
const ROUNDS: usize = 30;

#[derive(QueryableByName)]
struct FtsHit {
    #[diesel(sql_type = BigInt)]
    #[allow(dead_code)]
    rowid: i64,
}

#[derive(QueryableByName)]
struct FtsCount {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{name:<34} p50 {:>8.3} ms   p99 {:>8.3} ms   max {:>8.3} ms   ({} queries)",
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        percentile(&times, 0.99).as_secs_f64() * 1000.0,
        times.last().unwrap().as_secs_f64() * 1000.0,
        times.len()
    );
}

/// FTS5's own syntax for the same words: each word or phrase quoted, all required;
/// field filters have no counterpart and are left out.
fn fts5_query(q: &str) -> String {
    let parsed = innolab::search::query::parse(q);
    parsed
        .groups
        .iter()
        .map(|g| format!("\"{}\"", g.text.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let (Some(url), Some(index_dir)) = (args.first(), args.get(1)) else {
        eprintln!("usage: cargo bench --bench search -- DATABASE_URL INDEX_DIR");
        std::process::exit(2);
    };
    let mut config = Config::for_data_dir(std::path::Path::new(index_dir));
    config.database_url = url.clone();
    let pool = innolab::db::connect(&config).expect("database opens");
    let search =
        std::sync::Arc::new(Search::open(std::path::Path::new(index_dir), pool.clone()).unwrap());
    search.catch_up(Duration::from_secs(600)).unwrap();
    let visitor = SearchReader::default();
    let total_docs = search
        .search(&visitor, &Request::words(""))
        .map(|r| r.total)
        .unwrap_or(0);
    println!("index: {total_docs} documents visible to visitors");

    let only = std::env::var("ONLY_QUERY").ok();
    let rounds = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(ROUNDS);
    // Warm both up once, then measure the mix round by round.
    let mut engine = Vec::new();
    let mut per_query = vec![Vec::new(); QUERIES.len()];
    for round in 0..=rounds {
        for (i, q) in QUERIES.iter().enumerate() {
            if only.as_deref().is_some_and(|o| o != *q) {
                continue;
            }
            let started = Instant::now();
            let found = search.search(&visitor, &Request::words(q)).unwrap();
            let elapsed = started.elapsed();
            if round > 0 {
                engine.push(elapsed);
                per_query[i].push(elapsed);
            } else {
                println!("  {:>6} results  {q}", found.total);
            }
        }
    }
    for (q, mut times) in QUERIES.iter().zip(per_query) {
        if times.is_empty() {
            continue;
        }
        times.sort();
        println!(
            "  p50 {:>7.3} ms  {q}",
            percentile(&times, 0.5).as_secs_f64() * 1000.0
        );
    }
    report("engine (hits, total, facets, snippets)", engine);
    if only.is_some() {
        return;
    }

    // The same texts in SQLite FTS5, in memory: the best case for it.
    let mut fts = SqliteConnection::establish(":memory:").unwrap();
    diesel::sql_query(
        "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')",
    )
    .execute(&mut fts)
    .unwrap();
    let built = Instant::now();
    let mut conn = pool.get().unwrap();
    let texts: Vec<(String, String)> = challenges::table
        .select((challenges::title, challenges::summary))
        .load::<(String, String)>(&mut conn)
        .unwrap()
        .into_iter()
        .chain(
            proposals::table
                .select((proposals::title, proposals::summary))
                .load::<(String, String)>(&mut conn)
                .unwrap(),
        )
        .collect();
    fts.transaction::<_, diesel::result::Error, _>(|c| {
        for (title, body) in &texts {
            diesel::sql_query("INSERT INTO docs (title, body) VALUES (?, ?)")
                .bind::<Text, _>(title)
                .bind::<Text, _>(body)
                .execute(c)?;
        }
        Ok(())
    })
    .unwrap();
    println!(
        "fts5: {} texts loaded in {:.1} s",
        texts.len(),
        built.elapsed().as_secs_f64()
    );
    let mut sqlite = Vec::new();
    for round in 0..=rounds {
        for q in QUERIES {
            let m = fts5_query(q);
            if m.is_empty() {
                continue;
            }
            let started = Instant::now();
            let top: Vec<FtsHit> = diesel::sql_query(
                "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 20",
            )
            .bind::<Text, _>(&m)
            .load(&mut fts)
            .unwrap();
            let count: FtsCount =
                diesel::sql_query("SELECT count(*) AS n FROM docs WHERE docs MATCH ?")
                    .bind::<Text, _>(&m)
                    .get_result(&mut fts)
                    .unwrap();
            let elapsed = started.elapsed();
            if round > 0 {
                sqlite.push(elapsed);
            } else {
                println!("  {:>6} results  {m}  ({} on the page)", count.n, top.len());
            }
        }
    }
    report("sqlite fts5 (top 20 by bm25, count)", sqlite);

    // Save to searchable, with the indexer running as in the server.
    search.start_indexer();
    let id: i64 = challenges::table
        .filter(challenges::status.eq("open"))
        .select(challenges::id)
        .first(&mut conn)
        .unwrap();
    let mut lags = Vec::new();
    // Words far apart, so that no typo-tolerant match of the previous one counts.
    const TREES: [&str; 10] = [
        "Ahorn",
        "Birke",
        "Castanea",
        "Douglasie",
        "Eibe",
        "Fichte",
        "Ginkgo",
        "Hasel",
        "Ilex",
        "Jasmin",
    ];
    for tree in TREES {
        let word = format!("Messpunkt{tree}");
        diesel::update(challenges::table.find(id))
            .set(challenges::title.eq(&word))
            .execute(&mut conn)
            .unwrap();
        let saved = Instant::now();
        while search
            .search(&visitor, &Request::words(&word))
            .unwrap()
            .total
            == 0
        {
            assert!(
                saved.elapsed() < Duration::from_secs(30),
                "never searchable"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        lags.push(saved.elapsed());
        std::thread::sleep(Duration::from_millis(300));
    }
    report("save to searchable (indexer)", lags);
    println!("RSS of this process: {:.0} MB", rss_mb());
}
