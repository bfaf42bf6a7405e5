import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('ApiKey', {
  description:
    'A key a machine client or partner sends as `Authorization: Bearer ak_live_…`. It acts for the member who created it, in their organization, within its permissions. Its secret was shown once, when it was created.',
})
export class ApiKey {
  @Field(() => ID, { description: 'API key id, `apikey_…`.' })
  id: string;

  organizationId: string;

  @Field(() => ID, { description: 'The member who created it: the key acts for them, and never beyond what they hold.' })
  createdById: string;

  @Field(() => String, { description: 'What it is for, as its creator named it.' })
  name: string;

  @Field(() => String, { description: 'The first characters of the key (`ak_live_Ab12`), to tell keys apart; never the secret.' })
  prefix: string;

  @Field(() => [String], {
    nullable: true,
    description:
      'What the key may do (`resource:action`, wildcards allowed), always within what its creator holds at each request; null: everything its creator holds.',
  })
  permissions: string[] | null;

  @Field(() => [String], {
    nullable: true,
    description:
      "A partner's key: the manifest operations it may run (schema/operation-manifest.json), each only as that document or by its id; null: any document.",
  })
  operations: string[] | null;

  @Field(() => Int, {
    description:
      'Requests the key may make per rate-limit window (`RATE_LIMIT_WINDOW_SECONDS`, 60 by default), counted across every gateway process; beyond it, `RATE_LIMITED` with `reason: API_KEY_REQUESTS`.',
  })
  requestsPerWindow: number;

  @Field(() => Int, {
    description:
      "The summed cost of the key's operations per window (each as the document cost limit counts it: a list counts its page size times); beyond it, `RATE_LIMITED` with `reason: API_KEY_COST`.",
  })
  costPerWindow: number;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'After this instant it is refused; null: it does not expire.' })
  expiresAt: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When it was last seen, to within about a minute (recorded in batches, not on every request); null: never used.',
  })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was revoked; a revoked key is refused from the next request on.' })
  revokedAt: Date | null;
}
