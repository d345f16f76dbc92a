//! The browser half of accounts: sign-up, login and logout through the server functions the
//! pages' forms post to, sessions and their cookie, login throttling, the same-origin guard,
//! the dashboard's gate and its key actions. Requests are sent as a browser without
//! JavaScript sends them (form-encoded, `Accept: text/html`, with `Origin`), or as the
//! hydrated page's server-function client does (same, without `text/html`).

use crate::common;

use crate::common::{browser, Db, TestApp, Via, HTML};
use app::server::{
    audit::{self, AuditQuery},
    entities::{api_key, session},
};
use reqwest::{header, Client, Response, StatusCode};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery";

async fn call(app: &TestApp, client: &Client, path: &str, fields: &[(&str, &str)], via: Via) -> Response {
    common::call_from(app, client, "/page", path, fields, via).await
}

fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("aura_session="))
        .map(str::to_owned)
}

/// The sessions table's key for the session id in a cookie (the id's SHA-256).
fn row_key(cookie: &str) -> String {
    app::server::accounts::sessions::storage_key(&cookie.parse().expect("a session id"))
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("aura_session=")
        .to_string()
}

async fn signup(app: &TestApp, client: &Client, email: &str) -> Response {
    let res = call(
        app,
        client,
        "/api/auth/signup",
        &[("email", email), ("name", "Acme Terminal"), ("password", PASSWORD)],
        Via::Form,
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND, "{:?}", res.headers());
    res
}

