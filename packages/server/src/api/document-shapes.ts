// What the document operations share: reading Name/DocumentVersion/VersionName/DocumentFormat
// with the model's patterns, and AWS's response shapes (DocumentDescription, DocumentIdentifier,
// DocumentVersionInfo). Empty optional fields are left out, as AWS leaves them out.

import { CodedError, type JsonObjectReader } from '@openssm/protocol';
import { DOCUMENT_FORMATS, type DocumentFormat } from '../documents/document-content.js';
import {
  DOCUMENT_NAME_OR_ARN_PATTERN,
  DOCUMENT_NAME_PATTERN,
  DOCUMENT_VERSION_NAME_PATTERN,
  DOCUMENT_VERSION_PATTERN,
  documentNameFromReference,
  parseDocumentVersion,
  type VersionChoice,
} from '../documents/document-names.js';
import type { DocumentView } from '../services/document-service.js';
import { documentArn, type ServerIdentity } from '../services/services.js';
import type { DocumentRecord, DocumentSummary, DocumentVersionRecord } from '../storage/records.js';
import { boundedString, epochSeconds, optionalBoundedString, tagsOut } from './input.js';

/** A Name that must be a plain document name (operations that change a document). */
export function documentName(input: JsonObjectReader): string {
  return boundedString(input, 'Name', 3, 128, DOCUMENT_NAME_PATTERN);
}

/** A Name that may also be the document's ARN (operations that read one). */
export function documentReference(input: JsonObjectReader): string {
  return boundedString(input, 'Name', 3, 128, DOCUMENT_NAME_OR_ARN_PATTERN);
}

/** The ARN an operation on `reference` is authorized against. */
export function referenceArn(identity: ServerIdentity, reference: string): string {
  return documentArn(identity, documentNameFromReference(reference) ?? reference);
}

/** DocumentVersion and VersionName, when given. */
export function versionChoice(input: JsonObjectReader): VersionChoice {
  const version = optionalBoundedString(input, 'DocumentVersion', 1, 128, DOCUMENT_VERSION_PATTERN);
  const versionName = optionalBoundedString(
    input,
    'VersionName',
    1,
    128,
    DOCUMENT_VERSION_NAME_PATTERN,
  );
  return {
    ...(version === undefined ? {} : { documentVersion: parseDocumentVersion(version) }),
    ...(versionName === undefined ? {} : { versionName }),
  };
}

export function optionalDocumentFormat(input: JsonObjectReader): DocumentFormat | undefined {
  return input.has('DocumentFormat') ? input.oneOf('DocumentFormat', DOCUMENT_FORMATS) : undefined;
}

/** `Attachments` and `Requires` belong to document types OpenSSM does not run. */
export function refuseUnsupportedMembers(
  input: JsonObjectReader,
  members: readonly string[],
): void {
  for (const member of members) {
    if (
      input.has(member) &&
      !(Array.isArray(input.value(member)) && input.array(member).length === 0)
    ) {
      throw new CodedError(
        'ValidationException',
        `${member} is not supported: OpenSSM runs Command and Session documents, which have none.`,
      );
    }
  }
}

function optionalText<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  return value === null || value === '' ? {} : ({ [key]: value } as Record<K, string>);
}

export function documentDescription({ document, version, model }: DocumentView) {
  return {
    Hash: version.contentHash,
    HashType: 'Sha256',
    Name: document.name,
    ...optionalText('DisplayName', version.displayName),
    ...optionalText('VersionName', version.versionName),
    Owner: document.owner,
    CreatedDate: epochSeconds(version.createdAt),
    Status: 'Active',
    DocumentVersion: String(version.documentVersion),
    ...optionalText('Description', version.description),
    Parameters: model.parameters.map((parameter) => ({
      Name: parameter.name,
      Type: parameter.type,
      Description: parameter.description,
      ...(parameter.default === undefined
        ? {}
        : {
            DefaultValue:
              typeof parameter.default === 'string'
                ? parameter.default
                : JSON.stringify(parameter.default),
          }),
    })),
    PlatformTypes: version.platformTypes,
    DocumentType: document.documentType,
    SchemaVersion: version.schemaVersion,
    LatestVersion: String(document.latestVersion),
    DefaultVersion: String(document.defaultVersion),
    DocumentFormat: version.documentFormat,
    ...optionalText('TargetType', version.targetType),
    Tags: tagsOut(document.tags),
  };
}

export function documentIdentifier({ document, version }: DocumentSummary) {
  return {
    Name: document.name,
    CreatedDate: epochSeconds(document.createdAt),
    ...optionalText('DisplayName', version.displayName),
    Owner: document.owner,
    ...optionalText('VersionName', version.versionName),
    PlatformTypes: version.platformTypes,
    DocumentVersion: String(version.documentVersion),
    DocumentType: document.documentType,
    SchemaVersion: version.schemaVersion,
    DocumentFormat: version.documentFormat,
    ...optionalText('TargetType', version.targetType),
    Tags: tagsOut(document.tags),
  };
}

export function documentVersionInfo(document: DocumentRecord, version: DocumentVersionRecord) {
  return {
    Name: document.name,
    ...optionalText('DisplayName', version.displayName),
    DocumentVersion: String(version.documentVersion),
    ...optionalText('VersionName', version.versionName),
    CreatedDate: epochSeconds(version.createdAt),
    IsDefaultVersion: version.documentVersion === document.defaultVersion,
    DocumentFormat: version.documentFormat,
    Status: 'Active',
  };
}
