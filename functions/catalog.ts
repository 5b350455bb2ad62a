/**
 * The one list of functions. Everything that deals with "every function" reads it: the build
 * (scripts/build.ts), the dev router (scripts/dev.ts), the compile-cache warm-up (through the build's
 * dist/functions.txt), the OpenAPI build (scripts/build-openapi.ts), `make start` (its FUNCTION check) and the
 * manifest tests (each Service, its command, and the HTTPRoute against `publicPaths`).
 *
 * Importing this file loads no function: each entry loads its app and its API description on demand, so a
 * script that needs one function (or none) never loads the others' dependencies. For the same reason no
 * function imports this file (a bundle would then hold every function).
 *
 * Each function's name, target and public paths are its identity.ts (no imports), read here and by its app.
 *
 * Adding a function: one entry here, its folder (identity.ts, app.ts, api.ts, main.ts, framework-entry.ts), its Knative
 * Service in knative/base/ (+ its line in kustomization.yaml) and its paths in knative/base/httproute.yaml;
 * the tests fail until the manifests agree with this list.
 */
import type { DestinationStream } from 'pino';
import type { Config, FunctionSettings, Specs } from '../shared/config';
import type { FunctionApp } from '../shared/http';
import type { ApiDescription } from '../openapi/parts';
import { identity as docs } from './docs/identity';
import { identity as feedback } from './feedback/identity';
import { identity as health } from './health/identity';
import { identity as recorder } from './recorder/identity';
import { identity as records } from './records/identity';
import { identity as sendMail } from './send-mail/identity';

/** A path the public HTTPRoute sends to the function, with Gateway API match semantics. */
export interface PublicPath {
  /** Exact: the path itself; PathPrefix: the path and everything below it (`/schemas`, `/schemas/x`). */
  readonly type: 'Exact' | 'PathPrefix';
  readonly value: string;
}

/** Builds the function from its own settings (`S`: its schema). */
export type AppFactory<S extends Specs> = (config: Config<S>, logDestination?: DestinationStream) => FunctionApp;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of functions, each with its own schema
export type AnyFunctionEntry = FunctionEntry<any>;

export interface FunctionEntry<S extends Specs> {
  /** The Knative Service, the dist/ folder and the logs' service.name, e.g. `send-mail`. */
  readonly name: string;
  /** The functions-framework target, e.g. `sendMail` (`functions-framework --target=…`). */
  readonly target: string;
  readonly publicPaths: readonly PublicPath[];
  /** `launcher`: our host, the container's command; `framework`: registers with the stock framework CLI. */
  readonly entries: { readonly launcher: string; readonly framework: string };
  /** Its settings: the common ones composed with its own (functions/<name>/settings.ts). */
  loadSettings(): Promise<FunctionSettings<S>>;
  loadApp(): Promise<AppFactory<S>>;
  /** The function's part of the OpenAPI spec (its paths, schemas and tags). */
  loadApi(): Promise<ApiDescription>;
}

const entries = (name: string): AnyFunctionEntry['entries'] => ({
  launcher: `functions/${name}/main.ts`,
  framework: `functions/${name}/framework-entry.ts`,
});

/** Typed identity: checks that an entry's app takes the settings it loads. */
const entry = <S extends Specs>(fn: FunctionEntry<S>): FunctionEntry<S> => fn;

export const FUNCTIONS: readonly AnyFunctionEntry[] = [
  entry({
    ...sendMail,
    entries: entries(sendMail.name),
    loadSettings: async () => (await import('./send-mail/settings.js')).sendMailSettings,
    loadApp: async () => (await import('./send-mail/app.js')).createSendMailApp,
    loadApi: async () => (await import('./send-mail/http/api.js')).sendMailApi,
  }),
  entry({
    ...health,
    entries: entries(health.name),
    loadSettings: async () => (await import('./health/settings.js')).healthSettings,
    loadApp: async () => (await import('./health/app.js')).createHealthApp,
    loadApi: async () => (await import('./health/api.js')).healthApi,
  }),
  entry({
    ...feedback,
    entries: entries(feedback.name),
    loadSettings: async () => (await import('./feedback/settings.js')).feedbackSettings,
    loadApp: async () => (await import('./feedback/app.js')).createFeedbackApp,
    loadApi: async () => (await import('./feedback/http/api.js')).feedbackApi,
  }),
  entry({
    ...recorder,
    entries: entries(recorder.name),
    loadSettings: async () => (await import('./recorder/settings.js')).recorderSettings,
    loadApp: async () => (await import('./recorder/app.js')).createRecorderApp,
    loadApi: async () => (await import('./recorder/api.js')).recorderApi,
  }),
  entry({
    ...records,
    entries: entries(records.name),
    loadSettings: async () => (await import('./records/settings.js')).recordsSettings,
    loadApp: async () => (await import('./records/app.js')).createRecordsApp,
    loadApi: async () => (await import('./records/http/api.js')).recordsApi,
  }),
  entry({
    ...docs,
    entries: entries(docs.name),
    loadSettings: async () => (await import('./docs/settings.js')).docsSettings,
    loadApp: async () => (await import('./docs/app.js')).createDocsApp,
    loadApi: async () => (await import('./docs/api.js')).docsApi,
  }),
];

/** Where the build writes an entry file: functions/<name>/<entry>.ts → dist/<name>/<entry>.js. */
export function bundleOf(entryFile: string): string {
  return entryFile.replace(/^functions\//, 'dist/').replace(/\.ts$/, '.js');
}

export function matchesPublicPath(publicPath: PublicPath, path: string): boolean {
  if (publicPath.type === 'Exact') return path === publicPath.value;
  return path === publicPath.value || path.startsWith(`${publicPath.value.replace(/\/$/, '')}/`);
}

/** The function the public HTTPRoute sends a path to; undefined for a path it does not route. */
export function functionForPath(path: string): AnyFunctionEntry | undefined {
  return FUNCTIONS.find((entry) => entry.publicPaths.some((publicPath) => matchesPublicPath(publicPath, path)));
}

export function functionNamed(name: string): AnyFunctionEntry | undefined {
  return FUNCTIONS.find((entry) => entry.name === name);
}
