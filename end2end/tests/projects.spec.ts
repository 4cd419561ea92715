import { test, expect } from '@playwright/test';
import { ACCOUNTS, failOnConsoleErrors, hydrated, login, openProject, projects } from './helpers';

test.describe('staff', () => {
test.beforeEach(async ({ page }) => failOnConsoleErrors(page));

test('an officer creates a project on a real commune and follows it through the timeline', async ({ page }) => {
  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText('Mes projets');
  await page.goto('/projets/nouveau');
  await hydrated(page);

  // An invalid form shows each error next to its field, and nothing is created.
  await page.getByRole('button', { name: 'Créer le projet' }).click();
  await expect(page.locator('#title-erreur')).toHaveText('Le titre est obligatoire.');
  await expect(page.locator('#communes-erreur')).toHaveText('Choisissez au moins une commune.');
  await expect(page.getByLabel('Titre')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('Titre').fill('Halle gourmande du Pont-Vieux');
  await page.getByLabel('Coût total estimé (€)').fill('1 250 000');
  // Type-ahead, without accents or capitals: finds Saint-Flour (15187).
  await page.locator('#commune-search').fill('saint flour');
  await page.getByRole('button', { name: 'Saint-Flour (15187, 15)' }).click();
  await expect(page.locator('.chip')).toContainText('Saint-Flour (15187)');
  await page.getByLabel('Commerce').check();
  await page.getByRole('button', { name: 'Créer le projet' }).click();

  await expect(page).toHaveURL(/\/projets\/\d+$/);
  await expect(page.getByTestId('project-title')).toHaveText('Halle gourmande du Pont-Vieux');
  await hydrated(page);
  await expect(page.locator('.stage-bar li[aria-current="step"]')).toContainText('Émergence');

  // Move to study (the form opens on demand).
  await page.locator('#changer-etape > summary').click();
  await page.getByLabel('Nouvelle étape').selectOption('study');
  await page.locator('#changer-etape form').getByRole('button', { name: 'Changer d’étape' }).click();
  await expect(page.locator('.stage-bar li[aria-current="step"]')).toContainText('Études');

  // Add a milestone from the action at the top: it opens the form, the
  // cursor in its first field; after the save the page stays there and
  // says so.
  await page.getByRole('link', { name: 'Ajouter un jalon' }).click();
  await expect(page.locator('#milestone-title')).toBeFocused();
  await page.locator('#milestone-title').fill('Comité de pilotage n°1');
  await page.locator('#milestone-due').fill('2026-12-15');
  await page.locator('#nouveau-jalon form').getByRole('button', { name: 'Ajouter un jalon' }).click();
  const added = page.locator('#jalons').getByRole('status');
  await expect(added).toHaveText('Jalon ajouté : « Comité de pilotage n°1 ».');
  await expect(added).toBeFocused();
  await expect(page.locator('#milestone-title')).toHaveValue('');
  const milestone = page.getByTestId('milestone').filter({ hasText: 'Comité de pilotage n°1' });
  await expect(milestone).toBeVisible();
  await milestone.getByRole('button', { name: 'Marquer comme fait' }).click();
  await expect(milestone.getByRole('button', { name: 'Rouvrir' })).toBeVisible();

  // Edit it: an emptied title is refused on its field, then a new title is kept.
  await milestone.getByText('Modifier').click();
  await milestone.getByLabel('Intitulé').fill('');
  await milestone.getByRole('button', { name: 'Enregistrer le jalon' }).click();
  await expect(milestone.locator('.field-error').first()).toContainText('Le titre du jalon est obligatoire.');
  await milestone.getByLabel('Intitulé').fill('COPIL de lancement');
  await milestone.getByRole('button', { name: 'Enregistrer le jalon' }).click();
  const renamed = page.getByTestId('milestone').filter({ hasText: 'COPIL de lancement' });
  await expect(renamed).toBeVisible();

  // A second milestone, added by mistake, is deleted.
  await page.locator('#nouveau-jalon > summary').click();
  await page.locator('#milestone-title').fill('Réunion en double');
  await page.locator('#milestone-due').fill('2027-01-20');
  await page.locator('#nouveau-jalon form').getByRole('button', { name: 'Ajouter un jalon' }).click();
  const duplicate = page.getByTestId('milestone').filter({ hasText: 'Réunion en double' });
  await duplicate.getByText('Modifier').click();
  // A destructive action asks first, in French.
  page.once('dialog', async (dialog) => {
    expect(dialog.type()).toBe('confirm');
    expect(dialog.message()).toContain('Supprimer ce jalon ?');
    await dialog.accept();
  });
  await duplicate.getByRole('button', { name: 'Supprimer ce jalon' }).click();
  await expect(duplicate).toHaveCount(0);
  await expect(page.getByTestId('milestone')).toHaveCount(1);

  // Write a note dated on the day of the visit.
  await page.locator('#nouvelle-note > summary').click();
  await page.locator('#note-body').fill('Visite du site avec le maire : accord sur l’emprise.');
  await page.locator('#note-date').fill('2026-11-02');
  await page.locator('#nouvelle-note form').getByRole('button', { name: 'Ajouter une note' }).click();
  await expect(page.getByTestId('note')).toContainText('Visite du site avec le maire');
  await expect(page.getByTestId('note')).toContainText('02/11/2026');

  // Everything is on the timeline, newest first, with who did it.
  const events = page.getByTestId('event');
  await expect(events).toHaveCount(8);
  await expect(events.nth(0)).toContainText('Note ajoutée : Visite du site');
  await expect(events.nth(1)).toContainText('Jalon supprimé : Réunion en double (échéance 20/01/2027)');
  await expect(events.nth(2)).toContainText('Jalon ajouté : Réunion en double');
  await expect(events.nth(3)).toContainText('Jalon modifié : COPIL de lancement (titre)');
  await expect(events.nth(4)).toContainText('Jalon fait : Comité de pilotage n°1');
  await expect(events.nth(5)).toContainText('Jalon ajouté : Comité de pilotage n°1 (échéance 15/12/2026)');
  await expect(events.nth(6)).toContainText('Étape : Émergence → Études');
  await expect(events.nth(7)).toContainText('Projet créé');
  await expect(events.nth(7)).toContainText('par Julien Moreau');

  // Going back a stage without a reason is refused next to the reason field.
  await page.locator('#changer-etape > summary').click();
  await page.getByLabel('Nouvelle étape').selectOption('emergence');
  await page.locator('#changer-etape form').getByRole('button', { name: 'Changer d’étape' }).click();
  await expect(page.locator('#stage-reason-erreur')).toContainText('Indiquez un motif');
});

test('the project list filters from the URL and searches without accents', async ({ page }) => {
  await login(page, ACCOUNTS.head.email);
  await expect(page.getByTestId('home-title')).toHaveText('Portefeuille');
  // The head's funnel: a count leads to the list of exactly those projects.
  const funding = page.getByTestId('funnel').locator('tr[data-stage="funding"]');
  const link = funding.locator('td[data-col="projects"] a');
  const count = (await link.textContent())?.trim() ?? '';
  expect(Number(count)).toBeGreaterThan(0);
  await link.click();
  await expect(page).toHaveURL(/\/projets\?etape=funding/);
  await expect(page.getByTestId('project-count')).toHaveText(projects(count));
  await page.goto('/projets?q=epicerie');
  await expect(page.getByTestId('project-count')).toHaveText(projects(1));
  await expect(page.getByRole('link', { name: 'Épicerie multiservice' })).toBeVisible();
  await page.goto('/projets?etape=abandoned&tri=title');
  await expect(page.getByTestId('project-count')).toHaveText(projects(2));
});

});

test('a partner cannot open the project list', async ({ page }) => {
  await login(page, ACCOUNTS.partner.email);
  await expect(page.getByTestId('home-title')).toHaveText('Projets partagés avec moi');
  const response = await page.goto('/projets');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('alert').filter({ hasText: 'Vous n’avez pas les droits nécessaires' }).first()).toBeVisible();
  await expect(page.locator('table')).toHaveCount(0);
  // Only the refusal: no staff filters, no « Nouveau projet ».
  await expect(page.getByRole('search')).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Nouveau projet' })).toHaveCount(0);
  for (const path of ['/tableau-de-bord', '/annuaire']) {
    expect((await page.goto(path))?.status()).toBe(403);
    await expect(page.getByRole('search')).toHaveCount(0);
  }
});

