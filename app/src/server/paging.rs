//! Keyset pagination of the REST lists: newest first by `(created_at, id)`, resumed after the
//! last row a client saw. A page never skips or repeats a row when rows are inserted between
//! requests (new rows sort before the cursor), and the query is the same on SQLite and
//! PostgreSQL: `created_at < t OR (created_at = t AND id < i)`, ordered by both descending.
//!
//! The cursor a client holds is opaque: base64url of `{created_at RFC 3339 with nanoseconds}|{id}`
//! of the last row of the page before. The timestamp is the one read back from the database,
//! so it compares equal to the stored value on both backends.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    sea_query::IntoCondition, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Value,
};

use super::error::{ServiceError, ServiceResult};

/// Rows a page holds when the client does not say.
pub const DEFAULT_LIMIT: u64 = 50;
/// The most rows one page may hold.
pub const MAX_LIMIT: u64 = 200;

/// Where a page starts: just after `(created_at, id)` in newest-first order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: DateTime<Utc>,
    pub id: String,
}

impl Cursor {
    pub fn new(created_at: DateTime<Utc>, id: impl ToString) -> Self {
        Cursor {
            created_at,
            id: id.to_string(),
        }
    }

    /// The opaque text a client sends back as `?cursor=`.
    pub fn encode(&self) -> String {
        let ts = self.created_at.to_rfc3339_opts(SecondsFormat::Nanos, true);
        URL_SAFE_NO_PAD.encode(format!("{ts}|{}", self.id))
    }

    /// `None` for anything [`Cursor::encode`] did not produce.
    pub fn decode(text: &str) -> Option<Cursor> {
        let raw = URL_SAFE_NO_PAD.decode(text.trim().trim_end_matches('=')).ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let (ts, id) = raw.split_once('|')?;
        let created_at = DateTime::parse_from_rfc3339(ts).ok()?.with_timezone(&Utc);
        if id.is_empty() || id.len() > 200 {
            return None;
        }
        Some(Cursor::new(created_at, id))
    }

    /// The id of a table whose key is a number (audit entries, jobs).
    pub fn numeric_id(&self) -> ServiceResult<i64> {
        self.id.parse().map_err(|_| invalid_cursor())
    }
}

/// 422 `validation_failed`: the cursor was not one this API handed out.
pub fn invalid_cursor() -> ServiceError {
    ServiceError::validation("cursor is not valid; use the URL of the previous page's `Link: rel=\"next\"` header.")
}

/// One page to fetch: at most `limit` rows after `after` (the first page without it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u64,
    pub after: Option<Cursor>,
}

impl PageRequest {
    /// The first `limit` rows.
    pub fn first(limit: u64) -> Self {
        PageRequest { limit, after: None }
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest::first(DEFAULT_LIMIT)
    }
}

/// A page of rows and, when more rows follow, the cursor of the next page.
#[derive(Clone, Debug)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Paged<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }

    /// Cuts `rows` (fetched newest first, up to one more than a page) to the page, with the
    /// next page's cursor when the extra row showed that more exist.
    pub fn from_rows(mut rows: Vec<T>, limit: u64, key: impl Fn(&T) -> Cursor) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = if more { rows.last().map(key) } else { None };
        Paged { items: rows, next }
    }
}

/// `sel` in newest-first keyset order, after `page.after` when set, limited to one row more
/// than the page (so [`Paged::from_rows`] can tell whether another page exists).
/// `id_value` turns the cursor's id into the id column's type.
pub fn keyset<E: EntityTrait>(
    sel: Select<E>,
    created_at: E::Column,
    id: E::Column,
    page: &PageRequest,
    id_value: impl Fn(&Cursor) -> ServiceResult<Value>,
) -> ServiceResult<Select<E>> {
    let sel = after(sel, created_at, id, page, id_value)?;
    Ok(sel.limit(page.limit.saturating_add(1)))
}

/// [`keyset`] without the limit, for lists filtered further in Rust before they are cut.
pub fn after<E: EntityTrait>(
    sel: Select<E>,
    created_at: E::Column,
    id: E::Column,
    page: &PageRequest,
    id_value: impl Fn(&Cursor) -> ServiceResult<Value>,
) -> ServiceResult<Select<E>> {
    let mut sel = sel.order_by_desc(created_at).order_by_desc(id);
    if let Some(c) = &page.after {
        let last_id = id_value(c)?;
        let cond: Condition = Condition::any()
            .add(created_at.lt(c.created_at))
            .add(Condition::all().add(created_at.eq(c.created_at)).add(id.lt(last_id)))
            .into_condition();
        sel = sel.filter(cond);
    }
    Ok(sel)
}

/// The cursor's id as text (tables keyed by a string id).
pub fn text_id(c: &Cursor) -> ServiceResult<Value> {
    Ok(Value::from(c.id.clone()))
}

/// The cursor's id as a number (tables keyed by an integer id).
pub fn numeric_id(c: &Cursor) -> ServiceResult<Value> {
    Ok(Value::from(c.numeric_id()?))
}

/// Runs a keyset query built with [`keyset`] and cuts it to the page.
pub async fn fetch<E: EntityTrait>(
    db: &impl ConnectionTrait,
    sel: Select<E>,
    limit: u64,
    key: impl Fn(&E::Model) -> Cursor,
) -> ServiceResult<Paged<E::Model>> {
    let rows = sel.all(db).await?;
    Ok(Paged::from_rows(rows, limit, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let at = DateTime::parse_from_rfc3339("2026-03-01T12:34:56.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        let c = Cursor::new(at, "abc123");
        let text = c.encode();
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(Cursor::decode(&text), Some(c));
        for bad in [
            "",
            "garbage",
            "!!!",
            &URL_SAFE_NO_PAD.encode("no-separator"),
            &URL_SAFE_NO_PAD.encode("2026-01-01T00:00:00Z|"),
        ] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
        assert!(Cursor::new(at, "x").numeric_id().is_err());
        assert_eq!(Cursor::new(at, 42).numeric_id().unwrap(), 42);
    }

    #[test]
    fn pages_cut_to_the_limit_and_announce_more() {
        let at = Utc::now();
        let key = |n: &i64| Cursor::new(at, n);
        let p = Paged::from_rows(vec![5, 4, 3], 2, key);
        assert_eq!(p.items, vec![5, 4]);
        assert_eq!(p.next, Some(Cursor::new(at, 4)));
        let p = Paged::from_rows(vec![5, 4], 2, key);
        assert_eq!(p.items, vec![5, 4]);
        assert_eq!(p.next, None);
    }
}
