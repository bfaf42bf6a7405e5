/**
 * Money in analytics is integer micro-dollars (1 USD = 1,000,000), kept as bigint in
 * PostgreSQL and as decimal strings on the wire: never a float.
 */
export const MICROS_PER_USD = 1_000_000n;

/** "450.00" from 450_000_000 micro-dollars: to the cent, half away from zero. */
export function microsToUsd(micros: bigint | string | number): string {
  const value = BigInt(micros);
  const negative = value < 0n;
  const absolute = negative ? -value : value;
  const cents = (absolute + 5_000n) / 10_000n;
  const text = `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
  return negative && cents > 0n ? `-${text}` : text;
}

/** Sum of bigint strings (as PostgreSQL returns them) and numbers. */
export function sumMicros(values: readonly (bigint | string | number | null | undefined)[]): bigint {
  return values.reduce<bigint>((sum, value) => sum + (value == null ? 0n : BigInt(value)), 0n);
}
