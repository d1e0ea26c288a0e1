/** The terminal's size, following resizes (or a fixed size given by a test). */
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';
import type { ScreenSize } from './view/screen.js';

/** Fallback when the output has no size (not a terminal). */
export const DEFAULT_SIZE = { columns: 80, rows: 24 } as const;

/** Current size; re-renders on 'resize'. */
export function useTerminalSize(fixed?: ScreenSize): ScreenSize {
  const { stdout } = useStdout();
  const read = (): ScreenSize => fixed ?? { columns: stdout.columns || DEFAULT_SIZE.columns, rows: stdout.rows || DEFAULT_SIZE.rows };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout, fixed]);
  return fixed ?? size;
}
