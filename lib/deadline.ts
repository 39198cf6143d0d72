/**
 * Race work against a timer. The work is not cancelled — JavaScript cannot stop a promise — so
 * callers decide what a late success means (a retried idempotent write, a job that may still
 * start). The timer is cleared either way, so nothing keeps the process alive.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
