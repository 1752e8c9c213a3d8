//! Samples that must not be copied into this repository
//! (fixtures/SOURCES.md) are read in place from `../shared/corpus`, beside
//! the checkout.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Once;

/// Set to `1` where the corpus is always present (CI): a missing corpus
/// then fails the tests that need it rather than letting them pass
/// without checking anything.
const REQUIRE: &str = "FACTLINE_REQUIRE_CORPUS";

/// The corpus folder, or `None` when it is missing, in which case the
/// caller skips its checks of `unchecked`. The skip is said once per test
/// binary, on the stderr handle itself: the harness would swallow an
/// `eprintln!` from a passing test.
pub fn corpus(unchecked: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"));
    if dir.is_dir() {
        return Some(dir);
    }
    let why = format!("{} not found; {unchecked} not checked", dir.display());
    assert!(
        std::env::var_os(REQUIRE).is_none_or(|v| v != "1"),
        "{why}, and {REQUIRE}=1 requires them"
    );
    static NOTE: Once = Once::new();
    NOTE.call_once(|| {
        // Nothing to do if stderr itself is gone.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: {why} (with {REQUIRE}=1 this fails)"
        );
    });
    None
}
