//! End-to-end tests of how `morgue import DIR` walks a directory: hidden entries, archives
//! found inside it, and `--exclude`.

#![allow(clippy::unwrap_used)]

mod util;
