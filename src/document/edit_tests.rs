//! Incremental edits: the rope matches the same edits on a String, and the tree matches both
//! a by-the-book incremental parse and, when error-free, a fresh parse, positions included.

use super::testing::{assert_points_match, assert_same_tree, fresh_tree, point_of};
use super::tests::{edit, language};
use super::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tree_sitter::Parser;

const SOURCES: &[(&str, &str)] = &[
    (
        "python",
        "import os\nfrom .x import y  # café\n\nclass Greeter:\n    \"\"\"Says 你好.\"\"\"\n\n    def greet(self, name: str) -> str:\n        if name:\n            return f\"hi {name} 😀\"\n        return 'nobody'\r\n\r\nTIMEOUT = 30\n",
    ),
    (
        "javascript",
        "const fs = require('fs');\n\nexport function App({ title }) {\n  const label = `größe ${title}`;\n  return <div className=\"x\">{label} 🦀</div>;\n}\n\nclass Store {\n  load(id) {\n    return fs.readFileSync(id, 'utf8');\n  }\n}\n",
    ),
    (
        "typescript",
        "import type { Req } from './req';\n\nexport interface User {\n  id: number; // идентификатор\n  name: string;\n}\n\nexport const handler = async (req: Req): Promise<User[]> => {\n  return [];\n};\n\nenum Color { Red, Green }\n",
    ),
    (
        "tsx",
        "export const App = (p: { title: string }) => {\n  return <h1 title=\"é\">{p.title} — 中文</h1>;\n};\n",
    ),
    (
        "rust",
        "use std::fmt;\n\n/// A point, ünïcödé.\npub struct Point {\n    x: i32,\n}\n\r\nimpl fmt::Display for Point {\n    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {\n        write!(f, \"({}) 🦀\", self.x)\n    }\n}\n",
    ),
    (
        "go",
        "package main\n\nimport (\n\t\"fmt\"\n)\n\ntype Server struct {\n\taddr string // 地址\n}\n\nfunc (s *Server) Run() error {\n\tfmt.Println(\"ok ✓\")\n\treturn nil\n}\n",
    ),
];

const FRAGMENTS: &[&str] = &[
    "",
    "x",
    "\n",
    "\r\n",
    "\r",
    "é",
    "中文",
    "😀",
    " ",
    "    ",
    "(",
    ")",
    "{",
    "}",
    "\"",
    "'",
    "#",
    "//",
    "/*",
    "*/",
    ":",
    ";",
    ",",
    "def f(a):\n    return a\n",
    "fn g() {}\n",
    "if x {\n",
    "<div>",
    "</div>",
    "let y = 1;\n",
    "\u{0}",
];
fn random_boundary(rng: &mut StdRng, text: &str, near: usize, span: usize) -> usize {
    let target = (near + rng.random_range(0..=span)).min(text.len());
    (0..=target)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap()
}

/// What typing does to valid code while keeping it valid: letters inside a word, or a span of
/// up to 200 bytes (often several lines) replaced by the same text.
fn typing_edit(rng: &mut StdRng, text: &str) -> ByteEdit {
    let start = random_boundary(rng, text, 0, text.len());
    if rng.random_bool(0.3) && text[..start].ends_with(|c: char| c.is_ascii_alphabetic()) {
        let letters = ["a", "zz", "Ünï", "名"][rng.random_range(0..4)];
        return edit(start, start, letters);
    }
    let end = random_boundary(rng, text, start, 200);
    edit(start, end, &text[start..end])
}

/// A replacement of up to 60 bytes, often across lines, by random fragments.
fn random_edit(rng: &mut StdRng, text: &str) -> ByteEdit {
    let start = random_boundary(rng, text, 0, text.len());
    let end = if rng.random_bool(0.4) {
        start
    } else {
        random_boundary(rng, text, start, 60)
    };
    let pieces = rng.random_range(0..=3);
    let inserted: String = (0..pieces)
        .map(|_| FRAGMENTS[rng.random_range(0..FRAGMENTS.len())])
        .collect();
    edit(start, end, &inserted)
}

