//! End-to-end tests of extractor plugins: the built-ins through dlopen, the example plugin, the
//! registry's hash pinning, and one broken fixture library per failure the host must survive.

#![allow(clippy::unwrap_used)]

mod util;

use std::ffi::OsStr;
use std::path::Path;

use util::{Dir, corpus, library, sha256_hex};

fn os(p: &Path) -> &OsStr {
    p.as_os_str()
}

/// An archive holding the three committed sample documents, extracted by the built-ins.
fn archive_with_documents() -> (Dir, Vec<u8>) {
    let dir = Dir::new();
    let sources = util::test_data().join("v1-sources");
    dir.run(&[OsStr::new("import"), os(&sources)])
        .assert_code(0);
    let export = dir.run(&["export"]);
    export.assert_code(0);
    (dir, export.0.stdout)
}

fn assert_unchanged(dir: &Dir, before: &[u8]) {
    let after = dir.run(&["export"]);
    after.assert_code(0);
    assert_eq!(after.0.stdout, before, "the archive's documents changed");
}

#[test]
fn builtins_are_listed_and_verify_through_dlopen() {
    let dir = Dir::new();
    let list = dir.run(&["plugins", "list"]);
    list.assert_code(0);
    let line = list
        .stdout()
        .lines()
        .find(|l| l.starts_with("structure "))
        .unwrap()
        .to_owned();
    assert!(line.contains(env!("CARGO_PKG_VERSION")), "{line}");
    assert!(
        line.contains("title: string") && line.contains("word_count: integer"),
        "{line}"
    );
    assert!(
        !dir.archive().exists(),
        "plugins list must not create an archive"
    );

    let verify = dir.run(&[
        OsStr::new("plugins"),
        OsStr::new("verify"),
        os(&library("morgue_builtins")),
    ]);
    verify.assert_code(0);
    let report: serde_json::Value = serde_json::from_str(&verify.stdout()).unwrap();
    assert_eq!(report["ok"], true);
    assert_eq!(report["extractors"][0]["name"], "structure");
    assert_eq!(
        report["sample_fields"]["title"],
        "Council approves new river bridge"
    );
}

#[test]
fn readtime_is_added_used_and_refused_once_changed() {
    let dir = Dir::new();
    let add = dir.run(&[
        OsStr::new("plugins"),
        OsStr::new("add"),
        os(&library("morgue_example_readtime")),
    ]);
    add.assert_code(0);
    assert!(
        add.stderr().contains("(readtime) with sha256"),
        "{}",
        add.stderr()
    );
    let sample = corpus().join("samples/us-urged-twitter-iran.txt");
    dir.run(&[OsStr::new("import"), os(&sample)]).assert_code(0);
    let id = sha256_hex(&std::fs::read(&sample).unwrap());
    let json: serde_json::Value =
        serde_json::from_str(&dir.run(&["show", &id, "--json"]).stdout()).unwrap();
    let minutes = json["fields"]["readtime.minutes"].as_f64().unwrap();
    assert!(minutes > 0.5 && minutes < 5.0, "{minutes}");
    assert_eq!(json["fields"]["readtime.question_headline"], false);
    assert_eq!(json["provenance"]["readtime.minutes"]["plugin"], "readtime");
    assert_eq!(json["provenance"]["readtime.minutes"]["version"], "0.1.0");
    let list = dir.run(&["plugins", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&list.stdout()).unwrap();
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "readtime" && r["sha256"].is_string())
    );

    // Flip one byte of the registered copy: the next command that loads plugins refuses it.
    let copy = dir.archive().join("plugins/libmorgue_example_readtime.so");
    let mut bytes = std::fs::read(&copy).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&copy, bytes).unwrap();
    let other = dir.write("other.txt", "Another headline\n\nAnother body.\n");
    let run = dir.run(&[OsStr::new("import"), os(&other)]);
    run.assert_code(2);
    assert!(
        run.stderr().contains("SHA-256 mismatch"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("libmorgue_example_readtime.so"),
        "{}",
        run.stderr()
    );
    assert_eq!(dir.stats()["documents"], 1, "nothing is imported");
    dir.run(&["reextract", "--all"]).assert_code(2);
    // Removing it lets imports go on.
    dir.run(&["plugins", "remove", "readtime"]).assert_code(0);
    dir.run(&[OsStr::new("import"), os(&other)]).assert_code(0);
    assert_eq!(dir.stats()["documents"], 2);
}

