//! Malicious-behaviour catalogue (`scam.malware`): capability x threat correlation, the way
//! GuardDog correlates.
//!
//! Capabilities (sending data out, spawning processes, reading files, DNS lookups) are
//! information alone and never cost points: every useful program has them. A *threat*
//! (reading credential stores, harvesting the environment, a reverse shell, a miner, ...)
//! becomes a finding only combined with what makes it malicious, usually an exfiltration
//! channel (a Discord/Telegram webhook, a request catcher, a tunnel, an OAST server, a raw
//! IP). Everything is computed from the anchor hits of the single content pass; the
//! verification looks at a few lines around each hit.
//!
//! Precision matters more than recall: a critical finding turns the verdict into SCAM, so
//! each critical rule needs a combination no legitimate neighbour has (an AWS helper reads
//! `~/.aws/credentials` and calls AWS; a stealer posts it to a webhook).

mod facts;
pub(crate) mod package;
mod text;

#[cfg(test)]
mod tests;

use super::anchors::{Sig, NSIG};
use super::classify::{self, Kind};
use super::finding::ScamFinding;
use super::lines::{around, line_of};
use crate::result::Severity;

use facts::Facts;

pub(super) const CHECK: &str = "scam.malware";

/// Where a file sits, which moves severities: install-time files run on `pip install`,
/// scripts and installers legitimately download tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// `setup.py`: runs at install time.
    Install,
    /// Shell/PowerShell/batch files, Dockerfiles and Makefiles, `scripts/`, `install*`.
    Script,
    /// Library or application code.
    Code,
}

pub(super) fn place_of(path: &str, kind: Kind) -> Place {
    let name = classify::file_name(path);
    if name == "setup.py" {
        return Place::Install;
    }
    let lower = name.to_ascii_lowercase();
    let scripty_dir = path
        .split('/')
        .rev()
        .skip(1)
        .any(|c| matches!(c, "scripts" | "script" | "bin" | "tools" | "ci" | ".github"));
    if matches!(kind, Kind::Code("Shell" | "Build"))
        || scripty_dir
        || ["install", "setup", "bootstrap", "get-", "get_", "download"]
            .iter()
            .any(|p| lower.starts_with(p))
    {
        return Place::Script;
    }
    Place::Code
}

/// The only store read is the project's `.env` file, the channel is the Telegram bot API or
/// a Discord webhook (what a bot posts to), and the file's raw contents are not sent.
fn own_bot_env(f: &Facts) -> bool {
    f.browser.is_none()
        && !f.env_sent
        && !f.creds.is_empty()
        && f.creds.iter().all(|c| c.1 == facts::ENV_FILE)
        && f.endpoint
            .is_some_and(|(_, l)| matches!(l, "the Telegram bot API" | "a Discord webhook"))
}

fn finding(sev: Severity, title: &str, path: &str, line: u32, detail: String) -> ScamFinding {
    ScamFinding::new(CHECK, sev, title, path, line, detail)
}

