// UpdateDocument: adds a version after the latest (DocumentVersion must be $LATEST or its
// number). The default version does not move: UpdateDocumentDefaultVersion does that.

import { defineOperation } from './operation.js';
import { optionalBoundedString, reader } from './input.js';
import {
  documentDescription,
  documentName,
  optionalDocumentFormat,
  refuseUnsupportedMembers,
  versionChoice,
} from './document-shapes.js';
import { DISPLAY_NAME_PATTERN, TARGET_TYPE_PATTERN } from './create-document.js';
import { documentArn } from '../services/services.js';

export const updateDocument = defineOperation({
  name: 'UpdateDocument',
  auth: 'sigv4',
  action: 'ssm:UpdateDocument',
  parse(body) {
    const input = reader(body);
    refuseUnsupportedMembers(input, ['Attachments']);
    const content = input.string('Content');
    if (content.length === 0) throw input.fail('Content', 'must have length at least 1');
    const displayName = optionalBoundedString(input, 'DisplayName', 0, 1024, DISPLAY_NAME_PATTERN);
    const targetType = optionalBoundedString(input, 'TargetType', 0, 200, TARGET_TYPE_PATTERN);
    return {
      name: documentName(input),
      content,
      // As on AWS, JSON unless the caller says otherwise (even when the latest is YAML).
      documentFormat: optionalDocumentFormat(input) ?? 'JSON',
      ...versionChoice(input),
      ...(displayName === undefined ? {} : { displayName }),
      ...(targetType === undefined ? {} : { targetType }),
    };
  },
  resource: ({ name }, { services }) => documentArn(services.identity, name),
  async handle(input, { services, now }) {
    return {
      DocumentDescription: documentDescription(await services.documents.update(input, now)),
    };
  },
});
