//! The language registry: grammars/languages.toml plus each language's tree-sitter grammar and
//! compiled queries (definitions, imports, scopes), embedded in the binary.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use tree_sitter::{Query, QueryError, QueryErrorKind};

/// Capture on a whole defining node in `definitions.scm`.
pub const CAPTURE_DEFINITION: &str = "definition";
/// Capture on a definition's name identifier in `definitions.scm`.
pub const CAPTURE_NAME: &str = "name";
/// Capture on a whole import statement in `imports.scm`.
pub const CAPTURE_IMPORT: &str = "import";
/// Capture on a node that opens a scope in `scopes.scm`; its header is the source from the
/// scope's start to the start of its `@body`.
pub const CAPTURE_SCOPE: &str = "scope";
/// Capture on a scope's body in `scopes.scm`.
pub const CAPTURE_BODY: &str = "body";

/// How a language delimits blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockStyle {
    /// By indentation (Python).
    Indent,
    /// By `{ }`.
    Braces,
}

/// One language: its names, its grammar and its compiled queries.
pub struct Language {
    /// nib's name for the language, e.g. `tsx`.
    pub id: String,
    /// File extensions without the dot.
    pub extensions: Vec<String>,
    /// The LSP `languageId` values that mean this language.
    pub lsp_ids: Vec<String>,
    /// The line comment token, e.g. `#`.
    pub line_comment: String,
    pub blocks: BlockStyle,
    pub grammar: tree_sitter::Language,
    /// `@definition` on each defining node, `@name` on its name.
    pub definitions: Query,
    /// `@import` on each import statement.
    pub imports: Query,
    /// `@scope` on each scope-opening node, `@body` on its body.
    pub scopes: Query,
}

/// Why languages.toml or a query file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LanguageError {
    #[error("languages.toml is not valid: {0}")]
    Toml(#[from] toml::de::Error),
    #[error(
        "language `{language}` names grammar `{grammar}`, which nib is not built with \
         (it has: {})",
        GRAMMARS.join(", ")
    )]
    UnknownGrammar { language: String, grammar: String },
    #[error("language id `{0}` is defined twice in languages.toml")]
    DuplicateId(String),
    #[error("{what} `{key}` is claimed by both `{first}` and `{second}` in languages.toml")]
    DuplicateKey {
        what: &'static str,
        key: String,
        first: String,
        second: String,
    },
    #[error("query file grammars/{path} is missing (needed by language `{language}`)")]
    MissingQuery { language: String, path: String },
    #[error("grammars/{path}: `; inherits:` goes deeper than {MAX_INHERITANCE} files (a cycle?)")]
    InheritanceTooDeep { path: String },
    #[error("grammars/{path} line {line}, column {column}: {problem} (grammar `{grammar}`)")]
    Query {
        path: String,
        grammar: String,
        /// 1-based line within `path`.
        line: usize,
        /// 1-based column (bytes).
        column: usize,
        /// What is wrong, e.g. "invalid node type `functon_item`".
        problem: String,
    },
    #[error("grammars/{path} has no @{capture} capture, which nib relies on")]
    MissingCapture { path: String, capture: &'static str },
}

/// All languages nib knows, with lookups by id, LSP languageId and extension.
pub struct LanguageRegistry {
    languages: Vec<Arc<Language>>,
    by_id: HashMap<String, usize>,
    by_lsp_id: HashMap<String, usize>,
    by_extension: HashMap<String, usize>,
}

