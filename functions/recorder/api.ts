/** recorder has no public API: only Knative Eventing delivers to it, inside the cluster. */
import type { ApiDescription } from '../../openapi/parts';

export const recorderApi: ApiDescription = { tags: [], paths: {} };
