// Loopback stand-ins for the public-surface journeys, started by Playwright as a web server:
//  * GitHub's REST API (the shapes of server/tests/common/github.rs): repository, owner,
//    commits, contributors, and the tarball as a 302 to a real .tar.gz made by `tar`,
//    answered after a delay so a scan stays visibly in progress for a moment;
//  * two partner sites on other origins, each a page that frames `?src=` in a 300×200
//    iframe: one origin gets registered as the partner's domain, the other does not;
//  * a webhook receiver on the first partner site: `POST /hook?tag=…` answers 200 and
//    keeps the delivery, `GET /hook/log?tag=…` lists what arrived under that tag.
import { createServer } from "node:http";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";

const GITHUB_PORT = Number(process.env.AURA_E2E_GITHUB_PORT ?? 3918);
const PARTNER_PORTS = [Number(process.env.AURA_E2E_PARTNER_PORT ?? 3919), Number(process.env.AURA_E2E_OTHER_PORT ?? 3920)];
const ARCHIVE_DELAY_MS = Number(process.env.AURA_E2E_ARCHIVE_DELAY_MS ?? 2500);

const iso = (daysAgo) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");

function files(name) {
  const out = {
    "README.md": `# ${name}\n\n${name} is a TypeScript SDK for building wallets and payment flows. It wraps transaction building, signing, fee estimation and confirmation tracking behind a small typed API.\n\n## Install\n\n\`\`\`sh\nnpm install @orbit/${name}\n\`\`\`\n\n## Contributing\n\nRun \`npm test\` before opening a pull request. Security reports go to SECURITY.md.\n`,
    "LICENSE": "MIT License\n\nCopyright (c) 2023 Orbit\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software.\n",
    "package.json": JSON.stringify({ name: `@orbit/${name}`, version: "1.0.0", license: "MIT", scripts: { test: "vitest" }, devDependencies: { vitest: "^1.0.0" } }),
    ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n",
  };
  for (let i = 0; i < 6; i++) {
    out[`src/mod${i}.ts`] = `export function backoff${i}(attempt: number, cap: number): number {\n  return Math.min(cap, 100 * 2 ** attempt) + ${i};\n}\n`;
    if (i % 2 === 0) out[`test/mod${i}.test.ts`] = `import { backoff${i} } from '../src/mod${i}';\nimport { test, expect } from 'vitest';\ntest('grows', () => { expect(backoff${i}(3, 10000)).toBeGreaterThan(700); });\n`;
  }
  return out;
}

function tarball(owner, repo) {
  const dir = mkdtempSync(join(tmpdir(), "aura-e2e-gh-"));
  const prefix = `${owner}-${repo}-abc1234`;
  for (const [path, content] of Object.entries(files(repo))) {
    const p = join(dir, prefix, path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return execFileSync("tar", ["czf", "-", "-C", dir, prefix]);
}

const json = (res, status, body) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

createServer((req, res) => {
  const parts = new URL(req.url, "http://x").pathname.split("/").filter(Boolean);
  const notFound = () => json(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  if (parts[0] === "users" && parts.length === 2) {
    return json(res, 200, { login: parts[1], type: "User", created_at: iso(2000), followers: 300, public_repos: 25 });
  }
  if (parts[0] === "_archive" && parts.length === 3) {
    return setTimeout(() => {
      res.writeHead(200, { "content-type": "application/x-gzip" });
      res.end(tarball(parts[1], parts[2]));
    }, ARCHIVE_DELAY_MS);
  }
  if (parts[0] !== "repos" || parts.length < 3) return notFound();
  const [, owner, name, what] = parts;
  if (!what) {
    return json(res, 200, {
      id: 1, name, full_name: `${owner}/${name}`, private: false, owner: { login: owner, type: "User" },
      description: "A wallet SDK", fork: false, created_at: iso(900), updated_at: iso(1), pushed_at: iso(2),
      stargazers_count: 420, watchers_count: 420, subscribers_count: 12, forks_count: 30, open_issues_count: 4,
      archived: false, default_branch: "main", license: { key: "mit", spdx_id: "MIT" },
    });
  }
  const who = ["alice", "bob", "carol", "dave"];
  if (what === "commits") {
    return json(res, 200, Array.from({ length: 30 }, (_, i) => ({
      sha: (i + 1).toString(16).padStart(40, "0"),
      commit: { author: { name: who[i % 4], email: `${who[i % 4]}@example.org`, date: iso(i * 20) }, committer: { name: who[i % 4], date: iso(i * 20) }, message: "change" },
      author: { login: who[i % 4], type: "User" },
    })));
  }
  if (what === "contributors") {
    return json(res, 200, who.map((login, i) => ({ login, id: i + 1, type: "User", contributions: [40, 25, 12, 5][i] })));
  }
  if (what === "tarball") {
    res.writeHead(302, { location: `/_archive/${owner}/${name}` });
    return res.end();
  }
  return notFound();
}).listen(GITHUB_PORT, "127.0.0.1");

// A partner's page: frames whatever `?src=` names.
const partnerPage = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Partner terminal</title></head>
<body><h1>Partner terminal</h1><iframe id="widget" width="300" height="200" style="border:0"></iframe>
<script>document.getElementById("widget").src = new URLSearchParams(location.search).get("src");</script></body></html>`;
// Webhook deliveries by tag, in arrival order: { event, headers, body }.
const hooks = new Map();
function receiver(req, res, url) {
  const tag = url.searchParams.get("tag") ?? "";
  if (req.method === "GET" && url.pathname === "/hook/log") return json(res, 200, hooks.get(tag) ?? []);
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    let event = null;
    try { event = JSON.parse(body).event ?? null; } catch { /* kept as received */ }
    if (!hooks.has(tag)) hooks.set(tag, []);
    hooks.get(tag).push({ event, headers: req.headers, body });
    res.writeHead(200);
    res.end("ok");
  });
}

// Browsers may resolve `localhost` to either loopback address: answer on both.
for (const port of PARTNER_PORTS) {
  for (const host of ["127.0.0.1", "::1"]) {
    createServer((req, res) => {
      if (req.url === "/health") { res.writeHead(200); return res.end("ok"); }
      const url = new URL(req.url, "http://x");
      if (url.pathname.startsWith("/hook")) return receiver(req, res, url);
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(partnerPage);
    }).on("error", (e) => { if (host === "127.0.0.1") throw e; }).listen(port, host);
  }
}
console.log(`stubs: GitHub on ${GITHUB_PORT}, partner sites on ${PARTNER_PORTS.join(", ")}`);
