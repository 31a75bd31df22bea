//! Every subcommand's `--help` ends with examples; this runs each of them. Also checks the
//! generated documentation: `morgue completions SHELL` and `morgue man`.

#![allow(clippy::unwrap_used)]

mod util;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use util::{Run, corpus, library, morgue_bin};

/// `morgue ARGS` in `dir`, with no archive named and nothing from the environment that would
/// choose one.
fn morgue_in(dir: &Path, args: &[&str]) -> Run {
    Run(Command::new(morgue_bin())
        .args(args)
        .current_dir(dir)
        .env_remove("MORGUE_ARCHIVE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap())
}

/// The long help of `morgue PATH... --help`.
fn help(path: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut args = path.to_vec();
    args.push("--help");
    let run = morgue_in(dir.path(), &args);
    run.assert_code(0);
    run.stdout()
}

/// The names in the `Commands:` section of a help text (not `help`), in order.
fn listed_commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // A command's line starts with two spaces; a wrapped description is indented further.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .filter(|name| name != "help")
        .collect()
}

/// Every visible command below the top, as the help texts list them: `import`, ...,
/// `plugins`, `plugins add`, ...
fn all_commands() -> Vec<String> {
    fn walk(path: &[&str], out: &mut Vec<String>) {
        for name in listed_commands(&help(path)) {
            let mut sub = path.to_vec();
            sub.push(&name);
            out.push(sub.join(" "));
            walk(&sub, out);
        }
    }
    let mut out = Vec::new();
    walk(&[], &mut out);
    out
}

/// The example lines of a help text: everything after a line `Examples:`, each line
/// `  morgue ...` (with an optional `# comment`), returned without the indent.
fn examples(command: &str, help: &str) -> Vec<String> {
    let Some((_, section)) = help.split_once("\nExamples:\n") else {
        panic!("`morgue {command} --help` has no Examples: section:\n{help}");
    };
    let lines: Vec<&str> = section.trim_end().lines().collect();
    for line in &lines {
        assert!(
            line.starts_with("  morgue "),
            "`morgue {command} --help`: {line:?} in Examples: is not `  morgue ...` (wrapped?)"
        );
        // Help is wrapped at 100 columns at most (`max_term_width`); a longer line would break.
        assert!(
            line.chars().count() <= 100,
            "`morgue {command} --help`: {line:?} is wider than 100 columns"
        );
    }
    assert!(
        (2..=3).contains(&lines.len()),
        "`morgue {command} --help` has {} examples, not 2 or 3:\n{section}",
        lines.len()
    );
    lines.iter().map(|l| l.trim().to_owned()).collect()
}

/// The order the examples run in, one archive for all of them: commands that need what others
/// make come after those (`import backup.jsonl` after `export`, `plugins info readtime` after
/// `plugins add`), and the ones that take things away (`plugins remove`, `rm`) come last.
/// Every command the help lists must be here.
const ORDER: &[&str] = &[
    "list",
    "show",
    "query",
    "stats",
    "export",
    "import",
    "tag",
    "plugins add",
    "plugins list",
    "plugins info",
    "plugins verify",
    "plugins",
    "eval extraction",
    "eval",
    "reextract",
    "reindex",
    "compact",
    "verify",
    "completions",
    "man",
    "plugins remove",
    "rm",
];

/// A scratch folder laid out the way the examples expect, as in a checkout beside `shared/`:
///
/// ```text
/// TMP/shared -> the real ../shared   TMP/work (current directory; ./morgue-archive)
/// TMP/work/target/debug/libmorgue_example_readtime.so (a copy)   TMP/home ($HOME)
/// ```
struct Scratch {
    tmp: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let tmp = tempfile::tempdir().unwrap();
        let shared = corpus().parent().unwrap().canonicalize().unwrap();
        std::os::unix::fs::symlink(shared, tmp.path().join("shared")).unwrap();
        let debug = tmp.path().join("work/target/debug");
        std::fs::create_dir_all(&debug).unwrap();
        let lib = library("morgue_example_readtime");
        std::fs::copy(&lib, debug.join(lib.file_name().unwrap())).unwrap();
        // The folders the completion examples write into exist on a set-up machine.
        for dir in [
            ".local/share/bash-completion/completions",
            ".zfunc",
            ".config/fish/completions",
        ] {
            std::fs::create_dir_all(tmp.path().join("home").join(dir)).unwrap();
        }
        Scratch { tmp }
    }

    fn work(&self) -> PathBuf {
        self.tmp.path().join("work")
    }

    /// Runs one shell line in `work/` as a user would type it.
    fn bash(&self, line: &str) -> Run {
        let path = format!(
            "{}:{}",
            morgue_bin().parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Run(Command::new("bash")
            .arg("-c")
            .arg(line)
            .current_dir(self.work())
            .env("PATH", path)
            .env("HOME", self.tmp.path().join("home"))
            .env("NO_COLOR", "1")
            .env_remove("MORGUE_ARCHIVE")
            .stdin(Stdio::null())
            .output()
            .unwrap())
    }
}

#[test]
fn every_command_has_examples_and_they_run() {
    let commands = all_commands();
    let mut listed = commands.clone();
    listed.sort();
    let mut ordered: Vec<String> = ORDER.iter().map(|c| c.to_string()).collect();
    ordered.sort();
    assert_eq!(
        listed, ordered,
        "the commands `morgue --help` lists and ORDER in tests/help.rs differ"
    );
    for expected in ["completions", "man", "plugins add", "plugins verify"] {
        assert!(commands.iter().any(|c| c == expected), "{commands:?}");
    }

    // Read every help text before running anything, so a missing section fails at once.
    let plan: Vec<(&str, Vec<String>)> = ORDER
        .iter()
        .map(|&command| {
            let path: Vec<&str> = command.split(' ').collect();
            let examples = examples(command, &help(&path));
            let own = format!("morgue {command} ");
            assert!(
                examples.iter().any(|e| e.starts_with(&own)),
                "no example of `morgue {command}` runs it: {examples:?}"
            );
            (command, examples)
        })
        .collect();

    let scratch = Scratch::new();
    let started = Instant::now();
    for setup in [
        "morgue import ../shared/corpus/bbc/*/",
        "morgue import ../shared/corpus/samples/us-urged-twitter-iran.txt --tag iran",
        "morgue reindex",
    ] {
        let run = scratch.bash(setup);
        run.assert_code(0);
    }
    eprintln!("setup: {:.1?}", started.elapsed());

    let mut failures = Vec::new();
    for (command, examples) in &plan {
        for line in examples {
            let started = Instant::now();
            let run = scratch.bash(line);
            eprintln!("{:>7.2?}  {line}", started.elapsed());
            if run.code() != 0 || run.stderr().contains("error:") {
                failures.push(format!(
                    "`morgue {command} --help`: {line}\nexit {}\nstdout:\n{}\nstderr:\n{}",
                    run.code(),
                    run.stdout().chars().take(2000).collect::<String>(),
                    run.stderr()
                ));
            }
        }
    }
    eprintln!("all: {:.1?}", started.elapsed());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // What the docs examples write stayed inside the scratch folder's $HOME.
    let home = scratch.tmp.path().join("home");
    for file in [
        ".local/share/bash-completion/completions/morgue",
        ".local/share/man/man1/morgue-import.1",
    ] {
        let len = std::fs::metadata(home.join(file)).map_or(0, |m| m.len());
        assert!(len > 0, "{file} is missing or empty");
    }
}

#[test]
fn the_top_help_points_to_the_examples() {
    let top = help(&[]);
    assert!(top.contains("morgue <command> --help"), "{top}");
    assert!(top.to_lowercase().contains("examples"), "{top}");
    let commands = listed_commands(&top);
    for expected in ["completions", "man"] {
        assert!(commands.iter().any(|c| c == expected), "{commands:?}");
    }
    assert!(!top.contains("__plugin-host"), "{top}");
}

#[test]
fn completions_for_every_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = morgue_in(dir.path(), &["completions", shell]);
        run.assert_code(0);
        let script = run.stdout();
        assert!(script.len() > 1000, "{shell}: {script}");
        for name in ["import", "reextract", "plugins", "verify", "completions"] {
            assert!(script.contains(name), "{shell}: no {name}");
        }
        // The hidden command is not offered; help text may still mention it (`--isolation`).
        assert_eq!(
            script.matches("__plugin-host").count(),
            script.matches("morgue __plugin-host").count(),
            "{shell} offers the hidden command"
        );
        assert_eq!(run.stderr(), "", "{shell}");
    }
    let bash = morgue_in(dir.path(), &["completions", "bash"]).stdout();
    assert!(bash.contains("_morgue"), "{bash}");
    assert!(bash.contains("complete"), "{bash}");
    // Neither docs command opens or creates an archive.
    assert!(!dir.path().join("morgue-archive").exists());

    let bad = morgue_in(dir.path(), &["completions", "tcsh"]);
    bad.assert_code(2);
    assert!(bad.stderr().contains("bash"), "{}", bad.stderr());
}

