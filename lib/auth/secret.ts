import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';

/**
 * The HS256 secret shared by web, collab-server and workers. Production sets JWT_SECRET;
 * on a laptop (`npm start`) one is generated once into DATA_DIR so restarts keep sessions.
 */
export function jwtSecret(): string {
  const config = loadConfig();
  if (config.JWT_SECRET) return config.JWT_SECRET;
  if (config.NODE_ENV === 'production') {
    throw new Error('JWT_SECRET must be set in production (at least 32 characters).');
  }
  const file = path.resolve(config.DATA_DIR, 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}
