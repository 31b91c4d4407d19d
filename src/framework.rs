//! Which frameworks a document is written against: from the workspace's manifests
//! (pyproject.toml, requirements*.txt, setup.cfg, package.json, Cargo.toml, go.mod) and
//! from the imports of the document itself.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dashmap::DashMap;
use tree_sitter::Tree;

use crate::context::imports;
use crate::language::Language;

/// Frameworks nib knows: (name, the package names that bring it in manifests, the module
/// roots that import it in code).
const FRAMEWORKS: &[(&str, &[&str], &[&str])] = &[
    ("fastapi", &["fastapi"], &["fastapi"]),
    ("flask", &["flask"], &["flask"]),
    ("django", &["django"], &["django"]),
    (
        "react",
        &["react", "react-native"],
        &["react", "react-native"],
    ),
    ("express", &["express"], &["express"]),
    ("koa", &["koa"], &["koa"]),
    ("next", &["next"], &["next"]),
    ("axum", &["axum"], &["axum"]),
    ("tokio", &["tokio"], &["tokio"]),
    ("actix-web", &["actix-web"], &["actix_web"]),
    (
        "gin",
        &["github.com/gin-gonic/gin"],
        &["github.com/gin-gonic/gin"],
    ),
    (
        "echo",
        &["github.com/labstack/echo"],
        &["github.com/labstack/echo"],
    ),
];

/// The frameworks whose package names appear among `dependencies`.
fn from_dependencies<'a>(dependencies: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for dep in dependencies {
        let dep = dep.trim().to_ascii_lowercase();
        for (name, packages, _) in FRAMEWORKS {
            // Go modules carry a major version suffix: github.com/labstack/echo/v4.
            if packages
                .iter()
                .any(|p| dep == *p || dep.starts_with(&format!("{p}/v")))
            {
                out.insert(name.to_string());
            }
        }
    }
    out
}

/// Dependency names a manifest declares, by its file name; `None` for other files.
pub fn manifest_dependencies(file_name: &str, text: &str) -> Option<Vec<String>> {
    let deps = match file_name {
        "package.json" => {
            let json: serde_json::Value = serde_json::from_str(text).ok()?;
            ["dependencies", "devDependencies", "peerDependencies"]
                .iter()
                .filter_map(|k| json.get(k)?.as_object())
                .flat_map(|o| o.keys().cloned())
                .collect()
        }
        "Cargo.toml" => {
            let table: toml::Table = toml::from_str(text).ok()?;
            let mut deps = Vec::new();
            let mut tables = vec![&table];
            if let Some(ws) = table.get("workspace").and_then(|w| w.as_table()) {
                tables.push(ws);
            }
            for t in tables {
                for key in ["dependencies", "dev-dependencies"] {
                    if let Some(d) = t.get(key).and_then(|d| d.as_table()) {
                        deps.extend(d.keys().cloned());
                    }
                }
            }
            deps
        }
        "pyproject.toml" => {
            let table: toml::Table = toml::from_str(text).ok()?;
            let mut deps: Vec<String> = Vec::new();
            let project = table.get("project");
            let requirement_lists = project
                .and_then(|p| p.get("dependencies"))
                .into_iter()
                .chain(
                    project
                        .and_then(|p| p.get("optional-dependencies"))
                        .and_then(|o| o.as_table())
                        .into_iter()
                        .flat_map(|o| o.values()),
                );
            for list in requirement_lists {
                for req in list.as_array().into_iter().flatten() {
                    deps.extend(req.as_str().map(requirement_name));
                }
            }
            let poetry = table
                .get("tool")
                .and_then(|t| t.get("poetry"))
                .and_then(|p| p.get("dependencies"))
                .and_then(|d| d.as_table());
            deps.extend(poetry.into_iter().flat_map(|d| d.keys().cloned()));
            deps
        }
        "setup.cfg" => text
            .lines()
            .skip_while(|l| !l.trim_start().starts_with("install_requires"))
            .skip(1)
            .take_while(|l| l.starts_with(char::is_whitespace) || l.trim().is_empty())
            .map(requirement_name)
            .collect(),
        "go.mod" => text
            .lines()
            .map(|l| l.trim().trim_start_matches("require").trim())
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string)
            .collect(),
        name if name.starts_with("requirements") && name.ends_with(".txt") => {
            text.lines().map(requirement_name).collect()
        }
        _ => return None,
    };
    Some(deps)
}

