//! Build- and install-time hooks in code: `build.rs` and `setup.py` (npm lifecycle
//! scripts are judged in `manifests.rs`). A `setup.py` runs twice over: its `cmdclass`
//! hooks, and every module-level statement, which executes on `pip install` before
//! `setup()` is even reached (the shape of most malicious PyPI uploads).

use super::anchors::Sig;
use super::endpoints::{live_endpoint, raw_public_ip};
use super::finding::ScamFinding;
use super::lines::{comment_line, contains, line_of, window};
use crate::result::Severity;

static PINNED_DIGEST: std::sync::LazyLock<regex::bytes::Regex> =
    std::sync::LazyLock::new(|| regex::bytes::Regex::new(r#"["'][0-9a-fA-F]{64}["']"#).expect("digest regex"));

/// Network use by code that runs at build or install time. A URL in a string (an error
/// message, a doc link) is not network use; an HTTP client, a raw socket or a download tool
/// is. Downloading and piping into a shell is the critical case.
pub(super) fn build_time(path: &str, data: &[u8], hits: &[(Sig, usize)], out: &mut Vec<ScamFinding>) {
    let is_setup = path.ends_with("setup.py");
    if is_setup {
        setup_module_level(path, data, hits, out);
    }
    if is_setup && !contains(data, "cmdclass") {
        return;
    }
    let code_line = |pos: usize| {
        let (_, line) = window(data, pos, 300, 0);
        !comment_line(line)
    };
    // A client's name opening a string literal is a package name (`"urllib3>=1.26"` in
    // `install_requires`), not a call.
    let in_string = |pos: usize| pos > 0 && matches!(data[pos - 1], b'"' | b'\'');
    let client = hits
        .iter()
        .find(|&&(s, pos)| {
            s == Sig::NetworkUse && !data[pos..].starts_with(b"http") && code_line(pos) && !in_string(pos)
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
    let url = hits
        .iter()
        .any(|&(s, pos)| s == Sig::NetworkUse && data[pos..].starts_with(b"http") && code_line(pos));
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
    // A download checked against a digest pinned in the file (a 64-hex SHA-256 constant and
    // a hash computed over what came back) is how `-sys` crates fetch prebuilt libraries:
    // still network at build time, but what arrives is what the authors reviewed.
    let pinned = PINNED_DIGEST.is_match(data)
        && ["Sha256::digest", "sha256::", "hashlib.sha256", "Sha256::new", "sha2::"]
            .iter()
            .any(|h| contains(data, h));
    let (sev, title, pos) = match (downloads, client) {
        (Some(p), _) if shell => (Severity::Critical, "Build/install hook downloads and runs code", p),
        (Some(p), _) | (None, Some(p)) if pinned => (
            Severity::Medium,
            "Build/install hook downloads a checksum-pinned file",
            p,
        ),
        (Some(p), _) | (None, Some(p)) => (Severity::High, "Build/install hook uses the network", p),
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
            match sev {
                Severity::Critical => " and pipes what it downloads into a shell",
                Severity::Medium => ", checking what it downloads against a pinned SHA-256",
                _ => "",
            }
        ),
    ));
}

/// Whether `pos` executes at import/install time: its statement starts at column 0 and is
/// not inside a `def` or `class` body (those run only when called, e.g. as a `cmdclass`
/// hook, judged above). Statements in top-level `try:`/`if`/`with` blocks count.
fn module_level(data: &[u8], pos: usize) -> bool {
    let mut s = memchr::memrchr(b'\n', &data[..pos]).map(|i| i + 1).unwrap_or(0);
    for _ in 0..3000 {
        let e = memchr::memchr(b'\n', &data[s..]).map(|i| s + i).unwrap_or(data.len());
        let line = &data[s..e];
        let t = line.trim_ascii_start();
        let col0 = line.first().is_some_and(|b| !b.is_ascii_whitespace());
        let closer = t.starts_with(b")") || t.starts_with(b"]") || t.starts_with(b"}");
        if col0 && !t.is_empty() && !t.starts_with(b"#") && !closer {
            return !(t.starts_with(b"def ")
                || t.starts_with(b"async def ")
                || t.starts_with(b"class ")
                || t.starts_with(b"@"));
        }
        if s == 0 {
            return true;
        }
        s = memchr::memrchr(b'\n', &data[..s - 1]).map(|i| i + 1).unwrap_or(0);
    }
    false
}

/// The statement holding `pos`: from its line's start to the first newline where every
/// bracket opened on the way is closed again (at most 2 KB).
fn statement(data: &[u8], pos: usize) -> &[u8] {
    let s = memchr::memrchr(b'\n', &data[..pos]).map(|i| i + 1).unwrap_or(0);
    let mut depth = 0i32;
    let cap = (s + 2048).min(data.len());
    for (i, &b) in data[s..cap].iter().enumerate() {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b'\n' if depth <= 0 => return &data[s..s + i],
            _ => {}
        }
    }
    &data[s..cap]
}

/// An identifier used as code: not inside a string (no quote right before it) and followed,
/// after its dotted name, by a call or attribute access.
fn code_use(data: &[u8], p: usize) -> bool {
    if p > 0 && matches!(data[p - 1], b'"' | b'\'' | b'`') {
        return false;
    }
    let rest = &data[p..(p + 80).min(data.len())];
    let end = rest
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'.'))
        .unwrap_or(rest.len());
    matches!(rest.get(end), Some(b'(')) || rest[..end].contains(&b'.') && end > 0
}

