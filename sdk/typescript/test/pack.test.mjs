// `npm pack` gives a tarball that a fresh project installs, imports (ESM) and typechecks
// against (declarations resolve under both NodeNext and bundler resolution).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PKG = fileURLToPath(new URL("..", import.meta.url));
const TSC = join(PKG, "node_modules", "typescript", "bin", "tsc");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

test("npm pack: a usable tarball (install, import, typecheck)", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "aura-pack-"));
  try {
    const [info] = JSON.parse(execFileSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: PKG }).toString());
    const files = info.files.map((f) => f.path);
    for (const f of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/client.js", "dist/generated/openapi.d.ts"]) {
      assert.ok(files.includes(f), `${f} is in the tarball`);
    }
    assert.ok(!files.some((f) => f.startsWith("test/") || f.startsWith("node_modules/")), "no tests or node_modules in the tarball");

    const app = join(dir, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module", dependencies: { "@aurasecurity/sdk": `file:${join(dir, info.filename)}` } }));
    execFileSync(npm, ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: app, stdio: "pipe" });

    writeFileSync(join(app, "run.mjs"), `
      import { AuraClient, AuraError, verifyWebhook, parseSse, SDK_VERSION } from "@aurasecurity/sdk";
      const c = new AuraClient({ apiKey: "aura_pk_free_x", baseUrl: "https://aura.example/" });
      if (c.url("/v1/scan/a") !== "https://aura.example/v1/scan/a") throw new Error("url");
      if (!(new AuraError({ code: "x", message: "m", status: 1 }) instanceof Error)) throw new Error("error");
      const ok = await verifyWebhook("{}", { "x-aurasecurity-signature": "sha256=00" }, "whsec_AA==", { scheme: "aura" });
      console.log(typeof parseSse, ok, SDK_VERSION);
    `);
    assert.equal(execFileSync(process.execPath, ["run.mjs"], { cwd: app }).toString().trim(), "function false 0.1.0");

    writeFileSync(join(app, "use.ts"), `
      import { AuraClient, AuraError, verifyWebhook, type ScanObject, type ScanEvent, type WebhookPayload, type paths } from "@aurasecurity/sdk";
      const aura = new AuraClient({ apiKey: "k", baseUrl: "https://aura.example" });
      export async function main(): Promise<number | undefined> {
        const sub = await aura.scanRepo({ url: "owner/repo", callback_url: "https://bot.example/cb" });
        const id: string = sub.scan_id;
        const scan: ScanObject = await aura.waitForResult(id, { onProgress: (e: ScanEvent) => { if (e.type === "progress") e.data.percent.toFixed(); } });
        const verdict: "SAFU" | "DYOR" | "RISKY" | "SCAM" | undefined = scan.result?.verdict;
        const keys = await aura.keys.list();
        const first: string | undefined = keys[0]?.prefix;
        const scoped = await aura.keys.create({ name: "widget", scopes: ["scans:read"], allowed_origins: ["https://terminal.example"] });
        const scopes: string[] = scoped.scopes;
        const mine: ScanObject[] = await aura.listScans({ limit: 20 });
        for await (const s of aura.scans.iterate()) void (s.status satisfies "queued" | "running" | "completed" | "failed");
        const invited: string = (await aura.admin.createPartner({ name: "n", email: "e@x.example", tier: "pro", partner_slug: "desk" })).invite_url;
        void scopes; void mine; void invited;
        const ok: boolean = await verifyWebhook("{}", new Headers(), "whsec_x");
        const route: keyof paths = "/v1/scan/latest";
        try { await aura.latest("owner/repo"); } catch (e) { if (e instanceof AuraError) return e.retryAfter ?? e.status; }
        void verdict; void first; void ok; void route; void ({} as WebhookPayload);
        return scan.result?.score;
      }
    `);
    // No @types/node: the declarations must stand on the DOM/ES libs alone (browsers).
    for (const [mod, res] of [["nodenext", "nodenext"], ["esnext", "bundler"]]) {
      const compilerOptions = { noEmit: true, strict: true, target: "es2022", lib: ["es2022", "dom"], module: mod, moduleResolution: res, types: [] };
      writeFileSync(join(app, `tsconfig.${res}.json`), JSON.stringify({ compilerOptions, files: ["use.ts"] }));
      execFileSync(process.execPath, [TSC, "-p", `tsconfig.${res}.json`], { cwd: app, stdio: "pipe" });
    }
  } catch (e) {
    if (e.stdout || e.stderr) e.message += `\n${e.stdout ?? ""}${e.stderr ?? ""}`;
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
