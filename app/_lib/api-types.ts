/**
 * The shapes the UI reads from the HTTP API, checked at the boundary. Lenient where the API
 * may grow (extra keys pass, optional extras default) so a new field never breaks a page.
 */
import { z } from 'zod';

export const ROLES = ['owner', 'editor', 'reviewer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const userSchema = z.object({ id: z.string(), email: z.string(), name: z.string() });

export const authResponse = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  user: userSchema.optional(),
});

export const meResponse = z.union([z.object({ user: userSchema }), userSchema]).transform((v) => ('user' in v ? v.user : v));

export const projectSummary = z
  .object({
    id: z.string(),
    title: z.string(),
    language: z.enum(['ja', 'en']).optional(),
    readingDirection: z.enum(['rtl', 'ltr']).optional(),
    pageFormat: z.string().nullish(),
    role: z.enum(ROLES).optional(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
    /** The furthest phase reached, when the API reports it. */
    phase: z.string().nullish(),
    currentPhase: z.string().nullish(),
    coverAssetId: z.string().nullish(),
    /** Who is connected now, as the collab-servers publish it; null = unknown just now. */
    online: z.array(z.object({ id: z.string(), name: z.string(), kind: z.enum(['human', 'agent']) })).nullish(),
  })
  .passthrough();
export type ProjectSummary = z.infer<typeof projectSummary>;

export const projectList = z
  .union([z.array(projectSummary), z.object({ projects: z.array(projectSummary) })])
  .transform((v) => (Array.isArray(v) ? v : v.projects));

export const memberSchema = z
  .object({
    userId: z.string(),
    email: z.string().optional(),
    name: z.string().optional(),
    role: z.enum(ROLES),
  })
  .passthrough();
export type Member = z.infer<typeof memberSchema>;

export const projectDetail = projectSummary.extend({
  members: z.array(memberSchema).optional(),
  docName: z.string().optional(),
});
// Either `{project}` or the project itself; the wrapped form is tried first.
export const projectDetailResponse = z.union([z.object({ project: projectDetail }).transform((v) => v.project), projectDetail]);

export const createdProject = z.object({ id: z.string(), docName: z.string().optional() }).passthrough();

export const collabToken = z.object({
  token: z.string(),
  url: z.string(),
  docName: z.string(),
  reviewDocName: z.string(),
  role: z.enum(ROLES),
});
export type CollabToken = z.infer<typeof collabToken>;

export const runResponse = z.object({ jobId: z.string(), branchId: z.string().optional() }).passthrough();
export const anyResponse = z.unknown();
