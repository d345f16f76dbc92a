extern "C" {
    fn fnv1a(p: *const u8, n: usize) -> u64;
}

pub fn hash(data: &[u8]) -> u64 {
    // SAFETY: the pointer and length come from a valid slice.
    unsafe { fnv1a(data.as_ptr(), data.len()) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn empty() {
        assert_eq!(super::hash(b""), 1469598103934665603);
    }
}
