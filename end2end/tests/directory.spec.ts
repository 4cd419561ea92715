import { test, expect, type Locator } from '@playwright/test';
import { ACCOUNTS, failOnConsoleErrors, hydrated, login } from './helpers';

/** Opens the "add a partner" form unless it is already open. */
async function openAddPartner(partners: Locator) {
  const details = partners.locator('details:has(> summary:has-text("Ajouter un partenaire"))');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) {
    await details.locator('summary').click();
  }
}

test('an officer adds an association, links it to a project and finds the project on its page', async ({ page }) => {
  failOnConsoleErrors(page);
  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText('Mes projets');
  await page.getByRole('link', { name: 'Annuaire' }).click();
  await expect(page).toHaveURL(/\/annuaire$/);
  // The demo holds the EPCI's communes and their mayors.
  await expect(page.getByTestId('organisation-row').filter({ hasText: 'Saint-Flour Communauté' })).toBeVisible();
  await page.getByRole('link', { name: 'Nouvelle organisation' }).click();
  await expect(page).toHaveURL(/\/annuaire\/organisations\/nouvelle$/);
  await hydrated(page);

  // A SIRET with a wrong key is refused on its field.
  await page.getByLabel('Nom *').fill('Foyer rural de Roffiac');
  await page.getByLabel('Type *').selectOption('association');
  await page.getByLabel('SIREN ou SIRET').fill('120 027 016 00358');
  await page.getByRole('button', { name: 'Créer' }).click();
  await expect(page.locator('#org-siret-erreur')).toContainText('clé de contrôle (Luhn)');
  await page.getByLabel('SIREN ou SIRET').fill('120 027 016 00357');
  await page.locator('#org-commune').fill('saint flour');
  await page.getByRole('button', { name: 'Saint-Flour (15187, 15)' }).click();
  await page.getByRole('button', { name: 'Créer' }).click();
  await expect(page).toHaveURL(/\/annuaire\/organisations\/\d+$/);
  await expect(page.getByTestId('organisation-name')).toHaveText('Foyer rural de Roffiac');
  await expect(page.getByTestId('company-id')).toHaveText('120 027 016 00357');
  const orgUrl = page.url();

  // The same SIRET again: the existing record is offered instead.
  await page.goto('/annuaire/organisations/nouvelle');
  await hydrated(page);
  await page.getByLabel('Nom *').fill('Foyer Rural Roffiac');
  await page.getByLabel('Type *').selectOption('association');
  await page.getByLabel('SIREN ou SIRET').fill('12002701600357');
  await page.getByRole('button', { name: 'Créer' }).click();
  await expect(page.getByTestId('duplicate')).toContainText('porte déjà le numéro 120 027 016 00357');
  await page.getByRole('link', { name: 'Ouvrir la fiche existante' }).click();
  await expect(page).toHaveURL(orgUrl);

  // Linked to a project as technical partner.
  await page.goto('/projets?q=tiers-lieu');
  await page.getByRole('link', { name: 'Tiers-lieu de la gare' }).click();
  await expect(page).toHaveURL(/\/projets\/\d+$/);
  await hydrated(page);
  const partners = page.getByTestId('partners');
  await openAddPartner(partners);
  await partners.getByLabel('Rôle *').selectOption('technical_partner');
  await partners.locator('#partner-org').fill('roffiac');
  await partners.getByRole('button', { name: 'Foyer rural de Roffiac (Association)' }).click();
  await expect(partners.getByTestId('picked').first()).toContainText('Foyer rural de Roffiac');
  await partners.getByLabel('Note').fill('Animation du café associatif');
  await partners.locator('button[type="submit"]', { hasText: 'Ajouter un partenaire' }).click();
  const link = page.getByTestId('partner').filter({ hasText: 'Foyer rural de Roffiac' });
  await expect(link).toContainText('Partenaire technique');
  await expect(link).toContainText('Animation du café associatif');
  await expect(page.getByTestId('event').first()).toContainText('Partenaire ajouté : Foyer rural de Roffiac (Partenaire technique)');

  // A second owner is refused with the current one named.
  await openAddPartner(partners);
  await partners.getByLabel('Rôle *').selectOption('owner');
  await partners.locator('#partner-org').fill('roffiac');
  await partners.getByRole('button', { name: 'Foyer rural de Roffiac (Association)' }).click();
  await partners.locator('button[type="submit"]', { hasText: 'Ajouter un partenaire' }).click();
  await expect(partners.locator('#partner-role-erreur')).toContainText('Ce projet a déjà un porteur');

  // The association's page lists the project with its role.
  await link.getByRole('link', { name: 'Foyer rural de Roffiac' }).click();
  await expect(page).toHaveURL(orgUrl);
  const involvement = page.getByTestId('involvement').filter({ hasText: 'Tiers-lieu de la gare' });
  await expect(involvement).toContainText('Partenaire technique');
  await expect(involvement).toContainText('Étude');

  // Accent-insensitive search finds it.
  await page.goto('/annuaire?q=FOYER%20RURAL%20DE%20R%C3%94FFIAC');
  await expect(page.getByTestId('organisation-row')).toHaveCount(1);
  await expect(page.getByTestId('organisation-row')).toContainText('Foyer rural de Roffiac');
});

// A partner's refused page load logs a 403 in the console: expected here.
test('a partner reaches no page of the directory', async ({ page }) => {
  await login(page, ACCOUNTS.partner.email);
  await expect(page.getByTestId('home-title')).toHaveText('Projets partagés avec moi');
  await expect(page.getByRole('link', { name: 'Annuaire' })).toHaveCount(0);
  const response = await page.goto('/annuaire');
  expect(response?.status()).toBe(403);
  const exported = await page.request.get('/annuaire/personnes/1/export.json');
  expect(exported.status()).toBe(403);
});