#[test]
fn man_prints_roff() {
    let dir = tempfile::tempdir().unwrap();
    let top = morgue_in(dir.path(), &["man"]);
    top.assert_code(0);
    let page = top.stdout();
    assert!(page.starts_with(".TH") || page.starts_with(".ie"), "{page}");
    assert!(page.contains("\n.TH morgue 1"), "{page}");
    assert!(page.contains("morgue"), "{page}");
    assert!(page.contains("import"), "{page}");
    assert!(!page.contains("__plugin"), "{page}");
    assert_eq!(top.stderr(), "");

    let import = morgue_in(dir.path(), &["man", "import"]);
    import.assert_code(0);
    let page = import.stdout();
    assert!(page.contains("\n.TH morgue-import 1"), "{page}");
    assert!(
        page.contains("\n.SH NAME\nmorgue\\-import \\- Archive files"),
        "{page}"
    );
    assert!(page.contains("\n.SH EXAMPLES\n"), "{page}");
    assert!(page.contains("\\-\\-exclude"), "{page}");

    // A nested command by its words or by its page name.
    let words = morgue_in(dir.path(), &["man", "plugins", "add"]);
    words.assert_code(0);
    assert!(
        words.stdout().contains("\n.TH morgue-plugins-add 1"),
        "{}",
        words.stdout()
    );
    let named = morgue_in(dir.path(), &["man", "plugins-add"]);
    named.assert_code(0);
    assert_eq!(words.stdout(), named.stdout());
    assert!(!dir.path().join("morgue-archive").exists());
}

