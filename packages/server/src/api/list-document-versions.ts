// ListDocumentVersions: every version of one document, oldest first, paginated.

import { defineOperation } from './operation.js';
import { nextToken, pageInput, reader } from './input.js';
import { documentReference, documentVersionInfo, referenceArn } from './document-shapes.js';

export const listDocumentVersions = defineOperation({
  name: 'ListDocumentVersions',
  auth: 'sigv4',
  action: 'ssm:ListDocumentVersions',
  parse(body) {
    const input = reader(body);
    return { reference: documentReference(input), page: pageInput(input, 1, 50, 50) };
  },
  resource: ({ reference }, { services }) => referenceArn(services.identity, reference),
  async handle({ reference, page }, { services }) {
    const { document, versions } = await services.documents.listVersions(reference, page);
    return {
      DocumentVersions: versions.items.map((version) => documentVersionInfo(document, version)),
      ...nextToken(versions.nextCursor),
    };
  },
});
