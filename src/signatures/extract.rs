//! A package's public API as signatures: which of its files are read (bounded), which
//! definitions are public, and the text that shows each one without its body.

use std::cell::RefCell;
use std::collections::{HashSet, VecDeque};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tree_sitter::{
    Node, ParseOptions, ParseState, Parser, QueryCursor, QueryCursorOptions, StreamingIterator,
    Tree,
};

use crate::context::Definition;
use crate::language::{CAPTURE_DEFINITION, CAPTURE_NAME, Language, LanguageRegistry};

/// How much of one package is read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub files: usize,
    pub bytes: u64,
}

/// The bounds on every package: 3,000 files and 16 MB of text.
pub(super) const LIMITS: Limits = Limits {
    files: 3000,
    bytes: 16 << 20,
};

/// Members (methods, variants, fields) listed under a type.
const MAX_MEMBERS: usize = 20;
/// Lines of one signature text.
const MAX_LINES: usize = 24;
/// Bytes of one signature line; a longer parameter list ends in `...`.
const MAX_LINE_BYTES: usize = 200;
/// Python string literals longer than this (bytes) in a signature show as `"..."`.
const MAX_STRING_BYTES: usize = 40;
/// Folder entries (files or not) looked at per file a package may have.
const MAX_ENTRIES_PER_FILE: usize = 20;
const PARSE_TIMEOUT: Duration = Duration::from_millis(500);
const QUERY_TIMEOUT: Duration = Duration::from_millis(200);
/// Macro bodies nested deeper than this are not looked into.
const MAX_MACRO_DEPTH: usize = 3;
/// Public items lie shallow: `declare namespace React { export function ... }` is 5 deep.
const MAX_MATCH_DEPTH: u32 = 8;
const SKIPPED_FOLDERS: &[&str] = &[
    "tests",
    "test",
    "examples",
    "benches",
    "docs",
    "__pycache__",
    "node_modules",
];

thread_local! {
    // Items inside a macro's body (`cfg_rt! { pub fn spawn ... }`) are not in the file's
    // tree: the body is parsed again on its own.
    static MACRO_BODY_PARSER: RefCell<Parser> = RefCell::new(rust_parser());
}

fn rust_parser() -> Parser {
    let rust = LanguageRegistry::builtin()
        .get("rust")
        .expect("the builtin registry has rust");
    let mut parser = Parser::new();
    parser
        .set_language(&rust.grammar)
        .expect("the rust grammar loads (checked by the language tests)");
    parser
}

/// The language a package's API is written in, and so which files hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    Rust,
    Python,
    /// TypeScript declaration files (`.d.ts`).
    Declarations,
}

/// What indexing a package found.
pub(super) struct Indexed {
    /// Source files read.
    pub files: usize,
    /// (display path, definition) pairs, in file order.
    pub signatures: Vec<(String, Definition)>,
}

/// The public signatures of the files under `sources`, shown as `<label>/<path relative to dir>`.
pub(super) fn index(
    dir: &Path,
    sources: &Path,
    label: &str,
    dialect: Dialect,
    limits: Limits,
) -> Indexed {
    let id = match dialect {
        Dialect::Rust => "rust",
        Dialect::Python => "python",
        Dialect::Declarations => "typescript",
    };
    let language = LanguageRegistry::builtin()
        .get(id)
        .expect("the builtin registry has rust, python and typescript");
    let mut parser = Parser::new();
    if parser.set_language(&language.grammar).is_err() {
        return Indexed {
            files: 0,
            signatures: Vec::new(),
        };
    }
    let mut seen = HashSet::new();
    let mut signatures = Vec::new();
    let mut bytes = 0;
    let mut files = 0;
    for path in source_files(sources, dialect, limits.files) {
        let Ok(size) = fs::metadata(&path).map(|m| m.len()) else {
            continue;
        };
        if bytes + size > limits.bytes {
            break;
        }
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        bytes += size;
        files += 1;
        let Some(tree) = parse(&mut parser, &text) else {
            continue;
        };
        let relative = path.strip_prefix(dir).unwrap_or(&path);
        let display = format!("{label}/{}", relative.to_string_lossy().replace('\\', "/"));
        for definition in public_definitions(&text, &tree, &language, dialect, 0) {
            if seen.insert((definition.name.clone(), definition.text.clone())) {
                signatures.push((display.clone(), definition));
            }
        }
    }
    Indexed { files, signatures }
}

