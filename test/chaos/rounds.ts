/**
 * The chaos rounds: each injects one fault (or a burst) into the world,
 * says what the user should see afterwards, and checks what the journal
 * must hold for it. world.settled() then compares every session, window,
 * pane, cwd and re-run program with the model; the suite checks the
 * daemons after every round.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { continuePid } from '../helpers/teardown.js';
import { waitFor } from '../helpers/tmux-server.js';
import type { Entry } from '../helpers/watch-daemon.js';
import { killPane, panes, type PaneRef } from './model.js';
import type { Rng } from './prng.js';
import type { ChaosWorld } from './world.js';

export const ROUND_KINDS = [
  'kill-server',
  'stop-cont-server',
  'change-then-crash',
  'kill-daemon-then-crash',
  'corrupt-newest-then-crash',
  'two-crashes',
  'read-only-state-dir',
  'sigterm-daemon',
] as const;
export type RoundKind = (typeof ROUND_KINDS)[number];

/** Fewest panes in the world: a kill-pane round needs one to spare; more than this many and changes remove panes. */
const MAX_PANES = 9;

/**
 * Make directories read-only (or writable again): chmod 0500 / 0700, or,
 * for root, whom modes do not stop, the immutable attribute (chattr ±i),
 * which refuses the same things: new, renamed and removed entries.
 */
export function readOnly(dirs: readonly string[], on: boolean): void {
  if (process.getuid?.() !== 0) {
    for (const d of dirs) chmodSync(d, on ? 0o500 : 0o700);
    return;
  }
  const r = spawnSync('chattr', [on ? '+i' : '-i', ...dirs], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`Expected chattr ${on ? '+i' : '-i'} to work on ${dirs.join(' ')}, got exit ${r.status}: ${r.stderr}`);
}

const ok = (what: string) => (e: Entry) => e.what === what && e.result === 'ok';

/** SIGKILL the server, then wait for the crash and the restore to be journaled (after `since`). */
async function crash(w: ChaosWorld, since: number, crashes = 1): Promise<void> {
  process.kill(w.serverPid(), 'SIGKILL');
  await w.journalSince(since, (e) => e.what === 'server-crashed', 'the crash journaled', 15_000, crashes);
}

/** After a crash: a successful restore journaled after the last crash line, and no breaker or give-up. */
async function restored(w: ChaosWorld, since: number): Promise<void> {
  const after = (entries: readonly Entry[]) => entries.slice(entries.map((e) => e.what).lastIndexOf('server-crashed') + 1);
  let entries: Entry[] = [];
  await waitFor(async () => {
    entries = await w.journal(since);
    return after(entries).some(ok('restore'));
  }, 45_000, 'a restore after the last crash').catch((e: Error) => {
    throw new Error(`${e.message}\njournal since the round began:\n${entries.map((x) => JSON.stringify(x)).join('\n')}`);
  });
  for (const bad of ['restore-breaker-open', 'restore-gave-up']) expect(entries.filter((e) => e.what === bad), bad).toEqual([]);
}

