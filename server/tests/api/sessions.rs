//! Browser sessions as someone who can read the `sessions` table sees them (a backup, a
//! replica, an injection): no session id to replay, no key, secret or invitation shown once
//! on its way to the page; and sessions end 30 days after their login however busy they are.

use crate::common;

use crate::common::{browser, TestApp, Via, HTML};
use app::server::{accounts::sessions::storage_key, entities::session};
use reqwest::{header, Client, Response, StatusCode};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::Value;

const PASSWORD: &str = "correct horse battery";

async fn call(app: &TestApp, client: &Client, path: &str, fields: &[(&str, &str)], via: Via) -> Response {
    common::call_from(app, client, "/dashboard", path, fields, via).await
}

/// The raw session id the response's cookie carries.
fn cookie_id(res: &Response) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("aura_session="))
        .map(|c| c.split(';').next().unwrap().to_string())
}

fn row_key(cookie: &str) -> String {
    storage_key(&cookie.parse().expect("a session id"))
}

/// Every row of the sessions table as the reader sees it: key, data, expiry.
async fn dump(app: &TestApp) -> Vec<String> {
    session::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| format!("{} {} {}", r.id, r.data, r.expires_at))
        .collect()
}

fn assert_absent(rows: &[String], secret: &str, what: &str) {
    assert!(secret.len() >= 16, "{what} looks too short to search for: {secret:?}");
    for row in rows {
        assert!(!row.contains(secret), "{what} is stored in plaintext: {row}");
    }
}

/// The session's data as stored (a JSON object).
async fn stored_data(app: &TestApp, cookie: &str) -> Option<serde_json::Map<String, Value>> {
    let row = session::Entity::find_by_id(row_key(cookie))
        .one(&app.db)
        .await
        .unwrap()?;
    Some(serde_json::from_str(&row.data).unwrap())
}

async fn dashboard(app: &TestApp, client: &Client, path: &str) -> Response {
    client
        .get(app.url(path))
        .header(header::ACCEPT, HTML)
        .send()
        .await
        .unwrap()
}

/// The text of the element carrying `testid` in `html`.
fn shown(html: &str, testid: &str) -> Option<String> {
    let rest = html.split(&format!("data-testid=\"{testid}\">")).nth(1)?;
    Some(rest.split('<').next().unwrap().to_string())
}

