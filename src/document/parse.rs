//! Parsing a rope with tree-sitter, bounded in time.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use ropey::Rope;
use tree_sitter::{ParseOptions, ParseState, Parser, Point, Tree};

thread_local! {
    // Parsers hold sizeable buffers; one per thread serves every document.
    static PARSER: RefCell<Parser> = RefCell::new(Parser::new());
}

/// Parses `text`, reusing `old_tree` (already edited to match `text`) when given. None when the
/// grammar is incompatible or the parse ran past `timeout`.
pub(super) fn parse(
    text: &Rope,
    grammar: &tree_sitter::Language,
    old_tree: Option<&Tree>,
    timeout: Duration,
) -> Option<Tree> {
    PARSER.with_borrow_mut(|parser| {
        parser.set_language(grammar).ok()?;
        let deadline = Instant::now() + timeout;
        let mut past_deadline = |_: &ParseState| Instant::now() >= deadline;
        let options = ParseOptions::new().progress_callback(&mut past_deadline);
        let len = text.len_bytes();
        let mut read = |byte: usize, _: Point| -> &[u8] {
            if byte >= len {
                return &[];
            }
            let (chunk, chunk_start, _, _) = text.chunk_at_byte(byte);
            &chunk.as_bytes()[byte - chunk_start..]
        };
        let tree = parser.parse_with_options(&mut read, old_tree, Some(options));
        if tree.is_none() {
            // A halted parse would otherwise resume on the next call.
            parser.reset();
        }
        tree
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::PARSE_TIMEOUT;

    #[test]
    fn a_parse_past_its_deadline_stops_and_the_next_starts_clean() {
        let python = tree_sitter_python::LANGUAGE.into();
        let text = Rope::from_str(&"def f(x):\n    return [x, (x, {x: x})]\n".repeat(5000));
        assert!(parse(&text, &python, None, Duration::ZERO).is_none());
        let tree = parse(&text, &python, None, PARSE_TIMEOUT).expect("parses in time");
        let mut parser = Parser::new();
        parser.set_language(&python).unwrap();
        let fresh = parser.parse(text.to_string(), None).unwrap();
        assert_eq!(tree.root_node().to_sexp(), fresh.root_node().to_sexp());
    }
}
