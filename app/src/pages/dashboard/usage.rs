//! The dashboard's usage overview: tier, today's calls against the daily limit (a quota bar),
//! the last 30 days as a chart drawn on the server with `plotters` (SVG) and as a table, and
//! a CSV download. Chart and CSV travel as `data:` URIs (the CSP allows `data:` images), so
//! they need neither JavaScript nor another authenticated route, and no markup is injected.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::list::{data_table, Loaded};

pub const DAYS: u32 = 30;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Day {
    pub date: String,
    pub requests: u64,
    pub scans: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsagePage {
    pub tier: String,
    pub per_day: Option<u32>,
    pub per_minute: Option<u32>,
    pub concurrent_scans: Option<u32>,
    pub today: Day,
    pub daily: Vec<Day>,
    /// `data:image/svg+xml;base64,…`
    pub chart: String,
    /// `data:text/csv;base64,…`
    pub csv: String,
    /// The repositories this account scanned most over the period: (target, scans).
    pub top_repos: Vec<(String, u64)>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use base64::Engine;
    use plotters::prelude::*;

    use super::Day;

    /// Colours of the dark theme (style/main.css).
    const TEXT: RGBColor = RGBColor(0x9a, 0xa4, 0xb2);
    const GRID: RGBColor = RGBColor(0x24, 0x30, 0x49);
    const CALLS: RGBColor = RGBColor(0x7c, 0x5c, 0xff);
    const SCANS: RGBColor = RGBColor(0x22, 0xd3, 0xee);

    /// Calls and scans per day as SVG. Only numbers and dates reach the drawing, and the
    /// SVG backend escapes text anyway.
    pub fn chart(days: &[Day]) -> Result<String, String> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (720, 240)).into_drawing_area();
            let top = days.iter().map(|d| d.requests.max(d.scans)).max().unwrap_or(0).max(4);
            let n = days.len().max(1) as u32;
            let mut c = ChartBuilder::on(&root)
                .margin(10)
                .x_label_area_size(28)
                .y_label_area_size(44)
                .build_cartesian_2d(0u32..n - 1, 0u64..top + top / 10 + 1)
                .map_err(|e| e.to_string())?;
            let label = |i: &u32| {
                days.get(*i as usize)
                    .map(|d| d.date[5..].to_string())
                    .unwrap_or_default()
            };
            c.configure_mesh()
                .axis_style(GRID)
                .light_line_style(GRID.mix(0.3))
                .bold_line_style(GRID)
                .label_style(("sans-serif", 12).into_font().color(&TEXT))
                .x_labels(8)
                .x_label_formatter(&label)
                .y_labels(5)
                .draw()
                .map_err(|e| e.to_string())?;
            c.draw_series(LineSeries::new(
                days.iter().enumerate().map(|(i, d)| (i as u32, d.requests)),
                CALLS.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
            c.draw_series(LineSeries::new(
                days.iter().enumerate().map(|(i, d)| (i as u32, d.scans)),
                SCANS.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
            root.present().map_err(|e| e.to_string())?;
        }
        Ok(format!(
            "data:image/svg+xml;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(svg)
        ))
    }

    pub fn csv(days: &[Day]) -> String {
        let mut out = String::from("date,requests,scans\n");
        for d in days {
            out.push_str(&format!("{},{},{}\n", d.date, d.requests, d.scans));
        }
        format!(
            "data:text/csv;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(out)
        )
    }
}

#[server(endpoint = "usage/overview")]
pub async fn usage_overview() -> Result<UsagePage, ServerFnError> {
    use crate::server::{accounts, accounts::usage, error::ServiceError, web};
    let account = web::current_account().await?;
    let state = web::app_state()?;
    let summary = usage::summary(&state.db, &account.id, DAYS)
        .await
        .map_err(|e| web::service_error(ServiceError::from(e)))?;
    let tier = accounts::tier(&account);
    let limits = tier.limits();
    let day = |p: usage::DailyPoint| Day {
        date: p.date,
        requests: p.requests,
        scans: p.scans,
    };
    let daily: Vec<Day> = summary.daily.into_iter().map(day).collect();
    let chart = ssr::chart(&daily).map_err(|e| web::service_error(ServiceError::internal(e)))?;
    Ok(UsagePage {
        tier: tier.as_str().into(),
        per_day: limits.per_day,
        per_minute: limits.per_minute,
        concurrent_scans: limits.concurrent_scans,
        today: day(summary.today),
        csv: ssr::csv(&daily),
        daily,
        chart,
        top_repos: summary.top_repos.into_iter().map(|r| (r.target, r.scans)).collect(),
    })
}

#[component]
pub fn UsageSection() -> impl IntoView {
    let overview = Resource::new(|| (), |_| usage_overview());
    view! {
        <section class="panel" id="usage" aria-labelledby="usage-title">
            <h2 id="usage-title">"Usage"</h2>
            <Loaded data=overview loading="Loading usage…" render={|u: UsagePage| {
                view! { <UsageBody u=u/> }.into_any()
            }}/>
        </section>
    }
}

fn limit_text(v: Option<u32>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "unlimited".into())
}

#[component]
fn UsageBody(u: UsagePage) -> impl IntoView {
    let pct = u
        .per_day
        .map(|l| (u.today.requests * 100 / u64::from(l.max(1))).min(100))
        .unwrap_or(0);
    let bar_class = if pct >= 90 {
        "progress-bar danger"
    } else if pct >= 70 {
        "progress-bar warn"
    } else {
        "progress-bar"
    };
    let top_repos = u
        .top_repos
        .iter()
        .map(|(target, scans)| view! { <tr data-testid="top-repo"><td>{target.clone()}</td><td>{*scans}</td></tr> })
        .collect::<Vec<_>>();
    let rows = u
        .daily
        .iter()
        .rev()
        .map(|d| view! { <tr><td>{d.date.clone()}</td><td>{d.requests}</td><td>{d.scans}</td></tr> })
        .collect_view();
    view! {
        <p data-testid="usage-tier">
            "Tier " <strong>{u.tier.clone()}</strong> ": " {limit_text(u.per_minute)} " calls a minute, "
            {limit_text(u.per_day)} " a day, " {limit_text(u.concurrent_scans)} " concurrent scans."
        </p>
        <p data-testid="usage-today">
            "Today: " <strong>{u.today.requests}</strong> " of " {limit_text(u.per_day)} " calls, "
            <strong>{u.today.scans}</strong> " scans."
        </p>
        <div class="progress" role="progressbar" aria-label="Today's calls against the daily limit" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.to_string()>
            <div class=bar_class style=format!("width: {pct}%")></div>
        </div>
        <figure class="usage-chart">
            <img src=u.chart width="720" height="240" alt="Calls (violet) and scans (cyan) per day over the last 30 days" data-testid="usage-chart"/>
        </figure>
        <p><a class="button small" href=u.csv download="aurasecurity-usage.csv" data-testid="usage-csv">"Download CSV"</a></p>
        <h3>"Most scanned repositories (30 days)"</h3>
        {data_table("top-repos", &["Repository", "Scans"], "No scans in this period.", top_repos)}
        <details>
            <summary>"Daily figures"</summary>
            <div class="table-wrap">
                <table>
                    <thead><tr><th>"Date (UTC)"</th><th>"Calls"</th><th>"Scans"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </details>
    }
}
