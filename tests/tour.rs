//! `examples/tour.sh`, the README's tour, run in a fresh folder: every line does what the README
//! says it does.

#![allow(clippy::unwrap_used)]

mod util;
