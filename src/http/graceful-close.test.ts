/**
 * closeGracefully: a request under way is answered, its kept-alive connection is closed once
 * idle rather than waited for until its keep-alive timeout, new connections are refused from
 * the start, and a request arriving on a kept-alive connection while the server closes is
 * answered, with Connection: close, not refused.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { send } from '../../test/support/http-driver.js';
import { closeGracefully } from './graceful-close.js';
import { serverOptions } from './server.js';

it('answers a request under way, closes its kept-alive connection once idle, and refuses new ones', async () => {
  const app = Fastify({ return503OnClosing: serverOptions.return503OnClosing });
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

it('answers a request that arrives on a kept-alive connection while closing, and closes the connection after it', async () => {
  const app = Fastify({ return503OnClosing: serverOptions.return503OnClosing });
  app.get('/slow', async () => {
    await sleep(900);
    return { answered: 'slow' };
  });
  app.get('/next', async () => ({ answered: 'next' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };

  // One connection, as a keep-alive client (or a proxy) holds it: busy, so no sweep closes it.
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
  await sleep(100);
  const closed = closeGracefully([app]);
  // Past the grace for just-accepted connections: Fastify's own close has begun.
  await sleep(450);
  socket.write('GET /next HTTP/1.1\r\nHost: x\r\n\r\n');

  await ended; // the server closed the connection after its second answer
  await closed;
  const answers = received.split(/(?=HTTP\/1\.1 )/);
  expect(answers).toHaveLength(2);
  expect(answers[0]).toMatch(/^HTTP\/1\.1 200 /);
  expect(answers[0]).toContain('{"answered":"slow"}');
  expect(answers[1]).toMatch(/^HTTP\/1\.1 200 /);
  expect(answers[1]).toMatch(/\r\nconnection: close\r\n/i);
  expect(answers[1]).toContain('{"answered":"next"}');
}, 30_000);
