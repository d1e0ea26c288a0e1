/**
 * How times and names read to a person: the one age() and the one visible()
 * that every front end and every evidence line uses, so a list, a journal
 * entry and a health verdict never disagree. Pure; no I/O.
 */

/** "5s", "3m", "2h", "4d": whole units, rounded down, as `ls -l`-style ages read. */
export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** C0, DEL and C1 control characters: a terminal acts on all three. */
const CONTROL = /[\x00-\x1f\x7f\x80-\x9f]/g;

/**
 * Control characters in untrusted text (a session name, a path) shown as
 * `\xHH`, so a hostile name can neither break a line nor send the terminal a
 * C1 sequence (U+009B is CSI on many terminals).
 */
export function visible(s: string): string {
  return s.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * How a person names a pane: `session:window.pane` (`api:1.2`), as tmux's
 * own targets read, with the session name made visible. Every line a person
 * reads uses this; a tmux id (`%21`) only where tmux needs one.
 */
export function paneName(session: string, windowIndex: number, paneIndex: number): string {
  return `${visible(session)}:${windowIndex}.${paneIndex}`;
}

/** "1 window", "2 windows": a count and its noun, said as a person would (never "window(s)"). */
export function count(n: number, noun: string): string {
  if (n === 1) return `1 ${noun}`;
  const plural = /(s|x|ch|sh)$/.test(noun) ? `${noun}es` : /[^aeiou]y$/.test(noun) ? `${noun.slice(0, -1)}ies` : `${noun}s`;
  return `${n} ${plural}`;
}
