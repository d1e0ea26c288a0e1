/** The teardown helpers every suite leans on: order, errors, and children that are gone or stubborn. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCleanups, running, stopChild, type Cleanup } from './teardown.js';

describe('runCleanups', () => {
  it('runs newest first, awaits each, runs all when one throws and rethrows the first error', async () => {
    const order: string[] = [];
    const list: Cleanup[] = [
      () => void order.push('dir'),
      () => {
        order.push('server');
        throw new Error('server');
      },
      async () => {
        await new Promise((r) => setTimeout(r, 20));
        order.push('client');
        throw new Error('client');
      },
    ];
    await expect(runCleanups(list)).rejects.toThrow('client');
    expect(order).toEqual(['client', 'server', 'dir']);
    expect(list).toEqual([]);
  });
});

describe('stopChild', () => {
  it('returns at once for a child that already exited (waiting for its exit would wait forever)', async () => {
    const child = spawn('true');
    await new Promise((r) => child.once('exit', r));
    const t0 = Date.now();
    await stopChild(child, 'SIGTERM');
    expect(Date.now() - t0).toBeLessThan(100);
  });

  it('sends the signal and resolves once the child has exited', async () => {
    const child = spawn('sleep', ['30']);
    await stopChild(child, 'SIGTERM');
    expect(running(child)).toBe(false);
    expect(child.signalCode).toBe('SIGTERM');
  });

  it('SIGKILLs a child that ignores the signal past the grace', async () => {
    const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);"]);
    await new Promise((r) => child.stdout.once('data', r));
    await stopChild(child, 'SIGTERM', 200);
    expect(child.signalCode).toBe('SIGKILL');
  });
});
