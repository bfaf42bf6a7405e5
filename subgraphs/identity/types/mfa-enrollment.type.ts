import { Field, ObjectType } from 'type-graphql';

@ObjectType('MfaEnrollment', {
  description:
    'A second factor being set up: show `otpauthUri` as a QR code (or the secret for typing), then confirm with the first code the app shows.',
})
export class MfaEnrollment {
  @Field(() => String, { description: 'The TOTP secret, base32: for an app that cannot scan. Keep it to yourself.' })
  secret: string;

  @Field(() => String, { description: '`otpauth://totp/…` (SHA-1, 6 digits, 30 seconds): the content of the QR code.' })
  otpauthUri: string;
}
