/**
 * Renders the App with ink-testing-library and fake services, at a fixed
 * size and clock, with helpers to press keys and wait for a frame.
 */
import { render } from 'ink-testing-library';
import { vi } from 'vitest';
import { App, type AppProps } from '../../../src/tui/App.js';
import { ThemeContext } from '../../../src/tui/components/Lines.js';
import { fakeServices, NOW } from './fake-services.js';

/** Key bytes as a terminal sends them. */
export const KEYS = {
  up: '\x1b[A',
  down: '\x1b[B',
  enter: '\r',
  tab: '\t',
  escape: '\x1b',
  backspace: '\x7f',
  ctrlC: '\x03',
} as const;

/** Render the app; returns the instance, its services and callbacks, and helpers. */
export function renderApp(props: Partial<AppProps> = {}, services = fakeServices(), color = false) {
  const onAttach = vi.fn();
  const onQuit = vi.fn();
  const r = render(
    <ThemeContext.Provider value={{ color }}>
      <App services={services} initial={services.current} size={{ columns: 100, rows: 30 }} refreshMs={60_000} now={() => NOW} onAttach={onAttach} onQuit={onQuit} {...props} />
    </ThemeContext.Provider>,
  );
  // What a person reads: the frame without its escape sequences.
  const frame = () => (r.lastFrame() ?? '').replace(/\x1b\[[0-9;]*m/g, '');
  const rawFrame = () => r.lastFrame() ?? '';
  /** Wait until the frame matches (a regex or a predicate); fails with the last frame. */
  const waitFrame = async (want: RegExp | ((f: string) => boolean), timeoutMs = 3_000): Promise<string> => {
    const ok = typeof want === 'function' ? want : (f: string) => want.test(f);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (ok(frame())) return frame();
      await new Promise((res) => setTimeout(res, 5));
    }
    throw new Error(`Expected a frame matching ${String(want)}, got:\n${frame()}`);
  };
  /** Press keys one by one, letting Ink read each. */
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      r.stdin.write(k);
      await new Promise((res) => setTimeout(res, 15));
    }
  };
  return { ...r, services, onAttach, onQuit, frame, rawFrame, waitFrame, press };
}
