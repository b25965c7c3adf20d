/** The plan `gaffer init` writes: every field shown once, with what it does. */
export const STARTER_PLAN = `# A Gaffer plan: tasks form a dependency graph; each runs as an agent session in its own
# git worktree, is checked by this repository's own test/lint/typecheck/build commands,
# and is merged into the integration branch gaffer/<run>. Check it: gaffer plan check plan.yaml
name: my-feature
concurrency: 3            # tasks running at once
max_rework: 2             # rework attempts after failed checks before a task is blocked
agent: claude-code        # default agent for tasks: claude-code, codex, api, command, script
protected_paths:          # agents may not change these (.git/ and .gaffer/ always are)
  - package-lock.json
# verifiers:              # detected automatically; override or narrow them here
#   commands: { test: "npm test" }
#   skip: [build]
tasks:
  - id: first-task
    title: Describe the first change
    description: |
      What to do, in the words you would give a colleague.
    deliverables: []      # files that must exist afterwards
    acceptance_criteria:
      - The tests pass
  - id: second-task
    title: A change that builds on the first
    depends_on: [first-task]
`;
