// DescribeDocument: what a document version declares (parameters, platforms, schema) and the
// document's default and latest versions.

import { defineOperation } from './operation.js';
import { reader } from './input.js';
import {
  documentDescription,
  documentReference,
  referenceArn,
  versionChoice,
} from './document-shapes.js';

export const describeDocument = defineOperation({
  name: 'DescribeDocument',
  auth: 'sigv4',
  action: 'ssm:DescribeDocument',
  parse(body) {
    const input = reader(body);
    return { reference: documentReference(input), choice: versionChoice(input) };
  },
  resource: ({ reference }, { services }) => referenceArn(services.identity, reference),
  async handle({ reference, choice }, { services }) {
    return { Document: documentDescription(await services.documents.describe(reference, choice)) };
  },
});
