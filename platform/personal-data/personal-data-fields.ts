import { isInterfaceType, isObjectType } from 'graphql';
import type { GraphQLSchema } from 'graphql';

/**
 * Field names that usually hold something about a person: an email address, a person's name,
 * an IP address, a phone number, a user agent, who took part in a call, what they said.
 */
const LOOKS_PERSONAL =
  /^(e?mail|\w*Email|name|\w*Name|ip|\w*Ip|ipAddress|\w*IpAddress|phone\w*|\w*Phone|userAgent|participants|transcript\w*|notes?)$/;

/** `Type.field` of every object or interface field whose name looks personal and that carries no `@personalData`, minus `notPersonal`. */
export function unmarkedPersonalFields(schema: GraphQLSchema, notPersonal: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      if (!LOOKS_PERSONAL.test(field.name) || notPersonal.has(coordinate)) continue;
      const marked = field.astNode?.directives?.some((directive) => directive.name.value === 'personalData') ?? false;
      if (!marked) found.push(coordinate);
    }
  }
  return found.sort();
}
