pub const ORT_API_VERSION: u32 = 18;

#[cfg(test)]
mod tests {
    #[test]
    fn version() {
        assert_eq!(super::ORT_API_VERSION, 18);
    }
}
