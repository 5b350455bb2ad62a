import type { ValidatorSpec } from 'envalid';
import { FUNCTIONS } from '../../../../functions/catalog';
import { typeNameOf } from '../../../../shared/config/validators';

it('issue 27: when the configuration tables are generated, then every setting of every function has a named type (a number is not shown as a string)', async () => {
  const unnamed: string[] = [];
  for (const fn of FUNCTIONS) {
    const settings = await fn.loadSettings();
    for (const [name, spec] of Object.entries(settings.specs as Record<string, ValidatorSpec<unknown>>))
      if (typeNameOf(spec) === undefined && (spec as { choices?: unknown }).choices === undefined)
        unnamed.push(`${fn.name}: ${name}`);
  }

  expect(unnamed).toEqual([]);
  const specs = (await FUNCTIONS.find((fn) => fn.name === 'send-mail')?.loadSettings())?.specs as
    Record<string, ValidatorSpec<unknown>> | undefined;
  const tolerance = specs?.AUTH_CLOCK_TOLERANCE_SECONDS;
  expect(tolerance && typeNameOf(tolerance)).toBe('number');
});
