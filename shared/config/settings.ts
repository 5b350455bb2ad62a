/**
 * Settings by owner. shared/config declares what every function needs (schema.ts); a concern used by
 * several functions declares a fragment next to its code (shared/auth/settings.ts); each function declares
 * its own next to its code (functions/<name>/settings.ts) and composes them with `composeSettings`. The
 * loader validates the composition as one schema, and the docs render one table per fragment.
 */
import type { OptionalValidatorSpec, RequiredValidatorSpec, ValidatorSpec } from 'envalid';
import { inFlightBodyProblems } from './budget';
import { commonSpecs, type CommonSpecs } from './schema';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- envalid's specs are invariant in their value type
export type Specs = Readonly<Record<string, ValidatorSpec<any>>>;

/** The values of a schema as envalid parses them: a setting without a default may be undefined. */
export type SettingsOf<S> = {
  readonly [K in keyof S]: S[K] extends OptionalValidatorSpec<infer U>
    ? U | undefined
    : S[K] extends RequiredValidatorSpec<infer U>
      ? U
      : never;
};

export type LogFormat = 'ecs' | 'pretty';

/** The validated settings of a function: LOG_FORMAT is always resolved. */
export type Config<S extends Specs = CommonSpecs> = Readonly<
  Omit<SettingsOf<S>, 'LOG_FORMAT'> & { LOG_FORMAT: LogFormat }
>;

/** Names of a schema's settings, as strings. */
type NameOf<S> = keyof S & string;

export interface SettingsFragment<S extends Specs = Specs> {
  /** Who declares these settings, e.g. `shared/auth`; the heading of their table in docs/configuration.md. */
  readonly owner: string;
  readonly specs: S;
  /** Settings whose values are never printed, and which the manifests take only from a Secret. */
  readonly secrets?: readonly NameOf<S>[];
  /** Embedded defaults for ENVIRONMENT=local only, so that `make dev` runs from nothing. */
  readonly localDefaults?: Readonly<Partial<Record<NameOf<S>, string>>>;
  /** When a conditionally required setting is required, for the generated docs. */
  readonly requiredWhen?: Readonly<Partial<Record<NameOf<S>, string>>>;
  /** Rules across settings, judged once each setting is valid on its own; one line per problem. */
  readonly rules?: SettingsRule<S & CommonSpecs>;
}

/** A rule across settings. Bivariant (a method's type), so a fragment's rule fits any composition holding it. */
export type SettingsRule<S extends Specs> = { check(config: Config<S>): string[] }['check'];

/** A function's whole schema: the common settings, the fragments it uses and its own. */
export interface FunctionSettings<S extends Specs = Specs> {
  readonly name: string;
  /** The common fragment first, then the others in the order given. */
  readonly fragments: readonly AnySettingsFragment[];
  readonly specs: S;
  readonly secrets: ReadonlySet<string>;
  readonly localDefaults: Readonly<Record<string, string>>;
  readonly rules: readonly SettingsRule<S>[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema: a rule's config type is exact, so no wider schema type fits
export type AnyFunctionSettings = FunctionSettings<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export type AnySettingsFragment = SettingsFragment<any>;
type UnionToIntersection<U> = (U extends unknown ? (union: U) => void : never) extends (intersection: infer I) => void
  ? I
  : never;
type SpecsOfAll<F extends readonly AnySettingsFragment[]> = UnionToIntersection<
  F[number] extends infer X ? (X extends SettingsFragment<infer S> ? S : never) : never
>;

/** The common settings as a fragment: the first of every composition. */
export const commonSettings: SettingsFragment<CommonSpecs> = {
  owner: 'shared/config',
  specs: commonSpecs,
  rules: (config) => inFlightBodyProblems(config, { bytes: config.MAX_BODY_BYTES, from: 'MAX_BODY_BYTES' }),
};

/** Typed identity: declares a fragment, checking its secrets, local defaults and notes name its own settings. */
export function defineSettings<S extends Specs>(fragment: SettingsFragment<S>): SettingsFragment<S> {
  return fragment;
}

/**
 * The common settings plus the given fragments, as one schema. A setting declared by two fragments (e.g.
 * SMTP_URL, which send-mail delivers to and health checks) must be declared alike; the later one is kept.
 */
export function composeSettings<const F extends readonly AnySettingsFragment[]>(
  name: string,
  fragments: F,
  rules: readonly SettingsRule<CommonSpecs & SpecsOfAll<F>>[] = [],
): FunctionSettings<CommonSpecs & SpecsOfAll<F>> {
  type S = CommonSpecs & SpecsOfAll<F>;
  const all: readonly AnySettingsFragment[] = [commonSettings, ...fragments];
  const fragmentRules = all.flatMap((fragment): SettingsRule<S>[] => (fragment.rules ? [fragment.rules] : []));
  return {
    name,
    fragments: all,
    specs: Object.assign({}, commonSpecs, ...fragments.map((fragment) => fragment.specs as Specs)) as S,
    secrets: new Set(all.flatMap((fragment) => fragment.secrets ?? [])),
    localDefaults: Object.assign({}, ...all.map((fragment) => fragment.localDefaults ?? {})) as Record<string, string>,
    rules: [...fragmentRules, ...rules],
  };
}

type SpecsOfFunctions<L extends readonly AnyFunctionSettings[]> = Extract<
  UnionToIntersection<L[number] extends infer X ? (X extends FunctionSettings<infer S> ? S : never) : never>,
  Specs
>;

/**
 * One schema for a host of several functions in one process (the dev server, the tests): every setting,
 * secret, local default and rule of each, once.
 */
export function unionSettings<const L extends readonly AnyFunctionSettings[]>(
  name: string,
  functions: L,
): FunctionSettings<SpecsOfFunctions<L>> {
  const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];
  return {
    name,
    fragments: unique(functions.flatMap((fn) => fn.fragments)),
    specs: Object.assign({}, ...functions.map((fn) => fn.specs as Specs)) as SpecsOfFunctions<L>,
    secrets: new Set(functions.flatMap((fn) => [...fn.secrets])),
    localDefaults: Object.assign({}, ...functions.map((fn) => fn.localDefaults)) as Record<string, string>,
    rules: unique(functions.flatMap((fn) => fn.rules)),
  };
}
