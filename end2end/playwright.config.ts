// Playwright journeys against the release server binary, driven in Debian's Chromium
// (never a browser downloaded by the test tool). The server runs from the repository root
// so it reads Leptos.toml and serves target/site, on its own port and fresh data folder.
import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const port = Number(process.env.AURA_E2E_PORT ?? 3917);
const baseURL = `http://127.0.0.1:${port}`;
const dataDir = process.env.AURA_E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), "aura-e2e-"));
// Test workers re-evaluate this file: hand them the same data folder (journeys that need
// to arrange data the API cannot, e.g. before embed settings exist, open its database).
process.env.AURA_E2E_DATA_DIR = dataDir;
const githubPort = Number(process.env.AURA_E2E_GITHUB_PORT ?? 3918);

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
    },
  },
  webServer: [{
    // GitHub stand-in and partner sites (end2end/support/stubs.mjs).
    command: "node support/stubs.mjs",
    url: `http://127.0.0.1:${process.env.AURA_E2E_PARTNER_PORT ?? 3919}/health`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: "pipe",
  }, {
    command: "./target/release/server",
    cwd: "..",
    url: `${baseURL}/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      AURA_DATA_DIR: dataDir,
      AURA_DATABASE_URL: `sqlite://${dataDir}/e2e.db?mode=rwc`,
      AURA_SECRET_KEY: "e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0",
      AURA_ALLOW_PRIVATE_TARGETS: "true",
      AURA_ADMIN_EMAIL: "admin@e2e.test",
      AURA_ADMIN_PASSWORD: "admin-password-e2e",
      AURA_WEBHOOK_RETRY_DELAYS: "1,1,1",
      AURA_GITHUB_API_URL: process.env.AURA_E2E_GITHUB_API_URL ?? `http://127.0.0.1:${githubPort}`,
    },
  }],
});
