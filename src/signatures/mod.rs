//! The public API signatures of the frameworks a document uses, read from the packages
//! already installed on this machine (the cargo registry, virtual environments,
//! node_modules), so that the prompt can show the model real API names.
//!
//! Each package is indexed once per version, on a background thread, and cached on disk
//! under `<cache>/signatures/<ecosystem>/<name>-<version>.json`.

mod extract;
mod locate;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use std::{env, fs, process, thread};

use dashmap::DashMap;
use serde::{Deserialize, Serialize};

use crate::context::Definition;
use crate::language::LanguageRegistry;
use extract::LIMITS;
use locate::{Package, Places};

/// Bumped when what is extracted changes, so that older cache files are indexed again.
const CACHE_FORMAT: u32 = 1;
/// How long where a package lies is remembered before the folders are looked at again.
const LOCATE_TTL: Duration = Duration::from_secs(30);

/// (display path, definition) pairs: the snippet candidates of [`crate::context`].
type Signed = Vec<(String, Definition)>;

/// Where framework signatures come from and the ones indexed so far; cheap to share
/// between threads.
pub struct Signatures {
    shared: Arc<Shared>,
}

struct Shared {
    /// `<cache>/signatures`.
    cache_dir: PathBuf,
    cargo_home: PathBuf,
    /// By [`package_id`].
    ready: DashMap<String, Arc<Signed>>,
    /// Package ids being indexed; `indexed` is notified as each finishes.
    indexing: Mutex<HashSet<String>>,
    indexed: Condvar,
    located: DashMap<LocateKey, (Instant, Arc<Vec<Package>>)>,
}

/// (document folder, ecosystem, framework, environments).
type LocateKey = (PathBuf, Ecosystem, String, Vec<PathBuf>);

/// A family of packages: where they are installed and what language their API is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Ecosystem {
    Cargo,
    Python,
    Npm,
}

impl Ecosystem {
    /// The packages a document in `language_id` (an LSP languageId or a nib id) imports.
    fn of_document(language_id: &str, document: &Path) -> Option<Ecosystem> {
        let language =
            LanguageRegistry::builtin().detect(Some(language_id), &document.to_string_lossy())?;
        match language.id.as_str() {
            "rust" => Some(Ecosystem::Cargo),
            "python" => Some(Ecosystem::Python),
            "typescript" | "tsx" | "javascript" => Some(Ecosystem::Npm),
            _ => None,
        }
    }

    /// Its folder in the cache.
    fn folder(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Python => "pypi",
            Ecosystem::Npm => "npm",
        }
    }
}

