//! What the model sees: pure functions from a document, a cursor and a token budget
//! to a [`Context`].
//!
//! The prompt puts stable parts first (snippets from other files, then imports and
//! enclosing scope headers cut off above the window, then the file prefix), and the
//! window's first line only moves in steps of [`ANCHOR_LINES`], so that typing changes
//! only the end of the prompt and the engine can reuse its KV cache.

mod snippets;
mod window;

use std::ops::Range;

use tree_sitter::Tree;

use crate::language::{BlockStyle, Language};

pub use snippets::{Definition, definitions, imports, names_near};
pub use window::{ANCHOR_LINES, prefix_start, suffix_end};

/// Counts the tokens a text becomes.
pub type TokenCounter<'a> = &'a dyn Fn(&str) -> usize;

/// The document a suggestion is for.
pub struct Source<'a> {
    /// Path or URI, for snippet headers.
    pub path: &'a str,
    pub text: &'a str,
    /// A syntax tree of `text`, when the language is known and the file not too large.
    pub tree: Option<&'a Tree>,
    pub language: Option<&'a Language>,
}

/// How much context to gather.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Tokens for everything before the cursor (snippets, imports, scopes, prefix).
    pub tokens: usize,
    /// Bytes of text after the cursor to keep (used by post-processing).
    pub suffix_bytes: usize,
    /// Tokens of the text after the cursor shown to the model (FIM prompts); they come out
    /// of `tokens`. 0 for prompts without a suffix.
    pub suffix_tokens: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            tokens: 512,
            suffix_bytes: 2048,
            suffix_tokens: 0,
        }
    }
}

/// A piece of another file (or of this file, far above) that defines a name used near the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub path: String,
    pub text: String,
}

/// What kind of suggestion the cursor asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// The rest of the current line.
    Line,
    /// The body of the block opened on the line above, ending where the block ends.
    Block {
        /// Indentation width (columns) of the line that opened the block.
        opener_indent: usize,
        /// Brace-delimited languages may finish the block with its closing bracket.
        braces: bool,
    },
}

/// Everything the prompt is made of, in prompt order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub snippets: Vec<Snippet>,
    /// Imports and enclosing scope headers that lie above the prefix window.
    pub preamble: String,
    /// The file from the window start to the cursor.
    pub prefix: String,
    /// The file after the cursor, cut at a line end.
    pub suffix: String,
    /// The start of `suffix` that fits the budget's `suffix_tokens`, whole lines: what a
    /// FIM prompt shows. It depends only on the text after the cursor, so it stays the
    /// same while the user types.
    pub prompt_suffix: String,
    pub mode: Mode,
    /// The line comment token of the file's language (`#`, `//`).
    pub comment: String,
    /// The file's path, as snippet headers show paths.
    pub path: String,
}

/// Builds the context for a cursor at byte offset `cursor` of `source`.
///
/// `others` are definitions found in the other open buffers, with their paths.
/// The cursor must be on a char boundary of `source.text`.
pub fn build(
    source: &Source,
    cursor: usize,
    others: &[(String, Definition)],
    budget: Budget,
    count: TokenCounter,
) -> Context {
    let text = source.text;
    let suffix = &text[cursor..suffix_end(text, cursor, budget.suffix_bytes)];
    let prompt_suffix = lines_within(suffix, budget.suffix_tokens, count);
    let budget = Budget {
        tokens: budget.tokens.saturating_sub(count(prompt_suffix)).max(32),
        ..budget
    };
    let snippet_budget = budget.tokens / 4;
    let preamble_budget = budget.tokens / 8;

    let names = names_near(text, cursor);
    let mut candidates: Vec<(String, Definition)> = others.to_vec();

    let start_guess = prefix_start(text, cursor, budget.tokens - snippet_budget, count);
    if let (Some(tree), Some(language)) = (source.tree, source.language) {
        // Definitions of this file above the window are as useful as other files'.
        candidates.extend(
            definitions(text, tree, language)
                .into_iter()
                .filter(|d| d.range.end <= start_guess)
                .map(|d| (source.path.to_string(), d)),
        );
    }
    let snippets = snippets::select(&candidates, &names, snippet_budget, count);
    let used: usize = snippets.iter().map(|s| count(&s.text)).sum();

    let preamble = match (source.tree, source.language) {
        (Some(tree), Some(language)) if start_guess > 0 => preamble(
            text,
            tree,
            language,
            cursor,
            start_guess,
            preamble_budget,
            count,
        ),
        _ => String::new(),
    };
    let prefix_budget = budget
        .tokens
        .saturating_sub(used + count(&preamble))
        .max(16);
    let start = prefix_start(text, cursor, prefix_budget, count);

    Context {
        snippets,
        preamble,
        prefix: text[start..cursor].to_string(),
        suffix: suffix.to_string(),
        prompt_suffix: prompt_suffix.to_string(),
        mode: mode(text, cursor, source.language),
        comment: source
            .language
            .map_or_else(|| "#".to_string(), |l| l.line_comment.clone()),
        path: source.path.to_string(),
    }
}

