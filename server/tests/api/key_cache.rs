//! The verified-key cache (`app::server::accounts::key_cache`): every change that must bite
//! at once is refused on the very next request, although the key was served from memory
//! just before. Each body takes the instance the change is made through (`a`) and the one the
//! next request goes to (`b`): the same instance here (SQLite and PostgreSQL), two instances
//! on PostgreSQL + Redis in `scale_out.rs`. (PostgreSQL without Redis caches nothing, see
//! `key_epoch`: there the same bodies check the uncached path.)

use std::time::Duration;

use crate::common::{self, Db, TestApp};
use app::server::{
    accounts::{self, admin},
    audit::Origin,
    entities::api_key,
};
use chrono::Utc;
use sea_orm::EntityTrait;
use serde_json::{json, Value};

/// A partner account and its first key, made through the service (sign-ups through the API
/// are limited per address, and with Redis that budget outlives the test).
async fn partner(app: &TestApp, email: &str, tier: &str) -> (String, String) {
    let created = accounts::register(
        &app.db,
        &app.config,
        email,
        "hunter2hunter2",
        "Acme Terminal",
        &Origin::default(),
    )
    .await
    .unwrap();
    common::set_tier(app, &created.account.id, tier).await;
    (created.account.id, created.key.secret)
}

/// An admin's key (tier `internal`, every scope), for the admin API.
async fn admin_key(app: &TestApp) -> String {
    let email = format!("ops-{}@aura.example", common::random_hex(4));
    admin::create_or_reset_admin(
        &app.db,
        &app.config,
        &app.keys,
        &email,
        "correct horse battery",
        "test",
        &Origin::default(),
    )
    .await
    .unwrap()
    .key
    .secret
}

