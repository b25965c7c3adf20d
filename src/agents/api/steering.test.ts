import type { ModelMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { createSteering } from './steering.js';

const user = (content: string): ModelMessage => ({ role: 'user', content });
const assistant = (content: string): ModelMessage => ({ role: 'assistant', content });

describe('steering', () => {
  it('leaves the messages alone until something is sent', () => {
    const steering = createSteering();
    expect(steering.apply([user('task')], 1)).toBeUndefined();
    expect(steering.pending).toBe(false);
  });

  it('keeps each message where it was first sent as the SDK rebuilds later steps', () => {
    const steering = createSteering();
    steering.push('use tabs');
    expect(steering.pending).toBe(true);
    expect(steering.apply([user('task'), assistant('a1')], 1)).toEqual([
      user('task'),
      assistant('a1'),
      user('use tabs'),
    ]);
    expect(steering.pending).toBe(false);
    steering.push('hurry');
    // The SDK's next step: initial messages plus every response so far, without our insertions.
    expect(steering.apply([user('task'), assistant('a1'), assistant('a2')], 1)).toEqual([
      user('task'),
      assistant('a1'),
      user('use tabs'),
      assistant('a2'),
      user('hurry'),
    ]);
  });

  it('forgets placements after a reset, for a conversation that already contains them', () => {
    const steering = createSteering();
    steering.push('also add docs');
    const continued = steering.apply([user('task'), assistant('done')], 1) ?? [];
    steering.reset();
    expect(steering.apply([...continued, assistant('docs added')], continued.length)).toBeUndefined();
  });
});
