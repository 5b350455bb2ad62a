/**
 * How every Kafka client of ours reaches the brokers: the same brokers, TLS and SASL for the publisher and for
 * health's check, so that health reports what the publisher will meet. Each adds its own timeouts.
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { Config } from '../config';
import type { eventPeerSpecs } from './settings';

export type KafkaConnectionConfig = Pick<
  Config<typeof eventPeerSpecs>,
  'KAFKA_CLIENT_ID' | 'KAFKA_SSL' | 'KAFKA_SASL_MECHANISM' | 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD'
>;

/** The connection part of a kafkajs client's options; `clientSuffix` names a client other than the publisher. */
export function kafkaConnection(
  config: KafkaConnectionConfig,
  brokers: string,
  clientSuffix = '',
): Pick<KafkaConfig, 'clientId' | 'brokers' | 'ssl' | 'sasl'> {
  return {
    clientId: `${config.KAFKA_CLIENT_ID}${clientSuffix}`,
    brokers: brokers.split(',').map((broker) => broker.trim()),
    ssl: config.KAFKA_SSL,
    ...(config.KAFKA_SASL_MECHANISM ? { sasl: sasl(config) } : {}),
  };
}

function sasl(config: KafkaConnectionConfig): SASLOptions {
  return {
    mechanism: config.KAFKA_SASL_MECHANISM,
    username: config.KAFKA_SASL_USERNAME ?? '',
    password: config.KAFKA_SASL_PASSWORD ?? '',
  } as SASLOptions;
}
