//! Each language's queries on a small sample source find what the context builder expects.

use std::ops::Range;

use super::*;
use tree_sitter::{Parser, QueryCursor, StreamingIterator};

/// Each match of `query` on `source` (which must parse cleanly): its captures' names and byte
/// ranges, leaving out names starting with `_` (predicate helpers).
fn matches(language: &Language, query: &Query, source: &str) -> Vec<Vec<(String, Range<usize>)>> {
    let mut parser = Parser::new();
    parser.set_language(&language.grammar).unwrap();
    let tree = parser.parse(source, None).unwrap();
    let root = tree.root_node();
    assert!(!root.has_error(), "{}", root.to_sexp());
    let mut cursor = QueryCursor::new();
    let mut query_matches = cursor.matches(query, root, source.as_bytes());
    let mut found = Vec::new();
    while let Some(m) = query_matches.next() {
        let captures = m.captures.iter().map(|capture| {
            let name = query.capture_names()[capture.index as usize];
            (name.to_owned(), capture.node.byte_range())
        });
        found.push(
            captures
                .filter(|(name, _)| !name.starts_with('_'))
                .collect(),
        );
    }
    found
}

fn capture(captures: &[(String, Range<usize>)], wanted: &str) -> Range<usize> {
    let found = captures.iter().find(|(name, _)| name == wanted);
    found
        .unwrap_or_else(|| panic!("no @{wanted} in {captures:?}"))
        .1
        .clone()
}

fn sorted<T: Ord>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut items: Vec<T> = items.into_iter().collect();
    items.sort();
    items
}

struct Expected<'a> {
    language: &'a str,
    source: &'a str,
    /// (name, first line of the definition)
    definitions: &'a [(&'a str, &'a str)],
    imports: &'a [&'a str],
    /// Source from the scope's start to its body's start, trimmed.
    scope_headers: &'a [&'a str],
}

fn check(expected: Expected) {
    let language = LanguageRegistry::builtin().get(expected.language).unwrap();
    let (id, source) = (expected.language, expected.source);
    let first_line = |range: Range<usize>| source[range].lines().next().unwrap_or_default();

    let definitions = matches(&language, &language.definitions, source);
    let definitions = definitions.iter().map(|captures| {
        let name = first_line(capture(captures, CAPTURE_NAME));
        (name, first_line(capture(captures, CAPTURE_DEFINITION)))
    });
    let want = expected.definitions.iter().copied();
    assert_eq!(sorted(definitions), sorted(want), "{id} definitions");

    let imports = matches(&language, &language.imports, source);
    let imports = imports.iter().map(|captures| {
        assert_eq!(captures.len(), 1, "{id}: {captures:?}");
        &source[capture(captures, CAPTURE_IMPORT)]
    });
    let want = expected.imports.iter().copied();
    assert_eq!(sorted(imports), sorted(want), "{id} imports");

    let scopes = matches(&language, &language.scopes, source);
    let headers = scopes.iter().map(|captures| {
        let (scope, body) = (
            capture(captures, CAPTURE_SCOPE),
            capture(captures, CAPTURE_BODY),
        );
        assert!(scope.start <= body.start && body.end <= scope.end, "{id}");
        source[scope.start..body.start].trim()
    });
    let want = expected.scope_headers.iter().copied();
    assert_eq!(sorted(headers), sorted(want), "{id} scopes");
}

#[test]
fn python_queries() {
    check(Expected {
        language: "python",
        source: r#"from __future__ import annotations
import os, sys
from .models import User as U

TIMEOUT = 30
type Vector = list[float]

@app.route("/users")
def list_users(request) -> list:
    count = 0
    return []

class Service(Base):
    name: str = "svc"

    @property
    def ready(self):
        return True
"#,
        definitions: &[
            ("TIMEOUT", "TIMEOUT = 30"),
            ("Vector", "type Vector = list[float]"),
            ("list_users", "def list_users(request) -> list:"),
            ("Service", "class Service(Base):"),
            ("ready", "def ready(self):"),
        ],
        imports: &[
            "from __future__ import annotations",
            "import os, sys",
            "from .models import User as U",
        ],
        scope_headers: &[
            "def list_users(request) -> list:",
            "class Service(Base):",
            "def ready(self):",
        ],
    });
}

#[test]
fn javascript_queries() {
    check(Expected {
        language: "javascript",
        source: r#"import React, { useState } from "react";
const fs = require("fs");
var path = require("path");
export const LIMIT = 10, other = 2;
let counter = 0;

export function App({ title }) {
  const [n, setN] = useState(0);
  return <div>{title}</div>;
}

function* ids() { yield 1; }

const handler = async (req, res) => {
  res.send("ok");
};

class Store extends Base {
  load(id) {
    return fetch(id);
  }
}

module.exports.run = function () {
  return 1;
};

describe("store", () => {
  it("loads", () => {});
});

const routes = { home: () => {
  return 1;
} };
"#,
        definitions: &[
            ("LIMIT", "const LIMIT = 10, other = 2;"),
            ("other", "const LIMIT = 10, other = 2;"),
            ("counter", "let counter = 0;"),
            ("App", "function App({ title }) {"),
            ("ids", "function* ids() { yield 1; }"),
            ("handler", "const handler = async (req, res) => {"),
            ("Store", "class Store extends Base {"),
            ("load", "load(id) {"),
            ("routes", "const routes = { home: () => {"),
            ("fs", "const fs = require(\"fs\");"),
            ("path", "var path = require(\"path\");"),
        ],
        imports: &[
            "import React, { useState } from \"react\";",
            "const fs = require(\"fs\");",
            "var path = require(\"path\");",
        ],
        scope_headers: &[
            "function App({ title })",
            "function* ids()",
            "const handler = async (req, res) =>",
            "class Store extends Base",
            "load(id)",
            "module.exports.run = function ()",
            "describe(\"store\", () =>",
            "it(\"loads\", () =>",
            "home: () =>",
        ],
    });
}

