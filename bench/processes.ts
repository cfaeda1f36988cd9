/** Starting and stopping the servers under test, each in its own process, on loopback. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { throwawayDatabase as throwawayOn } from '../test/support/database.js';

export const repoRoot = new URL('..', import.meta.url).pathname;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Running {
  child: ChildProcess;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns a node process running a TypeScript entry through tsx; resolves once `ready()` holds. */
export async function startNode(
  name: string,
  args: string[],
  env: Record<string, string | undefined>,
  /** Polled until true; sees the child's recent output. */
  ready: (output: string) => Promise<boolean>,
): Promise<Running> {
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited during start-up:\n${output}`);
    if (await ready(output).catch(() => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready after 90 s:\n${output}`);
    }
    await sleep(200);
  }
  return {
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      // Let a --cpu-prof profile be written; then insist.
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export const httpReady = (url: string) => async () => (await fetch(url)).status === 200;

/** Ready once the child has printed `ready` (the bench's own servers). */
export const printedReady = async (output: string) => output.includes('ready\n');

/** A throwaway database on the PostgreSQL server of `serverUrl`, dropped by `drop()`. */
export const throwawayDatabase = (serverUrl: string) => throwawayOn(serverUrl, 'gatehouse_bench');

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs one load job in a child process (see load.ts) and returns its parsed result. */
export function runLoadChild<T>(job: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'bench/load.ts'), JSON.stringify(job)],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (stderr.trim()) process.stderr.write(stderr);
        if (error) return reject(new Error(`load generator failed: ${error.message}`));
        try {
          resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T);
        } catch {
          reject(new Error(`load generator printed no result: ${stdout}`));
        }
      },
    );
  });
}
