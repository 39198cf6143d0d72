/**
 * Which balloon drawing the page renderer uses by default. The lettering engine's
 * `renderBalloonSvg` (shapes + text laid out with fontkit `vert`, as outlines) is the real one;
 * the fallback draws plain shapes so pages still render if lettering is unavailable.
 */
import type { Language, PlacedBalloon } from '../types';
import { fallbackBalloonSvg } from './balloon-fallback';

export const defaultBalloonRenderer = (b: PlacedBalloon, language: Language): string => fallbackBalloonSvg(b, language);
