/**
 * The studio in a real browser (Debian's Chromium through playwright-core) against the product
 * started as `npm start` starts it (tests/support/product.ts). Set KOMA_E2E_BASE_URL to point
 * the suite at an already running product instead.
 *
 * Screenshots of every page at the three breakpoints go to test-results/e2e/.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startProduct, type RunningProduct } from '../support/product';

const root = path.resolve(import.meta.dirname, '../..');
const shots = path.join(root, 'test-results', 'e2e');
const FIXTURE = path.resolve(root, '../shared/fixtures/stories/en-lighthouse.txt');
// The shared fixture when it is there; a short story of our own otherwise (a clean clone).
const STORY_EN = existsSync(FIXTURE)
  ? readFileSync(FIXTURE, 'utf8')
  : 'Mara Quill kept the lighthouse.\n\n"The lamp is out," Tobias Quill said.\n\nElias Park rowed out in the storm to help them.';
const PASSWORD = 'correct horse battery staple';
const BREAKPOINTS = [
  { name: 'desktop', width: 1280, height: 860 },
  { name: 'tablet', width: 900, height: 1000 },
  { name: 'mobile', width: 390, height: 844 },
] as const;

let product: RunningProduct | null = null;
let base = '';
let browser: Browser;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  if (process.env.KOMA_E2E_BASE_URL) base = process.env.KOMA_E2E_BASE_URL.replace(/\/$/, '');
  else {
    // Many people and pages from one loopback address: the per-IP limit is tested elsewhere (integration).
    product = await startProduct({ env: { RATE_LIMIT_PER_IP_PER_MIN: '100000', GENERATIONS_PER_USER_PER_MIN: '1000' } });
    base = product.baseUrl;
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

afterAll(async () => {
  await browser?.close();
  await product?.stop();
});

interface Person {
  ctx: BrowserContext;
  page: Page;
  email: string;
  name: string;
}

async function newPerson(name: string, viewport: { width: number; height: number } = { width: 1280, height: 860 }): Promise<Person> {
  const ctx = await browser.newContext({ viewport, locale: 'en-US', acceptDownloads: true });
  const page = await ctx.newPage();
  const email = `${name.toLowerCase()}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.com`;
  await page.goto(`${base}/register`);
  await page.locator('form[data-ready=true]').waitFor({ timeout: 60_000 });
  await page.fill('#name', name);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL('**/projects', { timeout: 60_000 });
  return { ctx, page, email, name };
}

async function createProject(p: Person, title: string, story = STORY_EN): Promise<string> {
  await p.page.goto(`${base}/projects/new`);
  await p.page.locator('form[data-ready=true]').waitFor({ timeout: 60_000 });
  await p.page.fill('#title', title);
  await p.page.fill('#story', story);
  await p.page.click('button[type=submit]');
  await p.page.waitForURL(/\/projects\/[0-9a-f-]{36}/, { timeout: 60_000 });
  const id = /projects\/([0-9a-f-]{36})/.exec(p.page.url())![1];
  await waitConnected(p.page);
  return id;
}

async function addMember(owner: Person, projectId: string, who: Person, role: 'editor' | 'reviewer' | 'viewer'): Promise<void> {
  const page = await owner.ctx.newPage();
  await page.goto(`${base}/projects/${projectId}/settings`);
  await page.fill('#m-email', who.email);
  await page.selectOption('#m-role', role);
  await page.click('form:has(#m-email) button[type=submit]');
  await page.locator('tbody tr', { hasText: who.email }).waitFor({ timeout: 15_000 });
  await page.close();
}

async function openStudio(p: Person, projectId: string, phase: string): Promise<void> {
  await p.page.goto(`${base}/projects/${projectId}#${phase}`);
  await waitConnected(p.page);
}

async function waitConnected(page: Page): Promise<void> {
  await page.locator('[data-testid=connection][data-state=connected]').waitFor({ timeout: 60_000 });
}

async function axe(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
}

/** Where a panel sits on its page, as fractions of the page box (independent of each viewer's camera). */
async function panelPlacement(page: Page): Promise<{ x: number; y: number }> {
  const panel = await page.locator('[data-testid=koma-panel]').first().boundingBox();
  const sheet = await page.locator('[data-testid=koma-page]').first().boundingBox();
  if (!panel || !sheet) throw new Error('no panel or page on the canvas');
  return { x: (panel.x - sheet.x) / sheet.width, y: (panel.y - sheet.y) / sheet.height };
}

