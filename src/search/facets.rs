//! Facet counts: how many matches have each kind, topic and status.
//!
//! Every match is counted, so this runs once per matching document and has to be cheap.
//! Each segment's values are read once from the `kind`, `topic` and `status` terms into
//! plain arrays ([`SegmentFacets`], kept in a [`SegmentCache`]); counting a document is
//! then a few array reads. The same arrays tell the relevance order which matches are
//! challenges.

use std::collections::BTreeMap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED};

use super::schema::Fields;
use super::segment_cache::{PerSegment, SegmentCache};

/// A facet dimension, as named in docs/API.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// The kind of record.
    Kind,
    /// The topics of the record's challenge.
    Topic,
    /// The record's status.
    Status,
}

impl Dimension {
    /// Every dimension; segment arrays keep their columns in this order.
    pub const ALL: [Dimension; 3] = [Dimension::Kind, Dimension::Topic, Dimension::Status];

    /// The dimension's name in results and query strings: `kind`, `topic` or `status`.
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Kind => "kind",
            Dimension::Topic => "topic",
            Dimension::Status => "status",
        }
    }

    fn field(self, fields: &Fields) -> Field {
        match self {
            Dimension::Kind => fields.kind,
            Dimension::Topic => fields.topic,
            Dimension::Status => fields.status,
        }
    }
}

/// Counts per dimension name, then per value; values without matches are left out.
pub type FacetCounts = BTreeMap<&'static str, BTreeMap<String, u64>>;

/// The facet values of every segment in use.
pub type Facets = SegmentCache<SegmentFacets>;

/// One segment's values of every dimension (in [`Dimension::ALL`] order).
pub struct SegmentFacets {
    columns: [Column; 3],
    /// The challenges, looked up for every match of a relevance search.
    challenges: BitSet,
}

/// A dimension's values in one segment: the distinct values, and per document the
/// positions of its values among them.
struct Column {
    values: Vec<String>,
    docs: DocValues,
}

/// Per document, which values it has.
enum DocValues {
    /// Up to 64 values (the usual case): one bit per value, one read per document.
    Bits(Vec<u64>),
    /// More: the positions of `doc`'s values are `ords[starts[doc]..starts[doc + 1]]`.
    Lists { starts: Vec<u32>, ords: Vec<u32> },
}

impl Column {
    fn read(segment: &SegmentReader, field: Field) -> tantivy::Result<Column> {
        let inverted = segment.inverted_index(field)?;
        let mut values = Vec::new();
        let mut pairs: Vec<(DocId, u32)> = Vec::new();
        let mut terms = inverted.terms().stream()?;
        while terms.advance() {
            let ord = values.len() as u32;
            values.push(String::from_utf8_lossy(terms.key()).into_owned());
            let mut postings =
                inverted.read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
            let mut doc = postings.doc();
            while doc != TERMINATED {
                pairs.push((doc, ord));
                doc = postings.advance();
            }
        }
        let max_doc = segment.max_doc() as usize;
        let docs = if values.len() <= 64 {
            let mut bits = vec![0u64; max_doc];
            for (doc, ord) in pairs {
                bits[doc as usize] |= 1 << ord;
            }
            DocValues::Bits(bits)
        } else {
            pairs.sort_unstable();
            // Counts per document, then running sums: where each document's values start.
            let mut starts = vec![0u32; max_doc + 1];
            for (doc, _) in &pairs {
                starts[*doc as usize + 1] += 1;
            }
            for i in 1..starts.len() {
                starts[i] += starts[i - 1];
            }
            let ords = pairs.into_iter().map(|(_, ord)| ord).collect();
            DocValues::Lists { starts, ords }
        };
        Ok(Column { values, docs })
    }

    /// Adds one to `counts` at each of `doc`'s values.
    fn count(&self, doc: DocId, counts: &mut [u64]) {
        let doc = doc as usize;
        match &self.docs {
            DocValues::Bits(bits) => {
                let mut rest = bits[doc];
                while rest != 0 {
                    counts[rest.trailing_zeros() as usize] += 1;
                    rest &= rest - 1;
                }
            }
            DocValues::Lists { starts, ords } => {
                for &ord in &ords[starts[doc] as usize..starts[doc + 1] as usize] {
                    counts[ord as usize] += 1;
                }
            }
        }
    }

    fn has(&self, doc: DocId, ord: usize) -> bool {
        let doc = doc as usize;
        match &self.docs {
            DocValues::Bits(bits) => bits[doc] & (1 << ord) != 0,
            DocValues::Lists { starts, ords } => {
                ords[starts[doc] as usize..starts[doc + 1] as usize].contains(&(ord as u32))
            }
        }
    }
}

