import type { SubgraphContext } from '../../platform/context';
import type { AuthzLoaders } from './loaders';
import type { AuthzServices } from './services';

export type AuthzContext = SubgraphContext<AuthzServices, AuthzLoaders>;
