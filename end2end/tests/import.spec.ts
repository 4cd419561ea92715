import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { ACCOUNTS, failOnConsoleErrors, hydrated, login, projects } from './helpers';

test.beforeEach(async ({ page }) => failOnConsoleErrors(page));

/** A French-Excel CSV: `;`, Windows-1252 for the accents, a column whose header Maillage cannot guess. */
function sheet(): Buffer {
  const text = [
    'Référence;Intitulé;Commune(s);Coût total HT;Phase;Personne chargée du suivi',
    'IMP-E2E-1;Verger conservatoire des Planèzes;Saint-Flour;48 500,00 €;Études;Julien Moreau',
    'IMP-E2E-2;Sentier des Gorges;St Flor;12 000;Émergence;',
    'TOTAL;;;60 500,00 €;;',
  ].join('\r\n');
  // Windows-1252 puts « € » at 0x80; the rest of this text is Latin-1.
  return Buffer.from(text.replace(/€/g, '\u0080'), 'latin1');
}

/** The sum of the dashboard's funnel: every project once. */
async function funnelTotal(page: Page): Promise<number> {
  await page.goto('/tableau-de-bord');
  await hydrated(page);
  const cells = page.getByTestId('funnel').locator('td[data-col="projects"] a');
  await expect(cells).toHaveCount(6);
  return (await cells.allTextContents()).map((t) => Number(t.trim())).reduce((a, b) => a + b, 0);
}

/** Signs out, signs in as the head, and undoes the import at `url` as a whole. */
async function undoAsHead(page: Page, url: string): Promise<void> {
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page).toHaveURL(/\/connexion/);
  await login(page, ACCOUNTS.head.email);
  await expect(page.getByTestId('home-title')).toHaveText('Portefeuille');
  await page.goto(url);
  await hydrated(page);
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('import-undo').click();
  await expect(page.getByText('Import annulé.')).toBeVisible();
}

