/**
 * Request ids for the logs: unique across the public and admin ports, across a cluster's
 * workers and across nodes, so one id finds one request in logs gathered from all of them.
 * Fastify's own ids count from `req-1` in every server, and took any X-Request-Id a client sent.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What a proxy's or client's X-Request-Id may look like to be kept: a bounded token, nothing a log reader could mistake for something else. */
const WELL_FORMED = /^[A-Za-z0-9._:=/+-]{1,128}$/;

/**
 * Makes a `genReqId` for Fastify: a caller's well-formed X-Request-Id is kept (a proxy's id
 * then names the request end to end), anything else gets `<process>-<n>`, a random prefix
 * drawn once per process and a counter in base 36 (no randomness per request).
 */
export function requestIds(prefix: string = randomBytes(5).toString('hex')): (request: IncomingMessage) => string {
  let next = 0;
  return (request) => {
    const given = request.headers['x-request-id'];
    if (typeof given === 'string' && WELL_FORMED.test(given)) return given;
    return `${prefix}-${(next++).toString(36)}`;
  };
}

/** One generator for the whole process: the public and admin servers share its counter. */
export const processRequestId = requestIds();
