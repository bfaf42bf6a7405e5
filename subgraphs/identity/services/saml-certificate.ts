import { X509Certificate } from 'node:crypto';

/** A certificate expiring within this long is flagged, so the organization rotates it in time. */
export const CERTIFICATE_EXPIRY_WARNING_MS = 30 * 24 * 60 * 60 * 1000;

export interface ParsedCertificate {
  /** Normalised PEM: the header, base64 in lines of 64, the footer. */
  pem: string;
  /** SHA-256 of the DER, colon-separated hex, as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprintSha256: string;
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/**
 * Reads one X.509 certificate, given as PEM or as the bare base64 of its DER (as SAML metadata
 * holds it). Throws an Error saying what is wrong, for the caller to name the field.
 */
export function parseCertificate(text: string): ParsedCertificate {
  if (/PRIVATE KEY/.test(text)) throw new Error('is a private key: give the identity provider’s certificate, never a key');
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length > 1) throw new Error('holds several certificates: give one per item');
  const body = (blocks[0]?.[1] ?? text).replace(/\s+/g, '');
  if (body === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    throw new Error('is not a certificate (expected "-----BEGIN CERTIFICATE-----", base64, "-----END CERTIFICATE-----")');
  }
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new Error('is not a valid X.509 certificate');
  }
  return {
    pem,
    fingerprintSha256: certificate.fingerprint256,
    subject: certificate.subject,
    issuer: certificate.issuer,
    // Node 20's X509Certificate has no validToDate: its validTo ("Dec 13 13:25:26 2026 GMT") parses as a date.
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
  };
}

/** Whether the certificate has expired or expires within CERTIFICATE_EXPIRY_WARNING_MS of `now`. */
export function expiresSoon(certificate: Pick<ParsedCertificate, 'notAfter'>, now: number): boolean {
  return certificate.notAfter.getTime() <= now + CERTIFICATE_EXPIRY_WARNING_MS;
}