test('the list is filtered by commune, EPCI and département picked by name', async ({ page }) => {
  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText('Mes projets');
  await page.goto('/projets');
  await hydrated(page);
  // Typed, accents and case aside; Enter picks the first hit without sending the form.
  await page.locator('#f-commune').fill('saint-flo');
  await expect(page.locator('#f-commune-suggestions .suggestion').first()).toContainText('Saint-Flour (15187, 15)');
  await page.locator('#f-commune').press('Enter');
  await expect(page).toHaveURL(/\/projets$/);
  await expect(page.getByTestId('picked')).toContainText('Saint-Flour');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await expect(page).toHaveURL(/commune=15187/);
  const inCommune = Number((await page.getByTestId('project-count').textContent())!.split(' ')[0]);
  expect(inCommune).toBeGreaterThan(0);
  // The chosen commune stays shown by name after the reload.
  await expect(page.getByTestId('picked')).toContainText('Saint-Flour');
  await page.goto('/projets');
  // The EPCI and the département are chosen by name among those of the portfolio.
  await expect(page.locator('#f-epci option[value="200066660"]')).toContainText('Saint-Flour');
  await page.locator('#f-epci').selectOption('200066660');
  await page.locator('#f-dep').selectOption({ label: '15 – Cantal' });
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await expect(page).toHaveURL(/epci=200066660/);
  await expect(page).toHaveURL(/departement=15/);
  const inEpci = Number((await page.getByTestId('project-count').textContent())!.split(' ')[0]);
  expect(inEpci).toBeGreaterThanOrEqual(inCommune);
});

