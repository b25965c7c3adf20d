import type { Plan, PlanTask } from '../domain/index.js';
import { DEFAULT_RETRY_POLICY } from '../domain/index.js';

type Step = Record<string, unknown>;
const write = (path: string, content: string): Step => ({ write: { path, content } });
const sleep = (ms: number): Step => ({ sleep_ms: ms });
const say = (text: string): Step => ({ say: text });

function task(fields: Partial<PlanTask> & Pick<PlanTask, 'id' | 'title'>): PlanTask {
  return {
    description: '',
    depends_on: [],
    deliverables: [],
    acceptance_criteria: [],
    context_files: [],
    ...fields,
  };
}

const TITLE_CASE_BUGGY = `import { words } from './words.js';

/** "hELLO wORLD" → "Hello World" */
export function titleCase(text) {
  return words(text)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
}
`;

const TITLE_CASE_FIXED = `import { words } from './words.js';

/** "hELLO wORLD" → "Hello World" */
export function titleCase(text) {
  return words(text)
    .map((word) => word[0].toUpperCase() + word.slice(1).toLowerCase())
    .join(' ');
}
`;

/**
 * The demo's six tasks: a diamond (words → slugify, title-case → headline) plus two more,
 * `title-case` scripted to get its first attempt wrong so the run shows a rework, and `index`
 * checked by nothing, so its yellow result waits for approval.
 */
export function demoPlan(): Plan {
  const tasks: PlanTask[] = [
    task({
      id: 'words',
      title: 'Split text into words',
      description: 'Add src/words.js exporting words(text): the whitespace-separated words of text.',
      deliverables: ['src/words.js', 'test/words.test.js'],
      acceptance_criteria: ['words("  a  b ") returns ["a", "b"]'],
      agent_config: {
        steps: [
          sleep(900),
          write(
            'src/words.js',
            `/** The whitespace-separated words of text. */\nexport function words(text) {\n  return text.trim().split(/\\s+/).filter(Boolean);\n}\n`,
          ),
          write(
            'test/words.test.js',
            `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { words } from '../src/words.js';\n\ntest('splits on any whitespace', () => {\n  assert.deepEqual(words('  a  b\\tc '), ['a', 'b', 'c']);\n});\n\ntest('empty text has no words', () => {\n  assert.deepEqual(words('   '), []);\n});\n`,
          ),
        ],
      },
    }),
    task({
      id: 'slugify',
      title: 'Slugify text',
      depends_on: ['words'],
      description: 'Add src/slugify.js: lowercase words of letters and digits joined by dashes.',
      deliverables: ['src/slugify.js'],
      acceptance_criteria: ['slugify("Hello, World!") is "hello-world"'],
      agent_config: {
        steps: [
          sleep(1400),
          write(
            'src/slugify.js',
            `import { words } from './words.js';\n\nexport function slugify(text) {\n  return words(text)\n    .map((word) => word.toLowerCase().replace(/[^a-z0-9]/g, ''))\n    .filter(Boolean)\n    .join('-');\n}\n`,
          ),
          write(
            'test/slugify.test.js',
            `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { slugify } from '../src/slugify.js';\n\ntest('slugifies', () => {\n  assert.equal(slugify('Hello, World!'), 'hello-world');\n});\n`,
          ),
        ],
      },
    }),
    task({
      id: 'title-case',
      title: 'Title-case text',
      depends_on: ['words'],
      description: 'Add src/title-case.js: every word capitalised, the rest of it lower case.',
      deliverables: ['src/title-case.js'],
      acceptance_criteria: ['titleCase("hELLO wORLD") is "Hello World"'],
      agent_config: {
        attempts: [
          [
            say('Capitalising the first letter of every word.'),
            sleep(1000),
            write('src/title-case.js', TITLE_CASE_BUGGY),
            write(
              'test/title-case.test.js',
              `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { titleCase } from '../src/title-case.js';\n\ntest('capitalises each word and lowers the rest', () => {\n  assert.equal(titleCase('hELLO wORLD'), 'Hello World');\n});\n`,
            ),
          ],
          [
            say('The test shows the rest of each word must be lower case; fixing that.'),
            sleep(800),
            write('src/title-case.js', TITLE_CASE_FIXED),
          ],
        ],
      },
    }),
    task({
      id: 'word-count',
      title: 'Count words',
      depends_on: ['words'],
      deliverables: ['src/count.js'],
      acceptance_criteria: ['countWords("a b a") is { a: 2, b: 1 }'],
      agent_config: {
        steps: [
          sleep(700),
          write(
            'src/count.js',
            `import { words } from './words.js';\n\nexport function countWords(text) {\n  const counts = {};\n  for (const word of words(text.toLowerCase())) counts[word] = (counts[word] ?? 0) + 1;\n  return counts;\n}\n`,
          ),
          write(
            'test/count.test.js',
            `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { countWords } from '../src/count.js';\n\ntest('counts words case-insensitively', () => {\n  assert.deepEqual(countWords('a B a b a'), { a: 3, b: 2 });\n});\n`,
          ),
        ],
      },
    }),
    task({
      id: 'headline',
      title: 'Headline: title and slug together',
      depends_on: ['slugify', 'title-case'],
      deliverables: ['src/headline.js'],
      acceptance_criteria: ['headline("hello world") is { title: "Hello World", slug: "hello-world" }'],
      agent_config: {
        steps: [
          sleep(900),
          write(
            'src/headline.js',
            `import { slugify } from './slugify.js';\nimport { titleCase } from './title-case.js';\n\nexport function headline(text) {\n  return { title: titleCase(text), slug: slugify(text) };\n}\n`,
          ),
          write(
            'test/headline.test.js',
            `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { headline } from '../src/headline.js';\n\ntest('builds title and slug', () => {\n  assert.deepEqual(headline('hello wORLD'), { title: 'Hello World', slug: 'hello-world' });\n});\n`,
          ),
        ],
      },
    }),
    task({
      id: 'index',
      title: 'Public entry point and docs',
      depends_on: ['headline', 'word-count'],
      deliverables: ['src/index.js'],
      acceptance_criteria: ['src/index.js exports every helper'],
      // Nothing checks it (its test is left to the run that follows): a yellow result, which under
      // the default autonomy waits for a person — the demo shows that step, and takes it.
      verifiers: { skip: ['test'] },
      agent_config: {
        steps: [
          sleep(600),
          write(
            'src/index.js',
            `export { words } from './words.js';\nexport { slugify } from './slugify.js';\nexport { titleCase } from './title-case.js';\nexport { countWords } from './count.js';\nexport { headline } from './headline.js';\n`,
          ),
          write(
            'test/index.test.js',
            `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport * as textkit from '../src/index.js';\n\ntest('exports every helper', () => {\n  assert.deepEqual(Object.keys(textkit).sort(), ['countWords', 'headline', 'slugify', 'titleCase', 'words']);\n});\n`,
          ),
          {
            append: {
              path: 'README.md',
              content:
                "\n## Usage\n\n```js\nimport { headline } from './src/index.js';\nheadline('hello world'); // { title: 'Hello World', slug: 'hello-world' }\n```\n",
            },
          },
        ],
      },
    }),
  ];
  return {
    name: 'textkit',
    settings: {
      concurrency: 3,
      agent_concurrency: {},
      max_rework: 2,
      question_timeout_s: 600,
      pricing: {},
      budgets: {},
      agent: 'script',
      protected_paths: ['package.json'],
      agents: {},
      retry: DEFAULT_RETRY_POLICY,
    },
    tasks,
  };
}
