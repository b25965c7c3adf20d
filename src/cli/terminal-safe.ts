/* eslint-disable no-control-regex -- finding control characters is what this file is for */
/**
 * What Gaffer itself writes to a terminal: colour codes (`paint`) anywhere, and the live view's
 * "up N lines, clear below" only at the start of a write. Everything else that could steer the
 * terminal — escape sequences (OSC 52 writes the clipboard, OSC 8 hides links, cursor moves hide
 * lines), other C0 controls, C1 controls — comes from untrusted text (an agent's transcript, a
 * check's output, a reviewer's words) and is shown visibly instead of obeyed.
 */
const OURS = /^\u001b\[\d+A\u001b\[J/;
// Exactly the codes `paint` writes: reset, bold, dim and its colours (an agent's concealed, black-on-black or reverse text is shown as text).
const COLOUR = /^\u001b\[(?:0|1|2|3[1-6]|90)m/;
// C0 controls but tab, newline and carriage return; DEL; C1 controls.
const CONTROL = /[\u0000-\u0008\u000b-\u000c\u000e-\u001f\u007f-\u009f]/;

export function terminalSafe(text: string): string {
  if (!CONTROL.test(text)) return text;
  let start = 0;
  let safe = '';
  const lead = OURS.exec(text);
  if (lead) {
    safe = lead[0];
    start = lead[0].length;
  }
  for (let i = start; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '\u001b') {
      const colour = COLOUR.exec(text.slice(i, i + 5));
      if (colour) {
        safe += colour[0];
        i += colour[0].length - 1;
        continue;
      }
    }
    safe += CONTROL.test(char) ? visible(char) : char;
  }
  return safe;
}

/** A control character as text a person can read: ESC as `^[`, the others as `\u00XX`. */
function visible(char: string): string {
  const code = char.charCodeAt(0);
  if (code === 0x1b) return '^[';
  return `\\u${code.toString(16).padStart(4, '0')}`;
}
