/**
 * A function's pod as the benchmarks reproduce it: its memory limit and NODE_OPTIONS, read from a rendered
 * overlay, and a child process under that limit, as a pod's container is: a cgroup (v1 memory controller)
 * of its own with memory.limit_in_bytes set. Node reads that limit at start (process.constrainedMemory()) and V8 sizes
 * its heap from it, so a process run here grows its young and old generations as it would in the pod, not as
 * on a 24 GiB machine. Used by the benchmarks and the soak for every candidate alike.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from './manifests';
import { isKnativeService, literalEnv, type KnativeService } from './service-settings';

export interface MemoryCgroup {
  /** Wraps a command so that it enters the cgroup, then execs (the pid stays the command's). */
  wrap(command: string[]): string[];
  /** The most memory its processes used together so far (the kernel's high-water mark), in bytes. */
  peakBytes(): number;
  /** Removes the cgroup once its processes are gone. */
  remove(): void;
}

const V1_ROOT = '/sys/fs/cgroup/memory';
let created = 0;

/** The cgroup v1 memory directory this process runs in, or why there is none. */
function ownMemoryCgroup(): string | Error {
  try {
    const line = readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((entry) => entry.split(':')[1]?.split(',').includes('memory'));
    if (!line) return new Error('no cgroup v1 memory controller');
    return join(V1_ROOT, line.split(':').slice(2).join(':'));
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** A new cgroup limited to `bytes`, or the reason none can be made here (not root, no v1 memory controller). */
export function memoryCgroup(bytes: number): MemoryCgroup | Error {
  const parent = ownMemoryCgroup();
  if (parent instanceof Error) return parent;
  // A random part too: a cgroup left behind by an earlier run (a process outlived its stop) may carry a pid
  // this process now has, and mkdir would fail on it (seen once in CI).
  const dir = join(parent, `mailer-bench-${process.pid}-${(created += 1)}-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, 'memory.limit_in_bytes'), String(bytes));
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
  const procs = join(dir, 'cgroup.procs');
  return {
    wrap: (command) => ['sh', '-c', 'echo $$ > "$0" && exec "$@"', procs, ...command],
    peakBytes: () => Number(readFileSync(join(dir, 'memory.max_usage_in_bytes'), 'utf8').trim()),
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        // Still in use (a process outlived its stop): the next machine boot removes it.
      }
    },
  };
}

/** "384Mi", "1Gi", "500M", "1000000": a Kubernetes memory quantity in bytes. */
export function quantityBytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(quantity);
  if (!match) throw new Error(`not a memory quantity: ${quantity}`);
  const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, K: 1e3, M: 1e6, G: 1e9 };
  return Math.round(Number(match[1]) * (units[match[2] ?? ''] ?? 1));
}

/** A Knative Service's container memory limit and NODE_OPTIONS in an overlay, e.g. send-mail's in production. */
export function podSettings(
  overlay: string,
  service: string,
): { memoryLimit: string; nodeOptions?: string; containerConcurrency?: number } {
  const object = render(overlay).find((item) => isKnativeService(item) && item.metadata.name === service) as
    KnativeService | undefined;
  const container = object?.spec.template.spec.containers[0] as { resources?: { limits?: { memory?: string } } };
  const memoryLimit = container?.resources?.limits?.memory;
  if (!object || !memoryLimit) throw new Error(`${overlay}: Service ${service} has no memory limit`);
  const nodeOptions = literalEnv(object).NODE_OPTIONS;
  const { containerConcurrency } = object.spec.template.spec as { containerConcurrency?: number };
  return {
    memoryLimit,
    ...(nodeOptions === undefined ? {} : { nodeOptions }),
    ...(containerConcurrency === undefined ? {} : { containerConcurrency }),
  };
}
