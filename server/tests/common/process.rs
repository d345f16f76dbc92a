//! The server binary as a child process, for the tests that kill it (failover) or measure it
//! (pipeline benchmarks): only the environment given here reaches it, never the test's own.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::Duration,
};

pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:{port}`; nothing listens there for a worker.
    pub base: String,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server binary to run: this build's, or `AURA_SERVER_BIN` (the benchmarks point it at
/// the release build `cargo leptos build --release` made, so they measure what ships without
/// a release build of the tests).
fn server_binary() -> std::ffi::OsString {
    std::env::var_os("AURA_SERVER_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_server").into())
}

impl ServerProcess {
    /// Starts `server` with `env` on top of the settings every test shares (secret key,
    /// loopback targets allowed, quiet logs), on a random port. Waits for `/health`, or a
    /// moment for a worker (which serves no HTTP).
    pub async fn start(env: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = Command::new(server_binary());
        cmd.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("AURA_SECRET_KEY", super::SECRET_KEY)
            .env("AURA_ALLOW_PRIVATE_TARGETS", "true")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        let process = ServerProcess {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        if env.contains(&("AURA_ROLE", "worker")) {
            tokio::time::sleep(Duration::from_millis(800)).await;
            return process;
        }
        let c = reqwest::Client::new();
        for _ in 0..300 {
            if c.get(format!("{}/health", process.base))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return process;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("server did not start");
    }

    /// SIGKILL: no graceful shutdown, no lease release.
    pub fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then waits for the graceful shutdown to end the process.
    pub fn terminate(&mut self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        self.child.wait().unwrap();
    }

    /// Resident memory, from `/proc`.
    pub fn rss_kib(&self) -> u64 {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        s.lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

/// A new internal-tier key (no limits), made through the admin CLI against `db`, as an
/// operator would.
pub fn admin_key(db: &str, data_dir: &Path) -> String {
    let out = Command::new(server_binary())
        .args([
            "admin",
            "create",
            "--email",
            "ops@aura.test",
            "--password",
            "ops-password-1",
        ])
        .env_clear()
        .env("AURA_DATABASE_URL", db)
        .env("AURA_DATA_DIR", data_dir)
        .env("AURA_SECRET_KEY", super::SECRET_KEY)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "admin create: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string()
}
