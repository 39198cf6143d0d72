/** Request and response shapes of /api/auth and /api/me (also the source of the OpenAPI doc). */
import { z } from 'zod';
import { plainText } from '../http/validate';

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be an email address'));

// Upper bound keeps one request from burning the CPU on a megabyte-long password.
export const passwordSchema = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters')
  .refine((p) => p.trim().length > 0, 'must not be blank');

export const registerBody = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: plainText({ max: 100 }),
});

export const loginBody = z.object({
  email: emailSchema,
  // No length rules on login: a wrong password is a 401, not a hint about the policy.
  password: z.string().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters'),
});

const refreshTokenString = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

/** refreshToken may be omitted when the browser sends the HttpOnly cookie instead. */
export const refreshBody = z.object({ refreshToken: refreshTokenString.optional() });
export const logoutBody = refreshBody;

export const userView = z.object({ id: z.uuid(), email: z.string(), name: z.string() });
export type UserView = z.infer<typeof userView>;

export const tokensView = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int(),
  tokenType: z.literal('Bearer'),
});

export const authView = tokensView.extend({ user: userView });
export const meView = z.object({ user: userView });

export const deleteAccountBody = z.object({ password: z.string().min(1, 'must not be empty').max(1024) });