/// Up to `max_files` files of `dialect` under `root`, shallow ones first, in name order.
fn source_files(root: &Path, dialect: Dialect, max_files: usize) -> Vec<PathBuf> {
    let Ok(canonical_root) = fs::canonicalize(root) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    let mut entries_left = max_files.saturating_mul(MAX_ENTRIES_PER_FILE);
    let mut folders = VecDeque::from([root.to_path_buf()]);
    while let Some(folder) = folders.pop_front() {
        let Ok(read) = fs::read_dir(&folder) else {
            continue;
        };
        let mut entries: Vec<_> = read.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            if files.len() == max_files || entries_left == 0 {
                return files;
            }
            entries_left -= 1;
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if kind.is_dir() {
                if wanted_folder(&name, dialect) {
                    folders.push_back(path);
                }
            } else if wanted_file(&name, dialect)
                && (kind.is_file() || kind.is_symlink() && stays_within(&path, &canonical_root))
            {
                files.push(path);
            }
        }
    }
    files
}

fn wanted_folder(name: &str, dialect: Dialect) -> bool {
    let private_module = dialect == Dialect::Python && name.starts_with('_');
    !(name.starts_with('.') || SKIPPED_FOLDERS.contains(&name) || private_module)
}

fn wanted_file(name: &str, dialect: Dialect) -> bool {
    match dialect {
        Dialect::Rust => name.ends_with(".rs"),
        Dialect::Python => {
            name.ends_with(".py") && (!name.starts_with('_') || name == "__init__.py")
        }
        Dialect::Declarations => name.ends_with(".d.ts"),
    }
}

/// A symlinked file is read only when it points at a file inside the package.
fn stays_within(link: &Path, canonical_root: &Path) -> bool {
    fs::canonicalize(link)
        .is_ok_and(|target| target.starts_with(canonical_root) && target.is_file())
}

fn parse(parser: &mut Parser, text: &str) -> Option<Tree> {
    let deadline = Instant::now() + PARSE_TIMEOUT;
    let mut past_deadline = |_: &ParseState| Instant::now() >= deadline;
    let options = ParseOptions::new().progress_callback(&mut past_deadline);
    let bytes = text.as_bytes();
    let mut read = |offset: usize, _| bytes.get(offset..).unwrap_or_default();
    let tree = parser.parse_with_options(&mut read, None, Some(options));
    if tree.is_none() {
        // A halted parse would otherwise resume on the next file.
        parser.reset();
    }
    tree
}

/// The public items the language's `definitions.scm` finds, as signatures, in file order;
/// for Rust also those in the bodies of macros at module level (`depth` of them around `text`).
fn public_definitions(
    text: &str,
    tree: &Tree,
    language: &Language,
    dialect: Dialect,
    depth: usize,
) -> Vec<Definition> {
    let query = &language.definitions;
    let (Some(def_index), Some(name_index)) = (
        query.capture_index_for_name(CAPTURE_DEFINITION),
        query.capture_index_for_name(CAPTURE_NAME),
    ) else {
        return Vec::new();
    };
    let mut cursor = QueryCursor::new();
    cursor.set_max_start_depth(Some(MAX_MATCH_DEPTH));
    let deadline = Instant::now() + QUERY_TIMEOUT;
    let mut past_deadline = |_: &_| Instant::now() >= deadline;
    let options = QueryCursorOptions::new().progress_callback(&mut past_deadline);
    let mut matches =
        cursor.matches_with_options(query, tree.root_node(), text.as_bytes(), options);
    let mut out = Vec::new();
    while let Some(m) = matches.next() {
        let capture = |index| m.captures.iter().find(|c| c.index == index).map(|c| c.node);
        let (Some(node), Some(name)) = (capture(def_index), capture(name_index)) else {
            continue;
        };
        let name = &text[name.byte_range()];
        let signature = match dialect {
            Dialect::Rust => rust_signature(text, node, name),
            Dialect::Python => python_signature(text, node, name),
            Dialect::Declarations => declaration_signature(text, node),
        };
        if let Some((name, text)) = signature {
            out.push(Definition {
                name,
                range: node.byte_range(),
                text: fit_lines(&text),
            });
        }
    }
    if dialect == Dialect::Rust && depth < MAX_MACRO_DEPTH {
        let invocations =
            named_children(tree.root_node()).filter(|n| n.kind() == "macro_invocation");
        for (body, inner) in invocations.filter_map(|n| macro_body(text, n)) {
            let found =
                public_definitions(&text[body.clone()], &inner, language, dialect, depth + 1);
            out.extend(found.into_iter().map(|d| Definition {
                range: d.range.start + body.start..d.range.end + body.start,
                ..d
            }));
        }
    }
    out.sort_by_key(|d| d.range.start);
    out.dedup_by(|a, b| a.range.start == b.range.start && a.name == b.name);
    out
}