#[test]
fn typescript_queries() {
    let source = r#"import type { Request } from "express";
import fs = require("fs");

export interface User {
  id: number;
  name(): string;
}

export type Id = string | number;

enum Color { Red, Green }

declare function greet(name: string): void;

export abstract class Repo<T> {
  abstract find(id: Id): T;
  save(item: T): void {}
}

namespace Util {
  export const x = 1;
}

export const handler = async (req: Request): Promise<void> => {
  return;
};
"#;
    for language in ["typescript", "tsx"] {
        check(Expected {
            language,
            source,
            definitions: &[
                ("User", "interface User {"),
                ("Id", "type Id = string | number;"),
                ("Color", "enum Color { Red, Green }"),
                ("greet", "function greet(name: string): void;"),
                ("Repo", "abstract class Repo<T> {"),
                ("find", "abstract find(id: Id): T"),
                ("save", "save(item: T): void {}"),
                ("Util", "namespace Util {"),
                (
                    "handler",
                    "const handler = async (req: Request): Promise<void> => {",
                ),
            ],
            imports: &[
                "import type { Request } from \"express\";",
                "import fs = require(\"fs\");",
            ],
            scope_headers: &[
                "interface User",
                "enum Color",
                "abstract class Repo<T>",
                "save(item: T): void",
                "namespace Util",
                "const handler = async (req: Request): Promise<void> =>",
            ],
        });
    }
}

#[test]
fn tsx_parses_jsx() {
    check(Expected {
        language: "tsx",
        source: "export const App = (p: Props) => {\n  return <div>{p.title}</div>;\n};\n",
        definitions: &[("App", "const App = (p: Props) => {")],
        imports: &[],
        scope_headers: &["const App = (p: Props) =>"],
    });
}

#[test]
fn rust_queries() {
    check(Expected {
        language: "rust",
        source: r#"extern crate alloc;
use std::collections::{HashMap, HashSet};
pub use crate::language::Language;

pub const LIMIT: usize = 4;
static NAME: &str = "nib";
type Map = HashMap<String, u32>;

#[derive(Debug)]
pub struct Point {
    x: i32,
}

enum Shape { Dot(Point) }

pub trait Area {
    fn area(&self) -> f64;
}

impl<T: Clone> Area for Wrapper<T> {
    fn area(&self) -> f64 {
        1.0
    }
}

mod inner {
    pub fn helper() {}
}

macro_rules! square { ($x:expr) => { $x * $x }; }
"#,
        definitions: &[
            ("LIMIT", "pub const LIMIT: usize = 4;"),
            ("NAME", "static NAME: &str = \"nib\";"),
            ("Map", "type Map = HashMap<String, u32>;"),
            ("Point", "pub struct Point {"),
            ("Shape", "enum Shape { Dot(Point) }"),
            ("Area", "pub trait Area {"),
            ("area", "fn area(&self) -> f64;"),
            ("Wrapper<T>", "impl<T: Clone> Area for Wrapper<T> {"),
            ("area", "fn area(&self) -> f64 {"),
            ("inner", "mod inner {"),
            ("helper", "pub fn helper() {}"),
            (
                "square",
                "macro_rules! square { ($x:expr) => { $x * $x }; }",
            ),
        ],
        imports: &[
            "extern crate alloc;",
            "use std::collections::{HashMap, HashSet};",
            "pub use crate::language::Language;",
        ],
        scope_headers: &[
            "pub struct Point",
            "enum Shape",
            "pub trait Area",
            "impl<T: Clone> Area for Wrapper<T>",
            "fn area(&self) -> f64",
            "mod inner",
            "pub fn helper()",
        ],
    });
}

#[test]
fn go_queries() {
    check(Expected {
        language: "go",
        source: r#"package main

import "fmt"

import (
	"net/http"
	str "strings"
)

const Limit = 10

const (
	A = iota
	B
)

var debug = false

var (
	x, y int
)

type Server struct {
	addr string
}

type (
	ID    string
	Alias = int
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, str.ToUpper("ok"))
	})
	var local = 1
	_ = local
}

func (s *Server) Run() error {
	return nil
}
"#,
        definitions: &[
            ("Limit", "const Limit = 10"),
            ("A", "A = iota"),
            ("B", "B"),
            ("debug", "var debug = false"),
            ("x", "x, y int"),
            ("y", "x, y int"),
            ("Server", "type Server struct {"),
            ("ID", "ID    string"),
            ("Alias", "Alias = int"),
            ("main", "func main() {"),
            ("Run", "func (s *Server) Run() error {"),
        ],
        imports: &[
            "import \"fmt\"",
            "import (\n\t\"net/http\"\n\tstr \"strings\"\n)",
        ],
        scope_headers: &[
            "type Server struct",
            "func main()",
            "http.HandleFunc(\"/\", func(w http.ResponseWriter, r *http.Request)",
            "func (s *Server) Run() error",
        ],
    });
}