/// `s` cut to its first `n` characters, with `…` when cut (for quotes in a finding's detail).
pub(crate) fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// Evaluate one code file. `raw_ip` is the first URL to a public raw IP address (computed
/// once by scam.rs for the wallet rule).
pub(super) fn evaluate(
    path: &str,
    kind: Kind,
    data: &[u8],
    hits: &[(Sig, usize)],
    counts: &[u32; NSIG],
    raw_ip: Option<usize>,
    out: &mut Vec<ScamFinding>,
) {
    let place = place_of(path, kind);
    let f = Facts::gather(kind, data, hits, counts, raw_ip);
    let ln = |p: usize| line_of(data, p);
    let mut found: Vec<ScamFinding> = Vec::new();

    // --- Credential stores read + sent to an exfiltration channel.
    if !f.creds.is_empty() || f.browser.is_some() {
        let mut stores: Vec<String> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for &(p, label, _) in &f.creds {
            if !seen.contains(&label) {
                seen.push(label);
                stores.push(format!("{label} (line {})", ln(p)));
            }
        }
        if let Some(p) = f.browser {
            stores.push(format!(
                "browser password/cookie stores (Login Data, Cookies, Local State) (line {})",
                ln(p)
            ));
        }
        let first = f.creds.first().map(|c| c.0).or(f.browser).unwrap_or_default();
        let read_kinds = seen.len() + usize::from(f.browser.is_some());
        if let Some((ep, label)) = f.endpoint.filter(|_| own_bot_env(&f)) {
            // A bot reading its own token from `.env` and posting to its own Telegram chat
            // or Discord webhook looks like this too; without the file's contents in what
            // is sent, it is worth a look, not a verdict.
            found.push(finding(
                Severity::High,
                "Reads the .env file and posts to a chat bot",
                path,
                ln(first),
                format!(
                    "{path} reads the project's .env file as raw text (line {}) and posts to {label} (line {}); the file's contents are not seen in what is sent (a bot reading its own token looks like this), check what it sends.",
                    ln(first),
                    ln(ep)
                ),
            ));
        } else if let Some((ep, label)) = f.endpoint {
            found.push(finding(
                Severity::Critical,
                "Steals credentials and sends them out",
                path,
                ln(first),
                format!(
                    "{path} reads {} and posts to {label} (line {}): credential access + exfiltration.",
                    stores.join(", "),
                    ln(ep)
                ),
            ));
        } else if let (Some(sp), true) = (
            f.send,
            (read_kinds >= 2 && f.creds.iter().filter(|c| c.2).count() >= 2)
                || (f.browser.is_some() && f.browser_decrypt.is_some()),
        ) {
            // Several unrelated stores read and a network send: a stealer's profile, but
            // a dotfiles-sync or secret-scanning tool has it too, so not critical without
            // an attacker-shaped endpoint.
            found.push(finding(
                Severity::High,
                "Collects credentials from several stores and uses the network",
                path,
                ln(first),
                format!(
                    "{path} reads {} and sends data over the network (line {}); check where it goes.",
                    stores.join(", "),
                    ln(sp)
                ),
            ));
        }
    }

    // --- Discord token stealing.
    if let Some(dp) = f.discord_store {
        let with = f.endpoint.map(|(p, l)| format!("posts to {l} (line {})", ln(p))).or(f
            .discord_token
            .map(|p| format!("searches it for Discord tokens (line {})", ln(p))));
        if let Some(with) = with {
            found.push(finding(
                Severity::Critical,
                "Steals Discord tokens",
                path,
                ln(dp),
                format!(
                    "{path} reads Discord's Local Storage/leveldb token store (line {}) and {with}: a Discord token grabber.",
                    ln(dp)
                ),
            ));
        }
    }

    // --- Environment and host details sent to an exfiltration channel.
    if let Some((ep, label)) = f.endpoint {
        let whole_env = f.env_whole;
        let user_host = f.user.zip(f.host);
        if whole_env.is_some() || user_host.is_some() {
            let what = match (whole_env, user_host) {
                (Some(p), _) => format!("the whole environment (line {})", ln(p)),
                (None, Some((u, h))) => {
                    format!("the user name (line {}) and host name (line {})", ln(u), ln(h))
                }
                _ => unreachable!(),
            };
            found.push(finding(
                Severity::Critical,
                "Harvests environment and host details and sends them out",
                path,
                ln(whole_env.or(f.user).unwrap_or(ep)),
                format!(
                    "{path} collects {what} and sends it to {label} (line {}): the environment holds API keys and tokens.",
                    ln(ep)
                ),
            ));
        } else if let Some(p) = f.user.or(f.ip_lookup).or(f.env_file.filter(|_| !own_bot_env(&f))) {
            let what = if Some(p) == f.user {
                "the user's login name"
            } else if Some(p) == f.ip_lookup {
                "the machine's public IP address"
            } else {
                "the raw contents of a .env file"
            };
            found.push(finding(
                Severity::High,
                "Sends host data to an exfiltration endpoint",
                path,
                ln(p),
                format!(
                    "{path} collects {what} (line {}) and sends it to {label} (line {}).",
                    ln(p),
                    ln(ep)
                ),
            ));
        }
    }

    // --- The whole environment sent to a server written into the code (ctx, dependency-
    // confusion recon): no endpoint of the catalogue, but the environment (API keys, cloud
    // credentials) goes out together with who and where the victim is, or encoded so that
    // nobody reading the traffic sees it. A debug endpoint that receives the environment of
    // its own service, or telemetry with only the host name, does not count.
    let profiled = f.user.is_some() || f.host.is_some() || {
        let near = f.env_whole.map(|e| around(data, e, 3, 6)).unwrap_or_default();
        ["b64encode", "btoa(", "'base64'", "\"base64\"", ".hex()", "'hex'"]
            .iter()
            .any(|m| memchr::memmem::find(near, m.as_bytes()).is_some())
    };
    if let (None, Some(env), Some(sp), true) = (f.endpoint, f.env_whole, f.send, profiled) {
        let lo = env.min(sp);
        let hi = env.max(sp);
        let near = line_of(data, hi) - line_of(data, lo) <= 25;
        if let Some(server) = near
            .then(|| facts::hard_coded_server(around(data, env, 5, 20)))
            .flatten()
        {
            found.push(finding(
                Severity::Critical,
                "Harvests environment and host details and sends them out",
                path,
                ln(env),
                format!(
                    "{path} collects the whole environment (line {}) and sends it to a hard-coded server, {} (line {}): the environment holds API keys and tokens.",
                    ln(env),
                    clip(&server, 80),
                    ln(sp)
                ),
            ));
        }
    }

    // --- Reverse shells, encoded PowerShell, download-and-execute, clipboard, miners,
    // persistence, keyloggers, DNS exfiltration.
    facts::threats(path, data, &f, place, &mut found);

    // --- Text tricks: packed Python, padding, zero-width, homoglyphs, steganography.
    text::text_tricks(path, kind, data, hits, place, &f, &mut found);

    // One finding per title per file; the worst first.
    found.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.line.cmp(&b.line)));
    found.dedup_by(|a, b| a.title == b.title);
    out.extend(found);
}
