/** What a phase's prompt is made of: the files it reads, as they are on disk now. */
export interface PromptInputs {
  specId: string;
  feature: string;
  requirements?: string;
  design?: string;
  /** The compact map of the repository (tracked files and key symbols), bounded. */
  repoMap?: string;
  /** Acceptance-criterion ids the plan must cover (tasks phase). */
  criteria?: readonly string[];
  maxChars: number;
  /** `gaffer spec revise`: what a person asked to change, and the output it applies to. */
  revision?: { feedback: string; previous: string };
}

/** A versioned prompt template; its name and version go into every receipt. */
export interface PromptTemplate {
  name: string;
  version: number;
  render(inputs: PromptInputs): string;
}

/** The ground rules every phase's prompt starts with: it answers, it does not act. */
export const ANSWER_ONLY =
  'You are the planner of Gaffer, an orchestrator for coding agents. Answer with text only: do not create, change or run anything, and do not use tools.';

/** A titled section, or nothing when its body is empty. */
export const section = (title: string, body: string | undefined) =>
  body === undefined || body.trim() === '' ? '' : `## ${title}\n${body.trim()}\n`;

/** The revision part of a prompt: the previous output and the person's feedback on it. */
export const revisionSection = (inputs: PromptInputs, what: string) =>
  inputs.revision
    ? `${section(`Your previous ${what}`, inputs.revision.previous)}\n${section('What the person asks you to change', inputs.revision.feedback)}`
    : '';

export const join = (parts: readonly string[]) =>
  parts
    .filter((p) => p.trim() !== '')
    .join('\n')
    .trimEnd() + '\n';
