/** Node's major is declared once (.nvmrc); package.json and the image agree with it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const NODE_MAJOR = read('.nvmrc').trim();

it('when .nvmrc is read, then it holds one major version', () => {
  expect(NODE_MAJOR).toMatch(/^\d+$/);
});

it("when package.json's engines are read, then they require that major or newer", () => {
  expect((JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node).toBe(`>=${NODE_MAJOR}`);
});

it("when the Dockerfile is read, then every stage's base image is that major and a build step checks it against .nvmrc", () => {
  const dockerfile = read('Dockerfile');
  const bases = [...dockerfile.matchAll(/^FROM node:(\d+)-/gm)].map((match) => match[1]);

  expect(bases.length).toBeGreaterThan(0);
  expect(new Set(bases)).toEqual(new Set([NODE_MAJOR]));
  expect(dockerfile).toMatch(/^COPY \.nvmrc /m);
  expect(dockerfile).toMatch(/^RUN test "\$\(node -p .+\)" = "\$\(cat \.nvmrc\)"/m);
});