/// The range of a macro invocation's `{ ... }` body, and that body parsed as Rust items.
fn macro_body(text: &str, invocation: Node) -> Option<(Range<usize>, Tree)> {
    let tokens = named_children(invocation).find(|n| n.kind() == "token_tree")?;
    if !text[tokens.byte_range()].starts_with('{') {
        return None;
    }
    let body = tokens.start_byte() + 1..tokens.end_byte().checked_sub(1)?;
    let tree =
        MACRO_BODY_PARSER.with_borrow_mut(|parser| parse(parser, text.get(body.clone())?))?;
    Some((body, tree))
}

/// (name, signature) of a public Rust item at module level.
fn rust_signature(text: &str, node: Node, name: &str) -> Option<(String, String)> {
    let parent = node.parent()?;
    let module_level = parent.kind() == "source_file"
        || parent.kind() == "declaration_list"
            && parent.parent().is_some_and(|p| p.kind() == "mod_item");
    if !module_level || doc_hidden(text, node) {
        return None;
    }
    if node.kind() == "impl_item" {
        return rust_impl(text, node);
    }
    if node.kind() == "macro_definition" {
        let exported =
            preceding_attributes(node).any(|a| text[a.byte_range()].contains("macro_export"));
        return exported.then(|| (name.to_owned(), format!("macro_rules! {name}")));
    }
    if !is_pub(text, node) || name.starts_with('_') {
        return None;
    }
    let signature = match node.kind() {
        "function_item" | "function_signature_item" => rust_fn(text, node),
        "struct_item" | "union_item" => match node.child_by_field_name("body") {
            Some(body) if body.kind() == "field_declaration_list" => render(
                text,
                node,
                node.start_byte()..body.start_byte(),
                &no_rewrite,
            ),
            _ => whole(text, node),
        },
        "enum_item" => {
            let members = node.child_by_field_name("body").map(|body| {
                named_children(body)
                    .filter(|v| v.kind() == "enum_variant")
                    .map(|v| whole(text, v))
                    .collect()
            });
            with_members(header(text, node)?, members.unwrap_or_default(), "{")
        }
        "trait_item" => {
            let members = node.child_by_field_name("body").map(|body| {
                named_children(body)
                    .filter_map(|item| match item.kind() {
                        "function_item" | "function_signature_item" => Some(rust_fn(text, item)),
                        "associated_type" => Some(whole(text, item)),
                        _ => None,
                    })
                    .collect()
            });
            with_members(header(text, node)?, members.unwrap_or_default(), "{")
        }
        "type_item" => whole(text, node),
        "const_item" | "static_item" => match node.child_by_field_name("value") {
            Some(value) => {
                let typed = render(
                    text,
                    node,
                    node.start_byte()..value.start_byte(),
                    &no_rewrite,
                );
                typed.trim_end_matches([' ', '=']).to_owned()
            }
            None => whole(text, node),
        },
        _ => return None,
    };
    Some((name.to_owned(), signature))
}

