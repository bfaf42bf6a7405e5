import { Field, ID, ObjectType } from 'type-graphql';
import { PersonalData } from '../../../platform/personal-data/personal-data-directive';

@ObjectType('Session', {
  description:
    'A sign-in session: one signed-in browser or device. Its access tokens are short-lived and renewed with its refresh token; ending it refuses them from the next request on.',
})
export class Session {
  @Field(() => ID, { description: 'Session id, `sess_…` (the `sid` of its access tokens).' })
  id: string;

  organizationId: string;

  @Field(() => ID, { description: 'Whose session it is.' })
  userId: string;

  @Field(() => Date, { description: 'When it was signed in.' })
  createdAt: Date;

  @Field(() => Date, { description: 'When its refresh token was last used (sign-in, if never).' })
  lastUsedAt: Date;

  @Field(() => Date, { description: 'When it ends however often it is refreshed (its absolute lifetime).' })
  expiresAt: Date;

  @Field(() => String, { nullable: true, description: 'The address it was signed in from, as the gateway saw it.' })
  @PersonalData('network')
  ip: string | null;

  @Field(() => String, { nullable: true, description: 'The browser or client it was signed in with (its User-Agent).' })
  @PersonalData('network')
  userAgent: string | null;

  @Field(() => Boolean, { description: 'Whether the token of this request belongs to it.' })
  current: boolean;

  @Field(() => Date, { nullable: true, description: 'When it was ended; null while it is open.' })
  revokedAt: Date | null;
}
