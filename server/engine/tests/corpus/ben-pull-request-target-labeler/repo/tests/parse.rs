use semver_lite::parse;

#[test]
fn parses() {
    assert_eq!(parse("v1.2.3"), Some((1, 2, 3)));
}
