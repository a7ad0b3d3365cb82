// DeleteDocument: the whole document, or one version of it (never the default one). Documents
// owned by Amazon cannot be deleted.

import { documentArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { reader } from './input.js';
import { documentName, versionChoice } from './document-shapes.js';

export const deleteDocument = defineOperation({
  name: 'DeleteDocument',
  auth: 'sigv4',
  action: 'ssm:DeleteDocument',
  parse(body) {
    const input = reader(body);
    // Force matters only for document types OpenSSM does not store; it is read and ignored.
    input.optionalBoolean('Force');
    return { name: documentName(input), choice: versionChoice(input) };
  },
  resource: ({ name }, { services }) => documentArn(services.identity, name),
  async handle({ name, choice }, { services }) {
    await services.documents.delete(name, choice);
    return {};
  },
});
