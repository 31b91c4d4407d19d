//! Loading and lookups; query_tests checks each language's queries on sample sources.

use super::*;

#[test]
fn builtin_loads_every_language_and_its_queries() {
    let registry = LanguageRegistry::builtin();
    let ids: Vec<_> = registry.all().iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        ids,
        ["python", "javascript", "typescript", "tsx", "rust", "go"]
    );
    for language in registry.all() {
        let patterns = |query: &Query| query.pattern_count();
        assert!(patterns(&language.definitions) > 0, "{}", language.id);
        assert!(patterns(&language.imports) > 0, "{}", language.id);
        assert!(patterns(&language.scopes) > 0, "{}", language.id);
    }
}

#[test]
fn detect_by_lsp_id_then_extension() {
    let registry = LanguageRegistry::builtin();
    let detect = |lsp_id, path| registry.detect(lsp_id, path).map(|l| l.id.clone());
    assert_eq!(
        detect(Some("python"), "file:///a/b.txt").as_deref(),
        Some("python")
    );
    assert_eq!(
        detect(Some("javascriptreact"), "x").as_deref(),
        Some("javascript")
    );
    assert_eq!(detect(Some("typescriptreact"), "x").as_deref(), Some("tsx"));
    assert_eq!(
        detect(Some("typescript"), "a.js").as_deref(),
        Some("typescript")
    );
    assert_eq!(detect(None, "/src/main.rs").as_deref(), Some("rust"));
    assert_eq!(
        detect(None, "file:///w/app.MJS").as_deref(),
        Some("javascript")
    );
    assert_eq!(
        detect(Some("plaintext"), "stubs/os.pyi").as_deref(),
        Some("python")
    );
    assert_eq!(detect(None, "C:\\w\\cmd\\main.go").as_deref(), Some("go"));
    assert_eq!(detect(None, "web/App.tsx").as_deref(), Some("tsx"));
    assert_eq!(detect(None, "lib/x.cts").as_deref(), Some("typescript"));
    assert_eq!(detect(Some("plaintext"), "notes.txt"), None);
    assert_eq!(detect(None, "Makefile"), None);
    assert_eq!(detect(None, "dir.rs/Makefile"), None);
    assert_eq!(
        registry
            .get("go")
            .map(|l| l.line_comment.clone())
            .as_deref(),
        Some("//")
    );
    assert_eq!(
        registry.get("python").map(|l| l.blocks),
        Some(BlockStyle::Indent)
    );
    assert!(registry.get("cobol").is_none());
}

fn load_with(toml: &str, files: &[(&str, &str)]) -> Result<LanguageRegistry, LanguageError> {
    let files: HashMap<String, String> = files
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect();
    LanguageRegistry::load(toml, |path| files.get(path).cloned())
}

const MINI_TOML: &str = r##"
[[language]]
id = "mini"
grammar = "python"
extensions = ["mini"]
lsp-ids = ["mini"]
line-comment = "#"
blocks = "indent"
"##;

#[test]
fn load_reports_broken_queries_by_file_and_line() {
    let ok_imports = ("mini/imports.scm", "(import_statement) @import");
    let ok_scopes = (
        "mini/scopes.scm",
        "(class_definition body: (_) @body) @scope",
    );
    let base = (
        "base/definitions.scm",
        "(class_definition name: (_) @name) @definition",
    );
    let child = (
        "mini/definitions.scm",
        "; inherits: base\n\n(no_such_node) @x",
    );
    let error = load_with(MINI_TOML, &[ok_imports, ok_scopes, base, child])
        .err()
        .unwrap();
    let message = error.to_string();
    assert_eq!(
        message,
        "grammars/mini/definitions.scm line 3, column 2: invalid node type `no_such_node` \
         (grammar `python`)"
    );

    let no_name = ("mini/definitions.scm", "(class_definition) @definition");
    let error = load_with(MINI_TOML, &[ok_imports, ok_scopes, no_name])
        .err()
        .unwrap();
    assert!(matches!(
        error,
        LanguageError::MissingCapture {
            capture: "name",
            ..
        }
    ));

    let cycle = ("mini/definitions.scm", "; inherits: mini\n");
    let error = load_with(MINI_TOML, &[ok_imports, ok_scopes, cycle])
        .err()
        .unwrap();
    assert!(
        matches!(error, LanguageError::InheritanceTooDeep { .. }),
        "{error}"
    );

    let error = load_with(MINI_TOML, &[ok_imports, ok_scopes])
        .err()
        .unwrap();
    assert!(
        matches!(error, LanguageError::MissingQuery { .. }),
        "{error}"
    );

    let inherited = ("mini/definitions.scm", "; inherits: base\n");
    let registry = load_with(MINI_TOML, &[ok_imports, ok_scopes, base, inherited]).unwrap();
    assert_eq!(registry.detect(None, "a.mini").unwrap().id, "mini");

    let twice = format!("{MINI_TOML}{}", MINI_TOML.replace("\"mini\"", "\"other\""));
    let twice = twice.replacen("extensions = [\"other\"]", "extensions = [\"mini\"]", 1);
    let files = [ok_imports, ok_scopes, base, inherited];
    let other: Vec<_> = files
        .iter()
        .map(|(path, text)| (path.replace("mini/", "other/"), *text))
        .collect();
    let mut all: Vec<(&str, &str)> = files.to_vec();
    all.extend(other.iter().map(|(path, text)| (path.as_str(), *text)));
    let error = load_with(&twice, &all).err().unwrap();
    assert!(error.to_string().contains("extension `mini`"), "{error}");

    let bad_grammar = MINI_TOML.replace("grammar = \"python\"", "grammar = \"cobol\"");
    let error = load_with(&bad_grammar, &[]).err().unwrap();
    assert!(
        matches!(error, LanguageError::UnknownGrammar { .. }),
        "{error}"
    );
}
