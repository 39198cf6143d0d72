/**
 * The dashboard's project list, requested before React has even started.
 *
 * The session lives in localStorage, so the server cannot render the list, and the page's own
 * request waits for the JavaScript to download, run and hydrate — on a slow phone seconds, with
 * the covers (the largest paint) only requested after that. An inline script in the HTML
 * (app/projects/layout.tsx) starts the request as soon as the document is parsed; the dashboard
 * takes that promise once instead of asking again. Anything unexpected (no session, a 401 that
 * needs a token refresh, a network error) resolves to null and the dashboard asks through `api()`
 * as it always did.
 */
import { SESSION_KEY } from './session-key';

const GLOBAL = '__komaEarlyProjects';

/** Covers shown before any scrolling; the dashboard loads these eagerly, the script preloads them. */
export const EAGER_COVERS = 4;
const COVER_PREFIX = '/api/assets/';
const COVER_SUFFIX = '?quality=low';

/** A project's cover as the dashboard shows it (the script below builds the same address). */
export function coverUrl(assetId: string): string {
  return `${COVER_PREFIX}${encodeURIComponent(assetId)}${COVER_SUFFIX}`;
}

/**
 * The inline script's source: plain ES5, no imports, it runs before any bundle. Once the list
 * arrives it also preloads the first covers, so the largest paint does not wait for hydration.
 */
export function earlyProjectsScript(): string {
  const preload = `function(d){var l=Array.isArray(d)?d:d&&d.projects;if(l)for(var i=0;i<l.length&&i<${EAGER_COVERS};i++){if(!l[i]||typeof l[i].coverAssetId!=='string')continue;var k=document.createElement('link');k.rel='preload';k.as='image';k.href=${JSON.stringify(COVER_PREFIX)}+encodeURIComponent(l[i].coverAssetId)+${JSON.stringify(COVER_SUFFIX)};if(i===0)k.setAttribute('fetchpriority','high');document.head.appendChild(k)}return d}`;
  return `(function(){try{if(location.pathname!=='/projects')return;var s=JSON.parse(localStorage.getItem(${JSON.stringify(SESSION_KEY)})||'null');if(!s||!s.accessToken)return;window.${GLOBAL}=fetch('/api/projects',{headers:{authorization:'Bearer '+s.accessToken}}).then(function(r){return r.ok?r.json():null}).then(${preload}).catch(function(){return null})}catch(e){}})();`;
}

/** The early response's body (to be validated by the caller), once; null when there is none. */
export function takeEarlyProjects(): Promise<unknown> | null {
  if (typeof window === 'undefined') return null;
  const holder = window as unknown as Record<string, Promise<unknown> | undefined>;
  const early = holder[GLOBAL] ?? null;
  delete holder[GLOBAL];
  return early;
}
