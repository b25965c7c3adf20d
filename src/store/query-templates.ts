import type { Compilable, CompiledQuery } from 'kysely';
import { GafferError } from '../domain/index.js';

// Compiling a Kysely query costs about as much as SQLite takes to run it. The hot writes
// (status changes, event appends) have few shapes, so each shape is compiled once with named
// slots in place of its values, and later calls only swap the values in.

const SLOT = Symbol('gaffer.query-slot');
interface Slot {
  readonly [SLOT]: string;
}
const isSlot = (value: unknown): value is Slot =>
  typeof value === 'object' && value !== null && SLOT in value;

/** A named stand-in for a value, typed as the column it fills so query builders accept it. */
export const slot = <T>(name: string): T => ({ [SLOT]: name }) as unknown as T;

/** Compiled queries by shape key; safe to share between transactions of one dialect. */
export class QueryTemplates {
  readonly #compiled = new Map<string, CompiledQuery>();

  /**
   * The query for `key`, compiled by `build` on first use, with each slot replaced by
   * `values[slotName]`. `key` must change whenever the SQL `build` produces would.
   */
  bind<R>(
    key: string,
    build: () => Compilable<R>,
    values: Readonly<Record<string, unknown>>,
  ): CompiledQuery<R> {
    let template = this.#compiled.get(key);
    if (template === undefined) {
      template = build().compile();
      this.#compiled.set(key, template);
    }
    const parameters = template.parameters.map((p) => {
      if (!isSlot(p)) return p;
      const name = p[SLOT];
      if (!(name in values))
        throw new GafferError('GAFFER_STORE', `query template ${key}: no value for slot ${name}`);
      return values[name];
    });
    return { ...template, parameters };
  }
}

/**
 * Splits a row into slots (for the template) and slot values (for binding), the slot names
 * prefixed so they cannot clash with a query's other slots.
 */
export function slotted<T extends object>(
  prefix: string,
  row: T,
): { slots: T; values: Record<string, unknown> } {
  const slots: Record<string, unknown> = {};
  const values: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    slots[column] = slot(`${prefix}.${column}`);
    values[`${prefix}.${column}`] = value;
  }
  return { slots: slots as T, values };
}
