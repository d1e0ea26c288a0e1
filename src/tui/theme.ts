/**
 * How health looks: a symbol, a word and a colour per state, so a badge is
 * readable without colour (NO_COLOR, monochrome terminals, screen readers).
 */
import type { Health } from '../../sessions/health/classify.js';
import type { Color } from './view/line.js';

/** Badge states: the verdicts, plus "checking" while a slow server is asked again. */
export type BadgeState = Health | 'checking';

/** One badge per state; the word alone must say it all. */
export const BADGES = {
  healthy: { symbol: '✓', word: 'healthy', color: 'green' },
  changed: { symbol: '≠', word: 'changed', color: 'yellow' },
  crashed: { symbol: '✗', word: 'crashed', color: 'red' },
  frozen: { symbol: '‖', word: 'frozen', color: 'cyan' },
  closed: { symbol: '–', word: 'closed', color: 'gray' },
  checking: { symbol: '…', word: 'checking', color: 'gray' },
} as const satisfies Record<BadgeState, { symbol: string; word: string; color: Color }>;

/** Width of the widest badge ("… checking"). */
export const BADGE_WIDTH = Math.max(...Object.values(BADGES).map((b) => b.word.length)) + 2;

/** Badge text, e.g. "✗ crashed". */
export const badgeText = (s: BadgeState): string => `${BADGES[s].symbol} ${BADGES[s].word}`;

/** Colour on unless NO_COLOR is set to something (https://no-color.org). */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

/** Tones of the status line. */
export const TONES = { info: 'gray', ok: 'green', error: 'red', busy: 'yellow' } as const satisfies Record<string, Color>;
/** A status tone. */
export type Tone = keyof typeof TONES;
