//! Unpacking a `.tar.gz` repository archive into an in-memory [`FileTree`] with hard caps.
//!
//! Nothing is written to disk, so path traversal and symlink tricks can't reach the
//! filesystem; still, every path is cleaned (no `..`, no absolute paths), symlinks and
//! special files are recorded as skipped, and bytes, entries and depth are capped. A cap
//! ends unpacking early and marks the tree incomplete (the scan reports partial coverage);
//! only an unreadable archive is an error.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use flate2::read::GzDecoder;

use crate::config::Limits;
use crate::tree::{clean_path, FileTree, RepoFile, HEAD_BYTES};

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("the repository archive could not be read: {0}")]
    Corrupt(String),
    #[error("the repository archive has no files")]
    Empty,
}

/// Counts decompressed bytes and stops the stream at the cap (gzip bombs end here).
struct Capped<R> {
    inner: R,
    left: u64,
    hit: Rc<Cell<bool>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            self.hit.set(true);
            return Err(io::Error::other("archive size cap reached"));
        }
        let n = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let got = self.inner.read(&mut buf[..n])?;
        self.left -= got as u64;
        Ok(got)
    }
}

/// Unpack a gzip-compressed tarball. With `strip_top`, every entry must live under one
/// top-level folder (GitHub's `{owner}-{repo}-{sha7}/`), which is removed from paths.
pub fn unpack_tar_gz<R: Read>(reader: R, limits: &Limits, strip_top: bool) -> Result<FileTree, ArchiveError> {
    unpack_tar(GzDecoder::new(reader), limits, strip_top)
}

/// Unpack an uncompressed tar stream (see [`unpack_tar_gz`]).
pub fn unpack_tar<R: Read>(reader: R, limits: &Limits, strip_top: bool) -> Result<FileTree, ArchiveError> {
    let hit = Rc::new(Cell::new(false));
    // The decompressed stream may be a little larger than the files (headers, padding).
    let cap = limits
        .max_archive_bytes
        .saturating_add(limits.max_archive_bytes / 8 + 1024 * 1024);
    let capped = Capped {
        inner: reader,
        left: cap,
        hit: hit.clone(),
    };
    let mut archive = tar::Archive::new(capped);
    let mut tree = FileTree::default();
    let mut top: Option<String> = None;
    let mut kept_bytes: u64 = 0;
    let mut entries_seen = 0usize;

    let entries = archive.entries().map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                if hit.get() {
                    tree.incomplete = true;
                    break;
                }
                // A truncated or corrupt tail after some files: keep what we have.
                if !tree.files.is_empty() {
                    tree.incomplete = true;
                    tree.skipped.push(("(archive)".into(), format!("unreadable tail: {e}")));
                    break;
                }
                return Err(ArchiveError::Corrupt(e.to_string()));
            }
        };
        entries_seen += 1;
        if entries_seen > limits.max_files.saturating_mul(2) || tree.files.len() >= limits.max_files {
            tree.incomplete = true;
            break;
        }
        let etype = entry.header().entry_type();
        if etype.is_pax_global_extensions()
            || etype.is_pax_local_extensions()
            || etype.is_gnu_longname()
            || etype.is_gnu_longlink()
        {
            continue;
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(mut path) = clean_path(&raw, limits.max_path_depth + 1) else {
            tree.skipped
                .push((raw.chars().take(200).collect(), "unsafe or too deep path".into()));
            continue;
        };
        if strip_top {
            let (first, rest) = match path.split_once('/') {
                Some((f, r)) => (f.to_string(), Some(r.to_string())),
                None => (path.clone(), None),
            };
            match &top {
                None => top = Some(first.clone()),
                Some(t) if *t != first => {
                    tree.skipped
                        .push((path.clone(), "outside the archive's top folder".into()));
                    continue;
                }
                _ => {}
            }
            match rest {
                Some(r) => path = r,
                None => continue, // the top folder itself
            }
        }
        if path.split('/').count() > limits.max_path_depth {
            tree.skipped.push((path, "path too deep".into()));
            continue;
        }
        if etype.is_dir() {
            continue;
        }
        if etype.is_symlink() || etype.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let joined = match parent(&path) {
                "" => target.clone(),
                dir => format!("{dir}/{target}"),
            };
            let escapes = target.starts_with('/') || clean_path(&joined, usize::MAX).is_none();
            let why = if escapes {
                "link pointing outside the repository (not followed)"
            } else {
                "link (not followed)"
            };
            tree.skipped.push((path, why.into()));
            continue;
        }
        if !(etype.is_file() || etype.is_contiguous()) {
            tree.skipped.push((path, "special file".into()));
            continue;
        }
        let size = entry.header().size().unwrap_or(0);
        if size > limits.max_file_bytes {
            let mut head = vec![0u8; HEAD_BYTES.min(size as usize)];
            if entry.read_exact(&mut head).is_err() {
                head.clear();
            }
            tree.files.push(RepoFile {
                path,
                data: head,
                size,
                truncated: true,
            });
            continue;
        }
        if kept_bytes + size > limits.max_archive_bytes {
            tree.incomplete = true;
            break;
        }
        let mut data = Vec::with_capacity(size as usize);
        match (&mut entry).take(limits.max_file_bytes + 1).read_to_end(&mut data) {
            Ok(_) => {}
            Err(_) if hit.get() => {
                tree.incomplete = true;
                break;
            }
            Err(e) => return Err(ArchiveError::Corrupt(e.to_string())),
        }
        kept_bytes += data.len() as u64;
        tree.files.push(RepoFile {
            path,
            size: data.len() as u64,
            data,
            truncated: false,
        });
    }
    if tree.files.is_empty() && !tree.incomplete {
        return Err(ArchiveError::Empty);
    }
    Ok(tree)
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

