//! Running a search for a reader: the query from the search box, the filters, the
//! reader's visibility, then the page of hits with snippets, the total and the facets.
//! Totals and facet counts come from the same visibility-filtered query as the hits, so
//! they never count what the reader may not see.

use chrono::{DateTime, NaiveDateTime};
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

use super::analysis::{fold_word, pair_term, Analyzers, MIN_COMPOUND, MIN_PART};
use super::conjunction::Conjunction;
use super::disjunction::Disjunction;
use super::documents::{Kind, Meta};
use super::facets::{Dimension, FacetCounter, FacetCounts};
use super::highlight::{self, Matcher};
use super::query::{self, Group, ParsedQuery};
use super::visibility::VisibleQuery;
use super::Search;
use crate::auth::policy::SearchReader;
use crate::domain::pagination::Page;
use crate::error::{AppError, AppResult};
use crate::text;

/// Results beyond this many are not paged to (nobody reads them; deep pages cost).
pub const MAX_RESULTS: i64 = 1000;

/// How results are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best matches first (newest first when there are no words); the default.
    #[default]
    Relevance,
    /// Upcoming deadlines first, then those just passed.
    Deadline,
    /// Most recently published, changed or answered first.
    Newest,
}

impl Sort {
    /// The order named `relevance`, `deadline` or `newest` (also `date`); `None` otherwise.
    pub fn parse(s: &str) -> Option<Sort> {
        match s {
            "relevance" => Some(Sort::Relevance),
            "deadline" => Some(Sort::Deadline),
            "newest" | "date" => Some(Sort::Newest),
            _ => None,
        }
    }
}

/// A search as asked for: the words plus filters from the form or the API. Filters in
/// the words (`kind:proposal`) apply where the form's are not set.
#[derive(Debug, Clone)]
pub struct Request {
    /// What was typed into the search box, filters in the words included.
    pub q: String,
    /// Only records of this kind, by stored name or as people say it (`vorschlag`).
    pub kind: Option<String>,
    /// Only records of this topic, by slug or by German or English name.
    pub topic: Option<String>,
    /// Only records in this status, stored or German spelling (`offen`).
    pub status: Option<String>,
    /// Only records of the agency with this slug.
    pub agency: Option<String>,
    /// The order of the results.
    pub sort: Sort,
    /// The page of results asked for.
    pub page: Page,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// What kind of record it is.
    pub kind: Kind,
    /// The record's id in its table.
    pub id: i64,
    /// The record's title, as plain text.
    pub title: String,
    /// The title, escaped, with the matches marked.
    pub title_html: String,
    /// A piece of the record's text, escaped, with the matches marked.
    pub snippet_html: String,
    /// The record's page, a path.
    pub url: String,
    /// The record's status as stored; `None` for questions and organisations.
    pub status: Option<String>,
    /// The submission deadline of the record's challenge, if it has one.
    pub deadline: Option<NaiveDateTime>,
    /// When the record was published, last changed or answered.
    pub date: Option<NaiveDateTime>,
    /// What the result card shows besides title and snippet.
    pub meta: Meta,
}

/// Something the reader should know about the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// The input was too long or had too many words; the rest was ignored.
    Truncated,
    /// No result had every word; these have some of them.
    AnyWord,
    /// The index is still being built; results may be missing.
    Building,
}

/// The filters that were applied, as the index knows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// The kind of record.
    pub kind: Option<Kind>,
    /// The topic's slug.
    pub topic: Option<String>,
    /// The status, as stored.
    pub status: Option<String>,
    /// The agency's slug.
    pub agency: Option<String>,
}

/// The answer to a search: one page of hits, the total, facets and notices.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// How many records match for this reader, on all pages.
    pub total: i64,
    /// The hits of the page, in the order asked for.
    pub hits: Vec<Hit>,
    /// Counts per value of `kind`, `topic` and `status`; each dimension counted without
    /// its own filter, so the other choices stay visible.
    pub facets: FacetCounts,
    /// The filters applied, from the form and from the words.
    pub applied: Applied,
    /// What the reader should know about these results.
    pub notices: Vec<Notice>,
    /// The page shown; never beyond the first `MAX_RESULTS` results.
    pub page: Page,
}

