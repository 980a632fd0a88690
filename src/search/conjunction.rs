//! A search's matches: documents the reader may find that have every required clause
//! (the words, the filters) and no excluded one; the score is the sum of the required
//! clauses' scores.
//!
//! Tantivy's boolean intersection checks its clauses in the order of their cost. The
//! reader's visibility is a bit set covering most public records, so it came last or
//! led: a common word drove the search through every private proposal containing it,
//! each one sought in the other words' postings (several clauses each) before the bit
//! set ruled it out, or the visible records were each sought in every word. Here the
//! cheapest clause leads, each of its documents is looked up in the bit set first (one
//! memory read), and only visible ones are sought in the other clauses.

use std::fmt;

use tantivy::query::{
    BitSetDocSet, ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TERMINATED};

use super::disjunction::explain_score;
use super::visibility::VisibleQuery;

/// Every required clause, none of the excluded ones, visible to the reader.
pub struct Conjunction {
    visible: VisibleQuery,
    required: Vec<Box<dyn Query>>,
    excluded: Vec<Box<dyn Query>>,
}

impl Conjunction {
    /// Documents matching all of `required` and none of `excluded` that `visible` lets
    /// through. Without required clauses, every visible document not excluded matches.
    pub fn new(
        visible: VisibleQuery,
        required: Vec<Box<dyn Query>>,
        excluded: Vec<Box<dyn Query>>,
    ) -> Conjunction {
        Conjunction {
            visible,
            required,
            excluded,
        }
    }
}

impl Clone for Conjunction {
    fn clone(&self) -> Conjunction {
        let clone_all = |qs: &[Box<dyn Query>]| qs.iter().map(|q| q.box_clone()).collect();
        Conjunction {
            visible: self.visible.clone(),
            required: clone_all(&self.required),
            excluded: clone_all(&self.excluded),
        }
    }
}

impl fmt::Debug for Conjunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conjunction")
            .field("visible", &self.visible)
            .field("required", &self.required)
            .field("excluded", &self.excluded)
            .finish()
    }
}

