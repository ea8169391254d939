//! How the SPA's files and every response leave the server: precompressed
//! assets chosen by `Accept-Encoding`, cache lifetimes, and the security
//! headers (CSP and friends) that every response carries.
//!
//! - A file of the static dir with a `.br` or `.gz` sibling (written at build
//!   time by `just build-frontend`) is served from the sibling when the client
//!   accepts that encoding, with the original's `Content-Type`,
//!   `Content-Encoding` and `Vary: Accept-Encoding`. Anything else that is
//!   compressible (index.html, JSON) is compressed on the fly by actix's
//!   `Compress` middleware, which leaves an already-encoded body alone.
//! - Trunk's hashed file names (`app-<hex>.wasm`) never change content, so they
//!   are cached for a year (`immutable`); `index.html`, the history fallback
//!   and unhashed files are `no-cache` (revalidated with their ETag).
//! - The SPA's CSP allows its own files, WebAssembly compilation
//!   (`'wasm-unsafe-eval'`) and the inline loader trunk writes into
//!   index.html by its SHA-256 (read from the built index.html, again
//!   whenever that file changes).
//!   Swagger UI under `/api/docs/` gets its own policy (data: images and inline
//!   style attributes); the JSON API gets `default-src 'none'`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, ContentEncoding, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// `Cache-Control` of files whose name carries a content hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of index.html and unhashed files: always revalidate.
pub const NO_CACHE: &str = "no-cache";

/// The JSON API and its problem documents: nothing to load, nothing to frame.
const API_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Swagger UI (vendored by utoipa-swagger-ui): its scripts and styles are
/// files, but its stylesheet embeds `data:` SVG icons and React sets inline
/// `style` attributes.
const SWAGGER_CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'; object-src 'none'";

/// The security headers. The SPA's policy follows its built `index.html`: it
/// is recomputed when that file's modification time changes, so rebuilding
/// the SPA under a running server keeps it loading.
#[derive(Clone, Debug)]
pub struct SecurityHeaders {
    index: Option<PathBuf>,
    spa_csp: Arc<Mutex<(Option<SystemTime>, HeaderValue)>>,
}

impl SecurityHeaders {
    /// Policies for a server whose SPA (if any) is in `static_dir`: the hashes
    /// of the inline scripts of its index.html go into the SPA's `script-src`.
    pub fn new(static_dir: Option<&Path>) -> SecurityHeaders {
        let index = static_dir.map(|d| d.join("index.html"));
        let (mtime, csp) = spa_csp(index.as_deref());
        SecurityHeaders {
            index,
            spa_csp: Arc::new(Mutex::new((mtime, csp))),
        }
    }

    /// The policy for a request path.
    pub fn csp_for(&self, path: &str) -> HeaderValue {
        if path == "/api/docs" || path.starts_with("/api/docs/") {
            HeaderValue::from_static(SWAGGER_CSP)
        } else if crate::is_api_path(path) {
            HeaderValue::from_static(API_CSP)
        } else {
            let mtime = self
                .index
                .as_deref()
                .and_then(|i| std::fs::metadata(i).and_then(|m| m.modified()).ok());
            let mut cached = self.spa_csp.lock().unwrap_or_else(|e| e.into_inner());
            if cached.0 != mtime {
                *cached = spa_csp(self.index.as_deref());
            }
            cached.1.clone()
        }
    }
}

/// The SPA's policy for the index.html at `index` (if any), with the file's
/// modification time it was computed from.
fn spa_csp(index: Option<&Path>) -> (Option<SystemTime>, HeaderValue) {
    let mtime = index.and_then(|i| std::fs::metadata(i).and_then(|m| m.modified()).ok());
    let hashes = index
        .and_then(|i| std::fs::read_to_string(i).ok())
        .map(|html| inline_script_hashes(&html))
        .unwrap_or_default();
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for h in &hashes {
        script_src.push_str(&format!(" '{h}'"));
    }
    let csp = format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    (
        mtime,
        HeaderValue::from_str(&csp).expect("a CSP is a valid header value"),
    )
}