/// An inherent impl, named by its bare type, with its public fns; trait impls are left out.
fn rust_impl(text: &str, node: Node) -> Option<(String, String)> {
    if node.child_by_field_name("trait").is_some() {
        return None;
    }
    let fns = impl_fns(text, node.child_by_field_name("body")?, 0);
    if fns.is_empty() {
        return None;
    }
    let name = bare_type_name(&text[node.child_by_field_name("type")?.byte_range()])?;
    Some((name, with_members(header(text, node)?, fns, "{")))
}

/// The signatures of the public fns in an impl's body, also those inside macro bodies in it
/// (`depth` of them around `text`).
fn impl_fns(text: &str, body: Node, depth: usize) -> Vec<String> {
    let mut fns = Vec::new();
    for item in named_children(body) {
        match item.kind() {
            "function_item" if is_pub(text, item) && !doc_hidden(text, item) => {
                fns.push(rust_fn(text, item));
            }
            "macro_invocation" if depth < MAX_MACRO_DEPTH => {
                if let Some((range, tree)) = macro_body(text, item) {
                    fns.extend(impl_fns(&text[range], tree.root_node(), depth + 1));
                }
            }
            _ => {}
        }
    }
    fns
}

/// `pub fn route(self, path: &str) -> Self`: up to the body, on one line; a `where` clause
/// that makes the line too long is left out, so that the parameters stay.
fn rust_fn(text: &str, node: Node) -> String {
    let end = node
        .child_by_field_name("body")
        .map_or(node.end_byte(), |b| b.start_byte());
    let mut signature = render(text, node, node.start_byte()..end, &no_rewrite);
    if signature.len() > MAX_LINE_BYTES
        && let Some(clause) = named_children(node).find(|c| c.kind() == "where_clause")
    {
        signature = render(
            text,
            node,
            node.start_byte()..clause.start_byte(),
            &no_rewrite,
        );
    }
    signature.trim_end_matches([';', ',', ' ']).to_owned()
}

/// `pub` alone; `pub(crate)` and the like are not public.
fn is_pub(text: &str, node: Node) -> bool {
    named_children(node)
        .any(|c| c.kind() == "visibility_modifier" && &text[c.byte_range()] == "pub")
}

fn doc_hidden(text: &str, node: Node) -> bool {
    preceding_attributes(node).any(|a| {
        text[a.byte_range()]
            .replace(' ', "")
            .contains("doc(hidden)")
    })
}

/// The attributes right above an item, through its doc comments.
fn preceding_attributes(node: Node) -> impl Iterator<Item = Node> {
    std::iter::successors(node.prev_named_sibling(), |n| n.prev_named_sibling())
        .take_while(|n| n.kind() == "attribute_item" || is_comment(n.kind()))
        .filter(|n| n.kind() == "attribute_item")
}

/// `Router<S>` → `Router`; `crate::routing::Router` → `Router`.
fn bare_type_name(type_text: &str) -> Option<String> {
    let path = type_text.split('<').next()?;
    let name = path.rsplit("::").next()?.trim_start_matches(['&', ' ']);
    let name = name.strip_prefix("mut ").unwrap_or(name).trim();
    let valid = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    valid.then(|| name.to_owned())
}

/// (name, signature) of a public Python `def` or `class` at module level.
fn python_signature(text: &str, node: Node, name: &str) -> Option<(String, String)> {
    let parent = node.parent()?;
    let container = if parent.kind() == "decorated_definition" {
        parent.parent()?
    } else {
        parent
    };
    if container.kind() != "module" || name.starts_with('_') {
        return None;
    }
    let signature = match node.kind() {
        "function_definition" => python_def(text, node),
        "class_definition" => {
            let end = node
                .child_by_field_name("superclasses")
                .or_else(|| node.child_by_field_name("name"))?
                .end_byte();
            let header = format!(
                "{}:",
                render(text, node, node.start_byte()..end, &no_rewrite)
            );
            let methods = node
                .child_by_field_name("body")
                .map(|body| {
                    named_children(body)
                        .filter_map(|child| match child.kind() {
                            // A property's setter repeats its getter's name.
                            "decorated_definition" if is_setter(text, child) => None,
                            "decorated_definition" => child.child_by_field_name("definition"),
                            _ => Some(child),
                        })
                        .filter(|f| f.kind() == "function_definition")
                        .filter(|f| {
                            let name = f.child_by_field_name("name").map(|n| &text[n.byte_range()]);
                            name.is_some_and(|n| !n.starts_with('_') || n == "__init__")
                        })
                        .map(|f| python_def(text, f))
                        .collect()
                })
                .unwrap_or_default();
            with_members(header, methods, "")
        }
        _ => return None,
    };
    Some((name.to_owned(), signature))
}

