import { Kind, isInterfaceType, isObjectType } from 'graphql';
import type { ConstDirectiveNode, GraphQLSchema } from 'graphql';

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

/**
 * The subgraphs of a composed supergraph whose fields carry `@personalData` but that do not
 * answer the data-subject contract (`_<subgraph>DataSubjectExport` and `…Erase`, see
 * data-subject.ts): a field belongs to the graphs its `@join__field` names, else its type's
 * `@join__type`.
 */
export function subgraphsWithoutContract(supergraph: GraphQLSchema): string[] {
  const holders = new Set<string>();
  const graphsOf = (directives: readonly ConstDirectiveNode[] | undefined, name: string) =>
    (directives ?? [])
      .filter((directive) => directive.name.value === name)
      .map((directive) => directive.arguments?.find((argument) => argument.name.value === 'graph')?.value)
      .filter((value) => value?.kind === Kind.ENUM)
      .map((value) => (value as { value: string }).value.toLowerCase());
  for (const type of Object.values(supergraph.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    const typeGraphs = [type.astNode, ...type.extensionASTNodes].flatMap((node) => graphsOf(node?.directives, 'join__type'));
    for (const field of Object.values(type.getFields())) {
      if (!field.astNode?.directives?.some((directive) => directive.name.value === 'personalData')) continue;
      const fieldGraphs = graphsOf(field.astNode.directives, 'join__field');
      for (const graph of fieldGraphs.length > 0 ? fieldGraphs : typeGraphs) holders.add(graph);
    }
  }
  const queries = supergraph.getQueryType()?.getFields() ?? {};
  const mutations = supergraph.getMutationType()?.getFields() ?? {};
  return [...holders].filter((graph) => !queries[`_${graph}DataSubjectExport`] || !mutations[`_${graph}DataSubjectErase`]).sort();
}