impl LanguageRegistry {
    /// The languages embedded in the binary (grammars/), loaded on first use.
    pub fn builtin() -> &'static LanguageRegistry {
        static BUILTIN: OnceLock<LanguageRegistry> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            LanguageRegistry::load(BUILTIN_TOML, |path| builtin_query(path).map(str::to_owned))
                .expect("the embedded grammars/ loads (checked by the language tests)")
        })
    }

    /// Loads `toml` (the format of grammars/languages.toml); `query_file` returns the text of a
    /// query file by its path under grammars/, e.g. `python/scopes.scm`, or None when absent.
    pub fn load(
        toml: &str,
        query_file: impl Fn(&str) -> Option<String>,
    ) -> Result<LanguageRegistry, LanguageError> {
        let file: LanguagesFile = toml::from_str(toml)?;
        let mut registry = LanguageRegistry {
            languages: Vec::with_capacity(file.language.len()),
            by_id: HashMap::new(),
            by_lsp_id: HashMap::new(),
            by_extension: HashMap::new(),
        };
        for entry in file.language {
            let language = entry.compile(&query_file)?;
            registry.insert(language)?;
        }
        Ok(registry)
    }

    /// By LSP languageId first, then by the path's (or URI's) extension; None = plain text
    /// (still completed, without syntax help).
    pub fn detect(&self, lsp_language_id: Option<&str>, path: &str) -> Option<Arc<Language>> {
        let by_lsp_id = lsp_language_id.and_then(|id| self.by_lsp_id.get(id));
        let index = by_lsp_id.or_else(|| {
            let file_name = path.rsplit(['/', '\\']).next().unwrap_or(path);
            let (_, extension) = file_name.rsplit_once('.')?;
            self.by_extension.get(&extension.to_ascii_lowercase())
        })?;
        Some(Arc::clone(&self.languages[*index]))
    }

    /// The language with nib id `id`.
    pub fn get(&self, id: &str) -> Option<Arc<Language>> {
        self.by_id.get(id).map(|&i| Arc::clone(&self.languages[i]))
    }

    /// Every language, in languages.toml order.
    pub fn all(&self) -> &[Arc<Language>] {
        &self.languages
    }

    fn insert(&mut self, language: Language) -> Result<(), LanguageError> {
        let index = self.languages.len();
        if self.by_id.insert(language.id.clone(), index).is_some() {
            return Err(LanguageError::DuplicateId(language.id));
        }
        for (what, keys, map) in [
            ("lsp-id", &language.lsp_ids, &mut self.by_lsp_id),
            ("extension", &language.extensions, &mut self.by_extension),
        ] {
            for key in keys {
                match map.entry(key.clone()) {
                    Entry::Vacant(slot) => {
                        slot.insert(index);
                    }
                    Entry::Occupied(taken) => {
                        return Err(LanguageError::DuplicateKey {
                            what,
                            key: key.clone(),
                            first: self.languages[*taken.get()].id.clone(),
                            second: language.id.clone(),
                        });
                    }
                }
            }
        }
        self.languages.push(Arc::new(language));
        Ok(())
    }
}

const BUILTIN_TOML: &str = include_str!("../grammars/languages.toml");

/// The grammars compiled into nib, by the name languages.toml uses.
const GRAMMARS: [&str; 6] = ["python", "javascript", "typescript", "tsx", "rust", "go"];

/// How many query files one `; inherits:` chain may span.
const MAX_INHERITANCE: usize = 8;

const INHERITS: &str = "; inherits:";

fn grammar(name: &str) -> Option<tree_sitter::Language> {
    let language = match name {
        "python" => tree_sitter_python::LANGUAGE,
        "javascript" => tree_sitter_javascript::LANGUAGE,
        "typescript" => tree_sitter_typescript::LANGUAGE_TYPESCRIPT,
        "tsx" => tree_sitter_typescript::LANGUAGE_TSX,
        "rust" => tree_sitter_rust::LANGUAGE,
        "go" => tree_sitter_go::LANGUAGE,
        _ => return None,
    };
    Some(language.into())
}

macro_rules! builtin_queries {
    ($($language:literal),* $(,)?) => {
        &[$(
            (
                concat!($language, "/definitions.scm"),
                include_str!(concat!("../grammars/", $language, "/definitions.scm")),
            ),
            (
                concat!($language, "/imports.scm"),
                include_str!(concat!("../grammars/", $language, "/imports.scm")),
            ),
            (
                concat!($language, "/scopes.scm"),
                include_str!(concat!("../grammars/", $language, "/scopes.scm")),
            ),
        )*]
    };
}

const BUILTIN_QUERIES: &[(&str, &str)] =
    builtin_queries!("python", "javascript", "typescript", "tsx", "rust", "go");

fn builtin_query(path: &str) -> Option<&'static str> {
    BUILTIN_QUERIES
        .iter()
        .find(|(name, _)| *name == path)
        .map(|(_, text)| *text)
}

