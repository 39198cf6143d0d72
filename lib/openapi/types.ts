import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ApiResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json when a schema is given. */
  contentType?: string;
}

/**
 * One operation of the HTTP API, described with the same zod schemas the handler validates
 * with. Standard error responses (400/401/429/500) are added by the document builder.
 */
export interface ApiOperation {
  method: HttpMethod;
  /** OpenAPI form: /api/projects/{id} */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Needs `Authorization: Bearer <accessToken>`. */
  auth: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Media types accepted for the body (default application/json). */
  bodyMedia?: string[];
  responses: Record<number, ApiResponseSpec>;
  /** Counted against the per-IP rate limit (default true). */
  rateLimited?: boolean;
}
