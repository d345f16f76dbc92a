//! `/v1/auth`: registration, keys, rotation, revocation, tenancy, limits and usage, on both
//! databases, through the real server.

use crate::common::TestApp;
use app::server::entities::account;
use sea_orm::{EntityTrait, Set};
use serde_json::{json, Value};

async fn register(app: &TestApp, email: &str) -> Value {
    let res = app
        .client
        .post(app.url("/v1/auth/register"))
        .json(&json!({"email": email, "password": "hunter2hunter2", "name": "Acme Terminal"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    res.json().await.unwrap()
}

async fn set_account(app: &TestApp, account_id: &str, tier: Option<&str>, status: Option<&str>) {
    let mut am = account::ActiveModel {
        id: Set(account_id.to_string()),
        ..Default::default()
    };
    if let Some(t) = tier {
        am.tier = Set(t.into());
    }
    if let Some(s) = status {
        am.status = Set(s.into());
    }
    account::Entity::update(am).exec(&app.db).await.unwrap();
    app.keys.changed().await;
}

async fn get(app: &TestApp, path: &str, key: &str) -> reqwest::Response {
    app.client.get(app.url(path)).bearer_auth(key).send().await.unwrap()
}

async fn registration_follows_the_contract(app: TestApp) {
    let body = register(&app, "Ops@Acme.Example").await;
    let key = body["api_key"].as_str().unwrap();
    assert!(
        key.starts_with("aura_pk_free_") && key.len() == "aura_pk_free_".len() + 32,
        "{key}"
    );
    assert!(body["webhook_secret"].as_str().unwrap().starts_with("whsec_"));
    assert!(body["partner_slug"].as_str().unwrap().starts_with("acme-terminal-"));
    assert_eq!(body["key"]["tier"], "free");
    assert!(key.starts_with(body["key"]["prefix"].as_str().unwrap()));

    // The same email in another case is taken.
    let res = app
        .client
        .post(app.url("/v1/auth/register"))
        .json(&json!({"email": "ops@acme.example", "password": "hunter2hunter2", "name": "Again"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "email_taken");

    for bad in [
        json!({"email": "x@y.example", "password": "short", "name": "n"}),
        json!({"email": "not-an-email", "password": "long enough", "name": "n"}),
    ] {
        let res = app
            .client
            .post(app.url("/v1/auth/register"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "validation_failed");
    }
    // Nothing about the key is stored in clear.
    let rows = app::server::entities::api_key::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert!(rows
        .iter()
        .all(|r| !key.contains(&r.key_hash) && r.key_hash.len() == 64 && r.key_hash != key));
}

async fn missing_and_bad_keys_are_401(app: TestApp) {
    let res = app.client.get(app.url("/v1/auth/keys")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "unauthorized");
    for bad in ["nonsense", "aura_pk_free_00000000000000000000000000000000"] {
        assert_eq!(get(&app, "/v1/auth/keys", bad).await.status(), 401);
    }
}

async fn keys_lifecycle(app: TestApp) {
    let reg = register(&app, "keys@acme.example").await;
    let k1 = reg["api_key"].as_str().unwrap().to_string();

    let res = app
        .client
        .post(app.url("/v1/auth/keys"))
        .bearer_auth(&k1)
        .json(&json!({"name": "bot"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let k2 = created["api_key"].as_str().unwrap().to_string();
    assert_eq!(created["name"], "bot");
    assert_eq!(get(&app, "/v1/auth/keys", &k2).await.status(), 200);

    let list: Value = get(&app, "/v1/auth/keys", &k1).await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let text = list.to_string();
    assert!(
        !text.contains(&k1) && !text.contains(&k2),
        "list must never show a full key"
    );
    assert!(list[0].get("key_hash").is_none());

    // Rotation with no grace: the old key stops at once.
    let id2 = created["id"].as_str().unwrap();
    let res = app
        .client
        .post(app.url(&format!("/v1/auth/keys/{id2}/rotate")))
        .bearer_auth(&k1)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let k3 = res.json::<Value>().await.unwrap()["api_key"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(get(&app, "/v1/auth/keys", &k2).await.status(), 401);
    assert_eq!(get(&app, "/v1/auth/keys", &k3).await.status(), 200);

    // Rotation with a grace period: both work until it ends.
    let id1 = reg["key"]["id"].as_str().unwrap();
    let res = app
        .client
        .post(app.url(&format!("/v1/auth/keys/{id1}/rotate")))
        .bearer_auth(&k3)
        .json(&json!({"expire_old_in_secs": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let k4 = res.json::<Value>().await.unwrap()["api_key"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(get(&app, "/v1/auth/keys", &k1).await.status(), 200);
    assert_eq!(get(&app, "/v1/auth/keys", &k4).await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(get(&app, "/v1/auth/keys", &k1).await.status(), 401);

    // Revocation is effective on the very next request.
    let id4 = app::server::accounts::keys::list(&app.db, reg["account_id"].as_str().unwrap())
        .await
        .unwrap()[0]
        .id
        .clone();
    let res = app
        .client
        .delete(app.url(&format!("/v1/auth/keys/{id4}")))
        .bearer_auth(&k3)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(get(&app, "/v1/auth/keys", &k4).await.status(), 401);
}

async fn another_accounts_key_is_404(app: TestApp) {
    let a = register(&app, "a@tenant.example").await;
    let b = register(&app, "b@tenant.example").await;
    let b_key_id = b["key"]["id"].as_str().unwrap();
    let ka = a["api_key"].as_str().unwrap();
    let res = app
        .client
        .delete(app.url(&format!("/v1/auth/keys/{b_key_id}")))
        .bearer_auth(ka)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = app
        .client
        .post(app.url(&format!("/v1/auth/keys/{b_key_id}/rotate")))
        .bearer_auth(ka)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // B's key still works.
    assert_eq!(
        get(&app, "/v1/auth/keys", b["api_key"].as_str().unwrap())
            .await
            .status(),
        200
    );
}

async fn suspended_account_is_403(app: TestApp) {
    let a = register(&app, "suspend@acme.example").await;
    let key = a["api_key"].as_str().unwrap();
    set_account(&app, a["account_id"].as_str().unwrap(), None, Some("suspended")).await;
    let res = get(&app, "/v1/auth/keys", key).await;
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "forbidden");
}

async fn free_tier_minute_limit_and_headers(app: TestApp) {
    let a = register(&app, "limits@acme.example").await;
    let key = a["api_key"].as_str().unwrap();
    for i in 0..5 {
        let res = get(&app, "/v1/auth/keys", key).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["x-ratelimit-limit"], "5");
        assert_eq!(res.headers()["x-ratelimit-remaining"], (4 - i).to_string().as_str());
        assert!(res.headers()["ratelimit-policy"]
            .to_str()
            .unwrap()
            .contains("\"minute\";q=5;w=60"));
        assert!(res.headers()["ratelimit-policy"]
            .to_str()
            .unwrap()
            .contains("\"day\";q=50;w=86400"));
        assert!(res.headers().contains_key("ratelimit"));
        assert!(res.headers().contains_key("x-ratelimit-reset"));
    }
    let res = get(&app, "/v1/auth/keys", key).await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "rate_limited");

    // A tier change applies on the very next request.
    set_account(&app, a["account_id"].as_str().unwrap(), Some("pro"), None).await;
    let res = get(&app, "/v1/auth/keys", key).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-ratelimit-limit"], "30");
}

async fn concurrent_calls_admit_exactly_the_limit(app: TestApp) {
    let a = register(&app, "burst@acme.example").await;
    set_account(&app, a["account_id"].as_str().unwrap(), Some("pro"), None).await;
    let key = a["api_key"].as_str().unwrap().to_string();
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let (client, url, key) = (app.client.clone(), app.url("/v1/auth/keys"), key.clone());
        tasks.push(tokio::spawn(async move {
            client.get(url).bearer_auth(key).send().await.unwrap().status().as_u16()
        }));
    }
    let mut ok = 0;
    let mut limited = 0;
    for t in tasks {
        match t.await.unwrap() {
            200 => ok += 1,
            429 => limited += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(ok, 30, "exactly the pro tier's per-minute limit is admitted");
    assert_eq!(limited, 170);
    // Every call, admitted or refused, is counted in the usage rows (alike calls of a batch
    // share a row), and the key's last use is stamped with them.
    app.state.meter.flush().await;
    use app::server::entities::{api_key, usage_event};
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let account_id = a["account_id"].as_str().unwrap();
    let rows = usage_event::Entity::find()
        .filter(usage_event::Column::AccountId.eq(account_id))
        .all(&app.db)
        .await
        .unwrap();
    let calls = |status: Option<i16>| -> i32 {
        rows.iter()
            .filter(|r| status.is_none_or(|s| r.status == s))
            .map(|r| r.calls)
            .sum()
    };
    assert_eq!(calls(None), 200);
    assert_eq!(calls(Some(429)), 170);
    assert!(rows.iter().all(|r| r.route == "/v1/auth/keys" && r.method == "GET"));
    let stamped = api_key::Entity::find()
        .filter(api_key::Column::AccountId.eq(account_id))
        .filter(api_key::Column::LastUsedAt.is_not_null())
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(stamped, 1);
}

async fn usage_is_metered(app: TestApp) {
    let a = register(&app, "usage@acme.example").await;
    let key = a["api_key"].as_str().unwrap();
    for _ in 0..3 {
        get(&app, "/v1/auth/keys", key).await;
    }
    let res = get(&app, "/v1/auth/usage", key).await;
    assert_eq!(res.status(), 200);
    let u: Value = res.json().await.unwrap();
    assert_eq!(u["tier"], "free");
    assert_eq!(
        u["limits"],
        json!({"per_minute": 5, "per_day": 50, "concurrent_scans": 1})
    );
    assert_eq!(u["today"]["requests"], 3, "{u}");
    assert_eq!(u["daily"].as_array().unwrap().len(), 30);
    assert_eq!(u["daily"][29]["requests"], 3);
    assert!(u["top_repos"].is_array());
    // last_used_at is maintained by the meter's batch writer (flushed by the usage call); a
    // key list is served from memory for up to `LIST_MAX_AGE`.
    tokio::time::sleep(app::server::accounts::key_cache::LIST_MAX_AGE).await;
    let keys: Value = get(&app, "/v1/auth/keys", key).await.json().await.unwrap();
    assert!(keys[0]["last_used_at"].is_string(), "{keys}");
}

/// A tier's budgets are per account, so its keys are capped (pro: 10 active), exactly, also
/// under parallel requests; a revoked key frees its place.
async fn active_keys_are_capped_by_tier(app: TestApp) {
    let account = register(&app, "keys@cap.example").await;
    let first = account["api_key"].as_str().unwrap().to_string();
    // Pro: 30 calls a minute leave room for the storm below; 10 active keys.
    crate::common::set_tier(&app, account["account_id"].as_str().unwrap(), "pro").await;
    let create = |key: String| {
        let (client, url) = (app.client.clone(), app.url("/v1/auth/keys"));
        async move {
            client
                .post(url)
                .bearer_auth(key)
                .json(&json!({"name": "bot"}))
                .send()
                .await
                .unwrap()
        }
    };
    // 20 at once against 9 free places: exactly 9 succeed, the rest are 409.
    let results = futures::future::join_all((0..20).map(|_| create(first.clone()))).await;
    let mut created = Vec::new();
    for res in results {
        match res.status().as_u16() {
            201 => created.push(res.json::<Value>().await.unwrap()),
            409 => {
                let body: Value = res.json().await.unwrap();
                assert_eq!(body["error"]["code"], "key_limit_reached", "{body}");
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(created.len(), 9, "pro tier: 10 active keys in all");
    let list: Value = get(&app, "/v1/auth/keys", &first).await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 10);
    // Revoking one frees a place.
    let id = created[0]["id"].as_str().unwrap();
    let res = app
        .client
        .delete(app.url(&format!("/v1/auth/keys/{id}")))
        .bearer_auth(&first)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(create(first.clone()).await.status(), 201);
    assert_eq!(create(first.clone()).await.status(), 409);
}

on_both_databases!(
    active_keys_are_capped_by_tier,
    registration_follows_the_contract,
    missing_and_bad_keys_are_401,
    keys_lifecycle,
    another_accounts_key_is_404,
    suspended_account_is_403,
    free_tier_minute_limit_and_headers,
    concurrent_calls_admit_exactly_the_limit,
    usage_is_metered,
);
