// SSM documents (docs/documents.md): create, read, version, list, delete, with AWS's rules and
// error codes; the built-in documents kept in step with this release; and the one way the
// rest of the server loads a document to run (StartSession now, SendCommand next).

import { CodedError, type JsonObject, type JsonValue } from '@openssm/protocol';
import {
  BUILTIN_DOCUMENTS,
  builtinContentText,
  DEFAULT_SESSION_DOCUMENT,
  type BuiltinDocument,
} from '../documents/builtin-documents.js';
import { parseDocumentContent } from '../documents/document-content.js';
import {
  assertCreatableDocumentName,
  documentNameFromReference,
  type VersionChoice,
} from '../documents/document-names.js';
import {
  validateParameterValues,
  type SuppliedParameters,
} from '../documents/document-parameters.js';
import {
  RUNNABLE_DOCUMENT_TYPES,
  validateDocument,
  type DocumentModel,
  type RunnableDocumentType,
} from '../documents/document-schema.js';
import type { DocumentFilter, DocumentRepository } from '../storage/repositories.js';
import type {
  DocumentFormat,
  DocumentRecord,
  DocumentSummary,
  DocumentVersionRecord,
  Page,
  PageRequest,
  Tag,
} from '../storage/records.js';
import { sha256Hex } from './identifiers.js';
import type { ServerIdentity } from './services.js';

/** AWS's quota: "You can have at most 500 active SSM documents" (the account's own). */
export const MAX_ACCOUNT_DOCUMENTS = 500;
export const AMAZON_OWNER = 'Amazon';

export interface CreateDocumentInput {
  readonly name: string;
  readonly content: string;
  /** Any of AWS's DocumentType values; only Command and Session are accepted. */
  readonly documentType: string;
  readonly documentFormat: DocumentFormat;
  readonly versionName?: string;
  readonly displayName?: string;
  readonly targetType?: string;
  readonly tags: readonly Tag[];
}

export interface UpdateDocumentInput extends VersionChoice {
  readonly name: string;
  readonly content: string;
  readonly documentFormat: DocumentFormat;
  /** Undefined: the latest version's. */
  readonly displayName?: string;
  readonly targetType?: string;
}

/** One version of a document with what its schema declares (DescribeDocument's answer). */
export interface DocumentView {
  readonly document: DocumentRecord;
  readonly version: DocumentVersionRecord;
  readonly model: DocumentModel;
}

/** A document version ready to send to a node: content with its `{{ }}` placeholders intact. */
export interface RunnableDocument {
  readonly name: string;
  readonly documentVersion: string;
  /** SHA-256 hex of the content text (SendCommand's DocumentHash). */
  readonly hash: string;
  readonly content: JsonObject;
  readonly model: DocumentModel;
  /**
   * Checks parameters supplied on the API against the document (InvalidParameters) and returns
   * every parameter's typed value, defaults included, as the agent substitutes them.
   */
  resolveParameters(supplied: SuppliedParameters): Record<string, JsonValue>;
}

export interface DocumentService {
  /** Creates missing built-ins and moves Amazon's to this release's content. Idempotent. */
  syncBuiltIns(now: number): Promise<void>;
  create(input: CreateDocumentInput, now: number): Promise<DocumentView>;
  describe(reference: string, choice: VersionChoice): Promise<DocumentView>;
  get(
    reference: string,
    choice: VersionChoice,
  ): Promise<{ document: DocumentRecord; version: DocumentVersionRecord }>;
  list(filter: DocumentFilter, page: PageRequest): Promise<Page<DocumentSummary>>;
  /** Adds a version (it does not become the default); `choice` must name the latest. */
  update(input: UpdateDocumentInput, now: number): Promise<DocumentView>;
  setDefaultVersion(name: string, documentVersion: number): Promise<DocumentView>;
  listVersions(
    reference: string,
    page: PageRequest,
  ): Promise<{ document: DocumentRecord; versions: Page<DocumentVersionRecord> }>;
  /** Every version, or the one `choice` names (never the default). */
  delete(name: string, choice: VersionChoice): Promise<void>;
  addTags(name: string, tags: readonly Tag[]): Promise<void>;
  removeTags(name: string, keys: readonly string[]): Promise<void>;
  tags(name: string): Promise<readonly Tag[]>;
  /**
   * The document SendCommand (type Command) or StartSession (type Session) runs: InvalidDocument
   * when it does not exist or has the other type, InvalidDocumentVersion for a bad version.
   */
  loadRunnable(
    reference: string,
    type: RunnableDocumentType,
    choice?: VersionChoice,
  ): Promise<RunnableDocument>;
}

