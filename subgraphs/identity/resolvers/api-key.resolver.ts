import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { IdentityContext } from '../context';
import { User } from '../entities/user.entity';
import { ApiKey } from '../types/api-key.type';
import { CreateApiKeyInput } from '../types/create-api-key.input';
import { CreatedApiKey } from '../types/created-api-key.type';
import { UpdateApiKeyLimitsInput } from '../types/update-api-key-limits.input';

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Mutation(() => CreatedApiKey, {
    description:
      "Creates an API key in your token's organization, acting for you within `permissions` (each one you hold). The answer carries its secret this once.",
  })
  @RequiresPermission('api_keys', 'manage')
  async createApiKey(
    @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput,
    @Ctx() context: IdentityContext,
  ): Promise<CreatedApiKey> {
    return context.services.apiKeys.create(requirePrincipal(context), input);
  }

  @Query(() => [ApiKey], { nullable: true, description: "Your organization's API keys, newest first (at most 500)." })
  @RequiresPermission('api_keys', 'manage')
  async apiKeys(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('includeRevoked', () => Boolean, { defaultValue: false, description: 'Revoked keys too.' }) includeRevoked: boolean,
    @Ctx() context: IdentityContext,
  ): Promise<ApiKey[]> {
    return context.services.apiKeys.list(requirePrincipal(context), organizationId, includeRevoked);
  }

  @Mutation(() => ApiKey, {
    description:
      "Changes an API key's own budgets per rate-limit window (requests, operation cost); the gateway counts them from within a minute.",
  })
  @RequiresPermission('api_keys', 'manage')
  async updateApiKeyLimits(
    @Arg('input', () => UpdateApiKeyLimitsInput) input: UpdateApiKeyLimitsInput,
    @Ctx() context: IdentityContext,
  ): Promise<ApiKey> {
    return context.services.apiKeys.updateLimits(requirePrincipal(context), input);
  }

  @Mutation(() => ApiKey, { description: 'Revokes an API key of your organization: it is refused from the next request on.' })
  @RequiresPermission('api_keys', 'manage')
  async revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() context: IdentityContext): Promise<ApiKey> {
    return context.services.apiKeys.revoke(requirePrincipal(context), id);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The member who created it (null once their account is gone).' })
  async createdBy(@Root() apiKey: ApiKey, @Ctx() context: IdentityContext): Promise<User | null> {
    return context.loaders.userById.load(apiKey.createdById);
  }
}
