import { callQuality, qualityBand, QualityBand } from './call-quality-rules';
import { DEFAULT_R, delayImpairment, effectiveEquipmentImpairment, codecImpairment, mosFromR, rFactor } from './e-model';

describe('the E-model (ITU-T G.107)', () => {
  it('maps the default R of 93.2 to a MOS of about 4.41 (G.107 Annex B)', () => {
    expect(DEFAULT_R).toBe(93.2);
    expect(mosFromR(DEFAULT_R)).toBeCloseTo(4.41, 2);
  });

  it('follows equation (B-4) at its ends and through the bands', () => {
    expect(mosFromR(0)).toBe(1);
    expect(mosFromR(-5)).toBe(1);
    expect(mosFromR(100)).toBe(4.5);
    // 1 + 0.035·R + R(R−60)(100−R)·7e-6 worked by hand.
    expect(mosFromR(50)).toBeCloseTo(2.575, 3);
    expect(mosFromR(70)).toBeCloseTo(3.597, 3);
    expect(mosFromR(80)).toBeCloseTo(4.024, 3);
    expect(mosFromR(90)).toBeCloseTo(4.339, 3);
  });

  it('has no delay impairment without delay, and the knee at 177.3 ms', () => {
    expect(delayImpairment(0)).toBe(0);
    expect(delayImpairment(100)).toBeCloseTo(2.4, 6);
    expect(delayImpairment(177.3)).toBeCloseTo(4.2552, 4);
    expect(delayImpairment(277.3)).toBeCloseTo(0.024 * 277.3 + 11, 6);
  });

  it('gives Ie,eff by equation (7-29): G.711 with concealment at 1% random loss', () => {
    // 0 + 95 · 1 / (1 + 25.1) = 3.6398…
    expect(effectiveEquipmentImpairment(codecImpairment('G711'), 1)).toBeCloseTo(3.6398, 3);
    expect(effectiveEquipmentImpairment(codecImpairment('g729a'), 0)).toBe(11);
    // Loss hurts the codec without concealment far more.
    expect(effectiveEquipmentImpairment(codecImpairment('g711-noplc'), 1)).toBeGreaterThan(17);
  });

  it('rates a perfect G.711 network at the default R, and worse networks lower', () => {
    // 10 ms of codec delay remain: Id = 0.24.
    expect(rFactor({ rttMs: 0, jitterMs: 0, packetLossPercent: 0, codec: 'pcmu' })).toBeCloseTo(92.96, 2);
    const good = rFactor({ rttMs: 40, jitterMs: 2, packetLossPercent: 0.1, codec: 'opus' });
    const bad = rFactor({ rttMs: 600, jitterMs: 50, packetLossPercent: 8, codec: 'opus' });
    expect(good).toBeGreaterThan(90);
    expect(bad).toBeLessThan(50);
    expect(rFactor({ rttMs: 5000, jitterMs: 500, packetLossPercent: 100, codec: 'g729' })).toBe(0);
  });
});

describe('call quality rules', () => {
  it('names the G.109 bands', () => {
    expect([95, 85, 75, 65, 55, 30].map(qualityBand)).toEqual([
      QualityBand.BEST,
      QualityBand.HIGH,
      QualityBand.MEDIUM,
      QualityBand.LOW,
      QualityBand.POOR,
      QualityBand.UNACCEPTABLE,
    ]);
  });

  it('calls a call degraded past any threshold, even with a good MOS', () => {
    const clean = { rttMs: 40, jitterMs: 2, packetLossPercent: 0, codec: 'opus' };
    expect(callQuality(clean).degraded).toBe(false);
    expect(callQuality({ ...clean, rttMs: 401 }).degraded).toBe(true);
    expect(callQuality({ ...clean, jitterMs: 31 }).degraded).toBe(true);
    expect(callQuality({ ...clean, packetLossPercent: 3.5 }).degraded).toBe(true);
    const lossy = callQuality({ ...clean, packetLossPercent: 3 });
    expect(lossy.degraded).toBe(lossy.mos < 3.5);
  });
});
