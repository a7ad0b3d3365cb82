// CreateDocument: a new Command or Session document from JSON or YAML content, as version 1
// (its default and latest).

import { documentArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { optionalBoundedString, reader, tagList } from './input.js';
import {
  documentDescription,
  documentName,
  optionalDocumentFormat,
  refuseUnsupportedMembers,
} from './document-shapes.js';
import { DOCUMENT_VERSION_NAME_PATTERN } from '../documents/document-names.js';

/** Every DocumentType AWS's model knows; only Command and Session are runnable here. */
const AWS_DOCUMENT_TYPES = [
  'Command',
  'Policy',
  'Automation',
  'Session',
  'Package',
  'ApplicationConfiguration',
  'ApplicationConfigurationSchema',
  'DeploymentStrategy',
  'ChangeCalendar',
  'Automation.ChangeTemplate',
  'ProblemAnalysis',
  'ProblemAnalysisTemplate',
  'CloudFormation',
  'ConformancePackTemplate',
  'QuickSetup',
  'ManualApprovalPolicy',
  'AutoApprovalPolicy',
] as const;

export const DISPLAY_NAME_PATTERN = /^[\w.\-:/ ]*$/;
export const TARGET_TYPE_PATTERN = /^\/[\w.\-:/]*$/;

export const createDocument = defineOperation({
  name: 'CreateDocument',
  auth: 'sigv4',
  action: 'ssm:CreateDocument',
  parse(body) {
    const input = reader(body);
    refuseUnsupportedMembers(input, ['Attachments', 'Requires']);
    const content = input.string('Content');
    if (content.length === 0) throw input.fail('Content', 'must have length at least 1');
    const versionName = optionalBoundedString(
      input,
      'VersionName',
      1,
      128,
      DOCUMENT_VERSION_NAME_PATTERN,
    );
    const displayName = optionalBoundedString(input, 'DisplayName', 0, 1024, DISPLAY_NAME_PATTERN);
    const targetType = optionalBoundedString(input, 'TargetType', 0, 200, TARGET_TYPE_PATTERN);
    return {
      name: documentName(input),
      content,
      // AWS's default type is Command.
      documentType: input.has('DocumentType')
        ? input.oneOf('DocumentType', AWS_DOCUMENT_TYPES)
        : 'Command',
      documentFormat: optionalDocumentFormat(input) ?? 'JSON',
      ...(versionName === undefined ? {} : { versionName }),
      ...(displayName === undefined ? {} : { displayName }),
      ...(targetType === undefined ? {} : { targetType }),
      tags: tagList(input, 'Tags', 1000),
    };
  },
  resource: ({ name }, { services }) => documentArn(services.identity, name),
  async handle(input, { services, now }) {
    return {
      DocumentDescription: documentDescription(await services.documents.create(input, now)),
    };
  },
});
