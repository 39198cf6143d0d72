/**
 * Debian's Chromium for Lighthouse, with the studio's session in place.
 *
 * The studio keeps its session in localStorage (app/_lib/session.ts), not in a cookie, so
 * `extraHeaders` cannot sign Lighthouse in. Instead one headless Chromium with a fresh
 * profile is started through playwright-core (already our browser driver) with a DevTools
 * port open; before each run a playwright page on the product's origin writes (or removes)
 * the session, and Lighthouse then connects to the same browser by that port and loads the
 * page in a new tab of the same profile. Lighthouse's own storage reset clears caches, service
 * workers and Cache Storage but not localStorage (its default `clearStorageTypes`), so every
 * run is a cold load that is still signed in.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
// One set of launch flags and one path for every Chromium Koma starts.
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../lib/engine/export/chromium';
import { freePort, waitForPort } from '../../lib/net';


export interface BenchBrowser {
  /** The DevTools port Lighthouse connects to. */
  port: number;
  version: string;
  /** Put `session` (or no session at all) into the origin's localStorage. */
  setSession(origin: string, session: object | null): Promise<void>;
  /** An ordinary visit, so the server's first-request work is not inside the first measured run. */
  warm(url: string): Promise<void>;
  close(): Promise<void>;
}

const SESSION_KEY = 'koma.session';

export async function launchBenchBrowser(): Promise<BenchBrowser> {
  const port = await freePort();
  const profile = await mkdtemp(path.join(os.tmpdir(), 'koma-bench-web-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      // Lighthouse sets its own viewport and emulation per run; playwright must not impose one.
      viewport: null,
      args: [...CHROMIUM_ARGS, `--remote-debugging-port=${port}`],
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  await waitForPort(port);
  const version = context.browser()?.version() ?? (await fetch(`http://127.0.0.1:${port}/json/version`).then((r) => r.json() as Promise<{ Browser: string }>)).Browser;

  return {
    port,
    version,
    async setSession(origin, session) {
      const page = await context.newPage();
      try {
        // Any same-origin document will do; the API's health route is the cheapest one.
        await page.goto(`${origin}/api/health`);
        await page.evaluate(
          ([key, value]) => {
            if (value === null) window.localStorage.removeItem(key);
            else window.localStorage.setItem(key, value);
          },
          [SESSION_KEY, session === null ? null : JSON.stringify(session)] as const,
        );
      } finally {
        await page.close();
      }
    },
    async warm(url) {
      const page = await context.newPage();
      try {
        await page.goto(url, { waitUntil: 'load' });
      } finally {
        await page.close();
      }
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
