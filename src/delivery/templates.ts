/**
 * The messages Gatehouse sends, as plain text. One object per language; adding a language is
 * adding one object to `catalogues`. A locale that has no catalogue falls back to English.
 * Texts carry no markup and no links: a one-time code is typed, never clicked, so a message
 * cannot be turned into a phishing link.
 */
import type { CodeChannel } from '../db/schema.js';

export interface CodeMessageInput {
  code: string;
  /** Minutes until the code expires. */
  minutes: number;
  purpose: 'login' | 'register';
  channel: CodeChannel;
}

export interface RenderedMessage {
  /** Used by email only; SMS and WhatsApp ignore it. */
  subject: string;
  text: string;
}

/** What an operator decided about a developer's application. */
export type ApplicationNotice = 'approved' | 'rejected' | 'suspended' | 'reinstated' | 'changes_approved' | 'changes_rejected';

export interface ApplicationMessageInput {
  notice: ApplicationNotice;
  appName: string;
  clientId: string;
  reason?: string | undefined;
  /** The application's page in the developer portal. */
  portalUrl: string;
}

interface Catalogue {
  /** "10 minutes", with the language's plural rules. */
  minutes(n: number): string;
  /** SMS and WhatsApp: one short line, so it fits one segment. */
  codeShort(code: string, minutes: string): string;
  codeSubject: Record<CodeMessageInput['purpose'], string>;
  codeEmail: Record<CodeMessageInput['purpose'], (code: string, minutes: string) => string>;
  appSubject: Record<ApplicationNotice, (name: string) => string>;
  appBody: Record<ApplicationNotice, string>;
  appReason: (reason: string) => string;
  appFooter: (clientId: string, url: string) => string;
}

const en: Catalogue = {
  minutes: (n) => (n === 1 ? '1 minute' : `${n} minutes`),
  codeShort: (code, minutes) => `Your Gatehouse code is ${code}. It expires in ${minutes}.`,
  codeSubject: {
    login: 'Your Gatehouse sign-in code',
    register: 'Your Gatehouse registration code',
  },
  codeEmail: {
    login: (code, minutes) =>
      `Your Gatehouse sign-in code is:\n\n${code}\n\nIt expires in ${minutes}.\n\n` +
      'If you did not try to sign in, you can ignore this email: nobody can sign in without the code.',
    register: (code, minutes) =>
      `Use this code to finish creating your Gatehouse account:\n\n${code}\n\nIt expires in ${minutes}.\n\n` +
      'If you did not ask for an account, you can ignore this email: no account is created without the code.',
  },
  appSubject: {
    approved: (name) => `Your application "${name}" is approved`,
    rejected: (name) => `Your application "${name}" was not approved`,
    suspended: (name) => `Your application "${name}" is suspended`,
    reinstated: (name) => `Your application "${name}" is active again`,
    changes_approved: (name) => `The changes to "${name}" are approved`,
    changes_rejected: (name) => `The changes to "${name}" were not approved`,
  },
  appBody: {
    approved:
      'An operator approved your application: it can now sign people in with Gatehouse.\n' +
      'Open the developer portal to see its client secret (shown once) if it has one.',
    rejected: 'An operator did not approve your application. You can edit it in the developer portal to submit it again.',
    suspended: 'An operator suspended your application: its tokens no longer work and it cannot sign people in.',
    reinstated: 'An operator reinstated your application: it can sign people in again.',
    changes_approved: 'An operator approved the changes to the callback addresses or scopes of your application; they are live.',
    changes_rejected: 'An operator did not approve the changes to your application; it keeps its current settings.',
  },
  appReason: (reason) => `Reason given: ${reason}`,
  appFooter: (clientId, url) => `Client ID: ${clientId}\nDeveloper portal: ${url}`,
};