/// `'sha256-…'` of every inline `<script>` (one without `src`) in `html`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| at + i) {
        let Some(tag_end) = lower[start..].find('>').map(|i| start + i) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|i| tag_end + i) else {
            break;
        };
        let tag = &lower[start..tag_end];
        if !tag.contains(" src=") && !tag.contains("\tsrc=") && !tag.contains("\nsrc=") {
            let body = &html[tag_end + 1..close];
            let digest = Sha256::digest(body.as_bytes());
            out.push(format!(
                "sha256-{}",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        at = close;
    }
    out
}

/// Middleware (outermost): CSP, nosniff, no referrer and no framing on every
/// response, error responses included; and `Vary: Accept-Encoding` on those
/// that lack it.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let headers = req
        .app_data::<actix_web::web::Data<SecurityHeaders>>()
        .map(|d| d.get_ref().clone());
    let path = req.path().to_owned();
    // Handlers and the inner middlewares answer errors as responses (problem
    // documents, CORS refusals), so they pass through here too.
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    if let Some(sec) = headers {
        h.insert(header::CONTENT_SECURITY_POLICY, sec.csp_for(&path));
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Every response may be encoded differently by `Accept-Encoding`, also
    // when this one was not (no header, a small body): caches must know.
    let varies = h.get_all(header::VARY).any(|v| {
        v.to_str()
            .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
    });
    if !varies {
        h.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    Ok(res)
}

/// Whether a file name carries a content hash, as trunk writes them
/// (`lazo-frontend-d44350903b3e7173_bg.wasm`, `style-7c10aee1cfc45611.css`):
/// a `-`/`_`-separated part of the stem of at least 6 hex digits, at least
/// one of them a digit.
pub fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    stem.split(['-', '_']).any(|part| {
        part.len() >= 6
            && part.bytes().all(|b| b.is_ascii_hexdigit())
            && part.bytes().any(|b| b.is_ascii_digit())
    })
}

/// The file under `dir` that a request path names, if it is one: no hidden
/// segments, no `..`, no backslashes, no precompressed siblings asked for by
/// name (those are chosen by negotiation).
pub fn resolve(dir: &Path, path: &str) -> Option<PathBuf> {
    let rel = path.strip_prefix('/')?;
    if rel.is_empty() || rel.ends_with('/') || rel.ends_with(".br") || rel.ends_with(".gz") {
        return None;
    }
    let mut file = dir.to_path_buf();
    for seg in rel.split('/') {
        if seg.is_empty() || seg.starts_with('.') || seg.contains('\\') || seg.contains('\0') {
            return None;
        }
        file.push(seg);
    }
    file.is_file().then_some(file)
}

/// The encodings a request accepts, in the order we prefer: brotli, gzip.
fn accepted(req: &HttpRequest) -> Vec<ContentEncoding> {
    let Some(value) = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return Vec::new();
    };
    let mut br = false;
    let mut gzip = false;
    for item in value.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            let p = p.trim().replace(' ', "");
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        if refused {
            continue;
        }
        match coding.as_str() {
            "br" => br = true,
            "gzip" | "x-gzip" => gzip = true,
            "*" => {
                br = true;
                gzip = true;
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if br {
        out.push(ContentEncoding::Brotli);
    }
    if gzip {
        out.push(ContentEncoding::Gzip);
    }
    out
}

/// Serves `file` (a file of the static dir): from its `.br`/`.gz` sibling when
/// the client accepts it (not for range requests), with its cache lifetime.
pub async fn serve_file(req: &HttpRequest, file: &Path) -> std::io::Result<HttpResponse> {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    let mime = actix_files::file_extension_to_mime(
        file.extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default(),
    );
    let siblings: Vec<(ContentEncoding, PathBuf)> = [
        (ContentEncoding::Brotli, "br"),
        (ContentEncoding::Gzip, "gz"),
    ]
    .into_iter()
    .map(|(enc, ext)| (enc, file.with_file_name(format!("{name}.{ext}"))))
    .filter(|(_, p)| p.is_file())
    .collect();
    let chosen = if req.headers().contains_key(header::RANGE) {
        None
    } else {
        accepted(req)
            .into_iter()
            .find_map(|enc| siblings.iter().find(|(e, _)| *e == enc).cloned())
    };
    let named = match chosen {
        Some((enc, path)) => actix_files::NamedFile::open_async(path)
            .await?
            .set_content_encoding(enc),
        None => actix_files::NamedFile::open_async(file).await?,
    };
    let mut res = named
        .set_content_type(mime)
        .disable_content_disposition()
        .into_response(req);
    let cache = if name != "index.html" && is_hashed(&name) {
        IMMUTABLE
    } else {
        NO_CACHE
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if !siblings.is_empty() {
        h.append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_trunks() {
        assert!(is_hashed("lazo-frontend-d44350903b3e7173_bg.wasm"));
        assert!(is_hashed("lazo-frontend-d44350903b3e7173.js"));
        assert!(is_hashed("style-7c10aee1cfc45611.css"));
        assert!(is_hashed("app-abc123.wasm"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("favicon.svg"));
        assert!(!is_hashed("deadbeef-cafe.js"));
    }

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = "<script type=\"module\">\nhi();\n</script><script src=\"/a.js\"></script>";
        let hashes = inline_script_hashes(html);
        let want = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"\nhi();\n"));
        assert_eq!(hashes, [format!("sha256-{want}")]);
    }
}
