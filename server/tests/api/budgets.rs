//! Budgets per account (issue 15, item 1): a free account's daily quota (50 calls) is one
//! count for all its API keys and its dashboard, its concurrent-scan cap (1) one for all of
//! them, and the dashboard's costly actions — key creation, scans, a webhook's test event,
//! redelivery, replay — are admitted by the same limiter and metered under the key id
//! `dashboard`. Through the real HTTP stack on SQLite and PostgreSQL, and once with the
//! Redis limiter of the scale-out mode.

use std::time::Duration;

use app::server::{
    accounts,
    audit::Origin,
    entities::{delivery, scan, usage_event},
};
use reqwest::{header, Client, RequestBuilder, Response, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::common::{app_with_github, browser, call_from, github, receiver, Db, TestApp, Via, HTML};

const PASSWORD: &str = "hunter2hunter2";

/// How the limiter answered a call: admitted (whatever the handler said next, a 409 or a
/// `concurrent_scan_limit` included: the call was counted), or refused by one of its windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Admitted,
    RateLimited,
    DailyQuota,
}

/// A `/v1` answer's verdict, and its body.
async fn api_verdict(res: Response) -> (Verdict, StatusCode, Value) {
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    let verdict = match body["error"]["code"].as_str() {
        Some("rate_limited") => Verdict::RateLimited,
        Some("daily_quota_exceeded") => Verdict::DailyQuota,
        _ => Verdict::Admitted,
    };
    if verdict != Verdict::Admitted {
        assert_eq!(status, 429, "{body}");
    }
    (verdict, status, body)
}

/// A server function's answer (as the hydrated page calls it): its verdict, from the
/// limiter's message, and its text.
async fn dashboard_verdict(res: Response) -> (Verdict, StatusCode, String) {
    let status = res.status();
    let retry_after = res.headers().contains_key(header::RETRY_AFTER);
    let text = res.text().await.unwrap();
    let verdict = if status != 429 {
        Verdict::Admitted
    } else if text.contains("Daily quota of 50 requests reached") {
        Verdict::DailyQuota
    } else if text.contains("Rate limit of 5 requests per minute reached") {
        Verdict::RateLimited
    } else {
        Verdict::Admitted
    };
    if verdict != Verdict::Admitted {
        assert!(retry_after, "a refusal says when to retry: {text}");
    }
    (verdict, status, text)
}

/// A server-function call as the hydrated dashboard sends it, not yet sent.
fn dashboard(app: &TestApp, client: &Client, path: &str, fields: &[(&str, &str)]) -> RequestBuilder {
    let fields: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    client
        .post(app.url(path))
        .header(header::ORIGIN, &app.base)
        .header(header::ACCEPT, "application/json")
        .header(header::REFERER, app.url("/dashboard"))
        .form(&fields)
}

