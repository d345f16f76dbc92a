// The landing page is server-rendered, carries the security headers, and hydrates: the
// badge snippet updates as the visitor types, which only the wasm bundle can do.
import { test, expect } from "@playwright/test";

test("landing page renders, is secured and hydrates", async ({ page, baseURL }) => {
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  const headers = response!.headers();
  expect(headers["content-security-policy"]).toContain("'wasm-unsafe-eval'");
  expect(headers["content-security-policy"]).toMatch(/'nonce-[A-Za-z0-9_-]+'/);
  expect(headers["content-security-policy"]).not.toContain("script-src 'self' 'unsafe-inline'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["x-frame-options"]).toBe("DENY");
  await expect(page.locator("h1")).toContainText("real, or a rug");

  const errors: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  const snippet = page.getByTestId("badge-snippet");
  await expect(snippet).toContainText("Type owner/repo");
  // Typing only changes the snippet once hydration has attached the event handler.
  await expect(async () => {
    await page.fill("#badge-repo", "");
    await page.type("#badge-repo", "solana-labs/solana");
    await expect(snippet).toContainText("/badge/solana-labs/solana.svg", { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  // Absolute URLs (the snippet is pasted on GitHub), linking to the stable latest report.
  await expect(snippet).toHaveText(
    `[![AuraSecurity](${baseURL}/badge/solana-labs/solana.svg)](${baseURL}/report/github/solana-labs/solana)`,
  );
  expect(errors.filter((e) => e.includes("Content Security Policy"))).toEqual([]);
});

test("docs are served from our own origin", async ({ page, baseURL }) => {
  const external: string[] = [];
  page.on("request", (r) => { if (new URL(r.url()).origin !== new URL(baseURL!).origin) external.push(r.url()); });
  await page.goto("/docs");
  await expect(page.locator(".swagger-ui")).toBeVisible();
  await expect(page.locator("text=/health").first()).toBeVisible();
  expect(external.filter((u) => !u.startsWith("data:"))).toEqual([]);
});

test("unknown pages get the 404 page", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.locator("h1")).toContainText("Page not found");
});

test("the landing page's scan box leads to the report, which follows the scan live", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  // A repository of its own: the widget journey watches e2e-org/wallet-sdk scan live, which a
  // fresh result from here would skip.
  const repo = `e2e-org/landing-${Date.now()}`;
  await page.goto(`/?repo=${repo}`);
  const input = page.locator("#scan-box-repo");
  await expect(input).toHaveValue(repo);
  await page.getByTestId("scan-box-submit").click();
  await page.waitForURL(/\/report\/[0-9a-f]{32}$/);
  await expect(page.getByTestId("verdict")).toHaveText(/^(SAFU|DYOR|RISKY|SCAM)$/, { timeout: 45_000 });
  // Finished, the report is static content: the same bytes for everyone, its inline scripts
  // allowed by their hashes instead of a nonce. It still hydrates: the copy button answers.
  const cached = await page.reload();
  expect(cached?.headers()["cache-control"]).toContain("public");
  expect(cached?.headers()["content-security-policy"]).toContain("'sha256-");
  expect(cached?.headers()["content-security-policy"]).not.toContain("'nonce-");
  const copy = page.getByTestId("share").getByRole("button").first();
  await expect(async () => {
    await copy.click();
    await expect(copy).toHaveText("Copied", { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  expect(errors.filter((e) => e.includes("Content Security Policy"))).toEqual([]);
});

test("the scan box works without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/");
  await page.fill("#scan-box-repo", "not a repository");
  await page.getByTestId("scan-box-submit").click();
  await expect(page.getByTestId("scan-box-error")).toBeVisible();
  await page.fill("#scan-box-repo", `https://github.com/e2e-org/landing-nojs-${Date.now()}`);
  await page.getByTestId("scan-box-submit").click();
  await page.waitForURL(/\/report\/[0-9a-f]{32}$/);
  await context.close();
});
