/** What an agent reports for the tasks after it, at the end of its final message. */
export interface ReportedKnowledge {
  decisions: string[];
  patterns: string[];
}

/** The block agents are asked to end with (see the prompt's rules). */
export const KNOWLEDGE_INSTRUCTION = [
  'When you are done, end your final message with a short note for the tasks that come after yours:',
  '<knowledge>',
  'decisions:',
  '- a choice you made that later work must follow (a name, a format, a library)',
  'patterns:',
  '- a convention of this code base you followed or found',
  '</knowledge>',
].join('\n');

const MAX_ITEMS = 10;
const MAX_ITEM_CHARS = 300;
const SECTION = /^\s*(?:#+\s*)?(decisions?|patterns?)\s*:?\s*(.*)$/i;
const BULLET = /^\s*(?:[-*•]|\d+[.)])\s+(.*\S)\s*$/;

/**
 * The decisions and patterns of an agent's final text, read leniently: the last `<knowledge>`
 * block (or, without tags, what follows a `Knowledge` heading), `decisions:` / `patterns:`
 * sections of bullets or numbered lines; bullets before any section count as decisions. Nothing
 * recognisable yields empty lists, never an error: the note is a courtesy, not a contract.
 */
export function parseKnowledgeBlock(text: string): ReportedKnowledge {
  const body = blockOf(text);
  const found: ReportedKnowledge = { decisions: [], patterns: [] };
  if (body === undefined) return found;
  let into: keyof ReportedKnowledge = 'decisions';
  for (const line of body.split('\n')) {
    const section = SECTION.exec(line);
    if (section) {
      into = (section[1] ?? '').toLowerCase().startsWith('pattern') ? 'patterns' : 'decisions';
      const inline = section[2]?.trim();
      if (inline) add(found[into], inline);
      continue;
    }
    const bullet = BULLET.exec(line);
    if (bullet?.[1]) add(found[into], bullet[1]);
  }
  return found;
}

function blockOf(text: string): string | undefined {
  const tagged = [...text.matchAll(/<knowledge>([\s\S]*?)(?:<\/knowledge>|$)/gi)].at(-1);
  if (tagged) return tagged[1] ?? '';
  const heading = /^\s*#*\s*knowledge\s*:?\s*$/im.exec(text);
  return heading ? text.slice(heading.index + heading[0].length) : undefined;
}

function add(list: string[], item: string): void {
  const clean = item.replace(/\s+/g, ' ').trim();
  if (clean && list.length < MAX_ITEMS && !list.includes(clean)) list.push(clean.slice(0, MAX_ITEM_CHARS));
}