/// The longest start of `text` made of whole lines that fits in `budget` tokens (the first
/// line alone is cut at a char boundary when it does not fit).
fn lines_within<'t>(text: &'t str, budget: usize, count: TokenCounter) -> &'t str {
    if budget == 0 {
        return "";
    }
    if count(text) <= budget {
        return text;
    }
    let ends: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
    let fitting = ends.partition_point(|&end| count(&text[..end]) <= budget);
    if fitting > 0 {
        return &text[..ends[fitting - 1]];
    }
    let line_end = ends.first().copied().unwrap_or(text.len());
    let mut cut = window::floor_char_boundary(text, (budget * 3).min(line_end));
    while cut > 0 && count(&text[..cut]) > budget {
        cut = window::floor_char_boundary(text, cut / 2);
    }
    &text[..cut]
}

/// Imports and the headers of the scopes around the cursor that start before `window_start`.
fn preamble(
    text: &str,
    tree: &Tree,
    language: &Language,
    cursor: usize,
    window_start: usize,
    budget: usize,
    count: TokenCounter,
) -> String {
    let mut pieces: Vec<Range<usize>> = snippets::imports(text, tree, language)
        .into_iter()
        .filter(|r| r.end <= window_start)
        .collect();
    pieces.extend(
        snippets::scope_headers(text, tree, language, cursor)
            .into_iter()
            .filter(|r| r.start < window_start)
            .map(|r| r.start..r.end.min(window_start)),
    );
    let mut out = String::new();
    let mut used = 0;
    for range in pieces {
        let piece = text[range].trim_end();
        let cost = count(piece) + 1;
        if used + cost > budget {
            break;
        }
        used += cost;
        out.push_str(piece);
        out.push('\n');
    }
    out
}

/// Whether only whitespace comes before `cursor` on its line: where the user waits after
/// Enter.
pub fn at_line_start(text: &str, cursor: usize) -> bool {
    let line = text[..cursor].rsplit('\n').next().unwrap_or("");
    line.chars().all(char::is_whitespace)
}

/// Indentation width in columns (a tab counts 4).
pub fn indent_width(line: &str) -> usize {
    line.chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum()
}

/// Line mode in the middle of a line; block mode on an empty line under a block opener.
pub fn mode(text: &str, cursor: usize, language: Option<&Language>) -> Mode {
    let line_start = text[..cursor].rfind('\n').map_or(0, |i| i + 1);
    if !text[line_start..cursor].trim().is_empty() {
        return Mode::Line;
    }
    let line_end = text[cursor..].find('\n').map_or(text.len(), |i| cursor + i);
    if !text[cursor..line_end].trim().is_empty() {
        return Mode::Line;
    }
    let Some(opener) = text[..line_start]
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
    else {
        return Mode::Line;
    };
    let trimmed = opener.trim_end();
    let style = language.map(|l| &l.blocks);
    let indent_opener = trimmed.ends_with(':') && !matches!(style, Some(BlockStyle::Braces));
    let brace_opener = ["{", "(", "[", "=>"].iter().any(|o| trimmed.ends_with(o));
    if indent_opener || brace_opener {
        Mode::Block {
            opener_indent: indent_width(opener),
            braces: brace_opener,
        }
    } else {
        Mode::Line
    }
}

#[cfg(test)]
mod tests;
