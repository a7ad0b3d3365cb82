// Run Command in SQLite: commands and their invocations, written whole. `save` writes a batch of
// rows in one transaction (one fsync), which is what lets a thousand replies a second be
// acknowledged only after they are durable.

import type {
  CommandInvocationRecord,
  CommandRecord,
  CommandStatus,
  InvocationStatus,
} from '../command-records.js';
import { FINAL_COMMAND_STATUSES, FINAL_INVOCATION_STATUSES } from '../command-records.js';
import type {
  CommandChanges,
  CommandFilter,
  CommandRepository,
  InvocationFilter,
} from '../command-repositories.js';
import { assertPageLimit, decodeCursor, pageFromRows } from '../pagination.js';
import type { Page, PageRequest } from '../records.js';
import { promised, type SqliteDatabase } from './database.js';
import { WhereClause } from './where-clause.js';

const LISTING = 'commands';
const INVOCATIONS_LISTING = 'command-invocations';

interface CommandRow {
  readonly command_id: string;
  readonly document_name: string;
  readonly document_version: string;
  readonly comment: string;
  readonly parameters: string;
  readonly job_content: string;
  readonly plugins: string;
  readonly instance_ids: string;
  readonly targets: string;
  readonly requested_at: number;
  readonly timeout_seconds: number;
  readonly expires_at: number;
  readonly output_s3_region: string;
  readonly output_s3_bucket_name: string;
  readonly output_s3_key_prefix: string;
  readonly max_concurrency: string;
  readonly max_errors: string;
  readonly service_role: string;
  readonly notification_config: string | null;
  readonly cloud_watch_output_config: string | null;
  readonly owner: string;
  readonly status: CommandStatus;
  readonly status_details: string;
  readonly target_count: number;
  readonly completed_count: number;
  readonly error_count: number;
  readonly delivery_timed_out_count: number;
  readonly cancel_requested: number;
  readonly dispatch_stopped: number;
}

interface InvocationRow {
  readonly command_id: string;
  readonly instance_id: string;
  readonly instance_name: string;
  readonly position: number;
  readonly requested_at: number;
  readonly status: InvocationStatus;
  readonly status_details: string;
  readonly dispatched_at: number | null;
  readonly delivered_at: number | null;
  readonly send_attempts: number;
  readonly next_attempt_at: number | null;
  readonly job_message_id: string | null;
  readonly reply_sequence: number;
  readonly trace_output: string;
  readonly plugins: string;
  readonly cancel: string | null;
  readonly updated_at: number;
}

const COMMAND_COLUMNS = [
  'command_id',
  'document_name',
  'document_version',
  'comment',
  'parameters',
  'job_content',
  'plugins',
  'instance_ids',
  'targets',
  'requested_at',
  'timeout_seconds',
  'expires_at',
  'output_s3_region',
  'output_s3_bucket_name',
  'output_s3_key_prefix',
  'max_concurrency',
  'max_errors',
  'service_role',
  'notification_config',
  'cloud_watch_output_config',
  'owner',
  'status',
  'status_details',
  'target_count',
  'completed_count',
  'error_count',
  'delivery_timed_out_count',
  'cancel_requested',
  'dispatch_stopped',
] as const;

const INVOCATION_COLUMNS = [
  'command_id',
  'instance_id',
  'instance_name',
  'position',
  'requested_at',
  'status',
  'status_details',
  'dispatched_at',
  'delivered_at',
  'send_attempts',
  'next_attempt_at',
  'job_message_id',
  'reply_sequence',
  'trace_output',
  'plugins',
  'cancel',
  'updated_at',
] as const;

function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** `a = ?, b = ?, …` for every column but the key ones. */
function assignments(columns: readonly string[], keys: readonly string[]): string {
  return columns
    .filter((column) => !keys.includes(column))
    .map((column) => `${column} = ?`)
    .join(', ');
}

