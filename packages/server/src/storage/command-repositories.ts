// The Run Command repository every storage driver implements (and the compliance suite tests).
// The command service keeps the commands in flight in memory and writes whole rows back in
// batches: one `save` per batch is one transaction, so a reply is acknowledged only once what it
// changed is durable, without one disk flush per message.

import type {
  CommandInvocationRecord,
  CommandRecord,
  CommandStatus,
  InvocationStatus,
} from './command-records.js';
import type { Page, PageRequest } from './records.js';

/** ListCommands' filters (every given one must hold). */
export interface CommandFilter {
  readonly commandId?: string;
  /** Commands with an invocation on this node. */
  readonly instanceId?: string;
  readonly status?: CommandStatus;
  /** ExecutionStage: Complete (a final status) or Executing (not yet). */
  readonly final?: boolean;
  /** RequestedDateTime on or after (InvokedAfter). */
  readonly requestedAfter?: number;
  /** RequestedDateTime strictly before (InvokedBefore). */
  readonly requestedBefore?: number;
  readonly documentName?: string;
}

/** ListCommandInvocations' filters; status and stage apply to the invocation. */
export interface InvocationFilter {
  readonly commandId?: string;
  readonly instanceId?: string;
  readonly status?: InvocationStatus;
  readonly final?: boolean;
  readonly requestedAfter?: number;
  readonly requestedBefore?: number;
  readonly documentName?: string;
}

export interface CommandChanges {
  readonly commands: readonly CommandRecord[];
  readonly invocations: readonly CommandInvocationRecord[];
}

export interface CommandRepository {
  /** Stores a new command and all its invocations, atomically. Rejects a duplicate id. */
  create(command: CommandRecord, invocations: readonly CommandInvocationRecord[]): Promise<void>;
  get(commandId: string): Promise<CommandRecord | undefined>;
  getInvocation(
    commandId: string,
    instanceId: string,
  ): Promise<CommandInvocationRecord | undefined>;
  /** Every invocation of a command, in sending order. */
  invocationsOf(commandId: string): Promise<readonly CommandInvocationRecord[]>;
  /**
   * Replaces the stored rows of existing commands and invocations with these, in one
   * transaction: all are written or none. Rejects when one does not exist.
   */
  save(changes: CommandChanges): Promise<void>;
  /** Newest first (RequestedDateTime, then id). */
  list(filter: CommandFilter, page: PageRequest): Promise<Page<CommandRecord>>;
  /** Newest command first, then each command's invocations in sending order. */
  listInvocations(
    filter: InvocationFilter,
    page: PageRequest,
  ): Promise<Page<CommandInvocationRecord>>;
  /** Commands not in a final status, oldest first (resumed after a restart). */
  listUnfinished(): Promise<readonly CommandRecord[]>;
}