async function typeInField(page: Page, field: string, text: string): Promise<void> {
  const input = page.locator(`.studio-main [data-field="${field}"]`).first();
  await input.click();
  await input.pressSequentially(text, { delay: 10 });
}

/** Runs in the page: how many records this browser keeps for the project's work document. */
async function keptUpdates(projectId: string): Promise<number> {
  const dbs = await indexedDB.databases();
  const name = dbs.map((d) => d.name ?? '').find((n) => n.startsWith('koma-work:') && n.endsWith(`:${projectId}`));
  if (!name) return 0;
  return new Promise<number>((resolve) => {
    const open = indexedDB.open(name);
    open.onerror = () => resolve(0);
    open.onsuccess = () => {
      const db = open.result;
      try {
        const count = db.transaction('updates', 'readonly').objectStore('updates').count();
        count.onsuccess = () => {
          resolve(count.result);
          db.close();
        };
        count.onerror = () => resolve(0);
      } catch {
        db.close();
        resolve(0);
      }
    };
  });
}

function fieldValue(page: Page, field: string): Promise<string> {
  return page.locator(`.studio-main [data-field="${field}"]`).first().inputValue();
}

describe('studio pages', () => {
  test('every page renders at the three breakpoints with no serious or critical axe violations', async () => {
    const owner = await newPerson('Ayaka');
    const projectId = await createProject(owner, 'Lighthouse');
    await owner.page.locator('[data-testid=start-by-hand]').click();
    for (const bp of BREAKPOINTS) {
      await owner.page.setViewportSize({ width: bp.width, height: bp.height });
      const pages: Array<[string, string, () => Promise<void>]> = [
        ['dashboard', '/projects', async () => void (await owner.page.locator('.project-card').first().waitFor({ timeout: 60_000 }))],
        ['new-project', '/projects/new', async () => void (await owner.page.locator('#story').waitFor())],
        ['settings', `/projects/${projectId}/settings`, async () => void (await owner.page.locator('tbody tr').first().waitFor())],
        ['studio-concept', `/projects/${projectId}#concept`, () => waitConnected(owner.page)],
        ['studio-name', `/projects/${projectId}#name`, () => waitConnected(owner.page)],
      ];
      for (const [label, url, ready] of pages) {
        await owner.page.goto(`${base}${url}`);
        await ready();
        await owner.page.waitForTimeout(300);
        await owner.page.screenshot({ path: path.join(shots, `${label}-${bp.name}.png`) });
        await axe(owner.page, `${label}@${bp.width}`);
      }
    }
    const anon = await browser.newContext();
    const page = await anon.newPage();
    for (const bp of BREAKPOINTS) {
      await page.setViewportSize({ width: bp.width, height: bp.height });
      for (const [label, url] of [['landing', '/'], ['sign-in', '/login'], ['sign-up', '/register']] as const) {
        await page.goto(`${base}${url}`);
        await page.screenshot({ path: path.join(shots, `${label}-${bp.name}.png`) });
        await axe(page, `${label}@${bp.width}`);
      }
    }
    await anon.close();
    await owner.ctx.close();
    // 18 page visits with axe: on the shared 2-core box under load this alone can pass 5 minutes.
  }, 600_000);

  test('the new-project form shows the API validation error and creates nothing', async () => {
    const p = await newPerson('Ren');
    await p.page.goto(`${base}/projects/new`);
    await p.page.locator('form[data-ready=true]').waitFor({ timeout: 60_000 });
    await p.page.fill('#title', 'Blank');
    await p.page.fill('#story', '   \n  ');
    await p.page.click('button[type=submit]');
    await p.page.locator('.alert').waitFor({ timeout: 15_000 });
    expect(p.page.url()).toContain('/projects/new');
    await p.ctx.close();
  });

  test('on a phone the studio is one column and a horizontal swipe changes phase', async () => {
    const p = await newPerson('Sora', { width: 390, height: 844 });
    const projectId = await createProject(p, 'Swipe');
    await openStudio(p, projectId, 'concept');
    const swipe = (fromX: number, toX: number) =>
      p.page.locator('.studio-main').evaluate((el, [a, b]) => {
        const touch = (x: number) => new Touch({ identifier: 1, target: el, clientX: x, clientY: 400 });
        el.dispatchEvent(new TouchEvent('touchstart', { bubbles: true, touches: [touch(a)], changedTouches: [touch(a)] }));
        el.dispatchEvent(new TouchEvent('touchend', { bubbles: true, touches: [], changedTouches: [touch(b)] }));
      }, [fromX, toX] as const);
    await swipe(320, 60);
    await p.page.locator('[data-testid=rail-characters][aria-current=step]').waitFor({ timeout: 10_000 });
    await swipe(60, 320);
    await p.page.locator('[data-testid=rail-concept][aria-current=step]').waitFor({ timeout: 10_000 });
    const columns = await p.page.locator('.studio').evaluate((el) => getComputedStyle(el).gridTemplateColumns.split(' ').length);
    expect(columns).toBe(1);
    await p.ctx.close();
  });

  test('switching the UI language to Japanese re-labels the studio', async () => {
    const p = await newPerson('Mio');
    await p.page.selectOption('select[aria-label=Language]', 'ja');
    await expect.poll(() => p.page.locator('h1').first().textContent()).toBe('マイプロジェクト');
    await p.ctx.close();
  });
});

