//! Incremental sync fuzzed as an editor would send it: random LSP ranges in UTF-8 or UTF-16
//! over text with multi-byte and astral characters, CRLF, lone CR and U+2028, ranges past
//! the end of a line or of the file; checked against a naive splice of the text, positions
//! in both encodings, and a fresh parse.

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use ropey::Rope;
use tower_lsp_server::gen_lsp_types::{
    Position, Range, TextDocumentContentChangeEvent, TextDocumentContentChangePartial,
    TextDocumentContentChangeWholeDocument,
};

use super::apply_changes;
use crate::document::Document;
use crate::document::testing::{assert_points_match, assert_same_tree, fresh_tree};
use crate::language::{Language, LanguageRegistry};
use crate::lsp::position::{Encoding, offset_at, position_at};

/// A line of the naive model: where its text starts and ends (before its line break).
struct Line {
    start: usize,
    end: usize,
}

/// LSP's lines, found the obvious way: broken by `\n`, `\r\n` or a `\r` alone.
fn lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let break_len = match (bytes[i], bytes.get(i + 1)) {
            (b'\r', Some(b'\n')) => 2,
            (b'\r' | b'\n', _) => 1,
            _ => 0,
        };
        if break_len > 0 {
            lines.push(Line { start, end: i });
            start = i + break_len;
            i = start;
        } else {
            i += 1;
        }
    }
    lines.push(Line {
        start,
        end: text.len(),
    });
    lines
}

fn units(c: char, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => c.len_utf8(),
        Encoding::Utf16 => c.len_utf16(),
    }
}

/// The byte offset LSP means by `pos`: clamped to the line's end, snapped back to the start
/// of a character it falls inside; None for a line past the end (but the one just after the
/// last, at character 0, which is the end of the text).
fn naive_offset(text: &str, pos: Position, enc: Encoding) -> Option<usize> {
    let lines = lines(text);
    let Some(line) = lines.get(pos.line as usize) else {
        return (pos.line as usize == lines.len() && pos.character == 0).then_some(text.len());
    };
    let mut counted = 0;
    for (i, c) in text[line.start..line.end].char_indices() {
        if counted + units(c, enc) > pos.character as usize {
            return Some(line.start + i);
        }
        counted += units(c, enc);
    }
    Some(line.end)
}

fn naive_position(text: &str, offset: usize, enc: Encoding) -> Position {
    let lines = lines(text);
    let line = lines.iter().rposition(|l| l.start <= offset).unwrap();
    let counted: usize = text[lines[line].start..offset]
        .chars()
        .map(|c| units(c, enc))
        .sum();
    Position::new(line as u32, counted as u32)
}

const FRAGMENTS: &[&str] = &[
    "x",
    "ab",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\u{2028}",
    "é",
    "中文",
    "😀",
    "𝕏",
    "🦀🦀",
    "(",
    ")",
    "{",
    "}",
    "\"",
    "#",
    "//",
    ":",
    ";",
    "def f(a):\n    return a\n",
    "fn g() {}\r\n",
    "let s = \"😀\";\n",
];

const SOURCES: &[(&str, &str)] = &[
    ("python", "def f(x):\r\n    return x  # 😀\n\nY = 'é'\r"),
    (
        "javascript",
        "const a = `中文 ${b}`;\r\nfunction g() {\n  return 1;\n}\n",
    ),
    (
        "typescript",
        "let n: number = 1; // \u{2028} here\nexport {};\n",
    ),
    ("tsx", "export const A = () => <b>𝕏</b>;\r\n"),
    ("rust", "fn main() {\r\n    let s = \"🦀\";\r\n}\r\n"),
    ("go", "package main\n\nfunc f() int { return 1 } // ü\r"),
];

fn random_text(rng: &mut StdRng) -> String {
    (0..rng.random_range(0..=3))
        .map(|_| FRAGMENTS[rng.random_range(0..FRAGMENTS.len())])
        .collect()
}

