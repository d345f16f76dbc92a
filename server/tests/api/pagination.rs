//! Every `/v1` list pages the same way, through the real server on SQLite and PostgreSQL:
//! `?limit=` (default 50, 1–200), an opaque `?cursor=`, and `Link: <absolute URL>; rel="next"`
//! (built from `AURA_PUBLIC_URL`) only while more rows follow. Walking a list two rows at a
//! time yields every row exactly once, newest first by `(created_at, id)` (ties included),
//! with the filters kept across pages and other accounts' rows never shown.

use std::collections::HashSet;

use crate::common::{self, random_hex, set_tier, Db, TestApp};
use app::server::{accounts::admin, audit::Origin, entities};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{json, Value};

/// What the server is told its public address is: every `Link` must start with it.
const PUBLIC: &str = "https://api.aura.example";
const BROWSER_ORIGIN: &str = "https://terminal.example";

async fn start(kind: Db) -> Option<TestApp> {
    common::spawn_with(
        kind,
        &[("AURA_PUBLIC_URL", PUBLIC), ("AURA_CORS_ORIGINS", BROWSER_ORIGIN)],
    )
    .await
}

/// A partner on the unlimited tier (walking a list one small page at a time is many calls).
async fn partner(app: &TestApp, email: &str) -> (String, String) {
    let (id, key) = common::register(app, email).await;
    set_tier(app, &id, "internal").await;
    (id, key)
}

async fn admin_key(app: &TestApp) -> String {
    admin::create_or_reset_admin(
        &app.db,
        &app.config,
        &app.keys,
        "admin@aura.example",
        "correct horse battery",
        "test",
        &Origin::default(),
    )
    .await
    .unwrap()
    .key
    .secret
}

async fn get(app: &TestApp, url: &str, key: &str) -> reqwest::Response {
    app.client.get(url).bearer_auth(key).send().await.unwrap()
}

/// The `rel="next"` URL of a response, if any.
fn next_link(res: &reqwest::Response) -> Option<String> {
    let v = res.headers().get("link")?.to_str().unwrap().to_string();
    let (url, rel) = v.split_once(">; ").expect("`<url>; rel=...`");
    assert_eq!(rel, "rel=\"next\"", "{v}");
    Some(url.strip_prefix('<').unwrap().to_string())
}

/// Follows a list from `first` (a path and query asking for `limit=2`) through its `Link`
/// headers until there is none; returns every row in the order received.
async fn walk(app: &TestApp, key: &str, first: &str) -> Vec<Value> {
    walk_with(app, key, first, |_| async {}).await
}

/// [`walk`], calling `between` with the page number after each page but the last.
async fn walk_with<F, Fut>(app: &TestApp, key: &str, first: &str, between: F) -> Vec<Value>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut url = app.url(first);
    let mut rows = Vec::new();
    for page in 1.. {
        assert!(page < 200, "{first}: no end in sight");
        let res = get(app, &url, key).await;
        assert_eq!(res.status(), 200, "{url}");
        let link = next_link(&res);
        let items: Vec<Value> = res.json().await.unwrap();
        rows.extend(items.iter().cloned());
        let Some(link) = link else {
            assert!(items.len() <= 2, "{url}: {} rows", items.len());
            break;
        };
        assert_eq!(items.len(), 2, "{url}: a page announcing another is full");
        assert!(
            link.starts_with(&format!("{PUBLIC}/v1/")),
            "absolute, from AURA_PUBLIC_URL: {link}"
        );
        assert!(link.contains("limit=2"), "keeps the other parameters: {link}");
        url = link.replacen(PUBLIC, &app.base, 1);
        between(page).await;
    }
    rows
}

fn ids(rows: &[Value], field: &str) -> Vec<String> {
    rows.iter()
        .map(|r| match &r[field] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            other => panic!("{field} is {other}"),
        })
        .collect()
}

/// `ids` once each, in the order given.
fn assert_exactly(got: &[String], want: &[String], what: &str) {
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "{what}: a row came twice: {got:?}");
    assert_eq!(got, want, "{what}");
}

