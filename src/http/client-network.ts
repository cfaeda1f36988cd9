/** Which network a request counts under for every per-address limit. */
import type { FastifyRequest } from 'fastify';
import type { Gatehouse } from '../gatehouse.js';
import { addressBucket } from '../net/address-bucket.js';

/**
 * Its IPv4 address, or its IPv6 address by the configured prefix (RATE_LIMIT_IPV6_PREFIX, a /64
 * by default), as TRUST_PROXY lets Fastify read the client's address.
 */
export const clientNetwork = (gh: Pick<Gatehouse, 'config'>, request: Pick<FastifyRequest, 'ip'>): string =>
  addressBucket(request.ip, gh.config.rateLimitIpv6Prefix);