impl Signatures {
    /// Signatures cached under `cache_dir/signatures` (`cache_dir` is nib's cache folder,
    /// [`crate::model::cache_dir`]); crates are read from the registry of `$CARGO_HOME`
    /// (default `~/.cargo`).
    pub fn new(cache_dir: PathBuf) -> Self {
        let cargo_home = env::var_os("CARGO_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| env::home_dir().unwrap_or_default().join(".cargo"));
        Self::with_cargo_home(cache_dir, cargo_home)
    }

    /// The same, with crates read from the registry of `cargo_home`.
    pub fn with_cargo_home(cache_dir: PathBuf, cargo_home: PathBuf) -> Self {
        Signatures {
            shared: Arc::new(Shared {
                cache_dir: cache_dir.join("signatures"),
                cargo_home,
                ready: DashMap::new(),
                indexing: Mutex::new(HashSet::new()),
                indexed: Condvar::new(),
                located: DashMap::new(),
            }),
        }
    }

    /// The signatures of `frameworks` (names from [`crate::framework`]) as the document at
    /// `document`, in `language_id`, sees them: from the packages installed in its workspace
    /// (its folder up to the repository root) or in `environments` (venv roots,
    /// site-packages folders, folders holding node_modules).
    ///
    /// Packages not indexed yet are indexed on a background thread (one per package, at most
    /// one at a time for each); this returns what is ready now and never waits for indexing.
    pub fn for_document(
        &self,
        document: &Path,
        language_id: &str,
        frameworks: &BTreeSet<String>,
        environments: &[PathBuf],
    ) -> Vec<(String, Definition)> {
        self.collect(document, language_id, frameworks, environments, false)
    }

    /// The same as [`Signatures::for_document`], but waits for indexing to finish.
    pub fn for_document_blocking(
        &self,
        document: &Path,
        language_id: &str,
        frameworks: &BTreeSet<String>,
        environments: &[PathBuf],
    ) -> Vec<(String, Definition)> {
        self.collect(document, language_id, frameworks, environments, true)
    }

    fn collect(
        &self,
        document: &Path,
        language_id: &str,
        frameworks: &BTreeSet<String>,
        environments: &[PathBuf],
        wait: bool,
    ) -> Signed {
        let Some(ecosystem) = Ecosystem::of_document(language_id, document) else {
            return Vec::new();
        };
        let folder = document.parent().unwrap_or(Path::new(""));
        let mut out = Vec::new();
        for framework in frameworks {
            for package in self
                .shared
                .locate(folder, ecosystem, framework, environments)
                .iter()
            {
                if let Some(signatures) = Shared::signatures(&self.shared, package, wait) {
                    out.extend(signatures.iter().cloned());
                }
            }
        }
        out
    }
}

impl Shared {
    fn locate(
        &self,
        folder: &Path,
        ecosystem: Ecosystem,
        framework: &str,
        environments: &[PathBuf],
    ) -> Arc<Vec<Package>> {
        let key = (
            folder.to_path_buf(),
            ecosystem,
            framework.to_owned(),
            environments.to_vec(),
        );
        if let Some(entry) = self.located.get(&key)
            && entry.0.elapsed() < LOCATE_TTL
        {
            return Arc::clone(&entry.1);
        }
        let places = Places::new(folder, environments, &self.cargo_home);
        let packages = Arc::new(places.packages(ecosystem, framework));
        self.located
            .insert(key, (Instant::now(), Arc::clone(&packages)));
        packages
    }

    /// The package's signatures when ready; otherwise indexing starts (on this thread when
    /// `wait`, else on a new one) unless it is under way, and `wait` waits for it.
    fn signatures(shared: &Arc<Shared>, package: &Package, wait: bool) -> Option<Arc<Signed>> {
        let id = package_id(package);
        if let Some(ready) = shared.ready.get(&id) {
            return Some(Arc::clone(&ready));
        }
        let mut indexing = shared.lock_indexing();
        loop {
            // Checked under the lock: `load_or_index` publishes before it unmarks.
            if let Some(ready) = shared.ready.get(&id) {
                return Some(Arc::clone(&ready));
            }
            if !indexing.contains(&id) {
                break;
            }
            if !wait {
                return None;
            }
            indexing = shared
                .indexed
                .wait(indexing)
                .unwrap_or_else(PoisonError::into_inner);
        }
        indexing.insert(id.clone());
        drop(indexing);
        if wait {
            shared.load_or_index(package, &id);
            return shared.ready.get(&id).map(|r| Arc::clone(&r));
        }
        let background = Arc::clone(shared);
        let package = package.clone();
        let spawned = thread::Builder::new()
            .name(format!("nib-signatures-{}", package.name))
            .spawn(move || background.load_or_index(&package, &package_id(&package)));
        if let Err(error) = spawned {
            tracing::debug!(%error, "could not start a thread to index signatures");
            shared.lock_indexing().remove(&id);
            shared.indexed.notify_all();
        }
        None
    }

    /// Reads the package's cache file, or indexes it and writes one; then publishes.
    fn load_or_index(&self, package: &Package, id: &str) {
        let finish = Finish { shared: self, id };
        let path = self.cache_file(package);
        let signatures = match read_cache(&path) {
            Some(signatures) => {
                let (package, version) = (&package.name, &package.version);
                tracing::debug!(%package, %version, "signatures from the cache");
                signatures
            }
            None => {
                let started = Instant::now();
                let label = format!("{} {}", package.name, package.version);
                let indexed = extract::index(
                    &package.dir,
                    &package.sources,
                    &label,
                    package.dialect(),
                    LIMITS,
                );
                tracing::info!(
                    package = %package.name,
                    version = %package.version,
                    files = indexed.files,
                    signatures = indexed.signatures.len(),
                    ms = started.elapsed().as_millis() as u64,
                    "indexed framework signatures"
                );
                write_cache(&path, package, indexed.files, &indexed.signatures);
                indexed.signatures
            }
        };
        self.ready.insert(id.to_owned(), Arc::new(signatures));
        drop(finish);
    }

