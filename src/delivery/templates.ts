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

interface Catalogue {
  /** "10 minutes", with the language's plural rules. */
  minutes(n: number): string;
  /** SMS and WhatsApp: one short line, so it fits one segment. */
  codeShort(code: string, minutes: string): string;
  codeSubject: Record<CodeMessageInput['purpose'], string>;
  codeEmail: Record<CodeMessageInput['purpose'], (code: string, minutes: string) => string>;
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
};

const catalogues: Record<string, Catalogue> = { en, fr };

export const supportedLocales: readonly string[] = Object.keys(catalogues);

/** The catalogue of a BCP 47 tag ("fr", "fr-CA", "FR_fr" all give French); English otherwise. */
function catalogueFor(locale: string): Catalogue {
  const language = locale.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return catalogues[language] ?? en;
}

/** The message that carries a one-time code. */
export function codeMessage(locale: string, input: CodeMessageInput): RenderedMessage {
  const t = catalogueFor(locale);
  const minutes = t.minutes(input.minutes);
  const text = input.channel === 'email' ? t.codeEmail[input.purpose](input.code, minutes) : t.codeShort(input.code, minutes);
  return { subject: t.codeSubject[input.purpose], text };
}
