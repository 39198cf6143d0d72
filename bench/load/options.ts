/**
 * `npm run load` flags, validated with zod. Durations accept `90`, `90s`, `10m`, `1h` (plain
 * numbers are seconds). A bad flag stops the run with one clear line before anything starts.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

export const duration = z
  .string()
  .trim()
  .regex(DURATION, 'must be a duration like 90s, 10m or 1h')
  .transform((text) => {
    const [, amount, unit] = DURATION.exec(text) as RegExpExecArray;
    return Math.round(Number(amount) * UNIT_MS[(unit ?? 's') as keyof typeof UNIT_MS]);
  });

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const loadOptionsSchema = z
  .object({
    duration: duration.default(600_000).pipe(z.number().min(5_000, 'must be at least 5s')),
    clients: count(2, 20_000).default(1000),
    projects: count(1, 2_000).default(100),
    /** Edits per second per client. */
    rate: z.coerce.number().positive().max(20).default(1),
    /**
     * Memory is compared from the end of warm-up (default: 20 % of the run, at least 30 s): V8
     * sizes each service's heap over its first major collections, and Redis's bounded job
     * retention (5 min) fills.
     */
    warmup: duration.optional(),
    /** Agent runs started per minute through the API (0 = none). */
    jobsPerMinute: z.coerce.number().min(0).max(600).default(6),
    /** Attach to a running product instead of starting one. */
    url: z.url().optional(),
    collabUrl: z.url().optional(),
    /** Attach mode: where to run the end-of-run check of the durable log (optional). */
    databaseUrl: z.url().optional(),
    /** Concurrent HTTP requests during setup. */
    setupConcurrency: count(1, 64).default(6),
    /** Folder of fixture stories (`ja-*.txt`, `en-*.txt`) the projects are made from. */
    stories: z.string().min(1).optional(),
    /** Write the BENCHMARKS.md section (off for trial runs). */
    write: z.boolean().default(true),
  })
  .superRefine((o, ctx) => {
    if (o.clients < o.projects * 2) ctx.addIssue({ code: 'custom', path: ['clients'], message: `needs at least 2 clients per project (${o.projects} projects → ≥ ${o.projects * 2})` });
    if (o.clients % o.projects !== 0) ctx.addIssue({ code: 'custom', path: ['clients'], message: `must be a multiple of --projects (${o.projects})` });
    if (o.collabUrl && !o.url) ctx.addIssue({ code: 'custom', path: ['url'], message: '--collab-url needs --url (the web API of the same product)' });
    if (o.warmup !== undefined && o.warmup >= o.duration) ctx.addIssue({ code: 'custom', path: ['warmup'], message: 'must be shorter than --duration' });
  })
  .transform((o) => ({ ...o, warmup: o.warmup ?? Math.min(o.duration / 2, Math.max(30_000, o.duration / 5)) }));

export type LoadOptions = z.output<typeof loadOptionsSchema>;

export const USAGE = `usage: npm run load -- [--duration 10m] [--clients 1000] [--projects 100] [--rate 1]
                     [--warmup 60s] [--jobs-per-minute 6] [--stories DIR] [--no-write]
                     [--url http://host:3000 --collab-url ws://host:1234 [--database-url postgres://…]]`;

/** Parse argv (without node and the script); throws an Error whose message is the whole story. */
export function parseLoadOptions(argv: string[]): LoadOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      duration: { type: 'string' },
      clients: { type: 'string' },
      projects: { type: 'string' },
      rate: { type: 'string' },
      warmup: { type: 'string' },
      'jobs-per-minute': { type: 'string' },
      url: { type: 'string' },
      'collab-url': { type: 'string' },
      'database-url': { type: 'string' },
      'setup-concurrency': { type: 'string' },
      stories: { type: 'string' },
      'no-write': { type: 'boolean' },
    },
  });
  const result = loadOptionsSchema.safeParse({
    duration: values.duration,
    clients: values.clients,
    projects: values.projects,
    rate: values.rate,
    warmup: values.warmup,
    jobsPerMinute: values['jobs-per-minute'],
    url: values.url,
    collabUrl: values['collab-url'],
    databaseUrl: values['database-url'],
    setupConcurrency: values['setup-concurrency'],
    stories: values.stories,
    write: values['no-write'] ? false : undefined,
  });
  if (!result.success) {
    const flag = (p: PropertyKey | undefined) => `--${String(p ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new Error(`${result.error.issues.map((i) => `${flag(i.path[0])}: ${i.message}`).join('\n')}\n${USAGE}`);
  }
  return result.data;
}
