/** Request and response shapes of /api/projects (also the source of the OpenAPI doc). */
import { z } from 'zod';
import { ROLES } from '../auth/tokens';
import { plainText, uuidParam } from '../http/validate';
import { emailSchema } from '../auth/schemas';

export const PAGE_FORMATS = ['B5', 'A5', 'B6', 'US'] as const;
/** Roles an owner can give; ownership itself is not transferable through the API yet. */
export const ASSIGNABLE_ROLES = ['editor', 'reviewer', 'viewer'] as const;

export const projectIdParams = z.object({ id: uuidParam.transform((s) => s.toLowerCase()) });
export const memberParams = projectIdParams.extend({ userId: uuidParam.transform((s) => s.toLowerCase()) });

export const createProjectBody = z.object({
  title: plainText({ max: 200 }),
  // Checked by validateSourceText for its specific 400s (empty, blank, binary, too long).
  sourceText: z.string().meta({ description: 'The story, UTF-8 text, not blank, at most 200,000 characters' }),
  language: z.enum(['ja', 'en']),
  readingDirection: z.enum(['rtl', 'ltr']),
  pageFormat: z.enum(PAGE_FORMATS).default('B5'),
});
export type CreateProjectInput = z.infer<typeof createProjectBody>;

export const addMemberBody = z.object({ email: emailSchema, role: z.enum(ASSIGNABLE_ROLES) });
export const patchMemberBody = z.object({ role: z.enum(ASSIGNABLE_ROLES) });

export const roleView = z.enum(ROLES);

export const projectView = z.object({
  id: z.uuid(),
  title: z.string(),
  language: z.enum(['ja', 'en']),
  readingDirection: z.enum(['rtl', 'ltr']),
  pageFormat: z.string(),
  ownerId: z.uuid(),
  role: roleView,
  docName: z.string(),
  reviewDocName: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The last phase an agent finished (null before the first run). */
  currentPhase: z.string().nullable(),
  /** A cover picture for the dashboard: the first final page, else a first scene image. */
  coverAssetId: z.string().nullable(),
});
export type ProjectView = z.infer<typeof projectView>;

export const memberView = z.object({
  userId: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: roleView,
  createdAt: z.string(),
});
export type MemberView = z.infer<typeof memberView>;

export const createdProjectView = z.object({ id: z.uuid(), docName: z.string(), reviewDocName: z.string(), project: projectView });
/** Who is in a project now (people and phase agents), as the collab-servers publish it. */
export const onlineView = z.object({ id: z.string(), name: z.string(), kind: z.enum(['human', 'agent']) });
export const projectListItem = projectView.extend({
  /** null: presence could not be read just now (Redis unavailable), not "nobody". */
  online: z.array(onlineView).nullable(),
});
export type ProjectListItem = z.infer<typeof projectListItem>;
export const projectListView = z.object({ projects: z.array(projectListItem) });
export const projectDetailView = z.object({ project: projectView.extend({ members: z.array(memberView) }) });
export const memberListView = z.object({ members: z.array(memberView) });
export const memberResultView = z.object({ member: memberView });

export const collabTokenView = z.object({
  token: z.string(),
  url: z.string(),
  docName: z.string(),
  reviewDocName: z.string(),
  role: roleView,
  expiresIn: z.number().int(),
});
