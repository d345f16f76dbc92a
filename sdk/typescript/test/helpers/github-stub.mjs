// A loopback stand-in for the parts of GitHub's REST API that the scan engine reads
// (repository metadata, contributors, commits, the owner, the tarball as a 302 to a real
// .tar.gz with GitHub's `{owner}-{repo}-{sha}/` prefix) and, on the same port, OSV's
// `POST /v1/querybatch` (no known vulnerabilities). Point AURA_GITHUB_API_URL and
// AURA_OSV_API_URL at `url`. Shapes follow server/tests/common/github.rs.
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";

const iso = (daysAgo) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");

/** A small healthy TypeScript project (README, licence, CI, sources and tests). */
export function healthyRepo(seed = 1) {
  const files = {
    "README.md": `# Orbit ${seed}\n\nOrbit is a TypeScript SDK for building wallets and payment flows. It wraps transaction building, signing, fee estimation and confirmation tracking behind a small typed API.\n\n## Install\n\n\`\`\`sh\nnpm install @orbit/sdk${seed}\n\`\`\`\n\n## Contributing\n\nRun \`npm test\` before opening a pull request. Security reports go to SECURITY.md.\n`,
    LICENSE: "MIT License\n\nCopyright (c) 2023 Orbit\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software.\n",
    "package.json": JSON.stringify({ name: `@orbit/sdk${seed}`, version: "1.0.0", license: "MIT", scripts: { test: "vitest" }, devDependencies: { vitest: "^1.0.0" } }),
    ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n",
  };
  for (let i = 0; i < 10; i++) {
    const n = seed * 100 + i;
    let extra = "";
    for (let k = 0; k < (n % 7) + 2; k++) extra += `  step${k}(x: number): number { return x * ${n + k} + ${k}; }\n`;
    files[`src/mod${i}.ts`] = `export interface Options${n} { retries: number; timeoutMs: number }\n\nexport function backoff${n}(attempt: number, opts: Options${n}): number {\n  const base = Math.min(opts.timeoutMs, 100 * 2 ** attempt);\n  return base + Math.floor(Math.random() * ${n});\n}\n\nexport class Queue${n}<T> {\n  private items: T[] = [];\n  push(x: T) { this.items.push(x); }\n  pop(): T | undefined { return this.items.shift(); }\n${extra}}\n`;
    if (i % 3 === 0) {
      files[`test/mod${i}.test.ts`] = `import { backoff${n} } from '../src/mod${i}';\nimport { test, expect } from 'vitest';\ntest('grows', () => { expect(backoff${n}(3, { retries: 1, timeoutMs: 10000 })).toBeGreaterThan(700); });\n`;
    }
  }
  return { files, createdDaysAgo: 900, stars: 420 };
}

/** A gzipped ustar archive of `files` ({path: text}) under `prefix/`. */
export function tarGz(prefix, files) {
  const blocks = [];
  for (const [path, text] of Object.entries(files)) {
    const name = `${prefix}/${path}`;
    if (Buffer.byteLength(name) > 99) throw new Error(`name too long for this tar writer: ${name}`);
    const data = Buffer.from(text);
    const h = Buffer.alloc(512);
    h.write(name, 0);
    h.write("0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(data.length.toString(8).padStart(11, "0") + "\0", 124);
    h.write(Math.floor(Date.now() / 1000).toString(8).padStart(11, "0") + "\0", 136);
    h.write("        ", 148);
    h.write("0", 156);
    h.write("ustar\0", 257);
    h.write("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

const json = (res, status, body, headers = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

export async function startGitHubStub() {
  const repos = new Map(); // lowercase full name -> repo
  const stats = { archives: 0, osvBatches: 0, requests: [] };
  let archiveDelayMs = 0;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://stub");
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    stats.requests.push(`${req.method} ${url.pathname}`);
    const body = await new Promise((r) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c)).on("end", () => r(Buffer.concat(chunks).toString()));
    });
    const notFound = () => json(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    if (req.method === "POST" && url.pathname === "/v1/querybatch") {
      stats.osvBatches++;
      const queries = JSON.parse(body || "{}").queries ?? [];
      return json(res, 200, { results: queries.map(() => ({})) });
    }
    if (parts[0] === "users" && parts.length === 2) {
      return json(res, 200, { login: parts[1], type: "User", created_at: iso(2000), followers: 300, public_repos: 25 });
    }
    if (parts[0] === "_archive" && parts.length === 3) {
      const r = repos.get(`${parts[1]}/${parts[2]}`.toLowerCase());
      if (!r) return notFound();
      if (archiveDelayMs) await new Promise((ok) => setTimeout(ok, archiveDelayMs));
      stats.archives++;
      res.writeHead(200, { "content-type": "application/x-gzip" });
      return res.end(tarGz(`${parts[1]}-${parts[2]}-abc1234`, r.files));
    }
    if (parts[0] !== "repos" || parts.length < 3) return notFound();
    const [, owner, name, what] = parts;
    const r = repos.get(`${owner}/${name}`.toLowerCase());
    if (!r) return notFound();
    if (parts.length === 3) {
      return json(res, 200, {
        id: 1, name, full_name: `${owner}/${name}`, private: false,
        owner: { login: owner, type: "User" }, description: "A wallet SDK", fork: false,
        created_at: iso(r.createdDaysAgo), updated_at: iso(1), pushed_at: iso(2),
        stargazers_count: r.stars, watchers_count: r.stars, subscribers_count: 12,
        forks_count: 30, open_issues_count: 4, archived: false, default_branch: "main",
        license: { key: "mit", spdx_id: "MIT" },
      });
    }
    if (parts.length !== 4) return notFound();
    switch (what) {
      case "commits": {
        const who = ["alice", "bob", "carol", "dave"];
        return json(res, 200, Array.from({ length: 30 }, (_, i) => ({
          sha: (i + 1).toString(16).padStart(40, "0"),
          commit: { author: { name: who[i % 4], email: `${who[i % 4]}@example.org`, date: iso(i * 20) }, committer: { name: who[i % 4], date: iso(i * 20) }, message: "change" },
          author: { login: who[i % 4], type: "User" },
        })));
      }
      case "contributors":
        return json(res, 200, [
          { login: "alice", id: 1, type: "User", contributions: 40 },
          { login: "bob", id: 2, type: "User", contributions: 25 },
          { login: "carol", id: 3, type: "User", contributions: 12 },
          { login: "dave", id: 4, type: "User", contributions: 5 },
        ]);
      case "tarball":
        res.writeHead(302, { location: `/_archive/${owner}/${name}` });
        return res.end();
      default:
        return notFound();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    add(fullName, repo) { repos.set(fullName.toLowerCase(), repo); },
    setArchiveDelay(ms) { archiveDelayMs = ms; },
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
}
