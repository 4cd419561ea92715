import AxeBuilder from '@axe-core/playwright';
import { expect, request, test, type Page } from '@playwright/test';
import { ACCOUNTS, failOnConsoleErrors, hydrated, login, openProject } from './helpers';

test.beforeEach(async ({ page }) => failOnConsoleErrors(page));

const FEED = /\/calendrier\/[0-9a-f]{64}\.ics$/;

/** The feed as a calendar client reads it: no cookie, no session. */
async function readFeed(url: string): Promise<{ status: number; type: string; body: string }> {
  const client = await request.newContext();
  const res = await client.get(url);
  const out = { status: res.status(), type: res.headers()['content-type'] ?? '', body: await res.text() };
  await client.dispose();
  return out;
}

/** The address shown once the server has answered (the box is filled then shown: read
 * before, it is empty, and an empty address is the site's root). */
async function newFeedUrl(page: Page): Promise<string> {
  const field = page.getByTestId('new-feed').getByLabel('Adresse d’abonnement');
  await expect(field).toHaveValue(FEED);
  return field.inputValue();
}

async function pressOn(page: Page, testId: string, scope = 'feed-mine') {
  await page.getByTestId(scope).getByTestId(testId).focus();
  await page.keyboard.press('Enter');
}

test('on a phone, an officer subscribes a calendar to their deadlines with the keyboard, renews and revokes it', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText('Mes projets');
  await page.getByRole('link', { name: 'Mon compte' }).click();
  await expect(page).toHaveURL(/\/mon-compte$/);
  await hydrated(page);
  const mine = page.getByTestId('feed-mine');
  await expect(mine).toContainText('Pas d’abonnement.');
  await expect(page.getByTestId('feed-portfolio')).toHaveCount(0);

  await pressOn(page, 'create-feed');
  const box = page.getByTestId('new-feed');
  await expect(box).toBeVisible();
  const first = await newFeedUrl(page);
  expect(first).toMatch(FEED);
  const feed = await readFeed(first);
  expect(feed.status).toBe(200);
  expect(feed.type).toBe('text/calendar; charset=utf-8');
  expect(feed.body).toContain('BEGIN:VCALENDAR');
  expect(feed.body).toContain('X-WR-TIMEZONE:Europe/Paris');
  expect(feed.body).toMatch(/SUMMARY:Jalon : /);

  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);

  // Shown once: the page, reloaded, says it is active but not where.
  await page.goto('/mon-compte');
  await hydrated(page);
  await expect(mine).toContainText('Abonnement actif, adresse créée le');
  expect(await page.content()).not.toContain(first.split('/calendrier/')[1]);

  // Renewed: a new address, the old one dead at once.
  await pressOn(page, 'create-feed');
  await expect(box).toBeVisible();
  const second = await newFeedUrl(page);
  expect(second).toMatch(FEED);
  expect(second).not.toBe(first);
  expect((await readFeed(first)).status).toBe(404);
  expect((await readFeed(second)).status).toBe(200);

  // Revoked, after a confirmation.
  await page.goto('/mon-compte');
  await hydrated(page);
  page.once('dialog', (d) => d.accept());
  await pressOn(page, 'revoke-feed');
  await expect(page.getByText('L’adresse a été révoquée.')).toBeVisible();
  await expect(mine).toContainText('Pas d’abonnement.');
  expect((await readFeed(second)).status).toBe(404);
});

test('a head may subscribe to the whole portfolio; a partner has no feed', async ({ page }) => {
  await login(page, ACCOUNTS.head.email);
  await expect(page.getByTestId('home-title')).toHaveText('Portefeuille');
  await page.goto('/mon-compte');
  await hydrated(page);
  await pressOn(page, 'create-feed', 'feed-portfolio');
  const url = await newFeedUrl(page);
  const feed = await readFeed(url);
  expect(feed.status).toBe(200);
  expect(feed.body).toContain('X-WR-CALNAME:Maillage — portefeuille');

  await page.context().clearCookies();
  await login(page, ACCOUNTS.partner.email);
  await expect(page.getByTestId('home-title')).toHaveText('Projets partagés avec moi');
  await page.goto('/mon-compte');
  await expect(page.getByTestId('calendar-feeds')).toContainText('Les comptes partenaires n’ont pas d’agenda d’échéances.');
});

