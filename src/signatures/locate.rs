//! Where a framework's package is installed, as a document sees it: Cargo.lock (or Cargo.toml)
//! and the cargo registry, the site-packages of virtual environments, node_modules.

use std::cmp::Ordering;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::Deserialize;

use super::Ecosystem;
use super::extract::Dialect;

/// Folder names that hold a Python virtual environment.
const VENV_NAMES: &[&str] = &[".venv", "venv", "env", ".env"];

/// An installed package whose sources can be indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Package {
    pub ecosystem: Ecosystem,
    /// Its name in its registry: `axum`, `fastapi`, `@types/react`.
    pub name: String,
    /// `0.8.9`, or `unknown` for a Python package without a dist-info folder.
    pub version: String,
    /// The version, or for an unknown one the folder's modification time (seconds): what
    /// tells one installation from another in the cache.
    pub stamp: String,
    /// The package's folder (canonical); display paths are relative to it.
    pub dir: PathBuf,
    /// The folder whose files are indexed: `dir` or `dir/src`.
    pub sources: PathBuf,
}

impl Package {
    /// The language its API is read in.
    pub fn dialect(&self) -> Dialect {
        match self.ecosystem {
            Ecosystem::Cargo => Dialect::Rust,
            Ecosystem::Python => Dialect::Python,
            Ecosystem::Npm => Dialect::Declarations,
        }
    }

    /// The name of its cache file, without `.json`: `axum-0.8.9`, `@types+react-18.3.3`.
    pub fn file_stem(&self) -> String {
        format!("{}-{}", self.name.replace(['/', '\\'], "+"), self.stamp)
    }
}

/// The folders one document may read packages from.
pub(super) struct Places<'a> {
    /// The document's folder and those above it up to the repository root (the first with
    /// `.git`), nearest first.
    folders: Vec<PathBuf>,
    environments: &'a [PathBuf],
    cargo_home: &'a Path,
    /// Canonical folders that no package may lie outside of.
    roots: Vec<PathBuf>,
}

impl<'a> Places<'a> {
    /// The places seen from a document in `folder`.
    pub fn new(folder: &Path, environments: &'a [PathBuf], cargo_home: &'a Path) -> Self {
        let mut folders = Vec::new();
        for ancestor in folder.ancestors() {
            folders.push(ancestor.to_path_buf());
            if ancestor.join(".git").exists() {
                break;
            }
        }
        let roots = folders
            .last()
            .into_iter()
            .chain(environments)
            .cloned()
            .chain([cargo_home.join("registry").join("src")])
            .filter_map(|root| fs::canonicalize(root).ok())
            .collect();
        Places {
            folders,
            environments,
            cargo_home,
            roots,
        }
    }

    /// The packages that bring `framework` to a document of `ecosystem`, nearest first.
    pub fn packages(&self, ecosystem: Ecosystem, framework: &str) -> Vec<Package> {
        match ecosystem {
            // A framework's core traits often live in a `-core` crate it re-exports
            // (axum's IntoResponse is in axum-core).
            Ecosystem::Cargo => [framework.to_owned(), format!("{framework}-core")]
                .iter()
                .filter_map(|name| self.crate_package(name))
                .collect(),
            Ecosystem::Python => self
                .python_package(&framework.replace('-', "_"))
                .into_iter()
                .collect(),
            Ecosystem::Npm => [framework.to_owned(), format!("@types/{framework}")]
                .iter()
                .filter_map(|name| self.npm_package(name))
                .collect(),
        }
    }