fn is_setter(text: &str, decorated: Node) -> bool {
    named_children(decorated)
        .filter(|d| d.kind() == "decorator")
        .any(|d| {
            text[d.byte_range()].ends_with(".setter") || text[d.byte_range()].ends_with(".deleter")
        })
}

/// `def get(self, path: str) -> Response:` with decorators, comments and `Annotated`
/// metadata left out and long strings shortened.
fn python_def(text: &str, node: Node) -> String {
    let end = node
        .child_by_field_name("return_type")
        .or_else(|| node.child_by_field_name("parameters"))
        .map_or(node.end_byte(), |n| n.end_byte());
    format!(
        "{}:",
        render(text, node, node.start_byte()..end, &python_rewrite)
    )
}

/// `Annotated[T, Doc("...")]` shows as `T`; a long string literal as `"..."`.
fn python_rewrite(text: &str, node: Node) -> Option<String> {
    match node.kind() {
        "string" if node.byte_range().len() > MAX_STRING_BYTES => Some("\"...\"".to_owned()),
        "subscript" | "generic_type" => {
            let head = node.named_child(0)?;
            if !text[head.byte_range()].ends_with("Annotated") {
                return None;
            }
            let first = match node.kind() {
                "subscript" => node.child_by_field_name("subscript")?,
                _ => node.named_child(1)?.named_child(0)?,
            };
            Some(render(text, first, first.byte_range(), &python_rewrite))
        }
        _ => None,
    }
}

/// (name, signature) of a declaration in a `.d.ts` file, outside any function or class.
fn declaration_signature(text: &str, node: Node) -> Option<(String, String)> {
    if !declaration_level(node) {
        return None;
    }
    let name = node
        .child_by_field_name("name")
        .map(|n| text[n.byte_range()].to_owned());
    let signature = match node.kind() {
        "function_signature" | "function_declaration" => match node.child_by_field_name("body") {
            Some(body) => render(
                text,
                node,
                node.start_byte()..body.start_byte(),
                &no_rewrite,
            ),
            None => whole(text, node),
        },
        "class_declaration"
        | "abstract_class_declaration"
        | "interface_declaration"
        | "enum_declaration" => {
            let body = node.child_by_field_name("body")?;
            let members = named_children(body)
                .filter(|m| !is_comment(m.kind()) && is_public_member(text, *m))
                .map(|m| match m.child_by_field_name("body") {
                    Some(b) => render(text, m, m.start_byte()..b.start_byte(), &no_rewrite),
                    None => whole(text, m).trim_end_matches(',').to_owned(),
                })
                .collect();
            with_members(header(text, node)?, members, "{")
        }
        "type_alias_declaration" => whole(text, node),
        "lexical_declaration" | "variable_declaration" => {
            let declarator = named_children(node).find(|n| n.kind() == "variable_declarator")?;
            let name = text[declarator.child_by_field_name("name")?.byte_range()].to_owned();
            return Some((name, whole(text, node)));
        }
        _ => return None,
    };
    Some((name?, signature))
}

/// Inside nothing but exports, `declare`s and namespaces.
fn declaration_level(node: Node) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        let allowed = match parent.kind() {
            "program" => return true,
            "export_statement"
            | "ambient_declaration"
            | "internal_module"
            | "module"
            | "expression_statement" => true,
            "statement_block" => parent
                .parent()
                .is_some_and(|p| matches!(p.kind(), "internal_module" | "module")),
            _ => false,
        };
        if !allowed {
            return false;
        }
        current = parent;
    }
    false
}

