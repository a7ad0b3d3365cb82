// ListDocuments: the account's documents and Amazon's, by name, with AWS's filters (Filters
// with Key/Values, and the legacy DocumentFilterList with key/value) and pagination.

import { CodedError, type JsonObjectReader } from '@openssm/protocol';
import { AMAZON_OWNER } from '../services/document-service.js';
import { documentArn, type ServerIdentity } from '../services/services.js';
import type { DocumentFilter } from '../storage/repositories.js';
import { defineOperation } from './operation.js';
import { boundedString, nextToken, pageInput, reader } from './input.js';
import { documentIdentifier } from './document-shapes.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type ListKey = Exclude<keyof DocumentFilter, 'tags'>;

const LEGACY_KEYS = ['Name', 'Owner', 'PlatformTypes', 'DocumentType'] as const;

export const listDocuments = defineOperation({
  name: 'ListDocuments',
  auth: 'sigv4',
  action: 'ssm:ListDocuments',
  parse(body) {
    const input = reader(body);
    const filters: { key: string; values: readonly string[] }[] = [];
    if (input.has('Filters')) {
      const items = input.objectArray('Filters');
      if (items.length > 6) throw input.fail('Filters', 'must have at most 6 members');
      for (const item of items) {
        const values = item.has('Values') ? item.stringArray('Values') : [];
        if (values.some((value) => value.length < 1 || value.length > 256)) {
          throw item.fail('Values', 'must hold values of length 1 to 256');
        }
        filters.push({ key: boundedString(item, 'Key', 1, 128), values });
      }
    }
    if (input.has('DocumentFilterList')) {
      const items = input.objectArray('DocumentFilterList');
      if (items.length < 1) throw input.fail('DocumentFilterList', 'must have at least 1 member');
      for (const item of items) {
        filters.push({ key: item.oneOf('key', LEGACY_KEYS), values: [nonEmpty(item, 'value')] });
      }
    }
    return { filters, page: pageInput(input, 1, 50, 50) };
  },
  resource: (_input, { services }) => documentArn(services.identity, '*'),
  async handle({ filters, page }, { services }) {
    const result = await services.documents.list(toFilter(filters, services.identity), page);
    return {
      DocumentIdentifiers: result.items.map(documentIdentifier),
      ...nextToken(result.nextCursor),
    };
  },
});

/**
 * Owner values: Self (also Private: what the account owns or is shared), Amazon (also Public),
 * ThirdParty (nothing here), All. An exact-match key given twice must match both times;
 * Name and SearchKeyword (prefix and substring matches) may be given once.
 */
function toFilter(
  filters: readonly { key: string; values: readonly string[] }[],
  identity: ServerIdentity,
): DocumentFilter {
  const filter: Mutable<DocumentFilter> = {};
  const tags: { key: string; values: readonly string[] }[] = [];
  const narrow = (key: ListKey, values: readonly string[]) => {
    const previous = filter[key];
    filter[key] =
      previous === undefined ? values : previous.filter((value) => values.includes(value));
  };
  // Prefixes and keywords match by pattern, so two lists cannot be intersected as sets.
  const once = (key: ListKey, name: string, values: readonly string[]) => {
    if (filter[key] !== undefined) {
      throw new CodedError(
        'ValidationException',
        `Give the ${name} filter once, with all its values (a document matches any of them).`,
      );
    }
    filter[key] = values;
  };
  for (const { key, values } of filters) {
    if (key.startsWith('tag:') && key.length > 4) {
      tags.push({ key: key.slice(4), values });
      continue;
    }
    switch (key) {
      case 'Owner': {
        if (values.includes('All')) break;
        const owners = values.flatMap((value): string[] => {
          if (value === 'Self' || value === 'Private') return [identity.accountId];
          if (value === 'Amazon' || value === 'Public') return [AMAZON_OWNER];
          if (value === 'ThirdParty') return [];
          throw new CodedError(
            'ValidationException',
            `Owner filter value ${JSON.stringify(value.slice(0, 64))} is not one of Self, Amazon, Private, Public, ThirdParty, All.`,
          );
        });
        narrow('owners', owners);
        break;
      }
      case 'Name':
        once('namePrefixes', key, values);
        break;
      case 'SearchKeyword':
        once('keywords', key, values);
        break;
      case 'DocumentType':
        narrow('documentTypes', values);
        break;
      case 'PlatformTypes':
        narrow('platformTypes', values);
        break;
      case 'TargetType':
        narrow('targetTypes', values);
        break;
      default:
        throw new CodedError(
          'InvalidFilterKey',
          `Unsupported filter key ${JSON.stringify(key.slice(0, 64))}: use Owner, Name, SearchKeyword, DocumentType, PlatformTypes, TargetType or tag:<key>.`,
        );
    }
  }
  return tags.length === 0 ? filter : { ...filter, tags };
}

function nonEmpty(item: JsonObjectReader, key: string): string {
  const value = item.string(key);
  if (value.length === 0) throw item.fail(key, 'must have length at least 1');
  return value;
}
