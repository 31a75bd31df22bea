//! `morgue completions` and `morgue man`: shell completion scripts and man pages, generated from
//! the clap definition in `args.rs` so they never drift from what the parser accepts. Neither
//! opens an archive.

use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use clap::{Command, CommandFactory};

use crate::args::{Cli, CompletionsArgs, ManArgs};
use crate::{Ctx, Status, output};

/// `morgue completions SHELL`: the script on stdout.
pub fn completions(args: CompletionsArgs) -> Result<Status> {
    let mut cmd = visible(&Cli::command());
    // clap_complete panics when a write fails, so the script is made in memory and written
    // through our stdout, which ends quietly on a closed pipe.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "morgue", &mut script);
    let mut out = output::stdout();
    out.write_all(&script)?;
    out.flush()?;
    Ok(Status::Success)
}

/// `Cli` as users see it. clap_complete offers every subcommand, hidden or not, and a clap
/// `Command` cannot give one up, so the top command is made again without the hidden ones
/// (`__plugin-host`). Only what completions read is carried over.
fn visible(cli: &Command) -> Command {
    let mut top = Command::new("morgue")
        .version(env!("CARGO_PKG_VERSION"))
        .propagate_version(cli.is_propagate_version_set())
        .subcommand_required(cli.is_subcommand_required_set())
        .arg_required_else_help(cli.is_arg_required_else_help_set())
        .args(cli.get_arguments().cloned())
        .subcommands(cli.get_subcommands().filter(|c| !c.is_hide_set()).cloned());
    if let Some(about) = cli.get_about() {
        top = top.about(about.clone());
    }
    if let Some(about) = cli.get_long_about() {
        top = top.long_about(about.clone());
    }
    top
}

/// One man page: the command and the words that name it (`["plugins", "add"]`).
struct Page {
    words: Vec<String>,
    cmd: Command,
}

impl Page {
    /// `morgue`, `morgue-import`, `morgue-plugins-add`: the page's name and file stem.
    fn name(&self) -> String {
        std::iter::once("morgue")
            .chain(self.words.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("-")
    }
}

/// The page of `cmd` and of every visible command below it, parents first.
fn pages(words: Vec<String>, cmd: &Command) -> Vec<Page> {
    let mut all = vec![Page {
        words: words.clone(),
        cmd: cmd.clone(),
    }];
    for sub in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
        let mut sub_words = words.clone();
        sub_words.push(sub.get_name().to_owned());
        all.extend(pages(sub_words, sub));
    }
    all
}

