//! Which documents a reader may find, as one bit set per index segment.
//!
//! The rules are [`crate::auth::policy::Audience`]'s; the indexer writes them as audience
//! terms, plus the time from which a document is public. Read as an ordinary query, that
//! time is a range over one term per distinct time (thousands of deadlines), opened again
//! for every search: most of a query's cost. So each segment's audiences are read once
//! ([`Audiences`], a [`SegmentCache`]) and a search only combines them for its reader and
//! the current time ([`VisibleQuery`]). Deleted documents are still in the sets;
//! collectors leave them out, as they do for every other query.

use std::fmt;
use std::sync::{Arc, Mutex};

use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

use super::indexer::{members_term, person_term, AUDIENCE_ADMINS, AUDIENCE_ALL, AUDIENCE_FROM};
use super::schema::Fields;
use super::segment_cache::{PerSegment, SegmentCache};
use crate::auth::policy::SearchReader;

/// The audiences of every segment in use.
pub type Audiences = SegmentCache<SegmentAudiences>;

/// One segment's audiences.
pub struct SegmentAudiences {
    /// Documents everyone may find.
    everyone: BitSet,
    /// Documents everyone may find from a time on, ordered by that time.
    timed: Vec<(i64, DocId)>,
    /// Documents administrators may find.
    admins: Vec<DocId>,
    /// What visitors may find, with how many of `timed` it includes: reused until the
    /// next of those times passes.
    visitors: Mutex<Option<(usize, Arc<BitSet>)>>,
}

/// Calls `each` with every document holding `term`.
fn for_each_doc(
    segment: &SegmentReader,
    term: &Term,
    mut each: impl FnMut(DocId),
) -> tantivy::Result<()> {
    let inverted = segment.inverted_index(term.field())?;
    if let Some(mut postings) = inverted.read_postings(term, IndexRecordOption::Basic)? {
        let mut doc = postings.doc();
        while doc != TERMINATED {
            each(doc);
            doc = postings.advance();
        }
    }
    Ok(())
}

impl PerSegment for SegmentAudiences {
    fn read(segment: &SegmentReader, fields: &Fields) -> tantivy::Result<SegmentAudiences> {
        let max_doc = segment.max_doc();
        let audience = |name: &str| Term::from_field_text(fields.audience, name);
        let mut everyone = BitSet::with_max_value(max_doc);
        for_each_doc(segment, &audience(AUDIENCE_ALL), |d| {
            everyone.insert(d);
        })?;
        let mut admins = Vec::new();
        for_each_doc(segment, &audience(AUDIENCE_ADMINS), |d| admins.push(d))?;
        let mut from = BitSet::with_max_value(max_doc);
        for_each_doc(segment, &audience(AUDIENCE_FROM), |d| {
            from.insert(d);
        })?;
        // One term per distinct time; its key is the time's big-endian bytes.
        let mut timed = Vec::new();
        let inverted = segment.inverted_index(fields.public_from)?;
        let mut terms = inverted.terms().stream()?;
        while terms.advance() {
            let Ok(bytes) = <[u8; 8]>::try_from(terms.key()) else {
                continue;
            };
            let at = tantivy::u64_to_i64(u64::from_be_bytes(bytes));
            let mut postings =
                inverted.read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if from.contains(doc) {
                    timed.push((at, doc));
                }
                doc = postings.advance();
            }
        }
        timed.sort_unstable();
        Ok(SegmentAudiences {
            everyone,
            timed,
            admins,
            visitors: Mutex::new(None),
        })
    }
}

impl SegmentAudiences {
    /// What visitors may find at `now`.
    fn visitors(&self, now: i64) -> Arc<BitSet> {
        let public = self.timed.partition_point(|(at, _)| *at <= now);
        let mut cached = self.visitors.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, docs)) = cached.as_ref().filter(|(n, _)| *n == public) {
            return docs.clone();
        }
        let mut docs = self.everyone.clone();
        for (_, d) in &self.timed[..public] {
            docs.insert(*d);
        }
        let docs = Arc::new(docs);
        *cached = Some((public, docs.clone()));
        docs
    }
}

/// Matches exactly the documents `reader` may find at `now`, with a score of zero.
#[derive(Clone)]
pub struct VisibleQuery {
    audiences: Arc<Audiences>,
    reader: SearchReader,
    now: i64,
}

impl VisibleQuery {
    /// The query of what `reader` may find at `now` (Unix seconds), from the segments' audiences.
    pub fn new(audiences: Arc<Audiences>, reader: &SearchReader, now: i64) -> VisibleQuery {
        VisibleQuery {
            audiences,
            reader: reader.clone(),
            now,
        }
    }

    pub(super) fn docs(&self, segment: &SegmentReader) -> tantivy::Result<BitSet> {
        let audiences = self.audiences.of(segment)?;
        let mut docs = BitSet::clone(&audiences.visitors(self.now));
        let field = self.audiences.fields().audience;
        let personal = self.reader.user.map(person_term);
        let own = self
            .reader
            .organisations
            .iter()
            .map(|org| members_term(*org));
        for term in own.chain(personal) {
            for_each_doc(segment, &Term::from_field_text(field, &term), |d| {
                docs.insert(d);
            })?;
        }
        if self.reader.admin {
            for d in &audiences.admins {
                docs.insert(*d);
            }
        }
        Ok(docs)
    }
}

impl fmt::Debug for VisibleQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VisibleQuery")
            .field("reader", &self.reader)
            .field("now", &self.now)
            .finish()
    }
}

impl Query for VisibleQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for VisibleQuery {
    fn scorer(&self, segment: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ConstScorer::new(
            BitSetDocSet::from(self.docs(segment)?),
            0.0,
        )))
    }

    fn explain(&self, segment: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.docs(segment)?.contains(doc) {
            Ok(Explanation::new("visible to the reader", 0.0))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is not visible to the reader"
            )))
        }
    }
}
