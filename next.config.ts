import type { NextConfig } from 'next';

// Telemetry would try to reach the network on every build and start; these machines are offline.
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

/**
 * Next.js for the studio and the HTTP API.
 * - Native and server-only packages stay external: bundling them breaks .node binaries,
 *   wasm (PGlite) and dynamic requires (bullmq, ioredis, pino).
 * - `KOMA_STANDALONE=1 next build` emits `.next/standalone` for slim images; the default
 *   build serves with `next start`, which is what `npm run start:web` runs.
 */
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  output: process.env.KOMA_STANDALONE === '1' ? 'standalone' : undefined,
  // `npm run bench:web` serves a private copy of the build (test-results/bench-web/next):
  // everyone shares one checkout, and a rebuild of `.next` by another run mid-measurement
  // would swap the chunks under Lighthouse's feet.
  distDir: process.env.KOMA_NEXT_DIST_DIR || '.next',
  experimental: {
    // The app's stylesheet (~14 kB) goes into the HTML: no render-blocking round trip before the
    // first paint, which on a slow phone link is most of First Contentful Paint. Chunks loaded
    // later (tldraw's CSS with the name canvas) still come as files.
    inlineCss: true,
  },
  serverExternalPackages: [
    '@node-rs/argon2',
    'sharp',
    '@resvg/resvg-js',
    'postgres',
    'bullmq',
    'ioredis',
    '@electric-sql/pglite',
    'pino',
    'prom-client',
    'playwright-core',
    'fontkit',
    'pdf-lib',
    '@pdf-lib/fontkit',
    '@hocuspocus/server',
    '@hocuspocus/extension-redis',
    'ws',
    '@google/genai',
    // Font files are read from disk by the lettering engine, never bundled.
    '@expo-google-fonts/noto-sans-jp',
    '@expo-google-fonts/noto-sans',
    'budoux',
  ],
  // Every service answers Prometheus on /metrics (collab-server and worker do too); the web's
  // handler lives under /api like the rest of its HTTP surface.
  // public/ files keep their names across releases (tldraw's assets, the fonts), so they cannot
  // be immutable like /_next/static; a day fresh, then revalidated in the background, spares
  // returning visitors the round trips (Next.js serves public/ with max-age=0 otherwise).
  async headers() {
    const cache = [{ key: 'Cache-Control', value: 'public, max-age=86400, stale-while-revalidate=604800' }];
    return [
      { source: '/fonts/:path*', headers: cache },
      { source: '/tldraw/:path*', headers: cache },
    ];
  },
  async rewrites() {
    return [
      { source: '/metrics', destination: '/api/metrics' },
      { source: '/healthz', destination: '/api/health' },
    ];
  },
};

export default nextConfig;