/// What a spawned command line does that a build step never needs.
/// What makes a spawned command line a dropper. Not a bare URL, `start ` or `hidden`: a
/// module-level `git clone https://…` is a build chore.
const DROPPER_MARKERS: [&str; 23] = [
    "powershell",
    "pwsh",
    "-enc",
    "curl",
    "wget",
    "http://",
    "mshta",
    "rundll32",
    "regsvr32",
    "certutil",
    "bitsadmin",
    "cmd /c",
    "cmd.exe",
    ".exe",
    "python -c",
    "bash -c",
    "sh -c",
    "base64",
    "/tmp/",
    "appdata",
    "nslookup",
    "whoami",
    "startfile",
];

/// Module-level code in `setup.py` that downloads, spawns droppers or phones home.
fn setup_module_level(path: &str, data: &[u8], hits: &[(Sig, usize)], out: &mut Vec<ScamFinding>) {
    // A live endpoint in the code (not a comment, not a placeholder) or a public raw IP; a
    // local `http://127.0.0.1` is not somewhere data goes.
    let exfil = hits
        .iter()
        .any(|&(s, p)| matches!(s, Sig::Exfil | Sig::ExfilOob) && live_endpoint(data, p))
        || raw_public_ip(data, hits).is_some();
    for &(sig, p) in hits {
        let spawn = matches!(sig, Sig::ProcessSpawn | Sig::RunFile);
        // Network *calls*: `urlopen(`, `requests.get(`, `aiohttp.ClientSession(`; not the
        // name in `install_requires=["aiohttp"]` or a `curl` inside a spawned command line
        // (judged with the spawn).
        let net = (matches!(sig, Sig::NetSend | Sig::Download)
            || (sig == Sig::NetworkUse && !data[p..].starts_with(b"http")))
            && code_use(data, p);
        if !(spawn || net) {
            continue;
        }
        let (_, line) = window(data, p, 300, 0);
        let t = line.trim_ascii_start();
        if comment_line(line) || t.starts_with(b"import ") || t.starts_with(b"from ") {
            continue;
        }
        if !module_level(data, p) {
            continue;
        }
        // The statement, up to where its brackets close.
        let stmt = statement(data, p);
        let lower = stmt.to_ascii_lowercase();
        let dropper = DROPPER_MARKERS.iter().any(|m| contains(&lower, m));
        let runs_after = {
            let (_, w) = window(data, p, 0, 10);
            let w = w.to_ascii_lowercase();
            ["popen", "subprocess", "os.system", "startfile", "exec(", "chmod"]
                .iter()
                .any(|m| contains(&w, m))
        };
        let (sev, what) = if spawn && dropper {
            (Severity::Critical, "starts a downloader or hidden shell command")
        } else if net && (runs_after || exfil) {
            (
                Severity::Critical,
                if exfil {
                    "contacts an exfiltration endpoint"
                } else {
                    "downloads code and runs it"
                },
            )
        } else if net {
            (Severity::High, "reaches the network")
        } else {
            continue;
        };
        let l = line_of(data, p);
        let snippet: String = String::from_utf8_lossy(t.trim_ascii_end()).chars().take(100).collect();
        out.push(ScamFinding::new(
            "scam.install_scripts",
            sev,
            "setup.py runs code at install time",
            path,
            l,
            format!("{path} line {l} {what} at module level, outside setup() and its hooks, so it runs on every `pip install`: `{snippet}`."),
        ));
        return;
    }
}
