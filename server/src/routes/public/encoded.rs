//! A body kept in memory in every encoding a client may ask for, each with its own strong
//! `ETag`: what the static surfaces answered from memory (cached reports, cached badges)
//! serve, compressed once instead of on every request.

use std::io::Write as _;

use axum::{
    body::Bytes,
    http::{header, HeaderMap, HeaderValue},
};
use sha2::{Digest, Sha256};

/// One encoding of a body.
pub struct Variant {
    pub body: Bytes,
    pub etag: HeaderValue,
    pub length: HeaderValue,
    /// `Content-Encoding`, none for identity.
    pub coding: Option<HeaderValue>,
}

/// The identity bytes, and gzip and brotli encodings of them where they save bytes.
pub struct Encoded {
    pub identity: Variant,
    pub gzip: Option<Variant>,
    pub br: Option<Variant>,
}

impl Encoded {
    /// Compresses `body` (gzip at its best level; brotli at `brotli_quality`, window 22).
    /// CPU-bound: a large body is encoded off the runtime's threads by the caller.
    pub fn new(body: Bytes, brotli_quality: u32) -> Self {
        let tag = hex::encode(&Sha256::digest(&body)[..12]);
        let variant = |bytes: Bytes, coding: Option<&'static str>| Variant {
            etag: HeaderValue::from_str(&match coding {
                None => format!("\"{tag}\""),
                Some(c) => format!("\"{tag}-{c}\""),
            })
            .expect("hex is a valid header value"),
            length: HeaderValue::from(bytes.len()),
            coding: coding.map(HeaderValue::from_static),
            body: bytes,
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

    pub fn variants(&self) -> impl Iterator<Item = &Variant> {
        std::iter::once(&self.identity)
            .chain(self.gzip.as_ref())
            .chain(self.br.as_ref())
    }

    /// The encoding to answer `req` with.
    pub fn pick(&self, req: &HeaderMap) -> &Variant {
        let i = self.pick_index(req);
        self.variants().nth(i).expect("an index of variants()")
    }

    /// The position in [`Encoded::variants`] of the encoding to answer `req` with, for
    /// callers that keep something per variant beside it.
    pub fn pick_index(&self, req: &HeaderMap) -> usize {
        let has_gzip = self.gzip.is_some() as usize;
        match preferred_coding(req) {
            Coding::Br if self.br.is_some() => 1 + has_gzip,
            Coding::Br | Coding::Gzip if self.gzip.is_some() => 1,
            _ => 0,
        }
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

    #[test]
    fn each_encoding_has_its_own_validator() {
        let body = Bytes::from("<svg>".repeat(200));
        let e = Encoded::new(body.clone(), 9);
        let tags: Vec<_> = e.variants().map(|v| v.etag.clone()).collect();
        assert_eq!(tags.len(), 3, "both encodings save bytes here");
        assert!(tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2]);
        assert_eq!(e.pick(&HeaderMap::new()).body, body);
        assert_eq!(e.pick(&accept("gzip")).coding.as_ref().unwrap(), "gzip");
        // Too small to gain: identity only, whatever is accepted.
        let tiny = Encoded::new(Bytes::from_static(b"x"), 9);
        assert!(tiny.gzip.is_none() && tiny.br.is_none());
        assert!(tiny.pick(&accept("br")).coding.is_none());
    }
}
