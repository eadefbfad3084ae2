//! A count of the work done by the loops that read beyond their own token or byte (searches
//! ahead, clause walks, scans over sentiment hits), so tests can check that it grows linearly
//! with the text on hostile input. Counted only in this crate's own tests: elsewhere `count`
//! compiles to nothing.

#[cfg(test)]
thread_local! {
    static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Records `steps` units of work (bytes or tokens read) on this thread.
#[inline(always)]
pub(crate) fn count(steps: usize) {
    #[cfg(test)]
    STEPS.with(|counted| counted.set(counted.get() + steps as u64));
    #[cfg(not(test))]
    let _ = steps;
}

/// The work counted on this thread since the last call.
#[cfg(test)]
pub(crate) fn take() -> u64 {
    STEPS.with(|counted| counted.replace(0))
}
