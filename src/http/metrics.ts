/** Prometheus metrics: request counts and latencies per route, and the process's own. */
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { EventBus } from '../events/events.js';

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['listener', 'method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly events = new Counter({
    name: 'gatehouse_events_total',
    help: 'Security-relevant events by type',
    labelNames: ['type'],
    registers: [this.registry],
  });

  constructor(bus: EventBus) {
    collectDefaultMetrics({ register: this.registry });
    bus.on((event) => this.events.inc({ type: event.type }));
  }

  instrument(app: FastifyInstance, listener: 'public' | 'admin'): void {
    app.addHook('onResponse', (request, reply, done) => {
      this.requests.observe(
        { listener, method: request.method, route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      done();
    });
  }
}
