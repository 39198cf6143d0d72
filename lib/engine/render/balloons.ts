/**
 * Which balloon drawing the page renderer uses by default: the balloon engine's
 * `renderBalloonSvg` (shape by kind + the lettering engine's text as outlines). The plain
 * `fallbackBalloonSvg` stays available through `RenderPageOptions.balloonRenderer`.
 */
import type { Language, PlacedBalloon } from '../types';
import { renderBalloonSvg } from '../balloons';

export const defaultBalloonRenderer = (b: PlacedBalloon, language: Language): string => renderBalloonSvg(b, language);
