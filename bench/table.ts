/** The bench's rows and its one table (Markdown, so it pastes into RESULTS.md as printed). */
import type { LoadResult } from './load.js';

export const ROWS = [
  { id: 'client_credentials', label: 'client_credentials token' },
  { id: 'refresh', label: 'refresh-token rotation' },
  { id: 'introspection', label: 'introspection' },
  { id: 'userinfo', label: 'userinfo' },
  { id: 'flow', label: 'authorization-code flow (whole)' },
] as const;
export type RowId = (typeof ROWS)[number]['id'];

/** The target id of oidc-provider on its PostgreSQL adapter (bench/servers/oidc-provider-postgres.ts). */
export const OIDC_DURABLE = 'oidc-pg';

export interface Measured {
  row: RowId;
  /** Which round of the row (--rounds): every server's cell of one round runs back to back. */
  round: number;
  target: string;
  label: string;
  result?: LoadResult;
  /** CPU the server's processes spent during the cell (bench/cpu.ts); absent without /proc. */
  cpuMs?: number;
  failed?: boolean;
}

/** CPU per request (per whole flow on the flow row), in ms. */
const cpuPerRequest = (m: Measured): number =>
  m.cpuMs !== undefined && m.result?.requests ? m.cpuMs / m.result.requests : Number.NaN;
const rate = (m: Measured): number => m.result?.rps ?? Number.NaN;

const num = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—';

/** The middle value (the lower of the two middle ones for an even count). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1] as number;
}

/**
 * A cell's ratio to another server's, `ratio(own cell, other's cell)`: per round, against that
 * server's cell of the same round (the VM's speed drifts between rounds more than between
 * neighbouring cells), then the median of the rounds, with their range when there were several.
 */
function pairedRatio(
  cells: Measured[],
  target: string,
  against: string,
  ratio: (own: Measured, other: Measured) => number,
): string {
  const ratios: number[] = [];
  for (const cell of cells.filter((m) => m.target === target && m.result)) {
    const other = cells.find((m) => m.target === against && m.round === cell.round && m.result);
    const value = other ? ratio(cell, other) : Number.NaN;
    if (Number.isFinite(value) && value > 0) ratios.push(value);
  }
  if (ratios.length === 0) return '—';
  const middle = `${median(ratios).toFixed(2)}x`;
  if (ratios.length === 1) return middle;
  return `${middle} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`;
}

export function formatTable(
  measured: Measured[],
  run: { duration: number; connections: number; rounds: number; idTokenAlg?: string },
): string {
  const rounds =
    run.rounds > 1 ? `, ${run.rounds} rounds: each server's median round, ratios per round then their median (range)` : '';
  const alg = `; ID tokens signed ${run.idTokenAlg ?? 'RS256'}`;
  const lines = [
    `${run.connections} connections (flow row: ${run.connections} concurrent flows), ${run.duration} s per cell${rounds}${alg}; latency in ms (a flow's latency is the whole flow)`,
    '',
    '| row | server | req/s | p50 | p99 | vs oidc-provider | vs oidc-provider (PostgreSQL) | vs ceiling | CPU ms/req | oidc-provider CPU / this | errors / non-2xx |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const faster = (own: Measured, other: Measured) => rate(own) / rate(other);
  const cheaper = (own: Measured, other: Measured) => cpuPerRequest(other) / cpuPerRequest(own);
  for (const row of ROWS) {
    const cells = measured.filter((m) => m.row === row.id);
    const targets = [...new Map(cells.map((m) => [m.target, m.label])).entries()];
    for (const [target, label] of targets) {
      const own = cells.filter((m) => m.target === target);
      const done = own.flatMap((m) => (m.result ? [m.result] : []));
      if (done.length === 0) {
        lines.push(`| ${row.label} | ${label} | failed | | | | | | | | |`);
        continue;
      }
      const middle = median(done.map((r) => r.rps));
      const middleCell = own.find((m) => m.result?.rps === middle) as Measured;
      const r = middleCell.result as LoadResult;
      const others = target === 'oidc' || target === 'ceiling';
      const vsOidc = others ? '' : pairedRatio(cells, target, 'oidc', faster);
      // oidc-provider on its PostgreSQL adapter is compared with the in-memory one, Gatehouse with both.
      const vsDurable = others || target === OIDC_DURABLE ? '' : pairedRatio(cells, target, OIDC_DURABLE, faster);
      const vsCeiling = target === 'ceiling' ? '' : pairedRatio(cells, target, 'ceiling', faster);
      const cpu = cpuPerRequest(middleCell);
      const cpuVsOidc = others ? '' : pairedRatio(cells, target, 'oidc', cheaper);
      // Errors count over every round: one bad round is not hidden by the median.
      const errors = done.reduce((n, d) => n + d.errors, 0);
      const non2xx = done.reduce((n, d) => n + d.non2xx, 0);
      const failed = own.length - done.length;
      lines.push(
        `| ${row.label} | ${label} | ${num(r.rps)} | ${num(r.p50, 1)} | ${num(r.p99, 1)} | ${vsOidc} | ${vsDurable} | ${vsCeiling} | ${num(cpu, cpu < 1 ? 3 : 2)} | ${cpuVsOidc} | ${errors} / ${non2xx}${failed ? ` (${failed} failed)` : ''} |`,
      );
    }
  }
  return lines.join('\n');
}