export interface DocumentServiceDependencies {
  readonly repository: DocumentRepository;
  readonly identity: ServerIdentity;
  /** The account's document quota (default MAX_ACCOUNT_DOCUMENTS); tests lower it. */
  readonly maxDocuments?: number;
}

export function createDocumentService(deps: DocumentServiceDependencies): DocumentService {
  const { repository, identity } = deps;
  const self = identity.accountId;
  const maxDocuments = deps.maxDocuments ?? MAX_ACCOUNT_DOCUMENTS;

  async function find(reference: string): Promise<DocumentRecord> {
    const name = documentNameFromReference(reference);
    const document = name === undefined ? undefined : await repository.get(name);
    if (document === undefined) throw missing(reference);
    return document;
  }

  async function pick(
    document: DocumentRecord,
    choice: VersionChoice,
  ): Promise<DocumentVersionRecord> {
    const { documentVersion, versionName } = choice;
    const number =
      documentVersion === '$LATEST'
        ? document.latestVersion
        : documentVersion === '$DEFAULT'
          ? document.defaultVersion
          : documentVersion;
    let version: DocumentVersionRecord | undefined;
    if (versionName !== undefined) {
      version = await repository.findVersionByName(document.name, versionName);
      if (version !== undefined && number !== undefined && version.documentVersion !== number) {
        throw new CodedError(
          'InvalidDocumentVersion',
          `Version name ${versionName} is version ${version.documentVersion} of ${document.name}, not ${documentVersion ?? ''}.`,
        );
      }
    } else {
      version = await repository.getVersion(document.name, number ?? document.defaultVersion);
    }
    if (version === undefined) {
      const which =
        versionName === undefined ? `Version ${String(number)}` : `Version name ${versionName}`;
      throw new CodedError(
        'InvalidDocumentVersion',
        `${which} of document ${document.name} does not exist.`,
      );
    }
    return version;
  }

  function assertChangeable(document: DocumentRecord, what: string): void {
    if (document.owner !== self) {
      throw new CodedError(
        'InvalidDocumentOperation',
        `Document ${document.name} is owned by ${document.owner} and cannot be ${what}.`,
      );
    }
  }

  function view(document: DocumentRecord, version: DocumentVersionRecord): DocumentView {
    const content = parseDocumentContent(version.content, version.documentFormat);
    return { document, version, model: validateDocument(content, document.documentType) };
  }

  /** Parses and checks content for a new document or version of `documentType`. */
  function prepare(
    name: string,
    content: string,
    format: DocumentFormat,
    documentType: RunnableDocumentType,
    fields: { versionName: string | null; displayName: string; targetType: string },
    now: number,
  ) {
    const model = validateDocument(parseDocumentContent(content, format), documentType);
    return {
      model,
      version: {
        name,
        ...fields,
        content,
        documentFormat: format,
        contentHash: sha256Hex(content),
        schemaVersion: model.schemaVersion,
        description: model.description,
        platformTypes: model.platformTypes,
        createdAt: now,
      },
    };
  }

  async function syncBuiltIn(builtin: BuiltinDocument, now: number): Promise<void> {
    const owner = builtin.owner === 'Amazon' ? AMAZON_OWNER : self;
    const fields = { versionName: null, displayName: '', targetType: '' };
    const { version } = prepare(
      builtin.name,
      builtinContentText(builtin),
      'JSON',
      builtin.documentType,
      fields,
      now,
    );
    const existing = await repository.get(builtin.name);
    if (existing === undefined) {
      const document = {
        name: builtin.name,
        owner,
        documentType: builtin.documentType,
        createdAt: now,
        tags: [],
      };
      await repository.create(document, version);
      return;
    }
    // The account's preferences document is the account's to change; only Amazon's follow
    // the release, as a new default version (a racing replica may add it first: fine).
    if (existing.owner !== AMAZON_OWNER || owner !== AMAZON_OWNER) return;
    const latest = await repository.getVersion(existing.name, existing.latestVersion);
    if (latest?.contentHash === version.contentHash) return;
    const added = await repository.addVersion(version, existing.latestVersion);
    if (added !== undefined)
      await repository.setDefaultVersion(existing.name, added.documentVersion);
  }

  return {
    async syncBuiltIns(now) {
      for (const builtin of BUILTIN_DOCUMENTS) await syncBuiltIn(builtin, now);
    },

    async create(input, now) {
      assertCreatableDocumentName(input.name);
      const documentType = runnableType(input.documentType);
      const { version } = prepare(
        input.name,
        input.content,
        input.documentFormat,
        documentType,
        {
          versionName: input.versionName ?? null,
          displayName: input.displayName ?? '',
          targetType: input.targetType ?? '',
        },
        now,
      );
      if ((await repository.count(self)) >= maxDocuments) {
        throw new CodedError(
          'DocumentLimitExceeded',
          `You can have at most ${maxDocuments} documents; delete one to create another.`,
        );
      }
      const document = {
        name: input.name,
        owner: self,
        documentType,
        createdAt: now,
        tags: input.tags,
      };
      if (!(await repository.create(document, version))) {
        throw new CodedError(
          'DocumentAlreadyExists',
          `Document with name ${input.name} already exists.`,
        );
      }
      const stored = await find(input.name);
      return view(stored, await pick(stored, { documentVersion: 1 }));
    },

    async describe(reference, choice) {
      const document = await find(reference);
      return view(document, await pick(document, choice));
    },

    async get(reference, choice) {
      const document = await find(reference);
      return { document, version: await pick(document, choice) };
    },

    list: (filter, page) => repository.list(filter, page),

    async update(input, now) {
      const document = await find(input.name);
      assertChangeable(document, 'updated');
      const wanted =
        input.documentVersion === '$LATEST' || input.documentVersion === undefined
          ? document.latestVersion
          : input.documentVersion === '$DEFAULT'
            ? document.defaultVersion
            : input.documentVersion;
      if (wanted !== document.latestVersion) {
        throw new CodedError(
          'InvalidDocumentVersion',
          `Only the latest version of ${document.name} (${document.latestVersion}, or $LATEST) can be updated, not ${String(input.documentVersion)}.`,
        );
      }
      const latest = await pick(document, { documentVersion: document.latestVersion });
      const { version } = prepare(
        document.name,
        input.content,
        input.documentFormat,
        document.documentType,
        {
          versionName: input.versionName ?? null,
          displayName: input.displayName ?? latest.displayName,
          targetType: input.targetType ?? latest.targetType,
        },
        now,
      );
      const duplicate = await repository.findVersionByHash(document.name, version.contentHash);
      if (duplicate !== undefined) {
        throw new CodedError(
          'DuplicateDocumentContent',
          `The content is identical to version ${duplicate.documentVersion} of ${document.name}. Change the content and try again.`,
        );
      }
      if (
        input.versionName !== undefined &&
        (await repository.findVersionByName(document.name, input.versionName))
      ) {
        throw new CodedError(
          'DuplicateDocumentVersionName',
          `Version name ${input.versionName} is already used by ${document.name}. Specify a different version name, and then try again.`,
        );
      }
      const added = await repository.addVersion(version, document.latestVersion);
      if (added === undefined) {
        throw new CodedError(
          'InvalidDocumentVersion',
          `Version ${document.latestVersion} of ${document.name} is no longer the latest: another update came first.`,
        );
      }
      const updated = await find(document.name);
      return view(updated, added);
    },

    async setDefaultVersion(name, documentVersion) {
      const document = await find(name);
      assertChangeable(document, 'changed');
      const version = await pick(document, { documentVersion });
      const updated = await repository.setDefaultVersion(document.name, version.documentVersion);
      if (updated === undefined) throw missing(name);
      return view(updated, version);
    },

    async listVersions(reference, page) {
      const document = await find(reference);
      return { document, versions: await repository.listVersions(document.name, page) };
    },

    async delete(name, choice) {
      const document = await find(name);
      assertChangeable(document, 'deleted');
      if (choice.documentVersion === undefined && choice.versionName === undefined) {
        if (!(await repository.delete(document.name))) throw missing(name);
        return;
      }
      const version = await pick(document, choice);
      if (version.documentVersion === document.defaultVersion) {
        throw new CodedError(
          'InvalidDocumentOperation',
          `Version ${version.documentVersion} is the default version of ${document.name} and cannot be deleted alone: make another version the default, or delete the whole document.`,
        );
      }
      if (!(await repository.deleteVersion(document.name, version.documentVersion))) {
        throw new CodedError(
          'InvalidDocumentVersion',
          `Version ${version.documentVersion} of ${document.name} was deleted or became the default meanwhile.`,
        );
      }
    },

    async addTags(name, tags) {
      const document = await findTaggable(name);
      if (!(await repository.addTags(document.name, tags))) throw invalidResource(name);
    },

    async removeTags(name, keys) {
      const document = await findTaggable(name);
      if (!(await repository.removeTags(document.name, keys))) throw invalidResource(name);
    },

    async tags(name) {
      const document = await repository.get(name);
      if (document === undefined) throw invalidResource(name);
      return document.tags;
    },

    async loadRunnable(reference, type, choice = {}) {
      let document: DocumentRecord;
      try {
        document = await find(reference);
      } catch (error) {
        // An account that deleted its preferences document still gets sessions, with the
        // preferences AWS starts accounts with (as AWS does).
        const absent = error instanceof CodedError && error.code === 'InvalidDocument';
        if (!absent || reference !== DEFAULT_SESSION_DOCUMENT || type !== 'Session') throw error;
        return runnable(builtinDefaultSession());
      }
      if (document.documentType !== type) {
        throw new CodedError(
          'InvalidDocument',
          type === 'Session'
            ? `Document type: '${document.documentType}' is not supported. Only type: 'Session' is supported for Session Manager.`
            : `Document ${document.name} is a ${document.documentType} document; only Command documents can be sent as commands.`,
        );
      }
      const version = await pick(document, choice);
      return runnable({ version, model: view(document, version).model });
    },
  };

  async function findTaggable(name: string): Promise<DocumentRecord> {
    const document = await repository.get(name);
    if (document === undefined) throw invalidResource(name);
    if (document.owner !== self) {
      throw new CodedError(
        'InvalidResourceId',
        `Document ${name} is owned by ${document.owner} and cannot be tagged.`,
      );
    }
    return document;
  }

  function builtinDefaultSession(): RunnableSource {
    const builtin = BUILTIN_DOCUMENTS.find(
      (document) => document.name === DEFAULT_SESSION_DOCUMENT,
    )!;
    const content = builtinContentText(builtin);
    return {
      version: {
        name: builtin.name,
        documentVersion: 1,
        content,
        contentHash: sha256Hex(content),
        documentFormat: 'JSON',
      },
      model: validateDocument(builtin.content, 'Session'),
    };
  }
}

