// First and repeat loads under Chromium's slow-4G profile (150 ms RTT,
// 1,6 Mbit/s down, 750 kbit/s up, CPU ×4), in Debian's Chromium: bytes,
// requests, time to first byte and time until the page's island has
// hydrated (`main[data-hydrated]`), on a cold cache and then a warm one.
// Run by scripts/bench-browser.sh against a release server; never in the
// test suite. Usage: node bench/first_load.mjs http://127.0.0.1:3200
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:3200';
const officer = 'julien.moreau@cc-demo-maillage.fr';
const password = 'maillage-demo-2026';
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function signedInContext() {
  const context = await browser.newContext({ baseURL: base, locale: 'fr-FR' });
  const page = await context.newPage();
  await page.goto('/connexion');
  await page.getByLabel('Adresse e-mail').fill(officer);
  await page.getByLabel('Mot de passe').fill(password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/connexion')), page.getByRole('button', { name: 'Se connecter' }).click()]);
  await page.close();
  return context;
}

async function firstProject(context) {
  const page = await context.newPage();
  await page.goto('/projets');
  const href = await page.locator('main a[href^="/projets/"]:not([href$="nouveau"])').first().getAttribute('href');
  await page.close();
  return href;
}

/** One navigation under the profile: what it cost and when it was usable. */
async function load(page, path) {
  const started = Date.now();
  await page.goto(path, { waitUntil: 'commit' });
  const hydrated = await page
    .waitForSelector('main[data-hydrated="true"]', { state: 'attached', timeout: 60_000 })
    .then(() => Date.now() - started)
    .catch(() => null);
  await page.waitForLoadState('load');
  const figures = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const all = [nav, ...resources];
    return {
      ttfb: Math.round(nav.responseStart - nav.startTime),
      requests: all.length,
      transferred: all.reduce((s, e) => s + (e.transferSize || 0), 0),
      decoded: all.reduce((s, e) => s + (e.decodedBodySize || 0), 0),
      fromCache: resources.filter((e) => e.transferSize === 0 && e.decodedBodySize > 0).length,
    };
  });
  return { ...figures, hydrated };
}

const context = await signedInContext();
const project = await firstProject(context);
const pages = [
  ['page projet', project],
  ['liste des projets', '/projets'],
  ['tableau de bord', '/tableau-de-bord'],
];
console.log('page | cache | octets transférés | décodés | requêtes | TTFB ms | hydratée ms');
for (const [name, path] of pages) {
  // A fresh context: an empty HTTP cache (the session cookie copied over).
  const cold = await browser.newContext({ baseURL: base, locale: 'fr-FR', storageState: await context.storageState() });
  const page = await cold.newPage();
  const cdp = await cold.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  for (const cache of ['froid', 'chaud']) {
    const r = await load(page, path);
    console.log(`${name} | ${cache} | ${r.transferred} | ${r.decoded} | ${r.requests} | ${r.ttfb} | ${r.hydrated ?? 'jamais'}`);
  }
  await cold.close();
}
await browser.close();
