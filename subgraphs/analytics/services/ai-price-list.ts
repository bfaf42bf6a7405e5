/** The AI features analytics meters; each is one of billing's AI usage metrics. */
export enum AiFeature {
  STT = 'stt',
  TTS = 'tts',
  AGENTS = 'agents',
}

/** Billing's `UsageMetric` value each feature reports as (`usage.reported`): one AI call per event. */
export const BILLING_METRIC_OF_FEATURE: Record<AiFeature, string> = {
  [AiFeature.STT]: 'ai_stt',
  [AiFeature.TTS]: 'ai_tts',
  [AiFeature.AGENTS]: 'ai_agents',
};

/** How a model is priced: per second of audio, or per thousand tokens (characters for speech synthesis). */
export interface ModelPrice {
  feature: AiFeature;
  model: string;
  microsPerSecond?: number;
  microsPerThousandTokens?: number;
}

/**
 * The price list used for AI usage sent without a cost (`analytics.calculate-ai-costs`) and
 * for the cheaper-model insight, in micro-dollars. These are our defaults, not read from any
 * provider: a deployment with other contracts changes them here.
 */
export const AI_PRICE_LIST: readonly ModelPrice[] = [
  { feature: AiFeature.STT, model: 'whisper-1', microsPerSecond: 100 },
  { feature: AiFeature.STT, model: 'nova-2', microsPerSecond: 72 },
  { feature: AiFeature.TTS, model: 'tts-1-hd', microsPerThousandTokens: 30_000 },
  { feature: AiFeature.TTS, model: 'tts-1', microsPerThousandTokens: 15_000 },
  { feature: AiFeature.AGENTS, model: 'gpt-4o', microsPerThousandTokens: 10_000 },
  { feature: AiFeature.AGENTS, model: 'gpt-4o-mini', microsPerThousandTokens: 600 },
];

export function priceOf(feature: string, model: string): ModelPrice | undefined {
  return AI_PRICE_LIST.find((price) => price.feature === feature && price.model === model);
}

/** What a use costs by the list, rounded to the micro-dollar; undefined when the list cannot price it. */
export function listCostMicros(price: ModelPrice, usage: { tokens: number | null; seconds: number | null }): number | undefined {
  if (price.microsPerSecond !== undefined && usage.seconds != null) return Math.round(usage.seconds * price.microsPerSecond);
  if (price.microsPerThousandTokens !== undefined && usage.tokens != null) {
    return Math.round((usage.tokens * price.microsPerThousandTokens) / 1000);
  }
  return undefined;
}