/// A position an editor might send: usually inside the text, sometimes past a line's end, on
/// the line after the last, far past the end, or in the middle of a surrogate pair.
fn random_position(rng: &mut StdRng, text: &str, enc: Encoding) -> Position {
    let lines = lines(text);
    let far = usize::from(rng.random_bool(0.05));
    let line = rng.random_range(0..lines.len() + 1 + far);
    let width = lines.get(line).map_or(0, |l| {
        text[l.start..l.end].chars().map(|c| units(c, enc)).sum()
    });
    let character = match rng.random_range(0..20) {
        0 => width + rng.random_range(1..4),
        1 => u32::MAX as usize,
        2 => 0,
        _ => rng.random_range(0..=width),
    };
    Position::new(line as u32, character as u32)
}

// `range_length` is deprecated but still a field to fill.
#[allow(deprecated)]
fn partial(range: Range, text: &str) -> TextDocumentContentChangeEvent {
    TextDocumentContentChangeEvent::TextDocumentContentChangePartial(
        TextDocumentContentChangePartial {
            range,
            range_length: None,
            text: text.to_owned(),
        },
    )
}

/// One random change, and the text after it (None when the client's range is not in the
/// document, which must be refused).
fn random_change(
    rng: &mut StdRng,
    text: &str,
    enc: Encoding,
) -> (TextDocumentContentChangeEvent, Option<String>) {
    let inserted = random_text(rng);
    if rng.random_bool(0.02) {
        let whole = TextDocumentContentChangeWholeDocument {
            text: inserted.clone(),
        };
        let change = TextDocumentContentChangeEvent::TextDocumentContentChangeWholeDocument(whole);
        return (change, Some(inserted));
    }
    let start = random_position(rng, text, enc);
    let end = if rng.random_bool(0.4) {
        start
    } else {
        random_position(rng, text, enc)
    };
    let (start, end) =
        if rng.random_bool(0.95) && (end.line, end.character) < (start.line, start.character) {
            (end, start)
        } else {
            (start, end)
        };
    let spliced = match (naive_offset(text, start, enc), naive_offset(text, end, enc)) {
        (Some(a), Some(b)) if a <= b => Some(format!("{}{inserted}{}", &text[..a], &text[b..])),
        _ => None,
    };
    (partial(Range::new(start, end), &inserted), spliced)
}

/// Every char boundary maps to the naive position and back (but the one inside a `\r\n`,
/// which no LSP position names).
fn assert_positions_round_trip(text: &str, rope: &Rope, context: &str) {
    for enc in [Encoding::Utf8, Encoding::Utf16] {
        for offset in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            if text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                continue;
            }
            let position = position_at(rope, offset, enc);
            assert_eq!(
                position,
                naive_position(text, offset, enc),
                "{context} {offset} {enc:?}"
            );
            assert_eq!(
                offset_at(rope, position, enc),
                Ok(offset),
                "{context} {offset} {enc:?}"
            );
        }
    }
}

fn language(id: &str) -> Arc<Language> {
    LanguageRegistry::builtin().get(id).unwrap()
}

#[test]
fn random_edit_sequences_keep_text_positions_and_tree_right() {
    let mut rng = StdRng::seed_from_u64(0x7379_6e63);
    let (mut batches, mut refused, mut tree_matches) = (0, 0, 0);
    for sequence in 0..2000 {
        let (id, source) = SOURCES[sequence % SOURCES.len()];
        let enc = [Encoding::Utf8, Encoding::Utf16][rng.random_range(0..2)];
        let language = language(id);
        let mut expected = source.to_owned();
        let mut document = Document::open(source, 0, Some(Arc::clone(&language)));
        for version in 1..=5 {
            let mut changes = Vec::new();
            let mut after = Some(expected.clone());
            for _ in 0..rng.random_range(1..=3) {
                let Some(text) = after.as_deref() else { break };
                let (change, spliced) = random_change(&mut rng, text, enc);
                changes.push(change);
                if let Some(spliced) = &spliced {
                    expected = spliced.clone();
                }
                after = spliced;
            }
            let context =
                format!("{id} {enc:?} sequence {sequence} version {version}: {changes:?}");
            let applied = apply_changes(&mut document, changes, version, enc);
            assert_eq!(applied.is_err(), after.is_none(), "{context}");
            refused += usize::from(applied.is_err());
            batches += 1;
            assert_eq!(document.text().to_string(), expected, "{context}");
            assert_eq!(document.version(), version);
            if sequence % 4 == 0 {
                assert_positions_round_trip(&expected, document.text(), &context);
            }
            let tree = document.tree().expect("a tree for text this small");
            assert_points_match(tree, &expected, &context);
            let fresh = fresh_tree(&language, &expected);
            // Error recovery depends on the edit history: trees with syntax errors on both
            // sides may differ inside their ERROR nodes.
            if !tree.root_node().has_error() || !fresh.root_node().has_error() {
                assert_same_tree(tree, &fresh, &context);
                tree_matches += 1;
            }
        }
    }
    assert_eq!(batches, 10_000);
    // The generator reaches both outcomes often enough to mean something.
    assert!(refused > 100, "{refused} batches refused");
    assert!(tree_matches > 1000, "{tree_matches} trees compared");
}

