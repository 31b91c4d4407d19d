//! Open documents: the text as a rope and its tree-sitter tree, kept current by incremental
//! edits, and the store that owns them.

mod parse;
pub mod uri;

use std::sync::Arc;
use std::time::Duration;

use dashmap::DashMap;
use ropey::Rope;
use tree_sitter::{InputEdit, Node, Point, TextProvider, Tree};

use crate::language::Language;

/// Above this size (bytes) a document keeps no tree: it is completed as plain text.
pub const MAX_PARSE_BYTES: usize = 2 * 1024 * 1024;

/// How long one parse may run before the document is treated as plain text, so that a
/// pathological file cannot stall its requests.
pub const PARSE_TIMEOUT: Duration = Duration::from_millis(500);

/// A byte-range replacement in the document's current text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ByteEdit {
    /// First replaced byte.
    pub start: usize,
    /// One past the last replaced byte (`start` for a pure insertion).
    pub end: usize,
    pub text: String,
}

/// An edit that does not fit the document's current text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("edit of bytes {start}..{end} does not fit the document's {len} bytes")]
    OutOfRange {
        start: usize,
        end: usize,
        len: usize,
    },
    #[error("edit boundary at byte {offset} falls inside a character")]
    NotCharBoundary { offset: usize },
}

/// One open document.
pub struct Document {
    text: Rope,
    /// None for plain text, binary or oversized documents, and after a parse timed out.
    tree: Option<Tree>,
    version: i32,
    language: Option<Arc<Language>>,
    /// NUL bytes in `text`; any makes the document binary.
    nul_bytes: usize,
    /// `\r` not followed by `\n`. While there are none, rope lines are tree-sitter rows.
    lone_crs: usize,
    /// The text changed since the last parse.
    stale: bool,
    /// A parse ran past PARSE_TIMEOUT; don't retry until the whole text is replaced.
    parse_gave_up: bool,
}

impl Document {
    /// A document with `text`, parsed from scratch when it has a language.
    pub fn open(text: &str, version: i32, language: Option<Arc<Language>>) -> Document {
        let mut document = Document {
            text: Rope::new(),
            tree: None,
            version,
            language,
            nul_bytes: 0,
            lone_crs: 0,
            stale: true,
            parse_gave_up: false,
        };
        document.replace_all(text);
        document.reparse();
        document
    }

    pub fn text(&self) -> &Rope {
        &self.text
    }

    /// The syntax tree; None when the document is plain text (no language, binary, larger than
    /// MAX_PARSE_BYTES, or its parse timed out).
    pub fn tree(&self) -> Option<&Tree> {
        self.tree.as_ref()
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn language(&self) -> Option<&Arc<Language>> {
        self.language.as_ref()
    }

    /// Whether the text contains a NUL byte; binary documents keep no tree.
    pub fn is_binary(&self) -> bool {
        self.nul_bytes > 0
    }

    /// Replaces `edit.start..edit.end` and edits the tree to match, without parsing: call
    /// finish_change after the batch.
    pub fn apply_edit(&mut self, edit: &ByteEdit) -> Result<(), DocumentError> {
        let len = self.text.len_bytes();
        let ByteEdit { start, end, .. } = *edit;
        if start > end || end > len {
            return Err(DocumentError::OutOfRange { start, end, len });
        }
        for offset in [start, end] {
            if self.text.char_to_byte(self.text.byte_to_char(offset)) != offset {
                return Err(DocumentError::NotCharBoundary { offset });
            }
        }
        // Points cost a scan of the text when it has lone `\r`s: only a tree needs them.
        let points = self
            .tree
            .is_some()
            .then(|| (self.point_at(start), self.point_at(end)));
        // A `\r` just before the edit may gain or lose the `\n` after it.
        let context_start = start.saturating_sub(1);
        let lone_crs_before = count_lone_crs(&self.text, context_start, end);
        let nul_bytes_before = count_nul_bytes(self.text.byte_slice(start..end).bytes());

        let start_char = self.text.byte_to_char(start);
        self.text.remove(start_char..self.text.byte_to_char(end));
        self.text.insert(start_char, &edit.text);

        let new_end = start + edit.text.len();
        self.lone_crs =
            self.lone_crs - lone_crs_before + count_lone_crs(&self.text, context_start, new_end);
        self.nul_bytes = self.nul_bytes - nul_bytes_before + count_nul_bytes(edit.text.bytes());
        if let (Some(tree), Some((start_position, old_end_position))) = (&mut self.tree, points) {
            tree.edit(&InputEdit {
                start_byte: start,
                old_end_byte: end,
                new_end_byte: new_end,
                start_position,
                old_end_position,
                new_end_position: point_after(start_position, &edit.text),
            });
        }
        self.stale = true;
        Ok(())
    }

    /// Replaces the whole text (full sync). The next finish_change parses it from scratch.
    pub fn replace_all(&mut self, text: &str) {
        self.text = Rope::from_str(text);
        self.nul_bytes = count_nul_bytes(text.bytes());
        self.lone_crs = count_lone_crs(&self.text, 0, self.text.len_bytes());
        self.tree = None;
        self.parse_gave_up = false;
        self.stale = true;
    }

    /// Makes the text `text` by one edit of the part that differs, so the tree is parsed
    /// again incrementally (for clients that send whole texts, like `/infill`'s), and sets
    /// `version` if it changed; returns whether it did.
    pub fn update_to(&mut self, text: &str, version: i32) -> bool {
        let old = self.text.to_string();
        if old == text {
            return false;
        }
        let (start, old_end, new_end) = changed_span(&old, text);
        let edit = ByteEdit {
            start,
            end: old_end,
            text: text[start..new_end].to_string(),
        };
        if self.apply_edit(&edit).is_err() {
            self.replace_all(text); // changed_span keeps to char boundaries; never expected
        }
        self.finish_change(version);
        true
    }

    /// Ends a batch of edits: sets the version and reparses, incrementally from the edited
    /// tree (from scratch only after replace_all, or when the text just became parseable).
    pub fn finish_change(&mut self, version: i32) {
        self.version = version;
        self.reparse();
    }

    /// A cheap copy for one request: ropes and trees share their nodes with the original.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            text: self.text.clone(),
            tree: self.tree.clone(),
            version: self.version,
            language: self.language.clone(),
        }
    }

    fn reparse(&mut self) {
        if !self.stale {
            return;
        }
        self.stale = false;
        let parseable =
            !self.parse_gave_up && !self.is_binary() && self.text.len_bytes() <= MAX_PARSE_BYTES;
        let old_tree = self.tree.take();
        let Some(language) = self.language.as_ref().filter(|_| parseable) else {
            return;
        };
        self.tree = parse::parse(
            &self.text,
            &language.grammar,
            old_tree.as_ref(),
            PARSE_TIMEOUT,
        );
        self.parse_gave_up = self.tree.is_none();
    }

    /// The tree-sitter point of `byte`: rows count `\n` only, columns count bytes.
    fn point_at(&self, byte: usize) -> Point {
        if self.lone_crs == 0 {
            // Lines break at `\n` or `\r\n` only, so rope lines are rows.
            let row = self.text.byte_to_line(byte);
            return Point::new(row, byte - self.text.line_to_byte(row));
        }
        let mut row = 0;
        let mut line_start = 0;
        for (i, b) in self.text.byte_slice(..byte).bytes().enumerate() {
            if b == b'\n' {
                row += 1;
                line_start = i + 1;
            }
        }
        Point::new(row, byte - line_start)
    }
}

