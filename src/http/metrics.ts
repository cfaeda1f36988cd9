/** Prometheus metrics: request counts and latencies per route, and the process's own. */
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, type Metric, Registry } from 'prom-client';
import { clusterMetrics } from '../cluster.js';
import type { EventBus } from '../events/events.js';

type RequestLabels = { listener: string; method: string; route: string; status: string };

interface Series {
  labels: RequestLabels;
  /** Observations per bucket (not cumulative); the last bucket is +Inf. */
  counts: number[];
  sum: number;
}

/**
 * Request latencies per route, exposed as a Prometheus histogram. Counted in plain arrays
 * on the request path: prom-client's Histogram validates and hashes the labels of every
 * observation, which cost the introspection route several percent of its throughput
 * (bench/RESULTS.md). The exposition shape is built only when scraped.
 */
export class RequestDurations {
  readonly name = 'gatehouse_http_request_duration_seconds';
  readonly help = 'HTTP request duration by route and status';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(private readonly bounds: readonly number[]) {}

  observe(labels: RequestLabels, seconds: number): void {
    const key = `${labels.listener} ${labels.method} ${labels.route} ${labels.status}`;
    let series = this.series.get(key);
    if (!series) {
      series = { labels, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0 };
      this.series.set(key, series);
    }
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > (this.bounds[bucket] as number)) bucket++;
    (series.counts[bucket] as number)++;
    series.sum += seconds;
  }

  /** What prom-client's registry formats: cumulative buckets, +Inf, sum and count per series. */
  get() {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const { labels, counts, sum } of this.series.values()) {
      let cumulative = 0;
      for (const [i, count] of counts.entries()) {
        cumulative += count;
        const le = i < this.bounds.length ? (this.bounds[i] as number) : '+Inf';
        values.push({ metricName: `${this.name}_bucket`, labels: { le, ...labels }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels, value: sum });
      values.push({ metricName: `${this.name}_count`, labels, value: cumulative });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.series.clear();
  }
}

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new RequestDurations([0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]);
  readonly events = new Counter({
    name: 'gatehouse_events_total',
    help: 'Security-relevant events by type',
    labelNames: ['type'],
    registers: [this.registry],
  });

  private readonly fromCluster: (() => Promise<string>) | undefined;

  /** `clusterWorker`: this process is one of WORKERS; /metrics answers for all of them (src/cluster.ts). */
  constructor(bus: EventBus, options: { clusterWorker?: boolean } = {}) {
    // The registry formats any object of this shape, as it does its own metrics.
    this.registry.registerMetric(this.requests as unknown as Metric);
    collectDefaultMetrics({ register: this.registry });
    bus.on((event) => this.events.inc({ type: event.type }));
    this.fromCluster = options.clusterWorker ? clusterMetrics(this.registry) : undefined;
  }

  /** What GET /metrics answers, in Prometheus's text format. */
  exposition(): Promise<string> {
    return this.fromCluster ? this.fromCluster() : this.registry.metrics();
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
