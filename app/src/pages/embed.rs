//! The embeddable widget's page: `/embed/scan?repo=&partner=&theme=&compact=` starts or
//! reuses a scan for the partner; `/embed/result/{id}` shows one scan. Live progress from the
//! event stream once hydrated, then score, verdict and the top three flags, and a link to the
//! full report. `compact=true` fits a 300×200 frame without scrolling.
//!
//! Not a route of the application: the widget has a page and a hydrate bundle of its own
//! (`aura_widget`), so a partner's iframe loads a few dozen kilobytes instead of the whole
//! application. The server's route (`server::routes::public::widget`) asks the embed service
//! (`server::scans::embeds`) for the scan and renders it here. Who may frame these pages is
//! decided by the server's framing layer (`frame-ancestors` from the partner's registered
//! origins).

use aura_widget::{
    model::{top_flags, FLAGS_SHOWN},
    Content, Props, Scan, State, Verdict,
};

use crate::{
    reports::{Embed, Report},
    status::ScanStatus,
};

fn scan(r: Report) -> Scan {
    let state = match (r.result, r.status) {
        (Some(res), _) => State::Done(Verdict {
            flags: top_flags(
                res.red_flags.iter().map(|f| (f.severity.as_str(), f.title.as_str())),
                res.green_flags.iter().map(|f| f.title.as_str()),
                FLAGS_SHOWN,
            ),
            score: res.score,
            grade: res.grade,
            verdict: res.verdict,
        }),
        (None, ScanStatus::Failed) => State::Failed(r.error.unwrap_or_default()),
        (None, status) => State::Live {
            progress: r.progress.min(100),
            queued: status == ScanStatus::Queued,
        },
    };
    Scan {
        id: r.scan_id,
        target: r.target,
        report_url: r.report_url,
        state,
    }
}

/// The widget's props for what the embed service answered.
pub fn props(embed: Embed, compact: bool) -> Props {
    let content = match (embed.report, embed.problem) {
        (Some(r), _) => Content::Scan(scan(r)),
        (None, Some(p)) => Content::Problem(p),
        (None, None) => Content::Nothing,
    };
    Props {
        theme: embed.theme,
        compact,
        content,
    }
}

/// The widget page's HTML (its status is `embed.status`).
pub fn render(embed: Embed, compact: bool, nonce: Option<&str>, stylesheet: &str) -> String {
    aura_widget::page::render(&props(embed, compact), nonce, stylesheet)
}