/// Libraries the host must refuse at `plugins add` (and `plugins verify`), each with its own
/// message, without touching the archive.
#[test]
fn broken_libraries_are_refused_with_specific_messages() {
    let cases = [
        (
            "morgue_fixture_abi_major",
            "built for plugin ABI 99.x, this morgue speaks ABI 1.x",
        ),
        ("morgue_fixture_abi_minor", "newer than this morgue's 1.0"),
        (
            "morgue_fixture_bad_magic",
            "not a morgue plugin (magic 0x0bad0bad0bad0bad",
        ),
        (
            "morgue_fixture_small_struct",
            "the library descriptor is 8 bytes, smaller than",
        ),
        (
            "morgue_fixture_no_symbol",
            "no `morgue_plugin_entry` symbol",
        ),
        (
            "morgue_fixture_bad_manifest",
            "invalid manifest: not valid manifest JSON",
        ),
        (
            "morgue_fixture_duplicate_names",
            "extractor name \"twin\" is used twice",
        ),
        (
            "morgue_fixture_panic_describe",
            "panicked in describe: fixture panics in manifest()",
        ),
        (
            "morgue_fixture_panic_create",
            "panicked in create: fixture panics in create",
        ),
    ];
    let (dir, before) = archive_with_documents();
    for (name, expected) in cases {
        let lib = library(name);
        let add = dir.run(&[OsStr::new("plugins"), OsStr::new("add"), os(&lib)]);
        add.assert_code(2);
        assert!(add.stderr().contains(expected), "{name}: {}", add.stderr());
        // A plugin's own panic hook may print where it panicked; morgue itself never panics.
        let morgue_panicked = add
            .stderr()
            .lines()
            .any(|l| l.contains("panicked at") && !l.contains("tests/fixtures"));
        assert!(!morgue_panicked, "{name}: {}", add.stderr());
        let verify = dir.run(&[OsStr::new("plugins"), OsStr::new("verify"), os(&lib)]);
        verify.assert_code(2);
        assert!(
            verify.stderr().contains(expected),
            "{name}: {}",
            verify.stderr()
        );
    }
    let list = dir.run(&["plugins", "list", "--json"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&list.stdout())
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2,
        "only the built-ins, structure and html, are listed"
    );
    assert_unchanged(&dir, &before);
}

#[test]
fn files_that_are_not_libraries_are_refused() {
    let dir = Dir::new();
    let random: Vec<u8> = (0u32..8192)
        .map(|i| (i.wrapping_mul(2654435761) >> 11) as u8)
        .collect();
    let cases = [
        (dir.write("random.so", random), "not a loadable library"),
        (
            dir.write("text.so", "this is a text file, not a library\n"),
            "not a loadable library",
        ),
        (dir.write("empty.so", ""), "not a loadable library"),
        (
            {
                std::fs::create_dir_all(dir.path().join("folder.so")).unwrap();
                dir.path().join("folder.so")
            },
            "it is a directory",
        ),
        (dir.path().join("missing.so"), "cannot read it"),
    ];
    for (path, expected) in cases {
        for verb in ["verify", "add"] {
            let run = dir.run(&[OsStr::new("plugins"), OsStr::new(verb), os(&path)]);
            run.assert_code(2);
            assert!(
                run.stderr().contains(expected),
                "{verb} {}: {}",
                path.display(),
                run.stderr()
            );
            assert!(
                run.stderr().contains(&path.display().to_string()),
                "{}",
                run.stderr()
            );
        }
    }
}

