//! Administration on both databases, through the real server: the `server admin create`
//! binary, the start-up bootstrap, `/v1/admin/*` (role checks, onboarding, tier and status
//! changes, the audit log), invitations and `/v1/embed/settings`.

use crate::common;

use crate::common::{error_code, Db, TestApp};
use app::server::{
    accounts,
    accounts::admin::{self, Bootstrap},
    audit::Origin,
    config::Config,
};
use base64::Engine as _;
use serde_json::{json, Value};

const ADMIN_EMAIL: &str = "admin@aura.example";
const ADMIN_PASSWORD: &str = "correct horse battery";

fn is_internal_key(s: &str) -> bool {
    s.strip_prefix("aura_pk_internal_")
        .is_some_and(|r| r.len() == 32 && r.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

/// An admin and its `internal` key, made through the service (the CLI test covers the binary).
async fn admin_key(app: &TestApp) -> String {
    let done = admin::create_or_reset_admin(
        &app.db,
        &app.config,
        &app.keys,
        ADMIN_EMAIL,
        ADMIN_PASSWORD,
        "test",
        &Origin::default(),
    )
    .await
    .unwrap();
    done.key.secret
}

async fn register(app: &TestApp, email: &str) -> Value {
    let res = app
        .client
        .post(app.url("/v1/auth/register"))
        .json(&json!({"email": email, "password": "hunter2hunter2", "name": "Self Service"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

async fn onboard(app: &TestApp, admin: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url("/v1/admin/partners"))
        .bearer_auth(admin)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn onboard_ok(app: &TestApp, admin: &str, email: &str, tier: &str) -> Value {
    let res = onboard(
        app,
        admin,
        json!({"name": "Acme Terminal", "email": email, "tier": tier}),
    )
    .await;
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

async fn get(app: &TestApp, path: &str, key: &str) -> reqwest::Response {
    app.client.get(app.url(path)).bearer_auth(key).send().await.unwrap()
}

async fn patch(app: &TestApp, admin: &str, id: &str, body: Value) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/v1/admin/partners/{id}")))
        .bearer_auth(admin)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn audit(app: &TestApp, admin: &str, query: &str) -> Vec<Value> {
    let res = get(app, &format!("/v1/admin/audit{query}"), admin).await;
    assert_eq!(res.status(), 200);
    res.json::<Vec<Value>>().await.unwrap()
}

/// Runs the real binary against the test database.
async fn cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"));
    for (k, _) in std::env::vars() {
        if k.starts_with("AURA_") || k.starts_with("LEPTOS_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(args)
        .current_dir(dir.path())
        .env("AURA_DATABASE_URL", &app.config.database_url)
        .env("AURA_SECRET_KEY", common::SECRET_KEY)
        .env("AURA_DATA_DIR", dir.path())
        .output()
        .await
        .unwrap()
}

fn last_line(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

async fn admin_cli_creates_resets_and_promotes(app: TestApp) {
    let out = cli(
        &app,
        &[
            "admin",
            "create",
            "--email",
            "Root@Aura.Example",
            "--password",
            "first password",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 1, "stdout carries only the key: {stdout:?}");
    let key1 = last_line(&out);
    assert!(is_internal_key(&key1), "{key1}");
    let res = get(&app, "/v1/admin/partners", &key1).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers().get("x-ratelimit-limit").is_none(),
        "internal keys are unlimited"
    );
    let account = accounts::check_password(&app.db, "root@aura.example", "first password")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((account.role.as_str(), account.tier.as_str()), ("admin", "internal"));

    // Again: the password is reset and a new key printed; the first key keeps working.
    let out = cli(
        &app,
        &[
            "admin",
            "create",
            "--email=root@aura.example",
            "--password=second password",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key2 = last_line(&out);
    assert!(is_internal_key(&key2) && key2 != key1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("password reset"));
    assert!(accounts::check_password(&app.db, "root@aura.example", "first password")
        .await
        .unwrap()
        .is_none());
    assert!(
        accounts::check_password(&app.db, "root@aura.example", "second password")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(get(&app, "/v1/admin/partners", &key2).await.status(), 200);
    assert_eq!(get(&app, "/v1/admin/partners", &key1).await.status(), 200);

    // A partner's email: promoted, and the keys it had before stop working.
    let partner = register(&app, "owner@acme.example").await;
    let old_key = partner["api_key"].as_str().unwrap();
    assert_eq!(get(&app, "/v1/admin/partners", old_key).await.status(), 403);
    let out = cli(
        &app,
        &[
            "admin",
            "create",
            "--email",
            "owner@acme.example",
            "--password",
            "owner password",
        ],
    )
    .await;
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("promoted"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key3 = last_line(&out);
    assert!(is_internal_key(&key3));
    assert_eq!(get(&app, "/v1/auth/keys", old_key).await.status(), 401);
    assert_eq!(get(&app, "/v1/admin/partners", &key3).await.status(), 200);

    // Bad input: a clear message and a non-zero exit, nothing on stdout.
    for (args, needle) in [
        (
            vec!["admin", "create", "--email", "x@aura.example", "--password", "short"],
            "at least 8",
        ),
        (
            vec![
                "admin",
                "create",
                "--email",
                "not-an-email",
                "--password",
                "long enough",
            ],
            "valid email",
        ),
        (vec!["admin", "create", "--email", "x@aura.example"], "--password"),
        (vec!["admin", "create", "--password", "long enough"], "--email"),
        (
            vec![
                "admin",
                "create",
                "--email",
                "x@aura.example",
                "--password",
                "long enough",
                "--bogus",
            ],
            "--bogus",
        ),
    ] {
        let out = cli(&app, &args).await;
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    let long = "x".repeat(129);
    let out = cli(
        &app,
        &["admin", "create", "--email", "x@aura.example", "--password", &long],
    )
    .await;
    assert!(!out.status.success());

    let entries = audit(&app, &key3, "?actor=cli").await;
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["admin.promote", "admin.password_reset", "admin.create"]);
}

/// Start-up bootstrap from the environment, on both databases.
async fn bootstrap_from_environment(kind: Db) {
    let env = [
        ("AURA_ADMIN_EMAIL", "boot@aura.example"),
        ("AURA_ADMIN_PASSWORD", "bootstrap password"),
    ];
    let Some(app) = common::spawn_with(kind, &env).await else {
        return;
    };
    let admin = accounts::check_password(&app.db, "boot@aura.example", "bootstrap password")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (admin.role.as_str(), admin.tier.as_str(), admin.status.as_str()),
        ("admin", "internal", "active")
    );
    // Its unseen first key is not left usable.
    let keys = app::server::accounts::keys::list(&app.db, &admin.id).await.unwrap();
    assert!(keys.iter().all(|k| k.revoked_at.is_some()));

    // A restart with another password changes nothing.
    let lookup = |extra: &'static [(&'static str, &'static str)]| {
        let db_url = app.config.database_url.clone();
        move |k: &str| match k {
            "AURA_DATABASE_URL" => Some(db_url.clone()),
            "AURA_SECRET_KEY" => Some(common::SECRET_KEY.to_string()),
            _ => extra.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()),
        }
    };
    let again = Config::from_lookup(lookup(&[
        ("AURA_ADMIN_EMAIL", "boot@aura.example"),
        ("AURA_ADMIN_PASSWORD", "other password"),
    ]))
    .unwrap();
    assert_eq!(admin::bootstrap(&app.db, &again).await.unwrap(), Bootstrap::AdminExists);
    assert!(
        accounts::check_password(&app.db, "boot@aura.example", "bootstrap password")
            .await
            .unwrap()
            .is_some()
    );
    let none = Config::from_lookup(lookup(&[("AURA_ADMIN_EMAIL", "boot@aura.example")])).unwrap();
    assert_eq!(
        admin::bootstrap(&app.db, &none).await.unwrap(),
        Bootstrap::NotConfigured
    );
    let bad = Config::from_lookup(lookup(&[
        ("AURA_ADMIN_EMAIL", "x@aura.example"),
        ("AURA_ADMIN_PASSWORD", "short"),
    ]))
    .unwrap();
    assert!(admin::bootstrap(&app.db, &bad)
        .await
        .unwrap_err()
        .to_string()
        .contains("AURA_ADMIN_PASSWORD"));
    app.stop().await;

    // Two instances starting at once on an empty database: exactly one admin.
    let Some(fresh) = common::spawn(kind).await else { return };
    let cfg = |email: &'static str| {
        let db_url = fresh.config.database_url.clone();
        Config::from_lookup(move |k| match k {
            "AURA_DATABASE_URL" => Some(db_url.clone()),
            "AURA_SECRET_KEY" => Some(common::SECRET_KEY.to_string()),
            "AURA_ADMIN_EMAIL" => Some(email.to_string()),
            "AURA_ADMIN_PASSWORD" => Some("bootstrap password".to_string()),
            _ => None,
        })
        .unwrap()
    };
    let (a, b) = (cfg("race@aura.example"), cfg("race@aura.example"));
    let (ra, rb) = tokio::join!(admin::bootstrap(&fresh.db, &a), admin::bootstrap(&fresh.db, &b));
    let mut outcomes = [ra.unwrap(), rb.unwrap()];
    outcomes.sort_by_key(|o| format!("{o:?}"));
    assert_eq!(
        outcomes,
        [Bootstrap::AdminExists, Bootstrap::Created("race@aura.example".into())]
    );
    let admins = admin::list_partners(
        &fresh.db,
        admin::PartnerQuery {
            role: admin::RoleFilter::Admins,
            search: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(admins.len(), 1);

    // A partner's email is never promoted from the environment.
    let Some(third) = common::spawn(kind).await else { return };
    register(&third, "taken@acme.example").await;
    let taken = {
        let db_url = third.config.database_url.clone();
        Config::from_lookup(move |k| match k {
            "AURA_DATABASE_URL" => Some(db_url.clone()),
            "AURA_SECRET_KEY" => Some(common::SECRET_KEY.to_string()),
            "AURA_ADMIN_EMAIL" => Some("taken@acme.example".to_string()),
            "AURA_ADMIN_PASSWORD" => Some("bootstrap password".to_string()),
            _ => None,
        })
        .unwrap()
    };
    assert_eq!(
        admin::bootstrap(&third.db, &taken).await.unwrap(),
        Bootstrap::EmailIsPartner("taken@acme.example".into())
    );
    let acc = accounts::check_password(&third.db, "taken@acme.example", "hunter2hunter2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(acc.role, "partner");
}

mod bootstrap_from_environment {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::bootstrap_from_environment(super::Db::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::bootstrap_from_environment(super::Db::Postgres).await;
    }
}

async fn admin_routes_refuse_partners(app: TestApp) {
    let partner = register(&app, "partner@acme.example").await;
    let key = partner["api_key"].as_str().unwrap();
    let id = partner["account_id"].as_str().unwrap();
    let c = &app.client;
    let attempts = [
        c.get(app.url("/v1/admin/partners")),
        c.post(app.url("/v1/admin/partners"))
            .json(&json!({"name": "X", "email": "x@y.example", "tier": "pro"})),
        c.patch(app.url(&format!("/v1/admin/partners/{id}")))
            .json(&json!({"tier": "partner"})),
        c.get(app.url("/v1/admin/audit")),
    ];
    for req in attempts {
        let no_key = req.try_clone().unwrap().send().await.unwrap();
        assert_eq!(no_key.status(), 401);
        assert_eq!(no_key.headers()["www-authenticate"], "Bearer");
        let bad_key = req
            .try_clone()
            .unwrap()
            .bearer_auth("aura_pk_free_00000000000000000000000000000000")
            .send()
            .await
            .unwrap();
        assert_eq!(bad_key.status(), 401);
        let res = req.bearer_auth(key).send().await.unwrap();
        assert_eq!(res.status(), 403);
        assert_eq!(error_code(res).await, "forbidden");
    }
    // Nothing changed, and every attempt is on record.
    assert_eq!(accounts::get(&app.db, id).await.unwrap().tier, "free");
    let admin = admin_key(&app).await;
    let denied = audit(&app, &admin, "?action=admin.denied").await;
    assert_eq!(denied.len(), 4);
    assert!(denied.iter().all(|e| e["actor"] == "partner@acme.example"));
    assert!(denied
        .iter()
        .any(|e| e["target"] == "PATCH /v1/admin/partners/".to_string() + id));
    assert!(denied[0]["ip"].as_str().is_some_and(|ip| ip == "127.0.0.1"));
}

async fn onboarding_returns_working_credentials(app: TestApp) {
    let admin = admin_key(&app).await;
    let res = onboard(
        &app,
        &admin,
        json!({"name": "Acme Terminal", "email": "Ops@Acme.Example", "tier": "pro",
               "allowed_domains": ["https://Terminal.Acme.Example/", "http://localhost:5173"]}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    let key = body["api_key"].as_str().unwrap();
    assert!(
        key.starts_with("aura_pk_pro_") && key.len() == "aura_pk_pro_".len() + 32,
        "{key}"
    );
    let secret = body["webhook_secret"].as_str().unwrap();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    assert_eq!(raw.len(), 32);
    assert!(body["partner_slug"].as_str().unwrap().starts_with("acme-terminal-"));
    let invite = body["invite_url"].as_str().unwrap();
    assert!(
        invite.starts_with(&format!("{}/invite/", app.config.public_url)),
        "{invite}"
    );
    let account_id = body["account_id"].as_str().unwrap();

    // The key works at once, with the pro tier's limits; the domains were normalised.
    let res = get(&app, "/v1/auth/keys", key).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-ratelimit-limit"], "30");
    let settings: Value = get(&app, "/v1/embed/settings", key).await.json().await.unwrap();
    assert_eq!(
        settings,
        json!({"allowed_domains": ["https://terminal.acme.example", "http://localhost:5173"], "theme": "dark"})
    );
    // No password until the invitation is accepted.
    let account = accounts::get(&app.db, account_id).await.unwrap();
    assert!(account.password_hash.is_none() && account.invite_token_hash.is_some());
    assert_eq!(account.email, "ops@acme.example");

    // Conflicts and validation.
    let res = onboard(
        &app,
        &admin,
        json!({"name": "Again", "email": "ops@acme.example", "tier": "free"}),
    )
    .await;
    assert_eq!(res.status(), 409);
    assert_eq!(error_code(res).await, "email_taken");
    for bad in [
        json!({"name": "X", "email": "not-an-email", "tier": "free"}),
        json!({"name": "X", "email": "x@acme.example", "tier": "gold"}),
        json!({"name": "", "email": "x@acme.example", "tier": "free"}),
        json!({"name": "X", "email": "x@acme.example", "tier": "free", "allowed_domains": ["http://evil.com"]}),
    ] {
        let res = onboard(&app, &admin, bad.clone()).await;
        assert_eq!(res.status(), 422, "{bad}");
        let msg = res.json::<Value>().await.unwrap();
        assert_eq!(msg["error"]["code"], "validation_failed", "{bad}");
        if bad.get("allowed_domains").is_some() {
            assert!(
                msg["error"]["message"].as_str().unwrap().contains("http://evil.com"),
                "{msg}"
            );
        }
    }
    assert!(accounts::check_password(&app.db, "x@acme.example", "whatever")
        .await
        .unwrap()
        .is_none());

    // The list: newest first, partners only by default.
    let second = onboard_ok(&app, &admin, "second@acme.example", "free").await;
    let list: Vec<Value> = get(&app, "/v1/admin/partners", &admin).await.json().await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["account_id"], second["account_id"]);
    assert_eq!(list[1]["account_id"], account_id);
    let p = &list[1];
    for field in [
        "account_id",
        "name",
        "email",
        "tier",
        "status",
        "partner_slug",
        "created_at",
    ] {
        assert!(p.get(field).is_some(), "{field} missing: {p}");
    }
    assert_eq!(
        (p["tier"].as_str(), p["status"].as_str(), p["email"].as_str()),
        (Some("pro"), Some("active"), Some("ops@acme.example"))
    );
    let found: Vec<Value> = get(&app, "/v1/admin/partners?q=SECOND", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    let admins: Vec<Value> = get(&app, "/v1/admin/partners?role=admin", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(admins.len(), 1);
    assert_eq!(admins[0]["email"], ADMIN_EMAIL);
    assert_eq!(get(&app, "/v1/admin/partners?role=boss", &admin).await.status(), 422);

    let created = audit(&app, &admin, "?action=partner.create").await;
    assert_eq!(created.len(), 2);
    assert_eq!(created[1]["target"], account_id);
    assert_eq!(created[1]["actor"], ADMIN_EMAIL);
    assert_eq!(created[1]["details"]["tier"], "pro");
}

/// Onboarding reads then writes in one transaction; on SQLite that must not fail when other
/// writers commit in between (it waits for the write lock instead).
async fn parallel_onboarding_all_succeed(app: TestApp) {
    let admin = admin_key(&app).await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let (client, url, admin) = (app.client.clone(), app.url("/v1/admin/partners"), admin.clone());
        tasks.push(tokio::spawn(async move {
            let body = json!({"name": format!("P{i}"), "email": format!("p{i}@parallel.example"), "tier": "free"});
            client
                .post(url)
                .bearer_auth(admin)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    let list: Vec<Value> = get(&app, "/v1/admin/partners", &admin).await.json().await.unwrap();
    assert_eq!(list.len(), 12);
}

async fn tier_changes_apply_on_the_next_request(app: TestApp) {
    let admin = admin_key(&app).await;
    let p = onboard_ok(&app, &admin, "limits@acme.example", "free").await;
    let key = p["api_key"].as_str().unwrap();
    let id = p["account_id"].as_str().unwrap();
    for _ in 0..5 {
        let res = get(&app, "/v1/auth/keys", key).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["x-ratelimit-limit"], "5");
    }
    assert_eq!(get(&app, "/v1/auth/keys", key).await.status(), 429);

    let res = patch(&app, &admin, id, json!({"tier": "pro"})).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (body["tier"].as_str(), body["status"].as_str()),
        (Some("pro"), Some("active"))
    );
    assert_eq!(body["account_id"], id);

    let res = get(&app, "/v1/auth/keys", key).await;
    assert_eq!(res.status(), 200, "the upgrade applies to the very next request");
    assert_eq!(res.headers()["x-ratelimit-limit"], "30");
    assert!(res.headers()["ratelimit-policy"]
        .to_str()
        .unwrap()
        .contains("\"minute\";q=30;w=60"));

    let entries = audit(&app, &admin, &format!("?action=partner.update&target={id}")).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0]["details"]["before"],
        json!({"tier": "free", "status": "active"})
    );
    assert_eq!(
        entries[0]["details"]["after"],
        json!({"tier": "pro", "status": "active"})
    );

    // An empty change is fine and records nothing; bad values are 422; unknown ids 404.
    assert_eq!(patch(&app, &admin, id, json!({})).await.status(), 200);
    assert_eq!(audit(&app, &admin, "?action=partner.update").await.len(), 1);
    let res = patch(&app, &admin, id, json!({"tier": "platinum"})).await;
    assert_eq!(res.status(), 422);
    assert_eq!(error_code(res).await, "validation_failed");
    assert_eq!(
        patch(&app, &admin, "0123456789abcdef0123456789abcdef", json!({"tier": "pro"}))
            .await
            .status(),
        404
    );
}

async fn suspension_blocks_keys_until_reactivated(app: TestApp) {
    let admin = admin_key(&app).await;
    let p = onboard_ok(&app, &admin, "suspend@acme.example", "partner").await;
    let key = p["api_key"].as_str().unwrap();
    let id = p["account_id"].as_str().unwrap();
    assert_eq!(get(&app, "/v1/auth/keys", key).await.status(), 200);

    let res = patch(&app, &admin, id, json!({"status": "suspended"})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "suspended");
    let res = get(&app, "/v1/auth/keys", key).await;
    assert_eq!(res.status(), 403);
    assert_eq!(error_code(res).await, "forbidden");

    assert_eq!(patch(&app, &admin, id, json!({"status": "active"})).await.status(), 200);
    assert_eq!(get(&app, "/v1/auth/keys", key).await.status(), 200);

    let res = patch(&app, &admin, id, json!({"status": "banned"})).await;
    assert_eq!(res.status(), 422);

    // An admin cannot lock themselves out.
    let me = accounts::check_password(&app.db, ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .unwrap()
        .unwrap();
    let res = patch(&app, &admin, &me.id, json!({"status": "suspended"})).await;
    assert_eq!(res.status(), 422);
    assert!(error_code(res).await == "validation_failed");
    assert_eq!(get(&app, "/v1/admin/partners", &admin).await.status(), 200);

    let changes = audit(&app, &admin, &format!("?target={id}&action=partner.update")).await;
    let statuses: Vec<&str> = changes
        .iter()
        .map(|e| e["details"]["after"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["active", "suspended"]);
}

async fn audit_log_filters(app: TestApp) {
    let admin = admin_key(&app).await;
    for i in 0..3 {
        onboard_ok(&app, &admin, &format!("p{i}@acme.example"), "free").await;
    }
    register(&app, "self@acme.example").await;

    let all = audit(&app, &admin, "").await;
    assert!(all.len() >= 5, "{all:?}");
    let ids: Vec<i64> = all.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    for field in ["id", "actor", "action", "target", "ip", "user_agent", "created_at"] {
        assert!(all[0].get(field).is_some(), "{field} missing: {}", all[0]);
    }
    assert_eq!(all[0]["action"], "account.register");

    let by_admin = audit(&app, &admin, &format!("?actor={ADMIN_EMAIL}")).await;
    assert_eq!(by_admin.len(), 3);
    assert!(by_admin.iter().all(|e| e["action"] == "partner.create"));
    let creates = audit(&app, &admin, "?action=partner.create&limit=2").await;
    assert_eq!(creates.len(), 2);
    assert_eq!(creates[0]["details"]["email"], "p2@acme.example");
    assert_eq!(audit(&app, &admin, "?limit=1").await.len(), 1);
    assert!(audit(&app, &admin, "?actor=nobody@acme.example").await.is_empty());
    for bad in ["?limit=0", "?limit=1001", "?limit=ten"] {
        let res = get(&app, &format!("/v1/admin/audit{bad}"), &admin).await;
        assert_eq!(res.status(), 422, "{bad}");
        assert_eq!(error_code(res).await, "validation_failed");
    }
}

async fn invitation_sets_the_password_once(app: TestApp) {
    let admin = admin_key(&app).await;
    let p = onboard_ok(&app, &admin, "invited@acme.example", "pro").await;
    let invite_url = p["invite_url"].as_str().unwrap().to_string();
    let token = invite_url.rsplit('/').next().unwrap().to_string();
    let page = app.url(&format!("/invite/{token}"));

    let res = app.client.get(&page).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("form-action 'self'"));
    let html = res.text().await.unwrap();
    assert!(
        html.contains("invited@acme.example") && html.contains("Set password"),
        "{html}"
    );
    assert!(html.contains("action=\"/api/accept_invite\""), "{html}");

    let submit = |password: &str, confirm: &str| {
        app.client
            .post(app.url("/api/accept_invite"))
            .header("origin", app.base.as_str())
            .header("accept", "text/html")
            .header("referer", &page)
            .form(&[("token", token.as_str()), ("password", password), ("confirm", confirm)])
            .send()
    };
    // Mistakes leave the invitation usable and send the browser back with the error.
    for (pw, confirm) in [("short", "short"), ("long enough 1", "long enough 2")] {
        let res = submit(pw, confirm).await.unwrap();
        assert_eq!(res.status(), 302);
        let location = res.headers()["location"].to_str().unwrap();
        assert!(
            location.contains("/invite/") && location.contains("__err="),
            "{location}"
        );
    }
    assert!(accounts::get(&app.db, p["account_id"].as_str().unwrap())
        .await
        .unwrap()
        .password_hash
        .is_none());

    let res = submit("partner password", "partner password").await.unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/login");
    assert!(
        accounts::check_password(&app.db, "invited@acme.example", "partner password")
            .await
            .unwrap()
            .is_some()
    );

    // Single use: the link is gone, and a second submission changes nothing.
    let res = app.client.get(&page).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("not valid"));
    let res = submit("hijack password", "hijack password").await.unwrap();
    assert_ne!(
        res.headers().get("location").map(|l| l.to_str().unwrap()),
        Some("/login")
    );
    assert!(
        accounts::check_password(&app.db, "invited@acme.example", "hijack password")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        accounts::check_password(&app.db, "invited@acme.example", "partner password")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(audit(&app, &admin, "?action=invite.accept").await.len(), 1);

    // Expired and malformed links.
    let p2 = onboard_ok(&app, &admin, "late@acme.example", "free").await;
    let token2 = p2["invite_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let mut am: app::server::entities::account::ActiveModel =
        accounts::get(&app.db, p2["account_id"].as_str().unwrap())
            .await
            .unwrap()
            .into();
    am.invite_expires_at = sea_orm::Set(Some(chrono::Utc::now() - chrono::Duration::hours(1)));
    sea_orm::ActiveModelTrait::update(am, &app.db).await.unwrap();
    let res = app
        .client
        .get(app.url(&format!("/invite/{token2}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 410);
    assert!(res.text().await.unwrap().contains("expired"));
    let res = app
        .client
        .post(app.url("/api/accept_invite"))
        .header("origin", app.base.as_str())
        .form(&[
            ("token", token2.as_str()),
            ("password", "late password"),
            ("confirm", "late password"),
        ])
        .send()
        .await
        .unwrap();
    assert!(!res.status().is_success());
    assert!(accounts::check_password(&app.db, "late@acme.example", "late password")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        app.client
            .get(app.url("/invite/not-a-token"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

async fn embed_settings_validate_and_isolate(app: TestApp) {
    // Partner tier: this test makes more calls than the free tier's 5 a minute.
    let admin = admin_key(&app).await;
    let a = onboard_ok(&app, &admin, "a@embed.example", "partner").await;
    let b = onboard_ok(&app, &admin, "b@embed.example", "partner").await;
    let (ka, kb) = (a["api_key"].as_str().unwrap(), b["api_key"].as_str().unwrap());
    let put = |key: &str, body: Value| {
        app.client
            .put(app.url("/v1/embed/settings"))
            .bearer_auth(key)
            .json(&body)
            .send()
    };

    let res = get(&app, "/v1/embed/settings", ka).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"allowed_domains": [], "theme": "dark"})
    );
    assert_eq!(
        app.client
            .get(app.url("/v1/embed/settings"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    let res = put(ka, json!({"allowed_domains": ["https://Terminal.Example/", "http://localhost:5173", "https://terminal.example"], "theme": "light"}))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let want = json!({"allowed_domains": ["https://terminal.example", "http://localhost:5173"], "theme": "light"});
    assert_eq!(res.json::<Value>().await.unwrap(), want);
    assert_eq!(
        get(&app, "/v1/embed/settings", ka).await.json::<Value>().await.unwrap(),
        want
    );

    for bad in [
        "http://evil.com",
        "https://a.example/path",
        "*.example",
        "https://*.example",
        "javascript:alert(1)",
        "https://a.example?x=1",
        "https://u:p@a.example",
    ] {
        let res = put(
            ka,
            json!({"allowed_domains": ["https://ok.example", bad], "theme": "dark"}),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), 422, "{bad}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "validation_failed");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(bad),
            "{bad}: {body}"
        );
    }
    let res = put(ka, json!({"allowed_domains": [], "theme": "blue"})).await.unwrap();
    assert_eq!(res.status(), 422);
    let many: Vec<String> = (0..21).map(|i| format!("https://d{i}.example")).collect();
    assert_eq!(put(ka, json!({"allowed_domains": many})).await.unwrap().status(), 422);
    // Refused changes stored nothing.
    assert_eq!(
        get(&app, "/v1/embed/settings", ka).await.json::<Value>().await.unwrap(),
        want
    );

    // Omitted fields keep their value.
    let res = put(ka, json!({"theme": "dark"})).await.unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap()["allowed_domains"],
        want["allowed_domains"]
    );

    // Tenant isolation: B sees and changes only its own settings.
    assert_eq!(
        get(&app, "/v1/embed/settings", kb).await.json::<Value>().await.unwrap(),
        json!({"allowed_domains": [], "theme": "dark"})
    );
    put(kb, json!({"allowed_domains": ["https://b.example"]}))
        .await
        .unwrap();
    assert_eq!(
        get(&app, "/v1/embed/settings", ka).await.json::<Value>().await.unwrap()["allowed_domains"],
        want["allowed_domains"]
    );

    let changes = audit(&app, &admin, "?action=embed_settings.update").await;
    assert_eq!(changes.len(), 3);
    assert_eq!(changes[0]["actor"], "b@embed.example");
    assert_eq!(changes[0]["target"], b["account_id"]);
}

async fn openapi_lists_admin_and_embed_routes(app: TestApp) {
    let spec: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = &spec["paths"];
    for (path, method) in [
        ("/v1/admin/partners", "get"),
        ("/v1/admin/partners", "post"),
        ("/v1/admin/partners/{account_id}", "patch"),
        ("/v1/admin/audit", "get"),
        ("/v1/embed/settings", "get"),
        ("/v1/embed/settings", "put"),
    ] {
        let op = &paths[path][method];
        assert!(op.is_object(), "{method} {path} missing");
        let tag = if path.starts_with("/v1/admin") {
            "admin"
        } else {
            "embeds"
        };
        assert_eq!(op["tags"][0], tag, "{method} {path}");
    }
}

/// The audit log names the client a trusted proxy saw (`AURA_TRUSTED_PROXIES`); without
/// one, or from a peer that is not one, `X-Forwarded-For` is ignored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_names_the_client_behind_a_trusted_proxy() {
    for (trusted, forwarded, want) in [
        ("127.0.0.1", &b"203.0.113.9"[..], "203.0.113.9"),
        ("127.0.0.1", b"6.6.6.6, 203.0.113.9", "203.0.113.9"),
        // A byte that is not UTF-8 on the client's part of the line does not hide the
        // address the proxy appended.
        ("127.0.0.1", b"\xff\xfe, 203.0.113.9", "203.0.113.9"),
        ("", b"203.0.113.9", "127.0.0.1"),
        ("10.0.0.0/8", b"203.0.113.9", "127.0.0.1"),
    ] {
        let forwarded = reqwest::header::HeaderValue::from_bytes(forwarded).unwrap();
        let app = common::spawn_with(Db::Sqlite, &[("AURA_TRUSTED_PROXIES", trusted)])
            .await
            .unwrap();
        let admin = admin_key(&app).await;
        let partner = register(&app, "proxy@acme.example").await;
        let key = partner["api_key"].as_str().unwrap();
        let res = app
            .client
            .post(app.url("/v1/auth/keys"))
            .bearer_auth(key)
            .header("x-forwarded-for", forwarded.clone())
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let entries = audit(&app, &admin, "?action=key.create").await;
        assert_eq!(entries[0]["ip"], want, "trusted {trusted:?}, forwarded {forwarded:?}");
        app.stop().await;
    }
}

async fn partner_slugs_are_chosen_once(app: TestApp) {
    let admin = admin_key(&app).await;
    let body =
        |email: &str, slug: &str| json!({"name": "Axiom", "email": email, "tier": "partner", "partner_slug": slug});
    let res = onboard(&app, &admin, body("axiom@trade.example", "axiom")).await;
    assert_eq!(res.status(), 201);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["partner_slug"], "axiom");
    // The widget knows the partner by it.
    let listed: Vec<Value> = get(&app, "/v1/admin/partners", &admin).await.json().await.unwrap();
    assert!(listed.iter().any(|l| l["partner_slug"] == "axiom"), "{listed:?}");

    let res = onboard(&app, &admin, body("copycat@trade.example", "axiom")).await;
    assert_eq!(res.status(), 409);
    assert_eq!(error_code(res).await, "slug_taken");
    for bad in ["ax", "Axiom", "axi om", "axiom_", &"a".repeat(33), "<script>"] {
        let res = onboard(&app, &admin, body("bad@trade.example", bad)).await;
        assert_eq!(res.status(), 422, "{bad}");
        assert_eq!(error_code(res).await, "validation_failed");
    }
    // Nothing was created by the refused attempts.
    let listed: Vec<Value> = get(&app, "/v1/admin/partners?q=trade.example", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    // Without a slug one is made from the name.
    let res = onboard(
        &app,
        &admin,
        json!({"name": "Orbit Desk", "email": "o@trade.example", "tier": "free"}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let p: Value = res.json().await.unwrap();
    assert!(p["partner_slug"].as_str().unwrap().starts_with("orbit-desk-"), "{p}");
}

async fn invitations_can_be_reissued(app: TestApp) {
    let admin = admin_key(&app).await;
    let p = onboard_ok(&app, &admin, "slow@acme.example", "pro").await;
    let id = p["account_id"].as_str().unwrap();
    let token_of = |url: &str| url.rsplit('/').next().unwrap().to_string();
    let first = token_of(p["invite_url"].as_str().unwrap());
    let reissue = |key: String, id: String| {
        let app = &app;
        async move {
            app.client
                .post(app.url(&format!("/v1/admin/partners/{id}/invite")))
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
        }
    };
    let res = reissue(admin.clone(), id.to_string()).await;
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.unwrap();
    let url = v["invite_url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/invite/", app.config.public_url)), "{url}");
    let second = token_of(url);
    // The earlier link stops working; the new one works.
    assert_eq!(
        app.client
            .get(app.url(&format!("/invite/{first}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        app.client
            .get(app.url(&format!("/invite/{second}")))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(audit(&app, &admin, "?action=partner.invite").await.len(), 1);

    // A partner's key may not; unknown accounts are 404; admins reset through the CLI.
    let res = reissue(p["api_key"].as_str().unwrap().to_string(), id.to_string()).await;
    assert_eq!(res.status(), 403);
    assert_eq!(reissue(admin.clone(), "no-such-account".into()).await.status(), 404);
    let admins: Vec<Value> = get(&app, "/v1/admin/partners?role=admin", &admin)
        .await
        .json()
        .await
        .unwrap();
    let admin_id = admins[0]["account_id"].as_str().unwrap().to_string();
    assert_eq!(reissue(admin.clone(), admin_id).await.status(), 422);
}

on_both_databases!(
    admin_cli_creates_resets_and_promotes,
    partner_slugs_are_chosen_once,
    invitations_can_be_reissued,
    admin_routes_refuse_partners,
    onboarding_returns_working_credentials,
    parallel_onboarding_all_succeed,
    tier_changes_apply_on_the_next_request,
    suspension_blocks_keys_until_reactivated,
    audit_log_filters,
    invitation_sets_the_password_once,
    embed_settings_validate_and_isolate,
    openapi_lists_admin_and_embed_routes,
);
