import type { SubgraphContext } from '../kernel/context';
import type { IdentityLoaders } from './loaders';
import type { IdentityServices } from './services';

export type IdentityContext = SubgraphContext<IdentityServices, IdentityLoaders>;
