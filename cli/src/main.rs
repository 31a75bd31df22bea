//! `morgue`: the command line. Parses arguments, opens the archive, runs one subcommand and maps
//! the outcome to an exit code: 0 success, 1 nothing found, 2 an error. A closed stdout
//! (`morgue list | head`) ends the command quietly with 0.

mod args;
mod docs;
mod eval;
mod export;
mod import;
mod list;
mod output;
mod plugins;
mod query;
mod reextract;
mod show;
mod stats;
mod tag;
mod verify;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::Parser;
use morgue_core::{Archive, OpenOptions};

use crate::args::{Cli, ColorChoice, Command};

/// Import and reindex allocate and free many small buffers on every core; mimalloc's
/// per-thread pools do that with far less contention than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What a command ended with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// It did what was asked.
    Success,
    /// A query or show found nothing.
    NotFound,
    /// Some inputs failed; what could be done was done.
    Failed,
    /// Stopped by Ctrl-C after saving what was done.
    Interrupted,
}

impl Status {
    fn code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::NotFound => 1,
            Status::Failed => 2,
            Status::Interrupted => 130,
        }
    }
}

/// Settings every command shares.
pub struct Ctx {
    /// The archive directory.
    pub archive_dir: PathBuf,
    /// `--quiet`.
    pub quiet: bool,
    /// Whether to colour stderr and TTY output.
    pub color: bool,
    /// `--wait`.
    pub wait: Option<Duration>,
}

impl Ctx {
    /// Opens and locks the archive; `create` for commands that may make a new one.
    pub fn open(&self, create: bool) -> Result<Archive> {
        let options = OpenOptions {
            create,
            wait: self.wait,
        };
        Ok(Archive::open(&self.archive_dir, &options)?)
    }

    /// Whether long work should draw a progress bar on stderr.
    pub fn progress(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }

    /// Prints a diagnostic line on stderr with a coloured prefix.
    pub fn note(&self, prefix: &str, message: &str) {
        let mut err = std::io::stderr().lock();
        let _ = if self.color {
            let code = match prefix {
                "error" | "failed" => "31",
                "warning" => "33",
                _ => "36",
            };
            writeln!(err, "\x1b[1;{code}m{prefix}:\x1b[0m {message}")
        } else {
            writeln!(err, "{prefix}: {message}")
        };
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stderr_tty = std::io::stderr().is_terminal();
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            stderr_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let ctx = Ctx {
        archive_dir: cli
            .archive
            .clone()
            .unwrap_or_else(|| PathBuf::from("morgue-archive")),
        quiet: cli.quiet,
        color,
        wait: cli.wait,
    };
    install_panic_note();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&ctx, cli.command)));
    let outcome = match outcome {
        Ok(outcome) => outcome,
        // The store library gave up on its own files: that is damage, reported as such.
        Err(_) if STORE_PANICKED.load(std::sync::atomic::Ordering::SeqCst) => {
            return ExitCode::from(2);
        }
        Err(panic) => std::panic::resume_unwind(panic),
    };
    match outcome {
        Ok(status) => ExitCode::from(status.code()),
        Err(e) if output::stdout_closed() || is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let mut message = e.to_string();
            for cause in e.chain().skip(1) {
                let cause = cause.to_string();
                if !message.contains(&cause) {
                    message.push_str(": ");
                    message.push_str(&cause);
                }
            }
            ctx.note("error", &message);
            ExitCode::from(2)
        }
    }
}

fn run(ctx: &Ctx, command: Command) -> Result<Status> {
    match command {
        Command::Import(args) => import::run(ctx, args),
        Command::List(args) => list::run(ctx, args),
        Command::Show(args) => show::run(ctx, args),
        Command::Query(args) => query::run(ctx, args),
        Command::Stats(args) => stats::run(ctx, args),
        Command::Export(args) => export::run(ctx, args),
        Command::Rm(args) => tag::rm(ctx, args),
        Command::Tag(args) => tag::run(ctx, args),
        Command::Eval(command) => eval::run(ctx, command),
        Command::Reextract(args) => reextract::run(ctx, args),
        Command::Reindex => reextract::reindex(ctx),
        Command::Compact => reextract::compact(ctx),
        Command::Verify(args) => verify::run(ctx, args),
        Command::Plugins(command) => plugins::run(ctx, command),
        Command::Completions(args) => docs::completions(args),
        Command::Man(args) => docs::man(ctx, args),
        Command::PluginHost(args) => plugins::host(ctx, args),
    }
}

/// Set when a panic came from inside the store library (sled), which it does on some damaged
/// files where it reads them.
static STORE_PANICKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A panic inside sled is damage to the archive's files, not a bug of ours: it is reported
/// with the way forward instead of sled's own message (an index out of bounds, say). Any
/// other panic is printed as usual.
fn install_panic_note() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_store = info.location().is_some_and(|l| l.file().contains("/sled-"));
        if in_store {
            STORE_PANICKED.store(true, std::sync::atomic::Ordering::SeqCst);
            eprintln!(
                "error: the archive's store could not read its own files ({}): they are damaged; run `morgue verify --repair`, and if that fails, restore the archive from a backup",
                info.location()
                    .map_or_else(String::new, |l| format!("{}:{}", l.file(), l.line()))
            );
        } else {
            default(info);
        }
    }));
}

/// Whether the error is a write to a closed pipe, which is how `| head` ends us.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<morgue_core::Error>()
                .is_some_and(morgue_core::Error::is_broken_pipe)
    })
}
