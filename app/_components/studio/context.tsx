'use client';
/** What every studio component needs: the docs, who I am, and what my role lets me do. */
import { createContext, useContext } from 'react';
import type { HocuspocusProvider } from '@hocuspocus/provider';
import type * as Y from 'yjs';
import type { Role } from '../../_lib/api-types';
import type { QualityLevel } from '../../../lib/engine/types';

export interface StudioUser {
  id: string;
  name: string;
  color: string;
  kind: 'human';
}

export interface StudioContextValue {
  projectId: string;
  role: Role;
  user: StudioUser;
  workDoc: Y.Doc;
  reviewDoc: Y.Doc;
  workProvider: HocuspocusProvider;
  reviewProvider: HocuspocusProvider;
  /** owner/editor: may change the work. */
  canEdit: boolean;
  /** owner/editor/reviewer: may comment. */
  canComment: boolean;
  /** owner/reviewer: may approve a phase. */
  canApprove: boolean;
  quality: QualityLevel;
  readingDirection: 'rtl' | 'ltr';
  language: 'ja' | 'en';
}

export const StudioContext = createContext<StudioContextValue | null>(null);

export function useStudio(): StudioContextValue {
  const v = useContext(StudioContext);
  if (!v) throw new Error('useStudio outside the studio');
  return v;
}

export function permissions(role: Role): Pick<StudioContextValue, 'canEdit' | 'canComment' | 'canApprove'> {
  return {
    canEdit: role === 'owner' || role === 'editor',
    canComment: role !== 'viewer',
    canApprove: role === 'owner' || role === 'reviewer',
  };
}

export function assetUrl(assetId: string, quality: QualityLevel): string {
  return `/api/assets/${encodeURIComponent(assetId)}?quality=${quality}`;
}