/// A search's parts, prepared once and combined per pass (results, relaxed, facets).
struct Compiled {
    words: Vec<Box<dyn Query>>,
    excluded: Vec<Box<dyn Query>>,
    visible: VisibleQuery,
    applied: Applied,
}

impl Request {
    /// Just words: relevance order, the first page.
    pub fn words(q: &str) -> Request {
        Request {
            q: q.to_string(),
            kind: None,
            topic: None,
            status: None,
            agency: None,
            sort: Sort::Relevance,
            page: Page::first(crate::domain::pagination::DEFAULT_PER_PAGE),
        }
    }
}

/// What one pass over the matches found.
struct Pass {
    addresses: Vec<DocAddress>,
    total: i64,
    facets: FacetCounts,
}

/// Status names people type, in German, mapped to the stored ones.
fn status_value(raw: &str) -> String {
    let slug = text::slugify(raw);
    match slug.as_str() {
        "offen" => "open",
        "geschlossen" => "closed",
        "bewertung" | "in-bewertung" => "evaluating",
        "abgeschlossen" | "entschieden" => "concluded",
        "archiviert" => "archived",
        "entwurf" => "draft",
        "eingereicht" => "submitted",
        "zurueckgezogen" => "withdrawn",
        other => return other.replace('-', "_"),
    }
    .to_string()
}

impl Search {
    /// Runs `req` for `reader`.
    pub fn search(&self, reader: &SearchReader, req: &Request) -> AppResult<Results> {
        let parsed = query::parse(&req.q);
        let applied = self.applied_filters(req, &parsed);
        let mut notices = Vec::new();
        if parsed.truncated {
            notices.push(Notice::Truncated);
        }
        if self.is_building() {
            notices.push(Notice::Building);
        }
        let searcher = self.reader.searcher();
        let page = Page {
            page: req
                .page
                .page
                .min(MAX_RESULTS / req.page.per_page.max(1) + 1),
            per_page: req.page.per_page,
        };
        // Strict first; typo tolerance only when that finds nothing (it is the costly part
        // and exact matches rank above it anyway); then any of several words.
        let mut compiled = self.compile(reader, &parsed, applied, false);
        let mut typos = false;
        let mut any_word = false;
        let mut main = self.compose(&compiled, false, None);
        let mut pass = self.collect(&searcher, &*main, req.sort, &parsed, page)?;
        if pass.total == 0 && !compiled.words.is_empty() {
            typos = true;
            compiled = self.compile(reader, &parsed, compiled.applied, true);
            main = self.compose(&compiled, false, None);
            pass = self.collect(&searcher, &*main, req.sort, &parsed, page)?;
            if pass.total == 0 && compiled.words.len() > 1 {
                any_word = true;
                main = self.compose(&compiled, true, None);
                pass = self.collect(&searcher, &*main, req.sort, &parsed, page)?;
                if pass.total > 0 {
                    notices.push(Notice::AnyWord);
                }
            }
        }
        let mut facets = pass.facets;
        for dim in Dimension::ALL {
            if self.has_filter(&compiled.applied, dim) {
                let without = self.compose(&compiled, any_word, Some(dim));
                let mut counts = searcher
                    .search(&*without, &FacetCounter::new(self.facets.clone(), &[dim]))
                    .map_err(AppError::internal)?;
                facets.insert(dim.name(), counts.remove(dim.name()).unwrap_or_default());
            }
        }
        let (total, addresses) = (pass.total, pass.addresses);
        let matcher = self.matcher(&parsed.groups, typos);
        let hits = addresses
            .into_iter()
            .map(|a| self.hit(&searcher, a, &matcher))
            .collect::<AppResult<Vec<Hit>>>()?;
        Ok(Results {
            total,
            hits,
            facets,
            applied: compiled.applied,
            notices,
            page,
        })
    }