export class SqliteCommandRepository implements CommandRepository {
  private readonly insertCommand;
  private readonly insertInvocation;
  private readonly updateCommand;
  private readonly updateInvocation;
  private readonly selectCommand;
  private readonly selectInvocation;
  private readonly selectInvocationsOf;
  private readonly selectUnfinished;

  constructor(private readonly db: SqliteDatabase) {
    this.insertCommand = db.prepare(
      `INSERT INTO commands (${COMMAND_COLUMNS.join(', ')}) VALUES (${placeholders(COMMAND_COLUMNS.length)})`,
    );
    this.insertInvocation = db.prepare(
      `INSERT INTO command_invocations (${INVOCATION_COLUMNS.join(', ')})
       VALUES (${placeholders(INVOCATION_COLUMNS.length)})`,
    );
    this.updateCommand = db.prepare(
      `UPDATE commands SET ${assignments(COMMAND_COLUMNS, ['command_id'])} WHERE command_id = ?`,
    );
    this.updateInvocation = db.prepare(
      `UPDATE command_invocations SET ${assignments(INVOCATION_COLUMNS, ['command_id', 'instance_id'])}
       WHERE command_id = ? AND instance_id = ?`,
    );
    this.selectCommand = db.prepare('SELECT * FROM commands WHERE command_id = ?');
    this.selectInvocation = db.prepare(
      'SELECT * FROM command_invocations WHERE command_id = ? AND instance_id = ?',
    );
    this.selectInvocationsOf = db.prepare(
      'SELECT * FROM command_invocations WHERE command_id = ? ORDER BY position',
    );
    this.selectUnfinished = db.prepare(
      `SELECT * FROM commands WHERE status NOT IN (SELECT value FROM json_each(?))
       ORDER BY requested_at, command_id`,
    );
  }

  create(command: CommandRecord, invocations: readonly CommandInvocationRecord[]): Promise<void> {
    return promised(() => {
      this.db.transaction(() => {
        this.insertCommand.run(...commandValues(command));
        for (const invocation of invocations) {
          this.insertInvocation.run(...invocationValues(invocation));
        }
      })();
    });
  }

  get(commandId: string): Promise<CommandRecord | undefined> {
    return promised(() => {
      const row = this.selectCommand.get(commandId) as CommandRow | undefined;
      return row && toCommand(row);
    });
  }

  getInvocation(
    commandId: string,
    instanceId: string,
  ): Promise<CommandInvocationRecord | undefined> {
    return promised(() => {
      const row = this.selectInvocation.get(commandId, instanceId) as InvocationRow | undefined;
      return row && toInvocation(row);
    });
  }

  invocationsOf(commandId: string): Promise<readonly CommandInvocationRecord[]> {
    return promised(() =>
      (this.selectInvocationsOf.all(commandId) as InvocationRow[]).map(toInvocation),
    );
  }

  save(changes: CommandChanges): Promise<void> {
    return promised(() => {
      this.db.transaction(() => {
        for (const command of changes.commands) {
          const [commandId, ...rest] = commandValues(command);
          if (this.updateCommand.run(...rest, commandId).changes !== 1) {
            throw new Error(`command ${command.commandId} does not exist`);
          }
        }
        for (const invocation of changes.invocations) {
          const [commandId, instanceId, ...rest] = invocationValues(invocation);
          if (this.updateInvocation.run(...rest, commandId, instanceId).changes !== 1) {
            throw new Error(
              `invocation ${invocation.commandId}/${invocation.instanceId} does not exist`,
            );
          }
        }
      })();
    });
  }

