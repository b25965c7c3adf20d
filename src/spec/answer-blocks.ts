/** One fenced block of a reply: its language, its body, and whether its closing fence was found. */
export interface FencedBlock {
  language: string;
  body: string;
  /** False when the reply ends inside the block (a cut-off answer): its body runs to the end. */
  closed: boolean;
  /** The 1-based line of its opening fence in the reply. */
  line: number;
}

interface Fence {
  char: string;
  length: number;
  info: string;
}

// CommonMark's fence: up to three spaces, then three or more backticks or tildes, then an info string.
const FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^\n]*?)[ \t]*$/;

function fenceOf(line: string): Fence | undefined {
  const match = FENCE.exec(line.replace(/\r$/, ''));
  if (!match) return undefined;
  const run = match[1] ?? '';
  const info = match[2] ?? '';
  // A backtick fence's info string may not hold a backtick (that is inline code, not a fence).
  if (run.startsWith('`') && info.includes('`')) return undefined;
  return { char: run.charAt(0), length: run.length, info };
}

const closes = (line: Fence, open: Fence) =>
  line.info === '' && line.char === open.char && line.length >= open.length;

/**
 * The top-level fenced blocks of a reply, in order. A model's markdown answer often holds code
 * blocks of its own (```ts inside ```markdown), so inside a block a fence with an info string
 * opens an inner block, which the next bare fence closes; only a bare fence at least as long as
 * the opening one, with no inner block open, ends the block. An answer opened with ````markdown
 * therefore keeps every ``` inside it.
 */
export function fencedBlocks(text: string): FencedBlock[] {
  const lines = text.split('\n');
  const blocks: FencedBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = fenceOf(lines[i] ?? '');
    if (!open) {
      i += 1;
      continue;
    }
    let inner: Fence | undefined;
    let end = -1;
    for (let j = i + 1; j < lines.length; j++) {
      const fence = fenceOf(lines[j] ?? '');
      if (!fence) continue;
      if (inner) {
        if (closes(fence, inner)) inner = undefined;
      } else if (closes(fence, open)) {
        end = j;
        break;
      } else if (fence.info !== '' || fence.char !== open.char) inner = fence;
    }
    const bodyEnd = end === -1 ? lines.length : end;
    const body = lines.slice(i + 1, bodyEnd).join('\n');
    blocks.push({
      language: (open.info.split(/\s/)[0] ?? '').toLowerCase(),
      body: end === -1 || body === '' ? body : `${body}\n`,
      closed: end !== -1,
      line: i + 1,
    });
    i = end === -1 ? lines.length : end + 1;
  }
  return blocks;
}

/** The last fenced block of one of `languages` in a reply, if it has one. */
export const lastBlock = (text: string, languages: readonly string[]): FencedBlock | undefined =>
  fencedBlocks(text)
    .filter((b) => languages.includes(b.language))
    .at(-1);

/** The body of the last fenced block of one of `languages` in a reply, if it has one. */
export const lastFencedBlock = (text: string, languages: readonly string[]): string | undefined =>
  lastBlock(text, languages)?.body;

const MARKDOWN = ['markdown', 'md'];

/** A markdown artifact from a reply: its last ```markdown block, else the whole reply. */
export const markdownOf = (text: string) => (lastFencedBlock(text, MARKDOWN) ?? text).trim() + '\n';

/** The hint every "the block was cut short" problem carries: how to fence a document that holds code. */
export const OUTER_FENCE_HINT =
  'open the block with four backticks (````markdown) and close it with ````, so the code blocks inside it stay inside';

/**
 * What makes a markdown answer look cut short rather than whole, worded for the model: its block
 * never closed, more fenced text after it, a code block inside it left open, or a heading it must
 * have missing (the reply was read only up to a fence that belonged to an inner code block).
 */
export function markdownProblems(
  text: string,
  artifact: string,
  required: readonly { heading: RegExp; name: string }[],
): string[] {
  const blocks = fencedBlocks(text);
  const index = blocks.findLastIndex((b) => MARKDOWN.includes(b.language));
  const block = blocks[index];
  const problems: string[] = [];
  if (block && !block.closed)
    problems.push(
      `the \`\`\`markdown block opened at line ${block.line} of your reply is never closed: write the whole ${artifact}, then close the block`,
    );
  // A bare fence after the block is most likely the end of a code block that was inside it: the
  // fence taken for the block's end opened that code block.
  const after = blocks.slice(index + 1).find((b) => b.language === '');
  if (block && after)
    problems.push(
      `your reply goes on after the \`\`\`markdown block (a fence at line ${after.line}): write the whole ${artifact} in that one block, and ${OUTER_FENCE_HINT}`,
    );
  const open = unclosedFence(block?.body ?? text);
  if (open !== undefined)
    problems.push(`${artifact}:${open}: this code block is never closed — close it, and ${OUTER_FENCE_HINT}`);
  const markdown = markdownOf(text);
  const missing = required.filter((r) => !outsideCode(markdown).some((line) => r.heading.test(line)));
  if (missing.length > 0)
    problems.push(
      `${artifact} has no ${missing.map((m) => `"${m.name}"`).join(', ')} heading${missing.length === 1 ? '' : 's'}: write the whole document in one block (if it holds code blocks, ${OUTER_FENCE_HINT})`,
    );
  return problems;
}

/** The line of a code fence in `markdown` that nothing closes, if any. */
function unclosedFence(markdown: string): number | undefined {
  let open: { fence: Fence; line: number } | undefined;
  markdown.split('\n').forEach((line, index) => {
    const fence = fenceOf(line);
    if (!fence) return;
    if (!open) open = { fence, line: index + 1 };
    else if (closes(fence, open.fence)) open = undefined;
  });
  return open?.line;
}

/**
 * For each line of a markdown document, whether it is part of a fenced code block (its fences
 * included), so that text shown as code is never read as the document's own structure.
 */
export function codeLines(lines: readonly string[]): boolean[] {
  let open: Fence | undefined;
  return lines.map((line) => {
    const fence = fenceOf(line);
    if (open) {
      if (fence && closes(fence, open)) open = undefined;
      return true;
    }
    if (fence) open = fence;
    return fence !== undefined;
  });
}

/** The lines of a markdown document that are not inside a fenced code block. */
export function outsideCode(markdown: string): string[] {
  const lines = markdown.split('\n');
  const code = codeLines(lines);
  return lines.filter((_, i) => code[i] !== true);
}
