import { GraphQLError } from 'graphql';
import { ServiceUnavailableError } from './errors';
import { createErrorFormatter } from './format-error';
import { createLogger } from './logger';

const logger = createLogger('silent');
const format = (error: GraphQLError, maskInternals: boolean) =>
  createErrorFormatter(logger, { hideSuggestions: maskInternals, maskInternals })(
    { message: error.message, extensions: error.extensions },
    error,
  );

describe('createErrorFormatter', () => {
  it('names the subgraph that is down outside production only', () => {
    const down = new ServiceUnavailableError('billing');
    expect(format(down, false)).toMatchObject({ message: expect.stringContaining('billing'), extensions: { service: 'billing' } });
    const masked = format(down, true);
    expect(masked.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE' });
    expect(masked.message).not.toContain('billing');
  });

  it('never passes on the subgraph name or HTTP details of an error a subgraph sent', () => {
    const passed = new GraphQLError('Organization "org_x" was not found', {
      extensions: { code: 'NOT_FOUND', resource: 'Organization', serviceName: 'identity', http: { status: 404 } },
    });
    for (const mask of [false, true]) {
      expect(format(passed, mask).extensions).toEqual({ code: 'NOT_FOUND', resource: 'Organization' });
    }
  });

  it('says introspection is not served, without naming the server, in production', () => {
    const refused = new GraphQLError(
      'GraphQL introspection is not allowed by Apollo Server, but the query contained __schema or __type. To enable introspection, pass introspection: true to ApolloServer in production',
      { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
    );
    expect(format(refused, true)).toMatchObject({
      message: 'Introspection is not served here',
      extensions: { code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });
});