  list(filter: CommandFilter, page: PageRequest): Promise<Page<CommandRecord>> {
    return promised(() => {
      assertPageLimit(page.limit);
      const where = new WhereClause()
        .equals('c.command_id', filter.commandId)
        .equals('c.status', filter.status)
        .equals('c.document_name', filter.documentName);
      if (filter.instanceId !== undefined) {
        where.and(
          'EXISTS (SELECT 1 FROM command_invocations i WHERE i.command_id = c.command_id AND i.instance_id = ?)',
          filter.instanceId,
        );
      }
      if (filter.final !== undefined) {
        where.and(
          `c.status ${filter.final ? '' : 'NOT '}IN (SELECT value FROM json_each(?))`,
          JSON.stringify(FINAL_COMMAND_STATUSES),
        );
      }
      if (filter.requestedAfter !== undefined)
        where.and('c.requested_at >= ?', filter.requestedAfter);
      if (filter.requestedBefore !== undefined)
        where.and('c.requested_at < ?', filter.requestedBefore);
      if (page.cursor !== undefined) {
        const [requestedAt, commandId] = decodeCursor(LISTING, page.cursor, ['number', 'string']);
        where.and(
          '(c.requested_at < ? OR (c.requested_at = ? AND c.command_id > ?))',
          requestedAt,
          requestedAt,
          commandId,
        );
      }
      const rows = this.db
        .prepare(
          `SELECT c.* FROM commands c ${where.toString()}
           ORDER BY c.requested_at DESC, c.command_id LIMIT ?`,
        )
        .all(...where.params, page.limit + 1) as CommandRow[];
      return pageFromRows(rows.map(toCommand), page.limit, LISTING, (command) => [
        command.requestedAt,
        command.commandId,
      ]);
    });
  }

  listInvocations(
    filter: InvocationFilter,
    page: PageRequest,
  ): Promise<Page<CommandInvocationRecord>> {
    return promised(() => {
      assertPageLimit(page.limit);
      const where = new WhereClause()
        .equals('i.command_id', filter.commandId)
        .equals('i.instance_id', filter.instanceId)
        .equals('i.status', filter.status);
      if (filter.documentName !== undefined) {
        where.and(
          'EXISTS (SELECT 1 FROM commands c WHERE c.command_id = i.command_id AND c.document_name = ?)',
          filter.documentName,
        );
      }
      if (filter.final !== undefined) {
        where.and(
          `i.status ${filter.final ? '' : 'NOT '}IN (SELECT value FROM json_each(?))`,
          JSON.stringify(FINAL_INVOCATION_STATUSES),
        );
      }
      if (filter.requestedAfter !== undefined)
        where.and('i.requested_at >= ?', filter.requestedAfter);
      if (filter.requestedBefore !== undefined)
        where.and('i.requested_at < ?', filter.requestedBefore);
      if (page.cursor !== undefined) {
        const [requestedAt, commandId, position] = decodeCursor(INVOCATIONS_LISTING, page.cursor, [
          'number',
          'string',
          'number',
        ]);
        where.and(
          `(i.requested_at < ? OR (i.requested_at = ? AND
             (i.command_id > ? OR (i.command_id = ? AND i.position > ?))))`,
          requestedAt,
          requestedAt,
          commandId,
          commandId,
          position,
        );
      }
      const rows = this.db
        .prepare(
          `SELECT i.* FROM command_invocations i ${where.toString()}
           ORDER BY i.requested_at DESC, i.command_id, i.position LIMIT ?`,
        )
        .all(...where.params, page.limit + 1) as InvocationRow[];
      return pageFromRows(rows.map(toInvocation), page.limit, INVOCATIONS_LISTING, (invocation) => [
        invocation.requestedAt,
        invocation.commandId,
        invocation.position,
      ]);
    });
  }

  listUnfinished(): Promise<readonly CommandRecord[]> {
    return promised(() =>
      (this.selectUnfinished.all(JSON.stringify(FINAL_COMMAND_STATUSES)) as CommandRow[]).map(
        toCommand,
      ),
    );
  }
}

