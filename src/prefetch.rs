//! A hint to the processor to fetch memory about to be read: ingest
//! normalizes records parsed on other cores, and looks up messages in a
//! table larger than its cache, so waiting for memory was a large share of
//! its time.

/// Fetch the cache line at `address` into the cache; a no-op where the
/// target has no such hint.
#[inline]
pub(crate) fn prefetch(address: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing into the program and never faults,
    // whatever the address.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(address.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}
