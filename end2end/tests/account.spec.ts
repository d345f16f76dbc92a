// A partner's first visit: sign up, land on the dashboard, create a key and copy it, rotate
// it, revoke it, log out, log back in. Each run uses a fresh email.
import { test, expect, type Page } from "@playwright/test";

const password = "e2e password 1234";

function uniqueEmail(): string {
  return `e2e-${Date.now()}-${Math.random().toString(16).slice(2, 8)}@partner.test`;
}

/** The display prefix of a full key: `aura_pk_{tier}_` and 8 hex characters. */
function prefixOf(key: string): string {
  const random = key.slice(key.lastIndexOf("_") + 1);
  return key.slice(0, key.length - random.length) + random.slice(0, 8);
}

async function freshKey(page: Page): Promise<string> {
  const value = page.getByTestId("fresh-key-value");
  await expect(value).toHaveText(/^aura_pk_free_[0-9a-f]{32}$/);
  return (await value.textContent())!.trim();
}

test("sign up, create, copy, rotate and revoke a key, log out and back in", async ({ page, context, baseURL, request }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  const cspErrors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && m.text().includes("Content Security Policy")) cspErrors.push(m.text());
  });
  const email = uniqueEmail();

  // Sign up: straight to the dashboard, with the account's first key shown once.
  await page.goto("/signup");
  await page.fill("#signup-email", email);
  await page.fill("#signup-name", "E2E Terminal");
  await page.fill("#signup-password", password);
  await page.getByTestId("signup-submit").click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("signed-in-as")).toContainText(email);
  const first = await freshKey(page);
  await expect(page.getByTestId("key-row")).toHaveCount(1);

  // Create a key and copy it: the copy button needs the hydrated page, so click until the
  // button reports it.
  await page.fill("#new-key-name", "e2e bot");
  await page.getByTestId("create-key").click();
  await expect(page.getByTestId("fresh-key")).toContainText("e2e bot");
  const key = await freshKey(page);
  expect(key).not.toBe(first);
  await expect(page.getByTestId("key-row")).toHaveCount(2);
  await expect(async () => {
    await page.getByTestId("copy-key").click();
    await expect(page.getByTestId("copy-key")).toHaveText("Copied", { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

  const listKeys = (k: string) => request.get("/v1/auth/keys", { headers: { Authorization: `Bearer ${k}` } });
  expect((await listKeys(key)).status()).toBe(200);

  // Rotate it, the old key keeping an hour of grace.
  const row = page.locator(`tr[data-prefix="${prefixOf(key)}"]`);
  await row.getByTestId("rotate-key").click();
  await row.getByTestId("rotate-grace").selectOption("3600");
  await row.getByTestId("rotate-confirm").click();
  await expect(page.getByTestId("fresh-key-value")).not.toHaveText(key);
  const rotated = await freshKey(page);
  await expect(page.locator(`tr[data-prefix="${prefixOf(key)}"]`).getByTestId("key-status")).toContainText("expiring at");
  expect((await listKeys(key)).status()).toBe(200);
  expect((await listKeys(rotated)).status()).toBe(200);

  // Revoke the replacement, confirming in the second step.
  const newRow = page.locator(`tr[data-prefix="${prefixOf(rotated)}"]`);
  await newRow.getByTestId("revoke-key").click();
  await newRow.getByTestId("revoke-confirm").click();
  await expect(page.locator(`tr[data-prefix="${prefixOf(rotated)}"]`).getByTestId("key-status")).toContainText("revoked at");
  expect((await listKeys(rotated)).status()).toBe(401);

  // Log out: the dashboard is closed again.
  await page.locator("header").getByTestId("logout").click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login$/);

  // Log back in.
  await page.fill("#login-email", email);
  await page.fill("#login-password", password);
  await page.getByTestId("login-submit").click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("signed-in-as")).toContainText(email);
  await expect(page.getByTestId("key-row")).toHaveCount(3);
  expect(cspErrors).toEqual([]);
});

test("a wrong password is answered inline", async ({ page }) => {
  await page.goto("/login");
  await page.fill("#login-email", uniqueEmail());
  await page.fill("#login-password", "not the password");
  await page.getByTestId("login-submit").click();
  await expect(page.getByTestId("form-error")).toHaveText("Wrong email or password.");
});
