/** A few concurrent loops of token requests that record every token a client was given. */
import { type Answer, type Client, type Node, tokenRequest } from './support.js';

export interface LoadRecord {
  /** Every access token that came back with a 200. */
  accessTokens: string[];
  /** One per refresh loop: the refresh token it holds now (the last one it received). */
  chains: { refreshToken: string; rotations: number }[];
  /** Answers that were neither a 200 nor the clean 503 of a database that is away. */
  unexpected: Answer[];
  /** Clean 503 answers (temporarily_unavailable). */
  unavailable: number;
  /** Requests that got no answer at all (the process was gone). */
  noAnswer: number;
}

export interface Load {
  record: LoadRecord;
  /** Asks the loops to stop and waits for them. */
  stop(): Promise<void>;
  /** Resolves when the loops have ended by themselves (their node died) or were stopped. */
  done: Promise<void>;
}

export interface LoadOptions {
  node: () => Node;
  client: Client;
  clientCredentialsLoops: number;
  refreshTokens: string[];
  /** Keep going after a request got no answer (the database-restart test); default: end the loop. */
  persist?: boolean;
}

const isCleanUnavailable = (a: Answer) =>
  a.status === 503 && a.contentType.startsWith('application/json') && a.body.error === 'temporarily_unavailable';

export function startLoad(options: LoadOptions): Load {
  const record: LoadRecord = { accessTokens: [], chains: [], unexpected: [], unavailable: 0, noAnswer: 0 };
  let stopping = false;

  async function loop(form: () => Record<string, string>, onSuccess: (body: Record<string, unknown>) => void) {
    while (!stopping) {
      let answer: Answer;
      try {
        answer = await tokenRequest(options.node(), options.client, form());
      } catch {
        record.noAnswer++;
        if (!options.persist) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      if (answer.status === 200) onSuccess(answer.body);
      else if (isCleanUnavailable(answer)) record.unavailable++;
      else record.unexpected.push(answer);
    }
  }

  const loops: Promise<void>[] = [];
  for (let i = 0; i < options.clientCredentialsLoops; i++) {
    loops.push(
      loop(
        () => ({ grant_type: 'client_credentials', scope: 'Email' }),
        (body) => record.accessTokens.push(String(body.access_token)),
      ),
    );
  }
  for (const refreshToken of options.refreshTokens) {
    const chain = { refreshToken, rotations: 0 };
    record.chains.push(chain);
    loops.push(
      loop(
        () => ({ grant_type: 'refresh_token', refresh_token: chain.refreshToken }),
        (body) => {
          record.accessTokens.push(String(body.access_token));
          chain.refreshToken = String(body.refresh_token);
          chain.rotations++;
        },
      ),
    );
  }
  const done = Promise.all(loops).then(() => {});
  return {
    record,
    done,
    stop: async () => {
      stopping = true;
      await done;
    },
  };
}

/** Runs `work` over `items`, `width` at a time. */
export async function inBatches<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) {
    results.push(...(await Promise.all(items.slice(i, i + width).map(work))));
  }
  return results;
}

export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
