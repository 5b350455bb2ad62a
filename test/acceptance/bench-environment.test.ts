/**
 * The benchmarks and the soak run every candidate as the image and the pod run send-mail: with the
 * Dockerfile's preloaded allocator, under the production pod's memory limit (test/support/image.ts,
 * pod.ts). These check that the environment they build is the one they claim.
 */
import { spawnSync } from 'node:child_process';
import { imageAllocatorEnv, imageRuntimeEnv } from '../support/image';
import { memoryCgroup, podSettings, quantityBytes } from '../support/pod';

describe("when the image's runtime stage is read", () => {
  it('then it names the allocator it preloads, and keeps NODE_ENV=production', () => {
    expect(imageRuntimeEnv()).toMatchObject({ NODE_ENV: 'production', LD_PRELOAD: 'libjemalloc.so.2' });
    expect(imageAllocatorEnv()).toEqual({ LD_PRELOAD: 'libjemalloc.so.2' });
  });

  it('then a Node started with that environment has the allocator mapped', () => {
    const run = spawnSync(
      process.execPath,
      ['-e', "process.stdout.write(require('fs').readFileSync('/proc/self/maps', 'utf8'))"],
      { env: { PATH: process.env.PATH ?? '', ...imageAllocatorEnv() }, encoding: 'utf8' },
    );

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/\/libjemalloc\.so\.2$/m);
  });
});

describe('when a Kubernetes memory quantity is read', () => {
  it.each([
    ['384Mi', 384 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['64Ki', 64 * 1024],
    ['500M', 500e6],
    ['1000', 1000],
  ])('then %s is %d bytes', (quantity, bytes) => {
    expect(quantityBytes(quantity)).toBe(bytes);
  });

  it('then anything else is refused', () => {
    expect(() => quantityBytes('lots')).toThrow();
  });
});

describe("when the benchmarks take send-mail's production pod", () => {
  const pod = podSettings('knative/overlays/production', 'send-mail');

  it('then its memory limit and NODE_OPTIONS are what the production overlay renders', () => {
    expect(pod.memoryLimit).toBe('384Mi');
    expect(pod.nodeOptions).toMatch(/--max-semi-space-size=\d+/);
  });

  it('then a Node started with those NODE_OPTIONS accepts them', () => {
    const { nodeOptions } = pod;
    const run = spawnSync(process.execPath, ['-e', "process.stdout.write(process.env.NODE_OPTIONS ?? '')"], {
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: nodeOptions ?? '' },
      encoding: 'utf8',
    });

    expect(run.status).toBe(0);
    expect(run.stdout).toBe(nodeOptions);
  });

  it('then a Node started in the cgroup sees that limit as its constrained memory, and sizes its heap from it', () => {
    const bytes = quantityBytes('384Mi');
    const cgroup = memoryCgroup(bytes);
    if (cgroup instanceof Error) throw cgroup;
    const script =
      "const v8 = require('v8'); process.stdout.write(JSON.stringify({ limit: process.constrainedMemory(), heap: v8.getHeapStatistics().heap_size_limit }))";
    try {
      const [file, ...args] = cgroup.wrap([process.execPath, '-e', script]);
      const inside = spawnSync(file ?? 'sh', args, { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
      const outside = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });

      expect(inside.status).toBe(0);
      const limited = JSON.parse(inside.stdout) as { limit: number; heap: number };
      const free = JSON.parse(outside.stdout) as { limit: number; heap: number };
      expect(limited.limit).toBe(bytes);
      expect(free.heap).toBeGreaterThan(limited.heap);
    } finally {
      cgroup.remove();
    }
  });
});
