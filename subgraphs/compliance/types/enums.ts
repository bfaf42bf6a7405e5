import { registerEnumType } from 'type-graphql';
import { ConsentSource, ConsentState } from '../entities/consent-record.entity';

registerEnumType(ConsentState, { name: 'ConsentState', description: 'Whether the person consents to the purpose.' });
registerEnumType(ConsentSource, {
  name: 'ConsentSource',
  description: 'Where a consent came from.',
  valuesConfig: {
    WEB: { description: 'The person, in the product.' },
    API: { description: 'The person, through a client of the API.' },
    IMPORT: { description: 'Recorded for the person by an owner or admin, from other records (a paper form, an earlier system).' },
  },
});

export { ConsentSource, ConsentState };
