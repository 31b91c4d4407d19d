//! Embeds the shipped adapters: every models/adapters/<name>.toml with the GGUF file it names.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/adapters");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut manifests: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    manifests.sort();
    let mut code = String::from("&[\n");
    for manifest in manifests {
        println!("cargo:rerun-if-changed={}", manifest.display());
        let text = std::fs::read_to_string(&manifest).expect("adapter manifest is readable");
        let file = text
            .lines()
            .find_map(|l| {
                let (key, value) = l.split_once('=')?;
                (key.trim() == "file").then(|| value.trim().trim_matches('"').to_string())
            })
            .unwrap_or_else(|| panic!("{} names no `file`", manifest.display()));
        let gguf = dir.join(&file);
        assert!(
            gguf.exists(),
            "{} names {file}, which is not in models/adapters",
            manifest.display()
        );
        println!("cargo:rerun-if-changed={}", gguf.display());
        writeln!(
            code,
            "    ({:?}, include_str!({:?}), include_bytes!({:?})),",
            manifest.file_name().unwrap().to_string_lossy(),
            manifest.display().to_string(),
            gguf.display().to_string()
        )
        .unwrap();
    }
    code.push(']');
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("adapters.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
