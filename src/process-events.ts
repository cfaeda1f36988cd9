/**
 * Waiting on the process itself: for the signal that asks it to stop, or for a word from the
 * cluster's primary (src/cluster.ts). Each wait removes its listeners once it is over, so a
 * process that waits again and again gathers none.
 */

/** Resolves at the first of `events` that `accepts` takes (any, by default), then stops listening to all of them. */
export function untilProcessEvent(
  events: readonly string[],
  accepts: (event: string, payload: unknown) => boolean = () => true,
): Promise<void> {
  return new Promise((resolve) => {
    const listeners = events.map((event) => {
      const listener = (payload: unknown) => {
        if (accepts(event, payload)) done();
      };
      return [event, listener] as const;
    });
    const done = () => {
      for (const [event, listener] of listeners) process.off(event, listener);
      resolve();
    };
    for (const [event, listener] of listeners) process.on(event, listener);
  });
}

/** SIGINT or SIGTERM: a person at the terminal, or the service manager, asks Gatehouse to stop. */
export const untilStopSignal = (): Promise<void> => untilProcessEvent(['SIGINT', 'SIGTERM']);
