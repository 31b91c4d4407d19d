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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::completion::Timings;
    use tower_lsp_server::gen_lsp_types::{CompletionItemTextEdit, InsertText, Position};

    fn suggestion(text: &str, replace_len: usize) -> Suggestion {
        Suggestion {
            text: text.into(),
            replace_len,
            confidence: 0.5,
            timings: Timings::default(),
        }
    }

    #[test]
    fn inline_item_replaces_the_closers_it_retypes() {
        let text = Rope::from_str("x = f(é)\n");
        let cursor = "x = f(é".len();
        let item = inline_item(&suggestion(", 2)", 1), &text, cursor, Encoding::Utf16);
        assert_eq!(item.insert_text, InsertText::String(", 2)".into()));
        let range = item.range.unwrap();
        assert_eq!(range.start, Position::new(0, 7));
        assert_eq!(range.end, Position::new(0, 8));
    }

    #[test]
    fn completion_item_covers_the_typed_word_so_filtering_keeps_it() {
        let text = Rope::from_str("    result = compu");
        let cursor = text.len_bytes();
        let item = completion_item(
            &suggestion("te_total(items)", 0),
            &text,
            cursor,
            Encoding::Utf8,
        );
        let Some(CompletionItemTextEdit::TextEdit(edit)) = item.text_edit else {
            panic!("a plain text edit");
        };
        assert_eq!(edit.new_text, "compute_total(items)");
        assert_eq!(edit.range.start, Position::new(0, 13));
        assert_eq!(edit.range.end, Position::new(0, 18));
        assert_eq!(item.filter_text.as_deref(), Some("compute_total(items)"));
        assert_eq!(item.label, "compute_total(items)");
    }

    #[test]
    fn labels_are_the_first_line_marked_when_more_follows() {
        assert_eq!(label("if x:\n    y()"), "if x:…");
        assert_eq!(label(&"a".repeat(80)).chars().count(), LABEL_CHARS + 1);
    }
}
