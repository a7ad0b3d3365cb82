// Every SSM operation this server answers, for the dispatcher.

import { addTagsToResource } from './add-tags-to-resource.js';
import { cancelCommand } from './cancel-command.js';
import { createActivation } from './create-activation.js';
import { createDocument } from './create-document.js';
import { deleteDocument } from './delete-document.js';
import { describeDocument } from './describe-document.js';
import { getCommandInvocation } from './get-command-invocation.js';
import { getDocument } from './get-document.js';
import { listCommandInvocations } from './list-command-invocations.js';
import { listCommands } from './list-commands.js';
import { sendCommand } from './send-command.js';
import { listDocuments } from './list-documents.js';
import { listDocumentVersions } from './list-document-versions.js';
import { updateDocument } from './update-document.js';
import { updateDocumentDefaultVersion } from './update-document-default-version.js';
import { deleteActivation } from './delete-activation.js';
import { deregisterManagedInstance } from './deregister-managed-instance.js';
import { describeActivations } from './describe-activations.js';
import { describeInstanceInformation } from './describe-instance-information.js';
import { getConnectionStatus } from './get-connection-status.js';
import { listTagsForResource } from './list-tags-for-resource.js';
import type { AnyOperation } from './operation.js';
import { describeSessions } from './describe-sessions.js';
import { resumeSession } from './resume-session.js';
import { startSession } from './start-session.js';
import { terminateSession } from './terminate-session.js';
import { registerManagedInstance } from './register-managed-instance.js';
import { removeTagsFromResource } from './remove-tags-from-resource.js';
import { requestManagedInstanceRoleToken } from './request-managed-instance-role-token.js';
import { updateInstanceInformation } from './update-instance-information.js';
import { updateManagedInstancePublicKey } from './update-managed-instance-public-key.js';

export const SSM_OPERATIONS: readonly AnyOperation[] = [
  addTagsToResource,
  cancelCommand,
  createActivation,
  createDocument,
  deleteActivation,
  deleteDocument,
  deregisterManagedInstance,
  describeActivations,
  describeDocument,
  describeInstanceInformation,
  describeSessions,
  getCommandInvocation,
  getConnectionStatus,
  getDocument,
  listCommandInvocations,
  listCommands,
  listDocuments,
  listDocumentVersions,
  listTagsForResource,
  registerManagedInstance,
  removeTagsFromResource,
  requestManagedInstanceRoleToken,
  resumeSession,
  sendCommand,
  startSession,
  terminateSession,
  updateDocument,
  updateDocumentDefaultVersion,
  updateInstanceInformation,
  updateManagedInstancePublicKey,
];
