import type { PromptInputs, SpecConfig, SpecHandle, SpecPhase } from '../../spec/index.js';
import {
  CONTEXT_INPUTS,
  criterionIds,
  CURRENT_TEMPLATES,
  parseRequirements,
  phaseInputs,
  readText,
  sha256,
  sha256OfValue,
} from '../../spec/index.js';

/** One file a phase reads, as it is on disk now. */
export interface PhaseInput {
  name: string;
  text: string | undefined;
  sha256: string | null;
}

/** Everything a phase run starts from: its inputs re-read, and the prompt they make. */
export interface PhaseMaterial {
  phase: SpecPhase;
  inputs: PhaseInput[];
  prompt: string;
  template: { name: string; version: number };
  /** The acceptance-criterion ids requirements.md holds now (tasks phase). */
  criteria: string[];
  /** Inputs the phase needs that are not there. */
  missing: string[];
  /** `gaffer spec revise`: the sha256 of the feedback, for the receipt. */
  feedbackSha256?: string;
  /** What else goes into the answer besides the spec's files (repository map, plan settings, feedback), hashed. */
  context: { name: string; sha256: string }[];
}

/**
 * What a revision revises: the artifact, else the `.partial` of the run that did not succeed (said
 * to be that, so it is not taken for a good answer), else nothing (the feedback alone goes in).
 */
function previousOutput(spec: SpecHandle, phase: SpecPhase): string | undefined {
  const artifact = readText(spec.paths.artifact(phase));
  if (artifact !== undefined) return artifact;
  const partial = readText(spec.paths.partial(phase));
  if (partial === undefined) return undefined;
  return `(Not usable as it was: the answer of the last run, which did not succeed.)\n${partial}`;
}

/** A rough token count (four characters a token), for dry runs: no tokenizer is loaded to guess. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/**
 * Reads a phase's inputs from disk now (so a person's edit is always what goes in) and renders its
 * prompt with the current template; the design and tasks phases get the repository map.
 */
export async function phaseMaterial(
  spec: SpecHandle,
  phase: SpecPhase,
  config: SpecConfig,
  repoMap: () => Promise<string>,
  revision?: { feedback: string },
): Promise<PhaseMaterial> {
  const inputs = phaseInputs(phase).map((name): PhaseInput => {
    const text = readText(`${spec.paths.dir}/${name}`);
    return { name, text, sha256: text === undefined ? null : sha256(text) };
  });
  const text = (name: string) => inputs.find((i) => i.name === name)?.text;
  const requirements = text('requirements.md');
  const parsed = requirements === undefined ? undefined : parseRequirements(requirements);
  const criteria = parsed ? criterionIds(parsed.stories) : [];
  const previous = revision ? previousOutput(spec, phase) : undefined;
  const map = phase === 'requirements' ? undefined : await repoMap();
  const promptInputs: PromptInputs = {
    specId: spec.id,
    feature: text('feature.md') ?? '',
    maxChars: config.max_output_chars,
    ...(requirements === undefined ? {} : { requirements }),
    ...(text('design.md') === undefined ? {} : { design: text('design.md') }),
    ...(map === undefined ? {} : { repoMap: map }),
    ...(phase === 'tasks' ? { criteria } : {}),
    // The feedback goes in whatever came before: the person asked for it, and the receipt says so.
    ...(revision ? { revision: { feedback: revision.feedback, previous: previous ?? '' } } : {}),
  };
  const template = CURRENT_TEMPLATES[phase];
  return {
    phase,
    inputs,
    prompt: template.render(promptInputs),
    template: { name: template.name, version: template.version },
    criteria,
    missing: inputs.filter((i) => i.text === undefined).map((i) => i.name),
    ...(revision ? { feedbackSha256: sha256(revision.feedback) } : {}),
    context: [
      ...(map === undefined ? [] : [{ name: CONTEXT_INPUTS.repoMap, sha256: sha256(map) }]),
      // The tasks phase writes these into plan.yaml: they shape what it does as much as the prompt.
      ...(phase === 'tasks'
        ? [{ name: CONTEXT_INPUTS.planSettings, sha256: sha256OfValue(config.plan) }]
        : []),
      ...(revision ? [{ name: CONTEXT_INPUTS.feedback, sha256: sha256(revision.feedback) }] : []),
    ],
  };
}