/// A registered plugin that panics in `describe` or `create` refuses the whole run before any
/// document is read. (`plugins add` refuses such libraries, so the registry is written by hand,
/// as it would be found after a plugin was replaced by a broken build of the same bytes. It
/// records the manifests the library declares, which are checked before `create` runs; the
/// one that panics in `describe` declares none.)
#[test]
fn a_plugin_that_panics_while_loading_refuses_the_run() {
    let panic_create = serde_json::json!([{
        "name": "panic-create",
        "version": "0.0.1",
        "description": "test fixture",
        "media_types": ["*/*"],
        "fields": [{"name": "panic-create.seen", "type": "bool", "required": false}],
        "requires": [],
    }]);
    for (name, stage, extractors) in [
        (
            "morgue_fixture_panic_describe",
            "describe",
            serde_json::json!([]),
        ),
        ("morgue_fixture_panic_create", "create", panic_create),
    ] {
        let (dir, before) = archive_with_documents();
        let lib = library(name);
        let file = lib.file_name().unwrap().to_str().unwrap().to_owned();
        let plugins = dir.archive().join("plugins");
        std::fs::create_dir_all(&plugins).unwrap();
        std::fs::copy(&lib, plugins.join(&file)).unwrap();
        let registry = serde_json::json!({"plugins": [{
            "file": file,
            "sha256": sha256_hex(&std::fs::read(&lib).unwrap()),
            "added_from": lib.display().to_string(),
            "added_at": "2026-01-01T00:00:00Z",
            "extractors": extractors,
        }]});
        std::fs::write(plugins.join("registry.json"), registry.to_string()).unwrap();
        let new = dir.write("new.txt", "New headline\n\nNew body.\n");
        for isolation in ["in-process", "process"] {
            let run = dir.run(&[
                OsStr::new("import"),
                OsStr::new("--isolation"),
                OsStr::new(isolation),
                os(&new),
            ]);
            run.assert_code(2);
            assert!(
                run.stderr().contains(&format!("panicked in {stage}")),
                "{isolation}: {}",
                run.stderr()
            );
            assert!(
                !run.stderr().contains("archived"),
                "no document may be touched: {}",
                run.stderr()
            );
        }
        dir.run(&["reextract", "--all"]).assert_code(2);
        assert_unchanged(&dir, &before);
    }
}

/// Plugins that fail while extracting: that document fails, the import goes on, and nothing
/// already archived changes.
#[test]
fn a_plugin_that_fails_in_extract_fails_only_its_documents() {
    let cases: [(&str, &[&str], &str); 6] = [
        (
            "morgue_fixture_panic_extract",
            &[],
            "extractor \"panic-extract\" failed: panicked: fixture panics in extract",
        ),
        (
            "morgue_fixture_missing_field",
            &[],
            "required field \"missing-field.score\" is missing",
        ),
        (
            "morgue_fixture_wrong_type",
            &[],
            "field \"wrong-type.count\" should be integer but is string",
        ),
        (
            "morgue_fixture_segfault",
            &["--isolation", "process"],
            "crashed with signal 11 (SIGSEGV)",
        ),
        (
            "morgue_fixture_abort",
            &["--isolation", "process"],
            "crashed with signal 6 (SIGABRT)",
        ),
        (
            "morgue_fixture_endless_loop",
            &["--isolation", "process", "--plugin-timeout", "1"],
            "timed out after 1 s",
        ),
    ];
    for (name, flags, expected) in cases {
        let (dir, before) = archive_with_documents();
        dir.run(&[OsStr::new("plugins"), OsStr::new("add"), os(&library(name))])
            .assert_code(0);
        let a = dir.write("new/a.txt", "First new headline\n\nFirst new body.\n");
        dir.write("new/b.txt", "Second new headline\n\nSecond new body.\n");
        let mut args: Vec<&OsStr> = vec![OsStr::new("import")];
        args.extend(flags.iter().map(OsStr::new));
        args.push(os(a.parent().unwrap()));
        let run = dir.run(&args);
        run.assert_code(2);
        let err = run.stderr();
        assert_eq!(
            err.matches(expected).count(),
            2,
            "{name}: both documents fail on their own: {err}"
        );
        assert_eq!(
            run.summary(),
            "archived 0, already archived 0, skipped 0, failed 2",
            "{name}"
        );
        assert_unchanged(&dir, &before);
        // Re-extraction with the broken plugin fails the same way and changes nothing.
        let mut args: Vec<&OsStr> = vec![OsStr::new("reextract"), OsStr::new("--all")];
        args.extend(flags.iter().map(OsStr::new));
        let run = dir.run(&args);
        run.assert_code(2);
        assert!(run.stderr().contains(expected), "{name}: {}", run.stderr());
        assert_unchanged(&dir, &before);
    }
}