/// Who the session behind `cookie` belongs to (`None`: anonymous).
async fn whoami(app: &TestApp, cookie: &str) -> Option<String> {
    let res = Client::new()
        .post(app.url("/api/auth/me"))
        .header(header::ORIGIN, &app.base)
        .header(header::COOKIE, format!("aura_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    v["email"].as_str().map(str::to_owned)
}

async fn signup(app: &TestApp, client: &Client, email: &str) -> String {
    let res = call(
        app,
        client,
        "/api/auth/signup",
        &[("email", email), ("name", "Acme Terminal"), ("password", PASSWORD)],
        Via::Form,
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND, "{:?}", res.headers());
    cookie_id(&res).expect("a session cookie")
}

async fn the_store_holds_no_session_id_and_nothing_shown_once(app: TestApp) {
    let client = browser();
    let cookie = signup(&app, &client, "vault@partner.example").await;

    // The first key waits for the next render: sealed, and the row is keyed by the id's hash.
    let rows = dump(&app).await;
    assert_absent(&rows, &cookie, "the session id");
    let data = stored_data(&app, &cookie).await.expect("the row under the id's hash");
    let sealed = data["new_key"].as_str().expect("the first key waits in the session");
    assert!(sealed.starts_with("v1:"), "{sealed}");
    assert!(!data.contains_key("id"), "{data:?}");

    let html = dashboard(&app, &client, "/dashboard").await.text().await.unwrap();
    let key = shown(&html, "fresh-key-value").expect("the first key is shown after sign-up");
    assert!(key.starts_with("aura_pk_free_"), "{key}");
    assert_absent(&rows, &key, "the first API key");
    assert_absent(
        &rows,
        key.trim_start_matches("aura_pk_free_"),
        "the first API key's secret part",
    );
    assert_absent(&dump(&app).await, &key, "the first API key");
    let again = dashboard(&app, &client, "/dashboard").await.text().await.unwrap();
    assert!(shown(&again, "fresh-key-value").is_none(), "a key is shown once");

    // A new key without JavaScript: the same.
    let res = call(&app, &client, "/api/keys/create", &[("name", "bot")], Via::Form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let rows = dump(&app).await;
    let html = dashboard(&app, &client, "/dashboard").await.text().await.unwrap();
    let key = shown(&html, "fresh-key-value").expect("the new key is shown");
    assert_absent(&rows, &key, "a new API key");

    // The webhook secret, rotated and then revealed without JavaScript.
    let res = call(
        &app,
        &client,
        "/api/webhooks/secret/rotate",
        &[("grace", "0")],
        Via::Form,
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let rows = dump(&app).await;
    let html = dashboard(&app, &client, "/dashboard").await.text().await.unwrap();
    let rotated = shown(&html, "webhook-secret-value").expect("the new secret is shown");
    assert!(rotated.starts_with("whsec_"), "{rotated}");
    assert_absent(&rows, &rotated, "the rotated webhook secret");
    assert_absent(&rows, &rotated["whsec_".len()..], "the rotated webhook secret's body");
    let again = dashboard(&app, &client, "/dashboard").await.text().await.unwrap();
    assert!(
        shown(&again, "webhook-secret-value").is_none(),
        "a secret is shown once"
    );

    let res = call(
        &app,
        &client,
        "/api/webhooks/secret/reveal",
        &[("current_password", PASSWORD)],
        Via::Form,
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let rows = dump(&app).await;
    let html = dashboard(&app, &client, "/dashboard").await.text().await.unwrap();
    assert_eq!(shown(&html, "webhook-secret-value").as_deref(), Some(rotated.as_str()));
    assert_absent(&rows, &rotated["whsec_".len()..], "the revealed webhook secret");
    assert_absent(&dump(&app).await, &cookie, "the session id");
}

async fn onboarding_credentials_are_shown_once_and_never_stored_in_plaintext(app: TestApp) {
    use app::server::{accounts::admin, audit::Origin};
    let email = "ops@aurasecurity.example";
    admin::create_or_reset_admin(
        &app.db,
        &app.config,
        &app.keys,
        email,
        PASSWORD,
        "test",
        &Origin::default(),
    )
    .await
    .unwrap();
    let client = browser();
    let res = call(
        &app,
        &client,
        "/api/auth/login",
        &[("email", email), ("password", PASSWORD)],
        Via::Form,
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let cookie = cookie_id(&res).unwrap();

    let res = common::call_from(
        &app,
        &client,
        "/admin",
        "/api/admin/onboard",
        &[
            ("name", "Orbit Wallet"),
            ("email", "team@orbit.example"),
            ("tier", "pro"),
            ("domains", "https://orbit.example"),
        ],
        Via::Form,
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let rows = dump(&app).await;
    let html = dashboard(&app, &client, "/admin").await.text().await.unwrap();
    let key = shown(&html, "onboarded-key").expect("the partner's key is shown");
    let secret = shown(&html, "onboarded-secret").expect("the partner's webhook secret is shown");
    let invite = shown(&html, "onboarded-invite").expect("the invitation link is shown");
    assert!(
        key.starts_with("aura_pk_pro_") && secret.starts_with("whsec_"),
        "{key} {secret}"
    );
    let token = invite.rsplit('/').next().unwrap();
    assert_absent(&rows, &key, "the partner's API key");
    assert_absent(&rows, &secret["whsec_".len()..], "the partner's webhook secret");
    assert_absent(&rows, token, "the invitation token");
    assert_absent(&rows, &cookie, "the admin's session id");
    let again = dashboard(&app, &client, "/admin").await.text().await.unwrap();
    assert!(shown(&again, "onboarded-key").is_none(), "shown once");
}

/// Rewrites the login time of the session behind `cookie`, as a reader with write access
/// to the table could; the row's idle expiry stays fresh.
async fn set_login_age(app: &TestApp, cookie: &str, days: i64) {
    let row = session::Entity::find_by_id(row_key(cookie))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the session's row");
    let mut data: serde_json::Map<String, Value> = serde_json::from_str(&row.data).unwrap();
    let at = chrono::Utc::now() - chrono::Duration::days(days);
    data.insert("login_at".into(), at.timestamp().into());
    let mut am = row.into_active_model();
    am.data = Set(serde_json::to_string(&data).unwrap());
    am.update(&app.db).await.unwrap();
}

async fn sessions_end_thirty_days_after_login_however_busy(app: TestApp) {
    let client = browser();
    let cookie = signup(&app, &client, "busy@partner.example").await;
    assert_eq!(whoami(&app, &cookie).await.as_deref(), Some("busy@partner.example"));
    let data = stored_data(&app, &cookie).await.unwrap();
    let login_at = data["login_at"].as_i64().expect("the login time is recorded");
    assert!((chrono::Utc::now().timestamp() - login_at).abs() < 120, "{login_at}");

    // 29 days after the login, used every day: still open.
    set_login_age(&app, &cookie, 29).await;
    assert_eq!(whoami(&app, &cookie).await.as_deref(), Some("busy@partner.example"));
    assert_eq!(dashboard(&app, &client, "/dashboard").await.status(), 200);

    // 31 days: the next request, a moment after the last, finds it ended and deleted.
    set_login_age(&app, &cookie, 31).await;
    assert_eq!(whoami(&app, &cookie).await, None);
    assert!(stored_data(&app, &cookie).await.is_none(), "the row is gone");
    let res = dashboard(&app, &client, "/dashboard").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/login");

    // A session without a recorded login (opened before the limit existed) ends too.
    let client = browser();
    let cookie = signup(&app, &client, "legacy@partner.example").await;
    let row = session::Entity::find_by_id(row_key(&cookie))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut data: serde_json::Map<String, Value> = serde_json::from_str(&row.data).unwrap();
    data.remove("login_at");
    let mut am = row.into_active_model();
    am.data = Set(serde_json::to_string(&data).unwrap());
    am.update(&app.db).await.unwrap();
    assert_eq!(whoami(&app, &cookie).await, None);

    // Logging in again opens a fresh session with a fresh clock.
    let res = call(
        &app,
        &client,
        "/api/auth/login",
        &[("email", "busy@partner.example"), ("password", PASSWORD)],
        Via::Form,
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let fresh = cookie_id(&res).unwrap();
    assert_eq!(whoami(&app, &fresh).await.as_deref(), Some("busy@partner.example"));
}

on_both_databases!(
    the_store_holds_no_session_id_and_nothing_shown_once,
    onboarding_credentials_are_shown_once_and_never_stored_in_plaintext,
    sessions_end_thirty_days_after_login_however_busy,
);
