/**
 * `npm run demo` (scripts/demo.ts) as a newcomer runs it: it starts, prints one URL, the
 * Dashboard there answers and leads to Gatehouse, Ctrl-C stops everything, and a second start
 * on the same data directory finds its client again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/harness.js';

const root = new URL('../..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-'));
const started: ChildProcess[] = [];
afterAll(() => {
  // A demo that never printed its URL must not outlive the test.
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

interface Demo {
  child: ChildProcess;
  output: () => string;
  url: string;
}

async function startDemo(ports: { port: number; adminPort: number; dashboardPort: number }): Promise<Demo> {
  // The demo uses its own embedded database, whatever database the test run was given.
  const { DATABASE_URL: _db, ADMIN_TOKEN: _token, ISSUER: _issuer, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
    cwd: root,
    env: {
      ...env,
      PORT: String(ports.port),
      ADMIN_PORT: String(ports.adminPort),
      DASHBOARD_PORT: String(ports.dashboardPort),
      DATA_DIR: dataDir,
    },
    // Its own process group, so the test can send SIGINT to the group as a terminal's Ctrl-C does.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /^ {2}Open (http:\/\/\S+)$/m.exec(output);
      if (match?.[1]) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 200);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`the demo exited (${code}) before printing its URL:\n${output}`));
    });
  });
  return { child, output: () => output, url };
}

/** Ctrl-C; resolves with the exit code once every process of the demo has ended. */
function interrupt(demo: Demo): Promise<number | null> {
  return new Promise((resolve) => {
    demo.child.once('exit', (code) => resolve(code));
    process.kill(-(demo.child.pid as number), 'SIGINT');
  });
}

describe('npm run demo', () => {
  it('starts Gatehouse and the Dashboard, prints the URL to open, stops on Ctrl-C, and restarts idempotently', async () => {
    const ports = { port: await freePort(), adminPort: await freePort(), dashboardPort: await freePort() };
    const first = await startDemo(ports);
    try {
      expect(first.url).toBe(`http://localhost:${ports.dashboardPort}`);
      expect(first.output()).toContain(
        'Development set-up data: the client "gatehouse-demo-dashboard" was registered and approved',
      );

      const landing = await fetch(first.url);
      expect(landing.status).toBe(200);
      expect(await landing.text()).toContain('Sign in with Gatehouse');

      // The button's target goes to Gatehouse, which knows the client and shows its login page.
      const login = await fetch(`${first.url}/login`, { redirect: 'manual' });
      expect(login.status).toBe(303);
      const authorize = new URL(login.headers.get('location') as string);
      expect(authorize.origin).toBe(`http://localhost:${ports.port}`);
      expect(authorize.searchParams.get('client_id')).toBe('gatehouse-demo-dashboard');
      const atGatehouse = await fetch(authorize, { redirect: 'manual' });
      expect(atGatehouse.status).toBe(303);
      expect(atGatehouse.headers.get('location')).toContain('/ui/login?login_challenge=');
    } finally {
      expect(await interrupt(first)).toBe(0);
    }
    expect(first.output()).toContain('Stopping the Dashboard and Gatehouse');
    await expect(fetch(first.url)).rejects.toThrow();

    // Same data directory: the client is found and brought up to date, not created twice.
    const second = await startDemo(ports);
    try {
      expect(second.output()).toContain('the client "gatehouse-demo-dashboard" was updated and approved');
      expect((await fetch(second.url)).status).toBe(200);
    } finally {
      expect(await interrupt(second)).toBe(0);
    }
  }, 240_000);
});
