import { test, expect, type Browser, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { ACCOUNTS, DEMO_PASSWORD, login } from './helpers';

// Issue 14, stored XSS: a script-shaped text goes into every field a person
// can type into, then every page showing it is opened, as each role and
// through the shared pages. Nowhere may it run, or become markup; everywhere
// it must read back exactly as typed.

// ---------------------------------------------------------------------------
// The payloads
// ---------------------------------------------------------------------------

/** Closes every raw-text element user text is written into. */
const CLOSERS = '</title></textarea></script></style>';
/** Leaves a quoted attribute and its tag. */
const OPEN = `"'>`;
/** Must come back as these characters, not as what they would mean in HTML. */
const TAIL = `"'&amp;&lt; é`;

const fullHook = (tag: string) => `window.__xss=(window.__xss||[]).concat('${tag}')`;
const shortHook = (tag: string) => `(window.__xss||=[]).push('${tag}')`;

/**
 * A text that runs `window.__xss` code wherever it is written unescaped, in
 * text, in a quoted attribute, in `<title>`, `<textarea>`, `<script>` or
 * `<style>`: the tag, then `"'>`, the closers, a `<script>`, an
 * `<img onerror>` and an `<svg onload>`, then `"'&amp;&lt; é`. What does not
 * fit `max` characters goes first (the `<svg>`, then the `<script>`, then
 * the last closers), keeping one running element; the tag makes each field's
 * text unique (tags are letters only: safe inside the JavaScript string).
 */
function hostile(tag: string, max: number): string {
  const script = (h: string) => `<script>${h}</script>`;
  const img = (h: string) => `<img src=x onerror="${h}">`;
  const svg = (h: string) => `<svg onload="${h}">`;
  const shapes = [
    (h: string) => `${tag} ${OPEN}${CLOSERS}${script(h)}${img(h)}${svg(h)}${TAIL}`,
    (h: string) => `${tag} ${OPEN}${CLOSERS}${script(h)}${img(h)}${TAIL}`,
    (h: string) => `${tag} ${OPEN}${CLOSERS}${img(h)}${TAIL}`,
    (h: string) => `${tag} ${OPEN}</title></textarea>${img(h)}${TAIL}`,
  ];
  for (const shape of shapes) {
    for (const hook of [fullHook, shortHook]) {
      const text = shape(hook(tag));
      if (text.length <= max) return text;
    }
  }
  // A project reference (40): one running element, and the entity.
  const tiny = `${OPEN}</title><svg onload="__xss=1">&amp;é`;
  if (tiny.length <= max) return tiny;
  throw new Error(`no hostile text fits ${max} characters (${tag})`);
}

// The limits are the app's (`app/src/domain/input.rs`, the forms'
// `validate()`), the lowest where they differ; phone numbers and web
// addresses are skipped: they are checked formats, refused before storage.
const P = {
  // Project (`/api/projects/create`), then its stage, health and derogation.
  title: hostile('xTitle', 200),
  reference: hostile('xRef', 40),
  summary: hostile('xSummary', 1_000),
  description: hostile('xDesc', 10_000),
  owner: hostile('xOwner', 200),
  stageReason: hostile('xStage', 2_000),
  healthReason: hostile('xHealth', 2_000),
  derogation: hostile('xDerog', 2_000),
  // Milestone and journal.
  milestoneTitle: hostile('xMsTitle', 200),
  milestoneNote: hostile('xMsNote', 2_000),
  note: hostile('xNote', 5_000),
  // Funding line (its basis is `ht` or `ttc`, not text).
  lineProgramme: hostile('xLineProg', 200),
  lineNotes: hostile('xLineNotes', 2_000),
  // Directory.
  orgName: hostile('xOrgName', 200),
  orgAddress: hostile('xOrgAddr', 500),
  orgNotes: hostile('xOrgNotes', 5_000),
  firstName: hostile('xFirst', 100),
  lastName: hostile('xLast', 100),
  jobTitle: hostile('xJob', 200),
  personNotes: hostile('xPNotes', 5_000),
  membershipJob: hostile('xMemberJob', 200),
  partnerNote: hostile('xPartnerNote', 1_000),
  // Sharing.
  shareLabel: hostile('xShare', 120),
  // Admin: reference lists, funder catalogue, accounts.
  programme: hostile('xProgramme', 120),
  theme: hostile('xTheme', 120),
  funder: hostile('xFunder', 120),
  officerName: hostile('xOfficer', 120),
  partnerName: hostile('xPartner', 120),
  // Typed into the real forms, not sent by HTTP.
  uiTitle: hostile('xUiTitle', 200),
  uiDescription: hostile('xUiDesc', 10_000),
  uiMilestone: hostile('xUiMs', 200),
};

/** Every text a page may show: the payloads, and what pages build from them. */
const shown = { ...P, personName: `${P.firstName} ${P.lastName}` };
type Shown = keyof typeof shown;

// Codes and addresses unique to this run (a retried worker stores again).
const run = Date.now().toString(36);
const codes = { programme: `xss_p_${run}`, theme: `xss_t_${run}`, funder: `xss_f_${run}` };
const emails = {
  officer: `xss.officer.${run}@cc-demo-maillage.fr`,
  partner: `xss.partner.${run}@asso-e2e.fr`,
};

/** A day from today, as the date inputs and the server read it. */
function day(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}

// ---------------------------------------------------------------------------
// Server functions over HTTP
// ---------------------------------------------------------------------------

function originOf(testInfo: TestInfo): string {
  return testInfo.project.use.baseURL ?? 'http://127.0.0.1:3100';
}

type Fields = Record<string, string | number>;

/** URL-encoded as the Leptos client sends it: the request codec reads the
 * brackets of `form[title]` literally, so keys are left as they are. */
function encode(fields: Fields): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`)
    .join('&');
}

/** Calls a server function with the context's cookies, as the site itself
 * would (same `Origin`, for the origin guard); anything but 200 fails. */
async function call<T = unknown>(context: BrowserContext, base: string, endpoint: string, fields: Fields = {}): Promise<T> {
  const response = await context.request.post(`${base}/api/${endpoint}`, {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base },
    data: encode(fields),
  });
  const body = await response.text();
  expect(response.status(), `${endpoint} answered ${body}`).toBe(200);
  return (body ? JSON.parse(body) : undefined) as T;
}

async function signIn(context: BrowserContext, base: string, email: string) {
  await call(context, base, 'auth/login', { email, password: DEMO_PASSWORD, next: '' });
}

// ---------------------------------------------------------------------------
// Looking at pages
// ---------------------------------------------------------------------------

/** A signed-in (or anonymous) browser, with everything suspicious it logged. */
interface Visitor {
  who: string;
  context: BrowserContext;
  page: Page;
  problems: string[];
}

/** Runs before any page script: records what the Content-Security-Policy blocked. */
function recordViolations() {
  const w = window as unknown as { __cspViolations: string[] };
  w.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    w.__cspViolations.push(`CSP ${e.violatedDirective} refused ${e.blockedURI || 'inline code'}: ${e.sample}`);
  });
}

async function open(browser: Browser, base: string, who: string, email?: string): Promise<Visitor> {
  const context = await browser.newContext({ baseURL: base });
  await context.addInitScript(recordViolations);
  if (email) await signIn(context, base, email);
  const page = await context.newPage();
  const problems: string[] = [];
  // A dialog, a console error (a refused script, the 404 of `<img src=x>`)
  // or an uncaught exception means typed text turned into code.
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return { who, context, page, problems };
}

/** What a page holds, read from the live DOM or from the HTML as served. */
interface Snapshot {
  title: string;
  /** Text of the body, outside script, style, noscript, template and textarea. */
  text: string;
  /** Values of every input and textarea (hidden ones included). */
  values: string[];
  byTestId: Record<string, string | null>;
  /** Elements and scripts that can only come from typed text. */
  injected: string[];
  xss: unknown;
  violations: string[];
}

/** Runs in the page: `html` null reads the live document, else parses the
 * served HTML (a parsed document runs nothing). Self-contained. */
function snapshot(arg: { html: string | null; testids: string[] }): Snapshot {
  const doc = arg.html === null ? document : new DOMParser().parseFromString(arg.html, 'text/html');
  const skipped = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA', 'TITLE']);
  let text = '';
  const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let inside = false;
    for (let el = node.parentElement; el; el = el.parentElement) {
      if (skipped.has(el.tagName)) {
        inside = true;
        break;
      }
    }
    if (!inside) text += node.nodeValue ?? '';
  }
  const values = Array.from(doc.querySelectorAll('input, textarea'), (e) => (e as HTMLInputElement).value);
  const byTestId: Record<string, string | null> = {};
  for (const id of arg.testids) {
    byTestId[id] = doc.querySelector(`[data-testid="${id}"]`)?.textContent ?? null;
  }
  const injected: string[] = [];
  // The app has no inline handler (its policy would refuse them): any is typed text.
  doc.querySelectorAll('[onerror], [onload]').forEach((e) => {
    const code = e.getAttribute('onerror') ?? e.getAttribute('onload') ?? '';
    injected.push(`<${e.tagName.toLowerCase()}> running ${code.slice(0, 60)}`);
  });
  doc.querySelectorAll('script').forEach((s) => {
    const code = (s.textContent ?? '').trim();
    if (code.startsWith('window.__xss') || code.startsWith('(window.__xss')) {
      injected.push(`<script>${code.slice(0, 60)}</script>`);
    }
  });
  const w = window as unknown as { __xss?: unknown; __cspViolations?: string[] };
  return {
    title: doc.title,
    text,
    values,
    byTestId,
    injected,
    xss: arg.html === null ? w.__xss : undefined,
    violations: arg.html === null ? (w.__cspViolations ?? []) : [],
  };
}

/** What one page must show. */
interface Look {
  /** Leptos pages hydrate; the shared pages have no script at all. */
  hydrate?: boolean;
  /** Payloads the page's text contains, as typed. */
  text?: Shown[];
  /** Payloads that are the value of one of its inputs or textareas, as typed. */
  values?: Shown[];
  /** `data-testid` → the payload that is exactly its text. */
  same?: Record<string, Shown>;
  /** The page title starts with this. */
  title?: string;
}

/** Where `expected` went in `text`, for the failure message. */
function near(text: string, expected: string): string {
  const start = expected.slice(0, 12);
  const at = text.indexOf(start);
  return at < 0 ? ' (absent)' : ` (shown: «${text.slice(at, at + expected.length + 10)}»)`;
}

function check(where: string, snap: Snapshot, look: Look) {
  expect.soft(snap.injected, `${where}: no element or script made of typed text`).toEqual([]);
  for (const key of look.text ?? []) {
    const ok = snap.text.includes(shown[key]);
    expect.soft(ok, `${where}: ${key} reads back as typed${ok ? '' : near(snap.text, shown[key])}`).toBe(true);
  }
  for (const key of look.values ?? []) {
    expect.soft(snap.values.includes(shown[key]), `${where}: some field holds ${key} as typed`).toBe(true);
  }
  for (const [testid, key] of Object.entries(look.same ?? {})) {
    expect.soft(snap.byTestId[testid], `${where}: [data-testid=${testid}] is ${key}`).toBe(shown[key]);
  }
  if (look.title !== undefined) {
    const ok = snap.title.startsWith(look.title);
    expect.soft(ok, `${where}: the page title «${snap.title}» starts with «${look.title}»`).toBe(true);
  }
}

/** Checks the page as it is now: in the browser (after hydration), then
 * as the server wrote it (a textarea or title the browser fixes up after
 * hydration still counts), then that nothing ran or was refused. */
async function inspect(v: Visitor, where: string, look: Look) {
  const { page } = v;
  const hydrate = look.hydrate !== false;
  if (hydrate) {
    await expect.soft(page.locator('main#contenu'), `${where}: the page hydrates`).toHaveAttribute('data-hydrated', 'true');
  }
  const testids = Object.keys(look.same ?? {});
  const live = await page.evaluate(snapshot, { html: null, testids });
  check(`${where}, in the browser`, live, look);
  expect.soft(live.xss, `${where}: no typed text ran as a script`).toBeUndefined();
  if (hydrate) {
    const html = await (await page.request.get(page.url())).text();
    const served = await page.evaluate(snapshot, { html, testids });
    check(`${where}, as served`, served, look);
  }
  const problems = [...v.problems.splice(0), ...live.violations];
  expect.soft(problems, `${where}: no dialog, console error or refused script`).toEqual([]);
}

/** The project page, then each record's edit form its « Modifier » links open. */
async function visitProject(v: Visitor, project: number | string) {
  await visit(v, `/projets/${project}`, pages.project);
  const forms: [string, Look][] = [['jalon-', pages.milestoneEdit], ['ligne-', pages.lineEdit], ['partage-', pages.shareEdit]];
  for (const [key, look] of forms) {
    const href = await v.page.locator(`a.edit-link[href*="modifier=${key}"]`).first().getAttribute('href');
    expect.soft(href, `${v.who}: a « Modifier » link for ${key}`).toBeTruthy();
    if (href) await visit(v, new URL(href, v.page.url()).pathname + new URL(href, v.page.url()).search, look);
  }
}

async function visit(v: Visitor, path: string, look: Look) {
  const where = `${v.who} ${path.length > 60 ? `${path.slice(0, 60)}…` : path}`;
  await test.step(where, async () => {
    const response = await v.page.goto(path);
    expect.soft(response?.status(), `${where}: HTTP status`).toBe(200);
    await inspect(v, where, look);
  });
}

// ---------------------------------------------------------------------------
// The pages and what each must show
// ---------------------------------------------------------------------------

const pages = {
  project: {
    text: ['title', 'reference', 'summary', 'description', 'owner', 'theme', 'programme', 'milestoneTitle',
      'milestoneNote', 'note', 'lineProgramme', 'lineNotes', 'funder', 'derogation', 'stageReason', 'healthReason',
      'orgName', 'personName', 'partnerNote', 'shareLabel', 'partnerName'],
    // The derogation's textarea; the records' edit forms open on demand (below).
    values: ['derogation'],
    same: { 'project-title': 'title' },
    title: `${P.title} · Maillage`,
  },
  // A record's edit form, opened by its « Modifier » link (`?modifier=…`).
  milestoneEdit: { text: ['milestoneTitle'], values: ['milestoneTitle', 'milestoneNote'] },
  lineEdit: { text: ['funder'], values: ['lineProgramme', 'lineNotes'] },
  shareEdit: { text: ['shareLabel'], values: ['shareLabel'] },
  projectEdit: {
    values: ['title', 'reference', 'summary', 'description', 'owner'],
    text: ['theme', 'programme', 'officerName'],
  },
  // Also reflects the search into its search box.
  projectList: { text: ['title', 'reference', 'theme', 'programme', 'officerName'], values: ['title'] },
  newProject: { text: ['theme', 'programme', 'officerName'] },
  officerHome: { text: ['title', 'milestoneTitle', 'funder'] },
  dashboard: { text: ['programme', 'theme', 'officerName'] },
  organisationSearch: { text: ['orgName'], values: ['orgName'] },
  personSearch: { text: ['personName', 'jobTitle', 'orgName'], values: ['lastName'] },
  organisation: {
    text: ['orgName', 'orgAddress', 'orgNotes', 'funder', 'title', 'partnerNote', 'personName', 'membershipJob'],
    values: ['orgName', 'orgAddress', 'orgNotes'],
    same: { 'organisation-name': 'orgName' },
    title: `${P.orgName} · Maillage`,
  },
  newOrganisation: { text: ['funder'] },
  person: {
    text: ['personName', 'jobTitle', 'personNotes', 'orgName', 'membershipJob', 'title', 'partnerNote'],
    values: ['firstName', 'lastName', 'jobTitle', 'personNotes', 'membershipJob'],
    same: { 'person-name': 'personName' },
    title: `${shown.personName} · Maillage`,
  },
  team: { text: ['officerName', 'partnerName', 'orgName'] },
  programmes: { values: ['programme'] },
  themes: { values: ['theme'] },
  funders: { values: ['funder'] },
  // A partner's pages carry no script at all.
  partnerHome: { hydrate: false, text: ['partnerName', 'title'], same: { 'user-name': 'partnerName' } },
  ownHome: { text: ['officerName'], same: { 'user-name': 'officerName' } },
  // Partner account and link holder: the summary and the shared sections.
  shared: {
    hydrate: false,
    text: ['title', 'summary', 'owner', 'milestoneTitle', 'note', 'funder', 'orgName'],
    same: { 'shared-title': 'title' },
    title: `${P.title} · `,
  },
} satisfies Record<string, Look>;

const q = (text: string) => encodeURIComponent(text);

// ---------------------------------------------------------------------------
// The form path
// ---------------------------------------------------------------------------

test('texts typed into the real forms are kept and shown as typed', async ({ browser }, testInfo) => {
  test.setTimeout(90_000);
  const officer = await open(browser, originOf(testInfo), 'officer (forms)');
  const { page } = officer;
  await login(page, ACCOUNTS.officer.email);
  await expect(page.getByTestId('home-title')).toHaveText(ACCOUNTS.officer.home);

  // The new-project form: title and description typed, a real commune picked.
  await visit(officer, '/projets/nouveau', {});
  await page.locator('#title').fill(P.uiTitle);
  await page.locator('#description').fill(P.uiDescription);
  await page.locator('#commune-search').fill('saint flour');
  await page.getByRole('button', { name: 'Saint-Flour (15187, 15)' }).click();
  await page.getByRole('button', { name: 'Créer le projet' }).click();
  await expect(page).toHaveURL(/\/projets\/\d+$/);
  const path = new URL(page.url()).pathname;
  await inspect(officer, `officer ${path} just created`, {
    text: ['uiTitle', 'uiDescription'],
    same: { 'project-title': 'uiTitle' },
    title: `${P.uiTitle} · Maillage`,
  });

  // A milestone typed on the project page: rendered by the browser, then by the server.
  await page.getByRole('link', { name: 'Ajouter un jalon' }).click();
  await page.locator('#milestone-title').fill(P.uiMilestone);
  await page.locator('#milestone-due').fill(day(15));
  await page.locator('#nouveau-jalon form').getByRole('button', { name: 'Ajouter un jalon' }).click();
  await expect(page.getByTestId('milestone')).toHaveCount(1);
  await inspect(officer, `officer ${path} after adding a milestone`, { text: ['uiMilestone'] });
  await visit(officer, path, {
    text: ['uiTitle', 'uiDescription', 'uiMilestone'],
    same: { 'project-title': 'uiTitle' },
    title: `${P.uiTitle} · Maillage`,
  });
  // Its edit form, opened on demand, holds it as typed.
  const edit = await page.locator('a.edit-link[href*="modifier=jalon-"]').first().getAttribute('href');
  await visit(officer, `${path}${new URL(edit!, page.url()).search}`, { text: ['uiMilestone'], values: ['uiMilestone'] });
  await visit(officer, `${path}/modifier`, { values: ['uiTitle', 'uiDescription'] });
  await officer.context.close();
});

// ---------------------------------------------------------------------------
// Every other field, stored over HTTP, then every page showing it
// ---------------------------------------------------------------------------

test.describe('hostile text in every field', () => {
  test.describe.configure({ timeout: 120_000 });

  let stored: { project: number; organisation: number; person: number; token: string };

  test.beforeAll(async ({ browser }, testInfo) => {
    test.setTimeout(90_000);
    const base = originOf(testInfo);
    const adminContext = await browser.newContext({ baseURL: base });
    const officerContext = await browser.newContext({ baseURL: base });
    await signIn(adminContext, base, ACCOUNTS.admin.email);
    await signIn(officerContext, base, ACCOUNTS.officer.email);
    const admin = <T = unknown>(endpoint: string, fields: Fields = {}) => call<T>(adminContext, base, endpoint, fields);
    const officer = <T = unknown>(endpoint: string, fields: Fields = {}) => call<T>(officerContext, base, endpoint, fields);

    // Admin: a programme, a theme, a funder and an officer account.
    await admin('reference/save', { list: 'programmes', 'form[code]': codes.programme, 'form[label]': P.programme, 'form[active]': 'on' });
    await admin('reference/save', { list: 'themes', 'form[code]': codes.theme, 'form[label]': P.theme, 'form[active]': 'on' });
    await admin('funders/save', { 'form[code]': codes.funder, 'form[name]': P.funder, 'form[category]': 'public', 'form[active]': 'on' });
    const funder = (await admin<{ id: number; code: string }[]>('funders/list')).find((f) => f.code === codes.funder);
    expect(funder, 'the new funder is in the catalogue').toBeDefined();
    const funderId = funder!.id;
    await admin('users/create', {
      'form[display_name]': P.officerName,
      'form[email]': emails.officer,
      'form[role]': 'officer',
      'form[password]': DEMO_PASSWORD,
    });

    // Officer: an organisation standing for the funder, a person, their membership.
    const organisation = await officer<number>('directory/organisations/create', {
      'form[name]': P.orgName,
      'form[kind]': 'association',
      'form[address]': P.orgAddress,
      'form[notes]': P.orgNotes,
      'form[funder_id]': funderId,
      'form[confirm_duplicate]': 'on',
    });
    const person = await officer<number>('directory/people/create', {
      'form[first_name]': P.firstName,
      'form[last_name]': P.lastName,
      'form[job_title]': P.jobTitle,
      'form[notes]': P.personNotes,
    });
    await officer('directory/memberships/add', {
      person_id: person,
      'form[organisation_id]': organisation,
      'form[job_title]': P.membershipJob,
    });

    // A project on Saint-Flour with the theme and programme, led by the officer.
    const project = await officer<number>('projects/create', {
      'form[title]': P.title,
      'form[reference]': P.reference,
      'form[summary]': P.summary,
      'form[description]': P.description,
      'form[owner_name]': P.owner,
      'form[owner_kind]': 'commune',
      'form[communes][0]': '15187',
      'form[themes][0]': codes.theme,
      'form[programmes][0]': codes.programme,
      'form[estimated_cost]': '100000',
    });
    // Due within 30 days and shareable: on the officer's home and the shared pages.
    await officer('milestones/add', {
      project_id: project,
      'form[kind]': 'decision',
      'form[title]': P.milestoneTitle,
      'form[due_date]': day(10),
      'form[note]': P.milestoneNote,
      'form[shareable]': 'on',
    });
    await officer('notes/add', { project_id: project, 'form[body]': P.note, 'form[shareable]': 'on' });
    // The whole cost from one public funder: the 20 % rule is breached, the
    // derogation shows; the filing deadline is on the officer's home.
    await officer('funding/lines/add', {
      project_id: project,
      'form[funder_id]': funderId,
      'form[programme]': P.lineProgramme,
      'form[amount_requested]': '100000',
      'form[application_deadline]': day(20),
      'form[notes]': P.lineNotes,
    });
    const version = async () => (await officer<{ version: number }>('projects/get', { id: project })).version;
    await officer('projects/stage', { id: project, version: await version(), stage: 'study', reason: P.stageReason });
    await officer('projects/health', { id: project, version: await version(), 'form[status]': 'blocked', 'form[reason]': P.healthReason });
    await officer('funding/derogation', {
      project_id: project,
      version: await version(),
      'form[kind]': 'listed_monument',
      'form[reason]': P.derogation,
    });
    await officer('partners/add', {
      project_id: project,
      'form[role]': 'technical_partner',
      'form[organisation_id]': organisation,
      'form[person_id]': person,
      'form[note]': P.partnerNote,
    });

    // A partner account of that organisation; the project shared with it and by link.
    const partner = await admin<{ id: number }>('users/create', {
      'form[display_name]': P.partnerName,
      'form[email]': emails.partner,
      'form[role]': 'partner',
      'form[password]': DEMO_PASSWORD,
      'form[organisation_id]': organisation,
    });
    const sections = { 'form[milestones]': 'on', 'form[notes]': 'on', 'form[funding]': 'on', 'form[partners]': 'on' };
    await officer('shares/create', { project_id: project, 'form[target]': 'account', 'form[user_id]': partner.id, ...sections });
    const link = await officer<{ token: string | null }>('shares/create', {
      project_id: project,
      'form[target]': 'link',
      'form[label]': P.shareLabel,
      ...sections,
    });
    expect(link.token, 'a link share comes with its token').toBeTruthy();
    stored = { project, organisation, person, token: link.token! };
    await adminContext.close();
    await officerContext.close();
  });

  test('an officer sees every text as typed, and nothing runs', async ({ browser }, testInfo) => {
    const base = originOf(testInfo);
    const { project, organisation, person } = stored;
    const officer = await open(browser, base, 'officer', ACCOUNTS.officer.email);
    await visit(officer, '/', pages.officerHome);
    await visitProject(officer, project);
    await visit(officer, `/projets/${project}/modifier`, pages.projectEdit);
    await visit(officer, `/projets?q=${q(P.title)}`, pages.projectList);
    await visit(officer, '/projets/nouveau', pages.newProject);
    await visit(officer, '/tableau-de-bord', pages.dashboard);
    await visit(officer, `/annuaire?q=${q(P.orgName)}`, pages.organisationSearch);
    await visit(officer, `/annuaire?q=${q(P.lastName)}`, pages.personSearch);
    await visit(officer, `/annuaire/organisations/${organisation}`, pages.organisation);
    await visit(officer, '/annuaire/organisations/nouvelle', pages.newOrganisation);
    await visit(officer, `/annuaire/personnes/${person}`, pages.person);
    await officer.context.close();

    // The officer whose own name is hostile: in the header of every page.
    const named = await open(browser, base, 'hostile-named officer', emails.officer);
    await visit(named, '/', pages.ownHome);
    await named.context.close();
  });

  test('a head of department sees them as typed, and nothing runs', async ({ browser }, testInfo) => {
    const { project, organisation, person } = stored;
    const head = await open(browser, originOf(testInfo), 'head', ACCOUNTS.head.email);
    // The head's home is the dashboard.
    await visit(head, '/', pages.dashboard);
    await visitProject(head, project);
    await visit(head, `/projets?q=${q(P.title)}`, pages.projectList);
    await visit(head, `/annuaire/organisations/${organisation}`, pages.organisation);
    await visit(head, `/annuaire/personnes/${person}`, pages.person);
    await head.context.close();
  });

  test('an admin sees them as typed on the admin screens, and nothing runs', async ({ browser }, testInfo) => {
    const admin = await open(browser, originOf(testInfo), 'admin', ACCOUNTS.admin.email);
    await visit(admin, '/', {});
    await visit(admin, '/admin/programmes', pages.programmes);
    await visit(admin, '/admin/thematiques', pages.themes);
    await visit(admin, '/admin/financeurs', pages.funders);
    await visit(admin, '/equipe', pages.team);
    await visitProject(admin, stored.project);
    await admin.context.close();
  });

  test('a partner account and a link holder see them as typed, and nothing runs', async ({ browser }, testInfo) => {
    const base = originOf(testInfo);
    const { project, token } = stored;
    const partner = await open(browser, base, 'partner', emails.partner);
    await visit(partner, '/', pages.partnerHome);
    await visit(partner, `/espace-partenaire/projets/${project}`, pages.shared);
    await partner.context.close();

    // Anyone holding the link, with no account and no cookie.
    const visitor = await open(browser, base, 'link holder');
    await visit(visitor, `/partage/${token}`, pages.shared);
    await visitor.context.close();
  });
});
