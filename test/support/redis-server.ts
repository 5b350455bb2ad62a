/**
 * A real Redis (Debian's redis-server) on a free loopback port for acceptance tests: no persistence
 * (`--save '' --appendonly no`), stopped after the file. It can be stopped and started again on the same
 * port mid-test (a Redis outage), frozen and thawed (SIGSTOP/SIGCONT: connections stay open, commands wait
 * unread), and read directly (what the key store wrote).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './processes';

export interface TestRedisServer {
  readonly url: string;
  readonly port: number;
  /** A client of the tests' own, for reading and planting keys. */
  client(): Redis;
  /** Empties the database (between tests). */
  reset(): Promise<void>;
  /** Stops the server (SIGKILL: an outage, not a shutdown); `start` brings it back on the same port, empty. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP: the server stops reading and answering; what clients write waits in its socket. */
  freeze(): void;
  /** SIGCONT: it runs again, and executes what waited, in order. */
  thaw(): void;
  stop(): Promise<void>;
}

export async function startRedisServer(): Promise<TestRedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let client: Redis | undefined;
  const start = async (): Promise<void> => {
    const spawned = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = spawned;
    let output = '';
    spawned.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    spawned.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForPing(port, spawned, () => output);
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGCONT'); // a frozen one too
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    client: () => {
      if (client === undefined) {
        client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
        client.on('error', () => undefined); // across a kill: it reconnects
      }
      return client;
    },
    reset: async () => {
      const probe = new Redis(port, '127.0.0.1');
      try {
        await probe.flushall();
      } finally {
        probe.disconnect();
      }
    },
    kill,
    start,
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    stop: async () => {
      client?.disconnect();
      await kill();
    },
  };
}

async function waitForPing(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${output()}`);
    const probe = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 25));
    } finally {
      probe.disconnect();
    }
  }
  throw new Error(`redis-server on port ${port} never answered: ${output()}`);
}
