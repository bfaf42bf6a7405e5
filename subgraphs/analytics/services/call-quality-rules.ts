import { mosFromR, rFactor } from './e-model';
import type { NetworkFigures } from './e-model';

/**
 * Quality bands by R, as ITU-T G.109 Table 1 names them: 90–100 best (very satisfied),
 * 80–90 high (satisfied), 70–80 medium (some users dissatisfied), 60–70 low (many users
 * dissatisfied), 50–60 poor (nearly all users dissatisfied); below 50 not recommended.
 */
export enum QualityBand {
  BEST = 'best',
  HIGH = 'high',
  MEDIUM = 'medium',
  LOW = 'low',
  POOR = 'poor',
  UNACCEPTABLE = 'unacceptable',
}

export function qualityBand(r: number): QualityBand {
  if (r >= 90) return QualityBand.BEST;
  if (r >= 80) return QualityBand.HIGH;
  if (r >= 70) return QualityBand.MEDIUM;
  if (r >= 60) return QualityBand.LOW;
  if (r >= 50) return QualityBand.POOR;
  return QualityBand.UNACCEPTABLE;
}

/** A call is degraded when any of these holds: MOS below 3.5 ("many users dissatisfied" and worse), or a network figure past the usual VoIP alarm levels. */
export const DEGRADED_THRESHOLDS = { mosBelow: 3.5, rttAboveMs: 400, jitterAboveMs: 30, packetLossAbovePercent: 3 } as const;

export interface CallQuality {
  rFactor: number;
  mos: number;
  band: QualityBand;
  degraded: boolean;
}

export function callQuality(figures: NetworkFigures): CallQuality {
  const r = rFactor(figures);
  const mos = mosFromR(r);
  const degraded =
    mos < DEGRADED_THRESHOLDS.mosBelow ||
    figures.rttMs > DEGRADED_THRESHOLDS.rttAboveMs ||
    figures.jitterMs > DEGRADED_THRESHOLDS.jitterAboveMs ||
    figures.packetLossPercent > DEGRADED_THRESHOLDS.packetLossAbovePercent;
  return { rFactor: r, mos, band: qualityBand(r), degraded };
}