describe('working together', () => {
  let editor: Person;
  let reviewer: Person;
  let viewer: Person;
  let projectId: string;

  beforeAll(async () => {
    editor = await newPerson('Hinata');
    reviewer = await newPerson('Kuroda');
    viewer = await newPerson('Sumire');
    projectId = await createProject(editor, 'Together');
    await addMember(editor, projectId, reviewer, 'reviewer');
    await addMember(editor, projectId, viewer, 'viewer');
    await editor.page.locator('[data-testid=start-by-hand]').click();
    await editor.page.locator('.studio-main [data-field=logline]').waitFor();
  });

  afterAll(async () => {
    await Promise.all([editor?.ctx.close(), reviewer?.ctx.close(), viewer?.ctx.close()]);
  });

  test('text typed by the editor appears for the reviewer, who cannot edit the work', async () => {
    await openStudio(reviewer, projectId, 'concept');
    await typeInField(editor.page, 'logline', 'A keeper of a lighthouse');
    const prose = editor.page.locator('.studio-main .ProseMirror').first();
    await prose.click();
    await editor.page.keyboard.type('The lamp went dark at midnight.');
    await expect.poll(() => fieldValue(reviewer.page, 'logline'), { timeout: 15_000 }).toBe('A keeper of a lighthouse');
    await expect.poll(() => reviewer.page.locator('.studio-main .ProseMirror').first().textContent(), { timeout: 15_000 }).toContain('The lamp went dark');
    // Read-only for a reviewer: disabled, not merely failing.
    expect(await reviewer.page.locator('.studio-main [data-field=logline]').isDisabled()).toBe(true);
    expect(await reviewer.page.locator('.studio-main .ProseMirror').first().getAttribute('contenteditable')).toBe('false');
    expect(await reviewer.page.locator('[data-testid=run]').isDisabled()).toBe(true);
    await reviewer.page.screenshot({ path: path.join(shots, 'reviewer-concept.png') });
  });

  test("the reviewer's comment appears for the editor", async () => {
    await reviewer.page.locator('[data-testid=comment-input]').fill('The logline should name Mara.');
    await reviewer.page.locator('[data-testid=comment-post]').click();
    await expect
      .poll(() => editor.page.locator('[data-testid=threads]').textContent(), { timeout: 15_000 })
      .toContain('The logline should name Mara.');
  });

  test('a panel moved on the canvas by the editor moves for the reviewer', async () => {
    await openStudio(editor, projectId, 'name');
    await editor.page.locator('[data-testid=start-by-hand]').click();
    await editor.page.locator('[data-testid=koma-panel]').first().waitFor({ timeout: 30_000 });
    await openStudio(reviewer, projectId, 'name');
    await reviewer.page.locator('[data-testid=koma-panel]').first().waitFor({ timeout: 30_000 });
    const before = await panelPlacement(reviewer.page);
    // Shrink-free move: drag the panel by its middle.
    const box = (await editor.page.locator('[data-testid=koma-panel]').first().boundingBox())!;
    await editor.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await editor.page.mouse.down();
    await editor.page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 + 30, { steps: 8 });
    await editor.page.mouse.up();
    const mine = await panelPlacement(editor.page);
    expect(Math.abs(mine.x - before.x)).toBeGreaterThan(0.02);
    await expect
      .poll(async () => {
        const theirs = await panelPlacement(reviewer.page);
        return Math.abs(theirs.x - mine.x) < 0.01 && Math.abs(theirs.y - mine.y) < 0.01;
      }, { timeout: 15_000 })
      .toBe(true);
    await reviewer.page.screenshot({ path: path.join(shots, 'reviewer-name-after-move.png') });
  });

  test('a viewer sees changes live and every editing control is disabled', async () => {
    await openStudio(viewer, projectId, 'concept');
    await openStudio(editor, projectId, 'concept');
    await typeInField(editor.page, 'theme', 'Light in the dark');
    await expect.poll(() => fieldValue(viewer.page, 'theme'), { timeout: 15_000 }).toBe('Light in the dark');
    const editable = viewer.page.locator('.studio-main input:not([disabled]), .studio-main textarea:not([disabled]), .studio-main select:not([disabled])');
    expect(await editable.count()).toBe(0);
    expect(await viewer.page.locator('.studio-main [contenteditable=true]').count()).toBe(0);
    for (const id of ['run', 'approve']) expect(await viewer.page.locator(`[data-testid=${id}]`).isDisabled()).toBe(true);
    expect(await viewer.page.locator('[data-testid=comment-input]').count()).toBe(0);
    await viewer.page.screenshot({ path: path.join(shots, 'viewer-concept.png') });
  });

  test('branches: fork, pin (delete refused while pinned), unpin, delete — live for the other person', async () => {
    await openStudio(editor, projectId, 'concept');
    await openStudio(reviewer, projectId, 'concept');
    const count = (p: Person) => p.page.locator('[data-branch]').count();
    const before = await count(reviewer);
    await editor.page.locator('[data-branch][data-active=true]').getByRole('button', { name: 'Fork to edit' }).click();
    await expect.poll(() => count(reviewer), { timeout: 15_000 }).toBe(before + 1);
    const fork = editor.page.locator('[data-branch][data-active=false]').first();
    // Author (a person), time: what the list promises for every branch.
    expect(await fork.textContent()).toContain('Hinata');
    expect(await fork.locator('time').count()).toBe(1);
    await fork.getByRole('button', { name: 'Pin', exact: true }).click();
    await fork.getByRole('button', { name: 'Unpin' }).waitFor({ timeout: 15_000 });
    expect(await fork.getByRole('button', { name: 'Delete' }).isDisabled()).toBe(true);
    await fork.getByRole('button', { name: 'Unpin' }).click();
    await fork.getByRole('button', { name: 'Pin', exact: true }).waitFor({ timeout: 15_000 });
    await fork.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => count(reviewer), { timeout: 15_000 }).toBe(before);
    // The reviewer may look but not change branches.
    expect(await reviewer.page.locator('[data-branch]').first().getByRole('button', { name: 'Fork to edit' }).isDisabled()).toBe(true);
  });

  test('review: a comment anchored to a panel, a reply, resolve; the reviewer approves a phase', async () => {
    await openStudio(reviewer, projectId, 'name');
    await openStudio(editor, projectId, 'name');
    await reviewer.page.locator('[data-testid=koma-panel]').first().waitFor({ timeout: 30_000 });
    await reviewer.page.locator('[data-testid=comment-input]').fill('Panel one needs a wider shot.');
    await reviewer.page.getByLabel('Anchor').selectOption('panel');
    const panelPick = reviewer.page.locator('select[aria-label^="Panel"]');
    await panelPick.selectOption({ index: 1 });
    await reviewer.page.locator('[data-testid=comment-post]').click();
    const thread = editor.page.locator('[data-thread]', { hasText: 'Panel one needs a wider shot.' });
    await thread.waitFor({ timeout: 15_000 });
    expect(await thread.locator('.badge').first().textContent()).toMatch(/Panel \d/);
    await thread.getByPlaceholder('Reply').fill('Widened it.');
    await thread.getByRole('button', { name: 'Reply' }).click();
    const theirs = reviewer.page.locator('[data-thread]', { hasText: 'Panel one needs a wider shot.' });
    await expect.poll(() => theirs.textContent(), { timeout: 15_000 }).toContain('Widened it.');
    await theirs.getByRole('button', { name: /Resolve/ }).click();
    await expect.poll(() => thread.getAttribute('data-resolved'), { timeout: 15_000 }).toBe('true');

    await openStudio(reviewer, projectId, 'concept');
    await reviewer.page.locator('[data-testid=approve]').click();
    await expect.poll(() => editor.page.locator('[data-testid=rail-concept]').getAttribute('data-status'), { timeout: 15_000 }).toBe('approved');
  });

  test('human in the loop: skip a phase and go back to it', async () => {
    await openStudio(editor, projectId, 'plot');
    await editor.page.getByRole('button', { name: /Skip phase/ }).click();
    await expect.poll(() => reviewer.page.locator('[data-testid=rail-plot]').getAttribute('data-status'), { timeout: 15_000 }).toBe('skipped');
    await editor.page.getByRole('button', { name: /Go back to this phase/ }).click();
    await expect.poll(() => reviewer.page.locator('[data-testid=rail-plot]').getAttribute('data-status'), { timeout: 15_000 }).not.toBe('skipped');
  });

  test('the name by keyboard: split, merge, reading order and shot notes reach the other person', async () => {
    await openStudio(editor, projectId, 'name');
    await openStudio(reviewer, projectId, 'name');
    const list = (p: Person) => p.page.getByRole('navigation', { name: 'Panels in reading order' }).getByRole('button');
    await list(editor).first().waitFor({ timeout: 30_000 });
    const before = await list(reviewer).count();
    // Keyboard only: focus the first panel in the list, select it, split it.
    await list(editor).first().focus();
    await editor.page.keyboard.press('Enter');
    await editor.page.getByRole('button', { name: 'Split side by side' }).focus();
    await editor.page.keyboard.press('Enter');
    await expect.poll(() => list(reviewer).count(), { timeout: 15_000 }).toBe(before + 1);
    // Select the two halves (Shift adds) and merge them back.
    await list(editor).nth(0).click();
    await list(editor).nth(1).click({ modifiers: ['Shift'] });
    await editor.page.getByRole('button', { name: 'Merge' }).click();
    await expect.poll(() => list(reviewer).count(), { timeout: 15_000 }).toBe(before);
    // Shot notes and reading order on the first panel.
    await list(editor).first().click();
    await editor.page.locator('#panel-notes').fill('Wide shot of the lighthouse at dusk.');
    await expect.poll(() => list(reviewer).first().getAttribute('title'), { timeout: 15_000 }).toBe('Wide shot of the lighthouse at dusk.');
    if (before > 1) {
      await editor.page.getByRole('button', { name: 'Read later' }).click();
      await expect.poll(() => list(reviewer).nth(1).getAttribute('title'), { timeout: 15_000 }).toBe('Wide shot of the lighthouse at dusk.');
    }
    await editor.page.screenshot({ path: path.join(shots, 'name-keyboard.png') });
  });

  test("the dashboard shows who is in each project now", async () => {
    await openStudio(reviewer, projectId, 'concept');
    const dash = await editor.ctx.newPage();
    await dash.goto(`${base}/projects`);
    const card = dash.locator('.project-card', { hasText: 'Together' });
    // The dashboard refreshes itself; no reload here.
    await expect.poll(() => card.locator('[data-testid=online-now]').textContent().catch(() => ''), { timeout: 40_000 }).toContain('Kuroda');
    await dash.screenshot({ path: path.join(shots, 'dashboard-presence.png') });
    // When the reviewer leaves the studio, they leave the dashboard too.
    await reviewer.page.goto(`${base}/projects`);
    await expect.poll(() => card.textContent(), { timeout: 40_000 }).not.toContain('Kuroda');
    await dash.close();
  });

  test('edits made offline survive a reload while still offline and arrive for the other person after reconnecting', async () => {
    await openStudio(reviewer, projectId, 'concept');
    await openStudio(editor, projectId, 'concept');
    // The page itself must open without a network: wait until the service worker has cached it.
    await editor.page.locator('.studio[data-offline-ready=true]').waitFor({ timeout: 60_000 });
    const kept = () => editor.page.evaluate(keptUpdates, projectId);
    const keptBefore = await kept();
    await editor.ctx.setOffline(true);
    await editor.page.locator('[data-testid=connection][data-state=offline]').waitFor({ timeout: 15_000 });
    await typeInField(editor.page, 'genre', 'Maritime mystery');
    // Written to IndexedDB before the tab goes away (no fixed wait: poll the database itself).
    await expect.poll(kept, { timeout: 15_000 }).toBeGreaterThan(keptBefore);
    expect(await editor.page.locator('[data-testid=connection]').textContent()).toMatch(/Offline.*\d+ unsynced change/);
    expect(await fieldValue(reviewer.page, 'genre')).not.toBe('Maritime mystery');

    await editor.page.reload();
    await editor.page.locator('[data-testid=connection][data-state=offline]').waitFor({ timeout: 30_000 });
    expect(await fieldValue(editor.page, 'genre')).toBe('Maritime mystery');
    expect(await editor.page.locator('[data-testid=connection]').textContent()).toMatch(/\d+ unsynced change/);
    await editor.page.screenshot({ path: path.join(shots, 'offline-after-reload.png') });
    expect(await fieldValue(reviewer.page, 'genre')).not.toBe('Maritime mystery');

    await editor.ctx.setOffline(false);
    await expect.poll(() => fieldValue(reviewer.page, 'genre'), { timeout: 30_000 }).toBe('Maritime mystery');
    await editor.page.locator('[data-testid=connection][data-state=connected]').waitFor({ timeout: 30_000 });
    await expect.poll(() => editor.page.locator('[data-testid=connection]').textContent(), { timeout: 15_000 }).not.toContain('unsynced');
  });
});