/// A blocking `Read` fed from an async producer, so a download can be unpacked while it
/// streams (the unpacker runs on a blocking thread).
pub struct ChannelReader {
    rx: tokio::sync::mpsc::Receiver<io::Result<Vec<u8>>>,
    buf: Vec<u8>,
    pos: usize,
}

impl ChannelReader {
    pub fn new(rx: tokio::sync::mpsc::Receiver<io::Result<Vec<u8>>>) -> Self {
        ChannelReader {
            rx,
            buf: Vec::new(),
            pos: 0,
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.buf.len() {
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => {
                    self.buf = chunk;
                    self.pos = 0;
                }
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};

    fn tgz(entries: &[(&str, tar::EntryType, &[u8], Option<&str>)]) -> Vec<u8> {
        let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        for (path, ty, data, link) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(*ty);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            if let Some(l) = link {
                h.set_link_name(l).unwrap();
            }
            // Write the raw name so tests can produce hostile paths `tar` would refuse.
            let name = path.as_bytes();
            h.as_old_mut().name[..name.len()].copy_from_slice(name);
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        b.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn strips_top_and_refuses_tricks() {
        use tar::EntryType::*;
        let data = tgz(&[
            ("o-r-abc1234/", Directory, b"", None),
            ("o-r-abc1234/src/main.rs", Regular, b"fn main() {}", None),
            ("o-r-abc1234/../../etc/evil", Regular, b"x", None),
            ("other-top/x.txt", Regular, b"x", None),
            ("o-r-abc1234/link", Symlink, b"", Some("../../../etc/passwd")),
            ("o-r-abc1234/ok-link", Symlink, b"", Some("src/main.rs")),
            ("/abs/path", Regular, b"x", None),
        ]);
        let t = unpack_tar_gz(&data[..], &Limits::default(), true).unwrap();
        assert_eq!(t.files.len(), 1);
        assert_eq!(t.files[0].path, "src/main.rs");
        let reasons: Vec<&str> = t.skipped.iter().map(|(_, r)| r.as_str()).collect();
        assert!(
            reasons.contains(&"link pointing outside the repository (not followed)"),
            "{reasons:?}"
        );
        assert!(reasons.contains(&"link (not followed)"));
        assert!(reasons.contains(&"outside the archive's top folder"));
        assert!(reasons.iter().filter(|r| **r == "unsafe or too deep path").count() >= 2);
        assert!(!t.incomplete);
    }

    #[test]
    fn caps() {
        use tar::EntryType::*;
        let big = vec![b'a'; 5000];
        let data = tgz(&[
            ("t/a.txt", Regular, &big, None),
            ("t/b.txt", Regular, b"hi", None),
            ("t/c.txt", Regular, b"yo", None),
        ]);
        let limits = Limits {
            max_file_bytes: 1000,
            max_files: 2,
            ..Limits::default()
        };
        let t = unpack_tar_gz(&data[..], &limits, true).unwrap();
        assert!(t.files[0].truncated && t.files[0].size == 5000 && t.files[0].data.len() == HEAD_BYTES);
        assert_eq!(t.files.len(), 2);
        assert!(t.incomplete);
        // A decompression bomb is cut at the byte cap.
        let bomb = tgz(&[("t/zeros", Regular, &vec![0u8; 4 << 20], None)]);
        let limits = Limits {
            max_archive_bytes: 1 << 20,
            max_file_bytes: 8 << 20,
            ..Limits::default()
        };
        let t = unpack_tar_gz(&bomb[..], &limits, true).unwrap();
        assert!(t.incomplete && t.files.is_empty());
        let deep = tgz(&[("t/a/b/c/d/e.txt", Regular, b"x", None)]);
        let t = unpack_tar_gz(
            &deep[..],
            &Limits {
                max_path_depth: 3,
                ..Limits::default()
            },
            true,
        );
        assert!(matches!(t, Err(ArchiveError::Empty)));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(unpack_tar_gz(&b"not a gzip stream at all"[..], &Limits::default(), true).is_err());
        assert!(unpack_tar_gz(&[][..], &Limits::default(), false).is_err());
    }
}
