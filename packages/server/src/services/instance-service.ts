// Managed nodes: registration with an activation, node credentials (temporary keys obtained
// with the node's RSA key), heartbeats, tags and deregistration.

import { CodedError } from '@openssm/protocol';
import type {
  AccessKeyRepository,
  ActivationRepository,
  InstanceFilter,
  InstanceRepository,
} from '../storage/repositories.js';
import type {
  InstanceInformationUpdate,
  ManagedInstanceRecord,
  Page,
  PageRequest,
  Principal,
  Tag,
} from '../storage/records.js';
import type { CredentialStore } from './credential-store.js';
import { newManagedInstanceId, secretsEqual, sha256Hex } from './identifiers.js';
import { instanceArn, type ServerIdentity } from './services.js';

/** Node credentials live an hour, as AWS's; the agent renews them at half-life. */
export const NODE_CREDENTIAL_LIFETIME_MS = 60 * 60 * 1000;
/** AWS allows 50 user tags per resource. */
export const MAX_TAGS_PER_RESOURCE = 50;

export interface RegisterInput {
  readonly activationId: string;
  readonly activationCode: string;
  readonly publicKey: string;
  readonly fingerprint: string;
  /** The node's own name, instead of the activation's default. */
  readonly name?: string | undefined;
  /** Tags the node asks for; the activation's tags win on a shared key. */
  readonly tags?: readonly Tag[];
}

export interface NodeCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiresAt: number;
}

export interface InstanceService {
  register(input: RegisterInput, now: number): Promise<ManagedInstanceRecord>;
  issueCredentials(instanceId: string, fingerprint: string, now: number): Promise<NodeCredentials>;
  updatePublicKey(instanceId: string, publicKey: string): Promise<void>;
  updateInformation(
    instanceId: string,
    update: InstanceInformationUpdate,
    now: number,
  ): Promise<void>;
  get(instanceId: string): Promise<ManagedInstanceRecord>;
  list(filter: InstanceFilter, page: PageRequest): Promise<Page<ManagedInstanceRecord>>;
  deregister(instanceId: string, now: number): Promise<void>;
  addTags(instanceId: string, tags: readonly Tag[]): Promise<void>;
  removeTags(instanceId: string, keys: readonly string[]): Promise<void>;
}

export interface InstanceServiceDependencies {
  readonly identity: ServerIdentity;
  readonly instances: InstanceRepository;
  readonly activations: ActivationRepository;
  readonly accessKeys: AccessKeyRepository;
  readonly credentials: CredentialStore;
}

export function createInstanceService(deps: InstanceServiceDependencies): InstanceService {
  const { instances, activations, accessKeys, identity, credentials } = deps;

  const requireInstance = async (instanceId: string): Promise<ManagedInstanceRecord> => {
    const instance = await instances.get(instanceId);
    if (instance === undefined || instance.deregisteredAt !== null) {
      throw new CodedError(
        'InvalidInstanceId',
        `Instance ${instanceId} is not a registered managed instance.`,
      );
    }
    return instance;
  };

  return {
    async register(input, now) {
      const activation = await activations.get(input.activationId);
      // The same answer for an unknown id and a wrong code: a caller learns nothing from it.
      if (
        activation === undefined ||
        !secretsEqual(sha256Hex(input.activationCode), activation.activationCodeHash)
      ) {
        throw new CodedError('InvalidActivation', 'The activation code or id is not valid.');
      }
      if (mergeTags(activation.tags, input.tags ?? []).length > MAX_TAGS_PER_RESOURCE) {
        throw new CodedError(
          'TooManyTagsError',
          `A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags.`,
        );
      }
      if (!(await activations.claimRegistration(activation.activationId, now))) {
        throw new CodedError(
          'InvalidActivation',
          activation.expiresAt <= now
            ? 'The activation has expired.'
            : `The activation has reached its registration limit of ${activation.registrationLimit}.`,
        );
      }
      const instance: ManagedInstanceRecord = {
        instanceId: newManagedInstanceId(),
        activationId: activation.activationId,
        name: input.name ?? activation.defaultInstanceName,
        iamRole: activation.iamRole,
        publicKey: input.publicKey,
        publicKeyType: 'Rsa',
        fingerprint: input.fingerprint,
        registeredAt: now,
        platformType: null,
        platformName: '',
        platformVersion: '',
        agentVersion: '',
        ipAddress: '',
        computerName: '',
        lastPingAt: null,
        deregisteredAt: null,
        // An activation's tags are what an administrator relies on in policies and targets:
        // a node (anyone holding the code) may add tags, never change those.
        tags: mergeTags(activation.tags, input.tags ?? []),
      };
      await instances.insert(instance);
      return instance;
    },

    async issueCredentials(instanceId, fingerprint, now) {
      const instance = await requireInstance(instanceId);
      if (!secretsEqual(fingerprint, instance.fingerprint)) {
        throw new CodedError('InvalidKeyId', 'The fingerprint does not match the registration.');
      }
      // The node acts as the role its activation named (AWS's hybrid activation IamRole).
      const principal: Principal = {
        kind: 'node',
        id: instanceId,
        name: instanceId,
        arn: instanceArn(identity, instanceId),
        roleName: instance.iamRole,
      };
      const issued = await credentials.issue(principal, now, now + NODE_CREDENTIAL_LIFETIME_MS);
      return {
        accessKeyId: issued.accessKeyId,
        secretAccessKey: issued.secretAccessKey,
        sessionToken: issued.sessionToken ?? '',
        expiresAt: now + NODE_CREDENTIAL_LIFETIME_MS,
      };
    },

    async updatePublicKey(instanceId, publicKey) {
      await requireInstance(instanceId);
      await instances.updatePublicKey(instanceId, publicKey);
    },

    async updateInformation(instanceId, update, now) {
      await requireInstance(instanceId);
      await instances.updateInformation(instanceId, update, now);
    },

    get: requireInstance,
    list: (filter, page) => instances.list(filter, page),

    async deregister(instanceId, now) {
      await requireInstance(instanceId);
      await instances.markDeregistered(instanceId, now);
      // Its credentials stop working at once (channels are closed by the gateway, issue #9).
      await accessKeys.deleteForPrincipal(instanceId);
    },

    async addTags(instanceId, tags) {
      const instance = await requireInstance(instanceId);
      const keys = new Set([...instance.tags.map((tag) => tag.key), ...tags.map((tag) => tag.key)]);
      if (keys.size > MAX_TAGS_PER_RESOURCE) {
        throw new CodedError(
          'TooManyTagsError',
          `A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags.`,
        );
      }
      await instances.addTags(instanceId, tags);
    },

    async removeTags(instanceId, keys) {
      await requireInstance(instanceId);
      await instances.removeTags(instanceId, keys);
    },
  };
}

function mergeTags(fixed: readonly Tag[], requested: readonly Tag[]): Tag[] {
  const keys = new Set(fixed.map((tag) => tag.key));
  const merged = [...fixed];
  for (const tag of requested) {
    if (keys.has(tag.key)) continue;
    keys.add(tag.key);
    merged.push(tag);
  }
  return merged;
}
