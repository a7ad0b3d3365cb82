// GetDocument: one version's content ($DEFAULT unless asked), in its own format or converted
// to the one asked for.

import { renderDocumentContent } from '../documents/document-content.js';
import { defineOperation } from './operation.js';
import { epochSeconds, reader } from './input.js';
import {
  documentReference,
  optionalDocumentFormat,
  referenceArn,
  versionChoice,
} from './document-shapes.js';

export const getDocument = defineOperation({
  name: 'GetDocument',
  auth: 'sigv4',
  action: 'ssm:GetDocument',
  parse(body) {
    const input = reader(body);
    const format = optionalDocumentFormat(input);
    return {
      reference: documentReference(input),
      choice: versionChoice(input),
      ...(format === undefined ? {} : { format }),
    };
  },
  resource: ({ reference }, { services }) => referenceArn(services.identity, reference),
  async handle({ reference, choice, format }, { services }) {
    const { document, version } = await services.documents.get(reference, choice);
    const documentFormat = format ?? version.documentFormat;
    return {
      Name: document.name,
      CreatedDate: epochSeconds(version.createdAt),
      ...(version.displayName === '' ? {} : { DisplayName: version.displayName }),
      ...(version.versionName === null ? {} : { VersionName: version.versionName }),
      DocumentVersion: String(version.documentVersion),
      Status: 'Active',
      Content: renderDocumentContent(version.content, version.documentFormat, documentFormat),
      DocumentType: document.documentType,
      DocumentFormat: documentFormat,
    };
  },
});