describe('agents in the loop', () => {
  test('a phase run shows progress and a new branch for both; feedback gives another; compare; adopt; downstream turns stale', async () => {
    const editor = await newPerson('Tobias');
    const projectId = await createProject(editor, 'Runs');
    const other = await newPerson('Elias');
    await addMember(editor, projectId, other, 'editor');
    await openStudio(other, projectId, 'concept');
    // Record on the other person's page what appears while the agent works (no timing involved).
    await other.page.evaluate(() => {
      const seen = { agent: '', progress: false };
      (window as unknown as { __seen: typeof seen }).__seen = seen;
      new MutationObserver(() => {
        const chip = document.querySelector('[data-testid=agent-presence]');
        if (chip && !seen.agent) seen.agent = chip.textContent ?? '';
        if (document.querySelector('[data-testid=rail-concept] [role=progressbar]')) seen.progress = true;
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await editor.page.locator('[data-testid=run]').click();
    await expect.poll(() => other.page.locator('[data-testid=rail-concept]').getAttribute('data-status'), { timeout: 120_000 }).toBe('review');
    const seen = await other.page.evaluate(() => (window as unknown as { __seen: { agent: string; progress: boolean } }).__seen);
    expect(seen.progress).toBe(true);
    expect(seen.agent).toMatch(/agent/i);
    await expect.poll(() => other.page.locator('[data-branch]').count(), { timeout: 30_000 }).toBe(1);
    const firstConcept = await other.page.locator('[data-branch]').first().getAttribute('data-branch');
    // A finished run is a candidate: a person adopts it.
    await editor.page.locator(`[data-branch="${firstConcept}"]`).getByRole('button', { name: 'Adopt' }).click();
    await editor.page.locator(`[data-branch="${firstConcept}"][data-active=true]`).waitFor({ timeout: 30_000 });
    await editor.page.locator('[data-testid=feedback]').fill('Make it darker and set it in winter.');
    await editor.page.locator('[data-testid=run]').click();
    await expect.poll(() => other.page.locator('[data-branch]').count(), { timeout: 120_000 }).toBe(2);
    await expect.poll(() => editor.page.locator('.branch-list').textContent(), { timeout: 30_000 }).toContain('Make it darker');
    // Build characters on the current concept, then adopt the other concept branch.
    await openStudio(editor, projectId, 'characters');
    await editor.page.locator('[data-testid=run]').click();
    await expect.poll(() => editor.page.locator('[data-testid=rail-characters]').getAttribute('data-status'), { timeout: 120_000 }).toBe('review');
    await editor.page.locator('[data-branch]').first().getByRole('button', { name: 'Adopt' }).click();
    await editor.page.locator('[data-branch][data-active=true]').waitFor({ timeout: 30_000 });
    await openStudio(editor, projectId, 'concept');
    const boxes = editor.page.locator('.branch-list input[type=checkbox]');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await editor.page.getByRole('button', { name: 'Compare', exact: true }).click();
    await editor.page.locator('dialog[open] .compare').waitFor();
    await editor.page.screenshot({ path: path.join(shots, 'compare.png') });
    await editor.page.locator('dialog[open]').getByRole('button', { name: 'Close' }).click();
    await editor.page.locator('dialog[open]').waitFor({ state: 'detached' });
    // Adopt the feedback branch: characters was built on the first one.
    const notActive = editor.page.locator('.branch[data-active=false]').first();
    await notActive.getByRole('button', { name: 'Adopt' }).click();
    await editor.page.waitForTimeout(1500);
    await editor.page.screenshot({ path: path.join(shots, 'after-adopt.png') });
    await expect.poll(() => other.page.locator('[data-testid=rail-characters]').getAttribute('data-status'), { timeout: 30_000 }).toBe('stale');
    await openStudio(other, projectId, 'characters');
    expect(await other.page.locator('.notice-stale').textContent()).toContain('Concept');
    // What changed upstream, concretely: the concept now adopted is the one made from this feedback.
    expect(await other.page.locator('[data-testid=stale-reasons]').textContent()).toContain('Make it darker');
    await Promise.all([editor.ctx.close(), other.ctx.close()]);
  });

  test('the full pipeline from a pasted story to a downloaded CBZ and PDF', async () => {
    const editor = await newPerson('Mara');
    const projectId = await createProject(editor, 'Pipeline');
    await editor.page.getByRole('button', { name: /Run remaining phases automatically/ }).click();
    // Until the book is done, or a phase fails (then say which, instead of waiting out the timeout).
    await expect
      .poll(
        async () => {
          const failed = await editor.page.locator('.rail-item[data-status=failed]').count();
          if (failed > 0) return 'failed: ' + (await editor.page.locator('.rail-item[data-status=failed] .rail-name').allTextContents()).join(', ');
          return (await editor.page.locator('[data-testid=rail-final]').getAttribute('data-status')) ?? '';
        },
        { timeout: 280_000, interval: 2000 },
      )
      .toMatch(/^(review|approved|failed)/);
    expect(await editor.page.locator('.rail-item[data-status=failed] .rail-name').allTextContents()).toEqual([]);
    await openStudio(editor, projectId, 'final');
    await editor.page.locator('.viewer-page').waitFor({ timeout: 30_000 });
    // The four exports, the quality report as a table of checks, pages turning in reading order (ltr: → is next).
    expect(await editor.page.locator('[data-export]').evaluateAll((els) => els.map((e) => e.getAttribute('data-export')))).toEqual(['pdf', 'cbz', 'zip', 'webtoon']);
    await editor.page.locator('[data-testid=quality-report] tr[data-metric]').first().waitFor({ timeout: 15_000 });
    expect(await editor.page.locator('[data-testid=quality-report] tr[data-metric]').count()).toBeGreaterThan(5);
    const firstSrc = await editor.page.locator('.viewer-page').getAttribute('src');
    if ((await editor.page.getByRole('button', { name: 'Next page' }).isDisabled()) === false) {
      await editor.page.keyboard.press('ArrowRight');
      await expect.poll(() => editor.page.locator('.viewer-page').getAttribute('src')).not.toBe(firstSrc);
      await editor.page.keyboard.press('ArrowLeft');
      await expect.poll(() => editor.page.locator('.viewer-page').getAttribute('src')).toBe(firstSrc);
    }
    // Preview quality: the seed's five levels plus "auto"; choosing one re-requests the pictures at that size.
    const quality = editor.page.getByLabel('Preview quality');
    expect(await quality.locator('option').count()).toBe(6);
    const levels = await quality.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter((v) => v !== 'auto'));
    await quality.selectOption(levels[0]);
    await expect.poll(() => editor.page.locator('.viewer-page').getAttribute('src')).toContain(`quality=${levels[0]}`);
    await editor.page.screenshot({ path: path.join(shots, 'final-viewer.png') });
    for (const [format, magic] of [['cbz', 'PK'], ['pdf', '%PDF']] as const) {
      const [download] = await Promise.all([editor.page.waitForEvent('download', { timeout: 120_000 }), editor.page.locator(`[data-export=${format}]`).click()]);
      const file = await download.path();
      const bytes = readFileSync(file!);
      expect(bytes.subarray(0, magic.length).toString('latin1')).toBe(magic);
      expect(bytes.length).toBeGreaterThan(1000);
    }
    await editor.ctx.close();
  });
});
