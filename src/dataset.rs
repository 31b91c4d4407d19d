//! Training examples made the way the server prompts: `nib dataset`.
//!
//! Each example is a document with a hole at a cursor, turned into a prompt by the
//! same code a real request goes through ([`Completer::prompt_for`]), and the text
//! that was in the hole (the "middle"). Two kinds of hole, as users meet them:
//! the rest of a line being typed, and the body of a block just opened.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::bench::corpus::Rng;
use crate::completion::{Completer, Request};
use crate::context::indent_width;
use crate::document::Document;
use crate::engine::CancelFlag;
use crate::language::LanguageRegistry;

/// Most lines a block hole spans.
const MAX_BLOCK_LINES: usize = 8;
/// Files larger than this are skipped (generated code, data).
const MAX_FILE_BYTES: usize = 100 << 10;
/// Other files of the same package open beside the one with the hole, for snippets.
const OPEN_BESIDE: usize = 12;

/// What to make.
#[derive(Debug, Clone)]
pub struct Options {
    /// Package folders: every source file in each becomes examples, the package's other
    /// files are the open buffers snippets come from.
    pub packages: Vec<PathBuf>,
    pub seed: u64,
    /// Holes per file.
    pub per_file: usize,
    /// Share of holes that are block bodies (the rest are line ends), 0..1.
    pub block_share: f64,
    /// Share of holes with nothing after them, as when writing at the end of a file, 0..1.
    pub end_share: f64,
    /// Share of line holes cut at the line's start (after its indentation), as after
    /// Enter, where users wait most; the others are cut at any character. 0..1.
    pub line_start_share: f64,
}

/// One training example.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Example {
    pub prompt: String,
    pub middle: String,
    /// `line` or `block`.
    pub kind: &'static str,
    /// The file the hole is in, relative to its package folder.
    pub file: String,
}

/// A document with a hole: the text without the middle, the cursor where it was taken out.
#[derive(Debug, Clone, PartialEq)]
pub struct Hole {
    pub text: String,
    pub cursor: usize,
    pub middle: String,
    pub kind: &'static str,
}

/// Makes examples for every package, calling `emit` for each; returns how many.
pub async fn run(
    options: &Options,
    completer: &Completer,
    mut emit: impl FnMut(&Example) -> std::io::Result<()>,
) -> anyhow::Result<usize> {
    let registry = LanguageRegistry::builtin();
    let mut rng = Rng::new(options.seed);
    let mut made = 0;
    for package in &options.packages {
        let files = source_files(package, registry)?;
        for (i, (path, text)) in files.iter().enumerate() {
            let language = registry.detect(None, &path.to_string_lossy());
            let others: Vec<_> = nearest(&files, i, OPEN_BESIDE)
                .into_iter()
                .map(|(other, text)| {
                    let language = registry.detect(None, &other.to_string_lossy());
                    let uri = format!("file:///{}", other.display());
                    (uri, Document::open(text, 0, language).snapshot())
                })
                .collect();
            let uri = format!("file:///{}", path.display());
            // With `signatures` on, prompts show the framework's signatures as a request
            // does once its packages are indexed: index them first (once a package), as
            // `nib eval` does, so that examples do not depend on timing.
            completer.index_signatures(&uri, &Document::open(text, 0, language.clone()).snapshot());
            let line = |rng: &mut Rng| line_hole(text, rng, options.line_start_share);
            for _ in 0..options.per_file {
                let block = chance(&mut rng, options.block_share);
                let hole = if block {
                    block_hole(text, &mut rng).or_else(|| line(&mut rng))
                } else {
                    line(&mut rng)
                };
                let Some(mut hole) = hole else { break };
                if chance(&mut rng, options.end_share) {
                    hole.text.truncate(hole.cursor);
                    hole.text.push('\n');
                }
                let request = Request {
                    uri: uri.clone(),
                    document: Document::open(&hole.text, 0, language.clone()).snapshot(),
                    others: others.clone(),
                    cursor: hole.cursor,
                    cancel: CancelFlag::default(),
                    caps: Default::default(),
                };
                let Some(prompt) = completer.prompt_for(&request)? else {
                    continue;
                };
                emit(&Example {
                    prompt,
                    middle: hole.middle,
                    kind: hole.kind,
                    file: path.display().to_string(),
                })?;
                made += 1;
            }
        }
    }
    Ok(made)
}