/// The package name of a requirement line: `fastapi[all]>=0.100 ; python_version > "3.8"`.
fn requirement_name(line: &str) -> String {
    let line = line.split('#').next().unwrap_or("").trim();
    line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .next()
        .unwrap_or("")
        .to_string()
}

/// Manifest file names looked for in each folder, with the languages whose files they
/// describe: a Python file is not written against the tokio of a `Cargo.toml` beside it.
const MANIFESTS: &[(&str, &[&str])] = &[
    ("pyproject.toml", PYTHON),
    ("setup.cfg", PYTHON),
    ("requirements.txt", PYTHON),
    ("requirements-dev.txt", PYTHON),
    ("package.json", &["javascript", "typescript", "tsx"]),
    ("Cargo.toml", &["rust"]),
    ("go.mod", &["go"]),
];

const PYTHON: &[&str] = &["python"];

/// Frameworks declared, for files of `language`, by the manifests in `folder` and the
/// folders above it, up to the repository root (a folder holding `.git`) or the filesystem
/// root.
fn from_workspace(folder: &Path, language: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let manifests = MANIFESTS
        .iter()
        .filter(|(_, languages)| languages.contains(&language));
    for dir in folder.ancestors() {
        for (name, _) in manifests.clone() {
            if let Ok(text) = std::fs::read_to_string(dir.join(name))
                && let Some(deps) = manifest_dependencies(name, &text)
            {
                out.extend(from_dependencies(deps.iter().map(String::as_str)));
            }
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    out
}

/// Frameworks the document imports (its import statements, found by the language's
/// tree-sitter import query).
pub fn from_imports(text: &str, tree: &Tree, language: &Language) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for range in imports(text, tree, language) {
        for module in imported_modules(&text[range]) {
            for (name, _, roots) in FRAMEWORKS {
                let hit = roots.iter().any(|root| {
                    module == *root
                        || module
                            .strip_prefix(root)
                            .is_some_and(|rest| rest.starts_with(['/', '.', ':']))
                });
                if hit {
                    out.insert(name.to_string());
                }
            }
        }
    }
    out
}

/// The module paths an import statement names, in any of nib's languages:
/// `from fastapi import X`, `import a.b`, `import x from 'react'`, `require("koa")`,
/// `use axum::Router;`, `import "github.com/gin-gonic/gin"`.
fn imported_modules(statement: &str) -> Vec<&str> {
    let mut out = Vec::new();
    // Quoted module names (JS, TS, Go).
    for quote in ['\'', '"'] {
        let mut parts = statement.split(quote);
        parts.next();
        while let Some(inside) = parts.next() {
            out.push(inside);
            parts.next();
        }
    }
    if !out.is_empty() {
        return out;
    }
    let words: Vec<&str> = statement
        .split(|c: char| c.is_whitespace() || c == ',' || c == '{' || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    for pair in words.windows(2) {
        if matches!(pair[0], "from" | "import" | "use" | "pub" | "extern") {
            out.push(pair[1].trim_start_matches("::"));
        }
    }
    out
}

/// Workspace detection, cached per folder and language (manifests are read once per
/// server).
#[derive(Default)]
pub struct Detector {
    folders: DashMap<(PathBuf, String), BTreeSet<String>>,
}

impl Detector {
    /// Frameworks for a document. Its own imports count first: a buffer that imports a
    /// framework is written against that one, whatever else the project lists. Without
    /// such imports, the manifests of the document's language in its folder and the ones
    /// above it decide. A document of no known language has no frameworks.
    pub fn detect(
        &self,
        uri: &str,
        text: &str,
        tree: Option<&Tree>,
        language: Option<&Language>,
    ) -> BTreeSet<String> {
        let Some(language) = language else {
            return BTreeSet::new();
        };
        if let Some(tree) = tree {
            let imported = from_imports(text, tree, language);
            if !imported.is_empty() {
                return imported;
            }
        }
        let path = crate::document::uri::to_path(uri);
        match path.as_deref().and_then(Path::parent) {
            Some(folder) => self
                .folders
                .entry((folder.to_path_buf(), language.id.clone()))
                .or_insert_with(|| from_workspace(folder, &language.id))
                .clone(),
            None => BTreeSet::new(),
        }
    }

    /// Forgets what was read from manifests (after one of them changed).
    pub fn refresh(&self) {
        self.folders.clear();
    }
}

/// Whether a file name is one of the manifests detection reads.
pub fn is_manifest(file_name: &str) -> bool {
    MANIFESTS.iter().any(|(name, _)| *name == file_name)
        || (file_name.starts_with("requirements") && file_name.ends_with(".txt"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::LanguageRegistry;
    use std::sync::Arc;

    fn names(set: &BTreeSet<String>) -> Vec<&str> {
        set.iter().map(String::as_str).collect()
    }

    #[test]
    fn manifests_of_each_ecosystem_name_their_frameworks() {
        let cases = [
            (
                "package.json",
                r#"{"dependencies": {"react": "^19", "left-pad": "1"}, "devDependencies": {"express": "5"}}"#,
                vec!["express", "react"],
            ),
            (
                "Cargo.toml",
                "[package]\nname = \"x\"\n[dependencies]\naxum = \"0.8\"\ntokio = { version = \"1\" }\n",
                vec!["axum", "tokio"],
            ),
            (
                "pyproject.toml",
                "[project]\nname = \"x\"\ndependencies = [\"fastapi[standard]>=0.110\", \"uvicorn\"]\n",
                vec!["fastapi"],
            ),
            (
                "pyproject.toml",
                "[tool.poetry.dependencies]\npython = \"^3.11\"\nDjango = \"^5\"\n",
                vec!["django"],
            ),
            (
                "requirements.txt",
                "# web\nFlask==3.0 ; python_version > '3.8'\nrequests\n",
                vec!["flask"],
            ),
            (
                "setup.cfg",
                "[options]\ninstall_requires =\n    fastapi>=0.1\n    pydantic\n[options.extras_require]\n",
                vec!["fastapi"],
            ),
            (
                "go.mod",
                "module x\n\ngo 1.22\n\nrequire (\n\tgithub.com/labstack/echo/v4 v4.11.0\n)\n",
                vec!["echo"],
            ),
        ];
        for (file, text, expected) in cases {
            let deps = manifest_dependencies(file, text).unwrap();
            let found = from_dependencies(deps.iter().map(String::as_str));
            assert_eq!(names(&found), expected, "{file}");
        }
        assert!(manifest_dependencies("README.md", "react").is_none());
        assert!(manifest_dependencies("package.json", "{not json").is_none());
    }

    #[test]
    fn imports_name_frameworks_in_each_language() {
        let registry = LanguageRegistry::builtin();
        let cases = [
            (
                "python",
                "from fastapi import FastAPI\nimport os\n",
                vec!["fastapi"],
            ),
            (
                "python",
                "import flask.json\nfrom fastapi_users import X\n",
                vec!["flask"],
            ),
            (
                "javascript",
                "import React, { useState } from 'react';\nconst koa = require(\"koa\");\n",
                vec!["koa", "react"],
            ),
            (
                "tsx",
                "import { View } from \"react-native\";\n",
                vec!["react"],
            ),
            (
                "rust",
                "use axum::{Router, routing::get};\nuse serde::Deserialize;\n",
                vec!["axum"],
            ),
            (
                "go",
                "package main\n\nimport (\n\t\"github.com/gin-gonic/gin\"\n)\n",
                vec!["gin"],
            ),
        ];
        for (id, text, expected) in cases {
            let language = registry.get(id).unwrap();
            let tree = crate::document::Document::open(text, 0, Some(language.clone()))
                .tree()
                .cloned()
                .unwrap();
            assert_eq!(
                names(&from_imports(text, &tree, &language)),
                expected,
                "{id}: {text}"
            );
        }
    }

    fn language(id: &str) -> Arc<Language> {
        LanguageRegistry::builtin().get(id).unwrap()
    }

    fn tree(text: &str, language: &Arc<Language>) -> Tree {
        crate::document::Document::open(text, 0, Some(language.clone()))
            .tree()
            .cloned()
            .unwrap()
    }

    #[test]
    fn the_workspace_is_read_up_to_the_repository_root_for_the_files_own_language() {
        let root = tempfile::tempdir().unwrap();
        let repo = root.path().join("repo");
        let src = repo.join("backend/app");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::create_dir(repo.join(".git")).unwrap();
        std::fs::write(repo.join("backend/requirements.txt"), "fastapi\n").unwrap();
        std::fs::write(
            repo.join("package.json"),
            r#"{"dependencies": {"react": "19"}}"#,
        )
        .unwrap();
        std::fs::write(repo.join("Cargo.toml"), "[dependencies]\ntokio = \"1\"\n").unwrap();
        // Above the repository: not this project's.
        std::fs::write(root.path().join("requirements.txt"), "flask\n").unwrap();
        let detector = Detector::default();
        let detect = |file: &str, id: &str| {
            let uri = crate::document::uri::from_path(&src.join(file));
            names(&detector.detect(&uri, "", None, Some(&language(id)))).join(",")
        };
        assert_eq!(detect("main.py", "python"), "fastapi");
        assert_eq!(detect("App.tsx", "tsx"), "react");
        assert_eq!(detect("main.rs", "rust"), "tokio");
        assert_eq!(detect("main.go", "go"), "");
        let uri = crate::document::uri::from_path(&src.join("notes.txt"));
        assert!(detector.detect(&uri, "", None, None).is_empty());
        assert!(
            detector
                .detect("untitled:1", "", None, Some(&language("python")))
                .is_empty()
        );
    }

    #[test]
    fn a_buffers_imports_come_before_the_manifests() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join(".git")).unwrap();
        std::fs::write(root.path().join("requirements.txt"), "fastapi\nflask\n").unwrap();
        let uri = crate::document::uri::from_path(&root.path().join("app.py"));
        let python = language("python");
        let detector = Detector::default();
        let text = "from flask import Flask\n";
        assert_eq!(
            names(&detector.detect(&uri, text, Some(&tree(text, &python)), Some(&python))),
            ["flask"]
        );
        let text = "import os\n";
        assert_eq!(
            names(&detector.detect(&uri, text, Some(&tree(text, &python)), Some(&python))),
            ["fastapi", "flask"]
        );
    }

    #[test]
    fn folders_with_spaces_and_accents_in_their_names_are_found() {
        for name in ["my app", "café"] {
            let root = tempfile::tempdir().unwrap();
            let app = root.path().join(name);
            std::fs::create_dir(&app).unwrap();
            std::fs::write(app.join("requirements.txt"), "fastapi\n").unwrap();
            // As editors send it: `my%20app`, `caf%C3%A9`.
            let uri = crate::document::uri::from_path(&app.join("main.py"));
            assert!(uri.contains('%'), "{uri}");
            let detector = Detector::default();
            assert_eq!(
                names(&detector.detect(&uri, "", None, Some(&language("python")))),
                ["fastapi"],
                "{uri}"
            );
        }
    }
}
