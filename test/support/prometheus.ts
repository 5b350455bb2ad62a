/** Real Prometheus tools from Debian: `promtool check metrics` and a Pushgateway on loopback. */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './processes';

export function promtoolCheckMetrics(exposition: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
    child.stdin.end(exposition);
  });
}

export interface Pushgateway {
  readonly url: string;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export async function startPushgateway(): Promise<Pushgateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // In memory only: Debian's default persistence file would carry groups from one test (and run) to the next.
  const child: ChildProcess = spawn(
    'prometheus-pushgateway',
    [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file='],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let attempt = 0; ; attempt += 1) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      if (attempt > 100) throw new Error('pushgateway did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The value of the first sample of `name` whose labels include `labels` (order-insensitive); undefined if none. */
export function sampleValue(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}

/** The sum of every sample of `name`, whatever its labels; 0 if none. */
export function sampleSum(exposition: string, name: string): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{.*\})? (\S+)$/.exec(line);
    if (match?.[1] === name) sum += Number(match[2]);
  }
  return sum;
}