/// True with probability `share` (0..1, in thousandths).
fn chance(rng: &mut Rng, share: f64) -> bool {
    (rng.below(1000) as f64) < share * 1000.0
}

/// The package's source files nib knows the language of, sorted, with their text
/// (paths relative to the package).
pub fn source_files(
    package: &Path,
    registry: &LanguageRegistry,
) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    let mut folders = vec![package.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", folder.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            if registry.detect(None, &path.to_string_lossy()).is_none() {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if text.len() > MAX_FILE_BYTES || text.contains('\0') {
                continue;
            }
            let relative = path.strip_prefix(package).unwrap_or(&path).to_path_buf();
            out.push((relative, text));
        }
    }
    out.sort();
    Ok(out)
}

/// Up to `n` files other than `files[i]`, those in the same folder first.
fn nearest(files: &[(PathBuf, String)], i: usize, n: usize) -> Vec<(&Path, &str)> {
    let folder = files[i].0.parent();
    let mut others: Vec<(usize, &Path, &str)> = files
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .map(|(_, (p, t))| (usize::from(p.parent() != folder), p.as_path(), t.as_str()))
        .collect();
    others.sort_by_key(|(distance, path, _)| (*distance, *path));
    others.into_iter().take(n).map(|(_, p, t)| (p, t)).collect()
}

