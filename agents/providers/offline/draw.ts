/**
 * Storyboard-grade scene images drawn procedurally: an SVG per panel (background chosen from the
 * setting and the panel's own words, a horizon set by the camera angle, figures exactly where the
 * layout put each character's face and body, speed lines for action), rasterised with resvg and
 * compacted with sharp. Grey pencil tones with each character's colour as an accent, like a
 * storyboard artist's rough — readable, consistent, and deterministic for a seed.
 */
import { Resvg } from '@resvg/resvg-js';
import sharp from '../../../lib/sharp';
import type { Character, NamePanel } from '../../../schema/phases';
import { hashString, mulberry32 } from '../../../lib/rng';

export interface DrawnImage {
  bytes: Uint8Array;
  mime: 'image/png';
  width: number;
  height: number;
  /** What was drawn, in words (kept as the panel's prompt). */
  prompt: string;
}

/** Storyboard resolution: enough to read in the studio and in print proofs, cheap to draw. */
const PX_PER_MM = 4;

function rng(seed: number, label: string): () => number {
  return mulberry32(hashString(label, 0x811c9dc5 ^ seed));
}

const f = (n: number) => (Math.round(n * 10) / 10).toString();

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export type Backdrop = 'street' | 'bookshop' | 'school' | 'rooftop' | 'lighthouse' | 'sea' | 'hospital' | 'room' | 'sky' | 'plain';
export type Weather = 'rain' | 'storm' | 'dusk' | 'night' | 'clear' | 'rainbow';

const BACKDROPS: Array<[Backdrop, RegExp]> = [
  ['rooftop', /屋上|rooftop/i],
  ['bookshop', /古本屋|本屋|書店|本を|本棚|貸出帳|月影堂|レジ|bookshop|shelves|段ボール/i],
  ['lighthouse', /灯台|lighthouse|lamp room|lamp|lever|steps|plaque/i],
  ['sea', /海|波|港|船|boat|sea|waves?|reef|harbou?r|rocks|water/i],
  ['hospital', /病院|入院|hospital/i],
  ['school', /学校|校舎|教室|school|classroom/i],
  ['street', /商店街|駅前|店|八百屋|花屋|street|shop|market/i],
  ['sky', /空|虹|sky|rainbow|飛/i],
  ['room', /部屋|室内|room|kitchen|inside/i],
];

export function chooseBackdrop(text: string, setting: string): Backdrop {
  for (const [b, re] of BACKDROPS) if (re.test(text)) return b;
  for (const [b, re] of BACKDROPS) if (re.test(setting)) return b;
  return 'plain';
}

export function chooseWeather(text: string, setting: string): Weather {
  const t = `${text} ${setting}`;
  if (/虹|rainbow/i.test(text)) return 'rainbow';
  if (/嵐|storm/i.test(t)) return 'storm';
  if (/雨上がり/.test(text)) return 'clear';
  if (/雨|rain/i.test(t)) return 'rain';
  if (/夕焼け|夕暮れ|夕方|sunset|dusk/i.test(t)) return 'dusk';
  if (/夜|night|midnight/i.test(t)) return 'night';
  return 'clear';
}

function horizonFor(camera: NamePanel['camera']): number {
  switch (camera) {
    case 'high':
      return 0.22;
    case 'birds-eye':
      return 0.06;
    case 'low':
      return 0.82;
    case 'worms-eye':
      return 0.95;
    default:
      return 0.55;
  }
}

function sky(w: number, h: number, weather: Weather): string {
  const [top, bottom] =
    weather === 'night' ? ['#3a3f4b', '#6b7080'] : weather === 'storm' ? ['#6d7178', '#a4a8ad'] : weather === 'dusk' ? ['#e9c9a8', '#f6e7d6'] : weather === 'rain' ? ['#c7cbd0', '#e3e5e8'] : ['#e8eef3', '#fbfcfd'];
  return `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient></defs><rect width="${w}" height="${h}" fill="url(#sky)"/>`;
}

