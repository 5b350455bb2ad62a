/** The test broker itself: librdkafka's mock cluster speaks enough Kafka for kafkajs producers and groups. */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startKafkaMock, type KafkaMock } from '../support/kafka-mock/kafka-mock';

let mock: KafkaMock;

beforeAll(async () => {
  mock = await startKafkaMock();
});

afterAll(() => mock.stop());

it('when a kafkajs producer sends to an auto-created topic, then a consumer group reads the record back', async () => {
  const kafka = new Kafka({ clientId: 'mock-check', brokers: mock.brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic: 'mock-check', acks: -1, messages: [{ key: 'k', value: 'v', headers: { h: 'x' } }] });
  await producer.disconnect();

  const consumer = kafka.consumer({
    groupId: 'mock-check',
    sessionTimeout: 6000,
    rebalanceTimeout: 6000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: 'mock-check', fromBeginning: true });
  const record = await new Promise<{ key: string; value: string; header: string }>((resolve) => {
    void consumer.run({
      eachMessage: ({ message }) =>
        Promise.resolve(
          resolve({ key: String(message.key), value: String(message.value), header: String(message.headers?.h) }),
        ),
    });
  });
  await consumer.disconnect();

  expect(record).toEqual({ key: 'k', value: 'v', header: 'x' });
});