    /// The ids of up to `limit` records of `kind` that match every word of `q` for
    /// `reader`, best first: the text filter of lists that filter and order themselves.
    /// `None` when `q` has nothing to search by (no words, exclusions or filters).
    pub fn matching_ids(
        &self,
        reader: &SearchReader,
        q: &str,
        kind: Kind,
        limit: usize,
    ) -> AppResult<Option<Vec<i64>>> {
        let parsed = query::parse(q);
        let has_filters =
            parsed.topic.is_some() || parsed.status.is_some() || parsed.agency.is_some();
        if parsed.groups.is_empty() && parsed.excluded.is_empty() && !has_filters {
            return Ok(None);
        }
        let mut applied = self.applied_filters(&Request::words(q), &parsed);
        applied.kind = Some(kind);
        let compiled = self.compile(reader, &parsed, applied, false);
        let searcher = self.reader.searcher();
        let found = searcher
            .search(
                &*self.compose(&compiled, false, None),
                &TopDocs::with_limit(limit.max(1)).order_by_score(),
            )
            .map_err(AppError::internal)?;
        let ids = found
            .into_iter()
            .map(|(_, a)| {
                let column = searcher
                    .segment_reader(a.segment_ord)
                    .fast_fields()
                    .i64("id")
                    .map_err(AppError::internal)?;
                column
                    .first(a.doc_id)
                    .ok_or_else(|| AppError::internal("search document without an id"))
            })
            .collect::<AppResult<Vec<i64>>>()?;
        Ok(Some(ids))
    }

    fn compile(
        &self,
        reader: &SearchReader,
        parsed: &ParsedQuery,
        applied: Applied,
        typos: bool,
    ) -> Compiled {
        Compiled {
            words: self.word_queries(&parsed.groups, typos),
            excluded: parsed
                .excluded
                .iter()
                .filter_map(|g| self.exclusion_query(g))
                .collect(),
            visible: self.visibility(reader),
            applied,
        }
    }

    /// The query for a compiled search: visibility, the words (all of them, or any with
    /// `any_word`), exclusions, and the filters except the dimension `skip`.
    fn compose(&self, c: &Compiled, any_word: bool, skip: Option<Dimension>) -> Box<dyn Query> {
        let mut required: Vec<Box<dyn Query>> = if any_word {
            vec![Box::new(BooleanQuery::union(
                c.words.iter().map(|q| q.box_clone()).collect(),
            ))]
        } else {
            c.words.iter().map(|q| q.box_clone()).collect()
        };
        required.extend(self.filter_clauses(&c.applied, skip));
        let excluded = c.excluded.iter().map(|q| q.box_clone()).collect();
        Box::new(Conjunction::new(c.visible.clone(), required, excluded))
    }

    fn applied_filters(&self, req: &Request, parsed: &ParsedQuery) -> Applied {
        let pick = |form: &Option<String>, typed: &Option<String>| {
            form.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .or(typed.as_deref())
                .map(str::to_string)
        };
        Applied {
            // An unknown kind is ignored like any other stray word.
            kind: pick(&req.kind, &parsed.kind).and_then(|k| Kind::parse(&k)),
            topic: pick(&req.topic, &parsed.topic).map(|t| self.topic_slug(&t)),
            status: pick(&req.status, &parsed.status).map(|s| status_value(&s)),
            agency: pick(&req.agency, &parsed.agency).map(|a| text::slugify(&a)),
        }
    }

    /// A topic named by slug or by its German or English name.
    fn topic_slug(&self, value: &str) -> String {
        let wanted = fold_word(value.trim(), true);
        self.topics()
            .into_iter()
            .find(|t| {
                t.slug == value
                    || fold_word(&t.name_de, true) == wanted
                    || fold_word(&t.name_en, true) == wanted
            })
            .map_or_else(|| text::slugify(value), |t| t.slug)
    }

