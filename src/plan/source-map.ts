import {
  isCollection,
  isMap,
  isNode,
  isScalar,
  visit,
  type Document,
  type LineCounter,
  type Node,
} from 'yaml';

/** A path into the plan document, as zod reports it: keys and list indexes. */
export type PlanPath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

/** Which part of a mapping entry an issue is about: its key (unknown keys) or its value. */
export type Target = 'key' | 'value';

/**
 * Turns document paths into 1-based line/column positions. A path that does not exist (a
 * missing key, an index past the end) falls back to the nearest existing parent, so every
 * issue points somewhere useful.
 */
export class SourceMap {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** The position of the node at `path`, or of its nearest existing ancestor. */
  locate(path: PlanPath, target: Target = 'value'): Position {
    for (let length = path.length; length >= 0; length--) {
      const prefix = path.slice(0, length);
      const exact = length === path.length;
      const offset = this.offsetOf(prefix, exact ? target : 'value');
      if (offset !== undefined) return this.position(offset);
    }
    return { line: 1, column: 1 };
  }

  /** The position of a character offset in the source text. */
  position(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  private offsetOf(path: PlanPath, target: Target): number | undefined {
    if (path.length === 0) return rangeStart(this.doc.contents);
    const key = path.at(-1);
    const keyNode = key === undefined ? undefined : this.keyNode(path.slice(0, -1), key);
    if (target === 'key' && keyNode) return rangeStart(keyNode);
    const value: unknown = this.doc.getIn(path, true);
    // `title:` with nothing after it is an empty null scalar sitting after the colon:
    // pointing at the key reads better.
    const start = isNode(value) && !isEmpty(value) ? rangeStart(value) : undefined;
    if (start !== undefined) return start;
    if (keyNode) return rangeStart(keyNode);
    // A list item with nothing after its `-` has no key to point at; its empty node sits right
    // after the dash, on the item's own line (the list's start would name the wrong item).
    return typeof key === 'number' && isNode(value) ? rangeStart(value) : undefined;
  }

  /**
   * Where to show a YAML syntax error at `offset`. An error reported at the end of the text (an
   * unclosed quote or bracket) would name a line past the last one; it is shown where the
   * unclosed quote or bracket opens, or else on the last character of the text.
   */
  errorPosition(offset: number): Position {
    const end = contentEnd(this.doc);
    if (offset < end) return this.position(offset);
    let opener: number | undefined;
    visit(this.doc, (_key, node) => {
      const range = isNode(node) ? node.range : undefined;
      if (!range || range[1] < end || !opensWithDelimiter(node)) return;
      // The innermost unclosed construct is the one that starts last.
      if (opener === undefined || range[0] > opener) opener = range[0];
    });
    return this.position(opener ?? Math.max(0, end - 1));
  }

  private keyNode(parentPath: PlanPath, key: string | number): Node | undefined {
    const parent: unknown = parentPath.length === 0 ? this.doc.contents : this.doc.getIn(parentPath, true);
    if (!isMap(parent)) return undefined;
    for (const pair of parent.items) {
      const pairKey: unknown = pair.key;
      const name = isScalar(pairKey) ? pairKey.value : pairKey;
      if (isNode(pairKey) && String(name) === String(key)) return pairKey;
    }
    return undefined;
  }
}

function rangeStart(node: unknown): number | undefined {
  return isNode(node) ? node.range?.[0] : undefined;
}

function isEmpty(node: Node): boolean {
  const range = node.range;
  return range !== undefined && range !== null && range[0] === range[1];
}

/** How far the parsed nodes reach: the end of the plan's content, past which nothing can point. */
function contentEnd(doc: Document): number {
  let end = 0;
  visit(doc, (_key, node) => {
    const range = isNode(node) ? node.range : undefined;
    if (range) end = Math.max(end, range[1]);
  });
  return end;
}

/** A quoted scalar or a flow collection: the constructs an unclosed delimiter leaves open. */
function opensWithDelimiter(node: unknown): boolean {
  if (isScalar(node)) return node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  return isCollection(node) && node.flow === true;
}
