//! Daily usage totals: raw usage events older than the retention
//! (`AURA_RETENTION_USAGE_DAYS`) are rolled into one row per account, UTC day and key id
//! before they are deleted, and the usage summary adds these totals to the raw events it
//! counts, so the usage page and `GET /v1/auth/usage` lose no day to the purge.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::server::{
    db::{begin_write, statement},
    entities::{usage_daily, usage_event},
};

/// Adds a batch's counts to a total, creating it when it is the day's first. The same SQL on
/// SQLite and PostgreSQL (both know `ON CONFLICT … DO UPDATE` and `excluded`).
const ADD_TO_TOTAL: &str = "INSERT INTO usage_daily (account_id, day, key_id, requests, scans) VALUES (?, ?, ?, ?, ?) \
     ON CONFLICT (account_id, day, key_id) DO UPDATE SET \
     requests = usage_daily.requests + excluded.requests, scans = usage_daily.scans + excluded.scans";

/// Rolls at most `batch` raw usage rows created before `cutoff`, oldest first, into the daily
/// totals and deletes them, in one short transaction: an event is counted raw or in a total,
/// never both and never neither, whenever the process stops. Returns how many were rolled
/// (fewer than `batch`: nothing older is left).
pub async fn roll_up_batch(db: &DatabaseConnection, cutoff: DateTime<Utc>, batch: u64) -> Result<u64, DbErr> {
    let txn = begin_write(db).await?;
    let rows: Vec<(i64, String, String, bool, DateTime<Utc>, i32)> = usage_event::Entity::find()
        .select_only()
        .columns([
            usage_event::Column::Id,
            usage_event::Column::AccountId,
            usage_event::Column::KeyId,
            usage_event::Column::IsScan,
            usage_event::Column::CreatedAt,
            usage_event::Column::Calls,
        ])
        .filter(usage_event::Column::CreatedAt.lt(cutoff))
        .order_by_asc(usage_event::Column::CreatedAt)
        .limit(batch)
        .into_tuple()
        .all(&txn)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut totals: BTreeMap<(String, NaiveDate, String), (i64, i64)> = BTreeMap::new();
    let mut ids = Vec::with_capacity(rows.len());
    for (id, account_id, key_id, is_scan, at, calls) in rows {
        // The UTC day, as the summary buckets raw rows (a row's calls share one day).
        let t = totals.entry((account_id, at.date_naive(), key_id)).or_default();
        let calls = i64::from(calls.max(0));
        t.0 += calls;
        if is_scan {
            t.1 += calls;
        }
        ids.push(id);
    }
    let backend = txn.get_database_backend();
    for ((account_id, day, key_id), (requests, scans)) in totals {
        let values = vec![
            account_id.into(),
            day.into(),
            key_id.into(),
            requests.into(),
            scans.into(),
        ];
        txn.execute_raw(statement(backend, ADD_TO_TOTAL, values)).await?;
    }
    let n = ids.len() as u64;
    usage_event::Entity::delete_many()
        .filter(usage_event::Column::Id.is_in(ids))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(n)
}

/// An account's totals per UTC day since `since` (all its keys together): requests, scans.
pub async fn by_day(
    db: &impl ConnectionTrait,
    account_id: &str,
    since: NaiveDate,
) -> Result<HashMap<NaiveDate, (u64, u64)>, DbErr> {
    // At most one row per key and day: a few thousand for the largest tier's 30 days.
    let rows = usage_daily::Entity::find()
        .filter(usage_daily::Column::AccountId.eq(account_id))
        .filter(usage_daily::Column::Day.gte(since))
        .all(db)
        .await?;
    let mut days: HashMap<NaiveDate, (u64, u64)> = HashMap::new();
    for r in rows {
        let d = days.entry(r.day).or_default();
        d.0 += r.requests.max(0) as u64;
        d.1 += r.scans.max(0) as u64;
    }
    Ok(days)
}
