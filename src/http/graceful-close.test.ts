/**
 * closeGracefully: a request under way is answered, its kept-alive connection is closed once
 * idle rather than waited for until its keep-alive timeout, and new connections are refused
 * from the start.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { send } from '../../test/support/http-driver.js';
import { closeGracefully } from './graceful-close.js';

it('answers a request under way, closes its kept-alive connection once idle, and refuses new ones', async () => {
  const app = Fastify({ return503OnClosing: true });
  app.get('/slow', async () => {
    await sleep(600);
    return { answered: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  // send() keeps its connections alive: this one stays open after its answer.
  const underWay = send(`http://127.0.0.1:${port}/slow`);
  await sleep(100);

  const started = Date.now();
  const closed = closeGracefully([app]);
  await sleep(50);
  const late = await new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
  expect(late).toBe('ECONNREFUSED');

  expect(await underWay).toMatchObject({ status: 200, body: '{"answered":true}' });
  await closed;
  // Without the sweep, Fastify's close waited for the kept-alive connection's 72 s timeout.
  expect(Date.now() - started).toBeLessThan(5_000);
}, 30_000);
