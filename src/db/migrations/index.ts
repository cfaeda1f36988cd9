import type { Migration } from 'kysely';
import * as core from './0001_core.js';
import * as loginApp from './0002_login_app.js';
import * as applications from './0003_applications.js';
import * as linkedIdentities from './0004_linked_identities.js';
import * as leases from './0005_leases.js';
import * as openFlows from './0006_open_flows.js';
import * as consoleSessions from './0007_console_sessions.js';
import * as emailDomains from './0008_email_domains.js';
import * as usedTelegramLogins from './0009_used_telegram_logins.js';
import * as codeNetworks from './0010_code_networks.js';
import * as boundedAnonymous from './0011_bounded_anonymous.js';

/** Listed in code so the compiled server needs no migration folder scan. */
export const migrations: Record<string, Migration> = {
  '0001_core': core,
  '0002_login_app': loginApp,
  '0003_applications': applications,
  '0004_linked_identities': linkedIdentities,
  '0005_leases': leases,
  '0006_open_flows': openFlows,
  '0007_console_sessions': consoleSessions,
  '0008_email_domains': emailDomains,
  '0009_used_telegram_logins': usedTelegramLogins,
  '0010_code_networks': codeNetworks,
  '0011_bounded_anonymous': boundedAnonymous,
};
