//! Usage metering. Every authenticated `/v1` call becomes one event, sent over a channel to
//! a writer task that inserts them in batches and, once per batch, moves each key's
//! `last_used_at` forward — so the request path never waits for a database write.

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

/// Most events in one transaction.
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

/// Parks on the channel until an event arrives, then sleeps while more gather and writes
/// everything that came, a batch per transaction. It does not wake for each event: under load
/// a wake and a timer per event cost more than the event's row.
async fn writer(db: DatabaseConnection, mut rx: mpsc::Receiver<Msg>, flush_now: Arc<Notify>) {
    let mut batch: Vec<UsageEvent> = Vec::with_capacity(BATCH);
    let mut waiters: Vec<oneshot::Sender<()>> = Vec::new();
    let take = |m: Msg, batch: &mut Vec<UsageEvent>, waiters: &mut Vec<oneshot::Sender<()>>| match m {
        Msg::Event(e) => batch.push(e),
        Msg::Flush(w) => waiters.push(w),
    };
    while let Some(first) = rx.recv().await {
        take(first, &mut batch, &mut waiters);
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
            while batch.len() < BATCH {
                match rx.try_recv() {
                    Ok(m) => take(m, &mut batch, &mut waiters),
                    Err(_) => {
                        drained = true;
                        break;
                    }
                }
            }
            if !batch.is_empty() {
                if let Err(e) = write_batch(&db, &batch).await {
                    tracing::error!(error = %e, events = batch.len(), "usage batch write failed");
                }
                batch.clear();
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
/// almost every time, the bulk of metering's cost under load.
const ROWS_PER_INSERT: [usize; 4] = [128, 32, 8, 1];
const COLUMNS: &str = "key_id, account_id, route, method, status, latency_ms, target, is_scan, created_at";
const COLUMN_COUNT: usize = 9;

/// `INSERT INTO usage_events (…) VALUES (?, …), …` for `rows` rows (see `db::statement`).
fn insert_sql(rows: usize) -> String {
    let row = format!("({})", ["?"; COLUMN_COUNT].join(", "));
    format!(
        "INSERT INTO usage_events ({COLUMNS}) VALUES {}",
        vec![row; rows].join(", ")
    )
}

fn row_values(e: &UsageEvent, values: &mut Vec<sea_orm::Value>) {
    values.extend([
        e.key_id.clone().into(),
        e.account_id.clone().into(),
        e.route.chars().take(128).collect::<String>().into(),
        e.method.clone().into(),
        (e.status as i16).into(),
        (e.latency_ms.min(i32::MAX as u32) as i32).into(),
        e.target
            .as_ref()
            .map(|t| t.chars().take(512).collect::<String>())
            .into(),
        e.is_scan.into(),
        e.at.into(),
    ]);
}

/// One transaction: the batch's rows, then each key's `last_used_at`.
async fn write_batch(db: &DatabaseConnection, batch: &[UsageEvent]) -> Result<(), sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    let mut rest = batch;
    for rows in ROWS_PER_INSERT {
        while rest.len() >= rows {
            let (now, later) = rest.split_at(rows);
            let mut values = Vec::with_capacity(rows * COLUMN_COUNT);
            for e in now {
                row_values(e, &mut values);
            }
            txn.execute_raw(crate::server::db::statement(backend, &insert_sql(rows), values))
                .await?;
            rest = later;
        }
    }
    let mut last: HashMap<&str, DateTime<Utc>> = HashMap::new();
    for e in batch {
        let t = last.entry(e.key_id.as_str()).or_insert(e.at);
        *t = (*t).max(e.at);
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
        "SELECT {day_expr} AS day, COUNT(*) AS requests, \
         SUM(CASE WHEN is_scan = {true_lit} THEN 1 ELSE 0 END) AS scans \
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
        "SELECT target, COUNT(*) AS scans FROM usage_events \
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

    #[test]
    fn insert_statements_number_every_placeholder() {
        let pg = crate::server::db::statement(DatabaseBackend::Postgres, &insert_sql(2), Vec::new()).sql;
        assert!(pg.starts_with("INSERT INTO usage_events (key_id, "), "{pg}");
        assert!(
            pg.ends_with("VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9), ($10, $11, $12, $13, $14, $15, $16, $17, $18)"),
            "{pg}"
        );
        assert_eq!(insert_sql(128).matches('?').count(), 128 * COLUMN_COUNT);
        assert_eq!(COLUMNS.split(", ").count(), COLUMN_COUNT);
    }

    /// More events than a batch holds, recorded faster than one is written: every one is
    /// written, and a flush answers only once those sent before it are in.
    #[tokio::test]
    async fn a_backlog_beyond_a_batch_is_written_whole_before_a_flush_answers() {
        use crate::server::entities::usage_event;
        use sea_orm::PaginatorTrait;
        let dir = std::env::temp_dir().join(format!("aura-meter-{}", crate::server::crypto::random_id()));
        let db = crate::server::db::connect(&format!("sqlite://{}/meter.db?mode=rwc", dir.display()))
            .await
            .unwrap();
        let meter = Meter::start(db.clone());
        let events = BATCH * 2 + 34;
        for n in 0..events {
            meter.record(UsageEvent {
                key_id: "k1".into(),
                account_id: "a1".into(),
                route: "/v1/scan/{id}".into(),
                method: "GET".into(),
                status: 200,
                latency_ms: n as u32,
                target: None,
                is_scan: false,
                at: Utc::now(),
            });
        }
        meter.flush().await;
        assert_eq!(usage_event::Entity::find().count(&db).await.unwrap(), events as u64);
        drop(db);
        let _ = std::fs::remove_dir_all(dir);
    }
}
