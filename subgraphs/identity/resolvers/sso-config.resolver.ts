import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { IdentityContext } from '../context';
import { CreateSsoConfigInput } from '../types/create-sso-config.input';
import { SsoConfigType } from '../types/sso-config.type';
import { UpdateSsoConfigInput } from '../types/update-sso-config.input';

@Resolver(() => SsoConfigType)
export class SsoConfigResolver {
  @Query(() => [SsoConfigType], { nullable: true, description: "Your organization's single sign-on configurations, oldest first." })
  @RequiresPermission('sso', 'manage')
  async ssoConfigs(@Arg('organizationId', () => ID) organizationId: string, @Ctx() context: IdentityContext): Promise<SsoConfigType[]> {
    return context.services.ssoConfigs.list(requirePrincipal(context), organizationId);
  }

  @Query(() => SsoConfigType, { nullable: true, description: 'A single sign-on configuration of your organization.' })
  @RequiresPermission('sso', 'manage')
  async ssoConfig(@Arg('id', () => ID) id: string, @Ctx() context: IdentityContext): Promise<SsoConfigType> {
    return context.services.ssoConfigs.get(requirePrincipal(context), id);
  }

  @Mutation(() => SsoConfigType, { description: 'Configures an identity provider (SAML 2.0 or OIDC) for your organization (at most 20).' })
  @RequiresPermission('sso', 'manage')
  async createSsoConfig(
    @Arg('input', () => CreateSsoConfigInput) input: CreateSsoConfigInput,
    @Ctx() context: IdentityContext,
  ): Promise<SsoConfigType> {
    return context.services.ssoConfigs.create(requirePrincipal(context), input);
  }

  @Mutation(() => SsoConfigType, { description: 'Changes a single sign-on configuration of your organization.' })
  @RequiresPermission('sso', 'manage')
  async updateSsoConfig(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateSsoConfigInput) input: UpdateSsoConfigInput,
    @Ctx() context: IdentityContext,
  ): Promise<SsoConfigType> {
    return context.services.ssoConfigs.update(requirePrincipal(context), id, input);
  }

  @Mutation(() => SsoConfigType, { description: 'Deletes a single sign-on configuration: sign-in through it is refused from then on.' })
  @RequiresPermission('sso', 'manage')
  async deleteSsoConfig(@Arg('id', () => ID) id: string, @Ctx() context: IdentityContext): Promise<SsoConfigType> {
    return context.services.ssoConfigs.delete(requirePrincipal(context), id);
  }
}
