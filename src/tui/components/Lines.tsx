/**
 * Renders prepared lines (view/line.ts) with Ink: one <Text> per block of
 * lines, already styled as ANSI, trailing blanks dropped. Ink's renderer
 * costs time per character and per node, and a frame is thousands of
 * characters: one pre-styled text per block keeps a repaint fast (measured
 * ~3× faster than a <Text> per styled segment). Colour comes from the theme
 * context, so NO_COLOR drops colours but keeps words, symbols, bold, inverse.
 */
import { Text } from 'ink';
import { createContext, useContext } from 'react';
import type { Line } from '../view/line.js';
import { plain, toAnsi, trimEnd } from '../view/line.js';

/** Whether colours are on (off under NO_COLOR). */
export const ThemeContext = createContext<{ readonly color: boolean }>({ color: true });

/** A block of lines. */
export function Lines({ lines }: { readonly lines: readonly Line[] }) {
  const { color } = useContext(ThemeContext);
  return <Text>{lines.map((l) => toAnsi(trimEnd(l), color)).join('\n')}</Text>;
}

/** Plain text of lines (for logs and tests). */
export const linesText = (lines: readonly Line[]): string => lines.map(plain).join('\n');
