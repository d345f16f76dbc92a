//! The literal anchors of every content rule, compiled into one Aho-Corasick automaton.
//!
//! Each file's bytes are read once by that automaton; a hit only records which signal fired
//! where. The (comparatively slow) regex verification then runs on the few lines around a
//! hit, never on the whole file. Anchors are case-sensitive: where case varies in the wild
//! the common spellings are listed, which keeps the automaton on its fast byte-exact path.

/// What an anchor hit means. Secrets are verified by `secrets.rs`, the rest are signals
/// combined per file by `scam.rs`, `ai_wrapper.rs` and `project.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sig {
    // Secrets
    AwsKeyId,
    AwsSecret,
    GithubToken,
    GithubPat,
    SlackToken,
    SlackWebhook,
    StripeLive,
    OpenAiKey,
    AnthropicKey,
    GoogleApiKey,
    PemPrivate,
    NpmToken,
    TelegramToken,
    /// Words that name a Discord bot token (`DISCORD_TOKEN`, `client.login(`, `bot.run(`).
    DiscordContext,
    /// Derived during the scan from an `Exfil` hit on a Discord webhook URL (the anchors
    /// would nest): a leaked webhook lets anyone post as the integration.
    DiscordWebhook,
    /// Exchange names (Binance, Coinbase, Kraken, KuCoin, Bybit, OKX): labelled API
    /// keys and secrets next to them.
    ExchangeContext,
    /// Coinbase Developer Platform API key names (`organizations/…/apiKeys/…`).
    CoinbaseCdp,
    /// RPC provider URLs that embed an API key (Infura, Alchemy, Helius, QuickNode).
    RpcKey,
    /// The base64 encoding of a secret prefix: decoded one level and verified again.
    Base64Secret,
    KeyContext,
    SolanaArrayContext,
    MnemonicContext,
    // Scam: secret material being read
    WalletPath,
    // Scam: exfiltration endpoints
    Exfil,
    RawIpUrl,
    // Scam: drainers
    ApprovalForAll,
    MaxApproval,
    TokenEnumeration,
    TransferCall,
    // Scam: obfuscation
    EvalLike,
    FromCharCode,
    ObfuscatorIdent,
    Packer,
    PyExec,
    /// Other places code or commands run: `compile(`, `vm.runInNewContext`, `setTimeout(`,
    /// `execSync(`, `os.popen(`, `getattr(`/`builtins` (exec reached through builtins).
    ExecSink,
    /// Decoders, decompressors and decrypters (`atob(`, `b64decode`, `Base64.decode64`,
    /// `gzinflate`, `unhexlify`, `Fernet(`, `chr(`, EBCDIC codecs, ...).
    Decoder,
    /// The first two letters of `eval`, `exec`, `require`, `import`, `child_process`,
    /// `spawn`, `system`, ... written as `\x`, octal or `\u` escapes.
    EscapedName,
    // Scam: hidden bidi
    Bidi,
    // Build/install time
    NetworkUse,
    ProcessSpawn,
    // Malicious behaviour (behaviour/): capabilities and threats, correlated per file.
    CredStore,
    BrowserStore,
    DiscordStore,
    EnvAccess,
    HostInfo,
    IpLookup,
    ExfilOob,
    NetSend,
    Download,
    WriteFile,
    RunFile,
    PsFlag,
    RevShell,
    Clipboard,
    Miner,
    Persistence,
    Keylogger,
    ScreenCapture,
    DnsLookup,
    PyArmor,
    SpacePad,
    ZeroWidth,
    // AI wrapper
    LlmSdk,
    LlmEndpoint,
    ModelCode,
    // Token contracts and programs (contracts/): an owner/role check, an opcode or upgrade
    // hook worth reading the contract for, and a Solana program source.
    OwnerGate,
    ContractPower,
    SolanaProgram,
    // Project facts
    RustTestModule,
}

/// How many signals there are: the length of a file's per-signal counts.
pub const NSIG: usize = Sig::RustTestModule as usize + 1;

/// Secret signals come first in [`Sig`]: those up to `MnemonicContext` are verified by `secrets.rs`.
pub(crate) fn is_secret_sig(s: Sig) -> bool {
    (s as usize) <= Sig::MnemonicContext as usize
}

