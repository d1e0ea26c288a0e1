/**
 * Terminal input bytes as key presses, one by one. A terminal (or a slow ssh
 * link, or a paste) may deliver many keys in one read — `/beta⏎r` — and
 * each must act as if typed alone: Enter ends the filter, `r` restores.
 * Escape sequences (arrows, Page Up, Shift-Tab) are one key each; an ESC
 * at the very end of a read may be the start of a sequence, so the streaming
 * reader holds it until the next read or a short pause says it was Esc.
 * Non-goals: bracketed paste, the kitty keyboard protocol (never enabled).
 */
import type { Key } from 'ink';
import { keyName } from './key-bindings.js';

/** One key press: its normalized name (key-bindings.ts), and the text it types (for the filter). */
export interface KeyPress {
  /** 'up', 'enter', 'escape', 'tab', 'backspace', 'ctrl+c', a single character, or null (a key with no name here). */
  readonly name: string | null;
  /** What it types: the character for a printable key, else ''. */
  readonly text: string;
}

const ESC = '\x1b';

/** CSI / SS3 final bytes and `~` codes we name. */
const CSI_FINAL: Record<string, string> = { A: 'up', B: 'down', C: 'right', D: 'left', Z: 'shift+tab', H: 'home', F: 'end' };
const CSI_TILDE: Record<string, string> = { '3': 'backspace', '5': 'pageup', '6': 'pagedown', '1': 'home', '4': 'end', '7': 'home', '8': 'end' };

const key = (name: string | null, text = ''): KeyPress => ({ name, text });

/** A single non-ESC character as a key. */
function charKey(ch: string): KeyPress {
  const c = ch.codePointAt(0) ?? 0;
  if (ch === '\r' || ch === '\n') return key('enter');
  if (ch === '\t') return key('tab');
  if (ch === '\x7f' || ch === '\b') return key('backspace');
  if (c === 0) return key('ctrl+space');
  if (c < 0x20) return key(`ctrl+${String.fromCharCode(c + 0x60)}`);
  // C1 controls typed or pasted are no keys (never echoed into the filter).
  if (c >= 0x80 && c <= 0x9f) return key(null);
  return key(ch, ch);
}

/**
 * Where the escape sequence starting at `i` (an ESC) ends, and its key;
 * 'pending' when the input ends inside it.
 */
function escapeAt(s: string, i: number): { key: KeyPress; next: number } | 'pending' {
  const kind = s[i + 1];
  if (kind === undefined) return 'pending';
  if (kind === '[' || kind === 'O') {
    let j = i + 2;
    // Parameter and intermediate bytes, then one final byte.
    while (j < s.length && /[0-9;:<=>?!"#$%&'()*+,\-./ ]/.test(s[j]!)) j++;
    if (j >= s.length) return 'pending';
    const final = s[j]!;
    const params = s.slice(i + 2, j);
    if (final === '~') return { key: key(CSI_TILDE[params.split(';')[0] ?? ''] ?? null), next: j + 1 };
    // Modified arrows (ESC[1;5A) are still arrows.
    return { key: key(CSI_FINAL[final] ?? null), next: j + 1 };
  }
  if (kind === ESC) return { key: key('escape'), next: i + 1 };
  // ESC + a character: Alt/Meta with that key — no binding uses it.
  const cp = s.codePointAt(i + 1)!;
  return { key: key(null), next: i + 1 + (cp > 0xffff ? 2 : 1) };
}

/** Every key of a complete chunk (an ESC at its end is Esc). */
export function splitKeys(s: string): KeyPress[] {
  const r = createKeyReader();
  return [...r.push(s), ...r.flush()];
}

/** A streaming reader: push each read, flush a pending ESC when no more input came. */
export interface KeyReader {
  push(chunk: string): KeyPress[];
  /** The held ESC (if any) as Esc. */
  flush(): KeyPress[];
  /** Whether an ESC is held, waiting to see if a sequence follows. */
  readonly pending: boolean;
}

/** A reader keeping a sequence split across reads whole. */
export function createKeyReader(): KeyReader {
  let held = '';
  return {
    get pending() {
      return held !== '';
    },
    push(chunk) {
      const s = held + chunk;
      held = '';
      const out: KeyPress[] = [];
      let i = 0;
      while (i < s.length) {
        if (s[i] !== ESC) {
          const cp = s.codePointAt(i)!;
          const ch = String.fromCodePoint(cp);
          out.push(charKey(ch));
          i += ch.length;
          continue;
        }
        const e = escapeAt(s, i);
        if (e === 'pending') {
          // Bounded: a "sequence" longer than any real key is not one.
          if (s.length - i > 32) {
            out.push(key('escape'));
            i++;
            continue;
          }
          held = s.slice(i);
          break;
        }
        out.push(e.key);
        i = e.next;
      }
      return out;
    },
    flush() {
      if (!held) return [];
      // What is held starts with ESC: Esc itself, then whatever followed as keys.
      const rest = held.slice(1);
      held = '';
      return [key('escape'), ...splitKeys(rest)];
    },
  };
}

/**
 * Ink's view of one input event as key presses. Ink splits a read at escape
 * sequences only, so a run of plain keys (`/beta⏎r`, a paste) arrives as one
 * string: it is split here, Enter and Backspace included.
 */
export function fromInk(input: string, k: Key): KeyPress[] {
  const special = k.upArrow || k.downArrow || k.leftArrow || k.rightArrow || k.pageUp || k.pageDown || k.return || k.escape || k.tab || k.backspace || k.delete || k.ctrl || k.meta;
  if (!special && input.length > 1) return splitKeys(input);
  const name = keyName(input, k);
  return [{ name, text: !special && name === input && input >= ' ' ? input : '' }];
}
