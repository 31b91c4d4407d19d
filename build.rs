//! Embeds the shipped adapters (every models/adapters/<name>.toml with the GGUF file it
//! names) and vocabularies (models/vocab/<name>.txt, lists of kept token ids).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/adapters");
    let manifests = files(&dir, "toml");
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
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("adapters.rs"), code).expect("OUT_DIR is writable");
    std::fs::write(out.join("vocabularies.rs"), vocabularies()).expect("OUT_DIR is writable");
}

/// `&[(file name, include_str!(path))]` of models/vocab/*.txt.
fn vocabularies() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/vocab");
    let lists = files(&dir, "txt");
    let mut code = String::from("&[\n");
    for list in lists {
        println!("cargo:rerun-if-changed={}", list.display());
        writeln!(
            code,
            "    ({:?}, include_str!({:?})),",
            list.file_name().unwrap().to_string_lossy(),
            list.display().to_string()
        )
        .unwrap();
    }
    code.push(']');
    code
}

/// The files of `dir` ending in `.ext`, sorted; cargo reruns the build when `dir` changes.
fn files(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == ext))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}