fn is_public_member(text: &str, member: Node) -> bool {
    let hidden_modifier = named_children(member).any(|c| {
        c.kind() == "accessibility_modifier"
            && matches!(&text[c.byte_range()], "private" | "protected")
    });
    let private_name = member
        .child_by_field_name("name")
        .is_some_and(|n| text[n.byte_range()].starts_with('#'));
    !hidden_modifier && !private_name
}

/// The header of an item with a body: its text up to the body, on one line.
fn header(text: &str, node: Node) -> Option<String> {
    let body = node.child_by_field_name("body")?;
    let header = render(
        text,
        node,
        node.start_byte()..body.start_byte(),
        &no_rewrite,
    );
    // A `where` clause may end in a comma.
    Some(header.trim_end_matches([',', ' ']).to_owned())
}

/// The header line, then up to MAX_MEMBERS member lines indented by 4, then `}` when the
/// header opened with `open`.
fn with_members(header: String, members: Vec<String>, open: &str) -> String {
    let mut out = header;
    if !open.is_empty() {
        out.push(' ');
        out.push_str(open);
    }
    let mut seen = HashSet::new();
    for member in members.iter().filter(|m| seen.insert(*m)).take(MAX_MEMBERS) {
        out.push_str("\n    ");
        out.push_str(member);
    }
    if open == "{" {
        out.push_str("\n}");
    }
    out
}

/// A node's whole text on one line, without its closing `;`.
fn whole(text: &str, node: Node) -> String {
    let rendered = render(text, node, node.byte_range(), &no_rewrite);
    rendered.trim_end_matches([';', ' ']).to_owned()
}

fn no_rewrite(_: &str, _: Node) -> Option<String> {
    None
}

/// `text[range]` (within `node`) on one line: comments dropped, the descendants `rewrite`
/// returns text for replaced by it, whitespace collapsed.
fn render(
    text: &str,
    node: Node,
    range: Range<usize>,
    rewrite: &dyn Fn(&str, Node) -> Option<String>,
) -> String {
    let mut out = String::new();
    let mut position = range.start;
    let mut cursor = node.walk();
    'walk: loop {
        let current = cursor.node();
        let inside = current.start_byte() >= position && current.end_byte() <= range.end;
        let overlaps = current.start_byte() < range.end && current.end_byte() > range.start;
        let mut descend = overlaps;
        if inside && current.id() != node.id() {
            let replacement = if is_comment(current.kind()) {
                Some(String::new())
            } else {
                rewrite(text, current)
            };
            if let Some(replacement) = replacement {
                out.push_str(&text[position..current.start_byte()]);
                out.push_str(&replacement);
                position = current.end_byte();
                descend = false;
            }
        }
        if descend && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node().id() == node.id() {
                break 'walk;
            }
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    out.push_str(&text[position.min(range.end)..range.end]);
    collapse(&out)
}

/// Whitespace runs as one space, and none just inside brackets or before a closing one.
fn collapse(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    joined
        .replace("( ", "(")
        .replace("[ ", "[")
        .replace(", )", ")")
        .replace(",)", ")")
        .replace(" )", ")")
        .replace(", ]", "]")
        .replace(" ]", "]")
}

/// A line cut to MAX_LINE_BYTES: the first parameter list loses its last parameters
/// (`...` in their place), and what is still too long is cut.
fn fit_line(line: &str) -> String {
    if line.len() <= MAX_LINE_BYTES {
        return line.to_owned();
    }
    let mut out = line.to_owned();
    if let Some((open, close)) = first_parentheses(line) {
        let (head, params, tail) = (&line[..=open], &line[open + 1..close], &line[close..]);
        let room = MAX_LINE_BYTES.saturating_sub(head.len() + tail.len() + 5);
        let mut kept = String::new();
        for param in split_top_level(params) {
            let next = if kept.is_empty() {
                param.len()
            } else {
                kept.len() + 2 + param.len()
            };
            if next > room {
                break;
            }
            if !kept.is_empty() {
                kept.push_str(", ");
            }
            kept.push_str(param);
        }
        let elided = if kept.is_empty() {
            "...".to_owned()
        } else {
            format!("{kept}, ...")
        };
        out = format!("{head}{elided}{tail}");
    }
    if out.len() > MAX_LINE_BYTES {
        let mut cut = MAX_LINE_BYTES - 3;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("...");
    }
    out
}

