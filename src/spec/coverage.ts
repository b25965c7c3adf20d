/** The acceptance criteria no task covers, in the order requirements.md lists them. */
export function coverageGaps(
  criteria: readonly string[],
  tasks: readonly { covers?: readonly string[] | undefined }[],
): string[] {
  const covered = new Set(tasks.flatMap((t) => t.covers ?? []));
  return criteria.filter((id) => !covered.has(id));
}
