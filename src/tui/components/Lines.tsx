/**
 * Renders prepared lines (view/line.ts) with Ink: one <Text> per line, one
 * nested <Text> per styled segment. Colour comes from the theme context, so
 * NO_COLOR drops colours but keeps words, symbols, bold and inverse.
 */
import { Box, Text } from 'ink';
import { createContext, memo, useContext } from 'react';
import type { Line } from '../view/line.js';
import { plain } from '../view/line.js';

/** Whether colours are on (off under NO_COLOR). */
export const ThemeContext = createContext<{ readonly color: boolean }>({ color: true });

/** One line; re-rendered only when its text or styles change. */
const LineView = memo(
  function LineView({ line, color }: { readonly line: Line; readonly color: boolean }) {
    return (
      <Text wrap="truncate">
        {line.map((s, i) => (
          <Text key={i} color={color ? s.color : undefined} bold={s.bold ?? false} dimColor={s.dim ?? false} inverse={s.inverse ?? false}>
            {s.text}
          </Text>
        ))}
      </Text>
    );
  },
  (a, b) => a.color === b.color && a.line.length === b.line.length && a.line.every((s, i) => {
    const t = b.line[i]!;
    return s.text === t.text && s.color === t.color && s.bold === t.bold && s.dim === t.dim && s.inverse === t.inverse;
  }),
);

/** A column of lines. */
export function Lines({ lines }: { readonly lines: readonly Line[] }) {
  const { color } = useContext(ThemeContext);
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <LineView key={i} line={l} color={color} />
      ))}
    </Box>
  );
}

/** Plain text of lines (for logs and tests). */
export const linesText = (lines: readonly Line[]): string => lines.map(plain).join('\n');
