/**
 * Test helper: a real Kafka-protocol broker backed by librdkafka's mock
 * cluster (see kafka-mock.c). Node built-ins only; CommonJS-compatible.
 *
 *   const kafka = await startKafkaMock({ brokers: 1 });
 *   new Kafka({ brokers: kafka.brokers, ... });
 *   await kafka.brokerDown(1); ...; await kafka.stop();
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const SOURCE = path.join(__dirname, 'kafka-mock.c');
const DEFAULT_BIN_DIR = path.join(os.tmpdir(), 'kafka-harness-bin');

export interface KafkaMockOptions {
  /** Number of mock brokers, ids 1..n (default 1). */
  brokers?: number;
  /** Where the compiled binary is cached (default: $TMPDIR/kafka-harness-bin). */
  binDir?: string;
  /** Max wait for the BOOTSTRAP line (default 10s). */
  startTimeoutMs?: number;
  /** Forward the mock's stderr (librdkafka logs) to this process's stderr. */
  inheritStderr?: boolean;
}

export interface KafkaMock {
  /** Comma-separated host:port list, as printed by the mock. */
  readonly bootstrap: string;
  /** The same list split for kafkajs' `brokers` option. */
  readonly brokers: string[];
  readonly pid: number;
  /** Send one raw command line; resolves on OK, rejects on ERR. */
  command(line: string): Promise<void>;
  brokerDown(id: number): Promise<void>;
  brokerUp(id: number): Promise<void>;
  createTopic(name: string, partitions: number, replication?: number): Promise<void>;
  /** Next `count` requests of this Kafka ApiKey (0 = Produce) fail with `errorCode`. */
  pushErrors(apiKey: number, count: number, errorCode: number): Promise<void>;
  clearErrors(apiKey: number): Promise<void>;
  setRtt(brokerId: number, ms: number): Promise<void>;
  /** Send quit and wait for exit; SIGKILL after `timeoutMs` (default 5s). */
  stop(timeoutMs?: number): Promise<void>;
}

async function mtimeMs(file: string): Promise<number | undefined> {
  try {
    return (await fs.stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

async function rdkafkaFlags(): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync('pkg-config', ['--cflags', '--libs', 'rdkafka']);
    const flags = stdout.trim().split(/\s+/).filter(Boolean);
    if (flags.length > 0) return flags;
  } catch {
    // pkg-config missing or no rdkafka.pc: fall through to the plain library flag.
  }
  return ['-lrdkafka'];
}

/** Compile kafka-mock.c into outDir unless an up-to-date binary exists; returns its path. */
export async function buildKafkaMock(outDir: string): Promise<string> {
  const bin = path.join(outDir, 'kafka-mock');
  const [srcTime, binTime] = await Promise.all([mtimeMs(SOURCE), mtimeMs(bin)]);
  if (srcTime === undefined) throw new Error(`kafka-mock source not found: ${SOURCE}`);
  if (binTime !== undefined && binTime >= srcTime) return bin;

  await fs.mkdir(outDir, { recursive: true });
  // Build to a unique name then rename, so parallel test workers never run a half-written file.
  const tmp = `${bin}.${process.pid}.${Date.now()}.tmp`;
  const args = ['-O2', '-Wall', '-o', tmp, SOURCE, ...(await rdkafkaFlags())];
  try {
    await execFileAsync('cc', args);
    await fs.rename(tmp, bin);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    const e = err as { stderr?: string; message: string };
    throw new Error(
      `failed to build kafka-mock (is librdkafka-dev installed?): cc ${args.join(' ')}\n${e.stderr ?? e.message}`,
    );
  }
  return bin;
}

type Pending = { resolve: () => void; reject: (e: Error) => void; line: string };

/** Build (if needed) and start a mock cluster, resolving once it prints its bootstrap list. */
export async function startKafkaMock(opts: KafkaMockOptions = {}): Promise<KafkaMock> {
  const brokerCount = opts.brokers ?? 1;
  if (!Number.isInteger(brokerCount) || brokerCount < 1) throw new Error(`bad broker count: ${brokerCount}`);
  const bin = await buildKafkaMock(opts.binDir ?? DEFAULT_BIN_DIR);

  const child: ChildProcess = spawn(bin, [String(brokerCount)], {
    stdio: ['pipe', 'pipe', opts.inheritStderr ? 'inherit' : 'pipe'],
  });
  let stderrTail = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderrTail = (stderrTail + d.toString()).slice(-4000);
  });
  // Writing to a dead child's stdin emits EPIPE; the exit handler reports it instead.
  child.stdin!.on('error', () => {});

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  const pending: Pending[] = [];
  const lines = createInterface({ input: child.stdout! });

  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kafka-mock did not start within ${opts.startTimeoutMs ?? 10000}ms\n${stderrTail}`));
    }, opts.startTimeoutMs ?? 10000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`kafka-mock exited early (code ${code})\n${stderrTail}`));
    });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = /^BOOTSTRAP (\S+)$/.exec(line);
      if (m?.[1]) resolve(m[1]);
      else reject(new Error(`unexpected first line from kafka-mock: ${line}`));
    });
  });

  // Replies arrive strictly in order, one per command.
  lines.on('line', (line) => {
    const p = pending.shift();
    if (!p) return;
    if (line === 'OK') p.resolve();
    else p.reject(new Error(`kafka-mock "${p.line}": ${line.replace(/^ERR /, '')}`));
  });
  void exited.then((code) => {
    hasExited = true;
    for (const p of pending.splice(0))
      p.reject(new Error(`kafka-mock exited (code ${code}) before answering "${p.line}"`));
  });

  const command = (line: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (hasExited) return reject(new Error(`kafka-mock has exited; cannot run "${line}"`));
      if (/[\r\n]/.test(line)) return reject(new Error('command must be a single line'));
      pending.push({ resolve, reject, line });
      child.stdin!.write(`${line}\n`);
    });

  // Don't leave a broker running if the test process exits without stop().
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (timeoutMs = 5000): Promise<void> =>
    (stopping ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (!hasExited) {
        command('quit').catch(() => {});
        child.stdin!.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      lines.close();
    })());

  return {
    bootstrap,
    brokers: bootstrap.split(','),
    pid: child.pid!,
    command,
    brokerDown: (id) => command(`down ${id}`),
    brokerUp: (id) => command(`up ${id}`),
    createTopic: (name, partitions, replication = 1) => command(`topic ${name} ${partitions} ${replication}`),
    pushErrors: (apiKey, count, errorCode) => command(`error ${apiKey} ${count} ${errorCode}`),
    clearErrors: (apiKey) => command(`clear ${apiKey}`),
    setRtt: (brokerId, ms) => command(`rtt ${brokerId} ${ms}`),
    stop,
  };
}
