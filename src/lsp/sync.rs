//! Incremental document sync: one `didChange`'s content changes applied to a document.

use tower_lsp_server::gen_lsp_types::TextDocumentContentChangeEvent;

use super::position::{Encoding, offset_at};
use crate::document::{ByteEdit, Document};

/// Applies `changes` to `doc` in order and ends the batch at `version` (reparsing once).
/// Answers where the last edit ended, most likely the cursor (None after a whole-text change).
///
/// A change whose range is not in the document stops the batch: the changes before it stay
/// applied, the document is reparsed as it stands, and the error says the document may be out
/// of sync.
pub fn apply_changes(
    doc: &mut Document,
    changes: Vec<TextDocumentContentChangeEvent>,
    version: i32,
    encoding: Encoding,
) -> Result<Option<usize>, String> {
    let applied = apply_each(doc, changes, encoding);
    doc.finish_change(version);
    applied
}

fn apply_each(
    doc: &mut Document,
    changes: Vec<TextDocumentContentChangeEvent>,
    encoding: Encoding,
) -> Result<Option<usize>, String> {
    let mut cursor = None;
    crate::faults::fire(crate::faults::Fault::PanicInEdit);
    for change in changes {
        match change {
            TextDocumentContentChangeEvent::TextDocumentContentChangeWholeDocument(whole) => {
                doc.replace_all(&whole.text);
                cursor = None;
            }
            TextDocumentContentChangeEvent::TextDocumentContentChangePartial(part) => {
                let start = offset_at(doc.text(), part.range.start, encoding);
                let end = offset_at(doc.text(), part.range.end, encoding);
                let (Ok(start), Ok(end)) = (start, end) else {
                    return Err(format!(
                        "edit range {:?} is outside the document",
                        part.range
                    ));
                };
                if start > end {
                    return Err(format!("edit range {:?} ends before it starts", part.range));
                }
                let edit = ByteEdit {
                    start,
                    end,
                    text: part.text,
                };
                doc.apply_edit(&edit).map_err(|e| e.to_string())?;
                cursor = Some(edit.start + edit.text.len());
            }
        }
    }
    Ok(cursor)
}

#[cfg(test)]
mod tests;
