//! Usage metering. Every authenticated `/v1` call becomes one event, sent over a channel to
//! a writer task. The writer tallies the events that arrive together by key, route, method,
//! status, target and UTC day, and writes one row per tally with the number of calls it
//! stands for, then moves each key's `last_used_at` forward: the request path never waits for
//! a database write, and a flood of identical calls costs a row per batch rather than a row
//! per call (at tens of thousands of calls a second, rows per call were most of a call's cost,
//! and the table's growth was the flood's).

use std::{collections::HashMap, sync::Arc, time::Duration};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, FromQueryResult,
    QueryFilter, Statement,
};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot, Notify};

use crate::server::entities::api_key;

#[derive(Clone, Debug)]
pub struct UsageEvent {
    pub key_id: String,
    pub account_id: String,
    pub route: String,
    pub method: String,
    pub status: u16,
    pub latency_ms: u32,
    pub target: Option<String>,
    pub is_scan: bool,
    pub at: DateTime<Utc>,
}

enum Msg {
    Event(UsageEvent),
    Flush(oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct Meter {
    tx: mpsc::Sender<Msg>,
    /// Cuts the writer's gathering pause short when someone waits for a flush.
    flush_now: Arc<Notify>,
}

/// Most rows in one transaction.
const BATCH: usize = 500;

/// How long the writer lets events gather after the first one before writing them all.
const GATHER: Duration = Duration::from_millis(200);

impl Meter {
    /// Starts the writer task.
    pub fn start(db: DatabaseConnection) -> Self {
        let (tx, rx) = mpsc::channel(20_000);
        let flush_now = Arc::new(Notify::new());
        tokio::spawn(writer(db, rx, flush_now.clone()));
        Self { tx, flush_now }
    }

    /// Never blocks the request: when the buffer is full the event is dropped and counted.
    pub fn record(&self, event: UsageEvent) {
        if self.tx.try_send(Msg::Event(event)).is_err() {
            tracing::warn!("usage meter buffer full; event dropped");
        }
    }

    /// Waits until everything recorded so far is in the database (read-your-writes for the
    /// usage endpoint).
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Msg::Flush(tx)).await.is_ok() {
            self.flush_now.notify_one();
            let _ = rx.await;
        }
    }
}

/// What makes calls one row: everything a row says but when and how fast.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Kind {
    key_id: String,
    account_id: String,
    route: String,
    method: String,
    status: u16,
    target: Option<String>,
    is_scan: bool,
    /// The summary counts by UTC day: a row never spans two.
    day: NaiveDate,
}

/// The calls of one [`Kind`] in a batch.
#[derive(Debug)]
struct Count {
    calls: u32,
    slowest_ms: u32,
    first: DateTime<Utc>,
    last: DateTime<Utc>,
}

/// The events of one batch, tallied into the rows they become.
#[derive(Default)]
struct Tally(HashMap<Kind, Count>);

impl Tally {
    fn add(&mut self, e: UsageEvent) {
        let kind = Kind {
            day: e.at.date_naive(),
            key_id: e.key_id,
            account_id: e.account_id,
            route: e.route,
            method: e.method,
            status: e.status,
            target: e.target,
            is_scan: e.is_scan,
        };
        let c = self.0.entry(kind).or_insert(Count {
            calls: 0,
            slowest_ms: 0,
            first: e.at,
            last: e.at,
        });
        c.calls = c.calls.saturating_add(1);
        c.slowest_ms = c.slowest_ms.max(e.latency_ms);
        c.first = c.first.min(e.at);
        c.last = c.last.max(e.at);
    }

    fn rows(&self) -> usize {
        self.0.len()
    }
}

