//! `server` — runs the product (`server` or `server serve`) and its operator commands.

use app::server::{
    accounts::admin::{self, AdminOutcome},
    audit::Origin,
    config::Config,
    db,
};
use server::{leptos_options, redact_url, shutdown_signal, telemetry, Application};

/// jemalloc, not glibc's malloc, serves the process. Each open connection holds hyper's two
/// 8 KiB buffers while it waits (an event stream waits for minutes); jemalloc hands out
/// fresh pages without touching them, so the untouched part of each buffer never becomes
/// resident, where glibc's reused chunks already were. Measured with 10,000 open streams on
/// one scan: 205 MiB with glibc, about 156 MiB with jemalloc (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const USAGE: &str = "usage:\n  server [serve]\n  server healthcheck\n  server admin create --email E --password P\n  server admin create --email E --password-stdin";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            std::process::exit(2);
        }
    };
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match words.as_slice() {
        [] | ["serve"] => {
            telemetry::init(config.log_json);
            serve(config).await
        }
        ["healthcheck"] => healthcheck(&config).await,
        ["--help"] | ["-h"] | ["help"] => {
            println!("{USAGE}");
            Ok(())
        }
        ["admin", "create", rest @ ..] => {
            // Logs go to stderr: stdout carries only the new key.
            telemetry::init_stderr(config.log_json);
            match AdminArgs::parse(rest) {
                Ok(a) => admin_create(config, a).await,
                Err(e) => {
                    eprintln!("error: {e}\n{USAGE}");
                    std::process::exit(2);
                }
            }
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// For container health checks: `GET /health` on the local listen address; exit 0 on 200.
async fn healthcheck(config: &Config) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut addr = config.site_addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let io = async {
        let mut s = tokio::net::TcpStream::connect(addr).await?;
        s.write_all(b"GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n").await?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await?;
        Ok::<_, std::io::Error>(buf)
    };
    let buf = tokio::time::timeout(std::time::Duration::from_secs(3), io).await??;
    let head = String::from_utf8_lossy(&buf[..buf.len().min(32)]).to_string();
    anyhow::ensure!(
        head.split(' ').nth(1) == Some("200"),
        "unhealthy: {}",
        head.lines().next().unwrap_or("")
    );
    Ok(())
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config, leptos_options()?).await?;
    app.run(shutdown_signal()).await
}

struct AdminArgs {
    email: String,
    password: String,
}

impl AdminArgs {
    /// `--email E` (or `--email=E`) and `--password P` (or `--password=P`, or
    /// `--password-stdin`, which keeps the password out of the process list and shell history).
    fn parse(args: &[&str]) -> Result<Self, String> {
        let (mut email, mut password, mut from_stdin) = (None, None, false);
        let mut it = args.iter();
        while let Some(&arg) = it.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
                _ => (arg, None),
            };
            let mut value = |name: &str| -> Result<String, String> {
                inline
                    .clone()
                    .or_else(|| it.next().map(|v| v.to_string()))
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match flag {
                "--email" => email = Some(value("--email")?),
                "--password" => password = Some(value("--password")?),
                "--password-stdin" if inline.is_none() => from_stdin = true,
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        if from_stdin {
            if password.is_some() {
                return Err("give --password or --password-stdin, not both".into());
            }
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
            password = Some(line.trim_end_matches(['\r', '\n']).to_string());
        }
        match (email, password) {
            (Some(email), Some(password)) => Ok(AdminArgs { email, password }),
            (None, _) => Err("--email is required".into()),
            (_, None) => Err("--password (or --password-stdin) is required".into()),
        }
    }
}

/// Creates the admin or resets its password, and prints a new `internal` key as the last
/// line of stdout. Everything meant for a human goes to stderr.
async fn admin_create(config: Config, args: AdminArgs) -> anyhow::Result<()> {
    let db = db::connect(&config.database_url)
        .await
        .map_err(|e| anyhow::anyhow!("database {}: {e}", redact_url(&config.database_url)))?;
    let origin = Origin {
        ip: None,
        user_agent: Some("server admin create".into()),
    };
    let (keys, announced) = server::standalone_key_cache(&config).await?;
    let done = admin::create_or_reset_admin(&db, &config, &keys, &args.email, &args.password, "cli", &origin)
        .await
        .map_err(|e| anyhow::anyhow!(e.public_message()))?;
    let email = &done.account.email;
    match done.outcome {
        AdminOutcome::Created => eprintln!("Created admin account {email}."),
        AdminOutcome::PasswordReset => eprintln!("Admin account {email} exists: password reset."),
        AdminOutcome::Promoted => eprintln!(
            "{email} was a partner account: promoted to admin (tier internal), password reset, {} earlier key(s) revoked.",
            done.revoked_keys
        ),
    }
    if done.was_suspended {
        eprintln!("The account was suspended: reactivated.");
    }
    if !announced && done.revoked_keys > 0 {
        eprintln!(
            "A running server may still accept the revoked keys for up to {} s (its verified-key cache cannot be told from here).",
            app::server::accounts::key_cache::MAX_AGE.as_secs()
        );
    }
    eprintln!("New API key (tier internal), shown once:");
    println!("{}", done.key.secret);
    let _ = db.close().await;
    Ok(())
}
