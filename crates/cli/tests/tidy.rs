//! The house rules a reviewer would otherwise check by hand, kept by the suite:
//! every Rust file opens with a `//!` comment saying what it owns; only the crates
//! ARCHITECTURE.md names depend on the query engine and on the storage backends
//! (in what they ship; tests may use a real backend); the licence the crates
//! declare is the one at the repository root; the code is as `cargo fmt` leaves it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file below `dir`, build output left out.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() && name != "target" && !name.to_string_lossy().starts_with('.') {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_opens_with_what_it_owns() {
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    assert!(files.len() > 100, "found only {} files", files.len());
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            !first.starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(missing.is_empty(), "no `//!` opening: {missing:#?}");
}

/// Each crate's shipped dependencies (`[dependencies]` and target-specific ones):
/// crate directory → dependency names.
fn shipped_dependencies() -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("crates")).unwrap().flatten() {
        let manifest = entry.path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let doc: toml::Table = text.parse().unwrap();
        let mut names: Vec<String> = Vec::new();
        let mut add = |table: Option<&toml::Value>| {
            if let Some(t) = table.and_then(|t| t.as_table()) {
                names.extend(t.keys().cloned());
            }
        };
        add(doc.get("dependencies"));
        if let Some(targets) = doc.get("target").and_then(|t| t.as_table()) {
            for target in targets.values() {
                add(target.get("dependencies"));
            }
        }
        out.insert(entry.file_name().to_string_lossy().into_owned(), names);
    }
    out
}

#[test]
fn only_the_crates_architecture_names_ship_the_engine_and_the_backends() {
    let deps = shipped_dependencies();
    assert!(deps.len() >= 10, "{deps:?}");
    // The crates that do no I/O and have no async.
    let pure = [
        "domain", "text", "value", "metrics", "drivers", "charts", "demo",
    ];
    let io = [
        "tokio",
        "rusqlite",
        "tokio-postgres",
        "deadpool-postgres",
        "axum",
        "hyper",
        "reqwest",
        "datafusion",
    ];
    for krate in pure {
        let names = deps
            .get(krate)
            .unwrap_or_else(|| panic!("no crate {krate}"));
        let found: Vec<&String> = names.iter().filter(|n| io.contains(&n.as_str())).collect();
        assert!(found.is_empty(), "{krate} does no I/O, yet ships {found:?}");
    }
    let rules: [(&[&str], &[&str]); 2] = [
        // Only `analytics` depends on DataFusion / Arrow / Parquet.
        (&["datafusion", "arrow", "parquet"], &["analytics"]),
        // Only `cli` and `store-tests` name a backend crate.
        (
            &["throughline-store-sqlite", "throughline-store-postgres"],
            &["cli", "store-tests"],
        ),
    ];
    let mut broken = Vec::new();
    for (engine, allowed) in rules {
        for (krate, names) in &deps {
            let uses = names.iter().filter(|n| {
                engine
                    .iter()
                    .any(|e| n == e || n.starts_with(&format!("{e}-")))
            });
            for name in uses {
                if !allowed.contains(&krate.as_str()) {
                    broken.push(format!("{krate} depends on {name}"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "against ARCHITECTURE.md: {broken:?}");
}

#[test]
fn the_licence_at_the_root_is_the_one_the_crates_declare() {
    let workspace: toml::Table = std::fs::read_to_string(root().join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let declared = workspace["workspace"]["package"]["license"]
        .as_str()
        .unwrap();
    assert_eq!(declared, "Apache-2.0");
    let licence = std::fs::read_to_string(root().join("LICENSE")).expect("a LICENSE file");
    assert!(licence.contains("Apache License"), "LICENSE is not Apache");
    assert!(licence.contains("Version 2.0, January 2004"));
    assert!(licence.contains("END OF TERMS AND CONDITIONS"));
}

#[test]
fn the_code_is_formatted() {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["fmt", "--all", "--", "--check"])
        .current_dir(root())
        .output()
        .expect("cargo fmt runs");
    let diff = String::from_utf8_lossy(&out.stdout);
    let head: String = diff.lines().take(40).collect::<Vec<_>>().join("\n");
    assert!(
        out.status.success(),
        "cargo fmt --check:\n{head}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
