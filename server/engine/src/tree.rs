//! The in-memory file tree every source produces and every content analysis reads.
//!
//! Sources (tarball, git checkout, test fixtures) normalise paths to `/`-separated,
//! relative, traversal-free strings before a file gets here, so analyses never touch the
//! filesystem and can't be tricked by symlinks.

/// One file. Oversized files keep only their first bytes (`truncated`), enough to recognise
/// executables by magic number without holding the whole thing in memory.
#[derive(Debug, Clone)]
pub struct RepoFile {
    pub path: String,
    pub data: Vec<u8>,
    pub size: u64,
    pub truncated: bool,
}

/// Bytes kept from a file that is too large to scan.
pub const HEAD_BYTES: usize = 1024;

#[derive(Debug, Clone, Default)]
pub struct FileTree {
    pub files: Vec<RepoFile>,
    /// Entries not kept at all (symlinks, devices, caps reached), with the reason.
    pub skipped: Vec<(String, String)>,
    /// True when a cap stopped unpacking early: results cover only part of the repository.
    pub incomplete: bool,
}

impl FileTree {
    pub fn add(&mut self, path: impl Into<String>, data: impl Into<Vec<u8>>) {
        let data = data.into();
        let size = data.len() as u64;
        self.files.push(RepoFile {
            path: path.into(),
            data,
            size,
            truncated: false,
        });
    }
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.data.len() as u64).sum()
    }
    pub fn get(&self, path: &str) -> Option<&RepoFile> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// Validate and normalise an archive/checkout path: relative, `/`-separated, no `.`/`..`
/// components, no NUL or backslash, at most `max_depth` components. `None` means refuse.
pub fn clean_path(raw: &str, max_depth: usize) -> Option<String> {
    if raw.is_empty() || raw.starts_with('/') || raw.contains('\0') || raw.contains('\\') {
        return None;
    }
    let mut parts = Vec::new();
    for comp in raw.split('/') {
        match comp {
            "" | "." => continue,
            ".." => return None,
            c => parts.push(c),
        }
    }
    if parts.is_empty() || parts.len() > max_depth {
        return None;
    }
    // Windows drive prefixes ("C:") would be absolute on some tools that re-read the tree.
    if parts[0].len() == 2 && parts[0].ends_with(':') {
        return None;
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::clean_path;

    #[test]
    fn paths() {
        assert_eq!(clean_path("a/b/c.rs", 8).as_deref(), Some("a/b/c.rs"));
        assert_eq!(clean_path("./a//b/", 8).as_deref(), Some("a/b"));
        assert_eq!(clean_path("a/../../etc/passwd", 8), None);
        assert_eq!(clean_path("/etc/passwd", 8), None);
        assert_eq!(clean_path("a\\..\\b", 8), None);
        assert_eq!(clean_path("C:/x", 8), None);
        assert_eq!(clean_path("a/b/c/d", 3), None);
        assert_eq!(clean_path("", 3), None);
        assert_eq!(clean_path("./", 3), None);
    }
}
