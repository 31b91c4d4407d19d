//! `file://` URIs and the paths they name. Editors percent-encode paths (`my%20app`,
//! `caf%C3%A9`), so a URI becomes a path only through [`to_path`], and a path a URI only
//! through [`from_path`].

use std::path::{Path, PathBuf};

/// The path a `file://` URI names, percent-decoded; `None` for other schemes (`untitled:`,
/// a remote) and for escapes that are not two hex digits.
pub fn to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file://localhost/p` and `file:///p` name the same file; another host is remote.
    let path = match rest.strip_prefix("localhost") {
        Some(path) if path.starts_with('/') => path,
        _ if rest.starts_with('/') => rest,
        _ => return None,
    };
    let bytes = decode(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
    }
    #[cfg(not(unix))]
    {
        // `file:///C:/dir` is the path `C:/dir`.
        let text = String::from_utf8(bytes).ok()?;
        let text = match text.as_bytes() {
            [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() => &text[1..],
            _ => &text,
        };
        Some(PathBuf::from(text))
    }
}

/// The `file://` URI of an absolute path, percent-encoded as editors write it.
pub fn from_path(path: &Path) -> String {
    let mut uri = String::from("file://");
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = {
        let text = path.to_string_lossy().replace('\\', "/");
        match text.starts_with('/') {
            true => text.into_bytes(),
            false => format!("/{text}").into_bytes(),
        }
    };
    for byte in bytes {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(byte as char)
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

/// `%XX` escapes as the bytes they stand for.
fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(byte) = bytes.next() {
        if byte != b'%' {
            out.push(byte);
            continue;
        }
        let hex = [bytes.next()?, bytes.next()?];
        let hex = std::str::from_utf8(&hex).ok()?;
        out.push(u8::from_str_radix(hex, 16).ok()?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_decode_to_paths_and_paths_encode_back() {
        for (uri, path) in [
            ("file:///home/a/my%20app/main.py", "/home/a/my app/main.py"),
            ("file:///home/a/caf%C3%A9/main.py", "/home/a/café/main.py"),
            ("file:///home/a/café/main.py", "/home/a/café/main.py"),
            ("file://localhost/srv/x.rs", "/srv/x.rs"),
            ("file:///a/100%25.py", "/a/100%.py"),
        ] {
            assert_eq!(to_path(uri), Some(PathBuf::from(path)), "{uri}");
        }
        for uri in [
            "untitled:Untitled-1",
            "file://server/share/x.py",
            "file:///a/%zz.py",
            "file:///a/%2",
        ] {
            assert_eq!(to_path(uri), None, "{uri}");
        }
        for path in ["/home/a/my app/main.py", "/home/a/café/x.py", "/a/100%.py"] {
            let uri = from_path(Path::new(path));
            assert!(!uri.contains(' ') && uri.is_ascii(), "{uri}");
            assert_eq!(to_path(&uri), Some(PathBuf::from(path)));
        }
        assert_eq!(
            from_path(Path::new("/home/a/my app/café.py")),
            "file:///home/a/my%20app/caf%C3%A9.py"
        );
    }
}
