//! What keeps `nib http` from being used by anyone but the user: requests must name a
//! loopback host (or the bound address), must not come from a web page of another origin,
//! and must carry the token when one is set.

use std::net::IpAddr;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::{Api, ApiError, Shared};

/// Reads the bearer token from a file only its owner can read.
pub fn read_token(path: &Path) -> Result<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("--token-file {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "--token-file {}: others can read it (mode {:o}); run `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--token-file {}", path.display()))?;
    let token = text.trim();
    if token.is_empty() {
        bail!(
            "--token-file {}: the file is empty; write the token in it",
            path.display()
        );
    }
    Ok(token.to_string())
}

/// Refuses requests that fail the rules above, before any handler runs.
pub async fn check(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let api = api_of(request.uri().path());
    let headers = request.headers();
    let Some(host) = header_str(headers, header::HOST.as_str()) else {
        // HTTP/1.1 requires one; a DNS-rebinding guard cannot let a request without it by.
        tracing::warn!("refused a request without a Host header");
        return ApiError::new(api, StatusCode::FORBIDDEN, "a request needs a Host header")
            .into_response();
    };
    if !host_allowed(host, state.bound) {
        tracing::warn!("refused a request for host {host:?}");
        return ApiError::new(
            api,
            StatusCode::FORBIDDEN,
            format!("host {host:?} is not served here"),
        )
        .into_response();
    }
    if let Some(origin) = header_str(headers, header::ORIGIN.as_str())
        && !origin_allowed(origin)
    {
        tracing::warn!("refused a request from origin {origin:?}");
        return ApiError::new(
            api,
            StatusCode::FORBIDDEN,
            format!("requests from web pages ({origin}) are not served"),
        )
        .into_response();
    }
    let open = matches!(request.uri().path(), "/health" | "/v1/health");
    if let Some(token) = &state.token
        && !open
        && !token_matches(headers, token)
    {
        return ApiError::new(api, StatusCode::UNAUTHORIZED, "Invalid API Key").into_response();
    }
    next.run(request).await
}

/// The API whose error shape a path's client reads.
fn api_of(path: &str) -> Api {
    if path.starts_with("/api/") {
        Api::Ollama
    } else if path.starts_with("/v1/") || path == "/completions" {
        Api::OpenAi
    } else {
        Api::Llama
    }
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).map(|v| v.to_str().unwrap_or("\u{fffd}"))
}

/// Whether a `Host` header names this machine's loopback or the bound address. A page
/// on another site that resolves its name to 127.0.0.1 (DNS rebinding) sends its own name.
fn host_allowed(host: &str, bound: IpAddr) -> bool {
    let name = strip_port(host);
    is_loopback_name(name) || name.parse::<IpAddr>().is_ok_and(|ip| ip == bound)
}

/// Whether an `Origin` is a page served from this machine's loopback (browsers send one
/// with every cross-site request; editors and command-line clients send none).
fn origin_allowed(origin: &str) -> bool {
    let Some((_, rest)) = origin.split_once("://") else {
        return false;
    };
    is_loopback_name(strip_port(rest.trim_end_matches('/')))
}

/// `host` without a `:port`; an IPv6 literal keeps its brackets off.
fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

fn is_loopback_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether the request carries the token (`Authorization: Bearer`, or `X-Api-Key`).
/// Compares digests, so the time taken says nothing about how much of a guess was right.
fn token_matches(headers: &HeaderMap, token: &str) -> bool {
    let sent = header_str(headers, header::AUTHORIZATION.as_str())
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim())
        .or_else(|| header_str(headers, "x-api-key").map(str::trim))
        .unwrap_or("");
    let (a, b) = (
        Sha256::digest(sent.as_bytes()),
        Sha256::digest(token.as_bytes()),
    );
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_loopback_names_or_the_bound_address() {
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        for host in [
            "localhost",
            "localhost:8012",
            "127.0.0.1:8012",
            "[::1]:8012",
            "LOCALHOST",
        ] {
            assert!(host_allowed(host, loopback), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8012",
            "localhost.evil.example",
            "10.0.0.5:8012",
            "",
        ] {
            assert!(!host_allowed(host, loopback), "{host}");
        }
        let lan: IpAddr = "10.0.0.5".parse().unwrap();
        assert!(host_allowed("10.0.0.5:8012", lan));
    }

    #[test]
    fn only_loopback_origins_pass() {
        assert!(origin_allowed("http://localhost:3000"));
        assert!(origin_allowed("http://127.0.0.1"));
        assert!(origin_allowed("http://[::1]:8012"));
        assert!(!origin_allowed("http://evil.example"));
        assert!(!origin_allowed("https://localhost.evil.example"));
        assert!(!origin_allowed("null"));
    }

    #[test]
    fn the_token_is_checked_in_either_header() {
        let mut headers = HeaderMap::new();
        assert!(!token_matches(&headers, "s3cret"));
        headers.insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
        assert!(token_matches(&headers, "s3cret"));
        headers.insert(header::AUTHORIZATION, "Bearer s3cre".parse().unwrap());
        assert!(!token_matches(&headers, "s3cret"));
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", "s3cret".parse().unwrap());
        assert!(token_matches(&headers, "s3cret"));
    }
}