#[test]
fn man_out_writes_a_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let run = morgue_in(dir.path(), &["man", "--out", "pages/man1"]);
    run.assert_code(0);
    let mut expected: Vec<String> = all_commands()
        .iter()
        .map(|c| format!("morgue-{}.1", c.replace(' ', "-")))
        .collect();
    expected.push("morgue.1".into());
    expected.sort();
    let mut written: Vec<String> = std::fs::read_dir(dir.path().join("pages/man1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    assert_eq!(written, expected);
    for page in ["morgue.1", "morgue-import.1", "morgue-plugins-add.1"] {
        assert!(written.iter().any(|w| w == page), "{written:?}");
    }
    let n = expected.len();
    assert!(
        run.stderr()
            .contains(&format!("wrote {n} man pages to pages/man1")),
        "{}",
        run.stderr()
    );
    assert_eq!(run.stdout(), "");
    // The file holds what `morgue man import` prints.
    let import = std::fs::read_to_string(dir.path().join("pages/man1/morgue-import.1")).unwrap();
    assert_eq!(import, morgue_in(dir.path(), &["man", "import"]).stdout());

    // One command and the ones below it; --quiet says nothing.
    let quiet = morgue_in(
        dir.path(),
        &["man", "plugins", "--out", "plugins", "--quiet"],
    );
    quiet.assert_code(0);
    assert_eq!(quiet.stderr(), "");
    let mut written: Vec<String> = std::fs::read_dir(dir.path().join("plugins"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "morgue-plugins-add.1",
            "morgue-plugins-info.1",
            "morgue-plugins-list.1",
            "morgue-plugins-remove.1",
            "morgue-plugins-verify.1",
            "morgue-plugins.1"
        ]
    );
    assert!(!dir.path().join("morgue-archive").exists());
}

#[test]
fn man_of_an_unknown_command_lists_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["man", "nosuch"][..], &["man", "plugins", "nosuch"]] {
        let run = morgue_in(dir.path(), args);
        run.assert_code(2);
        let err = run.stderr();
        assert!(err.contains("nosuch"), "{err}");
        for command in ["import", "plugins add", "completions", "man"] {
            assert!(err.contains(command), "{err}");
        }
        assert!(!err.contains("__plugin"), "{err}");
        assert_eq!(run.stdout(), "");
    }
}

#[test]
fn a_closed_stdout_ends_the_docs_commands_quietly() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["completions", "bash"][..], &["man"], &["man", "import"]] {
        let mut child = Command::new(morgue_bin())
            .args(args)
            .current_dir(dir.path())
            .env_remove("MORGUE_ARCHIVE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Closed before morgue writes anything.
        drop(child.stdout.take());
        let status = child.wait().unwrap();
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}");
    }
}
