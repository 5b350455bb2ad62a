/**
 * Renders the settings tables of docs/configuration.md from the schemas, so the docs cannot drift from the
 * code: the common settings, then one table per fragment, each saying which functions read it.
 */
import type { ValidatorSpec } from 'envalid';
import type { AnySettingsFragment, FunctionSettings } from './settings';
import { typeNameOf } from './validators';

type SpecView = {
  choices?: readonly unknown[];
  default?: unknown;
  desc?: string;
  requiredWhen?: unknown;
  _parse: (input: string) => unknown;
};

/** One section per fragment, in the order the functions first use them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any function's schema (see AnySettingsFragment)
export function configTables(functions: readonly FunctionSettings<any>[]): string {
  const fragments: AnySettingsFragment[] = [];
  for (const fn of functions)
    for (const fragment of fn.fragments) if (!fragments.includes(fragment)) fragments.push(fragment);
  return fragments
    .map((fragment) => {
      const readers = functions.filter((fn) => fn.fragments.includes(fragment)).map((fn) => `\`${fn.name}\``);
      const who = readers.length === functions.length ? 'every function' : readers.join(', ');
      return [`### \`${fragment.owner}\``, '', `Read by ${who}.`, '', configTable(fragment)].join('\n');
    })
    .join('\n\n');
}

export function configTable(fragment: AnySettingsFragment): string {
  const secrets = new Set<string>(fragment.secrets ?? []);
  const specs = fragment.specs as Readonly<Record<string, ValidatorSpec<unknown>>>;
  const rows = Object.entries(specs).map(([name, spec]) => {
    const view = spec as SpecView;
    const type = view.choices ? view.choices.join(' | ') : (typeNameOf(spec) ?? 'string');
    const description = `${view.desc ?? ''}${secrets.has(name) ? ' **Secret.**' : ''}`;
    return `| ${[`\`${name}\``, type, defaultOf(fragment, name, view), description].map(escapeCell).join(' | ')} |`;
  });
  return ['| Setting | Type | Default | Description |', '|---|---|---|---|', ...rows].join('\n');
}

function defaultOf(fragment: AnySettingsFragment, name: string, spec: SpecView): string {
  const local = (fragment.localDefaults as Readonly<Record<string, string>> | undefined)?.[name];
  const note = (fragment.requiredWhen as Readonly<Record<string, string>> | undefined)?.[name];
  const required = !('default' in spec) || spec.requiredWhen !== undefined;
  if (local !== undefined) return `${required ? (note ?? 'required') : '—'}; local: \`${local}\``;
  if (spec.requiredWhen !== undefined) return note ?? 'required outside local';
  if (required) return note ?? 'required';
  return spec.default === undefined ? '—' : `\`${shown(spec.default)}\``;
}

function shown(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
