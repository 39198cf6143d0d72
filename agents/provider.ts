/**
 * Which provider runs the agents: gemini when asked for (AI_PROVIDER=gemini) or when a key is
 * set and AI_PROVIDER=auto; the offline engine otherwise. Asking for gemini without a key is a
 * configuration error, said once at start-up rather than on every job.
 */
import type { Config } from '../lib/config';
import { createGeminiProvider } from './providers/gemini';
import { createOfflineProvider } from './providers/offline';
import type { AgentProvider } from './providers/provider-types';

type ProviderConfig = Pick<
  Config,
  | 'AI_PROVIDER' | 'GEMINI_API_KEY' | 'GEMINI_BASE_URL' | 'GEMINI_TEXT_MODEL' | 'GEMINI_IMAGE_MODEL'
  | 'PRICE_JPY_PER_1K_INPUT_TOKENS' | 'PRICE_JPY_PER_1K_OUTPUT_TOKENS' | 'PRICE_JPY_PER_IMAGE'
> &
  Partial<Pick<Config, 'GEMINI_IMAGES' | 'GEMINI_TIMEOUT_MS' | 'GEMINI_MAX_ATTEMPTS'>>;

/**
 * Gemini for text, the offline engine for the images Gemini is not asked to draw
 * (GEMINI_IMAGES=sheets|none): the pipeline stays whole and the cost stays bounded.
 */
export function withOfflineImages(gemini: AgentProvider, which: 'all' | 'sheets' | 'none'): AgentProvider {
  if (which === 'all') return gemini;
  const offline = createOfflineProvider();
  return {
    ...gemini,
    name: gemini.name,
    characterSheet: which === 'none' ? offline.characterSheet : gemini.characterSheet,
    sceneImage: offline.sceneImage,
  };
}

export function selectProvider(config: ProviderConfig): AgentProvider {
  const wantGemini = config.AI_PROVIDER === 'gemini' || (config.AI_PROVIDER === 'auto' && !!config.GEMINI_API_KEY);
  if (!wantGemini) return createOfflineProvider();
  if (!config.GEMINI_API_KEY) throw new Error('AI_PROVIDER=gemini needs GEMINI_API_KEY (or set AI_PROVIDER=offline).');
  const gemini = createGeminiProvider({
    apiKey: config.GEMINI_API_KEY,
    baseUrl: config.GEMINI_BASE_URL,
    textModel: config.GEMINI_TEXT_MODEL,
    imageModel: config.GEMINI_IMAGE_MODEL,
    prices: {
      inputPer1k: config.PRICE_JPY_PER_1K_INPUT_TOKENS,
      outputPer1k: config.PRICE_JPY_PER_1K_OUTPUT_TOKENS,
      perImage: config.PRICE_JPY_PER_IMAGE,
    },
    ...(config.GEMINI_TIMEOUT_MS ? { timeoutMs: config.GEMINI_TIMEOUT_MS } : {}),
    ...(config.GEMINI_MAX_ATTEMPTS ? { maxAttempts: config.GEMINI_MAX_ATTEMPTS } : {}),
  });
  return withOfflineImages(gemini, config.GEMINI_IMAGES ?? 'all');
}
