//! Suggestions to LSP items: inline completion items and completion items.

use ropey::Rope;
use tower_lsp_server::gen_lsp_types::{
    CompletionItem, CompletionItemKind, CompletionItemLabelDetails, InlineCompletionItem,
    InsertTextFormat, Range, TextEdit,
};

use super::position::{Encoding, position_at};
use crate::completion::Suggestion;

/// Longest label shown in a completion menu, in characters.
const LABEL_CHARS: usize = 60;

/// An inline item: the text to insert at the cursor, replacing what it re-types.
pub fn inline_item(
    s: &Suggestion,
    text: &Rope,
    cursor: usize,
    enc: Encoding,
) -> InlineCompletionItem {
    let range = Range::new(
        position_at(text, cursor, enc),
        position_at(text, cursor + s.replace_len, enc),
    );
    InlineCompletionItem::new(s.text.clone().into(), None, Some(range), None)
}

/// A completion item for clients without inline completion (Helix, plain clients).
///
/// Its edit starts where the word being typed starts and its filter text begins with
/// that word, so clients that filter by the typed word keep multi-word suggestions.
pub fn completion_item(
    s: &Suggestion,
    text: &Rope,
    cursor: usize,
    enc: Encoding,
) -> CompletionItem {
    let word_start = typed_word_start(text, cursor);
    let typed = text.byte_slice(word_start..cursor).to_string();
    let new_text = format!("{typed}{}", s.text);
    let range = Range::new(
        position_at(text, word_start, enc),
        position_at(text, cursor + s.replace_len, enc),
    );
    CompletionItem {
        label: label(&new_text),
        label_details: Some(CompletionItemLabelDetails {
            detail: None,
            description: Some(format!("nib {:.0}%", s.confidence * 100.0)),
        }),
        kind: Some(CompletionItemKind::Text),
        detail: Some("nib suggestion".into()),
        sort_text: Some("0".into()),
        filter_text: Some(new_text.clone()),
        insert_text_format: Some(InsertTextFormat::PlainText),
        text_edit: Some(TextEdit::new(range, new_text).into()),
        ..Default::default()
    }
}

/// Byte offset where the identifier that ends at `cursor` starts.
fn typed_word_start(text: &Rope, cursor: usize) -> usize {
    let line = text.byte_to_line(cursor);
    let line_start = text.line_to_byte(line);
    let before = text.byte_slice(line_start..cursor).to_string();
    let word_len: usize = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        .map(char::len_utf8)
        .sum();
    cursor - word_len
}

/// The suggestion's first line, shortened, with a mark when more follows.
fn label(text: &str) -> String {
    let first = text.lines().next().unwrap_or("").trim();
    let mut label: String = first.chars().take(LABEL_CHARS).collect();
    if label.len() < first.len() || text.trim_end().contains('\n') {
        label.push('…');
    }
    label
}
