/** Starting built functions as child processes, the way `make start` and the container do. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface ChildFunction {
  readonly child: ChildProcess;
  readonly url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
}

/** Spawns `node <args>` with only the given environment (plus PATH), and waits until the port answers. */
/** `wrap`: the command as it is run (e.g. entering a memory cgroup first); the pid stays node's when it execs. */
export async function startChild(
  args: string[],
  env: Record<string, string>,
  port: number,
  wrap: (command: string[]) => string[] = (command) => command,
): Promise<ChildFunction> {
  const [file = process.execPath, ...rest] = wrap([process.execPath, ...args]);
  const child = spawn(file, rest, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${url}/livez`, exited, () => err);
  return { child, url, stdout: () => out, stderr: () => err, exited };
}

async function waitUntilAnswering(url: string, exited: Promise<unknown>, stderr: () => string): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (done) throw new Error(`process exited before answering: ${stderr()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`no answer from ${url}`);
}

/** Runs `node <args>` to its end (with `input` on its stdin, if given) and returns its exit code and output. */
export function runToEnd(
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (input !== undefined) child.stdin?.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Holds a port open on every interface, as another program on the machine would, until released. */
export async function holdPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The one-line answer to a busy port: exit non-zero, one line naming PORT=, no stack trace. */
export function expectOneLinePortHint(
  result: { code: number | null; stdout: string; stderr: string },
  port: number,
): void {
  const lines = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(`port ${port}`);
  expect(lines[0]).toContain('PORT=');
  expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
}
