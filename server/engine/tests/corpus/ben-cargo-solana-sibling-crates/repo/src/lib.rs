pub fn quote(x: u64, y: u64, dx: u64) -> u64 {
    let k = x as u128 * y as u128;
    (y as u128 - k / (x as u128 + dx as u128)) as u64
}

#[cfg(test)]
mod tests {
    #[test]
    fn quote() {
        assert_eq!(super::quote(100, 100, 100), 50);
    }
}
