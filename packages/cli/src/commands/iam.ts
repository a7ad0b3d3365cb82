// `openssm iam`: the everyday IAM chores without remembering five `aws iam` calls — who am I,
// why is this allowed or denied (the policy simulator, naming the deciding statements), and a
// new user with a policy and ready-to-paste credentials.

import { readFile } from 'node:fs/promises';
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  PutUserPolicyCommand,
  SimulatePrincipalPolicyCommand,
  type ContextEntry,
  type EvaluationResult,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { UsageError } from '../errors.js';
import type { Command, CommandContext, OptionValues } from './command.js';
import { GLOBAL_HELP } from './global-options.js';

const HELP = `Usage: openssm iam whoami
       openssm iam simulate --principal WHO --action ACTION[,ACTION…] [--resource ARN[,ARN…]]
                            [--context KEY=VALUE]…
       openssm iam create-user NAME [--policy POLICY] [--group GROUP]

whoami       the identity the credentials belong to (sts get-caller-identity)
simulate     decide actions on resources with WHO's policies and say why: the statements that
             decided, and the context keys the decision would need. WHO is a user name,
             group/NAME, role/NAME or an IAM ARN. --context sets request context keys, e.g.
             --context ssm:resourceTag/Env=dev (give it once per key).
create-user  create user NAME with an access key and print it as a credentials-file profile
             (the secret is shown this once). --policy attaches an AWS managed policy by name
             (AmazonSSMReadOnlyAccess), a policy ARN, or a JSON file as an inline policy;
             --group adds the user to a group.

Exit status: 0, or for simulate 3 when any action is denied; 1 on API errors, 2 on usage errors.

${GLOBAL_HELP}`;

/** simulate's exit status when something is denied, so scripts can test a policy. */
export const DENIED_EXIT_CODE = 3;

export const iamCommand: Command = {
  name: 'iam',
  summary: 'who am I, simulate a decision, create a user with credentials',
  help: HELP,
  options: {
    principal: { type: 'string' },
    action: { type: 'string' },
    resource: { type: 'string' },
    context: { type: 'string', multiple: true },
    policy: { type: 'string' },
    group: { type: 'string' },
  },
  positionals: { min: 1, max: 2, names: 'a subcommand (whoami, simulate, create-user)' },
  async run(context, values, positionals) {
    const [subcommand = '', name] = positionals;
    switch (subcommand) {
      case 'whoami':
        return whoami(context);
      case 'simulate':
        return simulate(context, values);
      case 'create-user':
        if (name === undefined) throw new UsageError('create-user takes the new user’s NAME');
        return createUser(context, name, values);
      default:
        throw new UsageError(`unknown iam subcommand "${subcommand}"`);
    }
  },
};

async function whoami(context: CommandContext): Promise<number> {
  const identity = await context.api().sts.send(new GetCallerIdentityCommand({}));
  context.host.stdout.write(
    `${identity.Arn ?? ''}\n  account ${identity.Account ?? ''}, id ${identity.UserId ?? ''}\n`,
  );
  return 0;
}

function text(values: OptionValues, key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
}

function list(values: OptionValues, key: string): string[] {
  return (text(values, key) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A user name, `group/NAME`, `role/NAME`, or an ARN, as the ARN IAM's simulator takes. */
async function principalArn(context: CommandContext, who: string): Promise<string> {
  if (who.startsWith('arn:')) return who;
  const { Arn = '' } = await context.api().sts.send(new GetCallerIdentityCommand({}));
  const prefix = Arn.replace(/^(arn:[^:]+:)(?:iam|sts)(::\d+:).*$/, '$1iam$2');
  const kind = /^(user|group|role)\//.exec(who)?.[1];
  return kind === undefined ? `${prefix}user/${who}` : `${prefix}${who}`;
}

function contextEntries(values: OptionValues): ContextEntry[] {
  const given = values['context'];
  const entries = Array.isArray(given) ? given : [];
  return entries.map((entry) => {
    const text = String(entry);
    const at = text.indexOf('=');
    if (at <= 0) throw new UsageError(`--context wants KEY=VALUE, got "${text}"`);
    return {
      ContextKeyName: text.slice(0, at),
      ContextKeyValues: [text.slice(at + 1)],
      ContextKeyType: 'string',
    };
  });
}

async function simulate(context: CommandContext, values: OptionValues): Promise<number> {
  const who = text(values, 'principal');
  const actions = list(values, 'action');
  if (who === undefined || actions.length === 0) {
    throw new UsageError('simulate needs --principal and --action');
  }
  const resources = list(values, 'resource');
  const { EvaluationResults = [] } = await context.api().iam.send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: await principalArn(context, who),
      ActionNames: actions,
      ...(resources.length === 0 ? {} : { ResourceArns: resources }),
      ContextEntries: contextEntries(values),
    }),
  );
  for (const result of EvaluationResults) context.host.stdout.write(explain(result));
  return EvaluationResults.every((result) => result.EvalDecision === 'allowed')
    ? 0
    : DENIED_EXIT_CODE;
}

function explain(result: EvaluationResult): string {
  const decision = result.EvalDecision ?? 'implicitDeny';
  const verdict =
    decision === 'allowed'
      ? 'ALLOWED'
      : decision === 'explicitDeny'
        ? 'DENIED (explicit deny)'
        : 'DENIED (no policy allows it)';
  const lines = [`${result.EvalActionName ?? ''} on ${result.EvalResourceName ?? '*'}: ${verdict}`];
  for (const statement of result.MatchedStatements ?? []) {
    lines.push(
      `  decided by ${statement.SourcePolicyId ?? '?'} (${statement.SourcePolicyType ?? ''})`,
    );
  }
  const missing = result.MissingContextValues ?? [];
  if (missing.length > 0)
    lines.push(`  context the policies asked for and the request lacked: ${missing.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

async function createUser(
  context: CommandContext,
  name: string,
  values: OptionValues,
): Promise<number> {
  const { iam } = context.api();
  await iam.send(new CreateUserCommand({ UserName: name }));
  const policy = text(values, 'policy');
  if (policy !== undefined) {
    if (policy.endsWith('.json')) {
      const document = await readFile(policy, 'utf8');
      await iam.send(
        new PutUserPolicyCommand({
          UserName: name,
          PolicyName: 'openssm-inline',
          PolicyDocument: document,
        }),
      );
    } else {
      const arn = policy.startsWith('arn:') ? policy : `arn:aws:iam::aws:policy/${policy}`;
      await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn }));
    }
  }
  const group = text(values, 'group');
  if (group !== undefined)
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: name }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  context.host.stderr.write(
    `Created user ${name}. Its secret is shown once, below; keep it in ~/.aws/credentials (mode 0600).\n`,
  );
  context.host.stdout.write(
    `[${name}]\naws_access_key_id = ${AccessKey?.AccessKeyId ?? ''}\naws_secret_access_key = ${AccessKey?.SecretAccessKey ?? ''}\n`,
  );
  return 0;
}