#[test]
fn process_isolation_gives_the_same_fields() {
    let (dir, before) = archive_with_documents();
    let other = Dir::new();
    let sources = util::test_data().join("v1-sources");
    other
        .run(&[
            OsStr::new("import"),
            OsStr::new("--isolation"),
            OsStr::new("process"),
            os(&sources),
        ])
        .assert_code(0);
    let strip = |bytes: &[u8]| -> Vec<serde_json::Value> {
        std::str::from_utf8(bytes)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["source"].as_object_mut().unwrap().remove("imported_at");
                v
            })
            .collect()
    };
    assert_eq!(strip(&before), strip(&other.run(&["export"]).0.stdout));
    drop(dir);
}

#[test]
fn reextract_over_the_bbc_archive_keeps_raw_bytes() {
    let dir = Dir::new();
    let mut args = vec![OsStr::new("import").to_owned()];
    args.extend(util::bbc_dirs().into_iter().map(|p| p.into_os_string()));
    dir.run(&args).assert_code(0);
    let before = dir.run(&["export"]).0.stdout;
    let run = dir.run(&["reextract", "--plugin", "structure", "--all"]);
    run.assert_code(0);
    assert!(
        run.stderr().contains("re-extracted 2,127"),
        "{}",
        run.stderr()
    );
    let after = dir.run(&["export"]).0.stdout;
    let raws = |bytes: &[u8]| -> Vec<(String, serde_json::Value)> {
        std::str::from_utf8(bytes)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (v["id"].as_str().unwrap().to_owned(), v["raw"].clone())
            })
            .collect()
    };
    assert_eq!(raws(&before), raws(&after));
    assert_eq!(raws(&before).len(), 2127);
    let unknown = dir.run(&["reextract", "--plugin", "nope", "--all"]);
    unknown.assert_code(2);
    assert!(unknown.stderr().contains("no extractor is named nope"));
}

