/**
 * Call quality from network figures: the ITU-T G.107 E-model, in the simplified form used
 * in VoIP monitoring (Cole & Rosenbluth, "Voice over IP performance monitoring", ACM SIGCOMM
 * CCR 31(2), 2001), which keeps G.107's default values for everything but delay and codec:
 *
 *   R = R0 − Is − Id − Ie,eff + A  with G.107's defaults  R0 − Is = 93.2, A = 0,
 *   so R = 93.2 − Id − Ie,eff,
 *
 * where the delay impairment Id follows Cole & Rosenbluth's fit of G.107's Id for the
 * default echo settings, and Ie,eff is G.107 equation (7-29) (random loss, BurstR = 1).
 * R becomes MOS by G.107 Annex B, equation (B-4).
 */

/** G.107 §7.7 (Table 3 defaults): R with every parameter at its default value. */
export const DEFAULT_R = 93.2;

/** Equipment impairment of a codec: Ie and its packet-loss robustness Bpl (ITU-T G.113 Appendix I, Table I.3). */
export interface CodecImpairment {
  ie: number;
  bpl: number;
}

/** G.711 with its Appendix I packet-loss concealment: G.113 Appendix I, Ie 0, Bpl 25.1. */
const G711_PLC: CodecImpairment = { ie: 0, bpl: 25.1 };

/**
 * Codec → Ie and Bpl. G.711 and G.729A are G.113 Appendix I's values. G.113 lists no
 * narrowband values for Opus: we take G.711 with concealment's (Ie 0, Bpl 25.1), our
 * assumption: Opus at the bit rates calls use is no less clear than G.711 and conceals loss
 * at least as well. An unknown codec is rated as G.711 with concealment.
 */
export const CODEC_IMPAIRMENTS: Readonly<Record<string, CodecImpairment>> = {
  g711: G711_PLC,
  pcmu: G711_PLC,
  pcma: G711_PLC,
  /** G.711 without concealment: G.113 Appendix I, Bpl 4.3. */
  'g711-noplc': { ie: 0, bpl: 4.3 },
  g729: { ie: 11, bpl: 19.0 },
  g729a: { ie: 11, bpl: 19.0 },
  opus: G711_PLC,
};

export function codecImpairment(codec: string): CodecImpairment {
  return CODEC_IMPAIRMENTS[codec.trim().toLowerCase()] ?? G711_PLC;
}

/**
 * The effective one-way latency (ms) of Cole & Rosenbluth's simplification: half the round
 * trip, twice the jitter (the jitter buffer), and 10 ms of codec and packetisation delay.
 */
export function effectiveLatencyMs(rttMs: number, jitterMs: number): number {
  return rttMs / 2 + 2 * jitterMs + 10;
}

/** Delay impairment Id (Cole & Rosenbluth's fit of G.107): 0.024·d + 0.11·(d − 177.3)·H(d − 177.3). */
export function delayImpairment(latencyMs: number): number {
  return 0.024 * latencyMs + (latencyMs > 177.3 ? 0.11 * (latencyMs - 177.3) : 0);
}

/** G.107 equation (7-29): Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl / BurstR + Bpl), Ppl in percent. */
export function effectiveEquipmentImpairment(codec: CodecImpairment, packetLossPercent: number, burstR = 1): number {
  return codec.ie + ((95 - codec.ie) * packetLossPercent) / (packetLossPercent / burstR + codec.bpl);
}

export interface NetworkFigures {
  rttMs: number;
  jitterMs: number;
  packetLossPercent: number;
  codec: string;
}

/** The transmission rating R, clamped to G.107's 0–100. */
export function rFactor(figures: NetworkFigures): number {
  const id = delayImpairment(effectiveLatencyMs(figures.rttMs, figures.jitterMs));
  const ieEff = effectiveEquipmentImpairment(codecImpairment(figures.codec), figures.packetLossPercent);
  return Math.min(100, Math.max(0, DEFAULT_R - id - ieEff));
}

/** G.107 Annex B, equation (B-4): MOS_CQE = 1 + 0.035·R + R·(R − 60)·(100 − R)·7·10⁻⁶ for 0 < R < 100. */
export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}
