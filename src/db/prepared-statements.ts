/**
 * Every statement Gatehouse sends to PostgreSQL becomes a named prepared statement on its
 * connection, so PostgreSQL parses each statement text once per connection rather than on
 * every request: logged phase by phase, parsing had taken about a third of the flow's
 * statements' time in PostgreSQL. Gatehouse's statements are few and of fixed text (grouped
 * lookups and writes take their keys and rows as one array or JSON parameter, see
 * database.ts). Only statements with parameters are named: a text without any may hold
 * several commands (the migrations), which a prepared statement cannot, and costs little to
 * parse (begin, commit, a health check). A process names at most MAX_NAMED texts; any beyond
 * run unnamed, as before.
 *
 * A statement prepared before a migration changed its table's columns (a node still running
 * while a newer one migrates) fails with "cached plan must not change result type": it is
 * prepared again under a new name on that connection and run again. It failed before running,
 * so running it again does nothing twice; inside a transaction the transaction has failed
 * with it, and the second run reports that.
 */
import pg from 'pg';

const MAX_NAMED = 1_000;

/**
 * Sent first on every connection. Plans stay custom, made for each execution's values: a
 * generic plan cannot count the keys of a grouped write (see executeWithJson) and went back
 * to scanning whole tables. A SET rather than a startup option, which poolers refuse.
 */
export const CUSTOM_PLANS = 'set plan_cache_mode = force_custom_plan';
const names = new Map<string, string>();

/** The name a statement text is prepared under, or undefined once MAX_NAMED texts have names. */
export function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `gatehouse_${names.size}`;
    names.set(text, name);
  }
  return name;
}

/** PostgreSQL's refusal of a prepared statement whose result columns changed since it was prepared. */
const isStalePlan = (error: unknown) =>
  (error as { code?: string }).code === '0A000' && /cached plan must not change result type/.test(String(error));

/** A pg client that prepares what Kysely sends it, `query(text, values)`, under its statement name. */
export class PreparingClient extends pg.Client {
  /** Statements this connection prepared again after a migration, by text. */
  private readonly renamed = new Map<string, string>();

  // biome-ignore lint/suspicious/noExplicitAny: one signature standing for pg's overloads
  override query(...args: any[]): any {
    const [text, values, callback] = args;
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && callback === undefined) {
      const name = this.renamed.get(text) ?? statementName(text);
      if (name !== undefined) return this.prepared(name, text, values);
    }
    // biome-ignore lint/suspicious/noExplicitAny: passed on as received
    return (super.query as (...a: any[]) => any)(...args);
  }

  private async prepared(name: string, text: string, values: unknown[]): Promise<pg.QueryResult> {
    try {
      return await super.query({ name, text, values });
    } catch (error) {
      if (!isStalePlan(error)) throw error;
      const again = `${name}_${this.renamed.size + 1}`;
      this.renamed.set(text, again);
      return super.query({ name: again, text, values });
    }
  }
}