    fn cache_file(&self, package: &Package) -> PathBuf {
        self.cache_dir
            .join(package.ecosystem.folder())
            .join(format!("{}.json", package.file_stem()))
    }

    fn lock_indexing(&self) -> MutexGuard<'_, HashSet<String>> {
        self.indexing.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Unmarks a package as being indexed, even when indexing panicked; a package that
/// panicked is published empty so that it is not tried on every request.
struct Finish<'a> {
    shared: &'a Shared,
    id: &'a str,
}

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        if thread::panicking() {
            self.shared
                .ready
                .insert(self.id.to_owned(), Arc::new(Vec::new()));
        }
        self.shared.lock_indexing().remove(self.id);
        self.shared.indexed.notify_all();
    }
}

fn package_id(package: &Package) -> String {
    format!("{}/{}", package.ecosystem.folder(), package.file_stem())
}

/// A package's signatures as stored on disk.
#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    package: String,
    version: String,
    files: usize,
    signatures: Vec<CachedSignature>,
}

#[derive(Serialize, Deserialize)]
struct CachedSignature {
    path: String,
    name: String,
    start: usize,
    end: usize,
    text: String,
}

/// The signatures in a cache file; None when it is missing, corrupt or of another format.
fn read_cache(path: &Path) -> Option<Signed> {
    let file: CacheFile = serde_json::from_slice(&fs::read(path).ok()?).ok()?;
    (file.format == CACHE_FORMAT).then(|| {
        file.signatures
            .into_iter()
            .map(|s| {
                let definition = Definition {
                    name: s.name,
                    range: s.start..s.end,
                    text: s.text,
                };
                (s.path, definition)
            })
            .collect()
    })
}

