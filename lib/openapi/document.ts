/**
 * The OpenAPI 3.1 document, generated from the zod schemas the handlers validate with, so the
 * document cannot drift from what the API accepts. Features add their operations by appending
 * an `ApiOperation[]` to `OPERATION_SETS`.
 */
import { z } from 'zod';
import { foundationOperations } from './foundation';
import { phaseOperations } from './phases';
import type { ApiOperation } from './types';

export const OPERATION_SETS: ApiOperation[][] = [foundationOperations, phaseOperations];

export function allOperations(): ApiOperation[] {
  return OPERATION_SETS.flat();
}

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  return out;
}

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {
          type: 'array',
          description: 'On validation errors: one entry per wrong field',
          items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
};
const errorRef = { $ref: '#/components/schemas/Error' };
const errorContent = { 'application/json': { schema: errorRef } };

function parameters(op: ApiOperation): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, obj] of [['path', op.params], ['query', op.query]] as const) {
    if (!obj) continue;
    const json = schemaOf(obj, 'input');
    const props = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries(props)) {
      out.push({ name, in: where, required: where === 'path' || required.has(name), schema });
    }
  }
  return out;
}

function operationObject(op: ApiOperation): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, spec] of Object.entries(op.responses)) {
    const numeric = Number(status);
    const content = spec.schema
      ? { [spec.contentType ?? 'application/json']: { schema: schemaOf(spec.schema, 'output') } }
      : spec.contentType
        ? { [spec.contentType]: { schema: { type: 'string' } } }
        : numeric >= 400
          ? errorContent
          : undefined;
    responses[status] = content ? { description: spec.description, content } : { description: spec.description };
  }
  const standard: Array<[string, string, boolean]> = [
    ['400', 'Invalid input (the message names the field)', Boolean(op.body || op.params || op.query)],
    ['401', 'Missing, invalid or expired access token', op.auth],
    ['429', 'Rate limited; see Retry-After', op.rateLimited !== false],
    ['500', 'Internal error (a bug: never caused by input)', true],
  ];
  for (const [status, description, applies] of standard) {
    if (applies && !responses[status]) responses[status] = { description, content: errorContent };
  }
  const result: JsonSchema = {
    operationId: op.operationId,
    summary: op.summary,
    tags: op.tags,
    responses,
  };
  if (op.description) result.description = op.description;
  const params = parameters(op);
  if (params.length) result.parameters = params;
  if (op.body) {
    const schema = schemaOf(op.body, 'input');
    result.requestBody = {
      required: true,
      content: Object.fromEntries((op.bodyMedia ?? ['application/json']).map((m) => [m, { schema }])),
    };
  }
  result.security = op.auth ? [{ bearer: [] }] : [];
  return result;
}

export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of allOperations()) {
    paths[op.path] ??= {};
    paths[op.path][op.method] = operationObject(op);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Koma API',
      version: '0.1.0',
      description: 'Koma, the real-time collaborative manga studio. Errors are {"error":{"code","message"}}.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: errorSchema },
    },
  };
}
