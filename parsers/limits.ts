/**
 * Every size limit of the streaming parsers, in one place. Each limit bounds
 * memory per stream whatever the input; over a limit the parser drops, counts
 * and resynchronises — it never throws. Not a config loader: callers pass overrides.
 */

/** Largest OSC payload (bytes after `ESC ] Ps ;`, C0 controls not counted) a marker may carry. */
export const MAX_OSC_PAYLOAD_BYTES = 64 * 1024;

/**
 * Longest control-mode line (bytes before the 0x0A). tmux 3.3a writes a pane's
 * output in pieces of a few KiB, at most 4 × larger once octal-escaped, so a
 * real `%output` line never comes near this; it bounds hostile or broken input.
 */
export const MAX_CONTROL_LINE_BYTES = 1024 * 1024;

/**
 * Most content bytes one `%begin … %end` reply block may accumulate
 * (sum of its line lengths). Beyond it further lines are dropped and the reply
 * is marked `truncated`, so `capture-pane` of a huge history stays bounded.
 */
export const MAX_CONTROL_REPLY_BYTES = 16 * 1024 * 1024;

/** Limits accepted by the marker parser. */
export interface MarkerParserLimits {
  readonly maxOscPayloadBytes: number;
}

/** Limits accepted by the control-mode decoder. */
export interface ControlModeLimits {
  readonly maxLineBytes: number;
  readonly maxReplyBytes: number;
}

/** Defaults for the marker parser. */
export const DEFAULT_MARKER_LIMITS: MarkerParserLimits = {
  maxOscPayloadBytes: MAX_OSC_PAYLOAD_BYTES,
} as const;

/** Defaults for the control-mode decoder. */
export const DEFAULT_CONTROL_MODE_LIMITS: ControlModeLimits = {
  maxLineBytes: MAX_CONTROL_LINE_BYTES,
  maxReplyBytes: MAX_CONTROL_REPLY_BYTES,
} as const;

/**
 * Resolve one limit override. Construction is the only place a parser throws:
 * a bad limit is a programming error, never a property of the input stream.
 */
export function pickLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`Expected limit ${name} to be a positive integer, got ${String(value)}`);
  }
  return value;
}
