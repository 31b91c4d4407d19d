//! Documents and the store; edit_tests checks incremental edits against fresh parses.

use super::*;
use crate::language::LanguageRegistry;
use tree_sitter::{QueryCursor, StreamingIterator};

pub(super) fn language(id: &str) -> Option<Arc<Language>> {
    LanguageRegistry::builtin().get(id)
}
pub(super) fn edit(start: usize, end: usize, text: &str) -> ByteEdit {
    ByteEdit {
        start,
        end,
        text: text.to_owned(),
    }
}
#[test]
fn rejects_edits_outside_the_text_or_inside_a_char() {
    let mut document = Document::open("é = 1\n", 1, language("python"));
    let len = "é = 1\n".len();
    assert_eq!(
        document.apply_edit(&edit(0, len + 1, "")),
        Err(DocumentError::OutOfRange {
            start: 0,
            end: len + 1,
            len
        })
    );
    assert!(matches!(
        document.apply_edit(&edit(3, 2, "")),
        Err(DocumentError::OutOfRange { .. })
    ));
    assert_eq!(
        document.apply_edit(&edit(1, 2, "")),
        Err(DocumentError::NotCharBoundary { offset: 1 })
    );
    assert_eq!(document.text().to_string(), "é = 1\n");
    document.apply_edit(&edit(len, len, "y = 2\n")).unwrap();
    document.finish_change(2);
    assert_eq!(document.text().to_string(), "é = 1\ny = 2\n");
}

#[test]
fn binary_documents_keep_no_tree() {
    let mut document = Document::open("data = 1\0\0\n", 1, language("python"));
    assert!(document.is_binary());
    assert!(document.tree().is_none());
    document.apply_edit(&edit(8, 10, "")).unwrap();
    assert!(!document.is_binary());
    document.finish_change(2);
    assert!(document.tree().is_some());
    document.apply_edit(&edit(0, 0, "\0")).unwrap();
    assert!(document.is_binary());
    document.finish_change(3);
    assert!(document.tree().is_none());
    document.replace_all("x = 1\n");
    document.finish_change(4);
    assert!(!document.is_binary());
    assert!(document.tree().is_some());
}

#[test]
fn huge_documents_keep_no_tree_until_they_shrink() {
    let line = "value = compute(1, 2)  # é\n";
    let huge = line.repeat(MAX_PARSE_BYTES / line.len() + 1);
    assert!(huge.len() > MAX_PARSE_BYTES);
    let mut document = Document::open(&huge, 1, language("python"));
    assert!(document.tree().is_none());
    assert!(!document.is_binary());
    document.apply_edit(&edit(0, 0, "import os\n")).unwrap();
    document.finish_change(2);
    assert!(document.tree().is_none());
    let keep = "import os\n".len() + line.len() * 3;
    document
        .apply_edit(&edit(keep, document.text().len_bytes(), ""))
        .unwrap();
    document.finish_change(3);
    assert_eq!(
        document.text().to_string(),
        format!("import os\n{}", line.repeat(3))
    );
    let tree = document.tree().expect("parsed once small enough");
    assert!(!tree.root_node().has_error());
}

#[test]
fn plain_text_has_no_tree() {
    let mut document = Document::open("just words\n", 1, None);
    assert!(document.tree().is_none());
    assert!(document.language().is_none());
    document.apply_edit(&edit(0, 4, "only")).unwrap();
    document.finish_change(2);
    assert_eq!(document.text().to_string(), "only words\n");
    assert!(document.snapshot().tree.is_none());
}
#[test]
fn snapshots_do_not_see_later_edits() {
    let mut document = Document::open("a = 1\n", 1, language("python"));
    let before = document.snapshot();
    document.apply_edit(&edit(4, 5, "22")).unwrap();
    document.finish_change(2);
    let after = document.snapshot();
    assert_eq!(
        (before.text.to_string(), before.version),
        ("a = 1\n".into(), 1)
    );
    assert_eq!(
        (after.text.to_string(), after.version),
        ("a = 22\n".into(), 2)
    );
    let sexp = |s: &Snapshot| s.tree.as_ref().unwrap().root_node().to_sexp();
    assert_eq!(sexp(&before), sexp(&after));
    assert_eq!(before.tree.unwrap().root_node().end_byte(), 6);
    assert_eq!(after.tree.unwrap().root_node().end_byte(), 7);
    assert_eq!(after.language.unwrap().id, "python");
}

#[test]
fn store_updates_and_snapshots_by_uri() {
    let store = DocumentStore::new();
    store.open(
        "file:///a.py",
        Document::open("x = 1\n", 1, language("python")),
    );
    store.open(
        "file:///b.go",
        Document::open("package b\n", 1, language("go")),
    );
    assert_eq!(store.update("file:///none", |d| d.version()), None);
    let edited = store.update("file:///a.py", |document| {
        document.apply_edit(&edit(4, 5, "2"))?;
        document.finish_change(7);
        Ok::<_, DocumentError>(document.version())
    });
    assert_eq!(edited, Some(Ok(7)));
    let snapshot = store.snapshot("file:///a.py").unwrap();
    assert_eq!(
        (snapshot.text.to_string(), snapshot.version),
        ("x = 2\n".into(), 7)
    );
    let mut uris = store.uris();
    uris.sort();
    assert_eq!(uris, ["file:///a.py", "file:///b.go"]);
    let others = store.snapshots_except("file:///a.py");
    assert_eq!(others.len(), 1);
    assert_eq!(others[0].0, "file:///b.go");
    assert_eq!(others[0].1.text.to_string(), "package b\n");
    store.close("file:///a.py");
    assert!(store.snapshot("file:///a.py").is_none());
    assert_eq!(store.uris(), ["file:///b.go"]);
}

#[test]
fn rope_text_serves_query_predicates() {
    // The JavaScript imports query keeps `require` calls with `#eq?`, which reads node text.
    let javascript = language("javascript").unwrap();
    let source = "const fs = require('fs');\nconst n = parseInt('1');\n".repeat(200);
    let document = Document::open(&source, 1, Some(Arc::clone(&javascript)));
    assert!(
        document.text().chunks().count() > 1,
        "spans several rope chunks"
    );
    let snapshot = document.snapshot();
    let tree = snapshot.tree.as_ref().unwrap();
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(
        &javascript.imports,
        tree.root_node(),
        RopeText(&snapshot.text),
    );
    let mut count = 0;
    while let Some(m) = matches.next() {
        let node = m
            .captures
            .iter()
            .find(|c| c.node.kind() == "lexical_declaration")
            .unwrap()
            .node;
        assert_eq!(&source[node.byte_range()], "const fs = require('fs');");
        count += 1;
    }
    assert_eq!(count, 200);
}
