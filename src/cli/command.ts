/**
 * What a command of the admin API is given: the words after the command, the options as
 * parsed, and a printer that writes the answer as JSON (--json) or as the human text it is
 * handed; and the tab-separated listing the `list` commands print.
 */

export type Values = Record<string, string | boolean | string[] | undefined>;
export type Print = (value: unknown, human: () => string) => void;

/** `gatehouse clients approve ID --json`: sub is `approve`, id is `ID`. */
export interface Invocation {
  sub: string | undefined;
  id: string | undefined;
  values: Values;
  print: Print;
}

/** One line per item, its columns separated by tabs (easy to cut or awk); `none` when there is no item. */
export function tabulate<T>(items: readonly T[], none: string, columns: (item: T) => string[]): string {
  return items.length === 0 ? none : items.map((item) => columns(item).join('\t')).join('\n');
}