    fn has_filter(&self, a: &Applied, dim: Dimension) -> bool {
        match dim {
            Dimension::Kind => a.kind.is_some(),
            Dimension::Topic => a.topic.is_some(),
            Dimension::Status => a.status.is_some(),
        }
    }

    fn filter_clauses(&self, a: &Applied, skip: Option<Dimension>) -> Vec<Box<dyn Query>> {
        let f = &self.fields;
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        let mut add = |dim: Option<Dimension>, field, value: Option<&str>| {
            if let Some(v) = value.filter(|_| dim.is_none() || skip != dim) {
                out.push(Box::new(self.term_query(field, v)));
            }
        };
        add(Some(Dimension::Kind), f.kind, a.kind.map(Kind::as_str));
        add(Some(Dimension::Topic), f.topic, a.topic.as_deref());
        add(Some(Dimension::Status), f.status, a.status.as_deref());
        add(None, f.agency, a.agency.as_deref());
        out
    }

    /// Matches exactly the documents the reader may find (see `policy::Audience`).
    fn visibility(&self, reader: &SearchReader) -> VisibleQuery {
        let now = crate::db::now().and_utc().timestamp();
        VisibleQuery::new(self.audiences.clone(), reader, now)
    }

    fn term_query(&self, field: tantivy::schema::Field, value: &str) -> TermQuery {
        TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        )
    }

    /// One query per word or phrase; words that are only stop words drop out. With
    /// `typos`, longer words also match a few edits away.
    fn word_queries(&self, groups: &[Group], typos: bool) -> Vec<Box<dyn Query>> {
        groups
            .iter()
            .filter_map(|g| self.group_query(g, typos))
            .collect()
    }

    /// What `-word` or `-"some words"` rules out: documents with all of its words. (Not
    /// as a phrase: tantivy's phrase scorer, seeked as an exclusion, trips over repeated
    /// words; see the random-input test.)
    fn exclusion_query(&self, g: &Group) -> Option<Box<dyn Query>> {
        let mut de = self.analyzers.de.clone();
        let mut terms: Vec<String> = Analyzers::terms(&mut de, &g.text)
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        terms.sort();
        terms.dedup();
        (!terms.is_empty()).then(|| {
            Box::new(BooleanQuery::intersection(
                terms
                    .iter()
                    .map(|t| {
                        Box::new(TermQuery::new(
                            Term::from_field_text(self.fields.text_de, t),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>
                    })
                    .collect(),
            )) as Box<dyn Query>
        })
    }

    fn group_query(&self, g: &Group, typos: bool) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let mut de = self.analyzers.de.clone();
        let mut en = self.analyzers.en.clone();
        let de_terms = Analyzers::terms(&mut de, &g.text);
        let en_terms = Analyzers::terms(&mut en, &g.text);
        if de_terms.len() > 1 {
            return Some(self.phrase_query(&de_terms));
        }
        let mut any: Vec<Box<dyn Query>> = Vec::new();
        let boosted = |field, term: &str, boost: f32| -> Box<dyn Query> {
            Box::new(BoostQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(field, term),
                    IndexRecordOption::WithFreqs,
                )),
                boost,
            ))
        };
        if let Some((_, d)) = de_terms.first() {
            any.push(boosted(f.title_de, d, 3.0));
            any.push(boosted(f.text_de, d, 1.0));
            if !g.phrase {
                if d.chars().count() >= MIN_PART {
                    any.push(Box::new(ConstScoreQuery::new(
                        Box::new(FuzzyTermQuery::new_prefix(
                            Term::from_field_text(f.parts, d),
                            0,
                            true,
                        )),
                        PART_SCORE,
                    )));
                }
                // A typo in a word's ending can defeat the stemmer, so long words are also
                // compared unstemmed, with the whole words of the compound field.
                let folded = fold_word(&g.text, true);
                let fuzzy = [(f.text_de, d.as_str()), (f.parts, folded.as_str())];
                for (field, word) in fuzzy.into_iter().filter(|_| typos) {
                    let long_enough = field != f.parts || word.chars().count() >= MIN_COMPOUND;
                    if let Some(distance) = typo_tolerance(word).filter(|_| long_enough) {
                        any.push(Box::new(ConstScoreQuery::new(
                            Box::new(FuzzyTermQuery::new(
                                Term::from_field_text(field, word),
                                distance,
                                true,
                            )),
                            TYPO_SCORE,
                        )));
                    }
                }
            }
        }
        if let Some((_, e)) = en_terms.first() {
            any.push(boosted(f.title_en, e, 2.0));
            any.push(boosted(f.text_en, e, 0.7));
        }
        (!any.is_empty()).then(|| Box::new(Disjunction::new(any)) as _)
    }

    /// A phrase, looked for in the German text only: the same analyzer reads the query
    /// and the text, so an English phrase matches there as well. Its neighbouring pairs
    /// are single terms (see `analysis`): they score it, and for more than two words
    /// the positions are compared only where every pair occurs.
    fn phrase_query(&self, terms: &[(usize, String)]) -> Box<dyn Query> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = terms
            .windows(2)
            .map(|w| {
                let pair = pair_term(&w[0].1, &w[1].1, w[1].0 - w[0].0);
                let query = TermQuery::new(
                    Term::from_field_text(f.pairs, &pair),
                    IndexRecordOption::WithFreqs,
                );
                (Occur::Must, Box::new(query) as Box<dyn Query>)
            })
            .collect();
        if terms.len() > 2 {
            let first = terms[0].0;
            let positions = PhraseQuery::new_with_offset(
                terms
                    .iter()
                    .map(|(pos, t)| (pos - first, Term::from_field_text(f.text_de, t)))
                    .collect(),
            );
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(positions), 0.0)),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// What the snippets mark: the words as the query matched them (with `typos`, also
    /// words a few edits away).
    fn matcher(&self, groups: &[Group], typos: bool) -> Matcher {
        let mut m = Matcher::default();
        let mut de = self.analyzers.de.clone();
        let mut en = self.analyzers.en.clone();
        for g in groups {
            let de_terms = Analyzers::terms(&mut de, &g.text);
            let single = de_terms.len() == 1 && !g.phrase;
            for (_, t) in de_terms {
                if single {
                    if t.chars().count() >= MIN_PART {
                        m.parts.push(t.clone());
                    }
                    let folded = fold_word(&g.text, true);
                    for word in [t.clone(), folded].into_iter().filter(|_| typos) {
                        if let Some(d) = typo_tolerance(&word) {
                            m.fuzzy.push((word, d as usize));
                        }
                    }
                }
                m.de.insert(t);
            }
            m.en.extend(Analyzers::terms(&mut en, &g.text).into_iter().map(|t| t.1));
        }
        m.ready()
    }

    /// One pass over the matches: the page of hits in the asked order, the total and the
    /// facet counts of every dimension.
    fn collect(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        sort: Sort,
        parsed: &ParsedQuery,
        page: Page,
    ) -> AppResult<Pass> {
        let limit = TopDocs::with_limit(page.per_page as usize).and_offset(page.offset() as usize);
        let facets = FacetCounter::new(self.facets.clone(), &Dimension::ALL);
        let sort = match sort {
            // Without words every score is the same: newest first is the useful order.
            Sort::Relevance if parsed.groups.is_empty() => Sort::Newest,
            other => other,
        };
        macro_rules! run {
            ($top:expr) => {{
                let (hits, total, facets) = searcher
                    .search(query, &($top, Count, facets))
                    .map_err(AppError::internal)?;
                Pass {
                    addresses: hits.into_iter().map(|(_, a)| a).collect(),
                    total: total as i64,
                    facets,
                }
            }};
        }
        Ok(match sort {
            Sort::Relevance => {
                // Challenges are what most searches are after: a small lift among equals.
                let kinds = self.facets.clone();
                run!(limit.tweak_score(move |segment: &tantivy::SegmentReader| {
                    let kinds = kinds.of(segment).ok();
                    move |doc: tantivy::DocId, score: tantivy::Score| -> tantivy::Score {
                        let lift = kinds.as_ref().is_some_and(|k| k.is_challenge(doc));
                        score + if lift { CHALLENGE_LIFT } else { 0.0 }
                    }
                }))
            }
            Sort::Newest => run!(limit.order_by_fast_field::<i64>("date", Order::Desc)),
            Sort::Deadline => {
                let now = crate::db::now().and_utc().timestamp();
                run!(limit.tweak_score(move |segment: &tantivy::SegmentReader| {
                    let column = segment.fast_fields().i64("deadline").ok();
                    move |doc: tantivy::DocId, _score: tantivy::Score| -> i64 {
                        let deadline = column.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
                        deadline_rank(deadline, now)
                    }
                }))
            }
        })
    }

    fn hit(&self, searcher: &Searcher, address: DocAddress, matcher: &Matcher) -> AppResult<Hit> {
        let f = &self.fields;
        let doc: TantivyDocument = searcher.doc(address).map_err(AppError::internal)?;
        let text_of = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let int_of = |field| doc.get_first(field).and_then(|v| v.as_i64());
        let time_of = |field| {
            int_of(field)
                .filter(|&t| t > 0)
                .and_then(|t| DateTime::from_timestamp(t, 0))
                .map(|t| t.naive_utc())
        };
        let kind_name = text_of(f.kind);
        let kind = Kind::stored(&kind_name)
            .ok_or_else(|| AppError::internal("search document without a kind"))?;
        let body = text_of(f.body);
        let title = text_of(f.title);
        Ok(Hit {
            kind,
            id: int_of(f.id).unwrap_or_default(),
            title_html: highlight::marked(&self.analyzers, matcher, &title),
            title,
            snippet_html: highlight::snippet(&self.analyzers, matcher, &body),
            url: text_of(f.url),
            status: Some(text_of(f.status)).filter(|s| !s.is_empty()),
            deadline: time_of(f.deadline),
            date: time_of(f.date),
            meta: serde_json::from_str(&text_of(f.meta)).unwrap_or_default(),
        })
    }
}

