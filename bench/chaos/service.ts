/**
 * One product process (web, collab-server, worker) that the chaos run can SIGKILL and start
 * again with the same command, environment and port. Its output goes to a log file (read when
 * a scenario fails), not to our stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ServiceSpec {
  name: string;
  /** Node arguments, e.g. ['--import', 'tsx', 'collab-server/main.ts']. */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** An HTTP URL answering 200 once the service is ready. */
  healthUrl: string;
  logDir: string;
  /** Working directory (default: the checkout). */
  cwd?: string;
  startTimeoutMs?: number;
}

export class Service {
  private child: ChildProcess | null = null;
  private log: WriteStream;
  /** Start-ups so far (the first one included). */
  starts = 0;

  constructor(readonly spec: ServiceSpec) {
    this.log = createWriteStream(path.join(spec.logDir, `${spec.name}.log`), { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.spec.name} is already running`);
    this.starts += 1;
    this.log.write(`--- start #${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, this.spec.args, { cwd: this.spec.cwd ?? ROOT, env: this.spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    this.child = child;
    const deadline = Date.now() + (this.spec.startTimeoutMs ?? 90_000);
    for (;;) {
      if (!this.running) throw new Error(`${this.spec.name} exited during start-up (see ${path.join(this.spec.logDir, `${this.spec.name}.log`)})`);
      const ok = await fetch(this.spec.healthUrl, { signal: AbortSignal.timeout(3_000) })
        .then((res) => res.ok)
        .catch(() => false);
      if (ok) return;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${this.spec.name} not healthy at ${this.spec.healthUrl} after ${this.spec.startTimeoutMs ?? 90_000} ms`);
      }
      await sleep(250);
    }
  }

  /** Send a signal and wait for the process to be gone (SIGKILL: no clean-up at all). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.log.write(`--- ${signal} at ${new Date().toISOString()}\n`);
    child.kill(signal);
    const escalate = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(escalate);
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
    this.log.end();
  }
}
