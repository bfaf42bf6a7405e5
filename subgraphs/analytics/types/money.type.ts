import { Field, ObjectType } from 'type-graphql';
import { microsToUsd } from '../services/money';

@ObjectType('Money', { description: 'An amount of US dollars, exact: integer micro-dollars, and the same in dollars to the cent.' })
export class Money {
  @Field(() => String, { description: 'Micro-dollars (1 USD = 1,000,000), a whole number as a decimal string.' })
  micros: string;

  @Field(() => String, { description: 'Dollars to the cent, such as "450.00" (rounded half away from zero).' })
  usd: string;

  @Field(() => String, { description: 'Always "usd".' })
  currency: string;
}

export function moneyOf(micros: bigint | string | number | null | undefined): Money {
  const value = BigInt(micros ?? 0);
  return { micros: value.toString(), usd: microsToUsd(value), currency: 'usd' };
}
