/**
 * Password hashing with argon2id (@node-rs/argon2 defaults: argon2id, m=19 MiB, t=2, p=1 —
 * the OWASP baseline). Verification of an unknown account still spends one hash so response
 * time does not tell which emails exist.
 */
import { hash, verify } from '@node-rs/argon2';

export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

let dummyHash: Promise<string> | undefined;

/** True when `password` matches `stored`; `stored` null → compares against a dummy hash. */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    dummyHash ??= hash('koma-timing-equaliser');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
