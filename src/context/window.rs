//! The prefix window before the cursor and the suffix after it.

use super::TokenCounter;

/// The window's first line is a multiple of this many lines, so it stays put while
/// the user types and the prompt's start (and the KV cache) stays valid.
pub const ANCHOR_LINES: usize = 32;

/// Most bytes per token a budget is assumed to cover before any counting (code
/// averages 3-4 bytes per token): keeps counting cheap on huge files.
const MAX_BYTES_PER_TOKEN: usize = 8;

/// Byte offset where the prefix window starts: the earliest line that is a multiple
/// of [`ANCHOR_LINES`] from which the text up to `cursor` fits in `budget` tokens.
///
/// When not even the cursor's own line fits, the window starts inside that line at
/// a whitespace boundary, so no token is cut in half.
pub fn prefix_start(text: &str, cursor: usize, budget: usize, count: TokenCounter) -> usize {
    let floor = floor_char_boundary(text, cursor.saturating_sub(budget * MAX_BYTES_PER_TOKEN));
    let line_starts = line_starts(text, cursor);
    // Anchored candidates, earliest first, that do not start before `floor`.
    let anchors: Vec<usize> = line_starts
        .iter()
        .enumerate()
        .filter(|(i, start)| i % ANCHOR_LINES == 0 && **start >= floor)
        .map(|(_, &s)| s)
        .collect();
    let fits = |start: usize| count(&text[start..cursor]) <= budget;
    // Token counts fall as the start moves down: find the first anchor that fits.
    let first_fit = anchors.partition_point(|&start| !fits(start));
    if let Some(&start) = anchors.get(first_fit) {
        return start;
    }
    // No anchor fits: take whole lines from the cursor upwards.
    let first_line = line_starts.partition_point(|&start| start < floor || !fits(start));
    if let Some(&start) = line_starts.get(first_line) {
        return start;
    }
    cut_inside_line(
        text,
        *line_starts.last().unwrap_or(&0).max(&floor),
        cursor,
        budget,
        count,
    )
}

/// Starts of the lines from the beginning of `text` up to the line holding `cursor`.
fn line_starts(text: &str, cursor: usize) -> Vec<usize> {
    std::iter::once(0)
        .chain(text[..cursor].match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// A start inside one long line: the first whitespace boundary after which the rest fits.
fn cut_inside_line(
    text: &str,
    line_start: usize,
    cursor: usize,
    budget: usize,
    count: TokenCounter,
) -> usize {
    let boundaries: Vec<usize> = text[line_start..cursor]
        .char_indices()
        .filter(|(_, c)| c.is_whitespace())
        .map(|(i, c)| line_start + i + c.len_utf8())
        .collect();
    let first = boundaries.partition_point(|&start| count(&text[start..cursor]) > budget);
    boundaries.get(first).copied().unwrap_or(cursor)
}

/// Byte offset where the suffix ends: at most `max_bytes` after the cursor, at a line end
/// (or the end of the text); at least the rest of the cursor's line when it is shorter.
pub fn suffix_end(text: &str, cursor: usize, max_bytes: usize) -> usize {
    if cursor + max_bytes >= text.len() {
        return text.len();
    }
    let limit = floor_char_boundary(text, (cursor + max_bytes).min(text.len()));
    let line_end = text[cursor..].find('\n').map_or(text.len(), |i| cursor + i);
    if line_end >= limit {
        return line_end.min(limit.max(cursor));
    }
    text[cursor..limit]
        .rfind('\n')
        .map_or(limit, |i| cursor + i)
}

/// The largest char boundary at or below `index`.
pub(crate) fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut i = index.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}
