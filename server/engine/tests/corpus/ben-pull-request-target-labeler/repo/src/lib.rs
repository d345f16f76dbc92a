/// Split a semantic version into its numeric parts.
pub fn parse(v: &str) -> Option<(u64, u64, u64)> {
    let mut it = v.trim_start_matches('v').splitn(3, '.');
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}
