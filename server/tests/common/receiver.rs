//! A webhook receiver on loopback: records every request (headers and raw body) and answers
//! with scripted status codes (200 once the script runs out).

use std::{
    collections::{HashMap, VecDeque},
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{body::Bytes, extract::State, http::HeaderMap, http::StatusCode, routing::post, Router};

#[derive(Clone, Debug)]
pub struct Captured {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Captured {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
            .unwrap_or("")
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Default)]
struct Inner {
    log: Mutex<Vec<Captured>>,
    script: Mutex<VecDeque<u16>>,
}

#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
}

impl Receiver {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
    /// The next answers, in order (then 200).
    pub fn script(&self, codes: &[u16]) {
        self.inner.script.lock().unwrap().extend(codes.iter().copied());
    }
    pub fn received(&self) -> Vec<Captured> {
        self.inner.log.lock().unwrap().clone()
    }
    /// Waits until `n` requests arrived (at most 30 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Captured> {
        for _ in 0..300 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {n} deliveries, got {:?}", self.received().len());
    }
}

async fn hook(State(inner): State<Arc<Inner>>, uri: axum::http::Uri, headers: HeaderMap, body: Bytes) -> StatusCode {
    let headers = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    inner.log.lock().unwrap().push(Captured {
        path: uri.path().to_string(),
        headers,
        body: body.to_vec(),
    });
    let code = inner.script.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(code).unwrap()
}

pub async fn start() -> Receiver {
    start_on(0).await
}

/// On a given port (a receiver that "comes back" where it used to be).
pub async fn start_on(port: u16) -> Receiver {
    let inner = Arc::new(Inner::default());
    let app = Router::new().route("/{*path}", post(hook)).with_state(inner.clone());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Receiver { addr, inner }
}
