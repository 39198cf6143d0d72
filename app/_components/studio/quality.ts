/**
 * The preview quality default adapts to the screen and the connection (the seed's five levels):
 * data-saver or 2G → preview, 3G → low, small screens → medium, large high-DPI screens on a
 * fast link → ultra, else high. A level the user picks is remembered and wins.
 */
import { QUALITY_LEVELS, type QualityLevel } from '../../../lib/engine/types';

const KEY = 'koma.quality';

interface NetworkInformationLike {
  effectiveType?: string;
  saveData?: boolean;
}

export function adaptiveQuality(): QualityLevel {
  if (typeof window === 'undefined') return 'medium';
  const conn = (navigator as Navigator & { connection?: NetworkInformationLike }).connection;
  if (conn?.saveData || conn?.effectiveType === 'slow-2g' || conn?.effectiveType === '2g') return 'preview';
  if (conn?.effectiveType === '3g') return 'low';
  const w = window.innerWidth * (window.devicePixelRatio || 1);
  if (window.innerWidth < 768) return 'medium';
  if (w >= 2400) return 'ultra';
  return 'high';
}

export function storedQuality(): QualityLevel | null {
  if (typeof window === 'undefined') return null;
  const v = window.localStorage.getItem(KEY);
  return (QUALITY_LEVELS as readonly string[]).includes(v ?? '') ? (v as QualityLevel) : null;
}

export function storeQuality(q: QualityLevel | null): void {
  if (q) window.localStorage.setItem(KEY, q);
  else window.localStorage.removeItem(KEY);
}
