import { BadUserInputError } from '../../../platform/errors';

/** What the caller may send, checked before anything is stored; each failure names its field. */
export const INGEST_LIMITS = {
  maxBatch: 500,
  maxParticipants: 100,
  maxCallDays: 7,
  maxRttMs: 60_000,
  maxJitterMs: 10_000,
  maxCostMicros: 1_000_000_000,
  maxTokens: 1_000_000_000,
  maxSeconds: 86_400,
  /** How far in the future a reported time may be (clock skew of the media server). */
  maxFutureSkewMs: 5 * 60_000,
} as const;

const EXTERNAL_ID = /^[A-Za-z0-9_.:@+-]{1,128}$/;
const CODEC = /^[A-Za-z0-9_.+-]{1,32}$/;
const MODEL = /^[A-Za-z0-9_./:+-]{1,100}$/;

export function checkExternalId(value: string, field: string): string {
  if (typeof value !== 'string' || !EXTERNAL_ID.test(value)) {
    throw new BadUserInputError(`${field}: 1 to 128 letters, digits or _ . : @ + -`, field);
  }
  return value;
}

export function checkCodec(value: string, field: string): string {
  if (!CODEC.test(value)) throw new BadUserInputError(`${field}: a codec name such as opus or pcmu (1 to 32 characters)`, field);
  return value.toLowerCase();
}

export function checkModel(value: string, field: string): string {
  if (!MODEL.test(value)) throw new BadUserInputError(`${field}: a model name of 1 to 100 letters, digits or _ . / : + -`, field);
  return value;
}

export function checkNumber(value: number, field: string, max: number, options: { integer?: boolean } = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max || (options.integer && !Number.isInteger(value))) {
    throw new BadUserInputError(`${field}: ${options.integer ? 'a whole number' : 'a number'} from 0 to ${max}`, field);
  }
  return value;
}

export function checkTime(value: Date, field: string, now: Date): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new BadUserInputError(`${field}: not a date`, field);
  if (value.getTime() > now.getTime() + INGEST_LIMITS.maxFutureSkewMs) {
    throw new BadUserInputError(`${field}: in the future (${value.toISOString()})`, field);
  }
  return value;
}

export function checkBatch(length: number): void {
  if (length === 0) throw new BadUserInputError('input: at least one item', 'input');
  if (length > INGEST_LIMITS.maxBatch) throw new BadUserInputError(`input: at most ${INGEST_LIMITS.maxBatch} items at once`, 'input');
}

/** The field path of an item of a batch, or of the single input. */
export function fieldOf(index: number, batch: boolean, name: string): string {
  return batch ? `input.${index}.${name}` : `input.${name}`;
}
