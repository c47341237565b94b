// EC2 and SDK failures as BackendError codes the scheduler acts on, and the bounded retry of throttled calls.

import { BackendError, type CreateErrorCode } from '../backend';

/** EC2 error codes meaning "no capacity for this offer here now": the scheduler moves to the next offer. */
const NO_CAPACITY = new Set([
  'InsufficientInstanceCapacity', 'InsufficientHostCapacity', 'InsufficientReservedInstanceCapacity', 'InsufficientCapacity',
  'Unsupported', 'SpotMaxPriceTooLow', 'InsufficientFreeAddressesInSubnet',
]);
/** EC2 error codes of an account limit. */
const QUOTA = new Set(['VcpuLimitExceeded', 'InstanceLimitExceeded', 'MaxSpotInstanceCountExceeded', 'SecurityGroupLimitExceeded', 'RulesPerSecurityGroupLimitExceeded']);
/** The account limits of launching instances, counted per family group and market (the vCPU quotas, and the older instance-count limits). */
const INSTANCE_QUOTA = new Set(['VcpuLimitExceeded', 'InstanceLimitExceeded', 'MaxSpotInstanceCountExceeded']);
/** Throttling, retried with backoff inside the call. */
const THROTTLED = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'RequestThrottled', 'RequestThrottledException']);
/** Credentials missing, rejected or lacking permission. */
const AUTH = new Set([
  'AuthFailure', 'UnauthorizedOperation', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'RequestExpired',
  'OptInRequired', 'Blocked', 'InvalidAccessKeyId', 'MissingAuthenticationToken', 'CredentialsProviderError',
]);
/** Server-side hiccups worth another try (as throttling). */
const TRANSIENT = new Set(['InternalError', 'ServiceUnavailable', 'Unavailable', 'InternalFailure']);

/** The EC2 error code of an SDK error (`name`/`Code`), or undefined for non-AWS errors. */
export function ec2ErrorCode(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = (e as { Code?: unknown }).Code;
  return typeof code === 'string' ? code : e.name;
}

/** Whether an EC2 error code is a launch refused by the vCPU (or instance count) quota of the type's family and market. */
export function isInstanceQuotaCode(code: string | undefined): boolean {
  return code !== undefined && INSTANCE_QUOTA.has(code);
}

/** The closed code an EC2 failure maps to. */
export function classifyCode(code: string | undefined): CreateErrorCode {
  if (code === undefined) return 'error';
  if (NO_CAPACITY.has(code)) return 'no_capacity';
  if (QUOTA.has(code)) return 'quota';
  if (THROTTLED.has(code)) return 'throttled';
  if (AUTH.has(code)) return 'auth';
  if (code.startsWith('Invalid') || code === 'MissingParameter' || code === 'IdempotentParameterMismatch') return 'invalid';
  return 'error';
}

/** Service Quotas codes (service `ec2`) of the vCPU quotas, by family group: [on-demand, spot]. */
const QUOTA_CODES: Record<string, [string, string]> = {
  'G and VT': ['L-DB2E81BA', 'L-3819A6DF'],
  P: ['L-417A185B', 'L-7212CCBC'],
  DL: ['L-6E869C2A', 'L-85EED4F7'],
  'Standard (A, C, D, H, I, M, R, T, Z)': ['L-1216C47A', 'L-34B43A08'],
};

/** The Service Quotas name that limits `instanceType` (on-demand or spot), for the quota message. */
export function quotaNameFor(instanceType: string, spot: boolean): string {
  return quotaFor(instanceType, spot).name;
}

/** The Service Quotas name and (where known) code that limit `instanceType` (on-demand or spot). */
export function quotaFor(instanceType: string, spot: boolean): { name: string; code?: string } {
  const family = instanceType.split('.')[0]?.toLowerCase() ?? '';
  const kind = /^(g|vt)/.test(family) ? 'G and VT' : family.startsWith('p') ? 'P' : family.startsWith('inf') ? 'Inf' : family.startsWith('trn') ? 'Trn'
    : family.startsWith('dl') ? 'DL' : family.startsWith('f') ? 'F' : family.startsWith('x') ? 'X' : 'Standard (A, C, D, H, I, M, R, T, Z)';
  const name = spot ? `All ${kind} Spot Instance Requests` : `Running On-Demand ${kind} instances`;
  const code = QUOTA_CODES[kind]?.[spot ? 1 : 0];
  return code ? { name, code } : { name };
}

const AUTH_HELP = 'Configure AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile (AWS_PROFILE or the backend\'s `profile`) '
  + 'in ~/.aws/config or ~/.aws/credentials, `aws sso login` for SSO profiles, or keys entered in the extension.';

/** Turns any failure of an EC2 call into a BackendError naming what failed and the fix. */
export function toBackendError(e: unknown, what: string, context: { region: string; instanceType?: string; spot?: boolean }): BackendError {
  if (e instanceof BackendError) return e;
  const code = ec2ErrorCode(e);
  const message = e instanceof Error ? e.message : String(e);
  const kind = classifyCode(code);
  const where = `${what} in ${context.region}`;
  switch (kind) {
    case 'auth':
      return new BackendError('auth', code === 'CredentialsProviderError'
        ? `AWS: no credentials were found for ${where}. ${AUTH_HELP}`
        : `AWS rejected the credentials for ${where} (${code ?? 'auth'}: ${message}). ${AUTH_HELP}`);
    case 'quota': {
      const quota = context.instanceType ? quotaFor(context.instanceType, context.spot ?? false) : { name: 'the EC2 quota' };
      const named = `"${quota.name}"${quota.code ? ` (${quota.code})` : ''}`;
      return new BackendError('quota', `AWS quota reached for ${where}: ${code ?? ''} — quota ${named} (${message}). `
        + `Request an increase of ${named} in Service Quotas (service EC2) for ${context.region}.`);
    }
    case 'no_capacity':
      return new BackendError('no_capacity', `AWS has no capacity for ${context.instanceType ?? 'the instance'}${context.spot ? ' (spot)' : ''} in ${context.region}: ${code ?? ''}: ${message}`);
    case 'throttled':
      return new BackendError('throttled', `AWS throttled ${where} after repeated retries (${code ?? ''}); try again in a minute.`);
    default:
      return new BackendError(kind, `AWS ${where} failed: ${code ? `${code}: ` : ''}${message}`);
  }
}

/** How throttled calls are retried. */
export interface RetryPolicy {
  /** Tries in all (default 5). */
  attempts: number;
  /** First backoff in ms, doubled each try, with jitter (default 250). */
  baseMs: number;
}

/** Runs `call`, retrying throttling and transient server errors with exponential backoff a bounded number of times. */
export async function withRetry<T>(policy: RetryPolicy, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const code = ec2ErrorCode(e);
      const retryable = code !== undefined && (THROTTLED.has(code) || TRANSIENT.has(code));
      if (!retryable || attempt >= policy.attempts) throw e;
      const delay = policy.baseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
