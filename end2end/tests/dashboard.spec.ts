import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { ACCOUNTS, failOnConsoleErrors, hydrated, login, projects } from './helpers';

test('a head filters the dashboard, follows a number to its list and exports it', async ({ page }) => {
  failOnConsoleErrors(page);
  await login(page, ACCOUNTS.head.email);
  await expect(page.getByTestId('home-title')).toHaveText('Portefeuille');
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Tableau de bord' }).click();
  await expect(page).toHaveURL(/\/tableau-de-bord$/);
  await hydrated(page);

  // Filter by programme: the choice lands in the URL.
  await page.getByLabel('Programme', { exact: true }).selectOption('pvd');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await expect(page).toHaveURL(/\/tableau-de-bord\?programme=pvd/);
  await expect(page.getByLabel('Programme', { exact: true })).toHaveValue('pvd');

  // Every stage count of the funnel adds up to the PVD projects.
  const cells = page.getByTestId('funnel').locator('td[data-col="projects"] a');
  await expect(cells).toHaveCount(6);
  const counts = (await cells.allTextContents()).map((t) => Number(t.trim()));
  const total = counts.reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThan(0);
  await page.goto('/projets?programme=pvd');
  await expect(page.getByTestId('project-count')).toHaveText(projects(total));
  await page.goBack();
  await hydrated(page);

  // A funnel number leads to exactly its projects.
  const index = counts.findIndex((n) => n > 0);
  const link = cells.nth(index);
  await link.click();
  await expect(page).toHaveURL(/\/projets\?etape=\w+&programme=pvd$/);
  await expect(page.getByTestId('project-count')).toHaveText(projects(counts[index]));

  // The Excel export of the filtered view.
  await page.goto('/tableau-de-bord?programme=pvd');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-xlsx').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^tableau-de-bord-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const file = await download.path();
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 2).toString()).toBe('PK');
  expect(bytes.length).toBeGreaterThan(4000);
});

test('the attention list links to the projects needing it', async ({ page }) => {
  await login(page, ACCOUNTS.head.email);
  await expect(page.getByTestId('home-title')).toHaveText('Portefeuille');
  await page.goto('/tableau-de-bord');
  const blocked = page.getByTestId('attention').locator('[data-kind="blocked"] h3 a');
  const n = Number((await blocked.textContent())?.trim());
  await blocked.click();
  await expect(page).toHaveURL(/vigilance=blocked/);
  await expect(page.getByTestId('project-count')).toHaveText(projects(n));
  await expect(page.getByTestId('dashboard-criteria')).toContainText('Bloqués');
});

test('a head narrows the dashboard to an EPCI and reads it commune by commune', async ({ page }) => {
  failOnConsoleErrors(page);
  await login(page, ACCOUNTS.head.email);
  await expect(page.getByTestId('home-title')).toHaveText('Portefeuille');
  await page.goto('/tableau-de-bord');
  await hydrated(page);
  // Without an EPCI, no commune table: a hint says how to get one.
  await expect(page.getByTestId('by-commune-hint')).toBeVisible();
  await expect(page.getByTestId('by-commune')).toHaveCount(0);

  await page.locator('#d-epci').selectOption('200066660');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await expect(page).toHaveURL(/epci=200066660/);
  const communes = page.getByTestId('by-commune');
  await expect(communes).toBeVisible();
  const saintFlour = communes.locator('tr[data-key="15187"]');
  await expect(saintFlour.locator('th')).toHaveText('Saint-Flour');
  const link = saintFlour.locator('td[data-col="projects"] a');
  const n = Number((await link.textContent())?.trim());
  expect(n).toBeGreaterThan(0);
  await link.click();
  await expect(page).toHaveURL(/commune=15187/);
  await expect(page.getByTestId('project-count')).toHaveText(projects(n));
});

test('a partner cannot open the dashboard nor its exports', async ({ page }) => {
  await login(page, ACCOUNTS.partner.email);
  await expect(page.getByTestId('home-title')).toHaveText('Projets partagés avec moi');
  const response = await page.goto('/tableau-de-bord');
  expect(response?.status()).toBe(403);
  const xlsx = await page.request.get('/tableau-de-bord/export.xlsx');
  expect(xlsx.status()).toBe(403);
});
