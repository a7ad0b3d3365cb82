// UpdateDocumentDefaultVersion: which version runs when a caller names no version.

import { CodedError } from '@openssm/protocol';
import { documentArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { boundedString, reader } from './input.js';
import { documentName } from './document-shapes.js';

export const updateDocumentDefaultVersion = defineOperation({
  name: 'UpdateDocumentDefaultVersion',
  auth: 'sigv4',
  action: 'ssm:UpdateDocumentDefaultVersion',
  parse(body) {
    const input = reader(body);
    const text = boundedString(input, 'DocumentVersion', 1, 128, /^[1-9][0-9]*$/);
    const documentVersion = Number(text);
    if (!Number.isSafeInteger(documentVersion)) {
      throw new CodedError(
        'InvalidDocumentVersion',
        `Document version ${text.slice(0, 32)} does not exist.`,
      );
    }
    return { name: documentName(input), documentVersion };
  },
  resource: ({ name }, { services }) => documentArn(services.identity, name),
  async handle({ name, documentVersion }, { services }) {
    const { document, version } = await services.documents.setDefaultVersion(name, documentVersion);
    return {
      Description: {
        Name: document.name,
        DefaultVersion: String(document.defaultVersion),
        ...(version.versionName === null ? {} : { DefaultVersionName: version.versionName }),
      },
    };
  },
});