#[test]
fn incremental_edits_match_a_fresh_parse() {
    let mut rng = StdRng::seed_from_u64(0x006e_6962);
    let mut exact_matches = 0;
    for round in 0..300 {
        let (id, source) = SOURCES[round % SOURCES.len()];
        let typing = round % 2 == 0;
        let language = language(id).unwrap();
        let mut expected = source.to_owned();
        let mut document = Document::open(source, 0, Some(Arc::clone(&language)));
        // The same edits done the obvious way: slow points, whole-string parses.
        let mut parser = Parser::new();
        parser.set_language(&language.grammar).unwrap();
        let mut reference = parser.parse(source, None);
        for batch in 1..=6 {
            for _ in 0..rng.random_range(1..=4) {
                let edit = if typing {
                    typing_edit(&mut rng, &expected)
                } else {
                    random_edit(&mut rng, &expected)
                };
                let new_end = edit.start + edit.text.len();
                let (start_position, old_end_position) = (
                    point_of(&expected, edit.start),
                    point_of(&expected, edit.end),
                );
                expected.replace_range(edit.start..edit.end, &edit.text);
                if let Some(reference) = &mut reference {
                    reference.edit(&InputEdit {
                        start_byte: edit.start,
                        old_end_byte: edit.end,
                        new_end_byte: new_end,
                        start_position,
                        old_end_position,
                        new_end_position: point_of(&expected, new_end),
                    });
                }
                document.apply_edit(&edit).unwrap();
                if let Some(edited) = document.tree() {
                    assert_points_match(edited, &expected, &format!("{id} {edit:?}"));
                }
            }
            document.finish_change(batch);
            assert_eq!(document.text().to_string(), expected);
            assert_eq!(document.version(), batch);
            assert_eq!(document.is_binary(), expected.contains('\0'));
            let lone_crs = expected.matches('\r').count() - expected.matches("\r\n").count();
            assert_eq!(document.lone_crs, lone_crs);
            let context = format!("{id} round {round} batch {batch}: {expected:?}");
            let Some(tree) = document.tree() else {
                assert!(document.is_binary(), "{context}");
                reference = None;
                continue;
            };
            reference = parser.parse(&expected, reference.as_ref());
            assert_same_tree(tree, reference.as_ref().unwrap(), &context);
            assert_points_match(tree, &expected, &context);
            let fresh = fresh_tree(&language, &expected);
            // Tree-sitter's error recovery depends on the edit history, so trees with syntax
            // errors on both sides may legitimately differ inside their ERROR nodes.
            if !tree.root_node().has_error() || !fresh.root_node().has_error() {
                assert_same_tree(tree, &fresh, &context);
                exact_matches += 1;
            }
        }
    }
    assert!(exact_matches > 500, "{exact_matches}");
}
#[test]
fn replace_all_reparses_from_scratch() {
    let rust = language("rust");
    let mut document = Document::open("fn a() {}\n", 1, rust.clone());
    document.replace_all("struct S;\r\nfn b() -> S { S }\r\n");
    document.finish_change(2);
    let fresh = fresh_tree(&rust.unwrap(), "struct S;\r\nfn b() -> S { S }\r\n");
    assert_same_tree(document.tree().unwrap(), &fresh, "replace_all");
    assert_eq!(document.version(), 2);
}
#[test]
fn edits_that_split_or_join_crlf_keep_points_right() {
    let go = language("go").unwrap();
    let mut expected = "package a\r\n\r\nfunc f() {\r\n}\r\n".to_owned();
    let mut document = Document::open(&expected, 1, Some(Arc::clone(&go)));
    // Split a CRLF (leaving a lone CR), add another lone CR, then join both back.
    let steps = [
        edit(10, 10, "x"),
        edit(3, 3, "\r"),
        edit(11, 12, ""),
        edit(3, 4, ""),
    ];
    for (version, step) in (2..).zip(steps) {
        expected.replace_range(step.start..step.end, &step.text);
        document.apply_edit(&step).unwrap();
        assert_points_match(document.tree().unwrap(), &expected, &format!("{step:?}"));
        document.finish_change(version);
        let fresh = fresh_tree(&go, &expected);
        assert_same_tree(document.tree().unwrap(), &fresh, &format!("{step:?}"));
    }
    assert_eq!(expected, "package a\r\n\r\nfunc f() {\r\n}\r\n");
    assert_eq!(document.lone_crs, 0);
}

#[test]
fn a_whole_new_text_is_applied_as_one_edit_and_parsed_incrementally() {
    let python = language("python").unwrap();
    let before = "def f(x):\n    return x  # café\n\nTIMEOUT = 30\n";
    let mut document = Document::open(before, 1, Some(python.clone()));
    for after in [
        "def f(x):\n    return x + 1  # café\n\nTIMEOUT = 30\n",
        "def f(x):\n    return x + 1  # cafè\n\nTIMEOUT = 30\n",
        "def g(y):\n    return y\n",
        "",
        "😀 = 1\n",
    ] {
        let version = document.version() + 1;
        assert!(document.update_to(after, version));
        assert_eq!(document.text().to_string(), after);
        assert_eq!(document.version(), version);
        let tree = document.tree().expect("a tree");
        assert_same_tree(tree, &fresh_tree(&python, after), after);
    }
    assert!(
        !document.update_to("😀 = 1\n", 99),
        "the same text changes nothing"
    );
    assert_ne!(document.version(), 99);
    assert_eq!(
        super::changed_span("ab€", "ab₤"),
        (2, 5, 5),
        "a span starts and ends on char boundaries"
    );
}
