import { describe, expect, it } from 'vitest';
import { createUserInput } from './user-input.js';

describe('claude-code user input', () => {
  it('streams pushed messages with their uuids and knows which ones Claude Code took', async () => {
    const input = createUserInput();
    const first = input.push('do the task');
    const second = input.push('also this');
    expect(input.settled).toBe(false);
    input.taken(first);
    expect(input.settled).toBe(false);
    input.taken(second);
    expect(input.settled).toBe(true);
    input.close();
    expect(input.closed).toBe(true);
    input.push('after the end is dropped');
    expect(input.settled).toBe(true);

    const seen = [];
    for await (const message of input.messages) seen.push(message);
    expect(seen).toEqual([
      {
        type: 'user',
        message: { role: 'user', content: 'do the task' },
        parent_tool_use_id: null,
        uuid: first,
      },
      {
        type: 'user',
        message: { role: 'user', content: 'also this' },
        parent_tool_use_id: null,
        uuid: second,
      },
    ]);
  });
});