test('an officer imports a spreadsheet, fixes a column, reads the refusals, confirms; a head undoes it', async ({ page }) => {
  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText('Mes projets');
  const before = await funnelTotal(page);

  await page.goto('/projets');
  await page.getByRole('link', { name: 'Importer' }).click();
  await expect(page).toHaveURL(/\/importer$/);
  await hydrated(page);
  await page.getByLabel('Fichier (.xlsx, .xls, .ods, .csv ; 8 Mo au plus)').setInputFiles({
    name: 'projets-pole.csv',
    mimeType: 'text/csv',
    buffer: sheet(),
  });
  await page.getByRole('button', { name: 'Lire le fichier' }).click();
  await expect(page).toHaveURL(/\/importer\/\d+$/);
  await hydrated(page);
  await expect(page.getByTestId('import-status')).toContainText('1 à créer, 0 à modifier, 0 inchangés, 1 refusés');

  // The unknown header is left out; the officer maps it.
  const column = page.getByLabel('Personne chargée du suivi');
  await expect(column).toHaveValue('');
  await column.selectOption({ label: 'Chargé·e de mission' });
  await page.getByRole('button', { name: 'Appliquer et revoir l’aperçu' }).click();
  await expect(page.getByText('Correspondances appliquées : l’aperçu est à jour.')).toBeVisible();
  await expect(page.getByLabel('Personne chargée du suivi')).toHaveValue('officer');

  // Each refusal names the line, the column, the value.
  const refused = page.locator('[data-testid="import-verdict"][data-action="refused"]');
  await expect(refused).toHaveCount(1);
  await expect(refused).toContainText('Ligne 3, colonne Commune(s) : « St Flor » : commune inconnue');
  await expect(page.locator('[data-testid="import-verdict"][data-action="skipped"]')).toContainText('ligne de totaux');

  // On a phone the page stays within the screen (tables scroll in their region).
  await page.setViewportSize({ width: 375, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // The mapping and the preview pass the accessibility rules the other pages pass.
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);
  await page.setViewportSize({ width: 1280, height: 800 });

  page.once('dialog', (d) => d.accept());
  await page.getByTestId('import-confirm').click();
  await expect(page.getByText('Import enregistré.')).toBeVisible();
  await expect(page.getByTestId('import-status')).toContainText('Importé');
  const importUrl = page.url();

  // The project is in the list and in the dashboard's figures.
  await page.goto('/projets?q=Verger+conservatoire');
  await expect(page.getByTestId('project-count')).toHaveText(projects(1));
  await page.getByRole('link', { name: 'Verger conservatoire des Planèzes' }).click();
  await expect(page.getByText('importé de « projets-pole.csv », ligne 2')).toBeVisible();
  expect(await funnelTotal(page)).toBe(before + 1);

  // An officer cannot undo; a head can, as a whole.
  await page.goto(importUrl);
  await expect(page.getByTestId('import-undo')).toHaveCount(0);
  await undoAsHead(page, importUrl);
  await page.goto('/projets?q=Verger+conservatoire');
  await expect(page.getByTestId('project-count')).toHaveText(projects(0));
  expect(await funnelTotal(page)).toBe(before);
});

/** A contacts file (UTF-8 with its BOM, as Excel writes « CSV UTF-8 »). */
function contacts(): Buffer {
  const text = [
    'Structure;Type;SIRET;Commune;Prénom;Nom;Fonction;Courriel;Téléphone',
    'Les Amis du Viaduc de Garabit;Association;;Saint-Flour;Marie;Teste;Trésorière;marie.teste@viaduc.example;',
    "Comité des fêtes d'Andelat;Association;;Andelat;Luc;Bras;Président;luc.bras@andelat.example;04 71 60 00 00",
    'Garage du Lioran;Club;;Saint-Flour;;;;;',
  ].join('\r\n');
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

test('on a phone, an officer brings a contacts file into the directory, telling a namesake apart; a head undoes it', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText('Mes projets');
  await page.goto('/importer');
  await hydrated(page);
  await page.getByLabel('des contacts de l’annuaire', { exact: false }).check();
  await page.getByLabel('Fichier (.xlsx, .xls, .ods, .csv ; 8 Mo au plus)').setInputFiles({
    name: 'contacts.csv',
    mimeType: 'text/csv',
    buffer: contacts(),
  });
  await page.getByRole('button', { name: 'Lire le fichier' }).click();
  await expect(page).toHaveURL(/\/importer\/\d+$/);
  await hydrated(page);
  await expect(page.getByTestId('import-status')).toContainText('2 à créer, 0 à modifier, 0 inchangés, 1 refusés');
  await expect(page.locator('[data-testid="import-verdict"][data-action="refused"]')).toContainText(
    'Ligne 4, colonne Type : « Club » : type d’organisme inconnu',
  );

  // The association already in the directory is offered as the same one;
  // the officer says it is another (keyboard only).
  const namesake = page.locator('[data-testid="import-verdict"][data-line="2"]');
  await expect(namesake).toContainText('Déjà dans l’annuaire (même nom, même commune)');
  await namesake.getByTestId('import-distinct').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('Choix enregistré : l’aperçu est à jour.')).toBeVisible();
  await expect(page.locator('[data-testid="import-verdict"][data-line="2"]')).toContainText('distinct de « Les Amis du Viaduc de Garabit »');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);

  page.once('dialog', (d) => d.accept());
  await page.getByTestId('import-confirm').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('Import enregistré.')).toBeVisible();
  const importUrl = page.url();

  // Two organisations of that name now; the new one has its person.
  await page.goto('/annuaire?q=Amis%20du%20Viaduc');
  await expect(page.getByTestId('organisation-row')).toHaveCount(2);
  await page.goto('/annuaire?q=Comit%C3%A9%20des%20f%C3%AAtes%20d%27Andelat');
  await expect(page.getByTestId('organisation-row')).toHaveCount(1);

  // A head undoes it: the directory is as before.
  await page.setViewportSize({ width: 1280, height: 800 });
  await undoAsHead(page, importUrl);
  await page.goto('/annuaire?q=Amis%20du%20Viaduc');
  await expect(page.getByTestId('organisation-row')).toHaveCount(1);
  await page.goto('/annuaire?q=Comit%C3%A9%20des%20f%C3%AAtes%20d%27Andelat');
  await expect(page.getByTestId('organisation-row')).toHaveCount(0);
});