/// Extra score for challenges among otherwise equal results.
const CHALLENGE_LIFT: f32 = 1.5;
/// Score of a word found inside a compound (whole words score several times more).
const PART_SCORE: f32 = 0.6;
/// Score of a word found a typo away.
const TYPO_SCORE: f32 = 0.4;

/// How many typos a query stem tolerates: none for short words, where one edit turns a
/// word into another.
fn typo_tolerance(stem: &str) -> Option<u8> {
    match stem.chars().count() {
        0..=4 => None,
        5..=8 => Some(1),
        _ => Some(2),
    }
}

/// Higher ranks first: upcoming deadlines, the nearest first; then passed ones, the most
/// recent first; then records without a deadline.
fn deadline_rank(deadline: i64, now: i64) -> i64 {
    if deadline == 0 {
        i64::MIN
    } else if deadline >= now {
        i64::MAX / 2 - (deadline - now)
    } else {
        -(now - deadline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_rank_upcoming_then_passed_then_none() {
        let now = 1_000_000;
        let mut ds = [0, now - 10, now + 500, now + 5, now - 1000];
        ds.sort_by_key(|d| std::cmp::Reverse(deadline_rank(*d, now)));
        assert_eq!(ds, [now + 5, now + 500, now - 10, now - 1000, 0]);
    }

    #[test]
    fn german_status_names_are_understood() {
        assert_eq!(status_value("offen"), "open");
        assert_eq!(status_value("Zurückgezogen"), "withdrawn");
        assert_eq!(status_value("submitted"), "submitted");
    }
}
