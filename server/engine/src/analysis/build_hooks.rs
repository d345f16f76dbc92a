//! Build- and install-time hooks in code: `build.rs` and `setup.py` (npm lifecycle
//! scripts are judged in `manifests.rs`).

use super::anchors::Sig;
use super::scam::{comment_line, contains, ScamFinding};
use super::secrets::{line_of, window};
use crate::result::Severity;

/// Network use by code that runs at build or install time. A URL in a string (an error
/// message, a doc link) is not network use; an HTTP client, a raw socket or a download tool
/// is. Downloading and piping into a shell is the critical case.
pub(super) fn build_time(
    path: &str,
    data: &[u8],
    hits: &[(Sig, usize)],
    out: &mut Vec<ScamFinding>,
) {
    let is_setup = path.ends_with("setup.py");
    if is_setup && !contains(data, "cmdclass") {
        return;
    }
    let code_line = |pos: usize| {
        let (_, line) = window(data, pos, 300, 0);
        !comment_line(line)
    };
    let client = hits
        .iter()
        .find(|&&(s, pos)| {
            s == Sig::NetworkUse && !data[pos..].starts_with(b"http") && code_line(pos)
        })
        .map(|(_, p)| *p);
    const TOOLS: [&str; 8] = [
        "curl ",
        "wget ",
        "\"curl\"",
        "\"wget\"",
        "curl.exe",
        "Invoke-WebRequest",
        "iwr ",
        "certutil",
    ];
    let tool = TOOLS
        .iter()
        .filter_map(|t| memchr::memmem::find(data, t.as_bytes()))
        .find(|&p| code_line(p));
    let url = hits.iter().any(|&(s, pos)| {
        s == Sig::NetworkUse && data[pos..].starts_with(b"http") && code_line(pos)
    });
    // Piped into a shell right where it is downloaded (same or neighbouring lines).
    const SHELLS: [&str; 8] = [
        "| sh",
        "|sh",
        "| bash",
        "|bash",
        "\"sh\"",
        "\"bash\"",
        "\"powershell",
        "| iex",
    ];
    let shell = tool.is_some_and(|p| {
        let (_, w) = window(data, p, 400, 2);
        SHELLS.iter().any(|sh| contains(w, sh))
    });
    let downloads = tool.filter(|_| url);
    let (sev, title, pos) = match (downloads, client) {
        (Some(p), _) if shell => (
            Severity::Critical,
            "Build/install hook downloads and runs code",
            p,
        ),
        (Some(p), _) | (None, Some(p)) => {
            (Severity::High, "Build/install hook uses the network", p)
        }
        (None, None) => return,
    };
    let what = if is_setup {
        "setup.py overrides the install command and"
    } else {
        "build.rs (run on every `cargo build`)"
    };
    out.push(ScamFinding::new(
        "scam.install_scripts",
        sev,
        title,
        path,
        line_of(data, pos),
        format!(
            "{what} reaches the network (line {}){}.",
            line_of(data, pos),
            if sev == Severity::Critical {
                " and pipes what it downloads into a shell"
            } else {
                ""
            }
        ),
    ));
}
