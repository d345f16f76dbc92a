// The partner console and the admin console in a real browser, against the release server,
// the GitHub stand-in and the webhook receiver of end2end/support/stubs.mjs:
//  * a partner starts a scan from the dashboard and watches it complete, with a webhook
//    endpoint registered first: the delivery shows as sent and is redelivered;
//  * an admin onboards a partner, who follows the invitation, sets a password, sees the
//    calls made with the key in the usage chart, registers an embed domain and gets the
//    iframe snippet; the admin suspends the partner and the key stops working.
// With AURA_E2E_SCREENSHOTS=<dir> the journeys also save the README's screenshots there.
import { test, expect, type Page, type APIRequestContext } from "@playwright/test";

const partnerOrigin = `http://localhost:${process.env.AURA_E2E_PARTNER_PORT ?? 3919}`;
const receiverBase = `http://127.0.0.1:${process.env.AURA_E2E_PARTNER_PORT ?? 3919}`;
const shots = process.env.AURA_E2E_SCREENSHOTS;
const password = "e2e password 1234";

const unique = () => `${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;

async function screenshot(page: Page, name: string) {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

/** Deliveries the receiver got under `tag`. */
async function received(request: APIRequestContext, tag: string): Promise<{ event: string; headers: Record<string, string> }[]> {
  const res = await request.get(`${receiverBase}/hook/log?tag=${tag}`);
  expect(res.ok()).toBeTruthy();
  return res.json();
}

async function login(page: Page, email: string, pass: string) {
  await page.goto("/login");
  await page.fill("#login-email", email);
  await page.fill("#login-password", pass);
  await page.getByTestId("login-submit").click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

test("dashboard: a scan runs live, its webhook delivery is sent and redelivered", async ({ page, request }) => {
  test.setTimeout(120_000);
  const email = `console-${unique()}@partner.test`;
  await page.goto("/signup");
  await page.fill("#signup-email", email);
  await page.fill("#signup-name", "Console Terminal");
  await page.fill("#signup-password", password);
  await page.getByTestId("signup-submit").click();
  await expect(page).toHaveURL(/\/dashboard$/);

  // An endpoint first, and the account's signing secret revealed on demand (password asked again).
  const tag = unique();
  await page.fill("#new-webhook-url", `${receiverBase}/hook?tag=${tag}`);
  await page.getByTestId("add-webhook").click();
  await expect(page.getByTestId("webhook-row")).toHaveCount(1);
  await expect(page.getByTestId("webhook-row")).toContainText("active");
  await expect(page.locator("#new-webhook-url")).toHaveValue("");
  await page.getByTestId("reveal-secret").click();
  await page.fill("#reveal-secret-password", password);
  await page.getByTestId("reveal-secret-confirm").click();
  await expect(page.getByTestId("webhook-secret-value")).toHaveText(/^whsec_/);

  // The scan box: live progress (the archive stand-in answers after a delay), then the outcome.
  await page.fill("#scan-repo", `https://github.com/e2e-org/console-${unique()}`);
  await page.getByTestId("start-scan").click();
  await expect(page.getByTestId("live-progress")).toBeVisible();
  await expect(page.getByTestId("scan-outcome")).toHaveText(/^\d{1,3}\/100 · grade [A-F][+-]? · (SAFU|DYOR|RISKY|SCAM)$/, { timeout: 60_000 });
  await expect(page.getByTestId("live-scan-status")).toHaveText("completed");

  // The receiver gets the signed outcome; the delivery log says so.
  await expect.poll(async () => (await received(request, tag)).map((d) => d.event), { timeout: 30_000 }).toEqual(["scan_completed"]);
  const [first] = await received(request, tag);
  expect(first.headers["x-aurasecurity-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
  await page.reload();
  const row = page.getByTestId("delivery-row").filter({ hasText: "scan_completed" });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("sent");
  await expect(page.getByTestId("scan-row")).toHaveCount(1);
  await screenshot(page, "dashboard");

  // Redeliver: the same event arrives again and the log shows it sent.
  await row.getByRole("button", { name: "Redeliver" }).click();
  await expect.poll(async () => (await received(request, tag)).length, { timeout: 30_000 }).toBe(2);
  await page.reload();
  await expect(page.getByTestId("delivery-row").filter({ hasText: "scan_completed" }).first()).toContainText("sent");
});

