import { test, expect } from '@playwright/test';
import { ACCOUNTS, failOnConsoleErrors, hydrated, login } from './helpers';

test.beforeEach(async ({ page }) => failOnConsoleErrors(page));

test('an admin adds a theme and retires another; officers are offered the result', async ({ page, browser }) => {
  await login(page, ACCOUNTS.admin.email);
  await expect(page.getByTestId('home-title')).toBeVisible();
  await page.goto('/admin/thematiques');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thématiques');

  // A bad code is refused on its field.
  await page.locator('#entry-code').fill('Énergie verte');
  await page.locator('#entry-label').fill('Énergie');
  await page.getByRole('button', { name: 'Ajouter une thématique' }).click();
  await expect(page.locator('#entry-code-erreur')).toContainText('Code invalide');

  await page.locator('#entry-code').fill('energie');
  await page.getByRole('button', { name: 'Ajouter une thématique' }).click();
  await expect(page.getByTestId('reference-row').filter({ hasText: 'energie' })).toBeVisible();

  // Retire "jeunesse": unchecked, saved, still listed as inactive.
  const row = page.getByTestId('reference-row').filter({ hasText: 'jeunesse' });
  await row.getByRole('checkbox').uncheck();
  await row.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page.getByRole('status')).toHaveText('Thématique enregistrée.');
  // The save reloaded the page: let that load end before loading it again.
  await hydrated(page);
  await page.reload();
  await expect(page.getByTestId('reference-row').filter({ hasText: 'jeunesse' }).getByRole('checkbox')).not.toBeChecked();

  // The officer's project form offers the new theme and not the retired one.
  const officer = await browser.newPage();
  await login(officer, ACCOUNTS.officer.email);
  await expect(officer.getByTestId('home-title')).toBeVisible();
  await officer.goto('/projets/nouveau');
  await expect(officer.getByLabel('Énergie', { exact: true })).toBeVisible();
  await expect(officer.getByLabel('Jeunesse et sport')).toHaveCount(0);
  await officer.close();
});