/// (literal, signal). Kept in one table so the automaton and the docs stay in sync.
///
/// The automaton reports non-overlapping matches (measurably faster than overlapping
/// ones), so no anchor may contain another: signals that would nest are derived during
/// verification instead (the `eval(function(p,a,c,k,e,` packer from an `eval(` hit, a
/// raw-IP URL from an `http://` hit).
pub const ANCHORS: &[(&str, Sig)] = &[
    ("AKIA", Sig::AwsKeyId),
    ("ASIA", Sig::AwsKeyId),
    ("aws_secret_access_key", Sig::AwsSecret),
    ("AWS_SECRET_ACCESS_KEY", Sig::AwsSecret),
    ("ghp_", Sig::GithubToken),
    ("gho_", Sig::GithubToken),
    ("ghu_", Sig::GithubToken),
    ("ghs_", Sig::GithubToken),
    ("ghr_", Sig::GithubToken),
    ("github_pat_", Sig::GithubPat),
    ("xoxb-", Sig::SlackToken),
    ("xoxp-", Sig::SlackToken),
    ("xoxa-", Sig::SlackToken),
    ("xoxr-", Sig::SlackToken),
    ("xoxs-", Sig::SlackToken),
    ("xoxo-", Sig::SlackToken),
    ("xoxe.", Sig::SlackToken),
    ("xoxe-", Sig::SlackToken),
    ("xapp-", Sig::SlackToken),
    ("hooks.slack.com/services/", Sig::SlackWebhook),
    ("sk_live_", Sig::StripeLive),
    ("rk_live_", Sig::StripeLive),
    ("T3BlbkFJ", Sig::OpenAiKey),
    ("sk-proj-", Sig::OpenAiKey),
    ("sk-svcacct-", Sig::OpenAiKey),
    ("sk-ant-", Sig::AnthropicKey),
    ("AIza", Sig::GoogleApiKey),
    ("PRIVATE KEY", Sig::PemPrivate),
    ("npm_", Sig::NpmToken),
    (":AA", Sig::TelegramToken),
    // Discord bot tokens have no literal prefix: they are looked for next to these.
    // (`discord` itself would nest with the `discord.com/api/webhooks` exfil anchor.)
    ("Discord", Sig::DiscordContext),
    ("DISCORD", Sig::DiscordContext),
    ("discord_", Sig::DiscordContext),
    ("discordToken", Sig::DiscordContext),
    (".login(", Sig::DiscordContext),
    ("bot.run(", Sig::DiscordContext),
    ("client.run(", Sig::DiscordContext),
    // Exchange API credentials are only recognisable by their label.
    ("binance", Sig::ExchangeContext),
    ("Binance", Sig::ExchangeContext),
    ("BINANCE", Sig::ExchangeContext),
    ("coinbase", Sig::ExchangeContext),
    ("Coinbase", Sig::ExchangeContext),
    ("COINBASE", Sig::ExchangeContext),
    ("kraken", Sig::ExchangeContext),
    ("Kraken", Sig::ExchangeContext),
    ("KRAKEN", Sig::ExchangeContext),
    ("kucoin", Sig::ExchangeContext),
    ("KuCoin", Sig::ExchangeContext),
    ("Kucoin", Sig::ExchangeContext),
    ("KUCOIN", Sig::ExchangeContext),
    ("bybit", Sig::ExchangeContext),
    ("Bybit", Sig::ExchangeContext),
    ("ByBit", Sig::ExchangeContext),
    ("BYBIT", Sig::ExchangeContext),
    ("okx", Sig::ExchangeContext),
    ("Okx", Sig::ExchangeContext),
    ("OKX", Sig::ExchangeContext),
    ("okex", Sig::ExchangeContext),
    ("OKEX", Sig::ExchangeContext),
    ("OKEx", Sig::ExchangeContext),
    ("/apiKeys/", Sig::CoinbaseCdp),
    // RPC endpoints with the key in the URL.
    ("infura.io/v3/", Sig::RpcKey),
    ("infura.io/ws/v3/", Sig::RpcKey),
    ("alchemy.com/v2/", Sig::RpcKey),
    ("alchemyapi.io/v2/", Sig::RpcKey),
    ("helius-rpc.com", Sig::RpcKey),
    ("api.helius.xyz", Sig::RpcKey),
    ("quiknode.pro/", Sig::RpcKey),
    // Base64 of secret prefixes (`ghp_`, `sk_live_`, …) at the start of an encoded value,
    // and of `PRIVATE KEY-----` at each of the three byte alignments, so an encoded PEM
    // key is found wherever its header sits in the decoded text. `secrets::tests` checks
    // each is the encoding it claims.
    ("Z2hwX", Sig::Base64Secret),
    ("Z2hvX", Sig::Base64Secret),
    ("Z2hzX", Sig::Base64Secret),
    ("Z2l0aHViX3BhdF", Sig::Base64Secret),
    ("c2tfbGl2ZV", Sig::Base64Secret),
    ("eG94Yi", Sig::Base64Secret),
    ("eG94cC", Sig::Base64Secret),
    ("QUtJQ", Sig::Base64Secret),
    ("c2stYW50L", Sig::Base64Secret),
    ("c2stcHJvai", Sig::Base64Secret),
    ("bnBtX", Sig::Base64Secret),
    ("UFJJVkFURSBLRVktLS0tL", Sig::Base64Secret),
    ("BSSVZBVEUgS0VZLS0tLS", Sig::Base64Secret),
    ("QUklWQVRFIEtFWS0tLS0t", Sig::Base64Secret),
    // Ethereum-style private keys are only meaningful next to one of these words.
    ("private_key", Sig::KeyContext),
    ("PRIVATE_KEY", Sig::KeyContext),
    ("privateKey", Sig::KeyContext),
    ("PrivateKey", Sig::KeyContext),
    ("privkey", Sig::KeyContext),
    ("PRIVKEY", Sig::KeyContext),
    ("private key", Sig::KeyContext),
    ("Private key", Sig::KeyContext),
    ("new Wallet(", Sig::KeyContext),
    ("ethers.Wallet(", Sig::KeyContext),
    ("secretKey", Sig::SolanaArrayContext),
    ("secret_key", Sig::SolanaArrayContext),
    ("SECRET_KEY", Sig::SolanaArrayContext),
    ("Keypair", Sig::SolanaArrayContext),
    ("keypair", Sig::SolanaArrayContext),
    ("KEYPAIR", Sig::SolanaArrayContext),
    ("Uint8Array.from([", Sig::SolanaArrayContext),
    ("new Uint8Array([", Sig::SolanaArrayContext),
    ("mnemonic", Sig::MnemonicContext),
    ("Mnemonic", Sig::MnemonicContext),
    ("MNEMONIC", Sig::MnemonicContext),
    ("seed phrase", Sig::MnemonicContext),
    ("seedPhrase", Sig::MnemonicContext),
    ("seed_phrase", Sig::MnemonicContext),
    ("SEED_PHRASE", Sig::MnemonicContext),
    ("recovery phrase", Sig::MnemonicContext),
    ("fromPhrase", Sig::MnemonicContext),
    // Wallet files and browser-extension wallet stores.
    ("id.json", Sig::WalletPath),
    (".config/solana", Sig::WalletPath),
    ("wallet.dat", Sig::WalletPath),
    ("Local Extension Settings", Sig::WalletPath),
    ("nkbihfbeogaeaoehlefnkodbefgpgknn", Sig::WalletPath), // MetaMask
    ("bfnaelmomeimhlpmgjnjophhpkkoljpa", Sig::WalletPath), // Phantom
    ("hnfanknocfeofbddgcijnmhnfnkdnaad", Sig::WalletPath), // Coinbase Wallet
    ("egjidjbpglichdcondbcbdnbeeppgdph", Sig::WalletPath), // Trust Wallet
    ("exodus.wallet", Sig::WalletPath),
    ("Electrum/wallets", Sig::WalletPath),
    ("keystore/UTC--", Sig::WalletPath),
    ("Ethereum/keystore", Sig::WalletPath),
    // Places stolen data gets sent.
    ("discord.com/api/webhooks", Sig::Exfil),
    ("discordapp.com/api/webhooks", Sig::Exfil),
    ("api.telegram.org/bot", Sig::Exfil),
    ("pastebin.com", Sig::Exfil),
    ("paste.ee", Sig::Exfil),
    ("hastebin", Sig::Exfil),
    ("transfer.sh", Sig::Exfil),
    ("webhook.site", Sig::Exfil),
    ("ngrok-free.app", Sig::Exfil),
    ("ngrok.io", Sig::Exfil),
    ("pipedream.net", Sig::Exfil),
    ("://1", Sig::RawIpUrl),
    ("://2", Sig::RawIpUrl),
    ("://3", Sig::RawIpUrl),
    ("://4", Sig::RawIpUrl),
    ("://5", Sig::RawIpUrl),
    ("://6", Sig::RawIpUrl),
    ("://7", Sig::RawIpUrl),
    ("://8", Sig::RawIpUrl),
    ("://9", Sig::RawIpUrl),
    // Drainers.
    ("setApprovalForAll", Sig::ApprovalForAll),
    ("MaxUint256", Sig::MaxApproval),
    ("MAX_UINT256", Sig::MaxApproval),
    ("maxUint256", Sig::MaxApproval),
    ("type(uint256).max", Sig::MaxApproval),
    ("2n ** 256n", Sig::MaxApproval),
    ("2**256", Sig::MaxApproval),
    (
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        Sig::MaxApproval,
    ),
    ("getParsedTokenAccountsByOwner", Sig::TokenEnumeration),
    ("getTokenAccountsByOwner", Sig::TokenEnumeration),
    ("getTokenBalances", Sig::TokenEnumeration),
    ("balanceOf(", Sig::TokenEnumeration),
    ("transferFrom(", Sig::TransferCall),
    ("createTransferInstruction", Sig::TransferCall),
    ("createTransferCheckedInstruction", Sig::TransferCall),
    ("SystemProgram.transfer", Sig::TransferCall),
    (".transfer(", Sig::TransferCall),
    // Obfuscation.
    ("eval(", Sig::EvalLike),
    ("Function(", Sig::EvalLike),
    ("fromCharCode", Sig::FromCharCode),
    ("_0x", Sig::ObfuscatorIdent),
    ("exec(", Sig::PyExec),
    // Where code runs besides eval/exec. `builtins` also covers `__builtins__` and
    // `__import__("builtins")`.
    ("compile(", Sig::ExecSink),
    // `new module.constructor` then `m._compile(text)`: a module compiled from a string
    // (`_compile(` itself would nest with `compile(`: derived from that hit).
    ("module.constructor", Sig::ExecSink),
    ("runInNewContext", Sig::ExecSink),
    ("runInThisContext", Sig::ExecSink),
    ("runInContext", Sig::ExecSink),
    ("vm.Script", Sig::ExecSink),
    ("setTimeout(", Sig::ExecSink),
    ("setInterval(", Sig::ExecSink),
    ("execSync(", Sig::ExecSink),
    ("execFile(", Sig::ExecSink),
    ("execFileSync(", Sig::ExecSink),
    ("spawn(", Sig::ExecSink),
    ("spawnSync(", Sig::ExecSink),
    ("os.popen(", Sig::ExecSink),
    ("getattr(", Sig::ExecSink),
    ("builtins", Sig::ExecSink),
    // Decoders (real spellings: anchors are case-sensitive; verification is not).
    ("atob(", Sig::Decoder),
    ("b64decode", Sig::Decoder),
    ("decode64", Sig::Decoder),
    ("base64_decode", Sig::Decoder),
    ("inflate", Sig::Decoder),
    ("decompress", Sig::Decoder),
    ("gzuncompress", Sig::Decoder),
    ("rot13", Sig::Decoder),
    ("rot_13", Sig::Decoder),
    ("unhexlify", Sig::Decoder),
    ("fromhex", Sig::Decoder),
    ("marshal.loads", Sig::Decoder),
    ("Fernet(", Sig::Decoder),
    ("decrypt(", Sig::Decoder),
    ("createDecipher", Sig::Decoder),
    ("Buffer.from(", Sig::Decoder),
    ("chr(", Sig::Decoder),
    ("map(chr", Sig::Decoder),
    ("codecs.decode", Sig::Decoder),
    ("unescape(", Sig::Decoder),
    ("decodeURIComponent(", Sig::Decoder),
    // EBCDIC codecs: `b"\x85\xa5\x81\x93".decode("cp1026")` is `eval`.
    ("cp1026", Sig::Decoder),
    ("cp037", Sig::Decoder),
    ("cp500", Sig::Decoder),
    ("cp875", Sig::Decoder),
    ("cp1140", Sig::Decoder),
    ("cp273", Sig::Decoder),
    // `\x65\x76` (`ev`...): escaped spellings of the names droppers hide.
    ("\\145\\166", Sig::EscapedName),     // ev
    ("\\u0065\\u0076", Sig::EscapedName), // ev
    ("\\x65\\x76", Sig::EscapedName),     // ev
    ("\\145\\170", Sig::EscapedName),     // ex
    ("\\u0065\\u0078", Sig::EscapedName), // ex
    ("\\x65\\x78", Sig::EscapedName),     // ex
    ("\\106\\165", Sig::EscapedName),     // Fu
    ("\\u0046\\u0075", Sig::EscapedName), // Fu
    ("\\x46\\x75", Sig::EscapedName),     // Fu
    ("\\162\\145", Sig::EscapedName),     // re
    ("\\u0072\\u0065", Sig::EscapedName), // re
    ("\\x72\\x65", Sig::EscapedName),     // re
    ("\\143\\150", Sig::EscapedName),     // ch
    ("\\u0063\\u0068", Sig::EscapedName), // ch
    ("\\x63\\x68", Sig::EscapedName),     // ch
    ("\\151\\155", Sig::EscapedName),     // im
    ("\\u0069\\u006D", Sig::EscapedName), // im
    ("\\u0069\\u006d", Sig::EscapedName), // im
    ("\\x69\\x6D", Sig::EscapedName),     // im
    ("\\x69\\x6d", Sig::EscapedName),     // im
    ("\\137\\137", Sig::EscapedName),     // __
    ("\\u005F\\u005F", Sig::EscapedName), // __
    ("\\u005f\\u005f", Sig::EscapedName), // __
    ("\\x5F\\x5F", Sig::EscapedName),     // __
    ("\\x5f\\x5f", Sig::EscapedName),     // __
    ("\\163\\160", Sig::EscapedName),     // sp
    ("\\u0073\\u0070", Sig::EscapedName), // sp
    ("\\x73\\x70", Sig::EscapedName),     // sp
    ("\\163\\171", Sig::EscapedName),     // sy
    ("\\u0073\\u0079", Sig::EscapedName), // sy
    ("\\x73\\x79", Sig::EscapedName),     // sy
    ("\\143\\157", Sig::EscapedName),     // co
    ("\\u0063\\u006F", Sig::EscapedName), // co
    ("\\u0063\\u006f", Sig::EscapedName), // co
    ("\\x63\\x6F", Sig::EscapedName),     // co
    ("\\x63\\x6f", Sig::EscapedName),     // co
    ("\\142\\165", Sig::EscapedName),     // bu
    ("\\u0062\\u0075", Sig::EscapedName), // bu
    ("\\x62\\x75", Sig::EscapedName),     // bu
    ("\\147\\145", Sig::EscapedName),     // ge
    ("\\u0067\\u0065", Sig::EscapedName), // ge
    ("\\x67\\x65", Sig::EscapedName),     // ge
    ("\\163\\165", Sig::EscapedName),     // su
    ("\\u0073\\u0075", Sig::EscapedName), // su
    ("\\x73\\x75", Sig::EscapedName),     // su
    ("\\150\\164", Sig::EscapedName),     // ht
    ("\\u0068\\u0074", Sig::EscapedName), // ht
    ("\\x68\\x74", Sig::EscapedName),     // ht
    ("\\141\\164", Sig::EscapedName),     // at
    ("\\u0061\\u0074", Sig::EscapedName), // at
    ("\\x61\\x74", Sig::EscapedName),     // at
    // Bidirectional control characters (Trojan Source), as UTF-8.
    ("\u{202A}", Sig::Bidi),
    ("\u{202B}", Sig::Bidi),
    ("\u{202C}", Sig::Bidi),
    ("\u{202D}", Sig::Bidi),
    ("\u{202E}", Sig::Bidi),
    ("\u{2066}", Sig::Bidi),
    ("\u{2067}", Sig::Bidi),
    ("\u{2068}", Sig::Bidi),
    ("\u{2069}", Sig::Bidi),
    // Network and process use (judged in build.rs, setup.py and install scripts).
    ("http://", Sig::NetworkUse),
    ("https://", Sig::NetworkUse),
    ("TcpStream", Sig::NetworkUse),
    ("reqwest", Sig::NetworkUse),
    ("ureq", Sig::NetworkUse),
    ("urllib", Sig::NetworkUse),
    ("urlopen", Sig::NetworkUse),
    ("requests.get", Sig::NetworkUse),
    ("require('https')", Sig::NetworkUse),
    ("require(\"https\")", Sig::NetworkUse),
    ("require('http')", Sig::NetworkUse),
    ("child_process", Sig::ProcessSpawn),
    ("Command::new", Sig::ProcessSpawn),
    ("subprocess", Sig::ProcessSpawn),
    ("os.system", Sig::ProcessSpawn),
    // Malicious behaviour (behaviour/). Each is information alone; behaviour.rs only
    // reports a threat combined with what makes it malicious (an exfiltration channel, a
    // spawn, an install hook).
    // Credential stores (the `~/.aws` and `.ssh` hits are checked for a path shape).
    (".ssh", Sig::CredStore),
    ("id_rsa", Sig::CredStore),
    ("id_ed25519", Sig::CredStore),
    (".aws", Sig::CredStore),
    (".npmrc", Sig::CredStore),
    (".pypirc", Sig::CredStore),
    (".git-credentials", Sig::CredStore),
    (".netrc", Sig::CredStore),
    (".gnupg", Sig::CredStore),
    ("Exodus", Sig::CredStore),
    // Browser profiles: saved passwords, cookies and the key that decrypts them.
    ("Login Data", Sig::BrowserStore),
    ("Local State", Sig::BrowserStore),
    ("/Cookies", Sig::BrowserStore),
    ("\\Cookies", Sig::BrowserStore),
    ("\"Cookies\"", Sig::BrowserStore),
    ("'Cookies'", Sig::BrowserStore),
    ("encrypted_key", Sig::BrowserStore),
    ("CryptUnprotectData", Sig::BrowserStore),
    // Discord (and Atomic wallet) LevelDB token stores; the encrypted-token marker.
    ("Local Storage", Sig::DiscordStore),
    ("leveldb", Sig::DiscordStore),
    ("dQw4w9WgXcQ", Sig::DiscordStore),
    // `.env` also covers `process.env` and `os.environ` (they contain it); told apart by
    // the bytes around the hit.
    (".env", Sig::EnvAccess),
    ("$(env)", Sig::EnvAccess),
    ("printenv", Sig::EnvAccess),
    // `from os import environ` then `for k, v in environ.items()`: the whole environment.
    ("environ.items()", Sig::EnvAccess),
    // Who and where the victim is.
    ("getuser", Sig::HostInfo),
    ("getlogin", Sig::HostInfo),
    ("userInfo(", Sig::HostInfo),
    ("whoami", Sig::HostInfo),
    ("%USERNAME%", Sig::HostInfo),
    ("hostname(", Sig::HostInfo),
    ("$(hostname", Sig::HostInfo),
    ("platform.node(", Sig::HostInfo),
    ("COMPUTERNAME", Sig::HostInfo),
    ("ipify", Sig::IpLookup),
    ("ipinfo.io", Sig::IpLookup),
    ("ip-api.com", Sig::IpLookup),
    ("icanhazip", Sig::IpLookup),
    ("ifconfig.me", Sig::IpLookup),
    ("checkip.amazonaws", Sig::IpLookup),
    // Request catchers, out-of-band interaction servers, tunnels and paste sites beyond
    // the wallet rule's `Exfil` list.
    ("requestbin", Sig::ExfilOob),
    ("interact.sh", Sig::ExfilOob),
    ("interactsh", Sig::ExfilOob),
    ("oast.fun", Sig::ExfilOob),
    ("oast.pro", Sig::ExfilOob),
    ("oast.live", Sig::ExfilOob),
    ("oast.site", Sig::ExfilOob),
    ("oast.online", Sig::ExfilOob),
    ("oast.me", Sig::ExfilOob),
    ("oastify.com", Sig::ExfilOob),
    ("burpcollaborator", Sig::ExfilOob),
    ("dnslog.cn", Sig::ExfilOob),
    ("ceye.io", Sig::ExfilOob),
    ("canarytokens", Sig::ExfilOob),
    ("hookbin", Sig::ExfilOob),
    ("beeceptor", Sig::ExfilOob),
    ("requestcatcher", Sig::ExfilOob),
    ("trycloudflare.com", Sig::ExfilOob),
    ("serveo.net", Sig::ExfilOob),
    ("ngrok.app", Sig::ExfilOob),
    ("dpaste", Sig::ExfilOob),
    ("rentry.co", Sig::ExfilOob),
    ("ghostbin", Sig::ExfilOob),
    ("termbin", Sig::ExfilOob),
    ("bashupload", Sig::ExfilOob),
    // Sending data out (capability).
    ("requests.post", Sig::NetSend),
    ("requests.put", Sig::NetSend),
    ("httpx.", Sig::NetSend),
    ("aiohttp", Sig::NetSend),
    ("http.client", Sig::NetSend),
    ("fetch(", Sig::NetSend),
    ("https.request", Sig::NetSend),
    ("http.request", Sig::NetSend),
    ("https.get", Sig::NetSend),
    ("axios", Sig::NetSend),
    ("XMLHttpRequest", Sig::NetSend),
    ("smtplib", Sig::NetSend),
    ("storbinary", Sig::NetSend),
    ("socket.socket", Sig::NetSend),
    ("net.Socket", Sig::NetSend),
    ("net.connect", Sig::NetSend),
    ("sendDocument", Sig::NetSend),
    // Fetching files (capability; half of download-and-execute).
    ("urlretrieve", Sig::Download),
    ("DownloadString", Sig::Download),
    ("DownloadFile", Sig::Download),
    ("DownloadData", Sig::Download),
    ("Net.WebClient", Sig::Download),
    ("Invoke-WebRequest", Sig::Download),
    ("Invoke-RestMethod", Sig::Download),
    ("iwr ", Sig::Download),
    ("certutil", Sig::Download),
    ("bitsadmin", Sig::Download),
    ("curl ", Sig::Download),
    ("curl.exe", Sig::Download),
    ("wget ", Sig::Download),
    // Writing a file and running one.
    ("writeFileSync", Sig::WriteFile),
    ("createWriteStream", Sig::WriteFile),
    ("write_bytes", Sig::WriteFile),
    ("-OutFile", Sig::WriteFile),
    ("'wb'", Sig::WriteFile),
    ("\"wb\"", Sig::WriteFile),
    ("startfile", Sig::RunFile),
    ("Start-Process", Sig::RunFile),
    ("chmodSync", Sig::RunFile),
    ("chmod +x", Sig::RunFile),
    ("os.chmod", Sig::RunFile),
    ("Popen", Sig::RunFile),
    ("IEX", Sig::RunFile),
    ("iex (", Sig::RunFile),
    ("iex(", Sig::RunFile),
    ("Invoke-Expression", Sig::RunFile),
    ("| sh", Sig::RunFile),
    ("|sh", Sig::RunFile),
    ("| bash", Sig::RunFile),
    ("|bash", Sig::RunFile),
    // PowerShell flags of droppers.
    ("-EncodedCommand", Sig::PsFlag),
    ("-encodedcommand", Sig::PsFlag),
    ("-enc ", Sig::PsFlag),
    ("-Enc ", Sig::PsFlag),
    ("-ENC ", Sig::PsFlag),
    ("-ec ", Sig::PsFlag),
    ("-w hidden", Sig::PsFlag),
    ("-W hidden", Sig::PsFlag),
    ("-w Hidden", Sig::PsFlag),
    ("-W Hidden", Sig::PsFlag),
    ("-WindowStyle Hidden", Sig::PsFlag),
    ("-WindowStyle hidden", Sig::PsFlag),
    ("-windowstyle hidden", Sig::PsFlag),
    ("FromBase64String", Sig::PsFlag),
    // Reverse shells.
    ("dup2", Sig::RevShell),
    ("/dev/tcp/", Sig::RevShell),
    ("pty.spawn", Sig::RevShell),
    ("mkfifo", Sig::RevShell),
    (" -e /bin/", Sig::RevShell),
    ("bash -i", Sig::RevShell),
    ("/bin/sh -i", Sig::RevShell),
    // Clipboard access (read or write: told apart in verification).
    ("pyperclip", Sig::Clipboard),
    ("clipboard", Sig::Clipboard),
    ("Clipboard", Sig::Clipboard),
    // Cryptominers and their pools.
    ("xmrig", Sig::Miner),
    ("XMRig", Sig::Miner),
    ("XMRIG", Sig::Miner),
    ("stratum+", Sig::Miner),
    ("minexmr", Sig::Miner),
    ("supportxmr", Sig::Miner),
    ("nanopool", Sig::Miner),
    ("2miners", Sig::Miner),
    ("moneroocean", Sig::Miner),
    ("c3pool", Sig::Miner),
    ("hashvault", Sig::Miner),
    ("herominers", Sig::Miner),
    ("unmineable", Sig::Miner),
    ("--donate-level", Sig::Miner),
    // Autostart.
    ("CurrentVersion\\Run", Sig::Persistence),
    ("CurrentVersion\\\\Run", Sig::Persistence),
    ("schtasks", Sig::Persistence),
    ("@reboot", Sig::Persistence),
    ("LaunchAgents", Sig::Persistence),
    ("Start Menu", Sig::Persistence),
    ("systemd/user", Sig::Persistence),
    ("crontab", Sig::Persistence),
    // Keyloggers and screen capture.
    ("pynput", Sig::Keylogger),
    ("keyboard.on_press", Sig::Keylogger),
    ("keyboard.hook", Sig::Keylogger),
    ("GetAsyncKeyState", Sig::Keylogger),
    ("SetWindowsHookEx", Sig::Keylogger),
    ("ImageGrab", Sig::ScreenCapture),
    ("pyautogui.screenshot", Sig::ScreenCapture),
    ("mss.mss", Sig::ScreenCapture),
    ("import mss", Sig::ScreenCapture),
    ("from mss", Sig::ScreenCapture),
    // DNS lookups (a name built from host data is a covert channel).
    ("gethostbyname", Sig::DnsLookup),
    ("dns.lookup", Sig::DnsLookup),
    ("dns.resolve", Sig::DnsLookup),
    ("nslookup", Sig::DnsLookup),
    // PyArmor-packed Python.
    ("__pyarmor__", Sig::PyArmor),
    ("pyarmor_runtime", Sig::PyArmor),
    ("pytransform", Sig::PyArmor),
    // A payload pushed off-screen by a run of spaces (checked for 150+ in verification).
    (
        "                                                                ",
        Sig::SpacePad,
    ),
    // Zero-width characters (U+FEFF only mid-file: at offset 0 it is a BOM).
    ("\u{200B}", Sig::ZeroWidth),
    ("\u{200C}", Sig::ZeroWidth),
    ("\u{200D}", Sig::ZeroWidth),
    ("\u{2060}", Sig::ZeroWidth),
    ("\u{FEFF}", Sig::ZeroWidth),
    // LLM SDKs and endpoints; model code.
    ("openai", Sig::LlmSdk),
    ("OpenAI", Sig::LlmSdk),
    ("anthropic", Sig::LlmSdk),
    ("Anthropic", Sig::LlmSdk),
    ("langchain", Sig::LlmSdk),
    ("google.generativeai", Sig::LlmSdk),
    ("@google/generative-ai", Sig::LlmSdk),
    ("groq", Sig::LlmSdk),
    ("chat.completions", Sig::LlmEndpoint),
    ("ChatCompletion", Sig::LlmEndpoint),
    ("messages.create", Sig::LlmEndpoint),
    ("/v1/chat/completions", Sig::LlmEndpoint),
    ("/v1/messages", Sig::LlmEndpoint),
    ("openrouter.ai", Sig::LlmEndpoint),
    ("generateContent", Sig::LlmEndpoint),
    ("import torch", Sig::ModelCode),
    ("from torch", Sig::ModelCode),
    ("tensorflow", Sig::ModelCode),
    ("nn.Module", Sig::ModelCode),
    ("import jax", Sig::ModelCode),
    ("sklearn", Sig::ModelCode),
    ("optimizer.step", Sig::ModelCode),
    ("candle_core", Sig::ModelCode),
    ("use tch::", Sig::ModelCode),
    ("onnxruntime", Sig::ModelCode),
    // A training loop, Keras, gradient boosting, Hugging Face models run locally.
    ("loss.backward", Sig::ModelCode),
    ("keras", Sig::ModelCode),
    ("xgboost", Sig::ModelCode),
    ("lightgbm", Sig::ModelCode),
    ("from transformers", Sig::ModelCode),
    // Token owner powers: files with none of these are not parsed (contracts/).
    ("onlyOwner", Sig::OwnerGate),
    ("onlyRole", Sig::OwnerGate),
    ("msg.sender", Sig::OwnerGate),
    ("_msgSender()", Sig::OwnerGate),
    ("_checkOwner", Sig::OwnerGate),
    ("tx.origin", Sig::OwnerGate),
    ("selfdestruct", Sig::ContractPower),
    ("delegatecall", Sig::ContractPower),
    ("upgradeTo", Sig::ContractPower),
    ("_authorizeUpgrade", Sig::ContractPower),
    ("anchor_lang", Sig::SolanaProgram),
    ("solana_program", Sig::SolanaProgram),
    ("#[cfg(test)]", Sig::RustTestModule),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The automaton reports non-overlapping matches, so an anchor inside another would
    /// silently hide one of the two.
    #[test]
    fn no_anchor_contains_another() {
        for (i, (a, _)) in ANCHORS.iter().enumerate() {
            for (j, (b, _)) in ANCHORS.iter().enumerate() {
                assert!(i == j || !a.contains(b), "anchor {a:?} contains {b:?}");
            }
        }
    }
}
