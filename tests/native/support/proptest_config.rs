//! The proptest settings shared by the fuzz-style tests: a default case count
//! that `PROPTEST_CASES` overrides, and no failure files written into the tree.
use proptest::prelude::ProptestConfig;

pub fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
