import { describe, expect, it } from 'vitest';
import { untilProcessEvent, untilStopSignal } from './process-events.js';

const settled = async (promise: Promise<void>) => {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('waiting on the process', () => {
  it('resolves on SIGTERM (or SIGINT) and leaves no listener behind', async () => {
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    const stopped = untilStopSignal();
    expect(process.listenerCount('SIGTERM')).toBe(before[1]! + 1);
    expect(await settled(stopped)).toBe(false);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await settled(stopped)).toBe(true);
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
  });

  it('waits past the events it does not accept', async () => {
    // An event of its own, so that no other listener (vitest's, on 'message') hears the test.
    const event = 'gatehouse-test-event';
    const emitter: NodeJS.EventEmitter = process;
    const waiting = untilProcessEvent([event], (_, payload) => payload === 'stop');
    emitter.emit(event, 'not yet');
    expect(await settled(waiting)).toBe(false);
    emitter.emit(event, 'stop');
    expect(await settled(waiting)).toBe(true);
    expect(process.listenerCount(event)).toBe(0);
  });
});
