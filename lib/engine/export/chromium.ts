/** Debian's Chromium through playwright-core (never `playwright install`: it downloads). */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.KOMA_CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  } catch (err) {
    // Say what to do: the vector PDF needs Chromium, the raster PDF does not.
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new Error(`Chromium could not start from ${CHROMIUM_PATH} (set KOMA_CHROMIUM_PATH; for a PDF without a browser call exportPdf(book, rasters)): ${why}`);
  }
}

/** Run `fn` with a browser: the caller's if given (kept open), else a fresh one (closed after). */
export async function withBrowser<T>(browser: Browser | undefined, fn: (b: Browser) => Promise<T>): Promise<T> {
  if (browser) return fn(browser);
  const own = await launchChromium();
  try {
    return await fn(own);
  } finally {
    await own.close();
  }
}