/// Parks on the channel until an event arrives, then sleeps while more gather and writes
/// everything that came, at most [`BATCH`] rows per transaction. It does not wake for each
/// event: under load a wake and a timer per event cost more than the event's row.
async fn writer(db: DatabaseConnection, mut rx: mpsc::Receiver<Msg>, flush_now: Arc<Notify>) {
    let mut tally = Tally::default();
    let mut waiters: Vec<oneshot::Sender<()>> = Vec::new();
    let take = |m: Msg, tally: &mut Tally, waiters: &mut Vec<oneshot::Sender<()>>| match m {
        Msg::Event(e) => tally.add(e),
        Msg::Flush(w) => waiters.push(w),
    };
    while let Some(first) = rx.recv().await {
        take(first, &mut tally, &mut waiters);
        if waiters.is_empty() {
            tokio::select! {
                _ = tokio::time::sleep(GATHER) => {}
                _ = flush_now.notified() => {}
            }
        }
        // Everything that arrived, so a backlog never outgrows the buffer. A flush is answered
        // once the events sent before it (ahead of it in the channel) are written.
        let mut drained = false;
        while !drained {
            while tally.rows() < BATCH {
                match rx.try_recv() {
                    Ok(m) => take(m, &mut tally, &mut waiters),
                    Err(_) => {
                        drained = true;
                        break;
                    }
                }
            }
            if tally.rows() > 0 {
                let rows = std::mem::take(&mut tally);
                if let Err(e) = write_batch(&db, rows).await {
                    tracing::error!(error = %e, "usage batch write failed");
                }
            }
            for w in waiters.drain(..) {
                let _ = w.send(());
            }
        }
    }
}

/// Rows per insert statement, largest first. A batch goes in as full statements of these
/// sizes, so only these few SQL texts exist and the driver prepares each once per connection
/// and reuses it; one statement sized to each batch was a new text (parsed and planned anew)
/// almost every time.
const ROWS_PER_INSERT: [usize; 4] = [128, 32, 8, 1];
const COLUMNS: &str = "key_id, account_id, route, method, status, latency_ms, target, is_scan, created_at, calls";
const COLUMN_COUNT: usize = 10;

/// `INSERT INTO usage_events (…) VALUES (?, …), …` for `rows` rows (see `db::statement`).
fn insert_sql(rows: usize) -> String {
    let row = format!("({})", ["?"; COLUMN_COUNT].join(", "));
    format!(
        "INSERT INTO usage_events ({COLUMNS}) VALUES {}",
        vec![row; rows].join(", ")
    )
}

fn row_values(kind: &Kind, count: &Count, values: &mut Vec<sea_orm::Value>) {
    values.extend([
        kind.key_id.clone().into(),
        kind.account_id.clone().into(),
        kind.route.chars().take(128).collect::<String>().into(),
        kind.method.clone().into(),
        (kind.status as i16).into(),
        (count.slowest_ms.min(i32::MAX as u32) as i32).into(),
        kind.target
            .as_ref()
            .map(|t| t.chars().take(512).collect::<String>())
            .into(),
        kind.is_scan.into(),
        count.first.into(),
        (count.calls.min(i32::MAX as u32) as i32).into(),
    ]);
}