#[derive(Deserialize)]
struct LanguagesFile {
    language: Vec<LanguageEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct LanguageEntry {
    id: String,
    grammar: String,
    extensions: Vec<String>,
    lsp_ids: Vec<String>,
    line_comment: String,
    blocks: BlockStyle,
}

impl LanguageEntry {
    fn compile(
        self,
        query_file: &impl Fn(&str) -> Option<String>,
    ) -> Result<Language, LanguageError> {
        let grammar = grammar(&self.grammar).ok_or_else(|| LanguageError::UnknownGrammar {
            language: self.id.clone(),
            grammar: self.grammar.clone(),
        })?;
        let compile = |kind: &str, captures: &[&'static str]| {
            let sources = query_sources(&self.id, kind, query_file)?;
            compile_query(&grammar, &self.grammar, &sources, captures)
        };
        Ok(Language {
            definitions: compile("definitions", &[CAPTURE_DEFINITION, CAPTURE_NAME])?,
            imports: compile("imports", &[CAPTURE_IMPORT])?,
            scopes: compile("scopes", &[CAPTURE_SCOPE, CAPTURE_BODY])?,
            extensions: self
                .extensions
                .iter()
                .map(|e| e.to_ascii_lowercase())
                .collect(),
            id: self.id,
            lsp_ids: self.lsp_ids,
            line_comment: self.line_comment,
            blocks: self.blocks,
            grammar,
        })
    }
}

/// One query file's text and where it came from.
struct QuerySource {
    path: String,
    text: String,
}

/// The files that make up `language`'s `kind` query, inherited ones first, each once.
fn query_sources(
    language: &str,
    kind: &str,
    query_file: &impl Fn(&str) -> Option<String>,
) -> Result<Vec<QuerySource>, LanguageError> {
    let mut sources = Vec::new();
    collect_query_sources(language, language, kind, query_file, 0, &mut sources)?;
    Ok(sources)
}

fn collect_query_sources(
    language: &str,
    name: &str,
    kind: &str,
    query_file: &impl Fn(&str) -> Option<String>,
    depth: usize,
    sources: &mut Vec<QuerySource>,
) -> Result<(), LanguageError> {
    let path = format!("{name}/{kind}.scm");
    if depth == MAX_INHERITANCE {
        return Err(LanguageError::InheritanceTooDeep { path });
    }
    if sources.iter().any(|source| source.path == path) {
        return Ok(());
    }
    let text = query_file(&path).ok_or_else(|| LanguageError::MissingQuery {
        language: language.to_owned(),
        path: path.clone(),
    })?;
    let parents = text
        .lines()
        .find_map(|line| line.strip_prefix(INHERITS))
        .into_iter()
        .flat_map(|list| list.split(','))
        .map(str::trim)
        .filter(|parent| !parent.is_empty());
    for parent in parents {
        collect_query_sources(language, parent, kind, query_file, depth + 1, sources)?;
    }
    sources.push(QuerySource { path, text });
    Ok(())
}

fn compile_query(
    grammar: &tree_sitter::Language,
    grammar_name: &str,
    sources: &[QuerySource],
    captures: &[&'static str],
) -> Result<Query, LanguageError> {
    let mut text = String::new();
    // The 0-based line in `text` where each source starts.
    let mut first_lines = Vec::with_capacity(sources.len());
    for source in sources {
        first_lines.push(text.bytes().filter(|&b| b == b'\n').count());
        text.push_str(&source.text);
        text.push('\n');
    }
    let query = Query::new(grammar, &text).map_err(|error| {
        // Point the error at the file and line it came from, not the concatenation.
        let file = first_lines.partition_point(|&first| first <= error.row) - 1;
        LanguageError::Query {
            path: sources[file].path.clone(),
            grammar: grammar_name.to_owned(),
            line: error.row - first_lines[file] + 1,
            column: error.column + 1,
            problem: query_problem(&error),
        }
    })?;
    let own_path = &sources[sources.len() - 1].path;
    for &capture in captures {
        if query.capture_index_for_name(capture).is_none() {
            return Err(LanguageError::MissingCapture {
                path: own_path.clone(),
                capture,
            });
        }
    }
    Ok(query)
}

/// A QueryError's message without its position, which is the concatenation's.
fn query_problem(error: &QueryError) -> String {
    let message = &error.message;
    match error.kind {
        QueryErrorKind::NodeType => format!("invalid node type `{message}`"),
        QueryErrorKind::Field => format!("invalid field name `{message}`"),
        QueryErrorKind::Capture => format!("invalid capture name `{message}`"),
        QueryErrorKind::Predicate => format!("invalid predicate: {message}"),
        QueryErrorKind::Structure => format!("impossible pattern: {message}"),
        QueryErrorKind::Syntax => format!("invalid syntax: {message}"),
        QueryErrorKind::Language => message.clone(),
    }
}

#[cfg(test)]
mod query_tests;
#[cfg(test)]
mod tests;