    /// The version Cargo.lock pins (the nearest lock decides), else the highest version in
    /// the registry when the nearest Cargo.toml that names the crate exists.
    fn crate_package(&self, name: &str) -> Option<Package> {
        let lock = self
            .folders
            .iter()
            .find_map(|f| fs::read_to_string(f.join("Cargo.lock")).ok());
        let (version, dir) = match lock {
            Some(lock) => {
                let version = locked_version(&lock, name)?;
                let dir = self.registry_crates(name).find(|(v, _)| *v == version)?.1;
                (version, dir)
            }
            None => {
                self.folders
                    .iter()
                    .find(|f| declares(&f.join("Cargo.toml"), name))?;
                self.registry_crates(name)
                    .max_by(|a, b| version_order(&a.0, &b.0))?
            }
        };
        let dir = self.allowed(&dir)?;
        Some(Package {
            ecosystem: Ecosystem::Cargo,
            name: name.to_owned(),
            stamp: version.clone(),
            version,
            sources: dir.join("src"),
            dir,
        })
    }

    /// (version, folder) of each copy of crate `name` in `$CARGO_HOME/registry/src/*/`.
    fn registry_crates<'s>(&self, name: &'s str) -> impl Iterator<Item = (String, PathBuf)> + 's {
        let indexes = read_dir(&self.cargo_home.join("registry").join("src"));
        indexes
            .flat_map(|index| read_dir(&index))
            .filter_map(move |dir| {
                let file_name = dir.file_name()?.to_str()?;
                let version = file_name.strip_prefix(name)?.strip_prefix('-')?;
                let numbered = version.starts_with(|c: char| c.is_ascii_digit());
                (numbered && dir.is_dir()).then(|| (version.to_owned(), dir.clone()))
            })
    }

    /// `site-packages/<module>/` of the nearest environment that has it.
    fn python_package(&self, module: &str) -> Option<Package> {
        let nearby = self.folders.iter().flat_map(|f| {
            VENV_NAMES
                .iter()
                .flat_map(move |v| venv_site_packages(&f.join(v)))
        });
        let given = self.environments.iter().flat_map(|e| {
            let named = e
                .file_name()
                .is_some_and(|n| n == "site-packages" || n == "dist-packages");
            if named {
                vec![e.clone()]
            } else {
                venv_site_packages(e)
            }
        });
        let (site_packages, dir) = nearby
            .chain(given)
            .find_map(|sp| Some((sp.clone(), self.allowed(&sp.join(module))?)))?;
        let version = dist_version(&site_packages, module);
        let stamp = match &version {
            Some(v) => v.clone(),
            None => format!("unknown-{}", modified_seconds(&dir)),
        };
        Some(Package {
            ecosystem: Ecosystem::Python,
            name: module.to_owned(),
            version: version.unwrap_or_else(|| "unknown".to_owned()),
            stamp,
            sources: dir.clone(),
            dir,
        })
    }

    /// `node_modules/<name>/` of the nearest folder (or environment) that has it.
    fn npm_package(&self, name: &str) -> Option<Package> {
        let given = self.environments.iter().map(|e| {
            if e.file_name().is_some_and(|n| n == "node_modules") {
                e.clone()
            } else {
                e.join("node_modules")
            }
        });
        let dir = self
            .folders
            .iter()
            .map(|f| f.join("node_modules"))
            .chain(given)
            .map(|modules| modules.join(name))
            .find(|dir| dir.join("package.json").is_file())?;
        let manifest: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("package.json")).ok()?).ok()?;
        let version = manifest.get("version")?.as_str()?.to_owned();
        let dir = self.allowed(&dir)?;
        Some(Package {
            ecosystem: Ecosystem::Npm,
            name: name.to_owned(),
            stamp: version.clone(),
            version,
            sources: dir.clone(),
            dir,
        })
    }

    /// `dir` made canonical, when it is a folder that lies within the roots.
    fn allowed(&self, dir: &Path) -> Option<PathBuf> {
        let canonical = fs::canonicalize(dir).ok()?;
        let inside = self.roots.iter().any(|root| canonical.starts_with(root));
        (inside && canonical.is_dir()).then_some(canonical)
    }
}

#[derive(Deserialize)]
struct Lockfile {
    #[serde(default)]
    package: Vec<LockedPackage>,
}

#[derive(Deserialize)]
struct LockedPackage {
    name: String,
    version: String,
    source: Option<String>,
}

