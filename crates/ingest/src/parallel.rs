//! Per-record parsing spread over several threads, results kept in input order.
//! Records are independent, so a chunk is cut into one contiguous run per thread.
//!
//! Opt-in (see `FileReader::set_threads`): parsing is allocation-bound, and measured on
//! 2 cores a second thread costs about a third more CPU per record (frees that cross
//! threads, waiting for the slower half), CPU that the store's writer may need more.

/// Below this many records per thread, spawning costs more than it saves.
const MIN_PER_THREAD: usize = 256;

/// `items.iter().map(f).collect()`, on up to `threads` scoped threads; the calling
/// thread takes the first run. A panic in `f` is re-raised here.
pub(crate) fn map_ordered<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(items.len() / MIN_PER_THREAD).max(1);
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let per_thread = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let rest: Vec<_> = items[per_thread..]
            .chunks(per_thread)
            .map(|run| scope.spawn(move || run.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out: Vec<R> = Vec::with_capacity(items.len());
        out.extend(items[..per_thread].iter().map(f));
        for handle in rest {
            match handle.join() {
                Ok(results) => out.extend(results),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}
