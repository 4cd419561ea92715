import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { ACCOUNTS, failOnConsoleErrors, hydrated, login, openProject } from './helpers';

test.beforeEach(async ({ page }) => failOnConsoleErrors(page));

test('on a phone, an officer assigns a milestone, changes the mail settings with the keyboard; the admin reads the reminder in the outbox', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText('Mes projets');

  // A milestone due in two days, assigned to the head: her J-3 reminder is due now.
  await openProject(page, 'maison de sante', /Maison de santé/);
  const title = `Signature <b>convention</b> ${Date.now()}`;
  const due = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  await page.getByRole('link', { name: 'Ajouter un jalon' }).click();
  await page.locator('#milestone-title').fill(title);
  await page.locator('#milestone-due').fill(due);
  await page.locator('#nouveau-jalon').getByLabel('Responsable', { exact: true }).selectOption({ label: ACCOUNTS.head.name });
  await page.locator('#nouveau-jalon form').getByRole('button', { name: 'Ajouter un jalon' }).click();
  await expect(page.locator('#jalons').getByRole('status')).toHaveText(`Jalon ajouté : « ${title} ».`);

  // The officer's own choices, with the keyboard only.
  await page.goto('/mon-compte#courriels');
  await hydrated(page);
  const section = page.getByTestId('mail-settings');
  const reminders = section.getByLabel('Rappels d’échéance');
  const digest = section.getByLabel('Récapitulatif de la semaine');
  await expect(reminders).toBeChecked();
  await expect(digest).toHaveValue('weekly');
  await reminders.focus();
  await page.keyboard.press('Space');
  await expect(reminders).not.toBeChecked();
  await digest.focus();
  await digest.selectOption('never');
  await section.getByTestId('save-mail').focus();
  await page.keyboard.press('Enter');
  await expect(section.getByRole('status')).toHaveText('Vos choix de courriels sont enregistrés.');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.reload();
  await expect(section.getByLabel('Rappels d’échéance')).not.toBeChecked();
  await expect(section.getByLabel('Récapitulatif de la semaine')).toHaveValue('never');
  const a11y = await new AxeBuilder({ page }).include('[data-testid="mail-settings"]').analyze();
  expect(a11y.violations).toEqual([]);

  // The admin reads the head's reminder in the outbox (no SMTP here), its text escaped.
  await page.context().clearCookies();
  await login(page, ACCOUNTS.admin.email);
  await expect(page.getByTestId('home-title')).toHaveText(ACCOUNTS.admin.home);
  await page.getByRole('navigation').getByRole('link', { name: 'Courriels' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Courriels envoyés');
  await expect(page.getByText('Aucun serveur d’envoi (SMTP) n’est configuré')).toBeVisible();
  // Her reminder, by its subject (on a Monday her digest may list the milestone too).
  const row = page.getByTestId('outbox-row').filter({ has: page.getByTestId('outbox-subject').filter({ hasText: title }) });
  await expect(async () => {
    await page.reload();
    await expect(row).toHaveCount(1, { timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await expect(row).toContainText(ACCOUNTS.head.email);
  await expect(row).toContainText('Gardé dans la boîte d’envoi');
  await row.getByTestId('outbox-subject').click();
  // The recipient's own unsubscribe link is masked for the admin.
  await expect(row.getByTestId('outbox-body')).toContainText('[lien de désabonnement personnel]');
  await expect(row.getByTestId('outbox-body')).not.toContainText('/desabonnement/');
  const overflowAdmin = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflowAdmin).toBeLessThanOrEqual(0);
});

test('a partner has no mail settings and no outbox', async ({ page }) => {
  await login(page, ACCOUNTS.partner.email);
  await expect(page.getByTestId('home-title')).toHaveText(ACCOUNTS.partner.home);
  await page.goto('/mon-compte');
  await expect(page.getByTestId('mail-settings')).toHaveCount(0);
  // The outbox page refuses, and its data too (asked with the partner's session).
  const res = await page.request.get('/admin/courriels');
  expect(res.status()).toBe(403);
  expect(await res.text()).not.toContain('outbox-row');
  expect((await page.request.post('/api/mail/outbox')).status()).toBe(403);
});

test('on a phone, an officer gives a funding application to the head; the head mails herself the committee digest, which the admin reads', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText('Mes projets');
  await openProject(page, 'voie verte', /Voie verte/);
  const details = page.locator('#nouveau-financement');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
  await page.locator('#new-line-funder').selectOption({ label: 'Département' });
  await page.locator('#new-line-requested').fill('12 000');
  const responsible = page.locator('#nouveau-financement').getByLabel('Responsable du dossier');
  await expect(responsible).toHaveValue('lead');
  await responsible.selectOption({ label: ACCOUNTS.head.name });
  await page.getByRole('button', { name: 'Ajouter un financement' }).click();
  const line = page.locator('[data-testid="funding-line"][data-funder="departement"]').last();
  await expect(line.getByTestId('line-responsible')).toHaveText(`Responsable : ${ACCOUNTS.head.name}`);
  await expect(page.getByTestId('event').first()).toContainText(`confié à ${ACCOUNTS.head.name}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  // The head, on her dashboard, with the keyboard.
  await page.context().clearCookies();
  await login(page, ACCOUNTS.head.email);
  await expect(page.getByTestId('home-title')).toHaveText(ACCOUNTS.head.home);
  await page.goto('/tableau-de-bord');
  await hydrated(page);
  await page.getByTestId('mail-committee').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('digest').getByRole('status')).toHaveText('Le récapitulatif vous est envoyé : il arrive dans votre boîte dans quelques instants.');

  await page.context().clearCookies();
  await login(page, ACCOUNTS.admin.email);
  await expect(page.getByTestId('home-title')).toHaveText(ACCOUNTS.admin.home);
  const row = page.getByTestId('outbox-row').filter({ has: page.getByTestId('outbox-subject').filter({ hasText: 'Avant le comité' }) });
  await expect(async () => {
    await page.goto('/admin/courriels');
    await expect(row.first()).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 20_000 });
  await expect(row.first()).toContainText(ACCOUNTS.head.email);
});