/// One transaction: the batch's rows, then each key's `last_used_at`.
async fn write_batch(db: &DatabaseConnection, tally: Tally) -> Result<(), sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
    let backend = db.get_database_backend();
    let rows: Vec<(Kind, Count)> = tally.0.into_iter().collect();
    let txn = db.begin().await?;
    let mut rest = &rows[..];
    for n in ROWS_PER_INSERT {
        while rest.len() >= n {
            let (now, later) = rest.split_at(n);
            let mut values = Vec::with_capacity(n * COLUMN_COUNT);
            for (kind, count) in now {
                row_values(kind, count, &mut values);
            }
            txn.execute_raw(crate::server::db::statement(backend, &insert_sql(n), values))
                .await?;
            rest = later;
        }
    }
    let mut last: HashMap<&str, DateTime<Utc>> = HashMap::new();
    for (kind, count) in &rows {
        let t = last.entry(kind.key_id.as_str()).or_insert(count.last);
        *t = (*t).max(count.last);
    }
    for (key_id, at) in last {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, Expr::value(at))
            .filter(api_key::Column::Id.eq(key_id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct DailyPoint {
    pub date: String,
    pub requests: u64,
    pub scans: u64,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct TopRepo {
    pub target: String,
    pub scans: u64,
}

#[derive(Serialize, Debug, Clone)]
pub struct Summary {
    pub today: DailyPoint,
    /// The last `days` UTC days, oldest first, zero-filled.
    pub daily: Vec<DailyPoint>,
    pub top_repos: Vec<TopRepo>,
}

#[derive(FromQueryResult)]
struct DayRow {
    day: String,
    requests: i64,
    scans: i64,
}

#[derive(FromQueryResult)]
struct RepoRow {
    target: String,
    scans: i64,
}

/// The usage of one account over the last `days` UTC days: its raw events plus the daily
/// totals older events were rolled into. `top_repos` counts the raw events, which the
/// default retention (90 days) keeps for the whole window.
pub async fn summary(db: &impl ConnectionTrait, account_id: &str, days: u32) -> Result<Summary, sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let today = Utc::now().date_naive();
    let since = (today - chrono::Days::new(days.saturating_sub(1) as u64))
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    // The one backend-specific piece: the UTC date of a timestamp.
    let (day_expr, true_lit) = match backend {
        DatabaseBackend::Postgres => ("to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')", "TRUE"),
        _ => ("substr(created_at, 1, 10)", "1"),
    };
    let p = |n: usize| {
        if backend == DatabaseBackend::Postgres {
            format!("${n}")
        } else {
            "?".to_string()
        }
    };
    let day_sql = format!(
        "SELECT {day_expr} AS day, SUM(calls) AS requests, \
         SUM(CASE WHEN is_scan = {true_lit} THEN calls ELSE 0 END) AS scans \
         FROM usage_events WHERE account_id = {} AND created_at >= {} GROUP BY 1",
        p(1),
        p(2)
    );
    let rows = DayRow::find_by_statement(Statement::from_sql_and_values(
        backend,
        &day_sql,
        [account_id.into(), since.into()],
    ))
    .all(db)
    .await?;
    let mut by_day: HashMap<String, (u64, u64)> = rows
        .into_iter()
        .map(|r| (r.day, (r.requests.max(0) as u64, r.scans.max(0) as u64)))
        .collect();
    // Days whose raw events the retention purge rolled into daily totals (a day may be split
    // between both while it is being purged: each event is in exactly one of them).
    let rolled = super::usage_totals::by_day(db, account_id, since.date_naive()).await?;
    for (day, (requests, scans)) in rolled {
        let d = by_day.entry(day.format("%Y-%m-%d").to_string()).or_default();
        d.0 += requests;
        d.1 += scans;
    }
    let daily: Vec<DailyPoint> = (0..days)
        .rev()
        .map(|back| {
            let d: NaiveDate = today - chrono::Days::new(back as u64);
            let key = d.format("%Y-%m-%d").to_string();
            let (requests, scans) = by_day.get(&key).copied().unwrap_or((0, 0));
            DailyPoint {
                date: key,
                requests,
                scans,
            }
        })
        .collect();
    let repo_sql = format!(
        "SELECT target, SUM(calls) AS scans FROM usage_events \
         WHERE account_id = {} AND created_at >= {} AND is_scan = {true_lit} AND target IS NOT NULL \
         GROUP BY target ORDER BY 2 DESC, 1 LIMIT 10",
        p(1),
        p(2)
    );
    let top_repos = RepoRow::find_by_statement(Statement::from_sql_and_values(
        backend,
        &repo_sql,
        [account_id.into(), since.into()],
    ))
    .all(db)
    .await?
    .into_iter()
    .map(|r| TopRepo {
        target: r.target,
        scans: r.scans.max(0) as u64,
    })
    .collect();
    let today = daily.last().cloned().unwrap_or(DailyPoint {
        date: today.to_string(),
        requests: 0,
        scans: 0,
    });
    Ok(Summary {
        today,
        daily,
        top_repos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::entities::usage_event;
    use sea_orm::{PaginatorTrait, QueryOrder};

    #[test]
    fn insert_statements_number_every_placeholder() {
        let pg = crate::server::db::statement(DatabaseBackend::Postgres, &insert_sql(2), Vec::new()).sql;
        assert!(pg.starts_with("INSERT INTO usage_events (key_id, "), "{pg}");
        assert!(
            pg.ends_with(
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10), ($11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
            ),
            "{pg}"
        );
        assert_eq!(insert_sql(128).matches('?').count(), 128 * COLUMN_COUNT);
        assert_eq!(COLUMNS.split(", ").count(), COLUMN_COUNT);
    }

    async fn scratch_db() -> (DatabaseConnection, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("aura-meter-{}", crate::server::crypto::random_id()));
        let db = crate::server::db::connect(&format!("sqlite://{}/meter.db?mode=rwc", dir.display()))
            .await
            .unwrap();
        (db, dir)
    }

    fn event(route: &str, status: u16, latency_ms: u32, at: DateTime<Utc>) -> UsageEvent {
        UsageEvent {
            key_id: "k1".into(),
            account_id: "a1".into(),
            route: route.into(),
            method: "GET".into(),
            status,
            latency_ms,
            target: None,
            is_scan: false,
            at,
        }
    }

    async fn calls(db: &DatabaseConnection) -> i64 {
        usage_event::Entity::find()
            .all(db)
            .await
            .unwrap()
            .iter()
            .map(|r| i64::from(r.calls))
            .sum()
    }

    /// More distinct rows than a batch holds, recorded faster than one is written: every call
    /// is written, and a flush answers only once those sent before it are in.
    #[tokio::test]
    async fn a_backlog_beyond_a_batch_is_written_whole_before_a_flush_answers() {
        let (db, dir) = scratch_db().await;
        let meter = Meter::start(db.clone());
        let kinds = BATCH * 2 + 34;
        for n in 0..kinds {
            for _ in 0..3 {
                meter.record(event(&format!("/v1/r{n}"), 200, 1, Utc::now()));
            }
        }
        meter.flush().await;
        assert_eq!(calls(&db).await, (kinds * 3) as i64);
        // Each route's three calls are one row, unless they straddle two writes (a write
        // holds at most a batch of rows).
        let rows = usage_event::Entity::find().count(&db).await.unwrap() as usize;
        assert!((kinds..kinds + kinds / BATCH + 1).contains(&rows), "{rows} rows");
        drop(db);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Calls alike but for when and how fast are one row with their count, the slowest
    /// latency and the first call's time; another status, or another UTC day, is another row.
    /// The summary counts calls, not rows.
    #[tokio::test]
    async fn alike_calls_are_one_row_that_counts_them() {
        let (db, dir) = scratch_db().await;
        let meter = Meter::start(db.clone());
        let now = Utc::now();
        let yesterday = now - chrono::Duration::days(1);
        for n in 0..10u32 {
            meter.record(event(
                "/v1/auth/keys",
                200,
                n * 3 % 10,
                now + chrono::Duration::milliseconds(n.into()),
            ));
        }
        meter.record(event("/v1/auth/keys", 429, 0, now));
        meter.record(event("/v1/auth/keys", 200, 50, yesterday));
        meter.flush().await;
        let rows = usage_event::Entity::find()
            .order_by_asc(usage_event::Column::Status)
            .order_by_asc(usage_event::Column::CreatedAt)
            .all(&db)
            .await
            .unwrap();
        let seen: Vec<(i16, i32, i32)> = rows.iter().map(|r| (r.status, r.calls, r.latency_ms)).collect();
        assert_eq!(seen, vec![(200, 1, 50), (200, 10, 9), (429, 1, 0)]);
        assert_eq!(rows[1].created_at, now);
        let summary = summary(&db, "a1", 2).await.unwrap();
        assert_eq!(summary.today.requests, 11);
        assert_eq!(summary.daily[0].requests, 1);
        drop(db);
        let _ = std::fs::remove_dir_all(dir);
    }
}
