// Starts the real AuraSecurity release binary on a random loopback port with a fresh SQLite
// database (as .ci/schemathesis does), web role and worker in one process, its GitHub and OSV
// pointed at a loopback stand-in. The binary: $AURA_SERVER_BIN, else target/release/server of
// the repository this package lives in.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, existsSync, createWriteStream, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../../../..", import.meta.url)));
export const serverBin = () => process.env.AURA_SERVER_BIN || join(REPO_ROOT, "target/release/server");
const SECRET_KEY = "5c".repeat(32);

export async function freePort() {
  const s = createServer();
  await new Promise((ok) => s.listen(0, "127.0.0.1", ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

/**
 * @param {{githubUrl: string, env?: Record<string,string>}} opts
 * @returns {Promise<{base: string, adminKey: string, logFile: string, stop: () => Promise<void>, log: () => string}>}
 */
export async function startServer({ githubUrl, env = {} }) {
  const SERVER_BIN = serverBin();
  if (!existsSync(SERVER_BIN)) {
    throw new Error(`server binary not found at ${SERVER_BIN}: run \`cargo leptos build --release\` or set AURA_SERVER_BIN`);
  }
  const data = mkdtempSync(join(tmpdir(), "aura-sdk-"));
  const port = await freePort();
  const baseEnv = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    AURA_DATA_DIR: data,
    AURA_DATABASE_URL: `sqlite://${data}/sdk.db?mode=rwc`,
    AURA_SECRET_KEY: SECRET_KEY,
    LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
    AURA_ALLOW_PRIVATE_TARGETS: "true",
    AURA_GITHUB_API_URL: githubUrl,
    AURA_OSV_API_URL: githubUrl,
    AURA_X_API_URL: "http://127.0.0.1:9",
    AURA_WEBHOOK_RETRY_DELAYS: "1,1,1",
    RUST_LOG: "warn",
    ...env,
  };
  const adminKey = execFileSync(SERVER_BIN, ["admin", "create", "--email", "ops@sdk.test", "--password-stdin"], {
    cwd: REPO_ROOT,
    env: baseEnv,
    input: "sdk-test-password\n",
    stdio: ["pipe", "pipe", "pipe"],
  }).toString().trim().split("\n").pop().trim();
  const logFile = join(data, "server.log");
  const out = createWriteStream(logFile);
  const child = spawn(SERVER_BIN, [], { cwd: REPO_ROOT, env: baseEnv, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const exited = new Promise((ok) => child.once("exit", ok));
  const base = `http://127.0.0.1:${port}`;
  let up = false;
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) { up = true; break; }
    } catch {}
    await new Promise((ok) => setTimeout(ok, 50));
  }
  const log = () => { try { return readFileSync(logFile, "utf8"); } catch { return ""; } };
  if (!up) {
    child.kill("SIGKILL");
    throw new Error(`server did not start:\n${log()}`);
  }
  return {
    base,
    adminKey,
    logFile,
    log,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
      if (!process.env.AURA_KEEP_DATA) rmSync(data, { recursive: true, force: true });
    },
  };
}
