//! Target parsing never panics, and whatever it accepts is canonical and safe to use.
//!   cd server/engine/fuzz && cargo +nightly fuzz run target_parse
#![no_main]

use aura_engine::target::{
    parse_repo_target, parse_x_handle, valid_github_owner, valid_github_repo, RepoTarget,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let _ = parse_x_handle(&s);
    let Ok(t) = parse_repo_target(&s) else { return };
    let n = t.normalized();
    match &t {
        RepoTarget::GitHub { owner, repo } => {
            assert!(valid_github_owner(owner) && valid_github_repo(repo));
            // The normalised form parses back to the same repository.
            let again = parse_repo_target(&n).expect("normalised GitHub target re-parses");
            assert_eq!(again.normalized(), n);
        }
        RepoTarget::Git { url } => {
            assert_eq!(url.scheme(), "https");
            assert!(url.username().is_empty() && url.password().is_none());
            assert!(url.query().is_none() && url.fragment().is_none());
            assert!(matches!(url.host(), Some(url::Host::Domain(_))));
            assert!(!url.path().split('/').any(|s| s == ".."));
            assert!(n.starts_with("https://"));
        }
    }
});
