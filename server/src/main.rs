//! `server` — runs the product (`server` or `server serve`) and its operator commands.

use app::server::config::Config;
use server::{leptos_options, shutdown_signal, telemetry, Application};

const USAGE: &str = "usage:\n  server [serve]\n  server admin create --email E --password P";

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
    telemetry::init(config.log_json);
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] | ["serve"] => serve(config).await,
        ["--help"] | ["-h"] | ["help"] => {
            println!("{USAGE}");
            Ok(())
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

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config, leptos_options()?).await?;
    app.run(shutdown_signal()).await
}
