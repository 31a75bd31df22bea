//! The index's value decoders (`core/src/index.rs`): postings (plain and bit-packed document
//! parts), document tables, sequence-number lists and postings keys give `Err` on damaged
//! bytes, never a panic; what decodes encodes to a value that decodes the same; the streaming
//! readers (`for_each_doc`, `decode_docs`) agree with `decode_postings`; and stepping over
//! positions (`skip_varints`) lands where reading them does.
//!
//! The first byte picks the decoder; the rest is the value.

#![no_main]

use libfuzzer_sys::fuzz_target;
use morgue_core::index::{self, DocList};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, value)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => postings(value),
        1 => {
            if let Ok(rows) = index::decode_table(value) {
                let encoded = index::encode_table(&rows);
                assert_eq!(index::decode_table(&encoded), Ok(rows));
            }
        }
        2 => {
            if let Ok(seqs) = index::decode_seqs(value) {
                let encoded = index::encode_seqs(&seqs);
                assert_eq!(index::decode_seqs(&encoded), Ok(seqs));
            }
        }
        _ => {
            if let Some((segment, field, term)) = index::split_key(value) {
                assert_eq!(index::postings_key(segment, field, term), value);
            }
        }
    }
});

fn postings(value: &[u8]) {
    let decoded = index::decode_postings(value);

    let mut visited = Vec::new();
    let streamed = index::for_each_doc(value, |doc, freq| visited.push((doc, freq)));
    let mut list = DocList::default();
    let listed = index::decode_docs(value, &mut list);
    assert_eq!(streamed, listed);
    if let Ok(positions) = streamed {
        assert_eq!(list.docs.len(), visited.len());
        assert!(
            list.docs
                .iter()
                .zip(&list.freqs)
                .eq(visited.iter().map(|(d, f)| (d, f)))
        );
        // Read the positions of every document, and step over them, from the same start.
        let (mut read, mut skipped) = (positions, positions);
        let mut all_read = true;
        for &(_, freq) in &visited {
            let mut out = Vec::new();
            if index::read_positions(&mut read, freq, Some(&mut out)).is_err() {
                assert!(decoded.is_err(), "{decoded:?}");
                all_read = false;
                break;
            }
            assert_eq!(out.len(), freq as usize);
            index::read_positions(&mut skipped, freq, None).expect("skip what was read");
            assert_eq!(
                read.len(),
                skipped.len(),
                "skipping lands where reading does"
            );
        }
        if all_read {
            assert_eq!(decoded.is_ok(), read.is_empty(), "{decoded:?}");
        }
    } else {
        assert!(decoded.is_err());
    }

    if let Ok(postings) = decoded {
        assert!(
            postings
                .iter()
                .zip(&visited)
                .all(|(p, &(doc, freq))| { p.doc == doc && p.positions.len() == freq as usize })
        );
        // The plain and the packed layout both read back as what was written.
        let encoded = index::encode_postings(&postings);
        assert_eq!(index::decode_postings(&encoded), Ok(postings));
    }
}
