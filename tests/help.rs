//! Every subcommand's `--help` ends with examples; this runs each of them.

#![allow(clippy::unwrap_used)]

mod util;