test('on a phone, an officer assigns a milestone to a colleague: it shows under her name and reaches her calendar', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText('Mes projets');
  await openProject(page, 'maison de sante', /Maison de santé/);

  const title = 'Visite DETR avec la préfecture';
  const due = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  await page.getByRole('link', { name: 'Ajouter un jalon' }).click();
  await page.locator('#milestone-title').fill(title);
  await page.locator('#milestone-due').fill(due);
  const assignee = page.locator('#nouveau-jalon').getByLabel('Responsable', { exact: true });
  await expect(assignee).toHaveValue('lead');
  await expect(assignee.locator('option:checked')).toHaveText('Chargé·e de mission du projet');
  await assignee.selectOption({ label: ACCOUNTS.head.name });
  await page.locator('#nouveau-jalon form').getByRole('button', { name: 'Ajouter un jalon' }).click();
  await expect(page.locator('#jalons').getByRole('status')).toHaveText(`Jalon ajouté : « ${title} ».`);

  const milestone = page.getByTestId('milestone').filter({ hasText: title });
  await expect(milestone.getByTestId('milestone-assignee')).toContainText(`Responsable : ${ACCOUNTS.head.name}`);
  // Unassigned milestones name the project's officer.
  await expect(page.getByTestId('milestone').filter({ hasNotText: title }).first().getByTestId('milestone-assignee'))
    .toContainText('Responsable : ');
  await expect(page.getByTestId('event').first()).toContainText(`confié à ${ACCOUNTS.head.name}`);
  // Its edit form keeps the choice.
  await milestone.getByText('Modifier').click();
  await expect(milestone.getByLabel('Responsable', { exact: true })).toHaveValue(/^\d+$/);
  await expect(milestone.getByLabel('Responsable', { exact: true }).locator('option:checked')).toHaveText(ACCOUNTS.head.name);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  // Her own feed (« Mes projets ») carries it.
  await page.context().clearCookies();
  await login(page, ACCOUNTS.head.email);
  await expect(page.getByTestId('home-title')).toHaveText(ACCOUNTS.head.home);
  await page.goto('/mon-compte');
  await hydrated(page);
  await pressOn(page, 'create-feed');
  const url = await newFeedUrl(page);
  const feed = await readFeed(url);
  expect(feed.status).toBe(200);
  // Lines are folded at 75 octets: unfolded before reading.
  expect(feed.body.replace(/\r\n[ \t]/g, '')).toContain(`SUMMARY:Jalon : ${title}`);
});

test('on a phone, a head subscribes to a dashboard selection — the work confided to an officer — and finds it on her account page', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await login(page, ACCOUNTS.head.email);
  await expect(page.getByTestId('home-title')).toHaveText('Portefeuille');
  await page.goto('/tableau-de-bord');
  await hydrated(page);
  // Without a criterion, the portfolio's feed is on the account page.
  await expect(page.getByTestId('filter-feed-hint')).toBeVisible();
  await page.getByLabel('Confié à').selectOption({ label: ACCOUNTS.officer.name });
  await page.getByRole('search').getByRole('button', { name: 'Filtrer' }).click();
  await expect(page).toHaveURL(/attribue=\d+/);
  await hydrated(page);
  await page.getByTestId('create-filter-feed').click();
  const box = page.getByTestId('new-filter-feed');
  await expect(box).toBeVisible();
  const url = await box.locator('input').inputValue();
  expect(url).toMatch(/\/calendrier\/[0-9a-f]{64}\.ics$/);
  const feed = await readFeed(url);
  expect(feed.status).toBe(200);
  expect(feed.body).toContain(`confié à ${ACCOUNTS.officer.name}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  await page.goto('/mon-compte');
  await hydrated(page);
  const listed = page.getByTestId('filter-feed');
  await expect(listed).toHaveCount(1);
  await expect(listed).toContainText(`confié à ${ACCOUNTS.officer.name}`);
  page.once('dialog', (d) => d.accept());
  await listed.getByTestId('revoke-filter-feed').click();
  await expect(page.getByTestId('filter-feed')).toHaveCount(0);
  expect((await readFeed(url)).status).toBe(404);
});
