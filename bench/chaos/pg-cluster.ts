/**
 * A private PostgreSQL cluster for the chaos run: initdb + pg_ctl from the machine's PostgreSQL
 * binaries into a temp dir, on a free port. It is ours alone, so it can really be stopped (an
 * outage) and started again without touching the shared server on 5432.
 *
 * PostgreSQL refuses to run as root: when we are root, the cluster runs as the `postgres` user.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../lib/net';

const run = promisify(execFile);

export class MissingPostgresError extends Error {}

export interface PrivatePostgres {
  url: string;
  port: number;
  dir: string;
  /** `pg_ctl stop -m fast`: every connection is cut, nothing answers until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stop and delete the cluster. */
  destroy(): Promise<void>;
  /** Synchronous immediate stop, for a process `exit` handler (no promises run there). */
  stopNow(): void;
}

/** The newest `/usr/lib/postgresql/<version>/bin` holding initdb and pg_ctl. */
export function findPostgresBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const bin = path.join(base, version, 'bin');
    if (existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'pg_ctl'))) return bin;
  }
  throw new MissingPostgresError(
    'npm run chaos needs the PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/<version>/bin to run a private cluster it can stop and start: install them (Debian/Ubuntu: `sudo apt-get install postgresql`).',
  );
}

function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new MissingPostgresError('running as root, and PostgreSQL refuses root: a `postgres` system user is needed to own the private cluster.');
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = findPostgresBin();
  const user = runAs();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'koma-chaos-pg-'));
  if (user) await chown(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const exec = (tool: string, args: string[]) => run(path.join(bin, tool), args, { ...(user ?? {}), cwd: dir, env: { ...process.env, LC_ALL: 'C' } });
  await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  // fsync stays on: an acknowledged edit must survive the stop, as it would in production.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c max_connections=200`;
  const pgCtl = (...args: string[]) => exec('pg_ctl', ['-D', data, ...args]);
  const start = async () => {
    await pgCtl('-o', options, '-l', path.join(dir, 'postgres.log'), '-w', '-t', '60', 'start');
  };
  await start();
  await exec('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'koma']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/koma`,
    port,
    dir,
    start,
    async stop() {
      await pgCtl('-m', 'fast', '-w', '-t', '60', 'stop');
    },
    stopNow() {
      spawnSync(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', '-t', '10', 'stop'], { ...(user ?? {}), cwd: dir, stdio: 'ignore' });
    },
    async destroy() {
      await pgCtl('-m', 'immediate', '-w', '-t', '30', 'stop').catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
