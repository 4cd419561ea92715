import { test, expect, type Locator } from '@playwright/test';
import { ACCOUNTS, DEMO_PASSWORD, failOnConsoleErrors, hydrated, login } from './helpers';

/** Opens the "new share" form unless it is already open. */
async function openNewShare(shares: Locator) {
  const details = shares.locator('details:has(> summary:has-text("Nouveau partage"))');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) {
    await details.locator('summary').click();
  }
}

test('an officer shares a project with a partner account and by link, then revokes the link', async ({ browser }) => {
  // The admin creates a partner account, tied to an organisation of the directory.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  failOnConsoleErrors(admin);
  await login(admin, ACCOUNTS.admin.email);
  await expect(admin.getByTestId('home-title')).toHaveText('Administration');
  await admin.goto('/equipe');
  await hydrated(admin);
  await admin.getByLabel('Nom complet').fill('Marc Vidal');
  await admin.locator('#new_email').fill('m.vidal@asso-e2e.fr');
  await admin.getByLabel('Rôle *').selectOption('partner');
  await admin.getByLabel('Mot de passe initial').fill(DEMO_PASSWORD);
  await admin.getByRole('button', { name: 'Créer le compte' }).click();
  await expect(admin.locator('#new-organisation-erreur')).toContainText('rattaché à une organisation de l’annuaire');
  await admin.locator('#new-organisation').fill('margeride');
  await admin.getByRole('button', { name: /Association Margeride Initiatives/ }).click();
  await admin.getByRole('button', { name: 'Créer le compte' }).click();
  await expect(admin.getByRole('status')).toContainText('Compte créé pour m.vidal@asso-e2e.fr');
  await expect(admin.getByRole('row', { name: /Marc Vidal/ })).toContainText('Association Margeride Initiatives');
  await adminContext.close();

  // The officer shares a project with that account, then by link.
  const officerContext = await browser.newContext();
  const officer = await officerContext.newPage();
  failOnConsoleErrors(officer);
  await login(officer, ACCOUNTS.officer.email);
  await expect(officer.getByTestId('home-title')).toHaveText('Mes projets');
  await officer.goto('/projets?q=maison%20de%20sante');
  await officer.getByRole('link', { name: /Maison de santé/ }).first().click();
  await expect(officer).toHaveURL(/\/projets\/\d+$/);
  const projectTitle = (await officer.getByTestId('project-title').textContent())!.trim();
  await hydrated(officer);
  const shares = officer.getByTestId('shares');
  await openNewShare(shares);
  await shares.locator('input[name="form[target]"][value="account"]').check();
  await shares.locator('#share-account').selectOption({ label: 'Marc Vidal — Association Margeride Initiatives (m.vidal@asso-e2e.fr)' });
  await shares.locator('#share-new-funding').check();
  await shares.getByRole('button', { name: 'Partager', exact: true }).click();
  await expect(shares.getByRole('status')).toContainText('Projet partagé avec ce compte.');
  await expect(shares.getByTestId('share').filter({ hasText: 'Marc Vidal' })).toContainText('jalons, financements');
  await expect(officer.getByTestId('event').first()).toContainText('Partagé avec Marc Vidal : jalons, financements');

  await openNewShare(shares);
  await shares.locator('input[name="form[target]"][value="link"]').check();
  await shares.locator('#share-label').fill('Réunion publique');
  await shares.getByRole('button', { name: 'Partager', exact: true }).click();
  const newLink = shares.getByTestId('new-link');
  await expect(newLink).toContainText('Copiez-le maintenant');
  const url = await newLink.locator('input').inputValue();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/partage\/[0-9a-f]{64}$/);

  // The partner logs in and sees exactly that project, read-only, with no script.
  const partnerContext = await browser.newContext();
  const partner = await partnerContext.newPage();
  failOnConsoleErrors(partner);
  await login(partner, 'm.vidal@asso-e2e.fr');
  await expect(partner.getByTestId('home-title')).toHaveText('Projets partagés avec moi');
  const shared = partner.getByTestId('shared-project');
  await expect(shared).toHaveCount(1);
  await expect(shared).toContainText(projectTitle);
  await shared.getByRole('link', { name: projectTitle }).click();
  await expect(partner).toHaveURL(/\/espace-partenaire\/projets\/\d+$/);
  await expect(partner.getByTestId('shared-title')).toHaveText(projectTitle);
  await expect(partner.getByRole('heading', { name: 'Avancement' })).toBeVisible();
  await expect(partner.getByRole('heading', { name: 'Plan de financement' })).toBeVisible();
  await expect(partner.getByRole('heading', { name: 'Nouvelles du projet' })).toHaveCount(0);
  await expect(partner.locator('script')).toHaveCount(0);
  // Nothing else is reachable.
  const other = await partner.request.get('/projets');
  expect(other.status()).toBe(403);
  await partnerContext.close();

  // Anyone with the link reads the page…
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  failOnConsoleErrors(visitor);
  expect((await visitor.goto(url))?.status()).toBe(200);
  await expect(visitor.getByTestId('shared-title')).toHaveText(projectTitle);
  await expect(visitor.getByRole('heading', { name: 'Prochaines étapes' })).toBeVisible();
  await visitorContext.close();
  // … even with JavaScript disabled.
  const anonymousContext = await browser.newContext({ javaScriptEnabled: false });
  const anonymous = await anonymousContext.newPage();
  let response = await anonymous.goto(url);
  expect(response?.status()).toBe(200);
  await expect(anonymous.getByTestId('shared-title')).toHaveText(projectTitle);
  await expect(anonymous.getByRole('heading', { name: 'Prochaines étapes' })).toBeVisible();
  await expect(anonymous.getByRole('heading', { name: 'Plan de financement' })).toHaveCount(0);

  // The officer sees the use, revokes the link: it stops working at once.
  await officer.reload();
  await hydrated(officer);
  const linkItem = shares.getByTestId('share').filter({ hasText: 'Réunion publique' });
  await expect(linkItem).toContainText('2 fois');
  officer.once('dialog', async (dialog) => {
    expect(dialog.message()).toContain('Révoquer ce partage ?');
    await dialog.accept();
  });
  await linkItem.getByTestId('revoke').click();
  await expect(shares.getByTestId('share').filter({ hasText: 'Réunion publique' })).toHaveAttribute('data-state', 'revoked');
  await expect(officer.getByTestId('event').first()).toContainText('Partage révoqué');
  await expect(officer.getByTestId('event').first()).toContainText('Réunion publique');
  response = await anonymous.goto(url);
  expect(response?.status()).toBe(410);
  await expect(anonymous.getByRole('heading', { level: 1 })).toHaveText('Ce lien de partage n’est plus valable');
  await expect(anonymous.getByText(projectTitle)).toHaveCount(0);
  await anonymousContext.close();
  await officerContext.close();
});

test('the demo partner reads a shared page on a phone, and unknown links are 404', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  failOnConsoleErrors(page);
  await login(page, ACCOUNTS.partner.email);
  await expect(page.getByTestId('home-title')).toHaveText('Projets partagés avec moi');
  const first = page.getByTestId('shared-project').first();
  await expect(first).toBeVisible();
  await first.getByRole('link').click();
  await expect(page.getByTestId('shared-title')).toBeVisible();
  // Nothing overflows sideways at 360 px.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // Print CSS: the navigation is not printed.
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('link', { name: '← Mes projets partagés' })).toBeHidden();
  await page.emulateMedia({ media: 'screen' });
  await page.getByRole('link', { name: '← Mes projets partagés' }).click();
  await expect(page.getByTestId('home-title')).toHaveText('Projets partagés avec moi');

  const unknown = await page.request.get(`/partage/${'0'.repeat(64)}`);
  expect(unknown.status()).toBe(404);
  expect(await unknown.text()).toContain('Lien de partage introuvable');
  await context.close();
});