/// A free account made through the service (sign-ups are limited per address, a budget that
/// with Redis outlives the test), its first key (id, secret), and a browser logged in to its
/// dashboard.
async fn free_account(app: &TestApp, email: &str) -> (String, (String, String), Client) {
    let created = accounts::register(
        &app.db,
        &app.config,
        email,
        PASSWORD,
        "Acme Terminal",
        &Origin::default(),
    )
    .await
    .unwrap();
    let client = browser();
    let res = call_from(
        app,
        &client,
        "/login",
        "/api/auth/login",
        &[("email", email), ("password", PASSWORD)],
        Via::Form,
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    (created.account.id, (created.key.model.id, created.key.secret), client)
}

/// The dashboard page a plain form post (no JavaScript) returns to, as the browser shows it.
async fn form_post_page(app: &TestApp, client: &Client, path: &str, fields: &[(&str, &str)]) -> String {
    let res = call_from(app, client, "/dashboard", path, fields, Via::Form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_string();
    assert!(location.contains("__err="), "{location}");
    let url = if location.starts_with("http") {
        location
    } else {
        app.url(&location)
    };
    let res = client.get(url).header(header::ACCEPT, HTML).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

/// Waits until the meter has counted `n` calls of the account (it writes in batches), and
/// returns them one per call (the meter writes alike calls of a batch as one row).
async fn metered(app: &TestApp, account_id: &str, n: u64) -> Vec<usage_event::Model> {
    let mut rows = Vec::new();
    for _ in 0..100 {
        rows = usage_event::Entity::find()
            .filter(usage_event::Column::AccountId.eq(account_id))
            .all(&app.db)
            .await
            .unwrap();
        if rows.iter().map(|r| r.calls as u64).sum::<u64>() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    rows.into_iter()
        .flat_map(|r| std::iter::repeat_n(r.clone(), r.calls as usize))
        .collect()
}

/// The account's scans not yet finished.
async fn unfinished_scans(app: &TestApp, account_id: &str) -> u64 {
    scan::Entity::find()
        .filter(scan::Column::AccountId.eq(account_id))
        .filter(scan::Column::Status.is_in(app::status::ScanStatus::UNFINISHED))
        .count(&app.db)
        .await
        .unwrap()
}

/// One API key's lane: calls with the key (a mix of the webhook calls that cost something and
/// plain reads) until the daily quota refuses, rotating to a fresh key (a call too) before
/// the key's 5-a-minute window could bind, so the daily quota is what stops every lane.
/// Returns the calls the limiter admitted.
async fn key_lane(
    client: Client,
    base: String,
    (mut id, mut secret): (String, String),
    mut used: u32,
    webhook_id: String,
    delivery_id: String,
) -> u64 {
    let mut admitted = 0;
    let mut step = 0;
    loop {
        let url = |path: &str| format!("{base}{path}");
        let (verdict, status, body) = if used == 4 {
            let req = client
                .post(url(&format!("/v1/auth/keys/{id}/rotate")))
                .json(&json!({"expire_old_in_secs": 0}));
            api_verdict(req.bearer_auth(&secret).send().await.unwrap()).await
        } else {
            step += 1;
            let req = match step % 5 {
                0 => client.get(url("/v1/auth/keys")),
                1 => client.post(url(&format!("/v1/webhooks/{webhook_id}/test"))),
                2 => client.post(url(&format!("/v1/webhooks/deliveries/{delivery_id}/redeliver"))),
                3 => client
                    .post(url("/v1/webhooks/deliveries/replay"))
                    .json(&json!({"since": "2000-01-01T00:00:00Z"})),
                _ => client.get(url("/v1/auth/usage")),
            };
            api_verdict(req.bearer_auth(&secret).send().await.unwrap()).await
        };
        match verdict {
            Verdict::DailyQuota => return admitted,
            Verdict::RateLimited => panic!("a key's minute window bound first: {body}"),
            Verdict::Admitted => {
                assert!(status.is_success() || status == StatusCode::CONFLICT, "{status} {body}");
                admitted += 1;
                if used == 4 {
                    assert_eq!(status, 201, "{body}");
                    id = body["id"].as_str().unwrap().to_string();
                    secret = body["api_key"].as_str().unwrap().to_string();
                    used = 0;
                } else {
                    used += 1;
                }
            }
        }
    }
}

/// A free account with its three keys and its dashboard gets exactly 50 admitted calls in
/// its day, whichever of them makes them, and exactly one scan running at a time.
async fn exact_daily_quota(kind: Db, redis: Option<String>) {
    let mut env = Vec::new();
    if let Some(url) = &redis {
        env.push(("AURA_REDIS_URL", url.as_str()));
    }
    let Some((app, gh)) = app_with_github(kind, &env).await else {
        return;
    };
    for i in 1..=4 {
        gh.add(&format!("acme/orbit{i}"), github::healthy_repo(i));
    }
    // Scans stay running while the others are refused.
    gh.set_archive_delay(Duration::from_secs(3));
    let email = format!("quota-{}@acme.example", crate::common::random_hex(4));
    let (account_id, first_key, owner) = free_account(&app, &email).await;
    let mut admitted: u64 = 0;
    let mut calls: u64 = 0;
    let mut dashboard_calls: u64 = 0;

    // The dashboard makes the two more keys the tier allows: a call each.
    let mut keys = vec![first_key];
    for name in ["second", "third"] {
        let res = dashboard(&app, &owner, "/api/keys/create", &[("name", name)])
            .send()
            .await
            .unwrap();
        let (verdict, status, text) = dashboard_verdict(res).await;
        assert_eq!((verdict, status), (Verdict::Admitted, StatusCode::OK), "{text}");
        let key: Value = serde_json::from_str(&text).unwrap();
        keys.push((
            key["id"].as_str().unwrap().to_string(),
            key["secret"].as_str().unwrap().to_string(),
        ));
        (admitted, calls, dashboard_calls) = (admitted + 1, calls + 1, dashboard_calls + 1);
    }

    // Four scans at once, one from each key and one from the dashboard: all four are calls,
    // exactly one is a scan.
    let mut started = Vec::new();
    for (i, (_, secret)) in keys.iter().enumerate() {
        let req = app
            .client
            .post(app.url("/v1/scan/repo"))
            .bearer_auth(secret)
            .json(&json!({"url": format!("acme/orbit{}", i + 1)}));
        started.push(tokio::spawn(async move { req.send().await.unwrap() }));
    }
    let req = dashboard(&app, &owner, "/api/scans/start", &[("repo", "acme/orbit4")]);
    let from_dashboard = tokio::spawn(async move { req.send().await.unwrap() });
    let mut scans = 0;
    for task in started {
        let (verdict, status, body) = api_verdict(task.await.unwrap()).await;
        assert_eq!(verdict, Verdict::Admitted, "{body}");
        match status.as_u16() {
            202 => scans += 1,
            429 => assert_eq!(body["error"]["code"], "concurrent_scan_limit", "{body}"),
            other => panic!("{other} {body}"),
        }
    }
    let (verdict, status, text) = dashboard_verdict(from_dashboard.await.unwrap()).await;
    assert_eq!(verdict, Verdict::Admitted, "{text}");
    match status.as_u16() {
        200 => scans += 1,
        429 => assert!(text.contains("scan in progress"), "{text}"),
        other => panic!("{other} {text}"),
    }
    assert_eq!(scans, 1, "one concurrent scan for the whole account");
    assert_eq!(unfinished_scans(&app, &account_id).await, 1);
    (admitted, calls, dashboard_calls) = (admitted + 4, calls + 4, dashboard_calls + 1);

    // An endpoint (free: registering costs nothing) and a test event from the dashboard.
    let hooks = receiver::start().await;
    let hook_url = hooks.url("/hook");
    let res = dashboard(&app, &owner, "/api/webhooks/create", &[("url", hook_url.as_str())])
        .send()
        .await
        .unwrap();
    let (_, status, text) = dashboard_verdict(res).await;
    assert_eq!(status, 200, "{text}");
    let webhook_id = serde_json::from_str::<Value>(&text).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = dashboard(&app, &owner, "/api/webhooks/test", &[("id", webhook_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(dashboard_verdict(res).await.0, Verdict::Admitted);
    (admitted, calls, dashboard_calls) = (admitted + 1, calls + 1, dashboard_calls + 1);
    let delivery_id = delivery::Entity::find()
        .filter(delivery::Column::AccountId.eq(account_id.as_str()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;

    // The three keys, in parallel, until the day's quota refuses each of them. Each key has
    // made one call (its scan).
    let lanes: Vec<_> = keys
        .into_iter()
        .map(|key| {
            let lane = key_lane(
                app.client.clone(),
                app.base.clone(),
                key,
                1,
                webhook_id.clone(),
                delivery_id.clone(),
            );
            tokio::spawn(lane)
        })
        .collect();
    for lane in lanes {
        let n = lane.await.unwrap();
        // Each lane's last call was refused for the quota.
        (admitted, calls) = (admitted + n, calls + n + 1);
    }
    assert_eq!(admitted, 50, "the free tier's day, across three keys and the dashboard");

    // The dashboard has room in its minute window (4 of 5 used), but not in the day: its
    // redelivery is refused with the limiter's message, and the page shows it.
    let res = dashboard(&app, &owner, "/api/webhooks/redeliver", &[("id", delivery_id.as_str())])
        .send()
        .await
        .unwrap();
    let (verdict, _, text) = dashboard_verdict(res).await;
    assert_eq!(verdict, Verdict::DailyQuota, "{text}");
    let page = form_post_page(&app, &owner, "/api/webhooks/test", &[("id", webhook_id.as_str())]).await;
    assert!(page.contains("Daily quota of 50 requests reached"), "{page}");
    (calls, dashboard_calls) = (calls + 2, dashboard_calls + 2);

    // Every call is metered, refused ones included; the dashboard's under its own key id.
    let events = metered(&app, &account_id, calls).await;
    assert_eq!(events.len() as u64, calls);
    assert_eq!(
        events.iter().filter(|e| e.key_id == "dashboard").count() as u64,
        dashboard_calls
    );
    for e in events.iter().filter(|e| e.key_id == "dashboard") {
        assert!(e.route.starts_with("/dashboard/"), "{e:?}");
    }
    app.stop().await;
}

async fn three_keys_and_the_dashboard_share_fifty_calls(kind: Db) {
    exact_daily_quota(kind, None).await
}

on_both_kinds!(three_keys_and_the_dashboard_share_fifty_calls);

/// The same, with the limiter's state in Redis (scale-out mode) on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_keys_and_the_dashboard_share_fifty_calls_on_redis() {
    match std::env::var("AURA_TEST_REDIS_URL") {
        Ok(url) => exact_daily_quota(Db::Postgres, Some(url)).await,
        Err(_) if std::env::var("AURA_TEST_REQUIRE_POSTGRES").is_ok() => panic!("CI must set AURA_TEST_REDIS_URL"),
        Err(_) => eprintln!("skipped: AURA_TEST_REDIS_URL not set"),
    }
}

/// Each costly dashboard action is one call of the dashboard's window (5 a minute for the
/// free tier) and of the account's day; a sixth is refused with the limiter's message, in the
/// page too; what costs nothing (re-enabling without a replay) still works.
async fn dashboard_actions_are_limited_and_metered(kind: Db) {
    let Some((app, gh)) = app_with_github(kind, &[]).await else {
        return;
    };
    gh.add("acme/orbit", github::healthy_repo(1));
    let (account_id, (_, key), owner) = free_account(&app, "actions@acme.example").await;
    let hooks = receiver::start().await;
    let res = dashboard(
        &app,
        &owner,
        "/api/webhooks/create",
        &[("url", hooks.url("/hook").as_str())],
    )
    .send()
    .await
    .unwrap();
    let webhook: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    let webhook_id = webhook["id"].as_str().unwrap().to_string();

    let call = |path: &'static str, fields: Vec<(&'static str, String)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        dashboard(&app, &owner, path, &fields)
    };
    let costly = || {
        vec![
            ("/api/keys/create", vec![("name", "extra".to_string())]),
            ("/api/webhooks/test", vec![("id", webhook_id.clone())]),
            ("/api/scans/start", vec![("repo", "acme/orbit".to_string())]),
            (
                "/api/webhooks/enable",
                vec![("id", webhook_id.clone()), ("replay", "on".to_string())],
            ),
        ]
    };
    for (path, fields) in costly() {
        let (verdict, status, text) = dashboard_verdict(call(path, fields).send().await.unwrap()).await;
        assert_eq!((verdict, status), (Verdict::Admitted, StatusCode::OK), "{path}: {text}");
    }
    let delivery_id = delivery::Entity::find()
        .filter(delivery::Column::AccountId.eq(account_id.as_str()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let redeliver = || call("/api/webhooks/redeliver", vec![("id", delivery_id.clone())]);
    // Still pending or already sent: a call either way.
    assert_eq!(
        dashboard_verdict(redeliver().send().await.unwrap()).await.0,
        Verdict::Admitted
    );

    // The sixth costly action this minute, whichever it is, is refused.
    let mut refused = 0;
    for (path, fields) in costly()
        .into_iter()
        .chain([("/api/webhooks/redeliver", vec![("id", delivery_id.clone())])])
    {
        let (verdict, _, text) = dashboard_verdict(call(path, fields).send().await.unwrap()).await;
        assert_eq!(verdict, Verdict::RateLimited, "{path}: {text}");
        refused += 1;
    }
    let page = form_post_page(&app, &owner, "/api/webhooks/test", &[("id", webhook_id.as_str())]).await;
    assert!(page.contains("Rate limit of 5 requests per minute reached"), "{page}");
    refused += 1;
    // Re-enabling without a replay costs nothing.
    let (verdict, status, text) = dashboard_verdict(
        call("/api/webhooks/enable", vec![("id", webhook_id.clone())])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((verdict, status), (Verdict::Admitted, StatusCode::OK), "{text}");

    // The API key has its own minute window, and the account's day counts the dashboard's
    // five calls: 50 - 5 - this one.
    let res = app
        .client
        .get(app.url("/v1/auth/keys"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let limits = res.headers()["ratelimit"].to_str().unwrap().to_string();
    assert!(limits.contains("\"day\";r=44;"), "{limits}");

    // Metered under `dashboard`: five admitted calls, and every refusal with its 429.
    let events = metered(&app, &account_id, 5 + refused + 1).await;
    let dash: Vec<_> = events.iter().filter(|e| e.key_id == "dashboard").collect();
    assert_eq!(dash.len() as u64, 5 + refused, "{dash:?}");
    assert_eq!(dash.iter().filter(|e| e.status == 429).count() as u64, refused);
    let mut routes: Vec<&str> = dash
        .iter()
        .filter(|e| e.status != 429)
        .map(|e| e.route.as_str())
        .collect();
    routes.sort();
    assert_eq!(
        routes,
        [
            "/dashboard/keys/create",
            "/dashboard/scans/start",
            "/dashboard/webhooks/redeliver",
            "/dashboard/webhooks/replay",
            "/dashboard/webhooks/test",
        ]
    );
    assert_eq!(dash.iter().filter(|e| e.is_scan).count(), 1);
    app.stop().await;
}

on_both_kinds!(dashboard_actions_are_limited_and_metered);