impl Query for Conjunction {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = |qs: &[Box<dyn Query>], scoring| {
            qs.iter()
                .map(|q| q.weight(scoring))
                .collect::<tantivy::Result<Vec<_>>>()
        };
        Ok(Box::new(ConjunctionWeight {
            visible: self.visible.clone(),
            required: weights(&self.required, scoring)?,
            excluded: weights(&self.excluded, scoring)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        for q in &self.required {
            q.query_terms(visitor);
        }
    }
}

struct ConjunctionWeight {
    visible: VisibleQuery,
    required: Vec<Box<dyn Weight>>,
    excluded: Vec<Box<dyn Weight>>,
}

impl Weight for ConjunctionWeight {
    fn scorer(&self, segment: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut required = self
            .required
            .iter()
            .map(|w| w.scorer(segment, boost))
            .collect::<tantivy::Result<Vec<_>>>()?;
        if required.iter().any(|s| s.doc() == TERMINATED) {
            return Ok(Box::new(EmptyScorer));
        }
        let visible = self.visible.docs(segment)?;
        let excluded = self
            .excluded
            .iter()
            .map(|w| w.scorer(segment, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?;
        // The cheapest clause leads; without clauses, the visible documents themselves.
        required.sort_by_key(|s| s.cost());
        let leader = if required.is_empty() {
            Box::new(ConstScorer::new(BitSetDocSet::from(visible.clone()), 0.0))
        } else {
            required.remove(0)
        };
        let mut scorer = ConjunctionScorer {
            leader,
            others: required,
            excluded,
            visible,
            doc: 0,
        };
        scorer.doc = scorer.settle(scorer.leader.doc());
        Ok(Box::new(scorer))
    }

    fn explain(&self, segment: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_score(self, segment, doc, "sum of the required clauses")
    }
}

struct ConjunctionScorer {
    /// The cheapest required clause, which proposes the candidates.
    leader: Box<dyn Scorer>,
    /// The other required clauses, cheapest first.
    others: Vec<Box<dyn Scorer>>,
    excluded: Vec<Box<dyn Scorer>>,
    visible: BitSet,
    doc: DocId,
}

impl ConjunctionScorer {
    /// The first match at or after `candidate` (the leader being at or before it).
    fn settle(&mut self, mut candidate: DocId) -> DocId {
        'candidates: loop {
            candidate = if self.leader.doc() < candidate {
                self.leader.seek(candidate)
            } else {
                self.leader.doc()
            };
            if candidate == TERMINATED {
                return TERMINATED;
            }
            if !self.visible.contains(candidate) {
                candidate += 1;
                continue;
            }
            for other in &mut self.others {
                let doc = if other.doc() < candidate {
                    other.seek(candidate)
                } else {
                    other.doc()
                };
                if doc == TERMINATED {
                    return TERMINATED;
                }
                if doc != candidate {
                    candidate = doc;
                    continue 'candidates;
                }
            }
            for excluded in &mut self.excluded {
                if excluded.doc() < candidate {
                    excluded.seek(candidate);
                }
                if excluded.doc() == candidate {
                    candidate += 1;
                    continue 'candidates;
                }
            }
            return candidate;
        }
    }
}

impl DocSet for ConjunctionScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.doc = self.settle(self.doc + 1);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.doc = self.settle(target);
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.leader.size_hint()
    }
}

impl Scorer for ConjunctionScorer {
    fn score(&mut self) -> Score {
        self.leader.score() + self.others.iter_mut().map(|s| s.score()).sum::<Score>()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::IndexRecordOption;
    use tantivy::{Index, TantivyDocument, Term};

    use super::*;
    use crate::auth::policy::SearchReader;
    use crate::search::analysis::Analyzers;
    use crate::search::indexer::{members_term, AUDIENCE_ALL};
    use crate::search::schema;
    use crate::search::visibility::Audiences;

    /// Same documents and same scores as tantivy's boolean query of the visibility, the
    /// required and the excluded clauses, for a visitor and for a member, whichever
    /// clause is the cheapest and when no clause is required.
    #[test]
    fn matches_and_scores_like_the_boolean_query() {
        let (schema, fields) = schema::build();
        let index = Index::create_in_ram(schema);
        Analyzers::new().register(&index);
        let mut writer = index.writer(15_000_000).unwrap();
        for i in 0..600usize {
            let mut doc = TantivyDocument::default();
            let mut words = vec!["amt"];
            if i % 2 == 0 {
                words.push("hund");
            }
            if i % 7 == 0 {
                words.push("steuer");
            }
            if i % 11 == 0 {
                words.push("termin");
            }
            doc.add_text(fields.text_de, words.join(" "));
            // A third public, a third for the members of organisation 7, a third hidden.
            match i % 3 {
                0 => doc.add_text(fields.audience, AUDIENCE_ALL),
                1 => doc.add_text(fields.audience, members_term(7)),
                _ => {}
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let audiences = Arc::new(Audiences::new(fields));
        let analyzers = Analyzers::new();
        let term = |w: &str| -> Box<dyn Query> {
            // As the text was indexed: stemmed.
            let stem = Analyzers::terms(&mut analyzers.de.clone(), w).remove(0).1;
            Box::new(TermQuery::new(
                Term::from_field_text(fields.text_de, &stem),
                IndexRecordOption::WithFreqs,
            ))
        };
        let visitor = SearchReader {
            user: None,
            organisations: vec![],
            admin: false,
        };
        let member = SearchReader {
            user: Some(1),
            organisations: vec![7],
            admin: false,
        };
        let cases: [(&[&str], &[&str]); 5] = [
            (&["hund"], &[]),
            (&["hund", "steuer"], &[]),
            (&["steuer", "hund", "amt"], &["termin"]),
            (&[], &["hund"]),
            (&["nirgends"], &[]),
        ];
        let top = TopDocs::with_limit(600).order_by_score();
        for reader in [&visitor, &member] {
            for (required, excluded) in cases {
                let visible = VisibleQuery::new(audiences.clone(), reader, 0);
                let ours = Conjunction::new(
                    visible.clone(),
                    required.iter().map(|w| term(w)).collect(),
                    excluded.iter().map(|w| term(w)).collect(),
                );
                let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                    vec![(Occur::Must, Box::new(visible))];
                clauses.extend(required.iter().map(|w| (Occur::Must, term(w))));
                clauses.extend(excluded.iter().map(|w| (Occur::MustNot, term(w))));
                let theirs = BooleanQuery::new(clauses);
                let mut ours = searcher.search(&ours, &top).unwrap();
                let mut theirs = searcher.search(&theirs, &top).unwrap();
                ours.sort_by_key(|(_, a)| a.doc_id);
                theirs.sort_by_key(|(_, a)| a.doc_id);
                let expected = (0..600u32)
                    .filter(|d| d % 3 == 0 || (d % 3 == 1 && reader.organisations == [7]))
                    .filter(|d| {
                        required.iter().all(|w| match *w {
                            "hund" => d % 2 == 0,
                            "steuer" => d % 7 == 0,
                            "amt" => true,
                            _ => false,
                        })
                    })
                    .filter(|d| excluded.iter().all(|w| *w != "hund" || d % 2 == 1))
                    .filter(|d| excluded.iter().all(|w| *w != "termin" || d % 11 != 0))
                    .count();
                assert_eq!(
                    ours.len(),
                    expected,
                    "{reader:?} {required:?} -{excluded:?}"
                );
                assert_eq!(ours.len(), theirs.len());
                for ((s1, a1), (s2, a2)) in ours.iter().zip(&theirs) {
                    assert_eq!(a1, a2);
                    assert!((s1 - s2).abs() < 1e-4, "{s1} vs {s2}");
                }
            }
        }
    }
}