function backdropSvg(kind: Backdrop, w: number, h: number, horizon: number, r: () => number): string {
  const y = h * horizon;
  const out: string[] = [];
  const ground = `<rect x="0" y="${f(y)}" width="${w}" height="${f(h - y)}" fill="#e2e2e0"/>`;
  // Perspective lines on the ground towards a vanishing point: the camera height made visible.
  const vp = w * (0.35 + r() * 0.3);
  const perspective = Array.from({ length: 9 }, (_, i) => {
    const x = (w * (i - 1)) / 7;
    return `<line x1="${f(vp)}" y1="${f(y)}" x2="${f(x)}" y2="${f(h * 1.6)}" stroke="#c9c9c6" stroke-width="1"/>`;
  }).join('');
  switch (kind) {
    case 'street': {
      out.push(ground, perspective);
      let x = -r() * 40;
      while (x < w) {
        const bw = 50 + r() * 90;
        const bh = h * (0.25 + r() * 0.35);
        out.push(`<rect x="${f(x)}" y="${f(y - bh)}" width="${f(bw - 6)}" height="${f(bh)}" fill="#d4d4d1" stroke="#7a7a78" stroke-width="1.5"/>`);
        out.push(`<path d="M${f(x - 4)} ${f(y - bh * 0.35)} h${f(bw + 2)} l-10 14 h${f(-bw + 18)} z" fill="#bdbdb9" stroke="#6d6d6b"/>`);
        for (let wy = y - bh + 10; wy < y - bh * 0.45; wy += 22) for (let wx = x + 8; wx < x + bw - 20; wx += 22) out.push(`<rect x="${f(wx)}" y="${f(wy)}" width="12" height="12" fill="#f2f2f0" stroke="#8a8a88"/>`);
        x += bw;
      }
      break;
    }
    case 'bookshop': {
      out.push(`<rect width="${w}" height="${h}" fill="#e6e1d8"/>`);
      const rows = 5;
      for (let i = 0; i < rows; i++) {
        const sy = (h * i) / rows;
        out.push(`<line x1="0" y1="${f(sy)}" x2="${w}" y2="${f(sy)}" stroke="#7b705f" stroke-width="3"/>`);
        let x = 0;
        while (x < w) {
          const bw = 6 + r() * 10;
          const bh = (h / rows) * (0.6 + r() * 0.35);
          out.push(`<rect x="${f(x)}" y="${f(sy + h / rows - bh)}" width="${f(bw)}" height="${f(bh)}" fill="${r() > 0.5 ? '#cfc6b6' : '#b9ae9b'}" stroke="#6f6554" stroke-width="0.8"/>`);
          x += bw + 1;
        }
      }
      out.push(`<rect x="0" y="${f(y + (h - y) * 0.3)}" width="${w}" height="${f(h)}" fill="#d9d2c4" opacity="0.85"/>`);
      break;
    }
    case 'school': {
      out.push(ground, perspective, `<rect x="${f(w * 0.1)}" y="${f(y - h * 0.45)}" width="${f(w * 0.8)}" height="${f(h * 0.45)}" fill="#dcdcd8" stroke="#777" stroke-width="2"/>`);
      for (let i = 0; i < 8; i++) out.push(`<rect x="${f(w * 0.13 + (i * w * 0.74) / 8)}" y="${f(y - h * 0.38)}" width="${f((w * 0.74) / 8 - 8)}" height="${f(h * 0.12)}" fill="#f4f4f2" stroke="#888"/>`);
      break;
    }
    case 'rooftop': {
      out.push(`<rect x="0" y="${f(y)}" width="${w}" height="${f(h - y)}" fill="#d6d6d3"/>`);
      for (let x = 0; x <= w; x += 26) out.push(`<line x1="${f(x)}" y1="${f(y - 40)}" x2="${f(x)}" y2="${f(y)}" stroke="#666" stroke-width="2"/>`);
      out.push(`<line x1="0" y1="${f(y - 40)}" x2="${w}" y2="${f(y - 40)}" stroke="#555" stroke-width="3"/>`);
      break;
    }
    case 'lighthouse': {
      out.push(`<path d="M0 ${f(y)} Q ${f(w / 2)} ${f(y - 20)} ${w} ${f(y)} V ${h} H 0 Z" fill="#d0d0cc"/>`);
      const tx = w * (0.6 + r() * 0.2);
      const tw = Math.max(18, w * 0.08);
      out.push(`<path d="M${f(tx - tw)} ${f(y)} L${f(tx - tw * 0.6)} ${f(y - h * 0.55)} H${f(tx + tw * 0.6)} L${f(tx + tw)} ${f(y)} Z" fill="#efefec" stroke="#555" stroke-width="2"/>`);
      out.push(`<rect x="${f(tx - tw * 0.7)}" y="${f(y - h * 0.66)}" width="${f(tw * 1.4)}" height="${f(h * 0.11)}" fill="#fff6c8" stroke="#555" stroke-width="2"/>`);
      out.push(`<path d="M${f(tx)} ${f(y - h * 0.6)} L${f(tx - w)} ${f(y - h * 0.75)} L${f(tx - w)} ${f(y - h * 0.45)} Z" fill="#fff9d8" opacity="0.55"/>`);
      break;
    }
    case 'sea': {
      out.push(`<rect x="0" y="${f(y)}" width="${w}" height="${f(h - y)}" fill="#c9d1d6"/>`);
      for (let wy = y + 8; wy < h; wy += 14) {
        let d = `M0 ${f(wy)}`;
        for (let x = 0; x <= w; x += 30) d += ` q 15 ${f(-5 - r() * 4)} 30 0`;
        out.push(`<path d="${d}" fill="none" stroke="#8d999f" stroke-width="1.3"/>`);
      }
      break;
    }
    case 'hospital': {
      out.push(`<rect width="${w}" height="${h}" fill="#eef0f0"/>`, `<rect x="0" y="${f(y)}" width="${w}" height="${f(h - y)}" fill="#dfe3e3"/>`);
      out.push(`<rect x="${f(w * 0.6)}" y="${f(h * 0.12)}" width="${f(w * 0.3)}" height="${f(h * 0.3)}" fill="#f8fbfb" stroke="#8a9494" stroke-width="2"/>`);
      break;
    }
    case 'room': {
      out.push(`<rect width="${w}" height="${h}" fill="#ebe8e2"/>`, `<rect x="0" y="${f(y)}" width="${w}" height="${f(h - y)}" fill="#d8d3ca"/>`, perspective);
      break;
    }
    case 'sky': {
      for (let i = 0; i < 3; i++) {
        const cx = r() * w;
        const cy = r() * y * 0.8;
        out.push(`<ellipse cx="${f(cx)}" cy="${f(cy)}" rx="${f(40 + r() * 50)}" ry="${f(12 + r() * 10)}" fill="#ffffff" opacity="0.9"/>`);
      }
      out.push(`<rect x="0" y="${f(y)}" width="${w}" height="${f(h - y)}" fill="#dcdcd8"/>`);
      break;
    }
    default:
      out.push(ground, perspective);
  }
  return out.join('');
}

