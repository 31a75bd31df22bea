//! The query parser (`core/src/query.rs`): any input gives a query or an error, never a panic;
//! an error's position lies within the query and renders; a parsed query's normalised form
//! (its `Display`) parses back to the same tree; and every leaf can be analysed.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use morgue_core::analysis::Analyzer;
use morgue_core::query::{self, Query};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    match query::parse(input) {
        Ok(parsed) => {
            let shown = parsed.to_string();
            match query::parse(&shown) {
                Ok(again) => assert_eq!(again, parsed, "{input:?} shown as {shown:?}"),
                // The normalised form spells out every AND and OR and wraps them in
                // parentheses, so it can pass the length or depth limit the input kept to.
                Err(e) => assert!(
                    shown.len() > query::MAX_QUERY_BYTES || e.expected.starts_with("at most "),
                    "{input:?} shown as {shown:?} does not parse back: {e}"
                ),
            }
            static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
            let analyzer = ANALYZER.get_or_init(Analyzer::english);
            visit(&parsed, &mut |leaf| {
                let _ = leaf.analysed(analyzer);
            });
        }
        Err(e) => {
            assert!(e.at <= input.chars().count(), "{input:?}: {e}");
            let rendered = e.render(input);
            assert!(rendered.ends_with('^'), "{input:?}: {rendered:?}");
        }
    }
});

/// Calls `f` on every node of the tree.
fn visit(query: &Query, f: &mut dyn FnMut(&Query)) {
    f(query);
    match query {
        Query::Field { query, .. } | Query::Not(query) => visit(query, f),
        Query::And(clauses) | Query::Or(clauses) => {
            for clause in clauses {
                visit(clause, f);
            }
        }
        Query::Term(_) | Query::Phrase(_) | Query::Prefix(_) | Query::Range(_) => {}
    }
}
