import { Field, ObjectType } from 'type-graphql';
import { ApiKey } from './api-key.type';

@ObjectType('CreatedApiKey', { description: 'A new API key, with its secret: shown this once, stored only as a hash.' })
export class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey: ApiKey;

  @Field(() => String, {
    description: 'The key itself, `ak_live_…`: send it as `Authorization: Bearer <secret>`. It cannot be shown again; keep it secret.',
  })
  secret: string;
}
