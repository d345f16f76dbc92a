//! A counter every process on the machine shares: eight bytes of a file, mapped into memory
//! by each process that opens it. Reading it is one atomic load, with no system call; the key
//! epoch is read on every call with a key (`accounts::key_epoch`), where the `lseek` that
//! read the length of an append-only file instead was the largest single cost of the key check
//! (about a microsecond, a system call on every call).
//!
//! The only `unsafe` code of the workspace, kept to this module: mapping the file, and viewing
//! its first eight bytes as an `AtomicU64`. Atomic operations on a shared mapping are atomic
//! between processes (the processes share the physical page), which is what makes a bump in
//! one process visible to the next load in every other.
//!
//! The file is the processes' own: nothing else may write, truncate or copy over it while they
//! run (a truncated mapping faults on the next access). Deleting it is harmless to running
//! processes but splits them from those started after; backups need not include it.
#![allow(unsafe_code)]

use std::{
    fs::File,
    io,
    os::fd::AsRawFd,
    path::Path,
    ptr::NonNull,
    sync::atomic::{AtomicU64, Ordering},
};

const SIZE: usize = std::mem::size_of::<AtomicU64>();

pub struct SharedCounter {
    /// The start of the mapping, page-aligned (so aligned for an `AtomicU64`).
    word: NonNull<AtomicU64>,
}

// SAFETY: the mapping is only ever accessed through the `AtomicU64`, which is `Sync`; it lives
// until `drop`, whichever thread that runs on.
unsafe impl Send for SharedCounter {}
unsafe impl Sync for SharedCounter {}

impl SharedCounter {
    /// Maps the counter in the file at `path`, creating it (as zero) when missing. A file
    /// shorter than the counter is extended with zeros, never truncated: a process that maps
    /// it meanwhile keeps its value.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        if file.metadata()?.len() < SIZE as u64 {
            reserve(&file)?;
        }
        // SAFETY: a fresh shared mapping of the file's first bytes (the file holds at least
        // `SIZE` of them, and nothing here shrinks it), readable and writable; the kernel
        // places it, so it overlaps nothing of ours. The descriptor may close once mapped.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                SIZE,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let word = NonNull::new(ptr.cast::<AtomicU64>()).ok_or_else(|| io::Error::other("mmap returned null"))?;
        Ok(SharedCounter { word })
    }

    fn atomic(&self) -> &AtomicU64 {
        // SAFETY: `word` points at a live, page-aligned mapping of at least `SIZE` bytes (see
        // `open`), unmapped only in `drop`; in this process it is only ever accessed through
        // this atomic, and other processes map it through this same module (see the module's
        // notes on the file).
        unsafe { self.word.as_ref() }
    }

    pub fn load(&self) -> u64 {
        self.atomic().load(Ordering::SeqCst)
    }

    pub fn bump(&self) {
        self.atomic().fetch_add(1, Ordering::SeqCst);
    }
}

/// Extends the file to the counter's size with its blocks allocated, never touching bytes
/// that exist: a write through the mapping into a hole could not be backed on a full disk and
/// would kill the process (`SIGBUS`) instead of failing here. `fallocate` (not glibc's
/// `posix_fallocate`, which may emulate it by writing zeros over a concurrent opener's bump).
#[cfg(target_os = "linux")]
fn reserve(file: &File) -> io::Result<()> {
    // SAFETY: a plain system call on a descriptor we own; no memory is passed.
    match unsafe { libc::fallocate(file.as_raw_fd(), 0, 0, SIZE as libc::off_t) } {
        0 => Ok(()),
        _ => match io::Error::last_os_error() {
            // A file system without it: a hole it is (the disk is rarely full exactly then).
            e if e.raw_os_error() == Some(libc::EOPNOTSUPP) => file.set_len(SIZE as u64),
            e => Err(e),
        },
    }
}

#[cfg(not(target_os = "linux"))]
fn reserve(file: &File) -> io::Result<()> {
    file.set_len(SIZE as u64)
}

impl Drop for SharedCounter {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `open`, of `SIZE` bytes; no reference to it outlives
        // `self`.
        unsafe {
            libc::munmap(self.word.as_ptr().cast(), SIZE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_mappings_of_one_file_share_the_counter_and_it_survives_them() {
        let path = std::env::temp_dir().join(format!("aura-counter-{}", crate::server::crypto::random_id()));
        let a = SharedCounter::open(&path).unwrap();
        let b = SharedCounter::open(&path).unwrap();
        assert_eq!(a.load(), 0);
        a.bump();
        b.bump();
        assert_eq!((a.load(), b.load()), (2, 2));
        drop((a, b));
        // Written through to the file: a process that maps it later reads the same value.
        assert_eq!(SharedCounter::open(&path).unwrap().load(), 2);
        assert_eq!(std::fs::read(&path).unwrap(), 2u64.to_ne_bytes());
        std::fs::remove_file(&path).unwrap();
    }
}
