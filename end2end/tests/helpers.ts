import { expect, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'maillage-demo-2026';

export const ACCOUNTS = {
  admin: { email: 'admin@cc-demo-maillage.fr', name: 'Nadia Admin', role: 'Administrateur·rice', home: 'Administration' },
  head: { email: 'sophie.lambert@cc-demo-maillage.fr', name: 'Sophie Lambert', role: 'Responsable de pôle', home: 'Portefeuille' },
  officer: { email: 'julien.moreau@cc-demo-maillage.fr', name: 'Julien Moreau', role: 'Chargé·e de mission', home: 'Mes projets' },
  partner: { email: 'c.durand@mairie-demo-maillage.fr', name: 'Christine Durand', role: 'Partenaire', home: 'Projets partagés avec moi' },
} as const;

/** Waits until the wasm has hydrated the page (an Effect sets this attribute). */
export async function hydrated(page: Page) {
  await expect(page.locator('main#contenu')).toHaveAttribute('data-hydrated', 'true');
}

/** Opens the first project the list finds for `query` whose link is named like `name`. */
export async function openProject(page: Page, query: string, name: RegExp) {
  await page.goto(`/projets?q=${encodeURIComponent(query)}`);
  const href = await page.getByRole('link', { name }).first().getAttribute('href');
  await page.goto(href!);
  await hydrated(page);
}

export async function login(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto('/connexion');
  await hydrated(page);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

/** Fails the test on any console error except an expected refused server-function call. */
export function failOnConsoleErrors(page: Page) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // A refusal the page shows on its form: a server function's, or an upload's.
    const url = msg.location().url;
    const form = url.includes('/api/') || /\/projets\/\d+\/documents$|\/documents\/\d+\/version$/.test(url);
    const expectedRefusal = form && /status of 4\d\d/.test(msg.text());
    if (!expectedRefusal) throw new Error(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => {
    throw err;
  });
}

/** « 0 projet », « 1 projet », « 2 projets »: French plurals, 0 and 1 singular. */
export function projects(n: number | string): string {
  const count = Number(n);
  return `${count} projet${count > 1 ? 's' : ''}`;
}
