//! Retention (issue 15, item 10): old audit entries, raw usage events (rolled into daily
//! totals the usage API still shows), finished scans' progress events and finished webhook
//! deliveries are purged in bounded batches, what is recent or still in use is kept, and the
//! purge runs as a periodic job that one instance at a time holds.

use std::time::Duration;

use app::{
    events::StreamEvent,
    server::{
        config::Retention,
        entities::{audit_log, delivery, delivery_attempt, job, scan, usage_daily, usage_event},
        jobs::{self, JobKind, JobStatus},
        retention,
        scans::events::{self, ScanEvent},
    },
    status::{DeliveryStatus, ScanStatus},
};
use chrono::{DateTime, Utc};
use sea_orm::{sea_query::Expr, ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::common::{self, read_sse, spawn_with, Db, TestApp};

fn days_ago(days: i64) -> DateTime<Utc> {
    Utc::now() - chrono::Duration::days(days)
}

// Scan ids look like real ones (128 random bits in hex), or the stream answers 404.
const OLD_COMPLETED: &str = "0000000000000000000000000000a001";
const OLD_FAILED: &str = "0000000000000000000000000000a002";
const RECENT_DONE: &str = "0000000000000000000000000000a003";
const STILL_RUNNING: &str = "0000000000000000000000000000a004";

/// The application's own periodic purge switched off, so the purges a test runs itself are
/// the only ones (the live job runs at start-up, and could meet rows a test inserts).
const PURGE_OFF: [(&str, &str); 4] = [
    ("AURA_RETENTION_AUDIT_DAYS", "0"),
    ("AURA_RETENTION_USAGE_DAYS", "0"),
    ("AURA_RETENTION_SCAN_EVENTS_DAYS", "0"),
    ("AURA_RETENTION_DELIVERIES_DAYS", "0"),
];

async fn audit_entry(app: &TestApp, action: &str, at: DateTime<Utc>) {
    audit_log::ActiveModel {
        actor: Set("retention@test".into()),
        action: Set(action.into()),
        target: Set("t".into()),
        ip: Set(None),
        user_agent: Set(None),
        details: Set(None),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    let mut got: Vec<String> = audit_log::Entity::find()
        .filter(audit_log::Column::Actor.eq("retention@test"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    got.sort();
    got
}

/// A usage row of `calls` alike calls (the meter writes alike calls of a batch as one row).
async fn usage(app: &TestApp, account_id: &str, key_id: &str, at: DateTime<Utc>, target: Option<&str>, calls: i32) {
    usage_event::ActiveModel {
        key_id: Set(key_id.into()),
        account_id: Set(account_id.into()),
        route: Set("/v1/scan/repo".into()),
        method: Set("POST".into()),
        status: Set(202),
        latency_ms: Set(3),
        target: Set(target.map(str::to_owned)),
        is_scan: Set(target.is_some()),
        created_at: Set(at),
        calls: Set(calls),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
}

/// A scan in `status`, ended `ended` (if it did), with a started, two progress and (when
/// finished) an outcome event.
async fn scan_with_events(app: &TestApp, id: &str, status: ScanStatus, ended: Option<DateTime<Utc>>) {
    scan::ActiveModel {
        id: Set(id.into()),
        kind: Set("repo".into()),
        target: Set(format!("acme/{id}")),
        request: Set(json!({"kind": "repo", "owner": "acme", "repo": id}).to_string()),
        account_id: Set(None),
        key_id: Set(None),
        status: Set(status),
        progress: Set(if ended.is_some() { 100 } else { 40 }),
        result: Set(None),
        error: Set((status == ScanStatus::Failed).then(|| "gone".to_string())),
        callback_url: Set(None),
        attempts: Set(1),
        created_at: Set(days_ago(60)),
        started_at: Set(Some(days_ago(60))),
        completed_at: Set(ended),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let mut evs = vec![
        (StreamEvent::ScanStarted, json!({"scanId": id, "repo": id})),
        (StreamEvent::Progress, json!({"percent": 20, "message": "cloning"})),
        (StreamEvent::Progress, json!({"percent": 40, "message": "checking"})),
    ];
    match status {
        ScanStatus::Completed => evs.push((StreamEvent::ScanCompleted, json!({"scanId": id, "score": 80}))),
        ScanStatus::Failed => evs.push((StreamEvent::ScanFailed, json!({"scanId": id, "error": "gone"}))),
        _ => {}
    }
    for (i, (event, data)) in evs.into_iter().enumerate() {
        let ev = ScanEvent {
            scan_id: id.into(),
            seq: i as i32 + 1,
            event,
            data,
        };
        events::store(&app.db, &ev).await.unwrap();
    }
}

async fn event_names(app: &TestApp, scan_id: &str) -> Vec<StreamEvent> {
    events::since(&app.db, scan_id, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect()
}

/// A delivery in `status`, last changed `changed`, with two attempts and its job in `job`.
async fn delivery_with_attempts(
    app: &TestApp,
    account_id: &str,
    id: &str,
    status: DeliveryStatus,
    changed: DateTime<Utc>,
    job_status: JobStatus,
) {
    delivery::ActiveModel {
        id: Set(id.into()),
        account_id: Set(account_id.into()),
        webhook_id: Set(None),
        url: Set("https://hooks.example/x".into()),
        event: Set("scan_completed".into()),
        scan_id: Set(None),
        payload: Set("{}".into()),
        status: Set(status),
        attempts: Set(2),
        last_status_code: Set(Some(500)),
        last_error: Set(None),
        created_at: Set(changed - chrono::Duration::hours(1)),
        updated_at: Set(changed),
    }
    .insert(&app.db)
    .await
    .unwrap();
    for attempt in 1..=2 {
        delivery_attempt::ActiveModel {
            delivery_id: Set(id.into()),
            attempt: Set(attempt),
            status_code: Set(Some(500)),
            error: Set(None),
            guard_refused: Set(false),
            latency_ms: Set(5),
            created_at: Set(changed),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap();
    }
    // Far in the future, so the delivery workers leave a queued one alone.
    let job_id = jobs::enqueue(&app.db, JobKind::Delivery, id, None, 1, Duration::from_secs(86_400))
        .await
        .unwrap();
    job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(job_status))
        .filter(job::Column::Id.eq(job_id))
        .exec(&app.db)
        .await
        .unwrap();
}

async fn count_attempts(app: &TestApp, delivery_id: &str) -> u64 {
    delivery_attempt::Entity::find()
        .filter(delivery_attempt::Column::DeliveryId.eq(delivery_id))
        .count(&app.db)
        .await
        .unwrap()
}

async fn delivery_ids(app: &TestApp) -> Vec<String> {
    let mut ids: Vec<String> = delivery::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    ids.sort();
    ids
}

async fn usage_api(app: &TestApp, key: &str) -> Value {
    let res = app
        .client
        .get(app.url("/v1/auth/usage"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

fn day_point(usage: &Value, day: DateTime<Utc>) -> (u64, u64) {
    let date = day.format("%Y-%m-%d").to_string();
    let p = usage["daily"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["date"] == date.as_str())
        .unwrap_or_else(|| panic!("{date} in {usage}"));
    (p["requests"].as_u64().unwrap(), p["scans"].as_u64().unwrap())
}

/// Old rows go, recent ones and rows in use stay, usage survives as daily totals the usage
/// API still shows, and a second purge finds nothing (no total counted twice).
async fn purge_removes_old_rows_and_keeps_the_rest(kind: Db) {
    let Some(app) = spawn_with(kind, &PURGE_OFF).await else {
        return;
    };
    let (account_id, key) = common::register(&app, "retention@acme.example").await;
    let key_id = app::server::entities::api_key::Entity::find()
        .filter(app::server::entities::api_key::Column::AccountId.eq(account_id.as_str()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;

    audit_entry(&app, "old.entry", days_ago(401)).await;
    audit_entry(&app, "recent.entry", days_ago(399)).await;

    // Five days ago at noon (older than the 2 days this test keeps raw): a scan and a row of
    // four alike calls on the key, and one call from the dashboard; yesterday one more (kept
    // raw).
    let old_day = (Utc::now().date_naive() - chrono::Days::new(5))
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc();
    usage(&app, &account_id, &key_id, old_day, Some("acme/old"), 1).await;
    usage(
        &app,
        &account_id,
        &key_id,
        old_day + chrono::Duration::seconds(1),
        None,
        4,
    )
    .await;
    usage(&app, &account_id, "dashboard", old_day, None, 1).await;
    usage(&app, &account_id, &key_id, days_ago(1), None, 1).await;
    let before = usage_api(&app, &key).await;
    assert_eq!(day_point(&before, old_day), (6, 1));

    scan_with_events(&app, OLD_COMPLETED, ScanStatus::Completed, Some(days_ago(31))).await;
    scan_with_events(&app, OLD_FAILED, ScanStatus::Failed, Some(days_ago(45))).await;
    scan_with_events(&app, RECENT_DONE, ScanStatus::Completed, Some(days_ago(29))).await;
    // Running (re-run of an old scan: its old events are in use again).
    scan_with_events(&app, STILL_RUNNING, ScanStatus::Running, None).await;

    delivery_with_attempts(
        &app,
        &account_id,
        "oldsent",
        DeliveryStatus::Sent,
        days_ago(31),
        JobStatus::Done,
    )
    .await;
    delivery_with_attempts(
        &app,
        &account_id,
        "oldfailed",
        DeliveryStatus::Failed,
        days_ago(40),
        JobStatus::Dead,
    )
    .await;
    delivery_with_attempts(
        &app,
        &account_id,
        "recentsent",
        DeliveryStatus::Sent,
        days_ago(29),
        JobStatus::Done,
    )
    .await;
    // Pending however old: its job still has to run.
    delivery_with_attempts(
        &app,
        &account_id,
        "oldpending",
        DeliveryStatus::Pending,
        days_ago(90),
        JobStatus::Queued,
    )
    .await;

    let policy = Retention {
        usage_days: 2,
        ..Retention::default()
    };
    let done = retention::purge(&app.db, &policy, Utc::now(), || async { true })
        .await
        .unwrap();
    assert_eq!(done.audit, 1, "{done:?}");
    assert_eq!(done.usage_events, 3, "{done:?}");
    assert_eq!(
        done.scan_events, 6,
        "3 progress events of each old finished scan: {done:?}"
    );
    assert_eq!(done.deliveries, 2, "{done:?}");
    assert!(!done.interrupted);

    assert_eq!(audit_actions(&app).await, ["recent.entry"]);

    // Usage: the old day's events are rolled into totals per key, and shown as before.
    let raw_old = usage_event::Entity::find()
        .filter(usage_event::Column::AccountId.eq(account_id.as_str()))
        .filter(usage_event::Column::CreatedAt.lt(days_ago(2)))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(raw_old, 0);
    let mut totals: Vec<(String, i64, i64)> = usage_daily::Entity::find()
        .filter(usage_daily::Column::AccountId.eq(account_id.as_str()))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|t| {
            assert_eq!(t.day, old_day.date_naive());
            (t.key_id, t.requests, t.scans)
        })
        .collect();
    totals.sort();
    let mut want = vec![("dashboard".to_string(), 1, 0), (key_id.clone(), 5, 1)];
    want.sort();
    assert_eq!(totals, want);
    let after = usage_api(&app, &key).await;
    assert_eq!(day_point(&after, old_day), (6, 1), "{after}");
    assert_eq!(day_point(&after, days_ago(1)), day_point(&before, days_ago(1)));

    // Scan events: an old finished scan keeps only its outcome, which its stream replays.
    assert_eq!(event_names(&app, OLD_COMPLETED).await, [StreamEvent::ScanCompleted]);
    assert_eq!(event_names(&app, OLD_FAILED).await, [StreamEvent::ScanFailed]);
    assert_eq!(event_names(&app, RECENT_DONE).await.len(), 4);
    assert_eq!(event_names(&app, STILL_RUNNING).await.len(), 3);
    let res = app
        .client
        .get(app.url(&format!("/v1/scan/{OLD_COMPLETED}/stream")))
        .send()
        .await
        .unwrap();
    let replayed = read_sse(res, true).await;
    assert_eq!(replayed.len(), 1, "{replayed:?}");
    assert_eq!(replayed[0].event, StreamEvent::ScanCompleted.as_str());

    // Deliveries: the old finished ones go with their attempts and jobs; pending stays.
    assert_eq!(delivery_ids(&app).await, ["oldpending", "recentsent"]);
    for (id, attempts) in [("oldsent", 0), ("oldfailed", 0), ("recentsent", 2), ("oldpending", 2)] {
        assert_eq!(count_attempts(&app, id).await, attempts, "{id}");
    }
    for (id, present) in [
        ("oldsent", false),
        ("oldfailed", false),
        ("recentsent", true),
        ("oldpending", true),
    ] {
        assert_eq!(
            jobs::for_ref(&app.db, JobKind::Delivery, id).await.unwrap().is_some(),
            present,
            "{id}'s job"
        );
    }

    // Again: nothing left to do, and nothing counted twice.
    let again = retention::purge(&app.db, &policy, Utc::now(), || async { true })
        .await
        .unwrap();
    assert_eq!(again, retention::Purged::default());
    assert_eq!(day_point(&usage_api(&app, &key).await, old_day), (6, 1));
    app.stop().await;
}

/// Deletes go in batches of at most `retention::BATCH` rows, asking between batches whether
/// to go on (the job renews its lease there); told to stop, the purge stops after the batch.
async fn purge_goes_in_bounded_batches(kind: Db) {
    let Some(app) = spawn_with(kind, &PURGE_OFF).await else {
        return;
    };
    let n = 2 * retention::BATCH + 500;
    let rows: Vec<audit_log::ActiveModel> = (0..n)
        .map(|i| audit_log::ActiveModel {
            actor: Set("retention@test".into()),
            action: Set(format!("old.{i}")),
            target: Set("t".into()),
            ip: Set(None),
            user_agent: Set(None),
            details: Set(None),
            created_at: Set(days_ago(500)),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(500) {
        audit_log::Entity::insert_many(chunk.to_vec())
            .exec(&app.db)
            .await
            .unwrap();
    }
    let only_audit = Retention {
        usage_days: 0,
        scan_events_days: 0,
        deliveries_days: 0,
        ..Retention::default()
    };
    // Told to stop after the first batch: exactly one batch is gone.
    let stopped = retention::purge(&app.db, &only_audit, Utc::now(), || async { false })
        .await
        .unwrap();
    assert_eq!(stopped.audit, retention::BATCH);
    assert!(stopped.interrupted);
    assert_eq!(audit_actions(&app).await.len() as u64, n - retention::BATCH);

    let mut asked = 0;
    let rest = retention::purge(&app.db, &only_audit, Utc::now(), || {
        asked += 1;
        async { true }
    })
    .await
    .unwrap();
    assert_eq!(rest.audit, n - retention::BATCH);
    assert_eq!(asked, 1, "two batches for the 1,500 left, one question between them");
    assert!(audit_actions(&app).await.is_empty());
    app.stop().await;
}

on_both_kinds!(purge_removes_old_rows_and_keeps_the_rest, purge_goes_in_bounded_batches);

async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..150 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not within 15 s");
}

async fn retention_jobs(app: &TestApp) -> Vec<job::Model> {
    job::Entity::find()
        .filter(job::Column::Kind.eq(JobKind::Retention))
        .all(&app.db)
        .await
        .unwrap()
}

/// In the running application the purge runs by itself every `AURA_RETENTION_INTERVAL_SECS`,
/// as one job however many instances work: a second instance on the same database adds no
/// second job, and while one worker holds the job's lease nobody else purges.
async fn the_periodic_job_purges_in_the_running_app(kind: Db) {
    let env = [
        ("AURA_RETENTION_INTERVAL_SECS", "1"),
        ("AURA_RETENTION_AUDIT_DAYS", "1"),
    ];
    let Some(app) = spawn_with(kind, &env).await else {
        return;
    };
    audit_entry(&app, "old.one", days_ago(2)).await;
    audit_entry(&app, "fresh.one", Utc::now()).await;
    wait_until("the first purge", async || audit_actions(&app).await == ["fresh.one"]).await;

    // A second worker on the same database: still one retention job.
    let database = app.config.database_url.clone();
    let mut second_env = env.to_vec();
    second_env.extend([("AURA_ROLE", "worker"), ("AURA_DATABASE_URL", database.as_str())]);
    let second = spawn_with(kind, &second_env).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(retention_jobs(&app).await.len(), 1);

    // Holding the job's lease, as a worker running the purge does: nobody else purges.
    // Claimed as `jobs::claim` does, but whether due or not (the workers claim it the
    // moment it is due, so a test polling for that would race them).
    let mut held: Option<job::Model> = None;
    wait_until("taking the retention job's lease", async || {
        let taken = job::Entity::update_many()
            .col_expr(job::Column::Status, Expr::value(JobStatus::Running))
            .col_expr(job::Column::Attempts, Expr::value(1))
            .col_expr(job::Column::LockedBy, Expr::value("test-holder"))
            .col_expr(job::Column::LeaseUntil, Expr::value(jobs::now_ms() + 60_000))
            .filter(job::Column::Kind.eq(JobKind::Retention))
            .filter(job::Column::Status.eq(JobStatus::Queued))
            .exec(&app.db)
            .await
            .unwrap();
        if taken.rows_affected == 1 {
            held = retention_jobs(&app).await.pop();
        }
        held.is_some()
    })
    .await;
    let held = held.unwrap();
    audit_entry(&app, "old.two", days_ago(2)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(audit_actions(&app).await, ["fresh.one", "old.two"]);
    // Handed back, due now: the next purge takes it.
    assert!(jobs::reschedule(&app.db, &held, Duration::ZERO, None).await.unwrap());
    wait_until("the purge after the lease", async || {
        audit_actions(&app).await == ["fresh.one"]
    })
    .await;

    let jobs = retention_jobs(&app).await;
    assert_eq!(jobs.len(), 1);
    assert!(jobs[0].last_error.is_none(), "{:?}", jobs[0]);
    second.stop().await;
    app.stop().await;
}

on_both_kinds!(the_periodic_job_purges_in_the_running_app);
