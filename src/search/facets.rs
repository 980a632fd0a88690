//! Facet counts: how many matches have each kind, topic and status.
//!
//! Every match is counted, so this runs once per matching document and has to be cheap.
//! Each segment's values are read once from the `kind`, `topic` and `status` terms into
//! one word of bits per document ([`SegmentFacets`], kept in a [`SegmentCache`]);
//! counting a document is then one memory read (a read per dimension, each from its own
//! array, was most of counting at ten times the synthetic size: cache misses). The same
//! word tells the relevance order which matches are challenges.

use std::collections::BTreeMap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED};

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
    /// Per document, one bit per value of every column laid out as [`DocValues::Bits`]:
    /// counting a match is then one memory read, however many dimensions are counted.
    bits: Vec<u64>,
    /// Where `challenge` is among the kinds.
    challenge: Option<usize>,
}

/// A dimension's values in one segment: the distinct values, and per document which of
/// them it has.
struct Column {
    values: Vec<String>,
    docs: DocValues,
}

/// Per document, which values it has.
enum DocValues {
    /// The usual case, when every column's values together are at most 64: the values
    /// are bits `shift..shift + values.len()` of the segment's word per document.
    Bits { shift: u32 },
    /// More: the positions of `doc`'s values are `ords[starts[doc]..starts[doc + 1]]`.
    Lists { starts: Vec<u32>, ords: Vec<u32> },
}

/// A column's distinct values, and which of them each document has as (document, value
/// position) pairs.
type ValuePairs = (Vec<String>, Vec<(DocId, u32)>);

/// The values of `field` in `segment`.
fn read_pairs(segment: &SegmentReader, field: Field) -> tantivy::Result<ValuePairs> {
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
    Ok((values, pairs))
}

impl Column {
    /// The column as lists, for values that do not fit the shared word.
    fn lists(values: Vec<String>, mut pairs: Vec<(DocId, u32)>, max_doc: usize) -> Column {
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
        Column {
            values,
            docs: DocValues::Lists { starts, ords },
        }
    }

    /// Adds one to `counts` at each of `doc`'s values; `word` is the document's bits.
    fn count(&self, doc: DocId, word: u64, counts: &mut [u64]) {
        match &self.docs {
            DocValues::Bits { shift } => {
                let mut rest = (word >> shift) & low_bits(self.values.len());
                while rest != 0 {
                    counts[rest.trailing_zeros() as usize] += 1;
                    rest &= rest - 1;
                }
            }
            DocValues::Lists { starts, ords } => {
                let doc = doc as usize;
                for &ord in &ords[starts[doc] as usize..starts[doc + 1] as usize] {
                    counts[ord as usize] += 1;
                }
            }
        }
    }

    fn has(&self, doc: DocId, word: u64, ord: usize) -> bool {
        match &self.docs {
            DocValues::Bits { shift } => word >> (*shift as usize + ord) & 1 == 1,
            DocValues::Lists { starts, ords } => {
                let doc = doc as usize;
                ords[starts[doc] as usize..starts[doc + 1] as usize].contains(&(ord as u32))
            }
        }
    }
}

/// A mask of the lowest `n` bits.
fn low_bits(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1 << n) - 1
    }
}

impl PerSegment for SegmentFacets {
    fn read(segment: &SegmentReader, fields: &Fields) -> tantivy::Result<SegmentFacets> {
        let max_doc = segment.max_doc() as usize;
        let mut bits: Vec<u64> = Vec::new();
        let mut used = 0;
        let mut read = |dim: Dimension| -> tantivy::Result<Column> {
            let (values, pairs) = read_pairs(segment, dim.field(fields))?;
            if used + values.len() > 64 {
                return Ok(Column::lists(values, pairs, max_doc));
            }
            if bits.is_empty() {
                bits = vec![0; max_doc];
            }
            let shift = used as u32;
            used += values.len();
            for (doc, ord) in pairs {
                bits[doc as usize] |= 1 << (shift + ord);
            }
            Ok(Column {
                values,
                docs: DocValues::Bits { shift },
            })
        };
        let [kind, topic, status] = Dimension::ALL;
        let columns = [read(kind)?, read(topic)?, read(status)?];
        let challenge = columns[0]
            .values
            .iter()
            .position(|v| v == super::Kind::Challenge.as_str());
        Ok(SegmentFacets {
            columns,
            bits,
            challenge,
        })
    }
}

impl SegmentFacets {
    /// The bits of `doc` (zero when no column is laid out as bits).
    fn word(&self, doc: DocId) -> u64 {
        self.bits.get(doc as usize).copied().unwrap_or(0)
    }

    /// Whether the segment's document `doc` is a challenge.
    pub fn is_challenge(&self, doc: DocId) -> bool {
        self.challenge
            .is_some_and(|c| self.columns[0].has(doc, self.word(doc), c))
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
        let word = self.facets.word(doc);
        for (column, _, counts) in &mut self.counts {
            self.facets.columns[*column].count(doc, word, counts);
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

    /// Counts come out the same whether a segment's values fit the shared word (up to
    /// 64 in all) or a column needs the list layout, also for a column after it; the
    /// challenges are told apart in both.
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
                doc.add_text(fields.status, if i % 4 == 0 { "open" } else { "closed" });
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
            let searcher = index.reader().unwrap().searcher();
            let facets = Arc::new(Facets::new(fields));
            let counted = searcher
                .search(
                    &AllQuery,
                    &FacetCounter::new(facets.clone(), &Dimension::ALL),
                )
                .unwrap();
            let segment = facets.of(searcher.segment_reader(0)).unwrap();
            let challenges = (0..140).filter(|&d| segment.is_challenge(d)).count();
            assert_eq!(challenges, 70);
            assert!(segment.is_challenge(0) && !segment.is_challenge(1));
            assert_eq!(counted["kind"]["challenge"], 70);
            assert_eq!(counted["kind"]["proposal"], 70);
            assert_eq!(counted["topic"]["extra"], 28);
            assert_eq!(counted["topic"].len(), topics + 1);
            let t1 = (0..140).filter(|i| i % topics == 1).count() as u64;
            assert_eq!(counted["topic"]["t1"], t1);
            assert_eq!(counted["status"]["open"], 35);
            assert_eq!(counted["status"]["closed"], 105);
        }
    }
}
