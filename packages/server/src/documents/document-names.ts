// Document names and version selectors as the SSM API spells them (botocore model patterns),
// shared by the document operations, StartSession and, later, SendCommand.

import { CodedError } from '@openssm/protocol';

/** CreateDocument's Name (and every operation that changes a document). */
export const DOCUMENT_NAME_PATTERN = /^[a-zA-Z0-9_\-.]{3,128}$/;
/** Operations that read a document also accept its ARN. */
export const DOCUMENT_NAME_OR_ARN_PATTERN = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
export const DOCUMENT_VERSION_PATTERN = /^(\$LATEST|\$DEFAULT|[1-9][0-9]*)$/;
export const DOCUMENT_VERSION_NAME_PATTERN = /^[a-zA-Z0-9_\-.]{1,128}$/;

/** "You can't use the following strings as document name prefixes" (CreateDocument, any case). */
const RESERVED_PREFIXES = ['aws', 'amazon', 'amzn'];

/** `$LATEST`, `$DEFAULT` or a version number. */
export type DocumentVersionSelector = '$LATEST' | '$DEFAULT' | number;

export interface VersionChoice {
  readonly documentVersion?: DocumentVersionSelector;
  readonly versionName?: string;
}

export function isReservedDocumentName(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** Refuses names only AWS may use, as CreateDocument does. */
export function assertCreatableDocumentName(name: string): void {
  if (isReservedDocumentName(name)) {
    throw new CodedError(
      'ValidationException',
      `Invalid document name ${name}: names starting with "aws", "amazon" or "amzn" (in any case) are reserved for documents AWS owns.`,
    );
  }
}

/** A version string the API layer already matched against DOCUMENT_VERSION_PATTERN. */
export function parseDocumentVersion(text: string): DocumentVersionSelector {
  if (text === '$LATEST' || text === '$DEFAULT') return text;
  const version = Number(text);
  // The pattern admits any length of digits; beyond 2^53 no document has such a version.
  if (!Number.isSafeInteger(version)) {
    throw new CodedError(
      'InvalidDocumentVersion',
      `Document version ${text.slice(0, 32)} does not exist.`,
    );
  }
  return version;
}

/**
 * The document name in a Name member that may be an ARN
 * (`arn:<partition>:ssm:<region>:<account>:document/<name>`); undefined when it is neither.
 */
export function documentNameFromReference(reference: string): string | undefined {
  if (DOCUMENT_NAME_PATTERN.test(reference)) return reference;
  const match = /^arn:[a-z-]+:ssm:[a-z0-9-]*:[0-9]*:document\/([a-zA-Z0-9_\-.]{3,128})$/.exec(
    reference,
  );
  return match?.[1];
}