function commandValues(command: CommandRecord): (string | number | null)[] {
  return [
    command.commandId,
    command.documentName,
    command.documentVersion,
    command.comment,
    JSON.stringify(command.parameters),
    command.jobContent,
    JSON.stringify(command.plugins),
    JSON.stringify(command.instanceIds),
    JSON.stringify(command.targets),
    command.requestedAt,
    command.timeoutSeconds,
    command.expiresAt,
    command.outputS3Region,
    command.outputS3BucketName,
    command.outputS3KeyPrefix,
    command.maxConcurrency,
    command.maxErrors,
    command.serviceRole,
    command.notificationConfig === null ? null : JSON.stringify(command.notificationConfig),
    command.cloudWatchOutputConfig === null ? null : JSON.stringify(command.cloudWatchOutputConfig),
    command.owner,
    command.status,
    command.statusDetails,
    command.targetCount,
    command.completedCount,
    command.errorCount,
    command.deliveryTimedOutCount,
    command.cancelRequested ? 1 : 0,
    command.dispatchStopped ? 1 : 0,
  ];
}

function invocationValues(invocation: CommandInvocationRecord): (string | number | null)[] {
  return [
    invocation.commandId,
    invocation.instanceId,
    invocation.instanceName,
    invocation.position,
    invocation.requestedAt,
    invocation.status,
    invocation.statusDetails,
    invocation.dispatchedAt,
    invocation.deliveredAt,
    invocation.sendAttempts,
    invocation.nextAttemptAt,
    invocation.jobMessageId,
    invocation.replySequence,
    invocation.traceOutput,
    JSON.stringify(invocation.plugins),
    invocation.cancel === null ? null : JSON.stringify(invocation.cancel),
    invocation.updatedAt,
  ];
}

// JSON columns are written by this file from the records' own values, so they parse back to
// the same shapes.
function toCommand(row: CommandRow): CommandRecord {
  return {
    commandId: row.command_id,
    documentName: row.document_name,
    documentVersion: row.document_version,
    comment: row.comment,
    parameters: JSON.parse(row.parameters) as CommandRecord['parameters'],
    jobContent: row.job_content,
    plugins: JSON.parse(row.plugins) as CommandRecord['plugins'],
    instanceIds: JSON.parse(row.instance_ids) as CommandRecord['instanceIds'],
    targets: JSON.parse(row.targets) as CommandRecord['targets'],
    requestedAt: row.requested_at,
    timeoutSeconds: row.timeout_seconds,
    expiresAt: row.expires_at,
    outputS3Region: row.output_s3_region,
    outputS3BucketName: row.output_s3_bucket_name,
    outputS3KeyPrefix: row.output_s3_key_prefix,
    maxConcurrency: row.max_concurrency,
    maxErrors: row.max_errors,
    serviceRole: row.service_role,
    notificationConfig:
      row.notification_config === null
        ? null
        : (JSON.parse(row.notification_config) as CommandRecord['notificationConfig']),
    cloudWatchOutputConfig:
      row.cloud_watch_output_config === null
        ? null
        : (JSON.parse(row.cloud_watch_output_config) as CommandRecord['cloudWatchOutputConfig']),
    owner: row.owner,
    status: row.status,
    statusDetails: row.status_details,
    targetCount: row.target_count,
    completedCount: row.completed_count,
    errorCount: row.error_count,
    deliveryTimedOutCount: row.delivery_timed_out_count,
    cancelRequested: row.cancel_requested === 1,
    dispatchStopped: row.dispatch_stopped === 1,
  };
}

function toInvocation(row: InvocationRow): CommandInvocationRecord {
  return {
    commandId: row.command_id,
    instanceId: row.instance_id,
    instanceName: row.instance_name,
    position: row.position,
    requestedAt: row.requested_at,
    status: row.status,
    statusDetails: row.status_details,
    dispatchedAt: row.dispatched_at,
    deliveredAt: row.delivered_at,
    sendAttempts: row.send_attempts,
    nextAttemptAt: row.next_attempt_at,
    jobMessageId: row.job_message_id,
    replySequence: row.reply_sequence,
    traceOutput: row.trace_output,
    plugins: JSON.parse(row.plugins) as CommandInvocationRecord['plugins'],
    cancel:
      row.cancel === null ? null : (JSON.parse(row.cancel) as CommandInvocationRecord['cancel']),
    updatedAt: row.updated_at,
  };
}
