import { test, expect, type Page } from '@playwright/test';
import { ACCOUNTS, hydrated, login } from './helpers';

/** An inline script without the page's nonce: true when the policy blocks it. */
async function policyBlocksInlineScripts(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      new Promise<boolean>((resolve) => {
        document.addEventListener('securitypolicyviolation', () => resolve(true), { once: true });
        const probe = document.createElement('script');
        probe.textContent = 'window.__cspProbe = 1';
        document.body.appendChild(probe);
        setTimeout(() => resolve(!('__cspProbe' in window)), 500);
      }),
  );
}

// A page the browser holds is revalidated (`no-cache` with a validator):
// the server answers 304 without a body when nothing changed. The copy the
// browser shows carries the nonce of its first render, and the 304 carries
// no policy, so the stored policy (same nonce) stays: the page's own
// scripts run, and an injected one is still refused.
test('a revalidated page comes back as 304, hydrates and keeps its policy', async ({ page }) => {
  // Console errors fail the test, except the one the policy probe causes.
  let probing = false;
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !(probing && msg.text().includes('Content Security Policy'))) {
      throw new Error(`console error: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => {
    throw err;
  });

  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText(ACCOUNTS.officer.home);
  await page.goto('/projets');
  const href = await page.locator('table.data-table a[href^="/projets/"]').first().getAttribute('href');
  const first = await page.goto(href!);
  expect(first!.status()).toBe(200);
  expect(await first!.headerValue('content-security-policy')).toContain("'nonce-");
  const tag = await first!.headerValue('etag');
  expect(tag).toMatch(/^W\/"[0-9a-f]{16}"$/);
  await hydrated(page);
  const title = await page.getByTestId('project-title').textContent();
  probing = true;
  expect(await policyBlocksInlineScripts(page)).toBe(true);
  probing = false;

  // Chromium reports the revalidated copy as its stored 200; what the
  // server sent shows in the raw headers: the same tag, and no policy and
  // no content type, which only a 304 leaves out.
  const again = await page.reload();
  const sent = await again!.request().allHeaders();
  expect(sent['if-none-match']).toBe(tag);
  const raw = await again!.allHeaders();
  expect(raw['etag']).toBe(tag);
  expect(raw['content-security-policy']).toBeUndefined();
  expect(raw['content-type']).toBeUndefined();

  await hydrated(page);
  await expect(page.getByTestId('project-title')).toHaveText(title ?? '');
  probing = true;
  expect(await policyBlocksInlineScripts(page)).toBe(true);
  probing = false;
});
