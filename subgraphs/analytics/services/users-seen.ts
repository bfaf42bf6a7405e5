import type { EntityManager } from 'typeorm';

/**
 * Remembers who took part in an organization's calls and AI usage (analytics' own record
 * of users: it never reads identity's tables). One row per (organization, user), with the
 * first and last time seen; written in key order so concurrent writers do not deadlock.
 */
export async function recordUsersSeen(
  manager: EntityManager,
  organizationId: string,
  sightings: readonly { users: readonly string[]; at: Date }[],
): Promise<void> {
  const seen = new Map<string, { first: Date; last: Date }>();
  for (const { users, at } of sightings) {
    for (const user of users) {
      const known = seen.get(user);
      if (!known) seen.set(user, { first: at, last: at });
      else {
        if (at < known.first) known.first = at;
        if (at > known.last) known.last = at;
      }
    }
  }
  if (seen.size === 0) return;
  const users = [...seen.keys()].sort();
  await manager.query(
    `INSERT INTO analytics.organization_users AS seen (organization_id, user_id, first_seen_at, last_seen_at)
     SELECT $1, u.user_id, u.first_seen_at, u.last_seen_at
       FROM unnest($2::varchar[], $3::timestamptz[], $4::timestamptz[]) AS u(user_id, first_seen_at, last_seen_at)
     ON CONFLICT (organization_id, user_id) DO UPDATE
       SET first_seen_at = LEAST(seen.first_seen_at, EXCLUDED.first_seen_at),
           last_seen_at = GREATEST(seen.last_seen_at, EXCLUDED.last_seen_at)`,
    [organizationId, users, users.map((user) => seen.get(user)!.first), users.map((user) => seen.get(user)!.last)],
  );
}
