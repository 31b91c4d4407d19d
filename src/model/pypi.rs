//! The package index: PyPI's Simple API in its JSON form (PEP 691), or a mirror's, over HTTPS
//! that trusts the system's certificate authorities.

use super::ModelError;
use serde::Deserialize;
use std::env;
use std::fs;
use std::path::PathBuf;
use std::time::Duration;
use ureq::tls::{PemItem, RootCerts, TlsConfig, parse_pem};

/// The package index used unless `NIB_PYPI_URL` names a mirror.
pub(super) const DEFAULT_INDEX: &str = "https://pypi.org";

/// CA bundles that operating systems keep, tried in order after `SSL_CERT_FILE`.
const SYSTEM_CA_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Arch
    "/etc/pki/tls/certs/ca-bundle.crt",   // Fedora, RHEL
    "/etc/ssl/ca-bundle.pem",             // openSUSE
    "/etc/ssl/cert.pem",                  // macOS, Alpine, the BSDs
];

/// The media type of the Simple API's JSON form (PEP 691), which PyPI and mirrors serve.
const SIMPLE_JSON: &str = "application/vnd.pypi.simple.v1+json";

/// A wheel to download.
#[derive(Debug)]
pub(super) struct WheelInfo {
    /// Absolute URL of the wheel.
    pub(super) url: String,
    /// Size of the wheel, in bytes.
    pub(super) size: u64,
    /// sha256 of the wheel, hex.
    pub(super) sha256: String,
}

/// The parts of a Simple API project page that nib reads.
#[derive(Deserialize)]
struct ProjectPage {
    files: Vec<ProjectFile>,
}

#[derive(Deserialize)]
struct ProjectFile {
    filename: String,
    url: String,
    hashes: Hashes,
    /// Size in bytes (PEP 700, API version 1.1).
    size: Option<u64>,
}

#[derive(Deserialize)]
struct Hashes {
    sha256: Option<String>,
}

/// An HTTP agent for the index and its files: it gives up on a connection after 30 s and on
/// a stalled response after 60 s, but lets a slow download run.
pub(super) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .user_agent(concat!("nib/", env!("CARGO_PKG_VERSION")))
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .timeout_per_read(Some(Duration::from_secs(60)))
        .tls_config(TlsConfig::builder().root_certs(root_certs()).build())
        .build()
        .into()
}

/// The wheel of `package` `version`, from the project page `<index>/simple/<package>/`.
pub(super) fn find_wheel(
    agent: &ureq::Agent,
    index: &str,
    package: &str,
    version: &str,
) -> Result<WheelInfo, ModelError> {
    let url = format!("{}/simple/{package}/", index.trim_end_matches('/'));
    let unavailable = |url: String| ModelError::PackageUnavailable {
        package: package.to_owned(),
        version: version.to_owned(),
        url,
    };
    let text = match agent
        .get(&url)
        .header("Accept", SIMPLE_JSON)
        .call()
        .and_then(|mut r| r.body_mut().read_to_string())
    {
        Ok(text) => text,
        Err(ureq::Error::StatusCode(404)) => return Err(unavailable(url)),
        Err(e) => {
            return Err(ModelError::Fetch {
                url,
                source: Box::new(e),
            });
        }
    };
    let bad_index = |reason: String| ModelError::BadIndex {
        url: url.clone(),
        reason,
    };
    let page: ProjectPage = serde_json::from_str(&text).map_err(|e| bad_index(e.to_string()))?;
    let Some(file) = page
        .files
        .into_iter()
        .find(|f| is_wheel_of(&f.filename, version))
    else {
        return Err(unavailable(url));
    };
    let (Some(size), Some(sha256)) = (file.size, file.hashes.sha256) else {
        return Err(bad_index(format!(
            "{} is listed without its size or sha256",
            file.filename
        )));
    };
    let reference = file.url.split('#').next().unwrap_or_default();
    Ok(WheelInfo {
        url: join_url(&url, reference),
        size,
        sha256,
    })
}

/// Whether `filename` is a wheel of `version` (`<name>-<version>-<tags>.whl`).
fn is_wheel_of(filename: &str, version: &str) -> bool {
    filename.ends_with(".whl") && filename.split('-').nth(1) == Some(version)
}

/// `reference` resolved against the URL `base`, for the forms indexes use: absolute,
/// `//host/path`, `/path` and relative paths with `.` and `..` (RFC 3986, section 5.2).
fn join_url(base: &str, reference: &str) -> String {
    if reference.contains("://") {
        return reference.to_owned();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    if let Some(authority_and_path) = reference.strip_prefix("//") {
        return format!("{scheme}://{authority_and_path}");
    }
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if reference.starts_with('/') {
        return format!("{scheme}://{host}{reference}");
    }
    let mut segments: Vec<&str> = path.split('/').collect();
    segments.pop();
    for segment in reference.split('/') {
        match segment {
            "." => {}
            ".." => {
                segments.pop();
            }
            _ => segments.push(segment),
        }
    }
    format!("{scheme}://{host}/{}", segments.join("/"))
}

/// The root certificates to trust: `SSL_CERT_FILE`, else the system's CA bundle (so that a
/// proxy or mirror with a private CA works, as it does for pip and curl), else the Mozilla
/// roots built into ureq.
fn root_certs() -> RootCerts {
    let bundles = env::var_os("SSL_CERT_FILE")
        .map(PathBuf::from)
        .into_iter()
        .chain(SYSTEM_CA_BUNDLES.iter().map(PathBuf::from));
    for bundle in bundles {
        let Ok(pem) = fs::read(&bundle) else {
            continue;
        };
        let certs: Vec<_> = parse_pem(&pem)
            .filter_map(|item| match item {
                Ok(PemItem::Certificate(cert)) => Some(cert),
                _ => None,
            })
            .collect();
        if !certs.is_empty() {
            return RootCerts::from(certs);
        }
    }
    RootCerts::WebPki
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_resolve_against_the_project_page() {
        let page = "https://mirror.example/pypi/simple/pkg/";
        let cases = [
            (
                "https://files.example/a/x.whl",
                "https://files.example/a/x.whl",
            ),
            ("//cdn.example/x.whl", "https://cdn.example/x.whl"),
            ("/packages/x.whl", "https://mirror.example/packages/x.whl"),
            ("x.whl", "https://mirror.example/pypi/simple/pkg/x.whl"),
            (
                "../../+f/ab/x.whl",
                "https://mirror.example/pypi/+f/ab/x.whl",
            ),
            ("./x.whl", "https://mirror.example/pypi/simple/pkg/x.whl"),
        ];
        for (reference, expected) in cases {
            assert_eq!(join_url(page, reference), expected, "{reference}");
        }
    }

    #[test]
    fn only_wheels_of_the_version_are_picked() {
        assert!(is_wheel_of("m_part1-1.0.0-py3-none-any.whl", "1.0.0"));
        assert!(!is_wheel_of("m_part1-1.0.1-py3-none-any.whl", "1.0.0"));
        assert!(!is_wheel_of("m-part1-1.0.0.tar.gz", "1.0.0"));
    }
}
