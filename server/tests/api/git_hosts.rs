//! Repositories on any git host, through the real server: a bare repository served by
//! `git http-backend` (git's smart HTTP) on loopback is scanned when the server allows
//! private targets (self-hosting, `AURA_ALLOW_PRIVATE_TARGETS`), and refused as a target
//! otherwise.

// The engine's own test support: real fixture repositories and the smart-HTTP server.
#[path = "../../engine/tests/common/mod.rs"]
mod git_fixture;

use crate::common::{register, spawn_with, wait_finished, Db};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_hosted_git_server_is_scanned_only_when_private_targets_are_allowed() {
    let root = tempfile::tempdir().unwrap();
    let repo = git_fixture::Fixture::new();
    repo.write("README.md", "# Wallet\n\nA wallet SDK.\n")
        .write(
            "package.json",
            r#"{"name":"wallet","version":"1.0.0","scripts":{"test":"node test.js"}}"#,
        )
        .write("index.js", "module.exports = { balance: (a) => a.lamports / 1e9 };\n")
        .write(
            "test.js",
            "require('assert').equal(require('./index').balance({ lamports: 1e9 }), 1);\n",
        )
        .commit("Alice", 40, "initial commit")
        .commit("Bob", 3, "tests");
    repo.bare_into(root.path(), "wallet");
    let addr = git_fixture::serve_git(root.path().to_path_buf()).await;
    let url = format!("http://{addr}/wallet.git");

    // Self-hosting: the test harness allows private targets.
    let app = spawn_with(Db::Sqlite, &[]).await.unwrap();
    let (_, key) = register(&app, "selfhost@acme.example").await;
    let res = app
        .client
        .post(app.url("/v1/scan/repo"))
        .bearer_auth(&key)
        .json(&json!({ "url": url }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let id = res.json::<Value>().await.unwrap()["scan_id"]
        .as_str()
        .unwrap()
        .to_string();
    let done = wait_finished(&app, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["target"], format!("http://{addr}/wallet"), "{done}");
    assert!(done["result"]["score"].as_u64().is_some(), "{done}");
    app.stop().await;

    // A public deployment refuses the same address before queueing anything.
    let public = spawn_with(Db::Sqlite, &[("AURA_ALLOW_PRIVATE_TARGETS", "false")])
        .await
        .unwrap();
    let (_, key) = register(&public, "public@acme.example").await;
    for target in [url.clone(), format!("https://{addr}/wallet.git")] {
        let res = public
            .client
            .post(public.url("/v1/scan/repo"))
            .bearer_auth(&key)
            .json(&json!({ "url": target }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{target}");
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "invalid_target");
    }
    public.stop().await;
}
