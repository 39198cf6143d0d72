import { z } from 'zod';

/**
 * Every setting of every Koma service, read from the environment and validated once.
 * A bad value stops start-up with a message that names the variable (see `loadConfig`).
 * Documented for users in `.env.example`.
 */
const port = z.coerce.number().int().min(1).max(65535);
const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: port.default(3000),
  COLLAB_PORT: port.default(1234),
  /** Where browsers reach the collab-server (ws:// or wss://). Defaults to ws://localhost:COLLAB_PORT. */
  COLLAB_PUBLIC_URL: z.string().url().optional(),
  /** Where server-side collaborators (web API, workers) reach a collab-server. */
  COLLAB_INTERNAL_URL: z.string().url().optional(),
  /** Unset → embedded PGlite under DATA_DIR, served on a local socket. */
  DATABASE_URL: z.string().url().optional(),
  /** Unset → a private redis-server started for the product. */
  REDIS_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  /** HS256 secret for access, refresh and collab tokens; ≥ 32 chars. Unset in development → generated into DATA_DIR. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  CORS_ORIGINS: csv.default(['http://localhost:3000']),
  RATE_LIMIT_PER_IP_PER_MIN: z.coerce.number().int().positive().default(100),
  GENERATIONS_PER_USER_PER_MIN: z.coerce.number().int().positive().default(10),
  GEMINI_API_KEY: z.string().min(1).optional(),
  GEMINI_BASE_URL: z.string().url().optional(),
  GEMINI_TEXT_MODEL: z.string().min(1).default('gemini-2.5-flash'),
  GEMINI_IMAGE_MODEL: z.string().min(1).default('gemini-2.5-flash-image'),
  /** `auto` → gemini when GEMINI_API_KEY is set, else offline. */
  AI_PROVIDER: z.enum(['auto', 'gemini', 'offline']).default('auto'),
  /** Prices in JPY used to cost every AI call (the seed's KPI: ≤ ¥50 a book). */
  PRICE_JPY_PER_1K_INPUT_TOKENS: z.coerce.number().nonnegative().default(0.045),
  PRICE_JPY_PER_1K_OUTPUT_TOKENS: z.coerce.number().nonnegative().default(0.375),
  PRICE_JPY_PER_IMAGE: z.coerce.number().nonnegative().default(5.85),
  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(2),
  /** collab-server: largest WebSocket message accepted (bytes); bigger → socket closed 1009. */
  COLLAB_MAX_MESSAGE_BYTES: z.coerce.number().int().positive().default(4 * 1024 * 1024),
  /** collab-server: largest document (encoded Yjs state, bytes); a write past it is refused. */
  COLLAB_MAX_DOC_BYTES: z.coerce.number().int().positive().default(32 * 1024 * 1024),
  /** collab-server: connections to one document on one instance. */
  COLLAB_MAX_CONNECTIONS_PER_DOC: z.coerce.number().int().positive().default(200),
  /** collab-server: documents one WebSocket may open. */
  COLLAB_MAX_DOCS_PER_CONNECTION: z.coerce.number().int().positive().default(16),
  /** collab-server: what a socket may send before any document on it is authenticated. */
  COLLAB_MAX_UNAUTH_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  COLLAB_MAX_UNAUTH_MESSAGES: z.coerce.number().int().positive().default(200),
  /** collab-server: sustained messages per second per socket, and the burst above it. */
  COLLAB_RATE_PER_SEC: z.coerce.number().positive().default(200),
  COLLAB_RATE_BURST: z.coerce.number().positive().default(1000),
  /** collab-server: how long an update may wait for PostgreSQL before it is refused (never acked). */
  COLLAB_STORE_DEADLINE_MS: z.coerce.number().int().positive().default(15_000),
  /** How long the web API waits for the collab-server to open a project document; then 503. */
  COLLAB_API_SYNC_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /** collab-server: fold a document's update log into its snapshot after this many rows. */
  COLLAB_COMPACT_EVERY_UPDATES: z.coerce.number().int().positive().default(500),
  /** collab-server: unique name of this instance on the Redis channel (default: random). */
  COLLAB_INSTANCE_ID: z.string().min(1).max(100).optional(),
  /** worker: a job's lock lifetime; a killed worker's job is picked up again after it. */
  WORKER_LOCK_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** Every service's /metrics: unset → open; set → `Authorization: Bearer <token>` required. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** worker: /health and /metrics port (0 = any free port). */
  WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** collab-server: re-check live connections' memberships this often (ms; 0 = off); backs up lost revocations. */
  COLLAB_MEMBERSHIP_SWEEP_MS: z.coerce.number().int().nonnegative().default(30_000),
  /**
   * agents (gemini provider): which images Gemini draws — `all` (reference sheets and every panel),
   * `sheets` (reference sheets; panels drawn offline), `none` (text only). Panels dominate the cost
   * of a book (¥5.85 each by default), so `sheets` keeps a book near the ¥50 KPI.
   */
  GEMINI_IMAGES: z.enum(['all', 'sheets', 'none']).default('all'),
  /** agents (gemini provider): per-attempt timeout (ms) and attempts per call (incl. the first). */
  GEMINI_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(90_000),
  GEMINI_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parse a config from an env-like record; throws ConfigError naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // Treat empty strings as unset so `FOO=` in a .env file means "use the default".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return result.data;
}

let cached: Config | undefined;

/** The process-wide config, parsed from process.env on first use. */
export function loadConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Tests change env between cases; let them re-read it. */
export function resetConfigForTests(): void {
  cached = undefined;
}

export function collabInternalUrl(config: Config): string {
  return config.COLLAB_INTERNAL_URL ?? `ws://127.0.0.1:${config.COLLAB_PORT}`;
}

export function collabPublicUrl(config: Config): string {
  return config.COLLAB_PUBLIC_URL ?? `ws://localhost:${config.COLLAB_PORT}`;
}