/** A user's change: a new window, a split, a cd, `tail -f` started or stopped, or closing a pane. Resolves once it shows in the server. */
async function change(w: ChaosWorld, rng: Rng): Promise<string> {
  const all = panes(w.model);
  const shells = all.filter((p) => p.model.program === 'bash');
  const tails = all.filter((p) => p.model.program === 'tail');
  const kinds = [
    ...(all.length < MAX_PANES ? ['new-window', 'split'] : []),
    ...(shells.length ? ['cd', 'tail'] : []),
    ...(tails.length ? ['stop-tail'] : []),
    ...(all.length > 5 && all.some((p) => p.windowPanes > 1) ? ['kill-pane'] : []),
  ];
  const kind = rng.pick(kinds);
  const ref = (p: PaneRef): PaneRef => ({ session: p.session, window: p.window, pane: p.pane });
  switch (kind) {
    case 'new-window':
      w.newWindow(rng.pick(w.model).name);
      break;
    case 'split':
      w.split(ref(rng.pick(all)));
      break;
    case 'cd': {
      const p = ref(rng.pick(shells));
      await w.atPrompt(p);
      w.cd(p, w.dir());
      break;
    }
    case 'tail': {
      const p = ref(rng.pick(shells));
      await w.atPrompt(p);
      await w.runTail(p);
      break;
    }
    case 'stop-tail': {
      const p = ref(rng.pick(tails));
      w.s.tmux('send-keys', '-t', `${p.session}:${p.window}.${p.pane}`, 'C-c');
      tails.find((x) => x.session === p.session && x.window === p.window && x.pane === p.pane)!.model.program = 'bash';
      break;
    }
    case 'kill-pane': {
      const p = ref(rng.pick(all.filter((x) => x.windowPanes > 1)));
      w.s.tmux('kill-pane', '-t', `${p.session}:${p.window}.${p.pane}`);
      killPane(w.model, p);
      break;
    }
  }
  await w.settled(`the user's ${kind}`, 15_000);
  return kind;
}

/** The daemon (re)started by "systemd" is attached to the server: its event client is there. */
async function daemonAttached(w: ChaosWorld, since: number): Promise<void> {
  await w.journalSince(since, (e) => e.what === 'started', 'the new daemon started');
  await waitFor(() => w.controlClients() === 1, 15_000, "the new daemon's control client");
}

