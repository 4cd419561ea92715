import { expect, test, type Page } from '@playwright/test';
import { ACCOUNTS, failOnConsoleErrors, hydrated, login, openProject } from './helpers';

const PDF_V1 = '%PDF-1.7\n% convention v1\n%%EOF\n';
const PDF_V2 = '%PDF-1.7\n% convention v2, signée\n%%EOF\n';
// A PNG as its first bytes show it.
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3, 4];

/** Drops files onto the drop zone, as a file manager would. */
async function drop(page: Page, files: { name: string; type: string; text?: string; bytes?: number[] }[]) {
  const transfer = await page.evaluateHandle((files) => {
    const dt = new DataTransfer();
    for (const f of files) {
      const body = f.bytes ? new Uint8Array(f.bytes) : f.text!;
      dt.items.add(new File([body], f.name, { type: f.type }));
    }
    return dt;
  }, files);
  const zone = page.getByTestId('dropzone');
  await zone.dispatchEvent('dragenter', { dataTransfer: transfer });
  await zone.dispatchEvent('dragover', { dataTransfer: transfer });
  await zone.dispatchEvent('drop', { dataTransfer: transfer });
}

test.beforeEach(async ({ page }) => failOnConsoleErrors(page));

test('on a phone, an officer drops two files on a project, attaches one to the DETR line, shares the other; a link holder downloads it, then its new version', async ({ page, browser }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText('Mes projets');
  await openProject(page, 'maison de sante', /Maison de santé/);
  await hydrated(page);
  const section = page.getByTestId('documents');
  await section.getByText('Ajouter des documents').click();
  await section.locator('#document-type').selectOption({ label: 'Convention' });

  // Two files dropped: listed, each with its bar, then sent together.
  await drop(page, [
    { name: 'Convention DETR.pdf', type: 'application/pdf', text: PDF_V1 },
    { name: 'Chantier.png', type: 'image/png', bytes: PNG },
  ]);
  const listed = section.getByTestId('upload-file');
  await expect(listed).toHaveCount(2);
  await expect(listed.first().locator('progress')).toBeVisible();
  await section.getByTestId('send-documents').click();
  await expect(section.getByRole('status')).toHaveText('Documents déposés.');
  const items = section.getByTestId('document');
  await expect(items).toHaveCount(2);
  const convention = items.filter({ hasText: 'Convention DETR.pdf' });
  const photo = items.filter({ hasText: 'Chantier.png' });

  // The photo goes to the DETR line; the convention is shared.
  await photo.getByText('Modifier').click();
  const attach = photo.locator('select[name="form[attachment]"]');
  const detr = await attach.locator('option[value^="ligne:"]', { hasText: 'DETR' }).first().getAttribute('value');
  expect(detr).toMatch(/^ligne:\d+$/);
  await attach.selectOption(detr!);
  await photo.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(section.getByRole('status')).toHaveText('Document enregistré.');
  await expect(section.getByTestId('document').filter({ hasText: 'Chantier.png' })).toContainText(/Rattaché à : Financement : .*DETR/);
  // The DETR line lists it among its own documents.
  const detrLine = page.locator('[data-testid="funding-line"][data-funder="detr"]').first();
  await expect(detrLine.getByTestId('attached-documents')).toContainText('Chantier.png');
  const conv = section.getByTestId('document').filter({ hasText: 'Convention DETR.pdf' });
  await conv.getByText('Modifier').click();
  await conv.getByLabel('Visible sur les pages partagées avec les partenaires').check();
  await conv.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(section.getByRole('status')).toHaveText('Document enregistré.');
  await expect(section.getByTestId('document').filter({ hasText: 'Convention DETR.pdf' }).getByTestId('document-shared')).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  // A share link, read by someone with no account.
  const shares = page.getByTestId('shares');
  const details = shares.locator('details:has(> summary:has-text("Nouveau partage"))');
  await details.locator('summary').click();
  await shares.locator('input[name="form[target]"][value="link"]').check();
  await shares.getByRole('button', { name: 'Partager', exact: true }).click();
  const url = await shares.getByTestId('new-link').locator('input').inputValue();
  const visitorContext = await browser.newContext({ viewport: { width: 375, height: 800 } });
  const visitor = await visitorContext.newPage();
  failOnConsoleErrors(visitor);
  expect((await visitor.goto(url))?.status()).toBe(200);
  const sharedDocs = visitor.getByTestId('shared-document');
  await expect(sharedDocs).toHaveCount(1);
  await expect(sharedDocs).toContainText('Convention DETR.pdf');
  const fetchShared = async () => {
    const href = await sharedDocs.getByRole('link').getAttribute('href');
    const res = await visitor.request.get(href!);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-disposition']).toMatch(/^attachment;/);
    return res.text();
  };
  expect(await fetchShared()).toBe(PDF_V1);
  const [download] = await Promise.all([visitor.waitForEvent('download'), sharedDocs.getByRole('link').click()]);
  expect(download.suggestedFilename()).toBe('Convention DETR.pdf');

  // A new version of the convention: the link holder gets it, the old one stays listed.
  const current = section.getByTestId('document').filter({ hasText: 'Convention DETR.pdf' });
  await current.getByText('Modifier').click();
  await current.locator('input[type=file]').setInputFiles({ name: 'Convention DETR signée.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PDF_V2) });
  await current.getByTestId('replace-document').click();
  await expect(section.getByRole('status')).toHaveText('Nouvelle version déposée.');
  const replaced = section.getByTestId('document').filter({ hasText: 'Convention DETR signée.pdf' });
  await expect(replaced.getByText('Versions précédentes (1)')).toBeVisible();
  await visitor.reload();
  expect(await fetchShared()).toBe(PDF_V2);
  await visitorContext.close();

  // A program is refused on the form, in French, and nothing is added.
  await section.getByText('Ajouter des documents').click();
  await section.locator('#document-files').setInputFiles({ name: 'devis.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ\x90\x00\x03\x00\x00\x00') });
  await section.getByTestId('send-documents').click();
  await expect(section.locator('#document-files-erreur')).toContainText('est un programme');
  await expect(section.getByTestId('document')).toHaveCount(2);
});

test('with the keyboard, an officer narrows what one DETR application asks for and goes back to the funder\'s list; an admin keeps the default list', async ({ page }) => {
  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText(ACCOUNTS.officer.home);
  await openProject(page, 'maison de sante', /Maison de santé/);
  await hydrated(page);
  const line = page.locator('[data-testid="funding-line"][data-funder="detr"]').first();
  const required = line.getByTestId('required-documents');
  await expect(required).toContainText('Pièces demandées par le financeur');
  await expect(required.locator('.badge')).toHaveCount(5);
  const summary = line.locator('details.asked-edit > summary');
  await summary.focus();
  await page.keyboard.press('Enter');
  const calendar = line.getByLabel('Calendrier prévisionnel', { exact: true });
  await expect(calendar).toBeChecked();
  await calendar.focus();
  await page.keyboard.press('Space');
  await expect(calendar).not.toBeChecked();
  await line.getByRole('button', { name: 'Enregistrer la liste' }).focus();
  await page.keyboard.press('Enter');
  const funding = page.getByTestId('funding');
  await expect(funding.getByRole('status').filter({ hasText: 'Pièces demandées enregistrées.' })).toBeVisible();
  const after = page.locator('[data-testid="funding-line"][data-funder="detr"]').first();
  await expect(after.getByTestId('required-documents')).toContainText('Pièces demandées pour cette demande');
  await expect(after.getByTestId('required-documents').locator('.badge')).toHaveCount(4);
  await expect(after.getByTestId('required-documents')).not.toContainText('Calendrier');
  // Back to DETR's list.
  await after.locator('details.asked-edit > summary').click();
  await after.getByRole('button', { name: 'Revenir à la liste du financeur' }).click();
  await expect(funding.getByRole('status').filter({ hasText: 'Pièces demandées enregistrées.' })).toBeVisible();
  const back = page.locator('[data-testid="funding-line"][data-funder="detr"]').first().getByTestId('required-documents');
  await expect(back).toContainText('Pièces demandées par le financeur');
  await expect(back.locator('.badge')).toHaveCount(5);

  // The admin's page: each funder's default list, as checkboxes.
  await page.context().clearCookies();
  await login(page, ACCOUNTS.admin.email);
  await expect(page.getByTestId('home-title')).toHaveText(ACCOUNTS.admin.home);
  await page.goto('/admin/financeurs');
  await hydrated(page);
  const detr = page.locator('[data-testid="funder-asks"][data-funder="detr"]');
  await expect(detr).toContainText('Délibération');
  await detr.locator('summary').click();
  const quote = detr.getByLabel('Devis', { exact: true });
  await quote.uncheck();
  await detr.getByRole('button', { name: 'Enregistrer la liste' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Pièces demandées enregistrées.' })).toBeVisible();
  const saved = page.locator('[data-testid="funder-asks"][data-funder="detr"]');
  await expect(saved.locator('summary')).not.toContainText('Devis');
  // Put back as it was, for the other tests.
  await saved.locator('summary').click();
  await saved.getByLabel('Devis', { exact: true }).check();
  await saved.getByRole('button', { name: 'Enregistrer la liste' }).click();
  await expect(page.locator('[data-testid="funder-asks"][data-funder="detr"] summary')).toContainText('Devis');

  // How long deleted documents are kept: refused in French out of range, then set, then back to the server's.
  await page.goto('/admin/types-de-documents');
  await hydrated(page);
  const days = page.getByLabel('Durée de conservation (en jours)');
  await days.fill('99999');
  await page.getByRole('button', { name: 'Enregistrer la durée' }).click();
  await expect(page.locator('#retention-days-erreur')).toContainText('de 0 à 3650');
  await days.fill('45');
  await days.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Durée de conservation enregistrée.' })).toBeVisible();
  await expect(page.getByTestId('retention-current')).toHaveText('En vigueur : 45 jours.');
  await page.getByLabel('Durée de conservation (en jours)').fill('');
  await page.getByRole('button', { name: 'Enregistrer la durée' }).click();
  await expect(page.getByTestId('retention-current')).toHaveText('En vigueur : 30 jours.');
});