test('keyboard only: from the top of a project page, a milestone is added in at most 10 key presses', async ({ page }) => {
  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText('Mes projets');
  await openProject(page, 'maison de sante', /Maison de santé/);
  let presses = 0;
  const press = async (key: string) => {
    presses += 1;
    await page.keyboard.press(key);
  };
  // Skip link, then the first action of the project: « Ajouter un jalon ».
  await press('Tab');
  await expect(page.getByRole('link', { name: 'Aller au contenu principal' })).toBeFocused();
  await press('Enter');
  await press('Tab');
  await expect(page.getByRole('link', { name: 'Ajouter un jalon' })).toBeFocused();
  await press('Enter');
  await expect(page.locator('#milestone-title')).toBeFocused();
  await page.keyboard.type('Réunion publique au clavier');
  await press('Tab');
  await expect(page.locator('#milestone-due')).toBeFocused();
  // Typed in the order the browser's date field shows (its own locale).
  await page.keyboard.type('15032027');
  const due = await page.locator('#milestone-due').inputValue();
  expect(due).toMatch(/^2027-\d\d-\d\d$/);
  await press('Enter');
  const status = page.locator('#jalons').getByRole('status');
  await expect(status).toHaveText('Jalon ajouté : « Réunion publique au clavier ».');
  await expect(status).toBeFocused();
  const [y, m, d] = due.split('-');
  await expect(page.getByTestId('milestone').filter({ hasText: 'Réunion publique au clavier' })).toContainText(`${d}/${m}/${y}`);
  expect(presses, 'key presses besides the typed text').toBeLessThanOrEqual(10);
});