/// The newest-first order of `(created_at, id)` pairs, as the API promises it.
fn newest_first(mut rows: Vec<(DateTime<Utc>, String)>) -> Vec<String> {
    rows.sort_by(|a, b| b.cmp(a));
    rows.into_iter().map(|(_, id)| id).collect()
}

/// A timestamp with a fraction of a second, so cursors must carry it exactly.
fn base_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-02-03T04:05:06.123456Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn keys_walk_in_order_and_survive_inserts(app: TestApp) {
    let (_, key) = partner(&app, "keys@pages.example").await;
    let (_, other) = partner(&app, "other-keys@pages.example").await;
    let mut made = Vec::new();
    for i in 0..5 {
        let res = app
            .client
            .post(app.url("/v1/auth/keys"))
            .bearer_auth(&key)
            .json(&json!({"name": format!("k{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        made.push(res.json::<Value>().await.unwrap());
    }
    let res = app
        .client
        .post(app.url("/v1/auth/keys"))
        .bearer_auth(&other)
        .json(&json!({"name": "not yours"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let foreign = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

    // The whole list in one page is the reference order: newest first.
    let res = get(&app, &app.url("/v1/auth/keys?limit=200"), &key).await;
    assert!(next_link(&res).is_none());
    let all: Vec<Value> = res.json().await.unwrap();
    assert_eq!(all.len(), 6, "the sign-up key and five more");
    let want = ids(&all, "id");
    let made_newest_first: Vec<String> = made
        .iter()
        .rev()
        .map(|k| k["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(want[..5], made_newest_first[..]);
    assert!(!want.contains(&foreign));

    // A key made while the client is between pages neither shifts nor repeats a row.
    let walked = walk_with(&app, &key, "/v1/auth/keys?limit=2", |page| {
        let (app, key) = (&app, &key);
        async move {
            if page == 1 {
                let res = app
                    .client
                    .post(app.url("/v1/auth/keys"))
                    .bearer_auth(key)
                    .json(&json!({"name": "late"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201);
            }
        }
    })
    .await;
    assert_exactly(&ids(&walked, "id"), &want, "keys");
    for k in &walked {
        assert!(k.get("api_key").is_none() && k.get("key_hash").is_none(), "{k}");
    }
    // The late key is first on a fresh walk.
    let fresh = walk(&app, &key, "/v1/auth/keys?limit=2").await;
    assert_eq!(fresh.len(), 7);
    assert_eq!(fresh[0]["name"], "late");
}

async fn webhooks_walk_in_order(app: TestApp) {
    let (_, key) = partner(&app, "hooks@pages.example").await;
    let (_, other) = partner(&app, "other-hooks@pages.example").await;
    let mut made = Vec::new();
    for i in 0..5 {
        let res = app
            .client
            .post(app.url("/v1/webhooks"))
            .bearer_auth(&key)
            .json(&json!({"url": format!("http://127.0.0.1:9/hook/{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        made.push(res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string());
    }
    let res = app
        .client
        .post(app.url("/v1/webhooks"))
        .bearer_auth(&other)
        .json(&json!({"url": "http://127.0.0.1:9/theirs"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    made.reverse();
    let walked = walk(&app, &key, "/v1/webhooks?limit=2").await;
    assert_exactly(&ids(&walked, "id"), &made, "webhooks");
    let theirs = walk(&app, &other, "/v1/webhooks?limit=2").await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["url"], "http://127.0.0.1:9/theirs");
}

async fn insert_delivery(
    app: &TestApp,
    account: &str,
    webhook: Option<&str>,
    status: &str,
    at: DateTime<Utc>,
) -> String {
    let id = random_hex(16);
    entities::delivery::ActiveModel {
        id: Set(id.clone()),
        account_id: Set(account.into()),
        webhook_id: Set(webhook.map(str::to_owned)),
        url: Set("http://127.0.0.1:9/hook".into()),
        event: Set("scan_completed".into()),
        scan_id: Set(None),
        payload: Set("{}".into()),
        status: Set(status.parse().unwrap()),
        attempts: Set(1),
        last_status_code: Set(None),
        last_error: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&app.db)
    .await
    .unwrap();
    id
}

async fn deliveries_walk_with_filters(app: TestApp) {
    let (account, key) = partner(&app, "deliveries@pages.example").await;
    let (other_account, other) = partner(&app, "other-deliveries@pages.example").await;
    let mut hooks = Vec::new();
    for i in 0..2 {
        let res = app
            .client
            .post(app.url("/v1/webhooks"))
            .bearer_auth(&key)
            .json(&json!({"url": format!("http://127.0.0.1:9/d/{i}")}))
            .send()
            .await
            .unwrap();
        hooks.push(res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string());
    }
    let t = base_time();
    // Several rows share a timestamp: the id breaks the tie.
    let plan = [
        (0, 0, "failed"),
        (0, 1, "sent"),
        (0, 0, "failed"),
        (1, 0, "sent"),
        (1, 0, "failed"),
        (1, 1, "failed"),
        (2, 0, "failed"),
        (3, 1, "sent"),
        (3, 0, "failed"),
    ];
    let mut rows = Vec::new();
    for (secs, hook, status) in plan {
        let at = t + Duration::seconds(secs);
        let id = insert_delivery(&app, &account, Some(&hooks[hook]), status, at).await;
        rows.push((at, id, hook, status));
    }
    for secs in 0..3 {
        insert_delivery(&app, &other_account, None, "failed", t + Duration::seconds(secs)).await;
    }
    let all = newest_first(rows.iter().map(|(at, id, ..)| (*at, id.clone())).collect());
    let walked = walk(&app, &key, "/v1/webhooks/deliveries?limit=2").await;
    assert_exactly(&ids(&walked, "id"), &all, "deliveries");

    let failed_on_first = newest_first(
        rows.iter()
            .filter(|(_, _, hook, status)| *hook == 0 && *status == "failed")
            .map(|(at, id, ..)| (*at, id.clone()))
            .collect(),
    );
    assert_eq!(failed_on_first.len(), 5);
    let walked = walk(
        &app,
        &key,
        &format!("/v1/webhooks/deliveries?status=failed&webhook_id={}&limit=2", hooks[0]),
    )
    .await;
    assert_exactly(
        &ids(&walked, "id"),
        &failed_on_first,
        "failed deliveries of one webhook",
    );

    let theirs = walk(&app, &other, "/v1/webhooks/deliveries?limit=2").await;
    assert_eq!(theirs.len(), 3);
    assert!(ids(&theirs, "id").iter().all(|id| !all.contains(id)));
    // Another account's webhook id filters to nothing, never to its deliveries.
    let res = get(
        &app,
        &app.url(&format!("/v1/webhooks/deliveries?webhook_id={}", hooks[0])),
        &other,
    )
    .await;
    assert_eq!(res.json::<Vec<Value>>().await.unwrap(), Vec::<Value>::new());
}

async fn insert_scan(app: &TestApp, account: &str, at: DateTime<Utc>) -> String {
    let id = random_hex(16);
    entities::scan::ActiveModel {
        id: Set(id.clone()),
        kind: Set("repo".into()),
        target: Set(format!("acme/r{}", &id[..6])),
        request: Set("{}".into()),
        account_id: Set(Some(account.into())),
        key_id: Set(None),
        status: Set(app::status::ScanStatus::Failed),
        progress: Set(100),
        result: Set(None),
        error: Set(Some("stand-in".into())),
        callback_url: Set(None),
        attempts: Set(1),
        created_at: Set(at),
        started_at: Set(Some(at)),
        completed_at: Set(Some(at)),
    }
    .insert(&app.db)
    .await
    .unwrap();
    id
}

async fn scans_list_only_the_callers_own(app: TestApp) {
    let (account, key) = partner(&app, "scans@pages.example").await;
    let (other_account, other) = partner(&app, "other-scans@pages.example").await;
    let t = base_time();
    let mut mine = Vec::new();
    // 53 scans, in pairs of equal timestamps: more than a default page.
    for i in 0..53 {
        let at = t + Duration::seconds(i / 2);
        mine.push((at, insert_scan(&app, &account, at).await));
    }
    let mut theirs = Vec::new();
    for i in 0..3 {
        let at = t + Duration::seconds(i);
        theirs.push((at, insert_scan(&app, &other_account, at).await));
    }
    let want = newest_first(mine);

    // The default page is 50 rows and announces the rest.
    let res = get(&app, &app.url("/v1/scans"), &key).await;
    assert_eq!(res.status(), 200);
    let link = next_link(&res).expect("a second page");
    let first: Vec<Value> = res.json().await.unwrap();
    assert_eq!(first.len(), 50);
    assert!(!link.contains("limit="), "only the parameters sent: {link}");
    let res = get(&app, &link.replacen(PUBLIC, &app.base, 1), &key).await;
    assert!(next_link(&res).is_none());
    let rest: Vec<Value> = res.json().await.unwrap();
    assert_eq!(rest.len(), 3);
    let both: Vec<Value> = first.into_iter().chain(rest).collect();
    assert_exactly(&ids(&both, "scan_id"), &want, "scans, default pages");

    let walked = walk(&app, &key, "/v1/scans?limit=2").await;
    assert_exactly(&ids(&walked, "scan_id"), &want, "scans");
    // Each row is the scan object `GET /v1/scan/{id}` answers.
    for row in [&walked[0], &walked[27], &walked[52]] {
        let one: Value = get(
            &app,
            &app.url(&format!("/v1/scan/{}", row["scan_id"].as_str().unwrap())),
            &key,
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(row, &one);
    }
    let res = get(&app, &app.url("/v1/scans?limit=200"), &key).await;
    assert!(next_link(&res).is_none());
    assert_eq!(res.json::<Vec<Value>>().await.unwrap().len(), 53);

    let walked = walk(&app, &other, "/v1/scans?limit=2").await;
    assert_exactly(
        &ids(&walked, "scan_id"),
        &newest_first(theirs),
        "the other account's scans",
    );

    // An account with no scans has an empty list and no link.
    let (_, none) = partner(&app, "no-scans@pages.example").await;
    let res = get(&app, &app.url("/v1/scans"), &none).await;
    assert!(next_link(&res).is_none());
    assert_eq!(res.json::<Vec<Value>>().await.unwrap(), Vec::<Value>::new());
}

async fn onboard(app: &TestApp, admin: &str, name: &str, email: &str) -> String {
    let res = app
        .client
        .post(app.url("/v1/admin/partners"))
        .bearer_auth(admin)
        .json(&json!({"name": name, "email": email, "tier": "pro"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["account_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn admin_lists_walk_with_filters(app: TestApp) {
    let admin = admin_key(&app).await;
    let mut pagers = Vec::new();
    for i in 0..5 {
        pagers.push(onboard(&app, &admin, &format!("Pager {i}"), &format!("pager{i}@pages.example")).await);
        onboard(&app, &admin, &format!("Other {i}"), &format!("other{i}@pages.example")).await;
    }

    // Partners: every one once, newest first; the search and the role filter hold across pages.
    let res = get(&app, &app.url("/v1/admin/partners?role=all&limit=200"), &admin).await;
    let everyone = ids(&res.json::<Vec<Value>>().await.unwrap(), "account_id");
    assert_eq!(everyone.len(), 11);
    let walked = walk(&app, &admin, "/v1/admin/partners?role=all&limit=2").await;
    assert_exactly(&ids(&walked, "account_id"), &everyone, "all accounts");
    let walked = walk(&app, &admin, "/v1/admin/partners?limit=2").await;
    assert_exactly(&ids(&walked, "account_id"), &everyone[..10], "partners only");
    let walked = walk(&app, &admin, "/v1/admin/partners?q=PAGER&limit=2").await;
    pagers.reverse();
    assert_exactly(&ids(&walked, "account_id"), &pagers, "partners matching a search");

    // Audit: rows with one timestamp are told apart by id.
    let at = base_time();
    for i in 0..3 {
        entities::audit_log::ActiveModel {
            actor: Set("system".into()),
            action: Set("test.tie".into()),
            target: Set(format!("t{i}")),
            created_at: Set(at),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    let res = get(&app, &app.url("/v1/admin/audit?limit=200"), &admin).await;
    assert!(next_link(&res).is_none());
    let full = res.json::<Vec<Value>>().await.unwrap();
    let walked = walk(&app, &admin, "/v1/admin/audit?limit=2").await;
    assert_exactly(&ids(&walked, "id"), &ids(&full, "id"), "audit log");
    let ties: Vec<&Value> = walked.iter().filter(|e| e["action"] == "test.tie").collect();
    assert_eq!(
        ties.iter().map(|e| e["target"].as_str().unwrap()).collect::<Vec<_>>(),
        ["t2", "t1", "t0"]
    );
    let creates = walk(
        &app,
        &admin,
        "/v1/admin/audit?actor=admin%40aura.example&action=partner.create&limit=2",
    )
    .await;
    assert_eq!(creates.len(), 10);
    let want: Vec<String> = full
        .iter()
        .filter(|e| e["action"] == "partner.create" && e["actor"] == "admin@aura.example")
        .map(|e| e["id"].to_string())
        .collect();
    assert_exactly(&ids(&creates, "id"), &want, "filtered audit log");
    let one: Vec<Value> = walk(&app, &admin, &format!("/v1/admin/audit?target={}&limit=2", pagers[0])).await;
    assert!(!one.is_empty() && one.iter().all(|e| e["target"] == pagers[0].as_str()));

    // Jobs: the dead-letter queue (the default status) and any other state, each paged.
    let mut dead = Vec::new();
    for i in 0..5 {
        let at = at + Duration::seconds(i / 2);
        for status in ["dead", "failed"] {
            let job = entities::job::ActiveModel {
                kind: Set(app::status::JobKind::Delivery),
                ref_id: Set(random_hex(16)),
                status: Set(status.parse().unwrap()),
                attempts: Set(3),
                max_attempts: Set(3),
                run_at: Set(0),
                lease_until: Set(None),
                locked_by: Set(None),
                last_error: Set(Some("gone".into())),
                created_at: Set(at),
                updated_at: Set(at),
                ..Default::default()
            }
            .insert(&app.db)
            .await
            .unwrap();
            if status == "dead" {
                dead.push((at, job.id));
            }
        }
    }
    dead.sort_by(|a, b| b.cmp(a));
    let want: Vec<String> = dead.iter().map(|(_, id)| id.to_string()).collect();
    let walked = walk(&app, &admin, "/v1/admin/jobs?limit=2").await;
    assert_exactly(&ids(&walked, "id"), &want, "dead jobs");
    let walked = walk(&app, &admin, "/v1/admin/jobs?status=failed&limit=2").await;
    assert_eq!(walked.len(), 5);
    assert!(walked.iter().all(|j| j["status"] == "failed"));
}

const LISTS: [&str; 7] = [
    "/v1/auth/keys",
    "/v1/webhooks",
    "/v1/webhooks/deliveries",
    "/v1/scans",
    "/v1/admin/partners",
    "/v1/admin/audit",
    "/v1/admin/jobs",
];

async fn bad_limits_and_cursors_are_refused(app: TestApp) {
    use base64::Engine as _;
    let admin = admin_key(&app).await;
    let not_a_number = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("2026-01-01T00:00:00Z|abc");
    for path in LISTS {
        for bad in [
            "limit=0",
            "limit=201",
            "limit=-1",
            "limit=ten",
            "cursor=garbage",
            "cursor=%3D%3D%3D",
        ] {
            let res = get(&app, &app.url(&format!("{path}?{bad}")), &admin).await;
            assert_eq!(res.status(), 422, "{path}?{bad}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["error"]["code"], "validation_failed", "{path}?{bad}: {body}");
            assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        for ok in ["limit=1", "limit=200", "limit="] {
            let res = get(&app, &app.url(&format!("{path}?{ok}")), &admin).await;
            assert_eq!(res.status(), 200, "{path}?{ok}");
        }
    }
    // A cursor whose id does not fit a numbered list.
    for path in ["/v1/admin/audit", "/v1/admin/jobs"] {
        let res = get(&app, &app.url(&format!("{path}?cursor={not_a_number}")), &admin).await;
        assert_eq!(res.status(), 422, "{path}");
        assert_eq!(common::error_code(res).await, "validation_failed");
    }
}

async fn browsers_may_read_the_paging_and_limit_headers(app: TestApp) {
    let (_, key) = partner(&app, "cors@pages.example").await;
    for _ in 0..2 {
        app.client
            .post(app.url("/v1/auth/keys"))
            .bearer_auth(&key)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
    }
    let res = app
        .client
        .get(app.url("/v1/auth/keys?limit=1"))
        .bearer_auth(&key)
        .header("origin", BROWSER_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(next_link(&res).is_some());
    let exposed: HashSet<String> = res.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    for h in [
        "link",
        "x-request-id",
        "retry-after",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "ratelimit",
        "ratelimit-policy",
    ] {
        assert!(exposed.contains(h), "{h} not exposed: {exposed:?}");
    }
}

async fn openapi_documents_paging_and_query_filters(app: TestApp) {
    let spec: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in LISTS {
        let op = &spec["paths"][path]["get"];
        assert!(op.is_object(), "GET {path} missing");
        let params = op["parameters"].as_array().unwrap();
        for name in ["limit", "cursor"] {
            let p = params.iter().find(|p| p["name"] == name);
            assert!(p.is_some_and(|p| p["in"] == "query"), "{path}: {name}");
        }
        assert!(
            op["responses"]["200"]["headers"]["Link"].is_object(),
            "{path}: Link header"
        );
    }
    for (path, filters) in [
        ("/v1/admin/audit", &["actor", "action", "target"][..]),
        ("/v1/admin/jobs", &["status"][..]),
        ("/v1/admin/partners", &["role", "q"][..]),
        ("/v1/webhooks/deliveries", &["status", "webhook_id"][..]),
    ] {
        let params = spec["paths"][path]["get"]["parameters"].as_array().unwrap();
        for f in filters {
            let p = params.iter().find(|p| p["name"] == *f);
            assert!(p.is_some_and(|p| p["in"] == "query"), "{path}: {f}");
        }
    }
    // Only names in the path template are path parameters, anywhere.
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    let name = p["name"].as_str().unwrap();
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: {name} is not in the path"
                    );
                }
            }
        }
    }
}

on_both_kinds!(
    keys_walk,
    webhooks_walk,
    deliveries_walk,
    scans_walk,
    admin_walk,
    bad_input,
    cors_headers,
    openapi,
);

async fn keys_walk(kind: Db) {
    if let Some(app) = start(kind).await {
        keys_walk_in_order_and_survive_inserts(app).await;
    }
}
async fn webhooks_walk(kind: Db) {
    if let Some(app) = start(kind).await {
        webhooks_walk_in_order(app).await;
    }
}
async fn deliveries_walk(kind: Db) {
    if let Some(app) = start(kind).await {
        deliveries_walk_with_filters(app).await;
    }
}
async fn scans_walk(kind: Db) {
    if let Some(app) = start(kind).await {
        scans_list_only_the_callers_own(app).await;
    }
}
async fn admin_walk(kind: Db) {
    if let Some(app) = start(kind).await {
        admin_lists_walk_with_filters(app).await;
    }
}
async fn bad_input(kind: Db) {
    if let Some(app) = start(kind).await {
        bad_limits_and_cursors_are_refused(app).await;
    }
}
async fn cors_headers(kind: Db) {
    if let Some(app) = start(kind).await {
        browsers_may_read_the_paging_and_limit_headers(app).await;
    }
}
async fn openapi(kind: Db) {
    if let Some(app) = start(kind).await {
        openapi_documents_paging_and_query_filters(app).await;
    }
}
