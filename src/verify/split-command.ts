import { userError } from '../domain/index.js';

/**
 * Splits a command line into argv the way a POSIX shell would for the simple cases — whitespace
 * separates words, single quotes are literal, double quotes allow `\"` and `\\`, a backslash
 * outside quotes escapes the next character — and nothing more: no variables, globs or pipes,
 * because verifiers never run through a shell.
 */
export function splitCommand(command: string): string[] {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < command.length; i++) {
    const char = command[i] as string;
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === '\\' && (command[i + 1] === '"' || command[i + 1] === '\\')) word += command[++i];
      else word += char;
    } else if (/\s/.test(char)) {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (char === "'" || char === '"') quote = char;
      else if (char === '\\') {
        if (i + 1 >= command.length) throw unbalanced(command, 'a trailing backslash');
        word += command[++i];
      } else word += char;
    }
  }
  if (quote !== undefined) throw unbalanced(command, `an unclosed ${quote}`);
  if (inWord) argv.push(word);
  return argv;
}

function unbalanced(command: string, what: string) {
  return userError(
    'GAFFER_BAD_INPUT',
    `cannot split command ${JSON.stringify(command)}: ${what}`,
    'close the quote, or give the command as a list of arguments instead of a string',
    { command },
  );
}
