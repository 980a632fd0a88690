//! One query word in all its forms: a disjunction of a few clauses (the word in the
//! German and English title and text, inside compounds, a typo away) whose score is the
//! sum of the clauses that match.
//!
//! Tantivy's boolean union fills windows of thousands of documents ahead and scores every
//! one of them. That suits a union read from start to end, but a search word is mostly
//! sought to the next candidate of a rarer word or of the visibility set, and then that
//! window work is mostly thrown away: for a common word it was most of a query's time.
//! Here every clause is sought on its own (postings skip whole blocks) and scored only
//! for the document asked about.

use std::fmt;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED};

/// Matches what any clause matches; scores the sum of the matching clauses' scores.
#[derive(Debug)]
pub struct Disjunction {
    clauses: Vec<Box<dyn Query>>,
}

impl Disjunction {
    /// A query matching what any of `clauses` matches.
    pub fn new(clauses: Vec<Box<dyn Query>>) -> Disjunction {
        Disjunction { clauses }
    }
}

impl Clone for Disjunction {
    fn clone(&self) -> Disjunction {
        Disjunction {
            clauses: self.clauses.iter().map(|c| c.box_clone()).collect(),
        }
    }
}

impl Query for Disjunction {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .clauses
            .iter()
            .map(|c| c.weight(scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(DisjunctionWeight { weights }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        for c in &self.clauses {
            c.query_terms(visitor);
        }
    }
}

struct DisjunctionWeight {
    weights: Vec<Box<dyn Weight>>,
}

impl Weight for DisjunctionWeight {
    fn scorer(&self, segment: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let clauses = self
            .weights
            .iter()
            .map(|w| w.scorer(segment, boost))
            .collect::<tantivy::Result<Vec<_>>>()?
            .into_iter()
            .filter(|s| s.doc() != TERMINATED)
            .collect();
        Ok(Box::new(DisjunctionScorer::new(clauses)))
    }

    fn explain(&self, segment: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_score(self, segment, doc, "sum of the matching forms")
    }
}

/// The score `weight` gives `doc`, explained as `what`; an error if `doc` does not match.
pub(super) fn explain_score(
    weight: &dyn Weight,
    segment: &SegmentReader,
    doc: DocId,
    what: &'static str,
) -> tantivy::Result<Explanation> {
    let mut scorer = weight.scorer(segment, 1.0)?;
    if scorer.seek(doc) != doc {
        return Err(TantivyError::InvalidArgument(format!(
            "document {doc} does not match"
        )));
    }
    Ok(Explanation::new(what, scorer.score()))
}

/// The clauses' scorers, each at its own position; the disjunction is at the smallest.
struct DisjunctionScorer {
    clauses: Vec<Box<dyn Scorer>>,
    doc: DocId,
}

impl DisjunctionScorer {
    fn new(clauses: Vec<Box<dyn Scorer>>) -> DisjunctionScorer {
        let mut scorer = DisjunctionScorer {
            clauses,
            doc: TERMINATED,
        };
        scorer.doc = scorer.smallest();
        scorer
    }

    fn smallest(&self) -> DocId {
        self.clauses
            .iter()
            .map(|c| c.doc())
            .min()
            .unwrap_or(TERMINATED)
    }
}

impl fmt::Debug for DisjunctionScorer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DisjunctionScorer")
            .field("clauses", &self.clauses.len())
            .field("doc", &self.doc)
            .finish()
    }
}

impl DocSet for DisjunctionScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        for c in &mut self.clauses {
            if c.doc() == current {
                c.advance();
            }
        }
        self.doc = self.smallest();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        for c in &mut self.clauses {
            if c.doc() < target {
                c.seek(target);
            }
        }
        self.doc = self.smallest();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        // At least the largest clause, at most their sum.
        self.clauses
            .iter()
            .map(|c| c.size_hint())
            .max()
            .unwrap_or(0)
    }

    fn cost(&self) -> u64 {
        self.clauses.iter().map(|c| c.cost()).sum()
    }
}

impl Scorer for DisjunctionScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        self.clauses
            .iter_mut()
            .filter(|c| c.doc() == doc)
            .map(|c| c.score())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, Term};

    /// Same documents and same scores as tantivy's own union of the clauses, whether
    /// read through or sought from an intersection.
    #[test]
    fn matches_and_scores_like_a_boolean_union() {
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT);
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer(15_000_000).unwrap();
        for i in 0..300 {
            let t = if i % 3 == 0 { "hund steuer" } else { "katze" };
            let b = if i % 7 == 0 { "hund" } else { "steuer amt" };
            writer.add_document(doc!(title => t, body => b)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |f, w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(f, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        let clauses = || vec![term(title, "hund"), term(body, "hund")];
        let top = TopDocs::with_limit(300).order_by_score();
        for required in [None, Some("steuer")] {
            let wrap = |q: Box<dyn Query>| -> Box<dyn Query> {
                match required {
                    None => q,
                    Some(w) => Box::new(BooleanQuery::new(vec![
                        (Occur::Must, q),
                        (Occur::Must, term(body, w)),
                    ])),
                }
            };
            let ours = searcher
                .search(&*wrap(Box::new(Disjunction::new(clauses()))), &top)
                .unwrap();
            let theirs = searcher
                .search(&*wrap(Box::new(BooleanQuery::union(clauses()))), &top)
                .unwrap();
            assert!(!ours.is_empty());
            assert_eq!(ours.len(), theirs.len());
            for ((s1, a1), (s2, a2)) in ours.iter().zip(&theirs) {
                assert_eq!(a1, a2);
                assert!((s1 - s2).abs() < 1e-4, "{s1} vs {s2}");
            }
        }
    }
}