/// Writes the cache file through a temporary file and a rename, so that a reader never sees
/// half of one; a failure only costs indexing again next time.
fn write_cache(path: &Path, package: &Package, files: usize, signatures: &Signed) {
    let file = CacheFile {
        format: CACHE_FORMAT,
        package: package.name.clone(),
        version: package.version.clone(),
        files,
        signatures: signatures
            .iter()
            .map(|(path, d)| CachedSignature {
                path: path.clone(),
                name: d.name.clone(),
                start: d.range.start,
                end: d.range.end,
                text: d.text.clone(),
            })
            .collect(),
    };
    let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    // Unique per process and write: two nib processes may index the same package at once.
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let unique = WRITES.fetch_add(1, Ordering::Relaxed);
    let temporary = folder.join(format!(
        ".{}.{}.{unique}.tmp",
        name.to_string_lossy(),
        process::id()
    ));
    let written = fs::create_dir_all(folder)
        .and_then(|()| fs::write(&temporary, serde_json::to_vec(&file)?))
        .and_then(|()| fs::rename(&temporary, path));
    if let Err(error) = written {
        tracing::debug!(path = %path.display(), %error, "could not write the signatures cache");
        let _ = fs::remove_file(&temporary);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `(path, text)` files under `root`, making their folders.
    fn write(root: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
    }

    const ROUTING: &str = "
pub struct Router<S = ()> {
    inner: Arc<S>,
}

impl<S> Router<S>
where
    S: Clone,
{
    pub fn new() -> Self {
        Self { inner: todo!() }
    }

    pub fn route(
        self,
        path: &str, // the URL pattern
        method_router: MethodRouter<S>,
    ) -> Self {
        let body_marker = 1;
        self
    }

    fn private_method(&self) {}
}
";

    const APPLICATIONS: &str = r#"
from typing import Annotated
from typing_extensions import Doc

class FastAPI(Starlette):
    def __init__(self, *, debug: bool = False) -> None:
        self.body_marker = debug

    @decorator_marker
    def get(self, path: Annotated[str, Doc("""The URL path to be used for this path operation.""")]) -> Callable:
        return self.router.get(path)

    def include_router(self, router: APIRouter, *, prefix: str = "") -> None:
        pass

    @property
    def title(self) -> str:
        return self._title

    @title.setter
    def title(self, value: str) -> None:
        self._title = value

    def _private_method(self):
        pass

def _private_helper():
    pass
"#;

    const REACT: &str = "
export = React;
declare namespace React {
    function useState<S>(initialState: S | (() => S)): [S, Dispatch<SetStateAction<S>>];
    interface FunctionComponent<P = {}> {
        (props: P): ReactNode;
        displayName?: string | undefined;
    }
}
";

    /// A workspace (`ws`, a git repository) whose Cargo.lock pins axum 0.8.9 and axum-core
    /// 0.5.6, with a venv holding fastapi 0.110.0 and node_modules holding @types/react
    /// 18.3.3; a cargo home (`cargo`) whose registry has axum 0.7.0, 0.8.9 and 0.10.0 and
    /// axum-core 0.5.6; a folder outside the workspace (`outside`, another repository).
    fn installation(root: &Path) {
        let registry = "cargo/registry/src/index.crates.io-1949cf8c6b5b557f";
        let source = "source = \"registry+https://github.com/rust-lang/crates.io-index\"";
        let lock = format!(
            "[[package]]\nname = \"axum\"\nversion = \"0.8.9\"\n{source}\n\n\
             [[package]]\nname = \"axum-core\"\nversion = \"0.5.6\"\n{source}\n"
        );
        let site = "ws/.venv/lib/python3.12/site-packages";
        write(
            root,
            &[
                ("ws/.git/HEAD", ""),
                ("ws/Cargo.lock", &lock),
                ("outside/.git/HEAD", ""),
                (
                    &format!("{registry}/axum-0.7.0/src/lib.rs"),
                    "pub fn old_api() {}",
                ),
                (
                    &format!("{registry}/axum-0.10.0/src/lib.rs"),
                    "pub fn new_api() {}",
                ),
                (
                    &format!("{registry}/axum-core-0.5.6/src/lib.rs"),
                    "pub trait IntoResponse {}",
                ),
                (
                    &format!("{registry}/axum-0.8.9/src/lib.rs"),
                    "pub mod routing;\npub struct Json<T>(pub T);\nfn private_helper() {}\n\
                     pub(crate) fn crate_only() {}\n",
                ),
                (
                    &format!("{registry}/axum-0.8.9/src/routing/mod.rs"),
                    ROUTING,
                ),
                (
                    &format!("{registry}/axum-0.8.9/tests/it.rs"),
                    "pub fn from_tests() {}",
                ),
                (
                    &format!("{site}/fastapi/__init__.py"),
                    "from .applications import FastAPI\n",
                ),
                (&format!("{site}/fastapi/applications.py"), APPLICATIONS),
                (
                    &format!("{site}/fastapi/_compat.py"),
                    "def from_compat():\n    pass\n",
                ),
                (&format!("{site}/fastapi-0.110.0.dist-info/METADATA"), ""),
                (
                    "ws/node_modules/@types/react/package.json",
                    r#"{"version": "18.3.3"}"#,
                ),
                ("ws/node_modules/@types/react/index.d.ts", REACT),
            ],
        );
    }

    fn signatures(root: &Path) -> Signatures {
        Signatures::with_cargo_home(root.join("cache"), root.join("cargo"))
    }

    fn frameworks(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    fn find<'a>(found: &'a Signed, name: &str) -> Vec<&'a (String, Definition)> {
        found.iter().filter(|(_, d)| d.name == name).collect()
    }

    fn all_text(found: &Signed) -> String {
        let texts: Vec<&str> = found.iter().map(|(_, d)| d.text.as_str()).collect();
        texts.join("\n")
    }

    #[test]
    fn a_crate_comes_from_the_registry_at_the_version_cargo_lock_pins() {
        let dir = tempfile::tempdir().unwrap();
        installation(dir.path());
        let document = dir.path().join("ws/src/main.rs");
        let found = signatures(dir.path()).for_document_blocking(
            &document,
            "rust",
            &frameworks(&["axum", "flask"]),
            &[],
        );
        let paths: BTreeSet<&str> = found.iter().map(|(path, _)| path.as_str()).collect();
        assert_eq!(
            paths,
            BTreeSet::from([
                "axum 0.8.9/src/lib.rs",
                "axum 0.8.9/src/routing/mod.rs",
                "axum-core 0.5.6/src/lib.rs"
            ])
        );
        assert_eq!(
            find(&found, "IntoResponse")[0].1.text,
            "pub trait IntoResponse {\n}"
        );
        let router = find(&found, "Router");
        assert_eq!(router.len(), 2, "the struct and its impl: {router:?}");
        assert_eq!(router[0].0, "axum 0.8.9/src/routing/mod.rs");
        assert_eq!(router[0].1.text, "pub struct Router<S = ()>");
        assert_eq!(
            router[1].1.text,
            "impl<S> Router<S> where S: Clone {\n    pub fn new() -> Self\n    \
             pub fn route(self, path: &str, method_router: MethodRouter<S>) -> Self\n}"
        );
        assert_eq!(find(&found, "Json")[0].1.text, "pub struct Json<T>(pub T)");
        let text = all_text(&found);
        for absent in [
            "private_helper",
            "crate_only",
            "private_method",
            "body_marker",
            "from_tests",
            "old_api",
            "new_api",
        ] {
            assert!(!text.contains(absent), "{absent} in {text}");
        }
    }

    #[test]
    fn without_a_lock_the_highest_registry_version_of_a_declared_crate_is_read() {
        let dir = tempfile::tempdir().unwrap();
        installation(dir.path());
        fs::remove_file(dir.path().join("ws/Cargo.lock")).unwrap();
        let document = dir.path().join("ws/src/main.rs");
        let axum = frameworks(&["axum"]);
        let signatures = signatures(dir.path());
        assert!(
            signatures
                .for_document_blocking(&document, "rust", &axum, &[])
                .is_empty()
        );
        write(
            dir.path(),
            &[("ws/Cargo.toml", "[dependencies]\naxum = \"0.10\"\n")],
        );
        let found = Signatures::with_cargo_home(dir.path().join("cache"), dir.path().join("cargo"))
            .for_document_blocking(&document, "rust", &axum, &[]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "axum 0.10.0/src/lib.rs");
        assert_eq!(found[0].1.text, "pub fn new_api()");
    }

    #[test]
    fn a_python_package_comes_from_a_venv_with_its_dist_info_version() {
        let dir = tempfile::tempdir().unwrap();
        installation(dir.path());
        let document = dir.path().join("ws/app/main.py");
        let found = signatures(dir.path()).for_document_blocking(
            &document,
            "python",
            &frameworks(&["fastapi"]),
            &[],
        );
        let fastapi = find(&found, "FastAPI");
        assert_eq!(fastapi.len(), 1, "{found:?}");
        assert_eq!(fastapi[0].0, "fastapi 0.110.0/applications.py");
        assert_eq!(
            fastapi[0].1.text,
            "class FastAPI(Starlette):\n    \
             def __init__(self, *, debug: bool = False) -> None:\n    \
             def get(self, path: str) -> Callable:\n    \
             def include_router(self, router: APIRouter, *, prefix: str = \"\") -> None:\n    \
             def title(self) -> str:"
        );
        let text = all_text(&found);
        for absent in ["_private", "from_compat", "body_marker", "decorator_marker"] {
            assert!(!text.contains(absent), "{absent} in {text}");
        }
    }

    #[test]
    fn react_types_come_from_node_modules_at_types() {
        let dir = tempfile::tempdir().unwrap();
        installation(dir.path());
        let document = dir.path().join("ws/src/App.tsx");
        let found = signatures(dir.path()).for_document_blocking(
            &document,
            "typescriptreact",
            &frameworks(&["react"]),
            &[],
        );
        let use_state = find(&found, "useState");
        assert_eq!(use_state[0].0, "@types/react 18.3.3/index.d.ts");
        assert_eq!(
            use_state[0].1.text,
            "function useState<S>(initialState: S | (() => S)): [S, Dispatch<SetStateAction<S>>]"
        );
        assert_eq!(
            find(&found, "FunctionComponent")[0].1.text,
            "interface FunctionComponent<P = {}> {\n    (props: P): ReactNode\n    \
             displayName?: string | undefined\n}"
        );
    }

    #[test]
    fn a_document_outside_the_workspace_gets_nothing_unless_given_an_environment() {
        let dir = tempfile::tempdir().unwrap();
        installation(dir.path());
        let signatures = signatures(dir.path());
        let all = frameworks(&["axum", "fastapi", "react"]);
        for (file, language) in [
            ("main.rs", "rust"),
            ("main.py", "python"),
            ("App.tsx", "tsx"),
        ] {
            let document = dir.path().join("outside/src").join(file);
            let found = signatures.for_document_blocking(&document, language, &all, &[]);
            assert!(found.is_empty(), "{file}: {found:?}");
        }
        let document = dir.path().join("outside/src/main.py");
        let site_packages = dir.path().join("ws/.venv/lib/python3.12/site-packages");
        for environment in [dir.path().join("ws/.venv"), site_packages] {
            let found = signatures.for_document_blocking(&document, "python", &all, &[environment]);
            assert_eq!(find(&found, "FastAPI").len(), 1);
        }
        let environment = dir.path().join("ws");
        let found = signatures.for_document_blocking(
            &dir.path().join("outside/App.tsx"),
            "tsx",
            &all,
            &[environment],
        );
        assert_eq!(find(&found, "useState").len(), 1);
    }

    #[test]
    fn the_disk_cache_answers_without_the_sources() {
        let dir = tempfile::tempdir().unwrap();
        installation(dir.path());
        let document = dir.path().join("ws/src/main.rs");
        let axum = frameworks(&["axum"]);
        let first = signatures(dir.path()).for_document_blocking(&document, "rust", &axum, &[]);
        assert!(!first.is_empty());
        let cache_file = dir.path().join("cache/signatures/cargo/axum-0.8.9.json");
        assert!(read_cache(&cache_file).is_some());
        let crate_dir = "cargo/registry/src/index.crates.io-1949cf8c6b5b557f/axum-0.8.9";
        fs::remove_dir_all(dir.path().join(crate_dir).join("src")).unwrap();
        let second = signatures(dir.path()).for_document_blocking(&document, "rust", &axum, &[]);
        assert_eq!(first, second);
    }

    #[test]
    fn a_corrupt_cache_file_is_indexed_again_and_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        installation(dir.path());
        let cache_file = dir.path().join("cache/signatures/cargo/axum-0.8.9.json");
        write(
            dir.path(),
            &[(
                "cache/signatures/cargo/axum-0.8.9.json",
                "{\"format\": 1, \"sig",
            )],
        );
        let document = dir.path().join("ws/src/main.rs");
        let found = signatures(dir.path()).for_document_blocking(
            &document,
            "rust",
            &frameworks(&["axum"]),
            &[],
        );
        let from_axum: Signed = found
            .into_iter()
            .filter(|(path, _)| path.starts_with("axum 0.8.9/"))
            .collect();
        assert!(!from_axum.is_empty());
        assert_eq!(read_cache(&cache_file), Some(from_axum));
    }

    #[test]
    fn a_python_package_without_dist_info_is_cached_by_its_modification_time() {
        let dir = tempfile::tempdir().unwrap();
        installation(dir.path());
        let site = dir.path().join("ws/.venv/lib/python3.12/site-packages");
        fs::remove_dir_all(site.join("fastapi-0.110.0.dist-info")).unwrap();
        let document = dir.path().join("ws/main.py");
        let found = signatures(dir.path()).for_document_blocking(
            &document,
            "python",
            &frameworks(&["fastapi"]),
            &[],
        );
        assert!(found[0].0.starts_with("fastapi unknown/"), "{}", found[0].0);
        let cached: Vec<String> = fs::read_dir(dir.path().join("cache/signatures/pypi"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(cached.len(), 1);
        assert!(cached[0].starts_with("fastapi-unknown-"), "{cached:?}");
    }

    #[test]
    fn indexing_runs_in_the_background_and_the_answer_arrives_later() {
        let dir = tempfile::tempdir().unwrap();
        installation(dir.path());
        let document = dir.path().join("ws/src/main.rs");
        let axum = frameworks(&["axum"]);
        let elsewhere =
            Signatures::with_cargo_home(dir.path().join("cache2"), dir.path().join("cargo"));
        let expected = elsewhere.for_document_blocking(&document, "rust", &axum, &[]);
        let signatures = signatures(dir.path());
        assert!(
            signatures
                .for_document(&document, "rust", &axum, &[])
                .is_empty()
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while signatures.for_document(&document, "rust", &axum, &[]) != expected {
            assert!(Instant::now() < deadline, "indexing did not finish");
            thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(expected.len(), 4);
    }
}
