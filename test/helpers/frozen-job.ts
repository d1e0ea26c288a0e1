/**
 * A frozen foreground job in a pane of an isolated test server: `sh -c '…;
 * sleep 1000; true'` with its sleep stopped (SIGSTOP), as the unfreeze
 * tests need. The caller resumes what `stopped` collects in teardown.
 */
import { readdirSync } from 'node:fs';
import { readStat } from '../../sessions/proc/facts.js';
import { waitFor, type TestServer } from './tmux-server.js';

/** Pids whose parent is `ppid`, from /proc. */
export const childrenOf = (ppid: number): number[] =>
  readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => readStat(pid)?.ppid === ppid);

/** Start the job in `target`, stop its sleep, record it in `stopped`; returns the sleep's pid and its shell's (the job's process group). */
export async function stopAJob(ts: TestServer, stopped: number[], target = 'work'): Promise<{ sleep: number; sh: number }> {
  ts.tmux('send-keys', '-t', target, "sh -c 'echo PID=$$; sleep 1000; true'", 'Enter');
  const sh = Number(await waitFor(() => /PID=(\d+)/.exec(ts.tmux('capture-pane', '-p', '-t', target))?.[1], 10_000, 'PID line'));
  const sleep = await waitFor(() => childrenOf(sh).find((p) => readStat(p)?.comm === 'sleep'), 10_000, 'sleep');
  process.kill(sleep, 'SIGSTOP');
  stopped.push(sleep);
  await waitFor(() => readStat(sleep)?.state === 'T', 5_000, 'state T');
  return { sleep, sh };
}