async fn send(app: &TestApp, method: reqwest::Method, path: &str, key: &str, body: Option<Value>) -> reqwest::Response {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

async fn get(app: &TestApp, path: &str, key: &str) -> reqwest::Response {
    send(app, reqwest::Method::GET, path, key, None).await
}

/// The answer's status and error code ("" for a success).
async fn outcome(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    (status, body["error"]["code"].as_str().unwrap_or_default().to_string())
}

/// Calls `path` on `b` with `key` until `b` serves the key from memory, so what follows tests
/// an invalidation and not a first lookup.
async fn cached_on(b: &TestApp, key: &str, path: &str) {
    if !b.keys.enabled() {
        let status = get(b, path, key).await.status().as_u16();
        assert!(status != 401 && status < 429, "{path}: {status}");
        return;
    }
    for _ in 0..5 {
        // Any answer but a refusal of the key (a public route's unknown scan is 404).
        let status = get(b, path, key).await.status().as_u16();
        assert!(status != 401 && status < 429, "{path}: {status}");
        if b.keys.holds(key) {
            return;
        }
    }
    panic!("the key was never cached");
}

/// The id of the (only or newest) key of the account that `key` belongs to.
async fn newest_key_id(app: &TestApp, key: &str) -> String {
    let keys: Vec<Value> = get(app, "/v1/auth/keys", key).await.json().await.unwrap();
    keys[0]["id"].as_str().unwrap().to_string()
}

/// The account's key list as `app` answers it.
async fn listed(app: &TestApp, key: &str) -> Vec<Value> {
    let res = get(app, "/v1/auth/keys", key).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Revoke, rotation without grace, suspension (and back), tier change, embed settings (an
/// account row the handlers read from the cached caller), a scope-refused key revoked, an
/// unlimited key revoked, and a partner promoted by the admin command (its keys revoked): each
/// made through `a` while `b` holds the key in memory, each seen by `b`'s next request.
pub async fn each_change_bites_on_the_next_request(a: &TestApp, b: &TestApp) {
    let admin = admin_key(a).await;
    let tag = common::random_hex(4);

    // Revoked.
    let (_, key) = partner(a, &format!("revoke-{tag}@acme.example"), "partner").await;
    let id = newest_key_id(a, &key).await;
    cached_on(b, &key, "/v1/auth/keys").await;
    let res = send(a, reqwest::Method::DELETE, &format!("/v1/auth/keys/{id}"), &key, None).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        outcome(get(b, "/v1/auth/keys", &key).await).await,
        (401, "unauthorized".into())
    );

    // Rotated without grace: the old key stops, the new one works.
    let (_, old) = partner(a, &format!("rotate-{tag}@acme.example"), "partner").await;
    let id = newest_key_id(a, &old).await;
    cached_on(b, &old, "/v1/auth/keys").await;
    let res = send(
        a,
        reqwest::Method::POST,
        &format!("/v1/auth/keys/{id}/rotate"),
        &old,
        Some(json!({})),
    )
    .await;
    assert_eq!(res.status(), 201);
    let new = res.json::<Value>().await.unwrap()["api_key"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(outcome(get(b, "/v1/auth/keys", &old).await).await.0, 401);
    assert_eq!(get(b, "/v1/auth/keys", &new).await.status(), 200);

    // Key lists are served from memory too: a key created or revoked through `a` is listed as
    // such by `b`'s next request, and a key's last use shows within a second of the meter
    // writing it.
    let (_, key) = partner(a, &format!("list-{tag}@acme.example"), "partner").await;
    assert_eq!(listed(b, &key).await.len(), 1);
    assert_eq!(listed(b, &key).await.len(), 1);
    assert!(
        b.keys.lists_held() > 0 || !b.keys.enabled(),
        "the list was kept in memory"
    );
    let res = send(
        a,
        reqwest::Method::POST,
        "/v1/auth/keys",
        &key,
        Some(json!({"name": "second"})),
    )
    .await;
    assert_eq!(res.status(), 201);
    let second = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let now = listed(b, &key).await;
    assert_eq!((now.len(), now[0]["id"].as_str()), (2, Some(second.as_str())));
    assert!(now[0]["revoked_at"].is_null());
    let res = send(
        a,
        reqwest::Method::DELETE,
        &format!("/v1/auth/keys/{second}"),
        &key,
        None,
    )
    .await;
    assert_eq!(res.status(), 204);
    assert!(!listed(b, &key).await[0]["revoked_at"].is_null());
    b.state.meter.flush().await;
    tokio::time::sleep(app::server::accounts::key_cache::LIST_MAX_AGE).await;
    assert!(!listed(b, &key).await[1]["last_used_at"].is_null());

    // Suspended: 403 from the next request; reactivated: back at once.
    let (account, key) = partner(a, &format!("suspend-{tag}@acme.example"), "partner").await;
    cached_on(b, &key, "/v1/auth/usage").await;
    let path = format!("/v1/admin/partners/{account}");
    let patch = |status: &'static str| {
        send(
            a,
            reqwest::Method::PATCH,
            &path,
            &admin,
            Some(json!({ "status": status })),
        )
    };
    assert_eq!(patch("suspended").await.status(), 200);
    assert_eq!(
        outcome(get(b, "/v1/auth/usage", &key).await).await,
        (403, "forbidden".into())
    );
    assert_eq!(patch("active").await.status(), 200);
    assert_eq!(get(b, "/v1/auth/usage", &key).await.status(), 200);

    // Tier change: the limits follow from the next request (pro 30 a minute, partner 100).
    let (account, key) = partner(a, &format!("tier-{tag}@acme.example"), "pro").await;
    cached_on(b, &key, "/v1/auth/usage").await;
    let res = get(b, "/v1/auth/usage", &key).await;
    assert_eq!(res.headers()["x-ratelimit-limit"], "30");
    let res = send(
        a,
        reqwest::Method::PATCH,
        &format!("/v1/admin/partners/{account}"),
        &admin,
        Some(json!({ "tier": "partner" })),
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = get(b, "/v1/auth/usage", &key).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-ratelimit-limit"], "100");
    assert_eq!(res.json::<Value>().await.unwrap()["tier"], "partner");

    // Embed settings: an account row the handler reads from the cached caller.
    let (_, key) = partner(a, &format!("embed-{tag}@acme.example"), "partner").await;
    cached_on(b, &key, "/v1/embed/settings").await;
    let res = send(
        a,
        reqwest::Method::PUT,
        "/v1/embed/settings",
        &key,
        Some(json!({"allowed_domains": ["https://terminal.example"]})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let now: Value = get(b, "/v1/embed/settings", &key).await.json().await.unwrap();
    assert_eq!(now["allowed_domains"], json!(["https://terminal.example"]));

    // A key refused for its scope is cached too; once revoked it is 401, not 403.
    let (_, main) = partner(a, &format!("scoped-{tag}@acme.example"), "partner").await;
    let res = send(
        a,
        reqwest::Method::POST,
        "/v1/auth/keys",
        &main,
        Some(json!({"scopes": ["usage"]})),
    )
    .await;
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.unwrap();
    let (scoped, scoped_id) = (
        v["api_key"].as_str().unwrap().to_string(),
        v["id"].as_str().unwrap().to_string(),
    );
    cached_on(b, &scoped, "/v1/auth/keys").await;
    assert_eq!(
        outcome(get(b, "/v1/auth/keys", &scoped).await).await,
        (403, "insufficient_scope".into())
    );
    let res = send(
        a,
        reqwest::Method::DELETE,
        &format!("/v1/auth/keys/{scoped_id}"),
        &main,
        None,
    )
    .await;
    assert_eq!(res.status(), 204);
    assert_eq!(outcome(get(b, "/v1/auth/keys", &scoped).await).await.0, 401);

    // An unlimited key (no rate-limit rules to decide) still sees the change.
    let (_, key) = partner(a, &format!("internal-{tag}@acme.example"), "internal").await;
    let id = newest_key_id(a, &key).await;
    cached_on(b, &key, "/v1/auth/keys").await;
    let res = send(a, reqwest::Method::DELETE, &format!("/v1/auth/keys/{id}"), &key, None).await;
    assert_eq!(res.status(), 204);
    assert_eq!(outcome(get(b, "/v1/auth/keys", &key).await).await.0, 401);

    // A key sent to a public route (optional key) is checked the same way.
    let (_, key) = partner(a, &format!("public-{tag}@acme.example"), "partner").await;
    let id = newest_key_id(a, &key).await;
    cached_on(b, &key, "/v1/scan/00000000000000000000000000000000").await;
    let res = send(a, reqwest::Method::DELETE, &format!("/v1/auth/keys/{id}"), &key, None).await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        outcome(get(b, "/v1/scan/00000000000000000000000000000000", &key).await)
            .await
            .0,
        401
    );

    // The admin command promotes a partner: its earlier keys are revoked.
    let email = format!("promoted-{tag}@acme.example");
    let (_, key) = partner(a, &email, "partner").await;
    cached_on(b, &key, "/v1/auth/keys").await;
    let done = admin::create_or_reset_admin(
        &a.db,
        &a.config,
        &a.keys,
        &email,
        "correct horse battery",
        "test",
        &Origin::default(),
    )
    .await
    .unwrap();
    assert_eq!(done.outcome, admin::AdminOutcome::Promoted);
    assert_eq!(outcome(get(b, "/v1/auth/keys", &key).await).await.0, 401);
}

/// A rotated key's grace period ends to the second on `b`, which serves the old key from
/// memory meanwhile: every 200 was sent before the stored expiry, every 401 answered after it.
pub async fn a_rotated_keys_grace_ends_to_the_second(a: &TestApp, b: &TestApp) {
    // Internal tier: polling every 20 ms stays clear of any per-minute limit.
    let (_, old) = partner(a, &format!("grace-{}@acme.example", common::random_hex(4)), "internal").await;
    let id = newest_key_id(a, &old).await;
    cached_on(b, &old, "/v1/auth/keys").await;
    let res = send(
        a,
        reqwest::Method::POST,
        &format!("/v1/auth/keys/{id}/rotate"),
        &old,
        Some(json!({"expire_old_in_secs": 2})),
    )
    .await;
    assert_eq!(res.status(), 201);
    let new = res.json::<Value>().await.unwrap()["api_key"]
        .as_str()
        .unwrap()
        .to_string();
    let expires_at = api_key::Entity::find_by_id(&id)
        .one(&a.db)
        .await
        .unwrap()
        .unwrap()
        .expires_at
        .expect("the old key expires");
    // Polling starts 600 ms before the expiry, so the key list `b` keeps in memory from its
    // first call is still within its second when the expiry comes.
    let until = (expires_at - chrono::Duration::milliseconds(600) - Utc::now()).to_std();
    tokio::time::sleep(until.unwrap_or_default()).await;

    let (mut served, mut from_memory) = (0, 0);
    loop {
        let sent = Utc::now();
        let status = get(b, "/v1/auth/keys", &old).await.status().as_u16();
        let answered = Utc::now();
        match status {
            200 => {
                assert!(sent < expires_at, "served at {sent}, after the expiry {expires_at}");
                served += 1;
                from_memory += b.keys.holds(&old) as u32;
            }
            401 => {
                assert!(
                    answered >= expires_at,
                    "refused at {answered}, before the expiry {expires_at}"
                );
                break;
            }
            other => panic!("unexpected {other}"),
        }
        // Polling goes on past the expiry until the refusal, so a key served from memory
        // after it fails the assertion above; this only bounds the loop.
        assert!(Utc::now() < expires_at + chrono::Duration::seconds(10), "never refused");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(served > 0, "the old key worked during its grace period");
    assert!(
        from_memory > 0 || !b.keys.enabled(),
        "the old key was served from memory during its grace period"
    );
    // The account's key list, in memory since the first call above, shows the old key revoked
    // from its expiry on, not up to a second later.
    let keys = listed(b, &new).await;
    let old_listed = keys
        .iter()
        .find(|k| k["id"] == id.as_str())
        .expect("the old key is listed");
    assert!(!old_listed["revoked_at"].is_null(), "{old_listed}");
}

async fn invalidations_on_one_instance(app: TestApp) {
    each_change_bites_on_the_next_request(&app, &app).await;
    a_rotated_keys_grace_ends_to_the_second(&app, &app).await;
}

on_both_databases!(invalidations_on_one_instance);

/// Random keys are never cached (nor anything the database refused), so they cannot grow the
/// cache; a verified key is, and is served from memory.
async fn only_verified_keys_are_cached(app: TestApp) {
    for _ in 0..50 {
        let random = app::server::accounts::keys::generate(app::server::accounts::tiers::Tier::Pro).0;
        assert_eq!(get(&app, "/v1/auth/keys", &random).await.status(), 401);
    }
    assert_eq!(app.keys.len(), 0);
    let (_, key) = partner(&app, "cached@acme.example", "partner").await;
    cached_on(&app, &key, "/v1/auth/keys").await;
    assert_eq!(app.keys.len(), usize::from(app.keys.enabled()));
    // Cached wherever a change reaches every process: beside SQLite (its epoch file), or with
    // Redis; not on PostgreSQL alone.
    assert_eq!(app.keys.enabled(), app.kind == Db::Sqlite);
}

on_both_databases!(only_verified_keys_are_cached);
