import { describe, expect, it } from 'vitest';
import type { LoadResult } from './load.js';
import { formatTable, type Measured } from './table.js';

const result = (rps: number, p99 = 10): LoadResult => ({ rps, p50: 1, p99, requests: rps * 10, errors: 0, non2xx: 0 });
const cell = (round: number, target: string, rps: number, p99?: number): Measured => ({
  row: 'client_credentials',
  round,
  target,
  label: target,
  result: result(rps, p99),
});
const line = (table: string, server: string) =>
  table.split('\n').find((l) => l.startsWith(`| client_credentials token | ${server} |`)) ?? '';

describe('the bench table', () => {
  it('prints one round as measured', () => {
    const table = formatTable([cell(1, 'gh-pg', 3000), cell(1, 'oidc', 2000), cell(1, 'ceiling', 10000)], {
      duration: 10,
      connections: 50,
      rounds: 1,
    });
    expect(line(table, 'gh-pg')).toBe(
      '| client_credentials token | gh-pg | 3,000 | 1.0 | 10.0 | 1.50x | — | 0.30x | — | — | 0 / 0 |',
    );
  });

  it('pairs each round with the same round of the other server, then takes the median', () => {
    // The VM doubles its speed in round 2: unpaired medians (3000 vs 4000) would say 0.75x.
    const measured = [
      cell(1, 'gh-pg', 3000, 11),
      cell(1, 'oidc', 2000),
      cell(2, 'gh-pg', 6000, 12),
      cell(2, 'oidc', 4000),
      cell(3, 'gh-pg', 2000, 13),
      cell(3, 'oidc', 1600),
    ];
    const table = formatTable(measured, { duration: 10, connections: 50, rounds: 3 });
    // The median round's numbers (3,000 req/s and its p99), the median of 1.50, 1.50, 1.25.
    expect(line(table, 'gh-pg')).toBe(
      '| client_credentials token | gh-pg | 3,000 | 1.0 | 11.0 | 1.50x (1.25-1.50) | — | — | — | — | 0 / 0 |',
    );
    expect(table).toContain('3 rounds');
  });

  it('charges CPU per request and compares it with oidc-provider round by round', () => {
    // 30,000 requests per cell (rps × 10 s): 6,000 ms of CPU is 0.2 ms per request.
    const measured = [
      { ...cell(1, 'gh-pg', 3000), cpuMs: 6000 },
      { ...cell(1, 'oidc', 2000), cpuMs: 8000 },
      { ...cell(2, 'gh-pg', 3000), cpuMs: 7500 },
      { ...cell(2, 'oidc', 3000), cpuMs: 9000 },
    ];
    const table = formatTable(measured, { duration: 10, connections: 50, rounds: 2 });
    // Per request: round 1 0.2 vs 0.4 ms (2.00x), round 2 0.25 vs 0.3 ms (1.20x); the median
    // round shown is round 1 (the lower middle rate of two).
    expect(line(table, 'gh-pg')).toBe(
      '| client_credentials token | gh-pg | 3,000 | 1.0 | 10.0 | 1.00x (1.00-1.50) | — | — | 0.200 | 1.20x (1.20-2.00) | 0 / 0 |',
    );
    expect(line(table, 'oidc')).toMatch(/\| 0.400 \| {2}\| 0 \/ 0 \|$/);
  });

  it('compares Gatehouse with oidc-provider on its PostgreSQL adapter too, and that one with the in-memory one', () => {
    const measured = [cell(1, 'gh-pg', 3000), cell(1, 'oidc', 2000), cell(1, 'oidc-pg', 1000), cell(1, 'ceiling', 10000)];
    const table = formatTable(measured, { duration: 10, connections: 50, rounds: 1 });
    expect(line(table, 'gh-pg')).toMatch(
      /^\| client_credentials token \| gh-pg \| 3,000 \| 1.0 \| 10.0 \| 1.50x \| 3.00x \| 0.30x \|/,
    );
    expect(line(table, 'oidc-pg')).toMatch(
      /^\| client_credentials token \| oidc-pg \| 1,000 \| 1.0 \| 10.0 \| 0.50x \| {2}\| 0.10x \|/,
    );
  });

  it('counts errors of every round and says how many cells failed', () => {
    const measured: Measured[] = [
      { ...cell(1, 'gh-pg', 3000), result: { ...result(3000), errors: 2, non2xx: 1 } },
      { row: 'client_credentials', round: 2, target: 'gh-pg', label: 'gh-pg', failed: true },
      cell(1, 'oidc', 2000),
    ];
    const table = formatTable(measured, { duration: 10, connections: 50, rounds: 2 });
    expect(line(table, 'gh-pg')).toMatch(/\| 2 \/ 1 \(1 failed\) \|$/);
  });
});
