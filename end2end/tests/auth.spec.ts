import { test, expect } from '@playwright/test';
import { ACCOUNTS, DEMO_PASSWORD, failOnConsoleErrors, hydrated, login } from './helpers';

test.beforeEach(async ({ page }) => failOnConsoleErrors(page));

for (const [role, account] of Object.entries(ACCOUNTS)) {
  test(`${role}: logs in, sees their home, logs out`, async ({ page }) => {
    const wasm: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('.wasm')) wasm.push(r.url());
    });
    await login(page, account.email);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId('home-title')).toHaveText(account.home);
    await expect(page.getByTestId('user-name')).toHaveText(account.name);
    await expect(page.getByTestId('user-role')).toHaveText(account.role);
    if (role === 'partner') {
      // A partner's pages work with no script: no module is sent, no wasm
      // loaded, no resource's data written into the page.
      await expect(page.locator('script[type=module]')).toHaveCount(0);
      expect(await page.content()).not.toContain('__RESOLVED_RESOURCES[');
      await page.waitForLoadState('networkidle');
      const before = wasm.length;
      await page.reload();
      await page.waitForLoadState('networkidle');
      expect(wasm.length, 'no wasm on the partner home').toBe(before);
    } else {
      await hydrated(page);
    }

    // Team page is in the navigation for staff only.
    const teamLink = page.getByRole('navigation').getByRole('link', { name: 'Équipe', exact: true });
    if (role === 'partner') {
      await expect(teamLink).toHaveCount(0);
    } else {
      await expect(teamLink).toBeVisible();
    }

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await expect(page).toHaveURL(/\/connexion\?deconnecte=1$/);
    await expect(page.getByText('Vous êtes déconnecté·e.')).toBeVisible();

    // The session is gone on the server: the home page sends us back to login.
    await page.goto('/');
    await expect(page).toHaveURL(/\/connexion\?suivant=%2F$/);
  });
}

test('keyboard only: skip link, fields, submit with Enter', async ({ page }) => {
  await page.goto('/connexion');
  await hydrated(page);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Aller au contenu principal' })).toBeFocused();
  // Tab through to the e-mail field, type, Tab to password, type, Enter.
  await page.getByLabel('Adresse e-mail').focus();
  await page.keyboard.type(ACCOUNTS.officer.email);
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Mot de passe')).toBeFocused();
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('home-title')).toHaveText('Mes projets');
});

test('wrong password shows a French error and stays on the login page', async ({ page }) => {
  await login(page, ACCOUNTS.head.email, 'pas le bon mot de passe');
  await expect(page.getByTestId('login-error')).toHaveText('Adresse e-mail ou mot de passe incorrect.');
  await expect(page).toHaveURL(/\/connexion/);
});

test('a protected page asks for login, then returns to it', async ({ page }) => {
  await page.goto('/equipe');
  await expect(page).toHaveURL(/\/connexion\?suivant=%2Fequipe$/);
  await hydrated(page);
  await page.getByLabel('Adresse e-mail').fill(ACCOUNTS.admin.email);
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/equipe$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Équipe et comptes');
  await expect(page.getByRole('cell', { name: 'sophie.lambert@cc-demo-maillage.fr' })).toBeVisible();
});

test('admin creates an account; field errors appear next to the fields', async ({ page }) => {
  await login(page, ACCOUNTS.admin.email);
  await expect(page.getByTestId('home-title')).toHaveText('Administration');
  await page.goto('/equipe');
  await hydrated(page);
  await page.getByLabel('Nom complet').fill('Léa Fontaine');
  await page.getByLabel('Adresse e-mail', { exact: false }).last().fill('lea.fontaine');
  await page.getByLabel('Mot de passe initial').fill('court');
  await page.getByRole('button', { name: 'Créer le compte' }).click();
  await expect(page.locator('#new_email-erreur')).toContainText('n’est pas valide');
  await expect(page.locator('#new_password-erreur')).toHaveText('Le mot de passe doit contenir au moins 12 caractères.');
  await expect(page.getByLabel('Mot de passe initial')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('Adresse e-mail', { exact: false }).last().fill('lea.fontaine@cc-demo-maillage.fr');
  await page.getByLabel('Mot de passe initial').fill('une longue phrase de passe');
  await page.getByRole('button', { name: 'Créer le compte' }).click();
  await expect(page.getByText('Compte créé pour lea.fontaine@cc-demo-maillage.fr.')).toBeVisible();
  await expect(page.getByRole('cell', { name: 'lea.fontaine@cc-demo-maillage.fr' })).toBeVisible();
});

test('works at 360 px wide', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText('Mes projets');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.getByRole('button', { name: 'Se déconnecter' })).toBeVisible();
});
