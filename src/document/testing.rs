//! Checks of trees against text, shared by the tests of documents and of LSP sync.

use tree_sitter::{Node, Parser, Point, Tree};

use crate::language::Language;

/// The tree-sitter point of `byte` in `text`, counted the slow, obvious way.
pub(crate) fn point_of(text: &str, byte: usize) -> Point {
    let before = &text.as_bytes()[..byte];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    Point::new(row, byte - line_start)
}

/// Every node of `tree`, parents before children.
pub(crate) fn all_nodes(tree: &Tree) -> Vec<Node<'_>> {
    let mut nodes = vec![tree.root_node()];
    let mut next = 0;
    while let Some(&node) = nodes.get(next) {
        nodes.extend(node.children(&mut node.walk()));
        next += 1;
    }
    nodes
}

/// Every node's start and end points agree with its bytes in `text`: what `Tree::edit` must
/// keep true, since the reparse trusts the points of the nodes it reuses.
pub(crate) fn assert_points_match(tree: &Tree, text: &str, context: &str) {
    for node in all_nodes(tree) {
        let points = (node.start_position(), node.end_position());
        let expected = (
            point_of(text, node.start_byte()),
            point_of(text, node.end_byte()),
        );
        assert_eq!(points, expected, "{node:?} {context}");
    }
}

pub(crate) fn fresh_tree(language: &Language, text: &str) -> Tree {
    let mut parser = Parser::new();
    parser.set_language(&language.grammar).unwrap();
    parser.parse(text, None).unwrap()
}

/// Same shape, kinds, byte ranges and points, node by node.
pub(crate) fn assert_same_tree(tree: &Tree, expected: &Tree, context: &str) {
    let sexp = |tree: &Tree| tree.root_node().to_sexp();
    assert_eq!(sexp(tree), sexp(expected), "{context}");
    let (nodes, expected_nodes) = (all_nodes(tree), all_nodes(expected));
    assert_eq!(nodes.len(), expected_nodes.len(), "{context}");
    for (node, expected) in nodes.into_iter().zip(expected_nodes) {
        let summary = |n: Node| {
            (
                n.kind_id(),
                n.byte_range(),
                n.start_position(),
                n.end_position(),
            )
        };
        assert_eq!(summary(node), summary(expected), "{node:?} {context}");
    }
}
