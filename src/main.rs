use std::process::ExitCode;

use clap::Parser;

// Workers allocate each event's text and the writer frees it: glibc's
// allocator serializes such cross-thread frees on an arena lock, mimalloc
// does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The `mi_option_t` value of mimalloc's purge delay (v2 and v3 alike),
/// which `libmimalloc-sys` does not name; the test below checks it
/// against the option's default.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed memory for reuse instead of handing it back to the system
/// and faulting it in again, zeroed, a moment later, and in small pages:
/// ingest allocates and frees each record's text at a high rate. With the
/// defaults, the kernel's zeroing of returned pages took 10 to 25 % of an
/// export's ingest time, and finding 2 MiB pages for the allocator's
/// transparent huge pages stalled some runs by a third of a second at
/// start (and doubled peak memory). Memory is held at its peak until the
/// process ends.
fn tune_allocator() {
    // SAFETY: a plain setter of mimalloc's option table, called before
    // any thread is started.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
    // mimalloc reads its own huge-page option only as it starts, before
    // `main`; the process's flag has the same effect from here on.
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes no pointers; a kernel without it
    // returns an error, which changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = factline::cli::Cli::parse();
    match factline::app::run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("factline: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option index names the option meant: the default of this
    /// mimalloc's `options.c`, purging after 1000 ms, is what it reads
    /// before it is set.
    #[test]
    fn the_allocator_option_is_the_one_meant() {
        // SAFETY: a read of mimalloc's option table.
        let delay = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 1000);
        tune_allocator();
        // SAFETY: as above.
        let delay = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, -1);
    }
}
