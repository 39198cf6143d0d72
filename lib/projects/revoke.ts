/**
 * Close a member's live collab connections after their membership changed. The database change
 * is already committed; if Redis is down we log it, and the collab-server still re-checks the
 * role in PostgreSQL whenever the client reconnects.
 */
import { publishRevocation } from '../../collab-server/revocation';
import { logger } from '../log';
import { redis } from '../redis/client';

const TIMEOUT_MS = 1_000;

export async function revokeLiveAccess(projectId: string, userIds: readonly string[]): Promise<void> {
  // In parallel: with Redis down, a project of many members still answers within one timeout.
  await Promise.all(
    userIds.map(async (userId) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          publishRevocation(redis(), { projectId, userId }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('redis publish timed out')), TIMEOUT_MS);
          }),
        ]);
      } catch (error) {
        logger().error({ err: error, projectId, userId }, 'could not publish a revocation; live connections stay until reconnect');
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}
