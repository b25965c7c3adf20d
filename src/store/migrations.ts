import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { StoreDialect } from './schema.js';

// Migrations take Kysely<unknown>: they describe the schema as it was when written, not as
// the current `Database` type says. Types are chosen to mean the same in both dialects;
// the only dialect switch is the auto-increment id of `events`.
function initial(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('slug', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('repo_path', 'text', (c) => c.notNull())
        .addColumn('plan_path', 'text', (c) => c.notNull())
        .addColumn('plan_json', 'text', (c) => c.notNull())
        .addColumn('options_json', 'text', (c) => c.notNull())
        .addColumn('base_branch', 'text', (c) => c.notNull())
        .addColumn('base_commit', 'text', (c) => c.notNull())
        .addColumn('integration_branch', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema.createIndex('runs_created_at').on('runs').columns(['created_at', 'id']).execute();

      await db.schema
        .createTable('tasks')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('task_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('reworks', 'integer', (c) => c.notNull())
        .addColumn('branch', 'text', (c) => c.notNull())
        .addColumn('merge_commit', 'text')
        .addColumn('reason', 'text')
        .addColumn('files_changed', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('tasks_pk', ['run_id', 'task_id'])
        .execute();

      await db.schema
        .createTable('attempts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('task_id', 'text', (c) => c.notNull())
        .addColumn('number', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('agent', 'text', (c) => c.notNull())
        .addColumn('worktree_path', 'text', (c) => c.notNull())
        .addColumn('branch', 'text', (c) => c.notNull())
        .addColumn('base_commit', 'text', (c) => c.notNull())
        .addColumn('head_commit', 'text')
        .addColumn('native_session_id', 'text')
        .addColumn('feedback', 'text')
        .addColumn('error', 'text')
        .addColumn('usage_json', 'text')
        .addColumn('transcript_path', 'text')
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addUniqueConstraint('attempts_task_number', ['run_id', 'task_id', 'number'])
        .addForeignKeyConstraint(
          'attempts_task_fk',
          ['run_id', 'task_id'],
          'tasks',
          ['run_id', 'task_id'],
          (c) => c.onDelete('cascade'),
        )
        .execute();

      await db.schema
        .createTable('evaluations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('task_id', 'text', (c) => c.notNull())
        .addColumn('attempt_id', 'text', (c) => c.notNull().references('attempts.id').onDelete('cascade'))
        .addColumn('passed', 'integer', (c) => c.notNull())
        .addColumn('score', 'double precision', (c) => c.notNull())
        .addColumn('confidence', 'text', (c) => c.notNull())
        .addColumn('results_json', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('evaluations_task')
        .on('evaluations')
        .columns(['run_id', 'task_id'])
        .execute();

      // No foreign key on events: the log is append-only and must stay cheap to write.
      await db.schema
        .createTable('events')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('task_id', 'text')
        .addColumn('attempt_id', 'text')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('data_json', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_run_id').on('events').columns(['run_id', 'id']).execute();

      await db.schema
        .createTable('leases')
        .addColumn('run_id', 'text', (c) => c.primaryKey())
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('token', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['leases', 'events', 'evaluations', 'attempts', 'tasks', 'runs']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}

/**
 * An attempt's typed failure (so a resumed engine decides retry, rework or stop from the record),
 * and an index for reading one kind of event of a run (open questions, control requests) without
 * scanning its whole log.
 */
const failuresAndEventTypes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('attempts').addColumn('failure_json', 'text').execute();
    await db.schema.createIndex('events_run_type').on('events').columns(['run_id', 'type', 'id']).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('events_run_type').execute();
    await db.schema.alterTable('attempts').dropColumn('failure_json').execute();
  },
};

/**
 * The process groups of an attempt's agent and checks (pid, group, host, command, start mark), as
 * JSON, so an engine taking over after a crash can end them before the worktree is used again.
 */
const attemptProcesses: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('attempts').addColumn('processes_json', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('attempts').dropColumn('processes_json').execute();
  },
};

/**
 * The LLM reviewer's verdict on an evaluation (criteria, critiques, usage), as JSON; null when no
 * reviewer ran. A column of its own rather than inside `results_json`: that one stays the list
 * of check results every reader (baseline comparison, status views) takes it for.
 */
const evaluationReview: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('evaluations').addColumn('review_json', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('evaluations').dropColumn('review_json').execute();
  },
};

/** Gaffer's migrations, in code so they ship inside the bundle; names sort in apply order. */
export function createMigrationProvider(dialect: StoreDialect): MigrationProvider {
  return {
    async getMigrations() {
      return {
        '0001_initial': initial(dialect),
        '0002_failures_and_event_types': failuresAndEventTypes,
        '0003_attempt_processes': attemptProcesses,
        '0004_evaluation_review': evaluationReview,
      };
    },
  };
}