/// The highest version of `name` from a registry that a Cargo.lock pins.
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let lock: Lockfile = toml::from_str(lock).ok()?;
    lock.package
        .into_iter()
        .filter(|p| p.name == name)
        .filter(|p| {
            p.source
                .as_deref()
                .is_some_and(|s| s.starts_with("registry+") || s.starts_with("sparse+"))
        })
        .map(|p| p.version)
        .max_by(|a, b| version_order(a, b))
}

fn declares(manifest: &Path, name: &str) -> bool {
    fs::read_to_string(manifest).is_ok_and(|text| {
        crate::framework::manifest_dependencies("Cargo.toml", &text)
            .is_some_and(|deps| deps.iter().any(|d| d == name))
    })
}

/// Semver order: numbers compared as numbers, a pre-release before its release.
fn version_order(a: &str, b: &str) -> Ordering {
    let key = |v: &str| {
        let v = v.split('+').next().unwrap_or(v);
        let (core, pre) = v.split_once('-').map_or((v, None), |(c, p)| (c, Some(p)));
        let numbers: Vec<u64> = core.split('.').map(|n| n.parse().unwrap_or(0)).collect();
        (numbers, pre.is_none(), pre.map(str::to_owned))
    };
    key(a).cmp(&key(b))
}

/// `venv/lib/python3*/site-packages` (and Windows' `venv/Lib/site-packages`) that exist.
fn venv_site_packages(venv: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = read_dir(&venv.join("lib"))
        .filter(|lib| {
            lib.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("python3"))
        })
        .map(|lib| lib.join("site-packages"))
        .filter(|sp| sp.is_dir())
        .collect();
    out.sort();
    let windows = venv.join("Lib").join("site-packages");
    if windows.is_dir() {
        out.push(windows);
    }
    out
}

/// The version in `site-packages/<module>-<version>.dist-info`; names compare the way pip
/// writes them (case and `-`, `_`, `.` alike).
fn dist_version(site_packages: &Path, module: &str) -> Option<String> {
    let normal = |s: &str| s.to_ascii_lowercase().replace(['-', '.'], "_");
    read_dir(site_packages).find_map(|entry| {
        let file_name = entry.file_name()?.to_str()?;
        let (name, version) = file_name.strip_suffix(".dist-info")?.split_once('-')?;
        (normal(name) == normal(module)).then(|| version.to_owned())
    })
}

fn modified_seconds(dir: &Path) -> u64 {
    fs::metadata(dir)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs())
}

/// The paths in `dir`, none when it cannot be read.
fn read_dir(dir: &Path) -> impl Iterator<Item = PathBuf> + use<> {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_by_number_then_release_after_pre_release() {
        assert_eq!(version_order("0.10.0", "0.9.9"), Ordering::Greater);
        assert_eq!(version_order("1.0.0-rc.1", "1.0.0"), Ordering::Less);
        assert_eq!(version_order("1.2.3+build", "1.2.3"), Ordering::Equal);
    }

    #[test]
    fn a_lock_pins_the_highest_registry_version_of_the_crate() {
        let lock = r#"
version = 4

[[package]]
name = "axum"
version = "0.7.5"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "axum"
version = "0.8.9"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "axum-core"
version = "0.9.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "tokio"
version = "9.9.9"
"#;
        assert_eq!(locked_version(lock, "axum").as_deref(), Some("0.8.9"));
        assert_eq!(
            locked_version(lock, "tokio"),
            None,
            "a path dependency is not in the registry"
        );
        assert_eq!(locked_version(lock, "actix-web"), None);
    }

    #[test]
    fn dist_info_names_compare_like_pip() {
        let site = tempfile::tempdir().unwrap();
        fs::create_dir(site.path().join("Flask-3.0.2.dist-info")).unwrap();
        fs::create_dir(site.path().join("flask_cors-4.0.0.dist-info")).unwrap();
        assert_eq!(dist_version(site.path(), "flask").as_deref(), Some("3.0.2"));
        assert_eq!(dist_version(site.path(), "django"), None);
    }
}
