#!/usr/bin/env python3
"""Fetch the framework training corpus from package registries.

The package list lives in corpus.toml next to this script; corpus.lock records
every downloaded archive (URL, sha256, license) and every file kept from it.

    python3 models/train/corpus.py fetch [--framework NAME] [--split train|eval|val]
                                         [--smoke] [--out DIR] [--update-lock]
    python3 models/train/corpus.py stats [--out DIR]

Only the Python 3.11 standard library is used.
"""

from __future__ import annotations

import argparse
import base64
import email.parser
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tarfile
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
TOML_PATH = HERE / "corpus.toml"
LOCK_PATH = HERE / "corpus.lock"
DEFAULT_OUT = HERE / "data"

USER_AGENT = "nib-corpus/1.0 (+https://pypi.org/project/nib)"
SPLITS = ("train", "eval", "val", "vocab")
REGISTRIES = ("pypi", "npm", "crates")
MAX_FILE_BYTES = 100 * 1024
MAX_LINE_CHARS = 400
SMOKE_MAX_FILES = 5

PERMISSIVE = re.compile(
    r"\b(MIT|BSD|Apache|ISC|0BSD|Zlib|Unlicense|PSF)\b", re.IGNORECASE
)
LICENSE_NAME = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE)", re.IGNORECASE)
CODE_SUFFIXES = {".py", ".pyi", ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".rs",
                 ".json", ".html", ".css"}
GENERATED_MARK = re.compile(
    r"@generated|DO NOT EDIT|auto-?generated|automatically generated", re.IGNORECASE
)


class CorpusError(Exception):
    pass


# ---------------------------------------------------------------- frameworks


@dataclass(frozen=True)
class Framework:
    name: str
    extensions: tuple[str, ...]
    skip_dirs: frozenset[str]
    skip_suffixes: tuple[str, ...]

    def qualifies(self, text: str) -> bool:
        raise NotImplementedError


class FastAPI(Framework):
    IMPORT = re.compile(r"^\s*(?:import\s+fastapi\b|from\s+fastapi\b)", re.MULTILINE)

    def qualifies(self, text: str) -> bool:
        return bool(self.IMPORT.search(text))


class React(Framework):
    IMPORT = re.compile(
        r"""from\s+['"]react['"]|require\(\s*['"]react['"]\s*\)|import\s+['"]react['"]"""
    )
    # A closing tag, a fragment, or a self-closing element.
    JSX = re.compile(r"</[A-Za-z>]|<>|<[A-Za-z][\w.]*(?:\s[^<>]*)?/>")

    def qualifies(self, text: str) -> bool:
        return bool(self.IMPORT.search(text)) and bool(self.JSX.search(text))


class Axum(Framework):
    def qualifies(self, text: str) -> bool:
        return "axum::" in text or "use axum" in text


class Language(Framework):
    """Any code of a language: the vocab split's packages, whose tokens choose the
    trimmed vocabulary (models/vocab) and which are never trained on."""

    def qualifies(self, text: str) -> bool:
        return True


COMMON_SKIP_DIRS = {"node_modules", "__pycache__", "__snapshots__", ".git", "target"}

