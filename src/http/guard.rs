//! What keeps `nib http` from being used by anyone but the user: requests must name a
//! loopback host, an address of this machine they reached it at, or a name the user
//! allowed (`--allow-host`); must not come from a web page of another origin; and must
//! carry the token when one is set. Off loopback, the token is the guard.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use anyhow::{Context as _, Result, bail};
use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::serve::IncomingStream;
use sha2::{Digest, Sha256};

use super::Shared;
use super::wire::{Api, ApiError};

/// Both ends of a client's connection: who it is, and which of this machine's addresses
/// it reached (a LAN client of a `--bind 0.0.0.0` server names that address as its host).
#[derive(Debug, Clone, Copy)]
pub struct Peer {
    pub remote: SocketAddr,
    pub local: Option<SocketAddr>,
}

impl Connected<IncomingStream<'_, tokio::net::TcpListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, tokio::net::TcpListener>) -> Peer {
        Peer {
            remote: *stream.remote_addr(),
            local: stream.io().local_addr().ok(),
        }
    }
}

/// The bearer token, read from its file again whenever the file changes (size or mtime),
/// so that a new token takes effect without a restart.
pub struct Token {
    path: PathBuf,
    current: Mutex<Current>,
}

struct Current {
    stamp: Option<Stamp>,
    /// The token, or why the file cannot be used now.
    token: Result<String, String>,
}

impl Token {
    /// Reads the token file once; a file that cannot be used is an error here.
    pub fn open(path: &Path) -> Result<Token> {
        let stamp = file_stamp(path);
        let token = read_token(path)?;
        Ok(Token {
            path: path.to_owned(),
            current: Mutex::new(Current {
                stamp,
                token: Ok(token),
            }),
        })
    }

    /// The token now: read again when the file changed since the last read.
    fn get(&self) -> Result<String, String> {
        let stamp = file_stamp(&self.path);
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if stamp != current.stamp || stamp.is_none() {
            current.stamp = stamp;
            current.token = read_token(&self.path).map_err(|e| format!("{e:#}"));
            match &current.token {
                Ok(_) => tracing::info!(path = %self.path.display(), "read the token file again"),
                Err(e) => tracing::error!("{e}; refusing requests until it is fixed"),
            }
        }
        current.token.clone()
    }
}

/// What tells that the token file changed: its size, mtime and permissions.
type Stamp = (u64, SystemTime, u32);

fn file_stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions());
    #[cfg(not(unix))]
    let mode = 0;
    Some((meta.len(), meta.modified().ok()?, mode))
}

/// Reads the bearer token from a file only its owner can read.
fn read_token(path: &Path) -> Result<String> {
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
    let local = request
        .extensions()
        .get::<ConnectInfo<Peer>>()
        .and_then(|ConnectInfo(peer)| peer.local)
        .map(|addr| addr.ip());
    let hosts = Hosts {
        bound: state.bound,
        local,
        allowed: &state.allowed_hosts,
    };
    if !hosts.allow(host) {
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
    {
        match token.get() {
            Ok(token) if token_matches(headers, &token) => {}
            Ok(_) => {
                return ApiError::new(api, StatusCode::UNAUTHORIZED, "Invalid API Key")
                    .into_response();
            }
            Err(why) => {
                return ApiError::new(api, StatusCode::INTERNAL_SERVER_ERROR, why).into_response();
            }
        }
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

/// The hosts a request may name. A page on another site that resolves its name to
/// 127.0.0.1 (DNS rebinding) sends its own name, which is none of these.
struct Hosts<'a> {
    /// The address the server listens on.
    bound: IpAddr,
    /// The address of this machine the connection reached.
    local: Option<IpAddr>,
    /// Names the user listed with `--allow-host`.
    allowed: &'a [String],
}

impl Hosts<'_> {
    fn allow(&self, host: &str) -> bool {
        let name = strip_port(host);
        if is_loopback_name(name) || self.allowed.iter().any(|a| a.eq_ignore_ascii_case(name)) {
            return true;
        }
        name.parse::<IpAddr>()
            .is_ok_and(|ip| (ip == self.bound && !ip.is_unspecified()) || Some(ip) == self.local)
    }
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
    fn hosts_are_loopback_names_the_address_reached_or_allowed_names() {
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        // A connection reaches the address the server is bound to.
        let host_allowed = |host: &str, bound: IpAddr| {
            Hosts {
                bound,
                local: Some(bound),
                allowed: &[],
            }
            .allow(host)
        };
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

        // Bound to every interface: the address a client reached is this machine's.
        let names = ["nib.lan".to_owned()];
        let any = Hosts {
            bound: "0.0.0.0".parse().unwrap(),
            local: Some(lan),
            allowed: &names,
        };
        for host in ["10.0.0.5:8012", "NIB.lan:8012", "nib.lan", "localhost"] {
            assert!(any.allow(host), "{host}");
        }
        for host in ["0.0.0.0:8012", "10.0.0.6:8012", "evil.example", "lan:8012"] {
            assert!(!any.allow(host), "{host}");
        }
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