/// `morgue man [COMMAND...] [--out DIR]`.
pub fn man(ctx: &Ctx, args: ManArgs) -> Result<Status> {
    // Built, so every subcommand carries its full name (`morgue-plugins-add`) for its page's
    // title and NAME section; no `help` subcommand gets a page.
    let mut top = Cli::command()
        .bin_name("morgue")
        .disable_help_subcommand(true);
    top.build();
    let all = pages(Vec::new(), &top);
    // `plugins add`, `plugins-add` and `morgue-plugins-add` name the same page.
    let asked = args.command.join("-");
    let found = all
        .iter()
        .find(|p| asked.is_empty() || p.name() == asked || p.name() == format!("morgue-{asked}"));
    let Some(page) = found else {
        let known: Vec<String> = all.iter().skip(1).map(|p| p.words.join(" ")).collect();
        bail!(
            "no command {:?}; man pages are for morgue and: {}",
            args.command.join(" "),
            known.join(", ")
        );
    };
    let Some(dir) = args.out else {
        let mut out = output::stdout();
        render(&page.cmd, &mut out)?;
        out.flush()?;
        return Ok(Status::Success);
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let below = pages(page.words.clone(), &page.cmd);
    for page in &below {
        write_page(&dir, page)?;
    }
    if !ctx.quiet {
        eprintln!(
            "wrote {} to {}",
            output::count(below.len() as u64, "man page"),
            dir.display()
        );
    }
    Ok(Status::Success)
}

/// Writes `DIR/NAME.1`.
fn write_page(dir: &Path, page: &Page) -> Result<()> {
    let path = dir.join(format!("{}.1", page.name()));
    let mut roff = Vec::new();
    render(&page.cmd, &mut roff)?;
    std::fs::write(&path, roff).with_context(|| format!("cannot write {}", path.display()))
}

/// One page as roff: clap_mangen's page, with the text after the options (`after_long_help`)
/// set in sections of its own instead of clap_mangen's filled EXTRA paragraph: notes line by
/// line, and examples unfilled, so each stays one line and copies exactly as typed.
fn render(cmd: &Command, out: &mut dyn Write) -> io::Result<()> {
    let after = cmd
        .get_after_long_help()
        .or(cmd.get_after_help())
        .map(|s| s.to_string());
    let bare = cmd
        .clone()
        .after_help(None::<&'static str>)
        .after_long_help(None::<&'static str>);
    let mut roff = Vec::new();
    // The footer names the program, not the subcommand (`import 0.1.0`) as it would.
    clap_mangen::Man::new(bare)
        .source(concat!("morgue ", env!("CARGO_PKG_VERSION")))
        .render(&mut roff)?;
    let mut page = String::from_utf8_lossy(&roff).into_owned();
    if let Some(after) = after {
        let sections = after_sections(&after);
        // Before VERSION, where man pages keep their examples.
        match page.find("\n.SH VERSION") {
            Some(at) => page.insert_str(at + 1, &sections),
            None => page.push_str(&sections),
        }
    }
    out.write_all(page.as_bytes())
}

/// `after_long_help` as roff: lines before `Examples:` in NOTES, the examples in EXAMPLES.
fn after_sections(after: &str) -> String {
    let mut notes = Vec::new();
    let mut examples = Vec::new();
    let mut in_examples = false;
    for line in after.lines() {
        if line.trim() == "Examples:" {
            in_examples = true;
        } else if in_examples {
            examples.push(line.strip_prefix("  ").unwrap_or(line));
        } else if !line.trim().is_empty() {
            notes.push(line);
        }
    }
    let mut roff = String::new();
    if !notes.is_empty() {
        roff.push_str(".SH NOTES\n");
        let lines: Vec<String> = notes.iter().map(|l| escape(l)).collect();
        roff.push_str(&lines.join("\n.br\n"));
        roff.push('\n');
    }
    if !examples.is_empty() {
        roff.push_str(".SH EXAMPLES\n.nf\n");
        for line in examples {
            roff.push_str(&escape(line));
            roff.push('\n');
        }
        roff.push_str(".fi\n");
    }
    roff
}

/// A line of text for roff, so it prints as written: `-` as a minus sign (not a hyphen), `'`,
/// `` ` ``, `~` and `^` as their ASCII selves, `\` as a backslash, and no leading `.` or `'`
/// that would make it a request. `\*(Aq` is defined by the preamble clap_mangen writes.
fn escape(line: &str) -> String {
    let mut s = String::with_capacity(line.len() + 8);
    if line.starts_with(['.', '\'']) {
        s.push_str("\\&");
    }
    for c in line.chars() {
        match c {
            '\\' => s.push_str("\\e"),
            '-' => s.push_str("\\-"),
            '\'' => s.push_str("\\*(Aq"),
            '`' => s.push_str("\\(ga"),
            '~' => s.push_str("\\(ti"),
            '^' => s.push_str("\\(ha"),
            c => s.push(c),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The subcommands below `cmd` that users see, with their paths.
    fn visible_commands(path: &str, cmd: &Command, out: &mut Vec<(String, Command)>) {
        for sub in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
            let path = format!("{path} {}", sub.get_name()).trim().to_owned();
            out.push((path.clone(), sub.clone()));
            visible_commands(&path, sub, out);
        }
    }

    #[test]
    fn every_command_ends_with_two_or_three_examples() {
        let mut all = Vec::new();
        visible_commands("", &Cli::command(), &mut all);
        assert!(all.len() > 15, "{}", all.len());
        for (path, cmd) in all {
            let after = cmd
                .get_after_long_help()
                .map(|s| s.to_string())
                .unwrap_or_default();
            let examples = after
                .strip_prefix("Examples:\n")
                .unwrap_or_else(|| panic!("`morgue {path}` has no examples"));
            let lines: Vec<&str> = examples.lines().collect();
            assert!((2..=3).contains(&lines.len()), "{path}: {lines:?}");
            for line in lines {
                assert!(line.starts_with("  morgue "), "{path}: {line:?}");
            }
        }
    }

    #[test]
    fn completions_leave_out_only_the_hidden_commands() {
        let cli = Cli::command();
        let names = |cmd: &Command| -> Vec<String> {
            cmd.get_subcommands()
                .map(|c| c.get_name().to_owned())
                .collect()
        };
        let all = names(&cli);
        let shown = names(&visible(&cli));
        assert!(all.contains(&"__plugin-host".to_owned()));
        let expected: Vec<String> = all.into_iter().filter(|n| n != "__plugin-host").collect();
        assert_eq!(shown, expected);
        let args = |cmd: &Command| -> Vec<String> {
            cmd.get_arguments()
                .map(|a| a.get_id().to_string())
                .collect()
        };
        assert_eq!(args(&visible(&cli)), args(&cli));
        visible(&cli).debug_assert();
    }

    #[test]
    fn examples_become_unfilled_roff() {
        let roff = after_sections(
            "Examples:\n  morgue query 'tele*' --limit 5   # a prefix\n  morgue man > ~/x.1",
        );
        assert_eq!(
            roff,
            ".SH EXAMPLES\n.nf\nmorgue query \\*(Aqtele*\\*(Aq \\-\\-limit 5   # a prefix\n\
             morgue man > \\(ti/x.1\n.fi\n"
        );
        assert_eq!(
            after_sections("A note.\n.dot `x`\n"),
            ".SH NOTES\nA note.\n.br\n\\&.dot \\(gax\\(ga\n"
        );
    }
}
