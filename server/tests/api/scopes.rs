//! Browser-safe keys: scopes, allowed origins and the CORS answer for registered origins, on
//! both databases, through the real server.

use crate::common::{self, app_with_github, github, post_scan, wait_finished, Db, TestApp};
use app::server::{accounts::admin, audit::Origin};
use serde_json::{json, Value};

const ALL: [&str; 6] = ["scans:read", "scans:write", "keys", "webhooks", "usage", "embed"];

/// A partner on the internal tier, so the per-minute limit stays out of the way.
async fn register(app: &TestApp, email: &str) -> (String, String) {
    let (id, key) = common::register(app, email).await;
    common::set_tier(app, &id, "internal").await;
    (id, key)
}

async fn new_key(app: &TestApp, key: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url("/v1/auth/keys"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A key with these grants, made with `key`: (response body, full key).
async fn key_with(app: &TestApp, key: &str, body: Value) -> (Value, String) {
    let res = new_key(app, key, body).await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    let v: Value = res.json().await.unwrap();
    let full = v["api_key"].as_str().unwrap().to_string();
    (v, full)
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    key: &str,
    origin: Option<&str>,
) -> reqwest::Response {
    let mut req = app.client.request(method.clone(), app.url(path)).bearer_auth(key);
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    if method == reqwest::Method::POST || method == reqwest::Method::PUT {
        req = req.json(&json!({}));
    }
    req.send().await.unwrap()
}

async fn get(app: &TestApp, path: &str, key: &str) -> reqwest::Response {
    call(app, reqwest::Method::GET, path, key, None).await
}

async fn usage(app: &TestApp, key: &str, origin: Option<&str>) -> reqwest::Response {
    call(app, reqwest::Method::GET, "/v1/auth/usage", key, origin).await
}

async fn code_of(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    (status, body["error"]["code"].as_str().unwrap_or_default().to_string())
}

async fn lookup(app: &TestApp, key: &str) -> reqwest::Response {
    app.client
        .post(app.url("/v1/scan/lookup"))
        .bearer_auth(key)
        .json(&json!({"targets": ["acme/orbit"]}))
        .send()
        .await
        .unwrap()
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, app.url("/v1/scan/lookup"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization, content-type")
        .send()
        .await
        .unwrap()
}

fn allowed_origin(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_string())
}

/// A `scans:read` key reads but cannot start a scan; a `webhooks` key manages webhooks but
/// not keys; the default key does everything, admin calls included for an admin.
async fn scopes_are_enforced(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    let (_, full) = register(&app, "scopes@acme.example").await;

    // The registration key has every scope, and can do everything.
    let listed: Value = get(&app, "/v1/auth/keys", &full).await.json().await.unwrap();
    assert_eq!(listed[0]["scopes"], json!(ALL));
    assert_eq!(listed[0]["allowed_origins"], json!([]));
    let res = post_scan(&app, &full, json!({"url": "https://github.com/acme/orbit"})).await;
    assert_eq!(res.status(), 202, "{:?}", res.text().await);
    let scan_id = res.json::<Value>().await.unwrap()["scan_id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_finished(&app, &scan_id).await;
    for path in ["/v1/auth/keys", "/v1/auth/usage", "/v1/webhooks", "/v1/embed/settings"] {
        assert_eq!(get(&app, path, &full).await.status(), 200, "{path}");
    }
    assert_eq!(lookup(&app, &full).await.status(), 200);

    let (body, read) = key_with(&app, &full, json!({"name": "reader", "scopes": ["scans:read"]})).await;
    assert_eq!(body["scopes"], json!(["scans:read"]));
    assert_eq!(body["allowed_origins"], json!([]));
    let res = post_scan(&app, &read, json!({"url": "https://github.com/acme/orbit"})).await;
    let (status, code) = code_of(res).await;
    assert_eq!((status, code.as_str()), (403, "insufficient_scope"));
    for path in ["/v1/scan/x-profile", "/v1/scan/compare"] {
        let (status, code) = code_of(call(&app, reqwest::Method::POST, path, &read, None).await).await;
        assert_eq!((status, code.as_str()), (403, "insufficient_scope"), "{path}");
    }
    let res = get(&app, &format!("/v1/scan/{scan_id}"), &read).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        get(&app, "/v1/scan/latest?target=acme/orbit", &read).await.status(),
        200
    );
    let res = lookup(&app, &read).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap()["results"][0]["scan"]["scan_id"],
        scan_id.as_str()
    );
    for path in ["/v1/auth/keys", "/v1/auth/usage", "/v1/webhooks", "/v1/embed/settings"] {
        let (status, code) = code_of(get(&app, path, &read).await).await;
        assert_eq!((status, code.as_str()), (403, "insufficient_scope"), "{path}");
    }

    let (_, hooks) = key_with(&app, &full, json!({"scopes": ["webhooks"]})).await;
    let res = get(&app, "/v1/auth/keys", &hooks).await;
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "insufficient_scope", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("`keys`"), "{body}");
    let (status, code) = code_of(new_key(&app, &hooks, json!({})).await).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "insufficient_scope"),
        "a key cannot mint a wider one"
    );
    assert_eq!(get(&app, "/v1/webhooks", &hooks).await.status(), 200);
    assert_eq!(get(&app, "/v1/webhooks/deliveries", &hooks).await.status(), 200);
    // With a key, even the public report needs `scans:read`; without one it stays public.
    let (status, code) = code_of(get(&app, &format!("/v1/scan/{scan_id}"), &hooks).await).await;
    assert_eq!((status, code.as_str()), (403, "insufficient_scope"));
    let res = app
        .client
        .get(app.url(&format!("/v1/scan/{scan_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Admin calls need a key with every scope.
    let admin = admin::create_or_reset_admin(
        &app.db,
        &app.config,
        &app.keys,
        "root@aura.example",
        "correct horse battery",
        "test",
        &Origin::default(),
    )
    .await
    .unwrap();
    let root = admin.key.secret;
    assert_eq!(get(&app, "/v1/admin/partners", &root).await.status(), 200);
    let (_, narrow) = key_with(&app, &root, json!({"scopes": ALL[..5]})).await;
    let (status, code) = code_of(get(&app, "/v1/admin/partners", &narrow).await).await;
    assert_eq!((status, code.as_str()), (403, "insufficient_scope"));
}

async fn grants_are_validated(app: TestApp) {
    let (_, full) = register(&app, "valid@acme.example").await;
    for bad in [
        json!({"scopes": ["scans:read", "admin"]}),
        json!({"scopes": ["Scans:Read"]}),
        json!({"scopes": []}),
        json!({"allowed_origins": ["http://evil.example"]}),
        json!({"allowed_origins": ["https://terminal.example/app"]}),
        json!({"allowed_origins": ["https://*.example"]}),
        json!({"allowed_origins": ["terminal.example"]}),
    ] {
        let res = new_key(&app, &full, bad.clone()).await;
        assert_eq!(res.status(), 422, "{bad}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "validation_failed", "{bad}: {body}");
    }
    let (body, _) = key_with(
        &app,
        &full,
        json!({"name": "page", "scopes": ["scans:read", "scans:read", "scans:write"],
               "allowed_origins": ["https://Terminal.Example/", "http://localhost:5173"]}),
    )
    .await;
    assert_eq!(body["scopes"], json!(["scans:read", "scans:write"]));
    assert_eq!(
        body["allowed_origins"],
        json!(["https://terminal.example", "http://localhost:5173"])
    );
    for field in ["id", "api_key", "prefix", "name", "tier", "created_at"] {
        assert!(body.get(field).is_some(), "{field}: {body}");
    }
    let listed: Value = get(&app, "/v1/auth/keys", &full).await.json().await.unwrap();
    let row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == body["id"])
        .unwrap();
    assert_eq!(row["scopes"], body["scopes"]);
    assert_eq!(row["allowed_origins"], body["allowed_origins"]);
}

/// An origin-restricted key: its origins pass, another browser origin is refused, and a
/// server (no `Origin`) may use it. A key without origins works from any origin.
async fn origins_are_enforced(app: TestApp) {
    let (_, full) = register(&app, "origins@acme.example").await;
    let (_, page) = key_with(&app, &full, json!({"allowed_origins": ["https://terminal.example"]})).await;
    assert_eq!(usage(&app, &page, Some("https://terminal.example")).await.status(), 200);
    assert_eq!(usage(&app, &page, None).await.status(), 200, "server-side use");
    for other in [
        "https://evil.example",
        "https://terminal.example.evil.example",
        "null",
        "http://terminal.example",
    ] {
        let (status, code) = code_of(usage(&app, &page, Some(other)).await).await;
        assert_eq!((status, code.as_str()), (403, "origin_not_allowed"), "{other}");
    }
    assert_eq!(usage(&app, &full, Some("https://evil.example")).await.status(), 200);
    // Scope first, then origin: a refused call is refused for its scope.
    let (_, both) = key_with(
        &app,
        &full,
        json!({"scopes": ["scans:read"], "allowed_origins": ["https://terminal.example"]}),
    )
    .await;
    let (status, code) = code_of(usage(&app, &both, Some("https://terminal.example")).await).await;
    assert_eq!((status, code.as_str()), (403, "insufficient_scope"));
}

/// CORS on `/v1` answers the origins registered by active accounts (keys' origins, embed
/// domains) and no other, never with credentials.
async fn cors_follows_registered_origins(app: TestApp) {
    let (account_id, full) = register(&app, "cors@acme.example").await;
    assert_eq!(allowed_origin(&preflight(&app, "https://terminal.example").await), None);

    let (body, page) = key_with(&app, &full, json!({"allowed_origins": ["https://terminal.example"]})).await;
    let res = preflight(&app, "https://terminal.example").await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(allowed_origin(&res).as_deref(), Some("https://terminal.example"));
    assert!(res.headers().get("access-control-allow-credentials").is_none());
    let methods = res.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(methods.contains("POST"), "{methods}");
    assert_eq!(allowed_origin(&preflight(&app, "https://evil.example").await), None);
    // The real call from that page: allowed and readable.
    let res = call(
        &app,
        reqwest::Method::GET,
        "/v1/auth/usage",
        &page,
        Some("https://terminal.example"),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(allowed_origin(&res).as_deref(), Some("https://terminal.example"));
    assert!(res.headers().get("access-control-allow-credentials").is_none());
    // Pages are not `/v1`: no CORS there.
    let res = app
        .client
        .get(app.url("/"))
        .header("origin", "https://terminal.example")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed_origin(&res), None);

    // Embed domains count too.
    let res = app
        .client
        .put(app.url("/v1/embed/settings"))
        .bearer_auth(&full)
        .json(&json!({"allowed_domains": ["https://widget.example"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        allowed_origin(&preflight(&app, "https://widget.example").await).as_deref(),
        Some("https://widget.example")
    );

    // A revoked key's origin leaves.
    let res = app
        .client
        .delete(app.url(&format!("/v1/auth/keys/{}", body["id"].as_str().unwrap())))
        .bearer_auth(&full)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(allowed_origin(&preflight(&app, "https://terminal.example").await), None);
    let (_, _) = key_with(&app, &full, json!({"allowed_origins": ["https://terminal.example"]})).await;
    assert!(allowed_origin(&preflight(&app, "https://terminal.example").await).is_some());

    // A suspended account's origins are not answered.
    let admin = admin::create_or_reset_admin(
        &app.db,
        &app.config,
        &app.keys,
        "root@aura.example",
        "correct horse battery",
        "test",
        &Origin::default(),
    )
    .await
    .unwrap();
    let res = app
        .client
        .patch(app.url(&format!("/v1/admin/partners/{account_id}")))
        .bearer_auth(&admin.key.secret)
        .json(&json!({"status": "suspended"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    for origin in ["https://terminal.example", "https://widget.example"] {
        assert_eq!(allowed_origin(&preflight(&app, origin).await), None, "{origin}");
    }
}

async fn rotation_keeps_grants(app: TestApp) {
    let (_, full) = register(&app, "rotate@acme.example").await;
    let (old, narrow) = key_with(
        &app,
        &full,
        json!({"name": "page", "scopes": ["keys", "usage"], "allowed_origins": ["https://terminal.example"]}),
    )
    .await;
    let res = app
        .client
        .post(app.url(&format!("/v1/auth/keys/{}/rotate", old["id"].as_str().unwrap())))
        .bearer_auth(&narrow)
        .json(&json!({"expire_old_in_secs": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    let new: Value = res.json().await.unwrap();
    assert_ne!(new["id"], old["id"]);
    assert_eq!(new["name"], "page");
    assert_eq!(new["scopes"], json!(["keys", "usage"]));
    assert_eq!(new["allowed_origins"], json!(["https://terminal.example"]));
    let fresh = new["api_key"].as_str().unwrap();
    assert_eq!(get(&app, "/v1/auth/usage", fresh).await.status(), 200);
    assert_eq!(get(&app, "/v1/auth/usage", &narrow).await.status(), 401);
    let (status, code) = code_of(get(&app, "/v1/webhooks", fresh).await).await;
    assert_eq!((status, code.as_str()), (403, "insufficient_scope"));
    let (status, code) = code_of(
        call(
            &app,
            reqwest::Method::GET,
            "/v1/auth/usage",
            fresh,
            Some("https://evil.example"),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (403, "origin_not_allowed"));
}

/// Every routed `/v1` operation names its scope in the one table (admin routes and
/// registration aside), and the spec documents the new fields and 403 codes.
async fn every_route_declares_its_scope(app: TestApp) {
    use server::routes::v1::caller::{needs, Needs};
    let spec: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !path.starts_with("/v1/") || path == "/v1/auth/register" {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            if op.get("security").is_none() {
                continue; // public routes that take no key (badges, cards)
            }
            let m: reqwest::Method = method.to_uppercase().parse().unwrap();
            let forbidden = op["responses"]["403"]["description"].as_str().unwrap_or_default();
            assert!(forbidden.contains("insufficient_scope"), "{method} {path}");
            assert!(forbidden.contains("origin_not_allowed"), "{method} {path}");
            if path.starts_with("/v1/admin/") {
                assert_eq!(needs(&m, path), Needs::AllScopes, "{method} {path}");
            } else {
                assert_ne!(needs(&m, path), Needs::AllScopes, "{method} {path} has no scope");
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "{checked}");
    let schemas = &spec["components"]["schemas"];
    assert_eq!(schemas["Scope"]["enum"], json!(ALL), "{}", schemas["Scope"]);
    for s in ["CreateKeyRequest", "NewKeyResponse", "KeyInfo"] {
        assert!(schemas[s]["properties"]["scopes"].is_object(), "{s}");
        assert!(schemas[s]["properties"]["allowed_origins"].is_object(), "{s}");
    }
}

on_both_kinds!(scopes_are_enforced);

on_both_databases!(
    grants_are_validated,
    origins_are_enforced,
    cors_follows_registered_origins,
    rotation_keeps_grants,
    every_route_declares_its_scope,
);
