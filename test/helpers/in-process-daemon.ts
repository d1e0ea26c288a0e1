/**
 * The watch daemon in process (`watchServer`) for tests that replace its use
 * cases: fast settings, its journal collected in memory, and isolated
 * servers and daemons torn down after each test — daemons first, then the
 * servers they watched.
 */
import { createContext } from '../../src/context.js';
import { DEFAULT_WATCH_SETTINGS, watchServer, type WatchSettings } from '../../src/daemon/daemon.js';
import { USE_CASES, type DaemonUseCases } from '../../src/daemon/use-cases.js';
import type { JournalEntry } from '../../src/ops/journal.js';
import { cleanupAfterEach } from './teardown.js';
import { createTestServer, type TestServer } from './tmux-server.js';

/** A journal entry as the daemon hands it to its journal callback (before it is stamped). */
export type Entry = Omit<JournalEntry, 'at'>;

/** The default settings made fast for tests (no interval saves, no health rounds, auto-restore on), with `overrides`. */
export function fastSettings(overrides: Partial<WatchSettings> = {}): WatchSettings {
  return { ...DEFAULT_WATCH_SETTINGS, quietMs: 100, maxWaitMs: 500, intervalMs: 0, healthMs: 0, autoRestore: true, ...overrides };
}

/** The pid of the tmux server `s`. */
export const pid = (s: TestServer): number => Number(s.tmux('display-message', '-p', '#{pid}').trim());

/** How many entries are `what` (with `result`, when given). */
export const count = (entries: readonly Entry[], what: string, result?: string): number =>
  entries.filter((e) => e.what === what && (result === undefined || e.result === result)).length;

export interface InProcessDaemons {
  /** A new isolated server, killed after the test. */
  server(): TestServer;
  /** Start the daemon in process on `s`; returns its journal and a stop that waits for its end (also run after the test). */
  watch(s: TestServer, settings: WatchSettings, useCases?: DaemonUseCases): { entries: Entry[]; stop: () => Promise<void> };
}

/** Servers and in-process daemons torn down after each test of the enclosing scope; call once per file. */
export function inProcessDaemons(): InProcessDaemons {
  // Daemons are registered after their server, so they stop first.
  const afterTest = cleanupAfterEach();
  return {
    server() {
      const s = createTestServer();
      afterTest(() => s.kill());
      return s;
    },
    watch(s, settings, useCases = USE_CASES) {
      const ctx = createContext({ socketName: s.name, configFile: '/dev/null', json: false, debug: false }, s.env);
      const entries: Entry[] = [];
      const abort = new AbortController();
      const done = watchServer(ctx, settings, abort.signal, (e) => entries.push(e), useCases);
      const stop = async () => {
        abort.abort();
        await done;
      };
      afterTest(stop);
      return { entries, stop };
    },
  };
}
