//! Names near the cursor, the definitions that explain them, imports and scope headers,
//! all found with the language's tree-sitter queries.

use std::collections::HashSet;
use std::ops::Range;
use std::time::{Duration, Instant};

use tree_sitter::{Node, Query, QueryCursor, QueryCursorOptions, StreamingIterator, Tree};

use super::{Snippet, TokenCounter};
use crate::language::Language;

/// Lines above the cursor whose names count as "near".
const NEAR_LINES: usize = 40;
/// Lines of a definition shown in a snippet (its signature and the start of its body).
const SNIPPET_LINES: usize = 12;
/// Names shorter than this are too common to look up.
const MIN_NAME_LEN: usize = 3;
/// Deepest node where a query match may start. Real definitions, imports and scopes lie far
/// shallower; without a limit a query walks every node of a pathologically deep tree
/// (100,000 nested brackets) at a cost that grows with the depth of each.
const MAX_MATCH_DEPTH: u32 = 128;
/// Longest one query may run; past it the matches found so far are used.
const QUERY_BUDGET: Duration = Duration::from_millis(50);

/// A definition found by the language's `definitions.scm` query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub name: String,
    /// Byte range of the whole definition in its file.
    pub range: Range<usize>,
    /// The definition's first lines.
    pub text: String,
}

/// Identifiers used in the lines above the cursor and on its line before it, nearest
/// first, without the word being typed (it is not complete yet).
pub fn names_near(text: &str, cursor: usize) -> Vec<String> {
    let start = text[..cursor]
        .rmatch_indices('\n')
        .nth(NEAR_LINES)
        .map_or(0, |(i, _)| i + 1);
    // The word being typed is not complete yet: leave it out.
    let region = text[start..cursor].trim_end_matches(is_ident_char);
    let words: Vec<&str> = region
        .split(|c: char| !is_ident_char(c))
        .filter(|w| w.len() >= MIN_NAME_LEN && !w.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    let mut seen = HashSet::new();
    words
        .into_iter()
        .rev()
        .filter(|w| seen.insert(*w))
        .map(str::to_string)
        .collect()
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// The definitions in a file, in file order.
pub fn definitions(text: &str, tree: &Tree, language: &Language) -> Vec<Definition> {
    let query = &language.definitions;
    let (Some(def), Some(name)) = (
        query.capture_index_for_name("definition"),
        query.capture_index_for_name("name"),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for_each_match(query, tree.root_node(), text, None, |captures| {
        let node = captures.iter().find(|(i, _)| *i == def).map(|(_, n)| *n);
        let name = captures.iter().find(|(i, _)| *i == name).map(|(_, n)| *n);
        if let (Some(node), Some(name)) = (node, name) {
            let range = line_start(text, node.start_byte())..node.end_byte();
            out.push(Definition {
                name: text[name.byte_range()].to_string(),
                text: first_lines(&text[range.clone()], SNIPPET_LINES),
                range,
            });
        }
    });
    out.sort_by_key(|d| d.range.start);
    out.dedup_by_key(|d| d.range.start);
    out
}

/// Byte ranges of the import statements, in file order.
pub fn imports(text: &str, tree: &Tree, language: &Language) -> Vec<Range<usize>> {
    let query = &language.imports;
    let Some(import) = query.capture_index_for_name("import") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for_each_match(query, tree.root_node(), text, None, |captures| {
        for (i, node) in captures {
            if *i == import {
                out.push(node.byte_range());
            }
        }
    });
    out.sort_by_key(|r| r.start);
    out.dedup();
    out
}

/// Headers (from the line start to the body) of the scopes that enclose `cursor`, outermost first.
///
/// A cursor after trailing whitespace lies past the end of the node it is typing in,
/// so scopes are found around the last non-blank character before it.
pub fn scope_headers(
    text: &str,
    tree: &Tree,
    language: &Language,
    cursor: usize,
) -> Vec<Range<usize>> {
    let query = &language.scopes;
    let (Some(scope), Some(body)) = (
        query.capture_index_for_name("scope"),
        query.capture_index_for_name("body"),
    ) else {
        return Vec::new();
    };
    let probe = text[..cursor].trim_end().len().saturating_sub(1);
    let mut out = Vec::new();
    let within = Some(probe..probe + 1);
    for_each_match(query, tree.root_node(), text, within, |captures| {
        let node = captures.iter().find(|(i, _)| *i == scope).map(|(_, n)| *n);
        let body = captures.iter().find(|(i, _)| *i == body).map(|(_, n)| *n);
        if let (Some(node), Some(body)) = (node, body)
            && node.byte_range().contains(&probe)
            && body.start_byte() <= cursor
        {
            out.push(line_start(text, node.start_byte())..body.start_byte());
        }
    });
    out.sort_by_key(|r| r.start);
    out.dedup();
    out
}

/// Snippets for the names near the cursor, within `budget` tokens.
///
/// Nearer names win the budget, but the chosen snippets are returned in a stable order
/// (by path, then position) so that the prompt's start does not reshuffle as names come
/// and go.
pub fn select(
    candidates: &[(String, Definition)],
    names: &[String],
    budget: usize,
    count: TokenCounter,
) -> Vec<Snippet> {
    let mut chosen: Vec<&(String, Definition)> = Vec::new();
    let mut used = 0;
    for name in names {
        for candidate in candidates.iter().filter(|(_, d)| &d.name == name) {
            if chosen.iter().any(|c| std::ptr::eq(*c, candidate)) {
                continue;
            }
            let cost = count(&candidate.1.text) + 4;
            if used + cost <= budget {
                used += cost;
                chosen.push(candidate);
            }
        }
    }
    chosen.sort_by(|a, b| (&a.0, a.1.range.start).cmp(&(&b.0, b.1.range.start)));
    chosen
        .into_iter()
        .map(|(path, d)| Snippet {
            path: path.clone(),
            text: d.text.clone(),
        })
        .collect()
}

/// Runs `query` over `root` (only the nodes that overlap `within`, when given) and calls `f`
/// with each match's captures; bounded in depth and time (MAX_MATCH_DEPTH, QUERY_BUDGET).
fn for_each_match(
    query: &Query,
    root: Node,
    text: &str,
    within: Option<Range<usize>>,
    mut f: impl FnMut(&[(u32, Node)]),
) {
    let mut cursor = QueryCursor::new();
    cursor.set_max_start_depth(Some(MAX_MATCH_DEPTH));
    if let Some(range) = within {
        cursor.set_byte_range(range);
    }
    let deadline = Instant::now() + QUERY_BUDGET;
    let mut past_deadline = |_: &_| Instant::now() >= deadline;
    let options = QueryCursorOptions::new().progress_callback(&mut past_deadline);
    let mut matches = cursor.matches_with_options(query, root, text.as_bytes(), options);
    let mut captures = Vec::new();
    while let Some(m) = matches.next() {
        captures.clear();
        captures.extend(m.captures.iter().map(|c| (c.index, c.node)));
        f(&captures);
    }
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

fn first_lines(text: &str, n: usize) -> String {
    let end = text
        .match_indices('\n')
        .nth(n - 1)
        .map_or(text.len(), |(i, _)| i);
    text[..end].trim_end().to_string()
}
