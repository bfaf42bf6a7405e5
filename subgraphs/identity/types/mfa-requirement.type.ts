import { registerEnumType } from 'type-graphql';

/** Who in an organization must sign in with a second factor. */
export enum MfaRequirement {
  NONE = 'none',
  ADMINS = 'admins',
  EVERYONE = 'everyone',
}

registerEnumType(MfaRequirement, {
  name: 'MfaRequirement',
  description: 'Who in an organization must sign in with a second factor (TOTP).',
  valuesConfig: {
    NONE: { description: 'Nobody must; people who set one up still use it.' },
    ADMINS: { description: 'Owners and admins: their sign-in asks them to set one up first if they have none.' },
    EVERYONE: { description: 'Every member: their sign-in asks them to set one up first if they have none.' },
  },
});