async fn login(app: &TestApp, client: &Client, email: &str, password: &str, via: Via) -> Response {
    call(
        app,
        client,
        "/api/auth/login",
        &[("email", email), ("password", password)],
        via,
    )
    .await
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

async fn page(app: &TestApp, client: &Client, path: &str) -> Response {
    client
        .get(app.url(path))
        .header(header::ACCEPT, HTML)
        .send()
        .await
        .unwrap()
}

async fn audit_actions(app: &TestApp, actor: &str) -> Vec<String> {
    let rows = audit::list(
        &app.db,
        AuditQuery {
            actor: Some(actor.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    rows.into_iter().rev().map(|r| r.action).collect()
}

async fn signup_creates_a_session_and_shows_the_first_key_once(app: TestApp) {
    let client = browser();
    let res = signup(&app, &client, "New@Partner.Example").await;
    assert_eq!(res.headers()[header::LOCATION], "/dashboard");
    let cookie = session_cookie(&res).expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http in development: {cookie}");
    assert_eq!(
        whoami(&app, &cookie_value(&cookie)).await.as_deref(),
        Some("new@partner.example")
    );

    let res = page(&app, &client, "/dashboard").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("new@partner.example"), "{html}");
    assert!(
        html.contains("data-testid=\"fresh-key\""),
        "the first key is shown after sign-up"
    );
    let key = html
        .split("data-testid=\"fresh-key-value\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert!(key.starts_with("aura_pk_free_"), "{key}");
    let res = app
        .client
        .get(app.url("/v1/auth/keys"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the shown key works");

    let again = page(&app, &client, "/dashboard").await.text().await.unwrap();
    assert!(!again.contains("data-testid=\"fresh-key\""), "a key is shown once");
    assert!(!again.contains(&key));
    assert_eq!(audit_actions(&app, "new@partner.example").await, ["account.register"]);

    // Errors come back inline: taken email (409), bad password (422).
    let res = call(
        &app,
        &browser(),
        "/api/auth/signup",
        &[("email", "new@partner.example"), ("name", "X"), ("password", PASSWORD)],
        Via::Script,
    )
    .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("already exists"));
    let res = call(
        &app,
        &browser(),
        "/api/auth/signup",
        &[("email", "b@partner.example"), ("name", "X"), ("password", "short")],
        Via::Script,
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("at least 8 characters"));
    // Without JavaScript the form gets its error back through the redirect.
    let res = call(
        &app,
        &browser(),
        "/api/auth/signup",
        &[("email", "new@partner.example"), ("name", "X"), ("password", PASSWORD)],
        Via::Form,
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_string();
    assert!(
        location.starts_with(&app.url("/page?")) && location.contains("__err="),
        "{location}"
    );
    assert!(session_cookie(&res).is_none());
}

async fn login_with_a_wrong_password_is_refused(app: TestApp) {
    signup(&app, &browser(), "login@partner.example").await;
    let client = browser();
    let res = login(&app, &client, "login@partner.example", "not the password", Via::Script).await;
    assert_eq!(res.status(), 401);
    assert!(session_cookie(&res).is_none());
    assert!(res.text().await.unwrap().contains("Wrong email or password."));
    // An unknown email reads the same.
    let res = login(&app, &client, "nobody@partner.example", "not the password", Via::Script).await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("Wrong email or password."));

    // Without JavaScript: back to the form with the message.
    let res = login(&app, &client, "login@partner.example", "not the password", Via::Form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert!(res.headers()[header::LOCATION].to_str().unwrap().contains("__err="));

    let res = login(&app, &client, "LOGIN@partner.example", PASSWORD, Via::Form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()[header::LOCATION], "/dashboard");
    assert!(session_cookie(&res).is_some());
    assert_eq!(page(&app, &client, "/dashboard").await.status(), 200);
    let actions = audit_actions(&app, "login@partner.example").await;
    assert_eq!(
        actions,
        ["account.register", "login.failure", "login.failure", "login.success"]
    );
    let row = &audit::list(
        &app.db,
        AuditQuery {
            action: Some("login.success".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()[0];
    assert_eq!(row.ip.as_deref(), Some("127.0.0.1"));
}

async fn brute_force_is_throttled(app: TestApp) {
    signup(&app, &browser(), "victim@partner.example").await;
    let attacker = browser();
    for _ in 0..5 {
        let res = login(&app, &attacker, "victim@partner.example", "guess", Via::Script).await;
        assert_eq!(res.status(), 401);
    }
    // The cool-down refuses even the right password, so guesses learn nothing.
    let res = login(&app, &attacker, "victim@partner.example", PASSWORD, Via::Script).await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((800..=900).contains(&retry), "{retry}");
    assert!(session_cookie(&res).is_none());
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Too many attempts, try again in 15 minutes."));

    // Without JavaScript the form comes back with the message, and the page answers 429.
    let res = login(&app, &attacker, "victim@partner.example", PASSWORD, Via::Form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .replace(&app.url("/page"), "/login");
    let res = page(&app, &attacker, &location).await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("Too many attempts"));

    let actions = audit_actions(&app, "victim@partner.example").await;
    assert_eq!(actions.iter().filter(|a| *a == "login.failure").count(), 5);
    assert_eq!(actions.iter().filter(|a| *a == "login.throttled").count(), 2);
    assert!(!actions.contains(&"login.success".to_string()));

    // Per address: 20 failures over many emails lock that address out for every email.
    for i in 0..15 {
        let res = login(
            &app,
            &attacker,
            &format!("spray{i}@partner.example"),
            "guess",
            Via::Script,
        )
        .await;
        assert_eq!(res.status(), 401, "attempt {i}");
    }
    let res = login(&app, &attacker, "someone-else@partner.example", "guess", Via::Script).await;
    assert_eq!(res.status(), 429);
}

async fn session_id_changes_at_login(app: TestApp) {
    signup(&app, &browser(), "fixation@partner.example").await;
    // An attacker plants a well-formed session id in the victim's browser.
    let planted = tower_sessions::session::Id::default().to_string();
    let res = Client::new()
        .post(app.url("/api/auth/login"))
        .header(header::ORIGIN, &app.base)
        .header(header::COOKIE, format!("aura_session={planted}"))
        .form(&[("email", "fixation@partner.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let issued = cookie_value(&session_cookie(&res).unwrap());
    assert_ne!(issued, planted);
    assert_eq!(whoami(&app, &planted).await, None);
    assert_eq!(whoami(&app, &issued).await.as_deref(), Some("fixation@partner.example"));

    // A session that existed before a login is replaced, and its old id is dead.
    let client = browser();
    let first = cookie_value(
        &session_cookie(&login(&app, &client, "fixation@partner.example", PASSWORD, Via::Form).await).unwrap(),
    );
    let second = cookie_value(
        &session_cookie(&login(&app, &client, "fixation@partner.example", PASSWORD, Via::Form).await).unwrap(),
    );
    assert_ne!(first, second);
    assert_eq!(whoami(&app, &first).await, None);
    assert!(session::Entity::find_by_id(row_key(&first))
        .one(&app.db)
        .await
        .unwrap()
        .is_none());
    assert_eq!(whoami(&app, &second).await.as_deref(), Some("fixation@partner.example"));
}

async fn logout_deletes_the_session(app: TestApp) {
    let client = browser();
    let cookie = cookie_value(&session_cookie(&signup(&app, &client, "bye@partner.example").await).unwrap());
    assert!(session::Entity::find_by_id(row_key(&cookie))
        .one(&app.db)
        .await
        .unwrap()
        .is_some());

    // GET /logout only asks.
    let res = page(&app, &client, "/logout").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("data-testid=\"logout\""));
    assert_eq!(whoami(&app, &cookie).await.as_deref(), Some("bye@partner.example"));

    let res = call(&app, &client, "/api/auth/logout", &[], Via::Form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()[header::LOCATION], "/login");
    let removal = session_cookie(&res).expect("the cookie is removed");
    assert!(removal.contains("Max-Age=0") || removal.contains("1970"), "{removal}");
    assert!(session::Entity::find_by_id(row_key(&cookie))
        .one(&app.db)
        .await
        .unwrap()
        .is_none());
    assert_eq!(whoami(&app, &cookie).await, None);
    let res = page(&app, &client, "/dashboard").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(audit_actions(&app, "bye@partner.example")
        .await
        .contains(&"logout".to_string()));
}

async fn cross_origin_server_function_calls_are_refused(app: TestApp) {
    let client = browser();
    signup(&app, &client, "csrf@partner.example").await;
    let keys = || async { api_key::Entity::find().count(&app.db).await.unwrap() };
    let before = keys().await;

    let forged = [
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
        vec![("origin", app.base.as_str()), ("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![],
    ];
    for headers in forged {
        let mut req = client
            .post(app.url("/api/keys/create"))
            .header(header::ACCEPT, HTML)
            .form(&[("name", "forged")]);
        for (k, v) in &headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 403, "{headers:?}");
    }
    let res = client
        .post(app.url("/api/auth/logout"))
        .header(header::ORIGIN, "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(keys().await, before, "nothing happened");
    assert!(!audit_actions(&app, "csrf@partner.example")
        .await
        .contains(&"logout".to_string()));

    // Our own pages pass, by Origin or by Sec-Fetch-Site alone.
    let res = call(&app, &client, "/api/keys/create", &[("name", "mine")], Via::Script).await;
    assert_eq!(res.status(), 200);
    let res = client
        .post(app.url("/api/keys/create"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("name", "mine too")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(keys().await, before + 2);
}

async fn dashboard_requires_a_session(app: TestApp) {
    let res = page(&app, &browser(), "/dashboard").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/login");
    let res = call(&app, &browser(), "/api/keys/overview", &[], Via::Script).await;
    assert_eq!(res.status(), 401);
    for path in ["/login", "/signup"] {
        let res = page(&app, &browser(), path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert!(session_cookie(&res).is_none(), "visitors get no session");
    }
}

async fn dashboard_key_actions(app: TestApp) {
    let client = browser();
    signup(&app, &client, "keys@partner.example").await;
    let _ = page(&app, &client, "/dashboard").await; // takes the sign-up key's one-time display

    // Without JavaScript: create, then the next render shows the key once.
    let res = call(&app, &client, "/api/keys/create", &[("name", "bot")], Via::Form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let html = page(&app, &client, "/dashboard").await.text().await.unwrap();
    assert!(
        html.contains("data-testid=\"fresh-key\"") && html.contains("bot"),
        "{html}"
    );

    // As the hydrated page: the key comes in the answer.
    let res = call(&app, &client, "/api/keys/create", &[("name", "")], Via::Script).await;
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.unwrap();
    let key = created["secret"].as_str().unwrap().to_string();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["name"], "API key");
    let html = page(&app, &client, "/dashboard").await.text().await.unwrap();
    assert!(!html.contains(&key), "the answer was the one display");

    // Only the offered grace periods.
    let res = call(
        &app,
        &client,
        "/api/keys/rotate",
        &[("id", &id), ("grace", "5")],
        Via::Script,
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = call(
        &app,
        &client,
        "/api/keys/rotate",
        &[("id", &id), ("grace", "3600")],
        Via::Script,
    )
    .await;
    assert_eq!(res.status(), 200);
    let rotated: Value = res.json().await.unwrap();
    let v1 = |k: &str| {
        app.client
            .get(app.url("/v1/auth/keys"))
            .bearer_auth(k.to_string())
            .send()
    };
    assert_eq!(v1(&key).await.unwrap().status(), 200, "the old key has an hour left");
    assert_eq!(v1(rotated["secret"].as_str().unwrap()).await.unwrap().status(), 200);
    let html = page(&app, &client, "/dashboard").await.text().await.unwrap();
    assert!(html.contains("expiring at"), "{html}");

    let res = call(&app, &client, "/api/keys/revoke", &[("id", &id)], Via::Form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(v1(&key).await.unwrap().status(), 401);
    let html = page(&app, &client, "/dashboard").await.text().await.unwrap();
    assert!(html.contains("revoked at"), "{html}");
    let actions = audit_actions(&app, "keys@partner.example").await;
    assert_eq!(
        actions,
        [
            "account.register",
            "key.create",
            "key.create",
            "key.rotate",
            "key.revoke"
        ]
    );
}

async fn another_accounts_key_cannot_be_touched(app: TestApp) {
    let a = browser();
    signup(&app, &a, "a@tenant.example").await;
    let b = app
        .client
        .post(app.url("/v1/auth/register"))
        .json(&json!({"email": "b@tenant.example", "password": PASSWORD, "name": "B"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let b_id = b["key"]["id"].as_str().unwrap();
    let res = call(&app, &a, "/api/keys/revoke", &[("id", b_id)], Via::Script).await;
    assert_eq!(res.status(), 404);
    let res = call(
        &app,
        &a,
        "/api/keys/rotate",
        &[("id", b_id), ("grace", "0")],
        Via::Script,
    )
    .await;
    assert_eq!(res.status(), 404);
    let res = app
        .client
        .get(app.url("/v1/auth/keys"))
        .bearer_auth(b["api_key"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "B's key still works");
    assert_eq!(
        api_key::Entity::find().count(&app.db).await.unwrap(),
        2,
        "no replacement was issued"
    );
}

async fn the_api_sets_no_cookies(app: TestApp) {
    let res = app
        .client
        .post(app.url("/v1/auth/register"))
        .header(header::ORIGIN, "https://evil.example")
        .json(&json!({"email": "api@partner.example", "password": PASSWORD, "name": "API"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "the same-origin guard is not on /v1");
    assert!(res.headers().get(header::SET_COOKIE).is_none());
    let key = res.json::<Value>().await.unwrap()["api_key"]
        .as_str()
        .unwrap()
        .to_string();
    // Even with a valid session cookie, /v1 answers by the key alone and sets nothing.
    let client = browser();
    signup(&app, &client, "both@partner.example").await;
    let res = client.get(app.url("/v1/auth/keys")).send().await.unwrap();
    assert_eq!(res.status(), 401, "a session cookie is no API credential");
    let res = client
        .get(app.url("/v1/auth/keys"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get(header::SET_COOKIE).is_none());
}

/// An operator resetting a password (`server admin create` on an existing admin) ends the
/// browser sessions opened with the old one: whoever had stolen a session loses it with the
/// password. The new password opens a session as usual.
async fn a_password_reset_ends_the_sessions_opened_before(app: TestApp) {
    use app::server::{accounts::admin, audit::Origin};
    let email = "ops@aura.example";
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
    let before = cookie_value(&session_cookie(&login(&app, &browser(), email, PASSWORD, Via::Form).await).unwrap());
    assert_eq!(whoami(&app, &before).await.as_deref(), Some(email));

    admin::create_or_reset_admin(
        &app.db,
        &app.config,
        &app.keys,
        email,
        "a brand new passphrase",
        "cli",
        &Origin::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        whoami(&app, &before).await,
        None,
        "the old session ended with the old password"
    );
    assert!(
        session::Entity::find_by_id(row_key(&before))
            .one(&app.db)
            .await
            .unwrap()
            .is_none(),
        "and is gone from the store"
    );

    let after = cookie_value(
        &session_cookie(&login(&app, &browser(), email, "a brand new passphrase", Via::Form).await).unwrap(),
    );
    assert_eq!(whoami(&app, &after).await.as_deref(), Some(email));
}

async fn parallel_guesses_get_exactly_five_checks(app: TestApp) {
    signup(&app, &browser(), "target@partner.example").await;
    let attempts = (0..50).map(|_| {
        let app = &app;
        async move {
            login(app, &browser(), "target@partner.example", "guess", Via::Script)
                .await
                .status()
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, refused), (5, 45), "{statuses:?}");
    let actions = audit_actions(&app, "target@partner.example").await;
    assert_eq!(actions.iter().filter(|a| *a == "login.failure").count(), 5);

    // An email longer than any address is refused before any work.
    let long = format!("{}@partner.example", "a".repeat(260));
    let res = login(&app, &browser(), &long, "guess", Via::Script).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(audit_actions(&app, &long[..254]).await.is_empty());
}

async fn changing_the_password_ends_the_other_sessions(app: TestApp) {
    let email = "owner@partner.example";
    let here = browser();
    signup(&app, &here, email).await;
    let elsewhere = cookie_value(&session_cookie(&login(&app, &browser(), email, PASSWORD, Via::Form).await).unwrap());
    assert_eq!(whoami(&app, &elsewhere).await.as_deref(), Some(email));

    let change = |current: &'static str, new: &'static str| {
        let (app, here) = (&app, &here);
        async move {
            call(
                app,
                here,
                "/api/account/password",
                &[("current_password", current), ("new_password", new)],
                Via::Script,
            )
            .await
        }
    };
    // The current password is required, and a short new one is refused.
    let res = change("not my password", "a brand new passphrase").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("current password is wrong"));
    assert_eq!(
        change(PASSWORD, "short").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        whoami(&app, &elsewhere).await.as_deref(),
        Some(email),
        "nothing changed yet"
    );

    let res = change(PASSWORD, "a brand new passphrase").await;
    assert_eq!(res.status(), StatusCode::OK);
    let mine = cookie_value(&session_cookie(&res).expect("this session continues under a new id"));
    assert_eq!(whoami(&app, &mine).await.as_deref(), Some(email));
    assert_eq!(whoami(&app, &elsewhere).await, None, "the other session ended");
    assert_eq!(
        login(&app, &browser(), email, PASSWORD, Via::Script).await.status(),
        401
    );
    assert_eq!(
        login(&app, &browser(), email, "a brand new passphrase", Via::Script)
            .await
            .status(),
        200
    );
    let actions = audit_actions(&app, email).await;
    assert!(actions.contains(&"password.change".to_string()), "{actions:?}");
    assert!(actions.contains(&"password.change_failure".to_string()), "{actions:?}");
}

async fn pages_show_only_errors_the_server_signed(app: TestApp) {
    use base64::Engine;
    let spoof =
        base64::engine::general_purpose::URL_SAFE.encode("ServerError|Your account is locked: call +1 555 0100");
    let client = browser();
    for query in [
        format!("__path=%2Fapi%2Fauth%2Flogin&__err={spoof}"),
        format!("__path=%2Fapi%2Fauth%2Flogin&__err={spoof}&__sig=00112233445566778899aabbccddeeff"),
        format!("next=%2Fdashboard&__path=%2Fapi%2Fauth%2Flogin&__err={spoof}"),
    ] {
        let res = page(&app, &client, &format!("/login?{query}")).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{query}");
        let location = res.headers()[header::LOCATION].to_str().unwrap().to_string();
        assert!(
            !location.contains("__err") && location.starts_with("/login"),
            "{location}"
        );
        let html = page(&app, &client, &location).await.text().await.unwrap();
        assert!(!html.contains("call +1 555"), "{html}");
    }
    // Our own error after a form post without JavaScript still reaches the page.
    signup(&app, &browser(), "someone@partner.example").await;
    let res = login(&app, &client, "someone@partner.example", "wrong guess", Via::Form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .replace(&app.url("/page"), "/login");
    assert!(location.contains("__sig="), "{location}");
    let res = page(&app, &client, &location).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Wrong email or password."));
}

/// The key form's scope checkboxes (all checked by default) and allowed origins, with and
/// without JavaScript; the table shows what each key may do.
async fn dashboard_key_scopes_and_origins(app: TestApp) {
    use app::{api_scopes::Scope, server::accounts::keys::Grants};
    use sea_orm::{ColumnTrait, QueryFilter};
    let client = browser();
    signup(&app, &client, "scoped@partner.example").await;
    let html = page(&app, &client, "/dashboard").await.text().await.unwrap();
    for s in Scope::ALL {
        let tag = format!("data-testid=\"scope-{}\"", s.as_str());
        let at = html.find(&tag).unwrap_or_else(|| panic!("{tag} in {html}"));
        let input = &html[html[..at].rfind('<').unwrap()..at + html[at..].find('>').unwrap()];
        assert!(input.contains("checked"), "{input}");
    }
    assert!(html.contains("data-testid=\"key-origins\""));
    assert!(html.contains(">all</td>"), "the sign-up key has every scope");

    let fields = [
        ("name", "page"),
        ("scopes_chosen", "1"),
        ("scopes[]", "scans:read"),
        ("scopes[]", "usage"),
        (
            "allowed_origins",
            "https://Terminal.example\r\nhttps://b.example, http://localhost:5173",
        ),
    ];
    let res = call(&app, &client, "/api/keys/create", &fields, Via::Form).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let key = api_key::Entity::find()
        .filter(api_key::Column::Name.eq("page"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("made");
    let grants = Grants::of(&key);
    assert_eq!(grants.scopes, vec![Scope::ScansRead, Scope::Usage]);
    assert_eq!(
        grants.allowed_origins,
        vec!["https://terminal.example", "https://b.example", "http://localhost:5173"]
    );
    let html = page(&app, &client, "/dashboard").await.text().await.unwrap();
    assert!(html.contains("scans:read, usage"), "{html}");
    assert!(html.contains("https://terminal.example, https://b.example"), "{html}");

    let before = api_key::Entity::find().count(&app.db).await.unwrap();
    for bad in [
        vec![("name", "none"), ("scopes_chosen", "1")],
        vec![("name", "odd"), ("scopes_chosen", "1"), ("scopes[]", "admin")],
        vec![("name", "evil"), ("allowed_origins", "http://evil.example")],
    ] {
        let res = call(&app, &client, "/api/keys/create", &bad, Via::Script).await;
        assert!(res.status().is_client_error(), "{bad:?}: {}", res.status());
    }
    assert_eq!(api_key::Entity::find().count(&app.db).await.unwrap(), before);
}

on_both_databases!(
    a_password_reset_ends_the_sessions_opened_before,
    pages_show_only_errors_the_server_signed,
    parallel_guesses_get_exactly_five_checks,
    changing_the_password_ends_the_other_sessions,
    signup_creates_a_session_and_shows_the_first_key_once,
    login_with_a_wrong_password_is_refused,
    brute_force_is_throttled,
    session_id_changes_at_login,
    logout_deletes_the_session,
    cross_origin_server_function_calls_are_refused,
    dashboard_requires_a_session,
    dashboard_key_actions,
    dashboard_key_scopes_and_origins,
    another_accounts_key_cannot_be_touched,
    the_api_sets_no_cookies,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_cookies_are_secure() {
    let app = common::spawn_with(Db::Sqlite, &[("AURA_ENV", "production")])
        .await
        .unwrap();
    let res = signup(&app, &browser(), "prod@partner.example").await;
    let cookie = session_cookie(&res).unwrap();
    for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(
        cookie.contains("Max-Age=") || cookie.contains("Expires="),
        "expires with inactivity: {cookie}"
    );
}