/// Line spans (start, end without the newline) of `text`.
fn lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('\n') {
        out.push((start, i));
        start = i + 1;
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// The rest of a line taken out at a random character of it, as if being typed; with
/// probability `line_start_share` the whole line after its indentation, as after Enter.
pub fn line_hole(text: &str, rng: &mut Rng, line_start_share: f64) -> Option<Hole> {
    let candidates: Vec<(usize, usize)> = lines(text)
        .into_iter()
        .filter(|&(s, e)| text[s..e].trim().len() >= 6)
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let (start, end) = candidates[rng.below(candidates.len())];
    let line = text[start..end].trim_end();
    let indent = line.len() - line.trim_start().len();
    // No draw when the share is 0, so that the holes of a seed stay those made before
    // the share existed.
    let col = if line_start_share > 0.0 && chance(rng, line_start_share) {
        indent
    } else {
        // A cut at any character boundary of the content, keeping at least one character out.
        let cuts: Vec<usize> = line
            .char_indices()
            .map(|(i, _)| i)
            .filter(|&i| i >= indent)
            .collect();
        cuts[rng.below(cuts.len())]
    };
    let cursor = start + col;
    Some(Hole {
        text: format!("{}{}", &text[..cursor], &text[end..]),
        cursor,
        middle: line[col..].to_string(),
        kind: "line",
    })
}

/// The body of a block (the lines indented under an opener line) taken out, with the
/// cursor on the empty, indented line where the body starts.
pub fn block_hole(text: &str, rng: &mut Rng) -> Option<Hole> {
    let spans = lines(text);
    let line = |k: usize| &text[spans[k].0..spans[k].1];
    let is_opener = |k: usize| {
        let l = line(k).trim_end();
        l.ends_with(':') || l.ends_with('{') || l.ends_with("=>") || l.ends_with('(')
    };
    let mut blocks = Vec::new();
    for k in 0..spans.len().saturating_sub(1) {
        if !is_opener(k) || line(k).trim().is_empty() {
            continue;
        }
        let opener = indent_width(line(k));
        let first = k + 1;
        if line(first).trim().is_empty() || indent_width(line(first)) <= opener {
            continue;
        }
        let end = (first..spans.len())
            .find(|&j| !line(j).trim().is_empty() && indent_width(line(j)) <= opener)
            .unwrap_or(spans.len());
        let mut last = end - 1;
        while last > first && line(last).trim().is_empty() {
            last -= 1;
        }
        if last + 1 - first <= MAX_BLOCK_LINES {
            blocks.push((first, last));
        }
    }
    if blocks.is_empty() {
        return None;
    }
    let (first, last) = blocks[rng.below(blocks.len())];
    let body_start = spans[first].0;
    let indent = line(first).len() - line(first).trim_start().len();
    let cursor = body_start + indent;
    let body_end = spans[last].1;
    Some(Hole {
        text: format!("{}{}", &text[..cursor], &text[body_end..]),
        cursor,
        middle: text[cursor..body_end].trim_end().to_string(),
        kind: "block",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PY: &str = "from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get(\"/\")\ndef root():\n    value = compute()\n    return {\"value\": value}\n\nprint(app)\n";

    #[test]
    fn a_line_hole_takes_out_the_rest_of_a_line() {
        for seed in 0..50 {
            let hole = line_hole(PY, &mut Rng::new(seed), 0.0).unwrap();
            assert!(!hole.middle.is_empty());
            // Putting the middle back gives the file again.
            let mut restored = hole.text.clone();
            restored.insert_str(hole.cursor, &hole.middle);
            assert_eq!(restored, PY);
            // The hole reaches the end of its line.
            assert!(hole.text[hole.cursor..].starts_with('\n'));
        }
    }

    #[test]
    fn a_line_start_share_cuts_lines_after_their_indentation() {
        let mut at_start = 0;
        for seed in 0..200 {
            let hole = line_hole(PY, &mut Rng::new(seed), 0.5).unwrap();
            let mut restored = hole.text.clone();
            restored.insert_str(hole.cursor, &hole.middle);
            assert_eq!(restored, PY);
            let before = &hole.text[..hole.cursor];
            let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
            if line.trim().is_empty() {
                at_start += 1;
                // The whole line's content is the middle.
                assert_eq!(hole.middle, hole.middle.trim());
            }
        }
        // About half (uniform cuts alone land there one time in twenty or so).
        assert!(
            (70..=140).contains(&at_start),
            "{at_start} of 200 at a line's start"
        );
        let always = line_hole(PY, &mut Rng::new(7), 1.0).unwrap();
        let before = &always.text[..always.cursor];
        assert!(
            before[before.rfind('\n').map_or(0, |i| i + 1)..]
                .trim()
                .is_empty()
        );
        // A share of 0 draws as before (a line, then a cut): a seed's holes stay the same.
        for seed in 0..20 {
            let mut a = Rng::new(seed);
            line_hole(PY, &mut a, 0.0).unwrap();
            let mut b = Rng::new(seed);
            b.below(2);
            b.below(2);
            assert_eq!(a.below(usize::MAX), b.below(usize::MAX));
        }
    }

    #[test]
    fn a_block_hole_takes_out_the_body_under_an_opener() {
        let hole = block_hole(PY, &mut Rng::new(1)).unwrap();
        assert_eq!(hole.kind, "block");
        assert_eq!(
            hole.middle,
            "value = compute()\n    return {\"value\": value}"
        );
        assert!(hole.text[..hole.cursor].ends_with("def root():\n    "));
        assert!(hole.text[hole.cursor..].starts_with("\n\nprint(app)"));
        assert_eq!(
            crate::context::mode(&hole.text, hole.cursor, None),
            crate::context::Mode::Block {
                opener_indent: 0,
                braces: false
            }
        );
    }

    #[test]
    fn files_without_blocks_fall_back_to_none() {
        assert!(block_hole("a = 1\nb = 2\n", &mut Rng::new(3)).is_none());
        assert!(line_hole("\n\n", &mut Rng::new(3), 0.5).is_none());
    }
}