/// Byte offsets of the first `(` and the `)` that closes it.
fn first_parentheses(line: &str) -> Option<(usize, usize)> {
    let start = line.find('(')?;
    let mut depth = 0usize;
    for (i, c) in line[start..].char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return (c == ')').then_some((start, start + i));
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits at the commas outside any bracket.
fn split_top_level(params: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut previous = ' ';
    for (i, c) in params.char_indices() {
        let arrow = previous == '-' || previous == '=';
        previous = c;
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            '>' if arrow => {}
            ')' | ']' | '}' | '>' => depth -= 1,
            ',' if depth == 0 => {
                out.push(params[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(params[start..].trim());
    out.retain(|p| !p.is_empty());
    out
}

fn named_children(node: Node) -> impl Iterator<Item = Node> {
    (0..node.named_child_count()).filter_map(move |i| node.named_child(i))
}

fn is_comment(kind: &str) -> bool {
    matches!(kind, "comment" | "line_comment" | "block_comment")
}

/// At most MAX_LINES lines, each cut to MAX_LINE_BYTES.
fn fit_lines(text: &str) -> String {
    let lines: Vec<String> = text.lines().take(MAX_LINES).map(fit_line).collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The (name, text) pairs of `source` read as a file of `dialect`.
    fn signatures_of(source: &str, dialect: Dialect, file: &str) -> Vec<(String, String)> {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(file), source).unwrap();
        let indexed = index(dir.path(), dir.path(), "pkg 1.0", dialect, LIMITS);
        indexed
            .signatures
            .into_iter()
            .map(|(path, d)| {
                assert_eq!(path, format!("pkg 1.0/{file}"));
                (d.name, d.text)
            })
            .collect()
    }

    fn pair(name: &str, text: &str) -> (String, String) {
        (name.to_owned(), text.to_owned())
    }

    #[test]
    fn rust_items_show_their_public_signatures() {
        let source = r#"
/// Docs.
#[derive(Debug)]
pub enum Method {
    /// The GET method.
    Get,
    Other(String),
}

pub trait IntoResponse: Sized {
    type Body;
    fn into_response(self) -> Response;
    fn boxed(self) -> Box<Self> { Box::new(self) }
}

impl IntoResponse for Method {
    fn into_response(self) -> Response { todo!() }
}

#[doc(hidden)]
pub fn __private() {}

#[doc(hidden)]
pub fn hidden() {}

pub const MAX: usize = 1024 * 1024;
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) struct CrateOnly;

pub mod nested {
    pub async fn serve<L>(listener: L) -> Serve<L>
    where
        L: Listener,
    {
        fn inner() {}
        todo!()
    }
}

#[macro_export]
macro_rules! exported { () => {}; }

macro_rules! local { () => {}; }
"#;
        assert_eq!(
            signatures_of(source, Dialect::Rust, "lib.rs"),
            [
                pair("Method", "pub enum Method {\n    Get\n    Other(String)\n}"),
                pair(
                    "IntoResponse",
                    "pub trait IntoResponse: Sized {\n    type Body\n    \
                     fn into_response(self) -> Response\n    fn boxed(self) -> Box<Self>\n}"
                ),
                pair("MAX", "pub const MAX: usize"),
                pair(
                    "Result",
                    "pub type Result<T, E = Error> = std::result::Result<T, E>"
                ),
                pair(
                    "serve",
                    "pub async fn serve<L>(listener: L) -> Serve<L> where L: Listener"
                ),
                pair("exported", "macro_rules! exported"),
            ]
        );
    }

    #[test]
    fn rust_items_inside_macro_bodies_count_and_long_where_clauses_go() {
        let bound = "S: Service<Request, Response = Response, Error = Infallible> + Clone + Send";
        let bounds = [bound; 3].join(", ");
        let source = format!(
            "cfg_rt! {{\n    pub fn spawn<F>(future: F) -> JoinHandle<F::Output> {{ todo!() }}\n}}\n\
             impl TcpListener {{\n    cfg_net! {{\n        \
             pub async fn bind<A>(addr: A) -> io::Result<TcpListener> {{ todo!() }}\n    }}\n    \
             pub fn layer<S>(self, service: S) -> Self where {bounds} {{ self }}\n}}\n"
        );
        assert_eq!(
            signatures_of(&source, Dialect::Rust, "lib.rs"),
            [
                pair(
                    "spawn",
                    "pub fn spawn<F>(future: F) -> JoinHandle<F::Output>"
                ),
                pair(
                    "TcpListener",
                    "impl TcpListener {\n    \
                     pub async fn bind<A>(addr: A) -> io::Result<TcpListener>\n    \
                     pub fn layer<S>(self, service: S) -> Self\n}"
                ),
            ]
        );
    }

    #[test]
    fn python_keeps_public_module_level_defs_and_shortens_long_ones() {
        let params: Vec<String> = (0..30)
            .map(|i| format!("argument_{i}: int = {i}"))
            .collect();
        let source = format!(
            "import os\n\n@app.route('/')\nasync def handler(request):\n    return 1\n\n\
             def _hidden():\n    pass\n\n\
             def long(self, {}) -> Response:\n    pass\n\n\
             def documented(x: str = \"{}\"):\n    pass\n\n\
             if TYPE_CHECKING:\n    def conditional(): pass\n",
            params.join(", "),
            "a long default string that goes on and on"
        );
        let found = signatures_of(&source, Dialect::Python, "routing.py");
        let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["handler", "long", "documented"]);
        assert_eq!(found[0].1, "async def handler(request):");
        assert!(found[1].1.len() <= MAX_LINE_BYTES, "{}", found[1].1);
        assert!(
            found[1]
                .1
                .starts_with("def long(self, argument_0: int = 0, ")
        );
        assert!(
            found[1].1.ends_with(", ...) -> Response:"),
            "{}",
            found[1].1
        );
        assert_eq!(found[2].1, "def documented(x: str = \"...\"):");
    }

    #[test]
    fn typescript_declarations_skip_private_class_members() {
        let source = "
export declare class Server extends EventEmitter {
    private secret;
    protected internal(): void;
    listen(port: number,
        callback?: () => void): this;
    close(): void;
}
export type Handler = (req: Request) => void;
declare function helper(): void;
";
        assert_eq!(
            signatures_of(source, Dialect::Declarations, "index.d.ts"),
            [
                pair(
                    "Server",
                    "class Server extends EventEmitter {\n    \
                     listen(port: number, callback?: () => void): this\n    close(): void\n}"
                ),
                pair("Handler", "type Handler = (req: Request) => void"),
                pair("helper", "function helper(): void"),
            ]
        );
    }

    #[test]
    fn a_package_is_read_up_to_its_file_bound_skipping_tests_and_private_modules() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..5 {
            fs::write(
                dir.path().join(format!("m{i}.py")),
                format!("def f{i}(): pass\n"),
            )
            .unwrap();
        }
        fs::create_dir(dir.path().join("tests")).unwrap();
        fs::write(dir.path().join("tests/t.py"), "def from_tests(): pass\n").unwrap();
        fs::write(dir.path().join("_private.py"), "def from_private(): pass\n").unwrap();
        let all = index(dir.path(), dir.path(), "p 1", Dialect::Python, LIMITS);
        assert_eq!(all.files, 5);
        let bounded = Limits { files: 2, ..LIMITS };
        let some = index(dir.path(), dir.path(), "p 1", Dialect::Python, bounded);
        assert_eq!(some.files, 2);
        let names: Vec<&str> = some
            .signatures
            .iter()
            .map(|(_, d)| d.name.as_str())
            .collect();
        assert_eq!(names, ["f0", "f1"]);
        let by_bytes = Limits {
            bytes: 30,
            ..LIMITS
        };
        assert_eq!(
            index(dir.path(), dir.path(), "p 1", Dialect::Python, by_bytes).files,
            2
        );
    }
}
