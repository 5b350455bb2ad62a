/**
 * recorder's identity: name, functions-framework target (a `cloudEvent` function) and no public path: only
 * Knative Eventing (a KafkaSource or a Broker's Trigger) delivers to it, inside the cluster.
 */
export const identity = {
  name: 'recorder',
  target: 'recorder',
  publicPaths: [],
} as const;