/// `plugins add`s the readtime example and returns the registry it wrote.
fn add_readtime(dir: &Dir) -> serde_json::Value {
    dir.run(&[
        OsStr::new("plugins"),
        OsStr::new("add"),
        os(&library("morgue_example_readtime")),
    ])
    .assert_code(0);
    let path = dir.archive().join("plugins/registry.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn write_registry(dir: &Dir, registry: &serde_json::Value) {
    std::fs::write(
        dir.archive().join("plugins/registry.json"),
        registry.to_string(),
    )
    .unwrap();
}

/// Runs an import of one new document both ways a run loads plugins, and `reextract --all`,
/// and checks each is refused (exit 2) before any document is touched, with a message holding
/// every one of `expected`.
#[track_caller]
fn assert_run_refused(dir: &Dir, before: &[u8], expected: &[&str]) {
    let new = dir.write("new.txt", "New headline\n\nNew body.\n");
    for isolation in ["in-process", "process"] {
        let run = dir.run(&[
            OsStr::new("import"),
            OsStr::new("--isolation"),
            OsStr::new(isolation),
            os(&new),
        ]);
        run.assert_code(2);
        for e in expected {
            assert!(
                run.stderr().contains(e),
                "{isolation}: {e:?}: {}",
                run.stderr()
            );
        }
        assert!(
            !run.stderr().contains("archived"),
            "no document may be touched: {}",
            run.stderr()
        );
    }
    let run = dir.run(&["reextract", "--all"]);
    run.assert_code(2);
    for e in expected {
        assert!(
            run.stderr().contains(e),
            "reextract: {e:?}: {}",
            run.stderr()
        );
    }
    assert_unchanged(dir, before);
}

/// A registry entry may only name a file inside `DIR/plugins/`: a path that climbs out of it, an
/// absolute path and a symbolic link leading out of it are refused even when the file they
/// reach has the pinned SHA-256.
#[test]
fn registry_entries_outside_the_plugins_folder_are_refused() {
    let (dir, before) = archive_with_documents();
    let mut registry = add_readtime(&dir);
    let lib = library("morgue_example_readtime");
    // Copies of the very library that was pinned, so only where they are is wrong.
    let beside = dir.archive().join("x.so");
    std::fs::copy(&lib, &beside).unwrap();
    let outside = dir.path().join("outside/x.so");
    std::fs::create_dir_all(outside.parent().unwrap()).unwrap();
    std::fs::copy(&lib, &outside).unwrap();
    std::os::unix::fs::symlink(&outside, dir.archive().join("plugins/link.so")).unwrap();
    let absolute = outside.display().to_string();
    for file in [
        "../x.so",
        "../../outside/x.so",
        absolute.as_str(),
        "link.so",
    ] {
        registry["plugins"][0]["file"] = file.into();
        write_registry(&dir, &registry);
        assert_run_refused(
            &dir,
            &before,
            &[
                "registry.json",
                &format!("{file:?}"),
                "morgue plugins remove readtime",
                "morgue plugins add",
            ],
        );
    }
}

/// `plugins remove` deletes only the entry's copy inside `DIR/plugins/`: an entry naming a file
/// anywhere else is dropped from the registry and no file is deleted.
#[test]
fn removing_a_hostile_entry_deletes_nothing_outside_the_plugins_folder() {
    let dir = Dir::new();
    let mut registry = add_readtime(&dir);
    let victim = dir.write("victim.so", "not to be deleted\n");
    let beside = dir.archive().join("victim.so");
    std::fs::write(&beside, "not to be deleted either\n").unwrap();
    let absolute = victim.display().to_string();
    for file in ["../../victim.so", "../victim.so", absolute.as_str()] {
        registry["plugins"][0]["file"] = file.into();
        write_registry(&dir, &registry);
        let run = dir.run(&["plugins", "remove", "readtime"]);
        run.assert_code(0);
        assert!(victim.exists(), "{file}: {} was deleted", victim.display());
        assert!(beside.exists(), "{file}: {} was deleted", beside.display());
        assert!(
            run.stderr().contains(&format!("{file:?}")),
            "{}",
            run.stderr()
        );
        assert!(run.stderr().contains("deleted no file"), "{}", run.stderr());
        let list = dir.run(&["plugins", "list", "--json"]);
        list.assert_code(0);
        assert!(!list.stdout().contains("readtime"), "{}", list.stdout());
    }
    // A link in the folder is deleted itself; what it points to stays.
    let link = dir.archive().join("plugins/link.so");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    registry["plugins"][0]["file"] = "link.so".into();
    write_registry(&dir, &registry);
    dir.run(&["plugins", "remove", "readtime"]).assert_code(0);
    assert!(victim.exists());
    assert!(link.symlink_metadata().is_err(), "the link stays");
}

/// `DIR/plugins` itself must be a folder inside the archive: when it is a link to a folder
/// elsewhere, even one holding a library and a registry that pins it, nothing there is loaded,
/// listed, written or deleted, and the error names the folder and the fix.
#[test]
fn a_plugins_folder_that_is_a_link_is_refused() {
    let (dir, before) = archive_with_documents();
    add_readtime(&dir);
    let plugins = dir.archive().join("plugins");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::rename(&plugins, &elsewhere).unwrap();
    let lib = elsewhere.join("libmorgue_example_readtime.so");
    let registry = std::fs::read(elsewhere.join("registry.json")).unwrap();
    let folder = plugins.display().to_string();
    let expected = [folder.as_str(), "is a symbolic link", "morgue plugins add"];
    for target in [elsewhere.clone(), "../elsewhere".into()] {
        std::os::unix::fs::symlink(&target, &plugins).unwrap();
        assert_run_refused(&dir, &before, &expected);
        for args in [
            &["plugins", "remove", "readtime"][..],
            &["plugins", "list"],
            &["plugins", "info", "readtime"],
        ] {
            let run = dir.run(args);
            run.assert_code(2);
            for e in expected {
                assert!(
                    run.stderr().contains(e),
                    "{args:?}: {e:?}: {}",
                    run.stderr()
                );
            }
        }
        let add = dir.run(&[
            OsStr::new("plugins"),
            OsStr::new("add"),
            os(&library("morgue_builtins")),
        ]);
        add.assert_code(2);
        assert!(add.stderr().contains(&folder), "{}", add.stderr());
        assert!(lib.exists(), "plugins remove deleted {}", lib.display());
        assert_eq!(
            std::fs::read(elsewhere.join("registry.json")).unwrap(),
            registry,
            "the registry elsewhere was rewritten"
        );
        assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 2);
        std::fs::remove_file(&plugins).unwrap();
    }
    // Moved back into the archive, the same folder is used again.
    std::fs::rename(&elsewhere, &plugins).unwrap();
    let new = dir.write("new.txt", "New headline\n\nNew body.\n");
    dir.run(&[OsStr::new("import"), os(&new)]).assert_code(0);
    dir.run(&["plugins", "remove", "readtime"]).assert_code(0);
}

