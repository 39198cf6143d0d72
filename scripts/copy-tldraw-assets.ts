/**
 * Copies the static files the studio serves itself into public/ so nothing loads from a CDN:
 * tldraw's icons, fonts, embed icons and translations (STACK.md gotcha 6) and the Noto Sans JP
 * UI font. The copies are build products (about 5 MB of tldraw assets, 10 MB of font), so
 * they are git-ignored and recreated by `npm start` / build through this script.
 *
 * Usage: tsx scripts/copy-tldraw-assets.ts   (idempotent; skips files already up to date)
 */
import { cpSync, existsSync, mkdirSync, statSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

function copyTldraw(): void {
  const src = packageDir('@tldraw/assets');
  const dest = join(root, 'public', 'tldraw');
  for (const folder of ['embed-icons', 'fonts', 'icons', 'translations']) {
    // `force: false` keeps already-copied files: the assets are versioned with the package.
    cpSync(join(src, folder), join(dest, folder), { recursive: true, force: false, errorOnExist: false });
  }
}

function copyFonts(): void {
  const src = packageDir('@expo-google-fonts/noto-sans-jp');
  const dest = join(root, 'public', 'fonts');
  mkdirSync(dest, { recursive: true });
  const files: Array<[string, string]> = [
    ['400Regular/NotoSansJP_400Regular.ttf', 'NotoSansJP-Regular.ttf'],
    ['700Bold/NotoSansJP_700Bold.ttf', 'NotoSansJP-Bold.ttf'],
  ];
  for (const [from, to] of files) {
    const target = join(dest, to);
    const source = join(src, from);
    if (existsSync(target) && statSync(target).size === statSync(source).size) continue;
    copyFileSync(source, target);
  }
}

copyTldraw();
copyFonts();
console.log('copy-tldraw-assets: public/tldraw and public/fonts are ready');
