import { Field, ObjectType } from 'type-graphql';

@ObjectType('SsoCertificate', { description: 'A signing certificate of a SAML identity provider, as read from its PEM.' })
export class SsoCertificate {
  @Field(() => String, { description: 'The certificate, PEM.' })
  pem: string;

  @Field(() => String, {
    description: 'SHA-256 fingerprint of the certificate, colon-separated hex (as `openssl x509 -fingerprint -sha256` prints it).',
  })
  fingerprintSha256: string;

  @Field(() => String, { description: 'Subject distinguished name.' })
  subject: string;

  @Field(() => String, { description: 'Issuer distinguished name.' })
  issuer: string;

  @Field(() => Date, { description: 'Valid from.' })
  notBefore: Date;

  @Field(() => Date, { description: 'Valid until: afterwards, responses signed with its key are refused.' })
  notAfter: Date;

  @Field(() => Boolean, { description: 'It has expired or expires within 30 days: add the next certificate of the identity provider.' })
  expiresSoon: boolean;
}
