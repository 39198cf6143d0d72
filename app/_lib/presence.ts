/**
 * What each client shares in awareness. People: `user` {id, name, color} plus where they are
 * (`phase`). Agents (workers) publish the same `user` with kind 'agent' and their run state.
 * Everything read from awareness is untrusted, so it is parsed leniently field by field.
 */
import type { Phase } from '../../schema/phases';
import { PHASES } from '../../schema/phases';

export interface Presence {
  clientId: number;
  id: string;
  name: string;
  color: string;
  kind: 'human' | 'agent';
  phase: Phase | null;
  progress: number | null;
  activity: string | null;
  self: boolean;
}

const s = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

function asPhase(v: unknown): Phase | null {
  return (PHASES as readonly unknown[]).includes(v) ? (v as Phase) : null;
}

export function readPresence(clientId: number, state: unknown, selfId: number): Presence | null {
  const st = asRecord(state);
  const user = asRecord(st.user);
  const agent = asRecord(st.agent);
  const name = s(user.name) ?? s(agent.name);
  if (!name) return null;
  const isAgent = user.kind === 'agent' || s(agent.name) !== null || s(user.id)?.startsWith('agent:') === true;
  const progressRaw = st.progress ?? agent.progress ?? user.progress;
  return {
    clientId,
    id: s(user.id) ?? s(agent.id) ?? String(clientId),
    name,
    color: s(user.color) ?? s(agent.color) ?? '#9d8fff',
    kind: isAgent ? 'agent' : 'human',
    phase: asPhase(st.phase ?? agent.phase ?? user.phase),
    progress: typeof progressRaw === 'number' && Number.isFinite(progressRaw) ? Math.max(0, Math.min(1, progressRaw)) : null,
    activity: s(st.activity) ?? s(agent.message) ?? s(st.message) ?? s(user.message) ?? null,
    self: clientId === selfId,
  };
}