/** Run one round of `kind`; returns a short note for the log. */
export async function runRound(w: ChaosWorld, kind: RoundKind, rng: Rng): Promise<string> {
  const since = Date.now() - 1; // journal times are ms: this round's lines are at or after it
  switch (kind) {
    case 'kill-server': {
      await crash(w, since);
      await restored(w, since);
      return 'crashed once';
    }
    case 'stop-cont-server': {
      const pid = w.serverPid();
      const ms = rng.int(500, 3_000);
      process.kill(pid, 'SIGSTOP');
      try {
        await sleep(ms);
      } finally {
        continuePid(pid);
      }
      await w.settled('the server after SIGCONT');
      // A stopped server is not a crash: nothing restored, nothing recorded as one.
      const entries = await w.journal(since);
      expect(entries.filter((e) => e.what === 'server-crashed' || e.what === 'restore'), 'no crash or restore for a stopped server').toEqual([]);
      return `stopped ${ms} ms`;
    }
    case 'change-then-crash': {
      const what = await change(w, rng);
      // The change landed (settled): 1.5 s later the server dies.
      await sleep(1_500);
      await crash(w, since);
      await restored(w, since);
      return what;
    }
    case 'kill-daemon-then-crash': {
      await w.endDaemon('SIGKILL');
      await waitFor(() => w.controlClients() === 0, 10_000, "the killed daemon's control client gone");
      const restart = Date.now() - 1;
      w.startDaemon();
      await daemonAttached(w, restart);
      await crash(w, restart);
      await restored(w, restart);
      return 'daemon SIGKILLed, restarted, then a crash';
    }
    case 'corrupt-newest-then-crash': {
      await w.saveByHand();
      await w.saveByHand();
      const file = w.newestCheckpointFile();
      const text = readFileSync(file);
      const how = rng.pick(['truncated', 'a byte changed'] as const);
      if (how === 'truncated') writeFileSync(file, text.subarray(0, text.length >> 1));
      else {
        // A digit inside the body: still JSON, the checksum no longer matches.
        const at = text.indexOf('"createdAt"') + 20;
        text[at] = text[at] === 0x31 ? 0x32 : 0x31;
        writeFileSync(file, text);
      }
      await crash(w, since);
      await restored(w, since);
      return `newest checkpoint ${how}`;
    }
    case 'two-crashes': {
      const first = w.serverPid();
      await crash(w, since);
      // The restored server is up (maybe still restoring): it dies too.
      const second = await waitFor(() => {
        const r = w.s.tmuxTry('display-message', '-p', '#{pid}');
        const pid = Number(r.stdout.trim());
        return r.status === 0 && pid !== first ? pid : null;
      }, 30_000, 'the restored server');
      const killedAt = new Date().toISOString();
      process.kill(second, 'SIGKILL');
      // Journaled as a crash; or — when it died while the restore was still
      // building on it, before the daemon was back on it — as that restore
      // try failing (rolled back), which the daemon tries again; or, when it
      // died before the restore built anything on it (tmux then starts a new
      // server for the restore's next command), not at all: nobody, the
      // daemon included, had anything on it, and the restore went on.
      const absorbed = (entries: readonly Entry[]) => {
        const now = w.s.tmuxTry('display-message', '-p', '#{pid}');
        const pid = now.status === 0 ? Number(now.stdout.trim()) : 0;
        return pid !== 0 && pid !== second && pid !== first && entries.some(ok('restore'));
      };
      let seen: Entry[] = [];
      await waitFor(async () => {
        seen = await w.journal(since);
        return seen.filter((e) => e.what === 'server-crashed' || (e.what === 'restore' && e.result === 'failed')).length >= 2 || absorbed(seen);
      }, 15_000, 'the second crash journaled (as a crash or a failed restore try), or the restore carried on past it')
        .then(() => seen)
        .catch((e: Error) => {
          const now = w.s.tmuxTry('display-message', '-p', '#{pid}');
          throw new Error(
            `${e.message}\njournal since the round began:\n${seen.map((x) => JSON.stringify(x)).join('\n')}\nkilled server pid ${second} at ${killedAt} (first was ${first}); a server answers now: ${now.status === 0 ? `pid ${now.stdout.trim()}` : now.stderr.trim()}; control clients: ${w.controlClients()}\ndaemon stderr ends:\n${w.daemon.stderr().slice(-2500)}`,
            { cause: e },
          );
        });
      await restored(w, since);
      return 'two crashes in quick succession';
    }
    case 'read-only-state-dir': {
      // The store and every directory in it (checkpoints, blobs) as if the disk had turned read-only.
      const dirs = [w.storeDir, ...readdirSync(w.storeDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(w.storeDir, d.name))];
      readOnly(dirs, true);
      let what: string;
      try {
        what = await change(w, rng);
        // Saves fail while the store cannot be written; a failed save goes on stderr (the journal is in that dir too).
        await waitFor(() => /"what":"save","cause":[^\n]*"result":"failed"/.test(w.daemon.stderr()), 15_000, 'a failed save on stderr').catch((e: Error) => {
          throw new Error(`${e.message}; the daemon's stderr ends:\n${w.daemon.stderr().slice(-3000)}`, { cause: e });
        });
        await sleep(rng.int(0, 2_000));
      } finally {
        readOnly(dirs, false);
      }
      // Writable again: the change reaches a checkpoint, then the server dies.
      const back = Date.now() - 1;
      await w.journalSince(back, ok('save'), 'a save once the dir is writable again', 15_000);
      await crash(w, back);
      await restored(w, back);
      return `read-only state dir during a ${what}`;
    }
    case 'sigterm-daemon': {
      const code = await w.endDaemon('SIGTERM');
      expect(code, 'a daemon stopped with SIGTERM exits 0').toBe(0);
      const entries = await w.journal(since);
      expect(entries.map((e) => e.what)).toEqual(expect.arrayContaining(['stopping', 'stopped']));
      // The final save ran (journaled when it wrote or failed; one that found nothing changed writes nothing).
      expect(entries.filter((e) => e.what === 'save' && e.result === 'failed'), 'no failed save').toEqual([]);
      const restart = Date.now() - 1;
      w.startDaemon();
      await daemonAttached(w, restart);
      return 'daemon stopped with SIGTERM and restarted';
    }
  }
}
