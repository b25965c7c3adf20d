/** The body of the last fenced block of one of `languages` in a reply, if it has one. */
export function lastFencedBlock(text: string, languages: readonly string[]): string | undefined {
  const blocks = [...text.matchAll(/^```([\w-]*)[^\n]*\n([\s\S]*?)^```\s*$/gm)];
  const wanted = blocks.filter((b) => languages.includes((b[1] ?? '').toLowerCase()));
  return wanted.at(-1)?.[2];
}

/** A markdown artifact from a reply: its last ```markdown block, else the whole reply. */
export const markdownOf = (text: string) => (lastFencedBlock(text, ['markdown', 'md']) ?? text).trim() + '\n';
