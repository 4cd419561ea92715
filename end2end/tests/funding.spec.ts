import { test, expect, type Page } from '@playwright/test';
import { ACCOUNTS, failOnConsoleErrors, hydrated, login } from './helpers';

test.beforeEach(async ({ page }) => failOnConsoleErrors(page));

/** The day of `d` in Paris (the server's "today" is read there), YYYY-MM-DD. */
function isoDate(d: Date): string {
  return d.toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}

/** The plan's line for a funder code. */
function lineOf(page: Page, code: string) {
  return page.locator(`[data-testid="funding-line"][data-funder="${code}"]`);
}

/** Opens the folded « Ajouter un financement » form unless it is open. */
async function openAddLine(page: Page) {
  const details = page.locator('#nouveau-financement');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
}

async function addLine(page: Page, funder: string, code: string, amount: string) {
  await openAddLine(page);
  await page.locator('#new-line-funder').selectOption({ label: funder });
  await page.locator('#new-line-requested').fill(amount);
  await page.getByRole('button', { name: 'Ajouter un financement' }).click();
  await expect(lineOf(page, code)).toBeVisible();
}

async function moveStatus(page: Page, code: string, status: string, date: string, amount = '') {
  const line = lineOf(page, code);
  const details = line.locator('details.line-status');
  // Left open after a refused move; open it otherwise.
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) {
    await line.getByText('Changer le statut').click();
  }
  await line.locator('select[name="form[status]"]').selectOption(status);
  await line.locator('input[name="form[date]"]').fill(date);
  await line.locator('input[name="form[amount]"]').fill(amount);
  await line.getByRole('button', { name: 'Enregistrer le statut' }).click();
}

test('an officer builds a plan, meets the 20 % rule, records a derogation and follows a DETR grant', async ({ page }) => {
  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText('Mes projets');
  await page.goto('/projets/nouveau');
  await hydrated(page);
  await page.getByLabel('Titre').fill('Réhabilitation de la halle aux grains');
  await page.getByLabel('Porteur (maître d’ouvrage)').fill('Commune de Saint-Flour');
  await page.getByLabel('Type de porteur').selectOption('commune');
  await page.getByLabel('Coût total estimé (€)').fill('1 200 000');
  await page.locator('#commune-search').fill('saint flour');
  await page.getByRole('button', { name: 'Saint-Flour (15187, 15)' }).click();
  await page.getByRole('button', { name: 'Créer le projet' }).click();
  await expect(page).toHaveURL(/\/projets\/\d+$/);
  await hydrated(page);
  await expect(page.getByTestId('project-owner')).toContainText('Commune de Saint-Flour (Commune)');

  // An empty line is refused on its fields.
  await openAddLine(page);
  await page.getByRole('button', { name: 'Ajouter un financement' }).click();
  await expect(page.locator('#new-line-funder-erreur, #new-line-funder ~ .field-error').first()).toContainText('Choisissez un financeur');

  // Three funders: DETR 400 000, Région 300 000, the commune 200 000.
  await addLine(page, 'État – DETR', 'detr', '400 000');
  await addLine(page, 'Région', 'region', '300 000');
  await addLine(page, 'Autofinancement du maître d’ouvrage', 'autofinancement', '200 000');
  const rule = page.getByTestId('self-funding');
  await expect(rule).toHaveAttribute('data-verdict', 'met');
  await expect(rule).toContainText('22,2');
  await expect(page.getByTestId('bar-legend')).toContainText('Aides prévues, dossier non déposé : 700\u202f000,00\u00a0€');
  await expect(page.getByTestId('bar-legend')).toContainText('Autofinancement du maître d’ouvrage : 200\u202f000,00\u00a0€');
  await expect(page.getByTestId('bar-legend')).toContainText('Non couvert par le plan : 300\u202f000,00\u00a0€');

  // Raising the DETR request to 550 000 breaks the rule: the warning names it.
  const detr = lineOf(page, 'detr');
  await detr.getByText('Modifier', { exact: true }).click();
  await detr.getByLabel('Montant sollicité ou prévu (€)').fill('550 000');
  await detr.getByRole('button', { name: 'Enregistrer le financement' }).click();
  await expect(rule).toHaveAttribute('data-verdict', 'breached');
  await expect(rule.getByRole('alert')).toContainText('Règle des 20 % non respectée (CGCT, art. L1111-10)');
  await expect(rule).toContainText('19,0');

  // A derogation without its justification is refused; with it, it is displayed.
  await rule.getByText('Dérogation à la règle des 20 %').click();
  await rule.getByLabel('Motif de dérogation').selectOption('listed_monument');
  await rule.getByRole('button', { name: 'Enregistrer la dérogation' }).click();
  await expect(rule.locator('#derogation-reason-erreur')).toContainText('Indiquez la justification');
  await rule.getByLabel('Justification (arrêté, décision…)').fill('Halle inscrite MH, arrêté du préfet du 2 mars 2026');
  await rule.getByRole('button', { name: 'Enregistrer la dérogation' }).click();
  await expect(rule).toHaveAttribute('data-verdict', 'derogation');
  await expect(rule).toContainText('Dérogation enregistrée — Monument historique classé ou inscrit : Halle inscrite MH');

  // Paid before granted is impossible, with a French reason.
  await moveStatus(page, 'detr', 'balance_paid', isoDate(new Date()));
  await expect(detr.getByRole('alert').first()).toContainText('Passage impossible');

  // Filed, then granted almost two years ago: the bar and the deadlines follow.
  const notified = new Date();
  notified.setFullYear(notified.getFullYear() - 2);
  notified.setDate(notified.getDate() + 30);
  const filed = new Date(notified);
  filed.setDate(filed.getDate() - 90);
  await moveStatus(page, 'detr', 'requested', isoDate(filed));
  await expect(detr.getByTestId('line-status')).toHaveText('Dossier déposé');
  await moveStatus(page, 'detr', 'granted', isoDate(notified), '500 000');
  await expect(detr.getByTestId('line-status')).toHaveText('Accordé');
  const figure = (name: string) => page.getByTestId('funding-totals').locator(`[data-figure="${name}"] dd`);
  await expect(figure('granted')).toHaveText('500\u202f000,00\u00a0€');
  await expect(page.getByTestId('bar-legend')).toContainText('Aides accordées, non versées : 500\u202f000,00\u00a0€');
  // 1 200 000 − 500 000 granted − the commune's own 200 000.
  await expect(figure('still_to_find')).toHaveText('500\u202f000,00\u00a0€');
  // The table: DETR granted at 500 000 is 41,7 % of the cost.
  const detrRow = page.getByTestId('plan-table').getByRole('row').filter({ hasText: 'État – DETR' });
  await expect(detrRow).toContainText('Accordé');
  await expect(detrRow).toContainText('41,7');
  await expect(detr.getByTestId('detr-deadlines')).toContainText('DETR : travaux à commencer avant le');
  // Granted below the request: the derogation is no longer needed.
  await expect(rule).toHaveAttribute('data-verdict', 'met');

  // The timeline tells the story.
  await expect(page.getByTestId('event').first()).toContainText('Financement État – DETR : Dossier déposé → Accordé');

  // The officer's home lists the DETR works-start deadline, within 90 days.
  await page.goto('/');
  const deadlines = page.getByTestId('funding-deadlines');
  await expect(deadlines.getByTestId('funding-deadline').filter({ hasText: 'Réhabilitation de la halle aux grains' }))
    .toContainText('Début des travaux exigé (État – DETR)');
});