FRAMEWORKS: dict[str, Framework] = {
    "fastapi": FastAPI(
        "fastapi", (".py",), frozenset(COMMON_SKIP_DIRS), ()
    ),
    "react": React(
        "react",
        (".js", ".jsx", ".tsx"),
        # compiled / bundled output directories
        frozenset(COMMON_SKIP_DIRS | {"dist", "build", "umd", "cjs", "esm", "lib",
                                      "commonjs", "coverage", "vendor"}),
        (".min.js", ".bundle.js", ".d.ts", ".prod.js", ".development.js",
         ".production.js"),
    ),
    "axum": Axum("axum", (".rs",), frozenset(COMMON_SKIP_DIRS), ()),
    "python": Language("python", (".py", ".pyi"), frozenset(COMMON_SKIP_DIRS), ()),
    "javascript": Language(
        "javascript",
        (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs"),
        frozenset(COMMON_SKIP_DIRS | {"dist", "umd", "cjs", "esm", "coverage", "vendor"}),
        (".min.js", ".bundle.js", ".prod.js", ".development.js", ".production.js"),
    ),
    "rust": Language("rust", (".rs",), frozenset(COMMON_SKIP_DIRS), ()),
}


# ---------------------------------------------------------------- config


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """`**/` matches any number of directories, `*` stays within one."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z")


@dataclass
class Package:
    framework: str
    split: str
    registry: str
    name: str
    version: str
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    order: int = 0

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.framework, self.split, self.registry, self.name)

    @property
    def dirname(self) -> str:
        # scoped npm names (@scope/name) become @scope+name on disk
        return f"{self.name.replace('/', '+')}-{self.version}"

    def wants(self, path: str) -> bool:
        if self.include and not any(glob_to_regex(g).match(path) for g in self.include):
            return False
        return not any(glob_to_regex(g).match(path) for g in self.exclude)


def load_packages() -> list[Package]:
    try:
        data = tomllib.loads(TOML_PATH.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise CorpusError(f"cannot read {TOML_PATH.name}: {e}") from e
    pkgs = []
    allowed = {"framework", "split", "registry", "name", "version", "include", "exclude"}
    for i, entry in enumerate(data.get("package", [])):
        unknown = set(entry) - allowed
        if unknown:
            raise CorpusError(f"corpus.toml package #{i + 1}: unknown keys {sorted(unknown)}")
        try:
            p = Package(order=i, **entry)
        except TypeError as e:
            raise CorpusError(f"corpus.toml package #{i + 1}: {e}") from e
        if p.framework not in FRAMEWORKS:
            raise CorpusError(f"{p.name}: unknown framework {p.framework!r}")
        if p.split not in SPLITS:
            raise CorpusError(f"{p.name}: split must be one of {SPLITS}")
        if p.registry not in REGISTRIES:
            raise CorpusError(f"{p.name}: registry must be one of {REGISTRIES}")
        if (p.split == "vocab") != isinstance(FRAMEWORKS[p.framework], Language):
            raise CorpusError(f"{p.name}: the vocab split takes the languages "
                              f"(python, javascript, rust), and only it")
        pkgs.append(p)
    # Counting a held-out package's tokens would flatter the vocabulary's coverage.
    held_out = {(p.registry, p.name): p.split for p in pkgs if p.split in ("eval", "val")}
    for p in pkgs:
        if p.split == "vocab" and (p.registry, p.name) in held_out:
            raise CorpusError(f"{p.name} is a {held_out[(p.registry, p.name)]} package; "
                              f"it cannot be in the vocab split")
    # A package may only ever be in one split of a framework.
    seen: dict[tuple[str, str, str], str] = {}
    for p in pkgs:
        k = (p.framework, p.registry, p.name)
        if k in seen and seen[k] != p.split:
            raise CorpusError(f"{p.name} is listed in both {seen[k]} and {p.split} for {p.framework}")
        if k in seen:
            raise CorpusError(f"{p.name} is listed twice for {p.framework}")
        seen[k] = p.split
    return pkgs


def load_lock() -> dict[tuple[str, str, str, str], dict] | None:
    if not LOCK_PATH.exists():
        return None
    try:
        entries = json.loads(LOCK_PATH.read_text(encoding="utf-8"))["packages"]
    except (OSError, ValueError, KeyError) as e:
        raise CorpusError(f"cannot read {LOCK_PATH.name}: {e}") from e
    return {(e["framework"], e["split"], e["registry"], e["name"]): e for e in entries}


def write_lock(entries: list[dict]) -> None:
    entries = sorted(entries, key=lambda e: (e["framework"], e["split"], e["registry"], e["name"]))
    doc = {
        "comment": "Generated by corpus.py fetch --update-lock; do not edit by hand.",
        "version": 1,
        "packages": entries,
    }
    LOCK_PATH.write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- network


def http_get(url: str, retries: int = 3) -> bytes:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    last: Exception | None = None
    for attempt in range(retries):
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.read()
        except urllib.error.HTTPError as e:
            if e.code == 404:
                raise CorpusError(f"not found (HTTP 404): {url}") from e
            last = e
        except (urllib.error.URLError, OSError) as e:
            last = e
        if attempt + 1 < retries:
            time.sleep(1.5 * (attempt + 1))
    raise CorpusError(f"download failed: {url}: {last}")


def http_json(url: str):
    body = http_get(url)
    try:
        return json.loads(body)
    except ValueError as e:
        raise CorpusError(f"invalid JSON from {url}: {e}") from e


@dataclass
class Resolved:
    url: str
    sha256: str | None  # known before download (pypi, crates)
    license: str | None
    npm_integrity: str | None = None


def license_from_core_metadata(raw: bytes) -> str:
    """License of a PyPI distribution from its PKG-INFO / METADATA file."""
    msg = email.parser.BytesHeaderParser().parsebytes(raw)
    expr = (msg.get("License-Expression") or "").strip()
    if expr:
        return expr
    lic = (msg.get("License") or "").strip()
    if lic and len(lic) <= 80 and "\n" not in lic and lic.upper() != "UNKNOWN":
        return lic
    classifiers = [c.split("::")[-1].strip() for c in msg.get_all("Classifier", [])
                   if c.startswith("License ::")]
    if classifiers:
        return " OR ".join(classifiers)
    return lic.splitlines()[0] if lic else ""


def pypi_license(members: dict[str, bytes]) -> str:
    cands = sorted((p for p in members
                    if p == "PKG-INFO" or p.endswith(".dist-info/METADATA")),
                   key=len)
    return license_from_core_metadata(members[cands[0]]) if cands else ""


def canonical_pypi_url(meta_url: str, file_url: str) -> str:
    """files.pythonhosted.org URL for a distribution file.

    Some PyPI mirrors answer with relative links ("../../packages/...");
    record the canonical CDN location so the lock is the same everywhere."""
    m = re.search(r"packages/([0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]+/[^/]+)$", file_url)
    if m:
        return f"https://files.pythonhosted.org/packages/{m.group(1)}"
    return urllib.parse.urljoin(meta_url, file_url)


def resolve_pypi(p: Package) -> Resolved:
    name = urllib.parse.quote(p.name)
    url = f"https://pypi.org/pypi/{name}/{urllib.parse.quote(p.version)}/json"
    try:
        files = http_json(url).get("urls", [])
    except CorpusError as e:
        if "404" not in str(e):
            raise
        # mirrors without the per-version endpoint: use the project document
        url = f"https://pypi.org/pypi/{name}/json"
        files = http_json(url).get("releases", {}).get(p.version)
        if not files:
            raise CorpusError(f"{p.name} {p.version}: version not listed at {url}") from e
    files = [f for f in files if not f.get("yanked")] or files
    sdists = [f for f in files if f.get("packagetype") == "sdist"]
    wheels = sorted((f for f in files if f.get("packagetype") == "bdist_wheel"),
                    key=lambda f: ("none-any" not in f["filename"], f["filename"]))
    pick = (sdists or wheels or [None])[0]
    if pick is None:
        raise CorpusError(f"{p.name} {p.version}: no sdist or wheel listed at {url}")
    # the license is read from the archive's PKG-INFO / METADATA after download
    return Resolved(canonical_pypi_url(url, pick["url"]), pick["digests"]["sha256"], None)


def resolve_npm(p: Package) -> Resolved:
    url = f"https://registry.npmjs.org/{p.name.replace('/', '%2F')}/{urllib.parse.quote(p.version)}"
    meta = http_json(url)
    lic = meta.get("license")
    if isinstance(lic, dict):
        lic = lic.get("type")
    dist = meta.get("dist", {})
    if "tarball" not in dist:
        raise CorpusError(f"{p.name} {p.version}: no tarball in {url}")
    return Resolved(dist["tarball"], None, lic or "", dist.get("integrity"))


def crates_index_path(name: str) -> str:
    n = name.lower()
    if len(n) <= 2:
        return f"{len(n)}/{n}"
    if len(n) == 3:
        return f"3/{n[0]}/{n}"
    return f"{n[:2]}/{n[2:4]}/{n}"


def resolve_crates(p: Package) -> Resolved:
    url = f"https://index.crates.io/{crates_index_path(p.name)}"
    body = http_get(url).decode("utf-8")
    for line in body.splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        if rec.get("vers") == p.version:
            if rec.get("yanked"):
                print(f"warning: {p.name} {p.version} is yanked", file=sys.stderr)
            crate_url = f"https://static.crates.io/crates/{p.name}/{p.name}-{p.version}.crate"
            # the sparse index has no license field; it is read from the
            # crate's published Cargo.toml after download
            return Resolved(crate_url, rec["cksum"], None)
    raise CorpusError(f"{p.name} {p.version}: version not in crates index {url}")


RESOLVERS = {"pypi": resolve_pypi, "npm": resolve_npm, "crates": resolve_crates}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_npm_integrity(p: Package, data: bytes, integrity: str | None) -> None:
    if not integrity or not integrity.startswith("sha512-"):
        return
    got = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if got != integrity[len("sha512-"):]:
        raise CorpusError(f"{p.name} {p.version}: npm integrity (sha512) mismatch")


# ---------------------------------------------------------------- archives


def read_archive(url: str, data: bytes) -> dict[str, bytes]:
    """Return {path without top-level dir: bytes} for regular files."""
    members: dict[str, bytes] = {}
    name = urllib.parse.urlparse(url).path
    if name.endswith(".whl") or name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                if not info.is_dir():
                    members[info.filename] = zf.read(info)
        if name.endswith(".whl"):
            return members  # wheels have no top-level directory
    else:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tf:
            for m in tf.getmembers():
                if m.isfile():
                    f = tf.extractfile(m)
                    if f is not None:
                        members[m.name] = f.read()
    stripped: dict[str, bytes] = {}
    for path, content in members.items():
        parts = PurePosixPath(path.lstrip("./")).parts
        if len(parts) < 2 or any(x in ("..", "") for x in parts):
            continue
        stripped["/".join(parts[1:])] = content
    return stripped


def crate_license(members: dict[str, bytes]) -> str:
    raw = members.get("Cargo.toml")
    if raw is None:
        return ""
    try:
        pkg = tomllib.loads(raw.decode("utf-8")).get("package", {})
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ""
    lic = pkg.get("license", "")
    return lic if isinstance(lic, str) else ""


def is_license_notice(path: str) -> bool:
    pp = PurePosixPath(path)
    return bool(LICENSE_NAME.match(pp.name)) and pp.suffix.lower() not in CODE_SUFFIXES


def license_files(members: dict[str, bytes]) -> list[str]:
    """Top-level license notices; otherwise the shallowest ones found."""
    cands = [p for p in members if is_license_notice(p) and "node_modules" not in p]
    top = sorted(p for p in cands if "/" not in p)
    if top:
        return top
    if not cands:
        return []
    depth = min(p.count("/") for p in cands)
    return sorted(p for p in cands if p.count("/") == depth)


def keep_reason(fw: Framework, pkg: Package, path: str, content: bytes) -> str | None:
    """None when the file is kept, otherwise why not."""
    pp = PurePosixPath(path)
    if pp.suffix not in fw.extensions:
        return "extension"
    if any(path.endswith(s) for s in fw.skip_suffixes):
        return "compiled"
    if any(part in fw.skip_dirs for part in pp.parts[:-1]):
        return "directory"
    if not pkg.wants(path):
        return "include/exclude"
    if len(content) > MAX_FILE_BYTES:
        return "size"
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return "encoding"
    if any(len(line) > MAX_LINE_CHARS for line in text.splitlines()):
        return "long line"
    head = "\n".join(text.splitlines()[:8])
    if GENERATED_MARK.search(head):
        return "generated"
    if not fw.qualifies(text):
        return "no framework use"
    return None


# ---------------------------------------------------------------- fetch


def fetch_package(p: Package, out: Path, lock: dict | None, update: bool, smoke: bool) -> dict:
    fw = FRAMEWORKS[p.framework]
    locked = (lock or {}).get(p.key)
    if locked is not None and locked["version"] != p.version and not update:
        raise CorpusError(
            f"{p.name}: corpus.toml pins {p.version} but corpus.lock has "
            f"{locked['version']}; run with --update-lock")
    if locked is not None and not update:
        res = Resolved(locked["url"], locked["sha256"], locked["license"])
        expected = locked["sha256"]
    else:
        if lock is not None and not update:
            raise CorpusError(f"{p.name} {p.version} is not in corpus.lock; run with --update-lock")
        res = RESOLVERS[p.registry](p)
        expected = res.sha256

    archive_name = PurePosixPath(urllib.parse.urlparse(res.url).path).name
    if p.registry == "npm" and "/" in p.name:
        archive_name = f"{p.name.split('/')[0].lstrip('@')}+{archive_name}"  # keep the scope
    cache = out / "archives" / p.registry / archive_name
    data = cache.read_bytes() if cache.exists() else None
    if data is not None and expected and sha256_hex(data) != expected:
        data = None  # stale or corrupt cache entry: download again
    if data is None:
        data = http_get(res.url)
        if p.registry == "npm" and (locked is None or update):
            check_npm_integrity(p, data, res.npm_integrity)
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(cache.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(cache)
    digest = sha256_hex(data)
    if expected and digest != expected:
        src = "corpus.lock" if locked is not None and not update else "registry metadata"
        raise CorpusError(
            f"{p.name} {p.version}: sha256 mismatch for {res.url}\n"
            f"  expected {expected} ({src})\n  got      {digest}")

    try:
        members = read_archive(res.url, data)
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as e:
        raise CorpusError(f"{p.name} {p.version}: cannot read archive {res.url}: {e}") from e

    lic = res.license
    if lic is None:
        lic = crate_license(members) if p.registry == "crates" else pypi_license(members)
    if not lic or not PERMISSIVE.search(lic):
        raise CorpusError(f"{p.name} {p.version}: license {lic!r} is not on the permissive list")

    kept = []
    for path in sorted(members):
        if keep_reason(fw, p, path, members[path]) is None:
            kept.append(path)
    if smoke:
        kept = kept[:SMOKE_MAX_FILES]
    lic_files = license_files(members)

    dest = out / "corpus" / p.framework / p.split / p.dirname
    if dest.exists():
        shutil.rmtree(dest)
    files = []
    for path in kept:
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(members[path])
        files.append({"path": path, "sha256": sha256_hex(members[path]),
                      "bytes": len(members[path])})
    dest.mkdir(parents=True, exist_ok=True)
    for path in lic_files:
        (dest / PurePosixPath(path).name).write_bytes(members[path])

    total = sum(f["bytes"] for f in files)
    warn = "" if lic_files else "  (no license file in archive)"
    print(f"{p.framework:8} {p.split:5} {p.registry:6} {p.name} {p.version}: "
          f"{len(files)} files, {total} bytes{warn}", flush=True)

    if locked is not None and not update and not smoke:
        old = {(f["path"], f["sha256"]) for f in locked.get("files", [])}
        new = {(f["path"], f["sha256"]) for f in files}
        if old != new:
            print(f"warning: {p.name}: kept files differ from corpus.lock "
                  f"({len(new - old)} added, {len(old - new)} removed); "
                  f"run with --update-lock if intended", file=sys.stderr)

    return {
        "framework": p.framework,
        "split": p.split,
        "registry": p.registry,
        "name": p.name,
        "version": p.version,
        "url": res.url,
        "sha256": digest,
        "license": lic,
        "license_files": lic_files,
        "files": files,
    }


def cmd_fetch(args) -> int:
    pkgs = load_packages()
    if args.framework:
        if args.framework not in FRAMEWORKS:
            raise CorpusError(f"unknown framework {args.framework!r} (one of {sorted(FRAMEWORKS)})")
        pkgs = [p for p in pkgs if p.framework == args.framework]
    if args.split:
        pkgs = [p for p in pkgs if p.split == args.split]
    if args.smoke:
        if args.update_lock:
            raise CorpusError("--smoke cannot be combined with --update-lock")
        firsts: dict[tuple[str, str], Package] = {}
        for p in pkgs:
            firsts.setdefault((p.framework, p.split), p)
        pkgs = list(firsts.values())
    lock = load_lock()
    out = Path(args.out) if args.out else DEFAULT_OUT
    entries = []
    for p in pkgs:
        entries.append(fetch_package(p, out, lock, args.update_lock, args.smoke))
    if args.update_lock:
        merged = dict(lock or {})
        if not args.framework and not args.split:
            merged = {}  # full run: drop packages no longer in corpus.toml
        for e in entries:
            merged[(e["framework"], e["split"], e["registry"], e["name"])] = e
        write_lock(list(merged.values()))
        print(f"wrote {LOCK_PATH.name} ({len(merged)} packages)")
    n = sum(len(e["files"]) for e in entries)
    b = sum(f["bytes"] for e in entries for f in e["files"])
    print(f"total: {len(entries)} packages, {n} files, {b} bytes")
    return 0


# ---------------------------------------------------------------- stats


def cmd_stats(args) -> int:
    out = Path(args.out) if args.out else DEFAULT_OUT
    root = out / "corpus"
    if not root.is_dir():
        raise CorpusError(f"no corpus at {root}; run `corpus.py fetch` first")
    print(f"{'framework':10} {'split':6} {'packages':>8} {'files':>7} {'bytes':>10}")
    grand = [0, 0, 0]
    for fw in sorted(FRAMEWORKS):
        for split in SPLITS:
            base = root / fw / split
            if not base.is_dir():
                continue
            n_pkg = n_files = n_bytes = 0
            for pkg_dir in sorted(d for d in base.iterdir() if d.is_dir()):
                n_pkg += 1
                for f in pkg_dir.rglob("*"):
                    if not f.is_file():
                        continue
                    if f.parent == pkg_dir and is_license_notice(f.name):
                        continue  # copied license notice
                    n_files += 1
                    n_bytes += f.stat().st_size
            print(f"{fw:10} {split:6} {n_pkg:8} {n_files:7} {n_bytes:10}")
            for i, v in enumerate((n_pkg, n_files, n_bytes)):
                grand[i] += v
    print(f"{'total':10} {'':6} {grand[0]:8} {grand[1]:7} {grand[2]:10}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fetch", help="download archives and extract qualifying files")
    f.add_argument("--framework", help="only this framework")
    f.add_argument("--split", choices=SPLITS, help="only this split")
    f.add_argument("--smoke", action="store_true",
                   help=f"first package per framework and split, at most {SMOKE_MAX_FILES} files each")
    f.add_argument("--out", help="output directory (default: models/train/data)")
    f.add_argument("--update-lock", action="store_true",
                   help="resolve from the registries and rewrite corpus.lock")
    s = sub.add_parser("stats", help="per framework/split counts of the extracted corpus")
    s.add_argument("--out", help="output directory (default: models/train/data)")
    args = ap.parse_args(argv)
    try:
        return cmd_fetch(args) if args.cmd == "fetch" else cmd_stats(args)
    except CorpusError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