/// What `plugins add` recorded about a library's extractors must still be what the library
/// declares when it is loaded; a library that declares something else is refused.
#[test]
fn a_library_that_declares_other_extractors_than_registered_is_refused() {
    let (dir, before) = archive_with_documents();
    let registered = add_readtime(&dir);
    let copy = dir.archive().join("plugins/libmorgue_example_readtime.so");

    let mut renamed = registered.clone();
    renamed["plugins"][0]["extractors"][0]["name"] = "wordclock".into();
    write_registry(&dir, &renamed);
    assert_run_refused(
        &dir,
        &before,
        &[
            &copy.display().to_string(),
            "\"wordclock\"",
            "\"readtime\"",
            "morgue plugins remove",
            "morgue plugins add",
        ],
    );

    let mut other_version = registered.clone();
    other_version["plugins"][0]["extractors"][0]["version"] = "9.9.9".into();
    write_registry(&dir, &other_version);
    assert_run_refused(&dir, &before, &[&copy.display().to_string(), "9.9.9"]);

    // Another library under the registered name, with its hash pinned in place of the old one.
    let swapped = library("morgue_fixture_panic_extract");
    std::fs::copy(&swapped, &copy).unwrap();
    let mut pinned = registered.clone();
    pinned["plugins"][0]["sha256"] = sha256_hex(&std::fs::read(&swapped).unwrap()).into();
    write_registry(&dir, &pinned);
    assert_run_refused(
        &dir,
        &before,
        &[
            &copy.display().to_string(),
            "\"panic-extract\"",
            "\"readtime\"",
        ],
    );
    dir.run(&["plugins", "remove", "readtime"]).assert_code(0);
    assert!(!copy.exists());
}

/// A registry that is not JSON, or not shaped like one, is refused with its path and the fix.
#[test]
fn a_malformed_registry_is_refused_with_the_fix() {
    let (dir, before) = archive_with_documents();
    let plugins = dir.archive().join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    for (text, what) in [
        ("{\"plugins\": [", "not valid JSON"),
        ("", "not valid JSON"),
        ("[]", "not shaped like a plugin registry"),
        (
            "{\"plugins\": [{\"file\": 3}]}",
            "not shaped like a plugin registry",
        ),
    ] {
        std::fs::write(plugins.join("registry.json"), text).unwrap();
        let expected = [
            &*plugins.join("registry.json").display().to_string(),
            what,
            "morgue plugins add",
        ];
        assert_run_refused(&dir, &before, &expected);
        let list = dir.run(&["plugins", "list"]);
        list.assert_code(2);
        for e in expected {
            assert!(list.stderr().contains(e), "{e:?}: {}", list.stderr());
        }
    }
}

/// Every entry pins a SHA-256: one without a hash, or with something else in its place, is
/// refused rather than loaded unchecked, and can still be removed.
#[test]
fn an_entry_without_a_sha256_is_refused() {
    let (dir, before) = archive_with_documents();
    let registered = add_readtime(&dir);
    for sha in [None, Some(""), Some("not hex"), Some("ABCDEF")] {
        let mut registry = registered.clone();
        let entry = registry["plugins"][0].as_object_mut().unwrap();
        match sha {
            None => drop(entry.remove("sha256")),
            Some(s) => drop(entry.insert("sha256".into(), s.into())),
        }
        write_registry(&dir, &registry);
        assert_run_refused(
            &dir,
            &before,
            &[
                "registry.json",
                "\"libmorgue_example_readtime.so\"",
                "no valid SHA-256",
                "morgue plugins remove readtime",
            ],
        );
    }
    dir.run(&["plugins", "remove", "readtime"]).assert_code(0);
}
