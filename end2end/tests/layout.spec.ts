import { test, expect, type Page, type TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ACCOUNTS, login } from './helpers';

// Every page × every role, on a 375 px phone and a 1 366 px laptop: nothing
// wider than the screen, no chart label over another, no accessibility
// violation (axe-core, WCAG 2.1 A and AA), no console error. The full-page
// screenshots are attached to the report.

const WIDTHS = [375, 1366] as const;
type Role = keyof typeof ACCOUNTS;

/** The pages each role can reach, plus a refused one each (refusals are pages too). */
async function pagesFor(page: Page, role: Role): Promise<string[]> {
  if (role === 'partner') {
    await page.goto('/');
    const first = await page.locator('main a[href^="/espace-partenaire/projets/"]').first().getAttribute('href');
    return ['/', first!, '/projets', '/tableau-de-bord', '/importer'];
  }
  await page.goto('/projets');
  const project = await page.locator('main a[href^="/projets/"]:not([href$="nouveau"])').first().getAttribute('href');
  await page.goto('/annuaire');
  const organisation = await page.locator('main a[href^="/annuaire/organisations/"]:not([href$="nouvelle"])').first().getAttribute('href');
  const person = await page.locator('main a[href^="/annuaire/personnes/"]:not([href$="nouvelle"])').first().getAttribute('href');
  const common = ['/', '/projets', project!, `${project}/fiche`, '/annuaire', organisation!, person!, '/tableau-de-bord'];
  switch (role) {
    case 'officer':
      return [...common, '/importer', '/projets/nouveau', `${project}/modifier`, '/annuaire/organisations/nouvelle', '/annuaire/personnes/nouvelle', '/equipe',
        '/mon-compte', await shareLink(page, project!)];
    case 'head':
      return [...common, '/admin/programmes'];
    case 'admin':
      return [...common, '/equipe', '/admin/programmes', '/admin/thematiques', '/admin/types-de-documents', '/admin/financeurs', '/admin/courriels', '/mon-compte'];
  }
}

/** A link share of `project` (milestones and funding), made as the site's
 * own form would: the page a link holder opens, with no account. */
async function shareLink(page: Page, project: string): Promise<string> {
  const origin = new URL(page.url()).origin;
  const fields = { project_id: project.split('/').pop()!, 'form[target]': 'link', 'form[label]': 'Mise en page', 'form[milestones]': 'on', 'form[funding]': 'on' };
  const response = await page.request.post(`${origin}/api/shares/create`, {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: origin },
    data: Object.entries(fields).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'),
  });
  expect(response.status()).toBe(200);
  const { token } = (await response.json()) as { token: string };
  return `/partage/${token}`;
}

/** Pairs of chart texts whose boxes intersect (a label printed over a value, say). */
async function overlappingChartTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const chart of Array.from(document.querySelectorAll('.chart, .funding-bar'))) {
      const texts = Array.from(chart.querySelectorAll('.bar-label, .bar-value, .legend-item'))
        .filter((el) => (el as HTMLElement).offsetParent !== null)
        .map((el) => ({ text: el.textContent?.trim() ?? '', box: el.getBoundingClientRect() }));
      for (let i = 0; i < texts.length; i++) {
        for (let j = i + 1; j < texts.length; j++) {
          const a = texts[i].box;
          const b = texts[j].box;
          const apart = a.right <= b.left + 0.5 || b.right <= a.left + 0.5 || a.bottom <= b.top + 0.5 || b.bottom <= a.top + 0.5;
          if (!apart) found.push(`« ${texts[i].text} » sur « ${texts[j].text} »`);
        }
      }
    }
    return found;
  });
}

async function check(page: Page, path: string, width: number, role: Role, info: TestInfo, errors: string[]) {
  await page.setViewportSize({ width, height: 800 });
  errors.length = 0;
  const res = await page.goto(path);
  const status = res?.status() ?? 0;
  expect(status, `${path}`).toBeLessThan(500);
  await page.waitForLoadState('networkidle');
  // A refusal page is answered 403: Chromium logs that status as an error.
  if (status === 403) errors.splice(0, errors.length, ...errors.filter((e) => !/status of 403/.test(e)));

  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect.soft(overflow, `${role} ${path} à ${width} px déborde de ${overflow} px`).toBeLessThanOrEqual(0);
  expect.soft(await overlappingChartTexts(page), `${role} ${path} à ${width} px`).toEqual([]);

  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const violations = axe.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect.soft(violations, `${role} ${path} à ${width} px`).toEqual([]);
  expect.soft(errors, `${role} ${path} à ${width} px`).toEqual([]);
  if (path.startsWith('/partage/') || path.startsWith('/espace-partenaire/')) {
    // The shared pages carry no script at all.
    expect.soft(await page.locator('script').count(), `${path}: no script on a shared page`).toBe(0);
  } else if (role === 'partner') {
    // A partner's other pages load no module and no wasm (only Leptos'
    // inline resource markers remain).
    expect.soft(await page.locator('script[type=module], link[rel=modulepreload]').count(), `${path}: no module for a partner`).toBe(0);
  }

  const shot = info.outputPath(`${role}${path.replaceAll('/', '_')}-${width}.png`);
  await page.screenshot({ path: shot, fullPage: true });
  await info.attach(`${role} ${path} ${width}`, { path: shot, contentType: 'image/png' });
}

for (const role of Object.keys(ACCOUNTS) as Role[]) {
  test(`every page fits a phone and a laptop, accessibly, for the ${role}`, async ({ page }, info) => {
    test.setTimeout(180_000);
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    await login(page, ACCOUNTS[role].email);
    await expect(page.getByTestId('home-title')).toHaveText(ACCOUNTS[role].home);
    for (const path of await pagesFor(page, role)) {
      for (const width of WIDTHS) {
        await check(page, path, width, role, info, errors);
      }
    }
  });
}