function weatherSvg(weather: Weather, w: number, h: number, r: () => number): string {
  const out: string[] = [];
  if (weather === 'rain' || weather === 'storm') {
    const n = Math.round((w * h) / 2200);
    for (let i = 0; i < n; i++) {
      const x = r() * w;
      const y = r() * h;
      out.push(`<line x1="${f(x)}" y1="${f(y)}" x2="${f(x - 5)}" y2="${f(y + 18)}" stroke="#8a9299" stroke-width="1" opacity="0.7"/>`);
    }
  }
  if (weather === 'rainbow') {
    ['#e8a0a0', '#eac79a', '#e8e39a', '#a8d8a0', '#9ec3e6', '#b5a4dc'].forEach((c, i) => {
      const rr = w * 0.55 - i * 7;
      out.push(`<path d="M${f(w / 2 - rr)} ${f(h * 0.75)} A ${f(rr)} ${f(rr)} 0 0 1 ${f(w / 2 + rr)} ${f(h * 0.75)}" fill="none" stroke="${c}" stroke-width="7" opacity="0.8"/>`);
    });
  }
  return out.join('');
}

function tint(hex: string, amount: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const mix = (c: number) => Math.round(c + (255 - c) * amount);
  const rgb = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(mix);
  return `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** A figure: body from bodyMm, head at faceMm, eyes turned towards the panel's centre. */
export type HairStyle = 'short' | 'long' | 'tied';

/** Each character keeps one hair style everywhere (from its id), so figures stay recognisable. */
export function hairOf(id: string): HairStyle {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return (['short', 'long', 'tied'] as const)[h % 3];
}

interface FigureOptions {
  /** 0 = facing us, 1 = profile. */
  turn?: number;
  /** +1 looks right, -1 left; default: towards the panel's centre. */
  facing?: 1 | -1;
  hair?: HairStyle;
}

function figureSvg(face: [number, number, number, number], body: [number, number, number, number], color: string, panelW: number, r: () => number, o: FigureOptions = {}): string {
  const [fx, fy, fw, fh] = face;
  const [bx, by, bw, bh] = body;
  const cx = fx + fw / 2;
  const look = o.facing ?? (cx < panelW / 2 ? 1 : -1);
  const turn = Math.max(0, Math.min(1, o.turn ?? 0.15));
  const hair = o.hair ?? 'short';
  // Long hair falls behind the shoulders: drawn first, under the head.
  const longHair = hair === 'long' ? `<path d="M${f(fx - fw * 0.04)} ${f(fy + fh * 0.4)} L ${f(fx - fw * 0.1)} ${f(fy + fh * 1.45)} H ${f(fx + fw * 1.1)} L ${f(fx + fw * 1.04)} ${f(fy + fh * 0.4)} Z" fill="${tint(color, 0.15)}" stroke="#2e2e2e" stroke-width="${f(Math.max(1, fw * 0.03))}"/>` : '';
  const shoulder = fy + fh * 1.05;
  const out: string[] = [longHair];
  const torsoTop = Math.max(by, shoulder);
  out.push(
    `<path d="M${f(bx + bw * 0.18)} ${f(torsoTop + fh * 0.15)} Q ${f(cx)} ${f(torsoTop - fh * 0.15)} ${f(bx + bw * 0.82)} ${f(torsoTop + fh * 0.15)} L ${f(bx + bw * 0.9)} ${f(by + bh)} L ${f(bx + bw * 0.1)} ${f(by + bh)} Z" fill="${tint(color, 0.72)}" stroke="#3a3a3a" stroke-width="${f(Math.max(1.2, fw * 0.04))}"/>`,
  );
  out.push(`<rect x="${f(cx - fw * 0.14)}" y="${f(fy + fh * 0.85)}" width="${f(fw * 0.28)}" height="${f(fh * 0.3)}" fill="#f1ece6" stroke="#3a3a3a" stroke-width="${f(Math.max(1, fw * 0.03))}"/>`);
  out.push(`<ellipse cx="${f(cx)}" cy="${f(fy + fh / 2)}" rx="${f(fw / 2)}" ry="${f(fh / 2)}" fill="#f6f1eb" stroke="#2e2e2e" stroke-width="${f(Math.max(1.2, fw * 0.045))}"/>`);
  // Hair: a cap in the character's colour, so the same person reads the same in every panel.
  out.push(
    `<path d="M${f(fx)} ${f(fy + fh * 0.5)} Q ${f(fx - fw * 0.02)} ${f(fy - fh * 0.08)} ${f(cx)} ${f(fy - fh * 0.04)} Q ${f(fx + fw * 1.02)} ${f(fy - fh * 0.08)} ${f(fx + fw)} ${f(fy + fh * 0.5)} Q ${f(cx + look * fw * 0.1)} ${f(fy + fh * 0.12)} ${f(fx)} ${f(fy + fh * 0.5)} Z" fill="${tint(color, 0.15)}" stroke="#2e2e2e" stroke-width="${f(Math.max(1, fw * 0.03))}"/>`,
  );
  if (hair === 'tied') out.push(`<circle cx="${f(cx - look * fw * 0.45)}" cy="${f(fy + fh * 0.1)}" r="${f(fw * 0.16)}" fill="${tint(color, 0.15)}" stroke="#2e2e2e" stroke-width="${f(Math.max(1, fw * 0.03))}"/>`);
  const ey = fy + fh * 0.56;
  const er = Math.max(1.2, fw * 0.055);
  // Turning the head moves the features towards the side it faces; in profile one eye shows.
  const shift = look * fw * (0.08 + turn * 0.22);
  const sides = turn > 0.85 ? [1] : [-1, 1];
  for (const side of sides) out.push(`<circle cx="${f(cx + side * fw * 0.18 * (1 - turn * 0.5) + shift)}" cy="${f(ey)}" r="${f(er)}" fill="#222"/>`);
  if (turn > 0.85) out.push(`<path d="M${f(cx + look * fw * 0.5)} ${f(fy + fh * 0.58)} l ${f(look * fw * 0.1)} ${f(fh * 0.1)} l ${f(-look * fw * 0.1)} ${f(fh * 0.04)}" fill="#f6f1eb" stroke="#2e2e2e" stroke-width="${f(Math.max(1, fw * 0.03))}"/>`);
  out.push(`<path d="M${f(cx + shift * 0.6 - fw * 0.08)} ${f(fy + fh * 0.78)} q ${f(fw * 0.08)} ${f(fh * (0.02 + r() * 0.04))} ${f(fw * 0.16)} 0" fill="none" stroke="#333" stroke-width="${f(Math.max(1, fw * 0.025))}"/>`);
  return out.join('');
}

function speedLines(w: number, h: number, r: () => number): string {
  const cx = w / 2;
  const cy = h / 2;
  const out: string[] = [];
  for (let i = 0; i < 48; i++) {
    const a = (i / 48) * Math.PI * 2 + r() * 0.05;
    const r0 = Math.min(w, h) * (0.35 + r() * 0.12);
    const r1 = Math.max(w, h);
    out.push(`<line x1="${f(cx + Math.cos(a) * r0)}" y1="${f(cy + Math.sin(a) * r0)}" x2="${f(cx + Math.cos(a) * r1)}" y2="${f(cy + Math.sin(a) * r1)}" stroke="#555" stroke-width="${f(0.6 + r() * 1.4)}" opacity="0.55"/>`);
  }
  return out.join('');
}

function propSvg(text: string, w: number, h: number): string {
  const cx = w / 2;
  const cy = h * 0.55;
  const s = Math.min(w, h) * 0.35;
  if (/傘|umbrella/i.test(text))
    return `<path d="M${f(cx - s)} ${f(cy)} Q ${f(cx)} ${f(cy - s * 1.1)} ${f(cx + s)} ${f(cy)} Z" fill="#4a5a7a" stroke="#222" stroke-width="2"/><line x1="${f(cx)}" y1="${f(cy)}" x2="${f(cx)}" y2="${f(cy + s)}" stroke="#222" stroke-width="3"/><path d="M${f(cx)} ${f(cy + s)} q 0 ${f(s * 0.15)} ${f(-s * 0.15)} ${f(s * 0.15)}" fill="none" stroke="#222" stroke-width="3"/>`;
  if (/張り紙|sign|plaque|letter|手紙|書/i.test(text))
    return `<rect x="${f(cx - s * 0.8)}" y="${f(cy - s * 0.6)}" width="${f(s * 1.6)}" height="${f(s * 1.1)}" fill="#fbfaf4" stroke="#333" stroke-width="2"/>${[0, 1, 2].map((i) => `<line x1="${f(cx - s * 0.6)}" y1="${f(cy - s * 0.35 + i * s * 0.3)}" x2="${f(cx + s * 0.6)}" y2="${f(cy - s * 0.35 + i * s * 0.3)}" stroke="#777" stroke-width="3"/>`).join('')}`;
  if (/lever|shutter|clock|box|machine|レジ/i.test(text))
    return `<rect x="${f(cx - s * 0.6)}" y="${f(cy - s * 0.5)}" width="${f(s * 1.2)}" height="${f(s)}" fill="#c9b27a" stroke="#333" stroke-width="2"/><circle cx="${f(cx)}" cy="${f(cy)}" r="${f(s * 0.25)}" fill="#f3e6bf" stroke="#333" stroke-width="2"/>`;
  return `<circle cx="${f(cx)}" cy="${f(cy)}" r="${f(s * 0.6)}" fill="#ecebe6" stroke="#444" stroke-width="2"/>`;
}

export interface ScenePanelDrawing {
  panel: NamePanel;
  cast: readonly Character[];
  /** Concept setting and keywords: the fallback for the backdrop. */
  setting: string;
  seed: number;
}

export function scenePanelSvg(d: ScenePanelDrawing): { svg: string; width: number; height: number; prompt: string } {
  const { panel } = d;
  const [px, py, pw, ph] = panel.bboxMm;
  const width = Math.max(16, Math.round(pw * PX_PER_MM));
  const height = Math.max(16, Math.round(ph * PX_PER_MM));
  const r = rng(d.seed, panel.id);
  const text = panel.description;
  const backdrop = chooseBackdrop(text, d.setting);
  const weather = chooseWeather(text, d.setting);
  const horizon = horizonFor(panel.camera);
  const parts: string[] = [sky(width, height, weather)];
  const close = panel.shot === 'closeup' || panel.shot === 'extreme-closeup';
  // Close-ups blur the background into a tone: the face carries the panel.
  parts.push(close ? `<rect width="${width}" height="${height}" fill="#e9e9e6"/>` : backdropSvg(backdrop, width, height, horizon, r));
  if (panel.shot === 'action' || (close && /[！!]/.test(text))) parts.push(speedLines(width, height, r));
  if (panel.shot === 'insert') parts.push(propSvg(text, width, height));
  const names: string[] = [];
  // Farther figures first, so the most prominent (listed first) is drawn on top.
  for (const face of [...panel.faces].reverse()) {
    const c = d.cast.find((x) => x.id === face.characterId);
    if (c) names.push(c.name);
    const toLocal = (b: readonly number[]): [number, number, number, number] => [(b[0] - px) * PX_PER_MM, (b[1] - py) * PX_PER_MM, b[2] * PX_PER_MM, b[3] * PX_PER_MM];
    parts.push(figureSvg(toLocal(face.faceMm), toLocal(face.bodyMm), c?.color ?? '#888888', width, r, { hair: hairOf(face.characterId), turn: panel.shot === 'over-shoulder' ? 0.6 : 0.15 }));
  }
  parts.push(weatherSvg(weather, width, height, r));
  const body = parts.join('');
  // A dutch angle tilts the world; scaling up around the centre keeps the corners covered.
  const cx = f(width / 2);
  const cy = f(height / 2);
  const tilted = panel.camera === 'dutch' ? `<g transform="translate(${cx} ${cy}) rotate(${f(-7 + r() * 2)}) scale(1.3) translate(-${cx} -${cy})">${body}</g>` : body;
  // A slight reframing from the seed: every seed gives its own picture, even for a panel with
  // nothing else random in it (an object close-up in clear weather), so "regenerate this panel"
  // never returns the picture it replaces. Scaled so the shifted frame still covers the panel.
  const dx = f((r() - 0.5) * width * 0.04);
  const dy = f((r() - 0.5) * height * 0.04);
  const framed = `<g transform="translate(${cx} ${cy}) scale(1.05) translate(${f(-width / 2 + Number(dx))} ${f(-height / 2 + Number(dy))})">${tilted}</g>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="#f4f4f2"/>${framed}</svg>`;
  const prompt = `storyboard: ${panel.shot} shot, ${panel.camera} camera, ${backdrop} backdrop, ${weather}${names.length ? `, figures: ${names.reverse().join(', ')}` : ''}. ${text}`;
  return { svg, width, height, prompt };
}

async function rasterize(svg: string, width: number): Promise<Uint8Array> {
  // No text in our drawings, so no fonts: resvg starts in microseconds without them.
  const resvg = new Resvg(svg, { fitTo: { mode: 'width', value: width }, font: { loadSystemFonts: false } });
  const png = resvg.render().asPng();
  // Storyboard tones fit a 64-colour palette: a third of the bytes, no visible loss.
  return new Uint8Array(await sharp(png).png({ palette: true, colours: 64, compressionLevel: 4, effort: 1, dither: 0 }).toBuffer());
}

export async function drawScenePanel(d: ScenePanelDrawing): Promise<DrawnImage> {
  const { svg, width, height, prompt } = scenePanelSvg(d);
  return { bytes: await rasterize(svg, width), mime: 'image/png', width, height, prompt };
}

/** A character reference sheet: front, three-quarter and profile heads plus a full figure. */
export async function drawCharacterSheet(c: Character, seed: number): Promise<DrawnImage> {
  const width = 768;
  const height = 512;
  const r = rng(seed, c.id);
  const parts: string[] = [`<rect width="${width}" height="${height}" fill="#fafaf8"/>`, `<rect x="0" y="0" width="${width}" height="64" fill="${tint(c.color, 0.6)}"/>`];
  // No lettering on the sheet: resvg would need the 5 MB CJK font per render (~0.7 s); the
  // card next to the image carries the name. Colour swatches carry the identity instead.
  parts.push(`<rect x="24" y="16" width="32" height="32" rx="6" fill="${esc(c.color)}" stroke="#333"/>`);
  parts.push(`<rect x="64" y="16" width="32" height="32" rx="6" fill="${tint(c.color, 0.72)}" stroke="#333"/>`);
  // Three heads and a standing figure, all with the same colours and proportions.
  const hair = hairOf(c.id);
  const views: Array<[number, number]> = [
    [120, 0],
    [300, 0.5],
    [480, 1],
  ];
  for (const [x, turn] of views) parts.push(figureSvg([x - 60, 110, 120, 150], [x - 110, 230, 220, 250], c.color, 0, r, { turn, facing: 1, hair }));
  parts.push(figureSvg([650, 120, 44, 55], [618, 170, 108, 320], c.color, 0, r, { turn: 0, facing: 1, hair }));
  parts.push(`<line x1="580" y1="90" x2="580" y2="${height - 20}" stroke="#bbb" stroke-dasharray="6 6"/>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
  return {
    bytes: await rasterize(svg, width),
    mime: 'image/png',
    width,
    height,
    prompt: `character reference sheet: ${c.name} (${c.role}); ${c.look}; colour ${c.color}`,
  };
}
