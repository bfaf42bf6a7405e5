import { Directive } from 'type-graphql';

/**
 * `@personalData(category:)`: the field holds personal data about a person (GDPR Art. 4(1)),
 * of this category. `@link`ed from this spec and kept in the supergraph with
 * `@composeDirective`, like the access directives, so clients, tools and the compliance
 * subgraph read from one place which fields say something about someone. A test walks the
 * composed supergraph and fails on a field that looks personal and carries none.
 */
export const PERSONAL_DATA_SPEC_URL = 'https://specs.auralink.dev/personal-data/v0.1';
export const PERSONAL_DATA_DIRECTIVE_NAMES = ['@personalData'] as const;

/**
 * What kind of personal data a field holds:
 * - `identity`: who someone is (a person's name, a display name);
 * - `contact`: how to reach them (email address, phone number);
 * - `network`: where they connect from (IP address, user agent);
 * - `communications`: who took part in a call (participant identifiers);
 * - `activity`: what they did, as recorded (request arguments, changed values);
 * - `consent`: what they agreed to or refused, and under which notice.
 */
export const PERSONAL_DATA_CATEGORIES = ['identity', 'contact', 'network', 'communications', 'activity', 'consent'] as const;
export type PersonalDataCategory = (typeof PERSONAL_DATA_CATEGORIES)[number];

export function isPersonalDataCategory(value: string): value is PersonalDataCategory {
  return (PERSONAL_DATA_CATEGORIES as readonly string[]).includes(value);
}

export const PERSONAL_DATA_DIRECTIVE_DEFINITIONS = `
"""The field holds personal data of this category (\`identity\`, \`contact\`, \`network\`, \`communications\`, \`activity\`, \`consent\`)."""
directive @personalData(category: String!) on FIELD_DEFINITION
`;

/** Put on every field that holds personal data. */
export function PersonalData(category: PersonalDataCategory): MethodDecorator & PropertyDecorator {
  if (!isPersonalDataCategory(category)) throw new Error(`@PersonalData: ${String(category)} is not a personal data category`);
  return Directive(`@personalData(category: ${JSON.stringify(category)})`);
}
