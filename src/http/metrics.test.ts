import Fastify from 'fastify';
import { Histogram, type Metric, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../events/events.js';
import { Metrics, RequestDurations } from './metrics.js';

const BOUNDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

describe('request durations', () => {
  it('expose exactly what prom-client’s own Histogram would for the same observations', async () => {
    const ours = new RequestDurations(BOUNDS);
    const ourRegistry = new Registry();
    ourRegistry.registerMetric(ours as unknown as Metric);
    const referenceRegistry = new Registry();
    const reference = new Histogram({
      name: ours.name,
      help: ours.help,
      labelNames: ['listener', 'method', 'route', 'status'],
      buckets: BOUNDS,
      registers: [referenceRegistry],
    });
    const series = [
      { listener: 'public', method: 'POST', route: '/oauth2/token', status: '200' },
      { listener: 'admin', method: 'POST', route: '/admin/oauth2/introspect', status: '200' },
      { listener: 'public', method: 'GET', route: 'unknown', status: '404' },
    ];
    // Bucket bounds themselves (le is inclusive), values between, and past the last bound.
    const seconds = [0, 0.001, 0.0011, 0.005, 0.04, 0.1, 0.7, 2.5, 3, 60, ...BOUNDS.map((b) => b / 3)];
    for (const [i, value] of seconds.entries()) {
      const labels = series[i % series.length] as (typeof series)[number];
      ours.observe(labels, value);
      reference.observe(labels, value);
    }
    expect(await ourRegistry.getSingleMetricAsString(ours.name)).toBe(await referenceRegistry.getSingleMetricAsString(ours.name));
    ours.reset();
    reference.reset();
    expect(await ourRegistry.getSingleMetricAsString(ours.name)).toBe(await referenceRegistry.getSingleMetricAsString(ours.name));
  });

  it('count every request a listener answers, by route template and status', async () => {
    const metrics = new Metrics(new EventBus());
    const app = Fastify();
    metrics.instrument(app, 'public');
    app.get('/things/:id', async () => ({ ok: true }));
    await app.inject('/things/1');
    await app.inject('/things/2');
    await app.inject('/nowhere');
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'gatehouse_http_request_duration_seconds_count{listener="public",method="GET",route="/things/:id",status="200"} 2',
    );
    expect(text).toContain(
      'gatehouse_http_request_duration_seconds_bucket{le="+Inf",listener="public",method="GET",route="/things/:id",status="200"} 2',
    );
    expect(text).toContain(
      'gatehouse_http_request_duration_seconds_count{listener="public",method="GET",route="unknown",status="404"} 1',
    );
    // The process's own metrics are there too.
    expect(text).toContain('process_cpu_user_seconds_total');
    await app.close();
  });
});