/// A document's state for one request.
#[derive(Clone)]
pub struct Snapshot {
    pub text: Rope,
    pub tree: Option<Tree>,
    pub version: i32,
    pub language: Option<Arc<Language>>,
}

/// The open documents by URI. Each document is behind its own lock (a DashMap shard).
#[derive(Default)]
pub struct DocumentStore {
    documents: DashMap<String, Document>,
}

impl DocumentStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens `uri`, replacing any document already open there.
    pub fn open(&self, uri: &str, document: Document) {
        self.documents.insert(uri.to_owned(), document);
    }

    pub fn close(&self, uri: &str) {
        self.documents.remove(uri);
    }

    /// Runs `f` on the document under its lock; None for an unknown `uri`. `f` must not call
    /// back into the store (the lock covers other documents too).
    pub fn update<R>(&self, uri: &str, f: impl FnOnce(&mut Document) -> R) -> Option<R> {
        self.documents
            .get_mut(uri)
            .map(|mut document| f(&mut document))
    }

    pub fn snapshot(&self, uri: &str) -> Option<Snapshot> {
        self.documents.get(uri).map(|document| document.snapshot())
    }

    pub fn uris(&self) -> Vec<String> {
        self.documents
            .iter()
            .map(|entry| entry.key().clone())
            .collect()
    }

    /// Snapshots of every open document but `uri`.
    pub fn snapshots_except(&self, uri: &str) -> Vec<(String, Snapshot)> {
        self.documents
            .iter()
            .filter(|entry| entry.key() != uri)
            .map(|entry| (entry.key().clone(), entry.value().snapshot()))
            .collect()
    }
}

/// Gives tree-sitter queries a rope's text, for text predicates such as `#eq?`:
/// `cursor.matches(&query, root, RopeText(&snapshot.text))`.
pub struct RopeText<'a>(pub &'a Rope);

impl<'a> TextProvider<&'a [u8]> for RopeText<'a> {
    type I = std::iter::Map<ropey::iter::Chunks<'a>, fn(&'a str) -> &'a [u8]>;

    fn text(&mut self, node: Node) -> Self::I {
        let chunks = self.0.byte_slice(node.byte_range()).chunks();
        chunks.map(str::as_bytes as fn(&'a str) -> &'a [u8])
    }
}

/// The point where `text` ends when inserted at `start`.
fn point_after(start: Point, text: &str) -> Point {
    match text.rfind('\n') {
        None => Point::new(start.row, start.column + text.len()),
        Some(last) => {
            let rows = text.bytes().filter(|&b| b == b'\n').count();
            Point::new(start.row + rows, text.len() - last - 1)
        }
    }
}

/// Where two texts differ: the start, and its end in `old` and in `new` (byte offsets on
/// char boundaries of both), after the longest common prefix and then suffix.
fn changed_span(old: &str, new: &str) -> (usize, usize, usize) {
    let mut start = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(start) || !new.is_char_boundary(start) {
        start -= 1;
    }
    let room = old.len().min(new.len()) - start;
    let mut common = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - common) || !new.is_char_boundary(new.len() - common) {
        common -= 1;
    }
    (start, old.len() - common, new.len() - common)
}

fn count_nul_bytes(bytes: impl Iterator<Item = u8>) -> usize {
    bytes.filter(|&b| b == 0).count()
}

/// `\r` bytes in `start..end` that no `\n` follows (the byte at `end` counts as a follower).
fn count_lone_crs(text: &Rope, start: usize, end: usize) -> usize {
    let mut bytes = text.bytes_at(start).peekable();
    let mut count = 0;
    for _ in start..end {
        let Some(b) = bytes.next() else { break };
        if b == b'\r' && bytes.peek() != Some(&b'\n') {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod edit_tests;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