test("admin onboards a partner who sets a password, sees usage and embeds; suspension stops the key", async ({ browser, request }) => {
  test.setTimeout(120_000);
  const admin = await (await browser.newContext()).newPage();
  await login(admin, "admin@e2e.test", "admin-password-e2e");
  await admin.goto("/admin");
  await expect(admin.getByTestId("admin-as")).toContainText("admin@e2e.test");

  const email = `onboarded-${unique()}@partner.test`;
  await admin.getByTestId("onboard-open").click();
  await admin.fill("#onboard-name", "Orbit Exchange");
  await admin.fill("#onboard-email", email);
  await admin.selectOption("#onboard-tier", "pro");
  await admin.getByTestId("onboard-submit").click();
  await expect(admin.getByTestId("onboarded")).toBeVisible();
  // The form empties after a success, ready for the next partner.
  await expect(admin.locator("#onboard-email")).toHaveValue("");
  const key = (await admin.getByTestId("onboarded-key").textContent())!.trim();
  expect(key).toMatch(/^aura_pk_pro_[0-9a-f]{32}$/);
  await expect(admin.getByTestId("onboarded-secret")).toHaveText(/^whsec_/);
  const invite = new URL((await admin.getByTestId("onboarded-invite").textContent())!.trim());
  await expect(admin.getByTestId("partner-row").filter({ hasText: email })).toContainText("active");
  await screenshot(admin, "admin");

  // The partner, in their own browser: invitation, password, then the dashboard.
  const partner = await (await browser.newContext()).newPage();
  await partner.goto(invite.pathname);
  await partner.fill("#invite-password", password);
  await partner.fill("#invite-confirm", password);
  await partner.getByRole("button", { name: "Set password" }).click();
  await expect(partner).toHaveURL(/\/login/);
  await login(partner, email, password);

  // Calls with the key show up in today's usage and the chart.
  const bearer = { authorization: `Bearer ${key}` };
  for (let i = 0; i < 5; i++) expect((await request.get("/v1/auth/keys", { headers: bearer })).status()).toBe(200);
  await expect
    .poll(async () => {
      await partner.reload();
      return (await partner.getByTestId("usage-today").textContent()) ?? "";
    }, { timeout: 15_000 })
    .toMatch(/Today: [5-9] of/);
  const chart = partner.getByTestId("usage-chart");
  await expect(chart).toBeVisible();
  expect(await chart.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBeTruthy();
  await screenshot(partner, "usage");

  // An embed domain, then the snippet to paste.
  await partner.fill("#embed-domains", partnerOrigin);
  await partner.getByTestId("save-embed").click();
  await expect(partner.getByTestId("embed-domains")).toHaveValue(partnerOrigin);
  await expect(partner.getByTestId("embed-snippet")).toHaveValue(/<iframe[^>]+src="[^"]*\/embed\/scan\?[^"]*partner=[a-z0-9-]+/);
  const settings = await request.get("/v1/embed/settings", { headers: bearer });
  expect((await settings.json()).allowed_domains).toEqual([partnerOrigin]);

  // Suspended: the key is refused from the next request on.
  await admin.reload();
  const row = admin.getByTestId("partner-row").filter({ hasText: email });
  await row.getByRole("button", { name: "Suspend" }).click();
  await expect(row).toContainText("suspended");
  const refused = await request.get("/v1/auth/keys", { headers: bearer });
  expect(refused.status()).toBe(403);
});
