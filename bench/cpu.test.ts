import { describe, expect, it } from 'vitest';
import { cpuDuring, processCpuMs, statCpuMs } from './cpu.js';

describe('CPU per cell', () => {
  it('reads utime + stime of a /proc stat line, even when the command name holds spaces and parentheses', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
    const line = '4242 (node (a) b) S 1 4242 4242 0 -1 4194304 900 0 0 0 1234 56 0 0 20 0 11 0';
    expect(statCpuMs(line)).toBe((1234 + 56) * 10);
    expect(() => statCpuMs('garbage')).toThrow(/not a \/proc/);
  });

  it.runIf(process.platform === 'linux')('charges the CPU a process spends during the cell', async () => {
    const before = processCpuMs(process.pid) as number;
    expect(before).toBeGreaterThanOrEqual(0);
    const { result, cpuMs } = await cpuDuring(
      async () => [process.pid],
      async () => {
        // Busy until the process has spent 150 ms of CPU, not 150 ms of wall time: on a loaded
        // machine the loop may be descheduled for much of a wall-clock interval.
        const start = process.cpuUsage();
        const spentMs = () => {
          const { user, system } = process.cpuUsage(start);
          return (user + system) / 1000;
        };
        while (spentMs() < 150) Math.sqrt(Math.random());
        return 'done';
      },
    );
    expect(result).toBe('done');
    // 150 ms of CPU, counted in 10 ms ticks.
    expect(cpuMs).toBeGreaterThanOrEqual(100);
    expect(cpuMs).toBeLessThan(1000);
  });

  it('says nothing when it cannot see the processes', async () => {
    const { cpuMs } = await cpuDuring(
      async () => [2 ** 31 - 1],
      async () => 1,
    );
    expect(cpuMs).toBeUndefined();
  });
});
