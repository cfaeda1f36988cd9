/**
 * Every setting, its default and its meaning, in one table: the sections in the order the
 * README's configuration table lists them (generated from it: npm run docs:config).
 */
import { oneOf, setting } from './parsers.js';
import { protocolSettings } from './protocol-settings.js';
import { serverSettings } from './server-settings.js';
import { signInCodeSettings } from './sign-in-code-settings.js';
import { upstreamSettings } from './upstream-settings.js';

export const settings = {
  ...serverSettings,
  ...protocolSettings,
  ...signInCodeSettings,
  ...upstreamSettings,
  logLevel: setting({
    env: 'LOG_LEVEL',
    default: 'info',
    description: 'pino log level.',
    parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  }),
};

type Settings = typeof settings;
type ValueOf<K extends keyof Settings> = ReturnType<Settings[K]['parse']>;
type Optional = {
  [K in keyof Settings]: Settings[K]['default'] extends string ? never : K;
}[keyof Settings];

export type Config = { [K in Exclude<keyof Settings, Optional>]: ValueOf<K> } & {
  [K in Optional]: ValueOf<K> | undefined;
} & { issuer: string };
