/** The README is a short front door, and every link in it and in docs/ leads somewhere that exists. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const docs = readdirSync(join(root, 'docs'))
  .filter((file) => file.endsWith('.md'))
  .map((file) => join('docs', file));

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const headings = [...markdown.matchAll(/^#+ (.+)$/gm)].map((match) => match[1] ?? '');
  return new Set(
    headings.map((heading) =>
      heading
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );
}

function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z]+:/.test(target));
}

describe('README.md', () => {
  it('when read, then it is at most 200 lines with Prerequisites (one apt-get install line) and Quick start', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
    expect(readme).toMatch(/^## Prerequisites$/m);
    expect(readme.match(/apt-get install/g)).toHaveLength(1);
    expect(readme).toMatch(/^## Quick start$/m);
    expect(readme).toContain('make dev');
    expect(readme).toContain('make test');
  });

  it('when its contents list is followed, then it names every section, and every page in docs/ is linked', () => {
    const sections = [...readme.matchAll(/^## (.+)$/gm)]
      .map((match) => match[1])
      .filter((title) => title !== 'Contents');
    for (const title of sections) expect(readme).toContain(`](#${[...anchors(`## ${title ?? ''}`)][0] ?? ''})`);
    for (const page of docs) expect(readme).toContain(`](${page})`);
  });
});

describe.each([['README.md'], ...docs.map((page) => [page])])('the links of %s', (page) => {
  it('when followed, then each file and heading exists', () => {
    const text = readFileSync(join(root, page), 'utf8');
    for (const link of relativeLinks(text)) {
      const [file = '', anchor] = link.split('#');
      const target = file === '' ? join(root, page) : resolve(dirname(join(root, page)), file);
      expect({ link, exists: existsSync(target) }).toEqual({ link, exists: true });
      if (anchor !== undefined && target.endsWith('.md'))
        expect({ link, found: anchors(readFileSync(target, 'utf8')).has(anchor) }).toEqual({ link, found: true });
    }
  });
});
