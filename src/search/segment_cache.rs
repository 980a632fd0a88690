//! Data read once per index segment and kept while a searcher uses the segment.
//!
//! Segments never change once written (deletions are a separate bit set that collectors
//! apply), so whatever a search would otherwise read from a segment again and again can
//! be read when the reader first loads it. A [`SegmentCache`] is registered as a warmer
//! of the index reader: tantivy calls it with every new searcher and tells it which
//! segments are no longer in use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::index::SegmentId;
use tantivy::{Searcher, SearcherGeneration, SegmentReader, Warmer};

use super::schema::Fields;

/// What a [`SegmentCache`] keeps per segment.
pub trait PerSegment: Send + Sync + Sized + 'static {
    /// Reads what is kept for one segment.
    fn read(segment: &SegmentReader, fields: &Fields) -> tantivy::Result<Self>;
}

/// The data of each segment in use, read once; a warmer of the index reader, which drops
/// the data of segments no longer in use.
pub struct SegmentCache<T> {
    fields: Fields,
    segments: Mutex<HashMap<SegmentId, Arc<T>>>,
}

impl<T: PerSegment> SegmentCache<T> {
    /// An empty cache reading with the handles `fields`.
    pub fn new(fields: Fields) -> SegmentCache<T> {
        SegmentCache {
            fields,
            segments: Mutex::new(HashMap::new()),
        }
    }

    /// The handles of the index's fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The data of `segment`, read now if the warmer has not seen it.
    pub fn of(&self, segment: &SegmentReader) -> tantivy::Result<Arc<T>> {
        let id = segment.segment_id();
        if let Some(found) = self.lock().get(&id) {
            return Ok(found.clone());
        }
        // Read outside the lock; two searches racing for a new segment read it twice.
        let read = Arc::new(T::read(segment, &self.fields)?);
        Ok(self.lock().entry(id).or_insert(read).clone())
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<SegmentId, Arc<T>>> {
        // Every change is a single map operation, so a panic cannot leave it half-done.
        self.segments.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T: PerSegment> Warmer for SegmentCache<T> {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        for segment in searcher.segment_readers() {
            self.of(segment)?;
        }
        Ok(())
    }

    fn garbage_collect(&self, live: &[&SearcherGeneration]) {
        self.lock()
            .retain(|id, _| live.iter().any(|g| g.segments().contains_key(id)));
    }
}