impl PerSegment for SegmentFacets {
    fn read(segment: &SegmentReader, fields: &Fields) -> tantivy::Result<SegmentFacets> {
        let [kind, topic, status] = Dimension::ALL;
        let columns = [
            Column::read(segment, kind.field(fields))?,
            Column::read(segment, topic.field(fields))?,
            Column::read(segment, status.field(fields))?,
        ];
        let challenge = columns[0]
            .values
            .iter()
            .position(|v| v == super::Kind::Challenge.as_str());
        let mut challenges = BitSet::with_max_value(segment.max_doc());
        for doc in 0..segment.max_doc() {
            if challenge.is_some_and(|c| columns[0].has(doc, c)) {
                challenges.insert(doc);
            }
        }
        Ok(SegmentFacets {
            columns,
            challenges,
        })
    }
}

impl SegmentFacets {
    /// Whether the segment's document `doc` is a challenge.
    pub fn is_challenge(&self, doc: DocId) -> bool {
        self.challenges.contains(doc)
    }
}

/// Counts the matches' values of the chosen dimensions.
pub struct FacetCounter {
    facets: Arc<Facets>,
    dimensions: Vec<Dimension>,
}

impl FacetCounter {
    /// A collector counting `dimensions` from the segments' cached values.
    pub fn new(facets: Arc<Facets>, dimensions: &[Dimension]) -> FacetCounter {
        FacetCounter {
            facets,
            dimensions: dimensions.to_vec(),
        }
    }
}

/// A `FacetCounter`'s count in one segment.
pub struct SegmentFacetCounter {
    facets: Arc<SegmentFacets>,
    /// Per counted dimension: its column index and a count per value.
    counts: Vec<(usize, &'static str, Vec<u64>)>,
}

impl Collector for FacetCounter {
    type Fruit = FacetCounts;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let facets = self.facets.of(segment)?;
        let counts = self
            .dimensions
            .iter()
            .map(|d| {
                let column = Dimension::ALL.iter().position(|x| x == d).unwrap_or(0);
                let n = facets.columns[column].values.len();
                (column, d.name(), vec![0; n])
            })
            .collect();
        Ok(SegmentFacetCounter { facets, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetCounts>) -> tantivy::Result<FacetCounts> {
        let mut all: FacetCounts = self
            .dimensions
            .iter()
            .map(|d| (d.name(), BTreeMap::new()))
            .collect();
        for fruit in fruits {
            for (dim, values) in fruit {
                let merged = all.entry(dim).or_default();
                for (value, n) in values {
                    *merged.entry(value).or_default() += n;
                }
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = FacetCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (column, _, counts) in &mut self.counts {
            self.facets.columns[*column].count(doc, counts);
        }
    }

    fn harvest(self) -> FacetCounts {
        self.counts
            .into_iter()
            .map(|(column, name, counts)| {
                let values = &self.facets.columns[column].values;
                let found = counts
                    .into_iter()
                    .enumerate()
                    .filter(|(_, n)| *n > 0)
                    .map(|(ord, n)| (values[ord].clone(), n))
                    .collect();
                (name, found)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::schema;
    use tantivy::query::AllQuery;
    use tantivy::{Index, TantivyDocument};

    /// Counts come out the same whether a segment's values fit the bit layout (up to
    /// 64) or need the list layout.
    #[test]
    fn counts_every_value_of_every_match_in_both_layouts() {
        for topics in [3usize, 70] {
            let (schema, fields) = schema::build();
            let index = Index::create_in_ram(schema);
            crate::search::analysis::Analyzers::new().register(&index);
            let mut writer = index.writer(15_000_000).unwrap();
            for i in 0..140usize {
                let mut doc = TantivyDocument::default();
                doc.add_text(
                    fields.kind,
                    if i % 2 == 0 { "challenge" } else { "proposal" },
                );
                doc.add_text(fields.topic, format!("t{}", i % topics));
                if i % 5 == 0 {
                    doc.add_text(fields.topic, "extra");
                }
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
            let searcher = index.reader().unwrap().searcher();
            let facets = Arc::new(Facets::new(fields));
            let counted = searcher
                .search(&AllQuery, &FacetCounter::new(facets, &Dimension::ALL))
                .unwrap();
            assert_eq!(counted["kind"]["challenge"], 70);
            assert_eq!(counted["kind"]["proposal"], 70);
            assert_eq!(counted["topic"]["extra"], 28);
            assert_eq!(counted["topic"].len(), topics + 1);
            let t1 = (0..140).filter(|i| i % topics == 1).count() as u64;
            assert_eq!(counted["topic"]["t1"], t1);
            assert!(counted["status"].is_empty());
        }
    }
}
