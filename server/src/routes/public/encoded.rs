//! A body kept in memory in every encoding a client may ask for, each with its own strong
//! `ETag` and its whole answer's headers built once: what the static surfaces answered from
//! memory (cached reports, cached badges) serve, compressed once instead of on every request,
//! and answered with a copy of prebuilt headers instead of inserting them one by one.

use std::io::Write as _;

use axum::{
    body::{Body, Bytes},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::Response,
};
use sha2::{Digest, Sha256};

/// One encoding of a body, and the headers of its 200 and of its 304.
struct Variant {
    body: Bytes,
    etag: HeaderValue,
    ok: HeaderMap,
    not_modified: HeaderMap,
}

/// The identity bytes, and gzip and brotli encodings of them where they save bytes.
pub struct Encoded {
    identity: Variant,
    gzip: Option<Variant>,
    br: Option<Variant>,
}

impl Encoded {
    /// Compresses `body` (gzip at its best level; brotli at `brotli_quality`, window 22) and
    /// builds each encoding's answers: `always` goes on the 200 and the 304 alike (caching,
    /// `Vary`, the fixed security headers), `content` on the 200 only (type, policy); the
    /// validator, length and encoding are added here. CPU-bound: a large body is encoded off
    /// the runtime's threads by the caller.
    pub fn new(body: Bytes, brotli_quality: u32, always: &HeaderMap, content: &HeaderMap) -> Self {
        let tag = hex::encode(&Sha256::digest(&body)[..12]);
        let variant = |bytes: Bytes, coding: Option<&'static str>| {
            let etag = HeaderValue::from_str(&match coding {
                None => format!("\"{tag}\""),
                Some(c) => format!("\"{tag}-{c}\""),
            })
            .expect("hex is a valid header value");
            let mut not_modified = always.clone();
            not_modified.insert(header::ETAG, etag.clone());
            let mut ok = not_modified.clone();
            ok.extend(content.clone());
            ok.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
            if let Some(c) = coding {
                ok.insert(header::CONTENT_ENCODING, HeaderValue::from_static(c));
            }
            Variant {
                body: bytes,
                etag,
                ok,
                not_modified,
            }
        };
        // An encoding is kept only when it saves bytes.
        let smaller = |v: Vec<u8>| (v.len() < body.len()).then(|| Bytes::from(v));
        let gzip = smaller(gzip(&body)).map(|b| variant(b, Some("gzip")));
        let br = smaller(brotli(&body, brotli_quality)).map(|b| variant(b, Some("br")));
        Self {
            identity: variant(body, None),
            gzip,
            br,
        }
    }

    /// Bytes held, all encodings counted.
    pub fn size(&self) -> usize {
        self.variants().map(|v| v.body.len()).sum()
    }

    fn variants(&self) -> impl Iterator<Item = &Variant> {
        std::iter::once(&self.identity)
            .chain(self.gzip.as_ref())
            .chain(self.br.as_ref())
    }

    /// The encoding to answer `req` with.
    fn pick(&self, req: &HeaderMap) -> &Variant {
        match preferred_coding(req) {
            Coding::Br => self.br.as_ref(),
            Coding::Gzip => self.gzip.as_ref(),
            Coding::Identity => None,
        }
        .unwrap_or(&self.identity)
    }

    /// The answer to `req`: its preferred encoding, 304 on a matching `If-None-Match`, no
    /// body for `HEAD`.
    pub fn respond(&self, req: &HeaderMap, head: bool) -> Response {
        let v = self.pick(req);
        let (status, headers, body) = if super::etag_matches(req, &v.etag) {
            (StatusCode::NOT_MODIFIED, &v.not_modified, Body::empty())
        } else if head {
            (StatusCode::OK, &v.ok, Body::empty())
        } else {
            (StatusCode::OK, &v.ok, Body::from(v.body.clone()))
        };
        let mut res = Response::new(body);
        *res.status_mut() = status;
        *res.headers_mut() = headers.clone();
        res
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

fn brotli(bytes: &[u8], quality: u32) -> Vec<u8> {
    let mut enc = brotli::CompressorWriter::new(Vec::new(), 4096, quality, 22);
    let _ = enc.write_all(bytes);
    enc.into_inner()
}

#[derive(Debug, PartialEq)]
enum Coding {
    Br,
    Gzip,
    Identity,
}

/// Brotli, then gzip, when `Accept-Encoding` allows them (`q=0` refuses; `*` stands for any
/// coding not named).
fn preferred_coding(headers: &HeaderMap) -> Coding {
    let (mut br, mut gzip, mut any) = (None, None, None);
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let accepted = Some(q > 0.0);
            if name.eq_ignore_ascii_case("br") {
                br = accepted;
            } else if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
                gzip = accepted;
            } else if name == "*" {
                any = accepted;
            }
        }
    }
    if br.or(any) == Some(true) {
        Coding::Br
    } else if gzip.or(any) == Some(true) {
        Coding::Gzip
    } else {
        Coding::Identity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn codings_follow_accept_encoding() {
        assert_eq!(preferred_coding(&HeaderMap::new()), Coding::Identity);
        assert_eq!(preferred_coding(&accept("gzip, deflate, br, zstd")), Coding::Br);
        assert_eq!(preferred_coding(&accept("gzip")), Coding::Gzip);
        assert_eq!(preferred_coding(&accept("br;q=0, gzip;q=0.5")), Coding::Gzip);
        assert_eq!(preferred_coding(&accept("identity")), Coding::Identity);
        assert_eq!(preferred_coding(&accept("*")), Coding::Br);
        assert_eq!(preferred_coding(&accept("*;q=0, gzip")), Coding::Gzip);
        assert_eq!(preferred_coding(&accept("BR;Q=1")), Coding::Br);
    }

    fn encoded(body: Bytes) -> Encoded {
        let mut always = HeaderMap::new();
        always.insert(header::CACHE_CONTROL, HeaderValue::from_static("max-age=60"));
        let mut content = HeaderMap::new();
        content.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
        Encoded::new(body, 9, &always, &content)
    }

    #[test]
    fn each_encoding_has_its_own_validator_and_answer() {
        let body = Bytes::from("<svg>".repeat(200));
        let e = encoded(body.clone());
        let tags: Vec<_> = e.variants().map(|v| v.etag.clone()).collect();
        assert_eq!(tags.len(), 3, "both encodings save bytes here");
        assert!(tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2]);
        assert_eq!(e.pick(&HeaderMap::new()).body, body);
        let res = e.respond(&accept("gzip"), false);
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "image/svg+xml");
        assert_eq!(res.headers()[header::ETAG], tags[1]);
        let mut again = accept("gzip");
        again.insert(header::IF_NONE_MATCH, tags[1].clone());
        let res = e.respond(&again, false);
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(res.headers()[header::CACHE_CONTROL], "max-age=60");
        assert!(res.headers().get(header::CONTENT_TYPE).is_none());
        // Too small to gain: identity only, whatever is accepted.
        let tiny = encoded(Bytes::from_static(b"x"));
        assert!(tiny.gzip.is_none() && tiny.br.is_none());
        let res = tiny.respond(&accept("br"), true);
        assert!(res.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(res.headers()[header::CONTENT_LENGTH], "1");
    }
}