/** A stored (or built-in) version and its model, as loadRunnable turns them into a runnable. */
interface RunnableSource {
  readonly version: Pick<
    DocumentVersionRecord,
    'name' | 'documentVersion' | 'content' | 'contentHash' | 'documentFormat'
  >;
  readonly model: DocumentModel;
}

function runnable({ version, model }: RunnableSource): RunnableDocument {
  return {
    name: version.name,
    documentVersion: String(version.documentVersion),
    hash: version.contentHash,
    content: parseDocumentContent(version.content, version.documentFormat),
    model,
    resolveParameters: (supplied) =>
      validateParameterValues(model.parameters, supplied, version.name),
  };
}

function runnableType(documentType: string): RunnableDocumentType {
  if (!(RUNNABLE_DOCUMENT_TYPES as readonly string[]).includes(documentType)) {
    throw new CodedError(
      'InvalidDocumentType',
      `DocumentType ${documentType} is not supported: OpenSSM runs ${RUNNABLE_DOCUMENT_TYPES.join(' and ')} documents.`,
    );
  }
  return documentType as RunnableDocumentType;
}

function missing(reference: string): CodedError {
  return new CodedError('InvalidDocument', `Document ${reference.slice(0, 128)} does not exist.`);
}

function invalidResource(name: string): CodedError {
  return new CodedError('InvalidResourceId', `The resource ${name.slice(0, 128)} does not exist.`);
}
