import { logger } from './log';

type Cleanup = () => Promise<void> | void;

const cleanups: Cleanup[] = [];
let shuttingDown = false;

/**
 * Run `fn` on SIGINT/SIGTERM (last registered runs first), then exit. A second signal, or a
 * cleanup that takes longer than `timeoutMs`, exits at once: Ctrl-C must always work.
 */
export function onShutdown(fn: Cleanup, timeoutMs = 10_000): void {
  cleanups.unshift(fn);
  if (cleanups.length > 1) return;
  const handler = (signal: NodeJS.Signals) => {
    if (shuttingDown) process.exit(130);
    shuttingDown = true;
    logger().info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), timeoutMs);
    timer.unref();
    void (async () => {
      for (const cleanup of cleanups) {
        try {
          await cleanup();
        } catch (error) {
          logger().error({ err: error }, 'cleanup failed');
        }
      }
      process.exit(0);
    })();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/**
 * When started by `npm start`, exit if that parent disappears (even by SIGKILL), so no
 * service is ever left orphaned holding a port.
 */
export function exitWithParent(): void {
  const parent = Number(process.env.KOMA_PARENT_PID);
  if (!Number.isInteger(parent) || parent <= 1) return;
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      process.kill(process.pid, 'SIGTERM');
    }
  }, 1_000);
  timer.unref();
}
