//! CPU-heavy work (password hashing, searches) off the async workers, on a fixed number
//! of threads of its own.
//!
//! Such work must not hold up a worker: the worker's other connections would wait for
//! it. Unbounded (a task per request on the blocking pool), a burst puts dozens of these
//! tasks on the cores at once; they share them in time slices and all of them finish
//! late. A pool of as many threads as there are cores takes the jobs in order, one per
//! core. Its threads take the next job as soon as one ends, without a round trip through
//! the async worker, so a queue of searches keeps them busy with no wake-up between two
//! jobs: on 2 cores with 16 concurrent searches, throughput rose by about a fifth and the
//! p99 fell by a fifth over a semaphore in front of the blocking pool.
//!
//! The queue is bounded: when as many jobs wait as it holds, the next is refused at once
//! with 503 and `Retry-After` rather than waiting behind work that would finish too late
//! anyway. A job whose caller has gone (its future was dropped) is skipped when its turn
//! comes, so it costs no CPU, and it stops counting against the queue at once. The
//! channel itself holds four times the queue, which bounds the memory that abandoned jobs
//! keep until they are skipped. (A client that hangs up does not always drop its
//! request's future: measured at 10x the synthetic size, a wrk run of 64 connections
//! right after one of 50 still met 503s while the first run's searches drained.)

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender, TrySendError};
use tokio::sync::oneshot;

use crate::error::{AppError, AppResult};

type Job = Box<dyn FnOnce() + Send>;

/// A named set of threads running jobs in the order they come.
#[derive(Clone)]
pub struct Workers {
    jobs: Sender<Job>,
    /// Jobs whose caller still waits and that have not started.
    waiting: Arc<AtomicUsize>,
    /// How many may wait.
    limit: usize,
}

/// One job's place in the `waiting` count, given up once: when the job starts or when its
/// caller goes, whichever comes first.
struct Place {
    held: AtomicBool,
    waiting: Arc<AtomicUsize>,
}

impl Place {
    fn give_up(&self) {
        if self.held.swap(false, Ordering::AcqRel) {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// Gives up the place when the caller's future ends, finished or dropped.
struct PlaceGuard(Arc<Place>);

impl Drop for PlaceGuard {
    fn drop(&mut self) {
        self.0.give_up();
    }
}

impl Workers {
    /// Jobs whose caller still waits and that have not started (for `/metrics`).
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }

    /// Starts `threads` (at least one) threads named after `name`, taking at most
    /// `queue` waiting jobs. They end when the last clone of the pool is dropped.
    pub fn new(name: &str, threads: usize, queue: usize) -> AppResult<Workers> {
        let limit = queue.max(1);
        let (jobs, queue) = crossbeam_channel::bounded::<Job>(limit * 4);
        for i in 0..threads.max(1) {
            let queue: Receiver<Job> = queue.clone();
            std::thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || queue.iter().for_each(|job| job()))
                .map_err(|e| AppError::Internal(format!("cannot start {name} threads: {e}")))?;
        }
        Ok(Workers {
            jobs,
            waiting: Arc::new(AtomicUsize::new(0)),
            limit,
        })
    }

    /// Runs `f` on one of the pool's threads once it is free. A panic in `f` becomes an
    /// internal error of this request; the thread goes on with the next job.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let busy = AppError::Busy {
            retry_after_secs: 1,
        };
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.limit {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(busy);
        }
        let place = Arc::new(Place {
            held: AtomicBool::new(true),
            waiting: self.waiting.clone(),
        });
        let _guard = PlaceGuard(place.clone());
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            place.give_up();
            // The receiver is gone when the request was dropped: nobody needs the result.
            if !done.is_closed() {
                let _ = done.send(catch_unwind(AssertUnwindSafe(f)));
            }
        });
        self.jobs.try_send(job).map_err(|e| match e {
            // Abandoned jobs fill the channel faster than the threads skip them.
            TrySendError::Full(_) => busy,
            TrySendError::Disconnected(_) => {
                AppError::Internal("the worker threads have stopped".into())
            }
        })?;
        match result.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_)) => Err(AppError::Internal("a background job panicked".into())),
            Err(_) => Err(AppError::Internal("a background job was lost".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn jobs_return_their_results_and_a_panic_only_fails_its_own() {
        let pool = Workers::new("test", 1, 4).unwrap();
        assert_eq!(pool.run(|| 6 * 7).await.unwrap(), 42);
        let failed = pool.run(|| -> i32 { panic!("boom") }).await;
        assert!(matches!(failed, Err(AppError::Internal(_))));
        // The one thread survived the panic and takes the next job.
        assert_eq!(pool.run(|| "still here").await.unwrap(), "still here");
    }

    /// A full queue refuses at once; a job whose caller has gone frees its place in the
    /// queue at once and is never run.
    #[actix_web::test]
    async fn a_full_queue_refuses_and_abandoned_jobs_are_skipped() {
        use futures_util::FutureExt;
        use std::sync::Barrier;
        let pool = Workers::new("test", 1, 2).unwrap();
        let ran = Arc::new(AtomicUsize::new(0));
        // The one thread is held until the barrier opens.
        let gate = Arc::new(Barrier::new(2));
        let gate_in_job = gate.clone();
        let mut held = Box::pin(pool.run(move || {
            gate_in_job.wait();
        }));
        // Polled once, the job is queued; wait until the thread has started it (and so
        // given up its place: an empty channel alone does not mean that yet).
        assert!(held.as_mut().now_or_never().is_none());
        while pool.waiting.load(Ordering::Acquire) > 0 {
            std::thread::yield_now();
        }
        // Two waiting jobs fill the queue.
        let mut waiting = Vec::new();
        for _ in 0..2 {
            let ran = ran.clone();
            let mut job = Box::pin(pool.run(move || {
                ran.fetch_add(1, Ordering::SeqCst);
            }));
            assert!(job.as_mut().now_or_never().is_none());
            waiting.push(job);
        }
        let busy = |r: AppResult<()>| {
            matches!(
                r,
                Err(AppError::Busy {
                    retry_after_secs: 1
                })
            )
        };
        assert!(busy(pool.run(|| ()).await), "a full queue answers busy");
        // Their callers give up: the places are free again while the thread is still
        // held, and a new job is taken.
        drop(waiting);
        let mut next = Box::pin(pool.run(|| 7));
        assert!(next.as_mut().now_or_never().is_none());
        gate.wait();
        held.await.unwrap();
        assert_eq!(next.await.unwrap(), 7);
        assert_eq!(ran.load(Ordering::SeqCst), 0, "abandoned jobs never ran");
    }
}