fn change(
    doc: &mut Document,
    version: i32,
    range: ((u32, u32), (u32, u32)),
    text: &str,
    enc: Encoding,
) -> Result<Option<usize>, String> {
    let range = Range::new(
        Position::new(range.0.0, range.0.1),
        Position::new(range.1.0, range.1.1),
    );
    apply_changes(doc, vec![partial(range, text)], version, enc)
}

#[test]
fn an_edit_after_an_emoji_on_the_same_line_lands_after_it() {
    // Servers that count chars or bytes for UTF-16 positions put this edit inside the emoji.
    let mut document = Document::open("s = '😀'\n", 0, Some(language("python")));
    let cursor = change(&mut document, 1, ((0, 7), (0, 7)), "x", Encoding::Utf16).unwrap();
    assert_eq!(document.text().to_string(), "s = '😀x'\n");
    assert_eq!(cursor, Some("s = '😀x".len()));
    change(&mut document, 2, ((0, 5), (0, 7)), "🦀", Encoding::Utf16).unwrap();
    assert_eq!(document.text().to_string(), "s = '🦀x'\n");
    // UTF-8 counts the emoji's four bytes.
    change(&mut document, 3, ((0, 9), (0, 10)), "", Encoding::Utf8).unwrap();
    assert_eq!(document.text().to_string(), "s = '🦀'\n");
}

#[test]
fn a_position_past_the_carriage_return_of_a_crlf_clamps_before_it() {
    // A client that counts `\r` as a character of the line names the point between `\r`
    // and `\n`; LSP clamps a character past the line's end to before its line break.
    let mut document = Document::open("ab\r\ncd\r\n", 0, Some(language("go")));
    change(&mut document, 1, ((0, 3), (0, 3)), "X", Encoding::Utf16).unwrap();
    assert_eq!(document.text().to_string(), "abX\r\ncd\r\n");
    change(&mut document, 2, ((0, 3), (1, 0)), "", Encoding::Utf16).unwrap();
    assert_eq!(document.text().to_string(), "abXcd\r\n");
    // A lone CR breaks the line too, and U+2028 does not.
    change(
        &mut document,
        3,
        ((0, 2), (0, 2)),
        "\r\u{2028}",
        Encoding::Utf16,
    )
    .unwrap();
    assert_eq!(document.text().to_string(), "ab\r\u{2028}Xcd\r\n");
    change(&mut document, 4, ((1, 1), (1, 2)), "", Encoding::Utf16).unwrap();
    assert_eq!(document.text().to_string(), "ab\r\u{2028}cd\r\n");
}

#[test]
fn a_change_outside_the_document_stops_its_batch_and_keeps_what_came_before() {
    let mut document = Document::open("one\ntwo\n", 0, Some(language("python")));
    let changes = vec![
        partial(Range::new(Position::new(0, 0), Position::new(0, 0)), "# "),
        partial(Range::new(Position::new(9, 0), Position::new(9, 1)), "lost"),
        partial(
            Range::new(Position::new(1, 0), Position::new(1, 0)),
            "never ",
        ),
    ];
    let error = apply_changes(&mut document, changes, 7, Encoding::Utf16).unwrap_err();
    assert!(error.contains("outside the document"), "{error}");
    assert_eq!(document.text().to_string(), "# one\ntwo\n");
    assert_eq!(document.version(), 7);
    let fresh = fresh_tree(&language("python"), "# one\ntwo\n");
    assert_same_tree(document.tree().unwrap(), &fresh, "after a refused change");
    let backwards = change(&mut document, 8, ((1, 2), (1, 0)), "", Encoding::Utf16);
    assert!(backwards.unwrap_err().contains("ends before it starts"));
}
