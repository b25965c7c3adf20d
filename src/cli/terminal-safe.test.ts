import { describe, expect, it } from 'vitest';
import { terminalSafe } from './terminal-safe.js';

describe('terminalSafe', () => {
  it('keeps plain text, tabs, newlines and Gaffer’s own colours as they are', () => {
    const text = 'a\tb\r\n\u001b[33mwaiting\u001b[0m\n';
    expect(terminalSafe(text)).toBe(text);
  });

  it('keeps the live view’s redraw at the start of a write, and only there', () => {
    expect(terminalSafe('\u001b[3A\u001b[Jrun x')).toBe('\u001b[3A\u001b[Jrun x');
    expect(terminalSafe('line\u001b[3A\u001b[Jhidden')).toBe('line^[[3A^[[Jhidden');
  });

  it('shows what an agent’s output would make the terminal do instead of doing it', () => {
    // OSC 52: set the clipboard; OSC 8: a hidden link; a bell; a C1 CSI.
    expect(terminalSafe('\u001b]52;c;cm0gLXJmIH4=\u0007')).toBe('^[]52;c;cm0gLXJmIH4=\\u0007');
    expect(terminalSafe('\u001b]8;;http://x\u001b\\click\u001b]8;;\u001b\\')).toBe(
      '^[]8;;http://x^[\\click^[]8;;^[\\',
    );
    expect(terminalSafe('\u009b2J')).toBe('\\u009b2J');
    expect(terminalSafe('erase\u001b[2K\u001b[1G')).toBe('erase^[[2K^[[1G');
    // Colours Gaffer never writes could hide text from the person reading it.
    expect(terminalSafe('\u001b[8mhidden\u001b[30m\u001b[40m')).toBe('^[[8mhidden^[[30m^[[40m');
  });
});
