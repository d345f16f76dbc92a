// Public surfaces in a real browser: a partner's page on a registered origin frames the
// widget and watches it progress to a verdict; a page on another origin cannot frame it;
// report pages are complete with JavaScript disabled. Scans run against the GitHub
// stand-in of end2end/support/stubs.mjs.
import { test, expect, request as apiRequest } from "@playwright/test";

const partnerOrigin = `http://localhost:${process.env.AURA_E2E_PARTNER_PORT ?? 3919}`;
const otherOrigin = `http://localhost:${process.env.AURA_E2E_OTHER_PORT ?? 3920}`;

/// A fresh partner whose registered embed domain is `partnerOrigin`.
async function partner(baseURL: string): Promise<{ slug: string; key: string }> {
  const api = await apiRequest.newContext({ baseURL });
  const email = `terminal-${Date.now()}-${Math.floor(Math.random() * 1e6)}@e2e.test`;
  const res = await api.post("/v1/auth/register", { data: { email, password: "partner-password", name: "E2E Terminal" } });
  expect(res.status()).toBe(201);
  const body = await res.json();
  const put = await api.put("/v1/embed/settings", {
    headers: { authorization: `Bearer ${body.api_key}` },
    data: { allowed_domains: [partnerOrigin] },
  });
  expect(put.status()).toBe(200);
  await api.dispose();
  return { slug: body.partner_slug, key: body.api_key };
}

test("a registered partner frames the widget and sees it reach a verdict", async ({ page, baseURL }) => {
  const { slug } = await partner(baseURL!);
  const widget = `${baseURL}/embed/scan?repo=e2e-org/wallet-sdk&partner=${slug}&compact=true`;
  const errors: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  const loaded: string[] = [];
  page.on("request", (r) => loaded.push(new URL(r.url()).pathname));
  await page.goto(`${partnerOrigin}/?src=${encodeURIComponent(widget)}`);
  const frame = page.frameLocator("#widget");
  // The archive stand-in answers after a delay: progress first, then the outcome.
  await expect(frame.getByTestId("live-progress")).toBeVisible();
  await expect(frame.getByTestId("embed-verdict")).toHaveText(/^(SAFU|DYOR|RISKY|SCAM)$/, { timeout: 45_000 });
  await expect(frame.getByTestId("embed-score")).toHaveText(/^\d{1,3}$/);
  const link = frame.getByTestId("powered-by");
  await expect(link).toHaveText("Powered by AuraSecurity");
  await expect(link).toHaveAttribute("target", "_blank");
  await expect(link).toHaveAttribute("rel", "noopener");
  await expect(link).toHaveAttribute("href", /\/report\/[0-9a-f]{32}$/);
  // Compact fits its 300×200 frame without scrolling.
  const box = await frame.getByTestId("embed").evaluate((el) => ({ sw: el.scrollWidth, sh: el.scrollHeight, w: el.clientWidth, h: el.clientHeight }));
  expect(box.sw).toBeLessThanOrEqual(300);
  expect(box.sh).toBeLessThanOrEqual(200);
  expect(errors.filter((e) => e.includes("Content Security Policy"))).toEqual([]);
  // The widget hydrates with its own bundle, never the application's.
  expect(loaded).toContain("/widget/pkg/widget.wasm");
  expect(loaded.filter((p) => /^\/pkg\/.*\.(js|wasm)$/.test(p))).toEqual([]);
});

test("another origin cannot frame the partner's widget", async ({ page, baseURL }) => {
  const { slug } = await partner(baseURL!);
  const widget = `${baseURL}/embed/scan?repo=e2e-org/wallet-sdk&partner=${slug}`;
  const refused = page.waitForEvent("console", { predicate: (m) => m.text().includes("frame-ancestors"), timeout: 15_000 });
  const response = page.waitForResponse((r) => r.url().startsWith(`${baseURL}/embed/scan`));
  await page.goto(`${otherOrigin}/?src=${encodeURIComponent(widget)}`);
  const res = await response;
  expect(res.headers()["content-security-policy"]).toContain(`frame-ancestors ${partnerOrigin}`);
  expect(res.headers()["x-frame-options"]).toBeUndefined();
  await refused;
  await expect(page.frameLocator("#widget").getByTestId("embed")).toHaveCount(0);
});

test("the report is complete with JavaScript disabled", async ({ browser, baseURL }) => {
  const { key } = await partner(baseURL!);
  const api = await apiRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${key}` } });
  const res = await api.post("/v1/scan/repo", { data: { url: "e2e-org/report-sdk" } });
  expect([200, 202]).toContain(res.status());
  const { scan_id: id } = await res.json();
  await api.dispose();
  // Scans are public: poll without the key (a free key allows 5 calls a minute).
  const anon = await apiRequest.newContext({ baseURL });
  await expect.poll(async () => (await (await anon.get(`/v1/scan/${id}`)).json()).status, { timeout: 45_000 }).toBe("completed");
  const scan = await (await anon.get(`/v1/scan/${id}`)).json();
  await anon.dispose();

  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const response = await page.goto(`/report/${id}`);
  expect(response?.status()).toBe(200);
  expect(response!.headers()["x-frame-options"]).toBe("DENY");
  await expect(page.getByTestId("report-target")).toHaveText("e2e-org/report-sdk");
  await expect(page.getByTestId("score")).toHaveText(String(scan.result.score));
  await expect(page.getByTestId("verdict")).toHaveText(scan.result.verdict);
  await expect(page.getByTestId("checks").locator("tbody tr")).toHaveCount(scan.result.checks.length);
  await expect(page.getByTestId("share-link")).toHaveValue(new RegExp(`/report/${id}$`));
  await expect(page.locator('meta[property="og:title"]')).toHaveAttribute("content", `AuraSecurity: e2e-org/report-sdk — ${scan.result.score}/100 ${scan.result.verdict}`);
  await context.close();
});

test("an unknown report is a 404 page", async ({ page }) => {
  const response = await page.goto("/report/00000000000000000000000000000000");
  expect(response?.status()).toBe(404);
  await expect(page.locator("h1")).toHaveText("Report not found");
});
