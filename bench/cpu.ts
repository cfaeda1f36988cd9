/**
 * CPU time a server spends on a cell, read from /proc (Linux). On a two-vCPU machine shared
 * with the load generator and PostgreSQL, requests per second say how the machine was split
 * as much as what a server costs; CPU per request says what it costs. Gatehouse on
 * PostgreSQL is charged for its own process and for the backends serving its database.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** /proc counts in USER_HZ, 100 per second on every Linux ABI Node runs on. */
const TICK_MS = 10;

/** utime + stime of a `/proc/<pid>/stat` line (the process and all its threads), in ms. */
export function statCpuMs(stat: string): number {
  // Field 2, the command name, is in parentheses and may itself hold spaces or ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  return ticks * TICK_MS;
}

/** The CPU a process has used so far in ms, or undefined when it is gone (or there is no /proc). */
export function processCpuMs(pid: number): number | undefined {
  try {
    return statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The processes to charge: asked before and after the cell, since backends come and go. */
export type Processes = () => Promise<number[]>;

function snapshot(pids: number[]): Map<number, number> {
  const taken = new Map<number, number>();
  for (const pid of pids) {
    const ms = processCpuMs(pid);
    if (ms !== undefined) taken.set(pid, ms);
  }
  return taken;
}

/**
 * Runs `cell` and returns what the processes spent meanwhile (undefined without /proc). A
 * process that appears during the cell is charged all it used; one that exits during it is
 * charged nothing (the pool keeps its connections open under load, so that is rare).
 */
export async function cpuDuring<T>(processes: Processes, cell: () => Promise<T>): Promise<{ result: T; cpuMs?: number }> {
  const before = snapshot(await processes());
  const result = await cell();
  if (before.size === 0) return { result };
  const after = snapshot([...new Set([...(await processes()), ...before.keys()])]);
  let cpuMs = 0;
  for (const [pid, ms] of after) cpuMs += ms - (before.get(pid) ?? 0);
  return { result, cpuMs };
}

/** The backends of one database on a PostgreSQL server, found through a connection of ours. */
export async function postgresBackends(
  serverUrl: string,
  database: string,
): Promise<{ processes: Processes; close(): Promise<void> }> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  return {
    processes: async () =>
      (await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [database])).rows.map(
        (r) => r.pid,
      ),
    close: () => client.end(),
  };
}
