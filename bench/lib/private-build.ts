/**
 * A production build of the current code that nobody else can rebuild under the benchmark.
 *
 * The checkout is shared: any other `npm start` or e2e run rebuilds `.next` when the sources
 * changed, and a product serving from `.next` then answers 404 for the chunks Lighthouse asks
 * for — figures from a broken page. So the benchmark builds `.next` (as `npm start` would), copies
 * it to test-results/bench-web/next, and serves that copy (next.config.ts reads the directory
 * from KOMA_NEXT_DIST_DIR; scripts/start.ts serves such a copy without rebuilding it).
 * Used by `npm run bench:web` and `npm run chaos`, each with its own copy.
 */
import { spawn } from 'node:child_process';
import { cp, lstat, mkdir, readdir, readFile, readlink, rm, symlink } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
/** Where a bench's copy lives, relative to the project root (as Next.js wants `distDir`). */
export const privateDistDir = (name: string): string => `test-results/${name}/next`;

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.KOMA_NEXT_DIST_DIR; // the build itself goes to `.next`, as `npm start` makes it
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

/**
 * Turbopack links server-external packages from `<distDir>/node_modules` with relative links
 * (`../../node_modules/x`); the copy sits deeper, so each link is re-made absolute.
 */
async function relinkExternals(source: string, target: string): Promise<void> {
  const entries = await readdir(target, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const copied = path.join(target, entry.name);
    const original = path.join(source, entry.name);
    if ((await lstat(copied)).isSymbolicLink()) {
      const resolved = path.resolve(source, await readlink(original));
      await rm(copied);
      await symlink(resolved, copied);
    } else if (entry.isDirectory()) {
      await relinkExternals(original, copied);
    }
  }
}

/** Build the current code and copy it aside; returns the dist dir to pass as KOMA_NEXT_DIST_DIR. */
export async function preparePrivateBuild(name: string): Promise<{ distDir: string; buildId: string }> {
  const distDir = privateDistDir(name);
  const shared = path.join(root, '.next');
  const copy = path.join(root, distDir);
  for (let attempt = 1; ; attempt++) {
    try {
      await run(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build']);
    } catch (error) {
      // Next.js refuses a second concurrent build of `.next`, and a colleague's half-made edit can
      // fail the type check for a moment: wait and build again.
      if (attempt === 5) throw error;
      await new Promise((r) => setTimeout(r, 30_000));
      continue;
    }
    const buildId = (await readFile(path.join(shared, 'BUILD_ID'), 'utf8')).trim();
    await rm(copy, { recursive: true, force: true });
    await mkdir(path.dirname(copy), { recursive: true });
    // The build cache and the generated types are not needed to serve (and types would be typechecked).
    await cp(shared, copy, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => !['cache', 'types', 'dev', 'lock'].includes(path.relative(shared, src).split(path.sep)[0]),
    });
    await relinkExternals(path.join(shared, 'node_modules'), path.join(copy, 'node_modules'));
    // Someone else's build may have started while we copied: then the copy is a mix; build again.
    const after = (await readFile(path.join(shared, 'BUILD_ID'), 'utf8').catch(() => '')).trim();
    if (after === buildId) return { distDir, buildId };
    if (attempt === 5) throw new Error('.next kept being rebuilt by another run while it was copied; try again on a quieter machine');
  }
}
