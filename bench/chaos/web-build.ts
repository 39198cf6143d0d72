/**
 * The web app's production build, kept private to the chaos run. Everyone on this machine
 * shares one checkout and one `.next`, and other runs rebuild it at any moment (`npm start`
 * rebuilds a stale build), which would pull the files from under a running `next start`. So the
 * run serves a COPY: a shadow project folder whose entries are symlinks to the checkout, except
 * `.next`, copied (without its cache) from a complete build. When there is no complete build and
 * nobody is building, it builds one first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHADOW = path.join(os.tmpdir(), 'koma-chaos-web');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Is some `next build` running on this machine (anyone's)? Read from /proc, nothing touched. */
async function buildRunning(): Promise<boolean> {
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (/next-build|next\/dist\/bin\/next\0build/.test(cmd)) return true;
  }
  return false;
}

const buildId = (dir: string): string | null => {
  const file = path.join(dir, '.next/BUILD_ID');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
};

/** Copy the checkout's complete build into the shadow folder; false if it changed meanwhile. */
async function snapshot(): Promise<boolean> {
  const id = buildId(ROOT);
  if (!id || (await buildRunning())) return false;
  await rm(SHADOW, { recursive: true, force: true });
  await mkdir(SHADOW, { recursive: true });
  for (const entry of await readdir(ROOT)) {
    if (entry === '.next' || entry === '.git') continue;
    await symlink(path.join(ROOT, entry), path.join(SHADOW, entry));
  }
  await cp(path.join(ROOT, '.next'), path.join(SHADOW, '.next'), {
    recursive: true,
    filter: (src) => !src.startsWith(path.join(ROOT, '.next/cache')) && !src.startsWith(path.join(ROOT, '.next/dev')),
  });
  // A build that started (and began deleting files) while we copied: the copy is not whole.
  if (buildId(ROOT) !== id || (await buildRunning()) || buildId(SHADOW) !== id) return false;
  return true;
}

/** The folder to run `next start` in: a private copy of a complete build. */
export async function privateWebBuild(log: (line: string) => void): Promise<string> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    if (await snapshot()) return SHADOW;
    // Builds come and go all day here: an earlier copy serves as well as waiting for the next.
    if (buildId(SHADOW)) {
      log(`no complete build in .next right now: serving the copy made earlier (${SHADOW})`);
      return SHADOW;
    }
    if (!buildId(ROOT) && !(await buildRunning())) {
      log('no web build in .next: running `next build` (a few minutes on 2 cores)…');
      const built = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'build'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      });
      if (built.status !== 0 && !/Another next build process is already running/.test(`${built.stdout}${built.stderr}`)) {
        throw new Error(`next build failed: the chaos run needs the web app to create projects and start runs\n${built.stderr.slice(-2000)}`);
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error('no complete web build in .next after 15 minutes of waiting for other builds');
    log('someone is building the web app (.next); waiting to copy a complete build…');
    await sleep(10_000);
  }
}
