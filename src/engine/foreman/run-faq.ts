import type { Store } from '../../store/index.js';
import { isRealAnswer } from './answered-by.js';
import type { FaqEntry } from './foreman-prompt.js';

/**
 * The run's FAQ: every question answered so far, by the foreman or a person, newest first. Read
 * from the event log (one indexed read by type), so a resumed run — or another engine — has it.
 * Gaffer's own "assume and go on" after a timeout is nobody's answer and is left out.
 */
export async function runFaq(store: Store, runId: string): Promise<FaqEntry[]> {
  const events = await store.readEvents({ runId, types: ['attempt.question-answered'] });
  const faq: FaqEntry[] = [];
  for (const event of events) {
    if (event.type !== 'attempt.question-answered' || !isRealAnswer(event.data.by)) continue;
    const { question, answer, by } = event.data;
    faq.push({ taskId: event.taskId ?? '', question, answer, by });
  }
  return faq.reverse();
}
