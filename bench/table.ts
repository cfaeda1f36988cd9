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

export interface Measured {
  row: RowId;
  target: string;
  label: string;
  result?: LoadResult;
  failed?: boolean;
}

const num = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—';
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? `${(a / b).toFixed(2)}x` : '—');

export function formatTable(measured: Measured[], run: { duration: number; connections: number }): string {
  const lines = [
    `${run.connections} connections (flow row: ${run.connections} concurrent flows), ${run.duration} s per cell; latency in ms (a flow's latency is the whole flow)`,
    '',
    '| row | server | req/s | p50 | p99 | vs oidc-provider | vs ceiling | errors / non-2xx |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of ROWS) {
    const cells = measured.filter((m) => m.row === row.id);
    const oidc = cells.find((m) => m.target === 'oidc')?.result;
    const ceiling = cells.find((m) => m.target === 'ceiling')?.result;
    for (const cell of cells) {
      const r = cell.result;
      if (!r) {
        lines.push(`| ${row.label} | ${cell.label} | failed | | | | | |`);
        continue;
      }
      const vsOidc = cell.target === 'oidc' || cell.target === 'ceiling' ? '' : ratio(r.rps, oidc?.rps);
      const vsCeiling = cell.target === 'ceiling' ? '' : ratio(r.rps, ceiling?.rps);
      lines.push(
        `| ${row.label} | ${cell.label} | ${num(r.rps)} | ${num(r.p50, 1)} | ${num(r.p99, 1)} | ${vsOidc} | ${vsCeiling} | ${r.errors} / ${r.non2xx} |`,
      );
    }
  }
  return lines.join('\n');
}
