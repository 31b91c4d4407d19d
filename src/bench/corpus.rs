//! The files a benchmark types through, and the lines it types.

use std::path::{Path, PathBuf};

/// One corpus file.
pub struct CorpusFile {
    pub name: String,
    pub language_id: &'static str,
    pub text: String,
}

/// A line to type: the document holds its first half; the rest is typed.
pub struct Target {
    /// 0-based line number.
    pub line: usize,
    /// Byte length of the line's part already there when typing starts.
    pub typed: usize,
}

/// The corpus files in `dir` (by extension: .py, .js, .ts, .rs, .go), in name order.
pub fn load(dir: &Path) -> std::io::Result<Vec<CorpusFile>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let Some(language_id) = path
            .extension()
            .and_then(|e| e.to_str())
            .and_then(language_id)
        else {
            continue;
        };
        files.push(CorpusFile {
            name: path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
            language_id,
            text: std::fs::read_to_string(&path)?,
        });
    }
    Ok(files)
}

fn language_id(extension: &str) -> Option<&'static str> {
    Some(match extension {
        "py" => "python",
        "js" => "javascript",
        "ts" => "typescript",
        "rs" => "rust",
        "go" => "go",
        _ => return None,
    })
}

/// `count` code lines of `text` worth typing (at least 16 characters, not comments),
/// spread over the file by a seeded choice.
pub fn targets(text: &str, count: usize, rng: &mut Rng) -> Vec<Target> {
    let candidates: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim();
            t.len() >= 16
                && t.is_ascii()
                && !["#", "//", "*", "/*", "\"\"\""]
                    .iter()
                    .any(|c| t.starts_with(c))
        })
        .collect();
    let mut chosen: Vec<usize> = Vec::new();
    while chosen.len() < count.min(candidates.len()) {
        let i = rng.below(candidates.len());
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    chosen.sort();
    chosen
        .into_iter()
        .map(|i| {
            let (line, text) = candidates[i];
            let indent = text.len() - text.trim_start().len();
            Target {
                line,
                typed: indent + (text.len() - indent) / 2,
            }
        })
        .collect()
}

/// A small seeded generator (xorshift64*): the same seed types the same lines with the same gaps.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_code_lines_cut_in_half_after_the_indent() {
        let text = "# a comment that is long enough\n    value = compute_total(items)\nx = 1\n";
        let targets = targets(text, 5, &mut Rng::new(7));
        assert_eq!(targets.len(), 1);
        assert_eq!(targets[0].line, 1);
        let line = text.lines().nth(1).unwrap();
        assert_eq!(&line[..targets[0].typed], "    value = comput");
    }

    #[test]
    fn the_same_seed_gives_the_same_choice() {
        let text: String = (0..50)
            .map(|i| format!("let value_{i} = compute({i});\n"))
            .collect();
        let a: Vec<usize> = targets(&text, 3, &mut Rng::new(1))
            .iter()
            .map(|t| t.line)
            .collect();
        let b: Vec<usize> = targets(&text, 3, &mut Rng::new(1))
            .iter()
            .map(|t| t.line)
            .collect();
        assert_eq!(a, b);
    }
}