const fr: Catalogue = {
  // French uses the singular for 0 and 1 ("0 minute", "1 minute").
  minutes: (n) => (n < 2 ? `${n} minute` : `${n} minutes`),
  codeShort: (code, minutes) => `Votre code Gatehouse est ${code}. Il expire dans ${minutes}.`,
  codeSubject: {
    login: 'Votre code de connexion Gatehouse',
    register: "Votre code d'inscription Gatehouse",
  },
  codeEmail: {
    login: (code, minutes) =>
      `Votre code de connexion Gatehouse :\n\n${code}\n\nIl expire dans ${minutes}.\n\n` +
      "Si vous n'avez pas demandé à vous connecter, ignorez cet e-mail : personne ne peut se connecter sans ce code.",
    register: (code, minutes) =>
      `Utilisez ce code pour terminer la création de votre compte Gatehouse :\n\n${code}\n\nIl expire dans ${minutes}.\n\n` +
      "Si vous n'avez pas demandé de compte, ignorez cet e-mail : aucun compte n'est créé sans ce code.",
  },
  appSubject: {
    approved: (name) => `Votre application « ${name} » est approuvée`,
    rejected: (name) => `Votre application « ${name} » n'a pas été approuvée`,
    suspended: (name) => `Votre application « ${name} » est suspendue`,
    reinstated: (name) => `Votre application « ${name} » est de nouveau active`,
    changes_approved: (name) => `Les modifications de « ${name} » sont approuvées`,
    changes_rejected: (name) => `Les modifications de « ${name} » n'ont pas été approuvées`,
  },
  appBody: {
    approved:
      'Un opérateur a approuvé votre application : elle peut maintenant connecter des personnes avec Gatehouse.\n' +
      "Ouvrez le portail développeur pour voir son secret client (affiché une seule fois) s'il en a un.",
    rejected:
      "Un opérateur n'a pas approuvé votre application. Vous pouvez la modifier dans le portail développeur pour la soumettre à nouveau.",
    suspended:
      'Un opérateur a suspendu votre application : ses jetons ne fonctionnent plus et elle ne peut plus connecter personne.',
    reinstated: 'Un opérateur a réactivé votre application : elle peut de nouveau connecter des personnes.',
    changes_approved:
      'Un opérateur a approuvé les modifications des adresses de retour ou des scopes de votre application ; elles sont en service.',
    changes_rejected: "Un opérateur n'a pas approuvé les modifications de votre application ; elle garde ses réglages actuels.",
  },
  appReason: (reason) => `Motif : ${reason}`,
  appFooter: (clientId, url) => `Identifiant client : ${clientId}\nPortail développeur : ${url}`,
};

// A Map, not an object literal: the language comes from Accept-Language, and on a plain object
// "constructor" or "__proto__" would find Object's own members instead of a catalogue.
const catalogues: ReadonlyMap<string, Catalogue> = new Map([
  ['en', en],
  ['fr', fr],
]);

export const supportedLocales: readonly string[] = [...catalogues.keys()];

/** The catalogue of a BCP 47 tag ("fr", "fr-CA", "FR_fr" all give French); English otherwise. */
function catalogueFor(locale: string): Catalogue {
  const language = locale.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return catalogues.get(language) ?? en;
}

/** The message that carries a one-time code. */
export function codeMessage(locale: string, input: CodeMessageInput): RenderedMessage {
  const t = catalogueFor(locale);
  const minutes = t.minutes(input.minutes);
  const text = input.channel === 'email' ? t.codeEmail[input.purpose](input.code, minutes) : t.codeShort(input.code, minutes);
  return { subject: t.codeSubject[input.purpose], text };
}

/** The email that tells a developer what an operator decided about their application. */
export function applicationMessage(locale: string, input: ApplicationMessageInput): RenderedMessage {
  const t = catalogueFor(locale);
  const parts = [t.appBody[input.notice]];
  if (input.reason) parts.push(t.appReason(input.reason));
  parts.push(t.appFooter(input.clientId, input.portalUrl));
  return { subject: t.appSubject[input.notice](input.appName), text: parts.join('\n\n') };
}
