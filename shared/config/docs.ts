/** Renders the settings table of docs/configuration.md from the schema, so the docs cannot drift from the code. */
import { localDefaults, requiredWhenNotes, schema, secretSettings, typeNames, type SettingName } from './schema';

type SpecView = { _parse?: unknown; choices?: readonly unknown[]; default?: string | number | boolean; desc?: string; requiredWhen?: unknown };

export function configTable(): string {
  const rows = (Object.keys(schema) as SettingName[]).map((name) => {
    const spec = schema[name] as SpecView;
    const type = spec.choices ? spec.choices.join(' | ') : (typeNames.get(spec._parse) ?? 'string');
    const description = `${spec.desc ?? ''}${secretSettings.has(name) ? ' **Secret.**' : ''}`;
    return `| ${[`\`${name}\``, type, defaultOf(name, spec), description].map(escapeCell).join(' | ')} |`;
  });
  return ['| Setting | Type | Default | Description |', '|---|---|---|---|', ...rows].join('\n');
}

function defaultOf(name: SettingName, spec: SpecView): string {
  const local = localDefaults[name];
  if (local !== undefined) return `required; local: \`${local}\``;
  if (spec.requiredWhen) return requiredWhenNotes[name] ?? 'required outside local';
  return spec.default === undefined ? '—' : `\`${String(spec.default)}\``;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
