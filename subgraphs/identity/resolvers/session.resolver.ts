import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { IdentityContext } from '../context';
import { User } from '../entities/user.entity';
import { Session } from '../types/session.type';

/**
 * One's own sessions need only `profile:read`, which every role holds: anyone may see where
 * they are signed in and sign out of a lost device. Another member's need `sessions:manage`.
 */
@Resolver(() => Session)
export class SessionResolver {
  @Query(() => [Session], {
    nullable: true,
    description: "Your open sign-in sessions in your token's organization, most recently used first (at most 100).",
  })
  @RequiresPermission('profile', 'read')
  async mySessions(@Ctx() context: IdentityContext): Promise<Session[]> {
    return context.services.sessions.listMine(requirePrincipal(context));
  }

  @Query(() => [Session], {
    nullable: true,
    description: "The open sign-in sessions of a member of your token's organization, most recently used first (at most 100).",
  })
  @RequiresPermission('sessions', 'manage')
  async memberSessions(@Arg('userId', () => ID) userId: string, @Ctx() context: IdentityContext): Promise<Session[]> {
    return context.services.sessions.listForMember(requirePrincipal(context), userId);
  }

  @Mutation(() => Session, {
    description:
      "Ends a sign-in session: one of yours, or, with `sessions:manage`, a member's of your organization. Its tokens are refused from the next request on.",
  })
  @RequiresPermission('profile', 'read')
  async revokeSession(@Arg('id', () => ID) id: string, @Ctx() context: IdentityContext): Promise<Session> {
    return context.services.sessions.revoke(requirePrincipal(context), id);
  }

  @Mutation(() => Int, {
    description: "Ends all your sign-in sessions in your token's organization; answers how many ended.",
  })
  @RequiresPermission('profile', 'read')
  async revokeAllSessions(
    @Arg('keepCurrent', () => Boolean, { defaultValue: true, description: "Keep the session of this request's token open." })
    keepCurrent: boolean,
    @Ctx() context: IdentityContext,
  ): Promise<number> {
    return context.services.sessions.revokeAll(requirePrincipal(context), keepCurrent);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Whose session it is (null once their account is gone).' })
  async user(@Root() session: Session, @Ctx() context: IdentityContext): Promise<User | null> {
    return context.loaders.userById.load(session.userId);
  }
}
