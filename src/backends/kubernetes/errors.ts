// Kubernetes API failures as BackendErrors that name the cluster, the namespace and the fix.

import { BackendError } from '../backend';

/** Where the backend talks to, for messages. */
export interface ClusterRef {
  server: string;
  context: string;
  namespace: string;
}

/** The HTTP status of a client-node ApiException (or undefined for transport errors). */
export function httpCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The API server's own message from an ApiException's body (a Status object), else the error's message. */
export function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown } | null)?.body;
  let parsed: unknown = body;
  if (typeof body === 'string') { try { parsed = JSON.parse(body); } catch { parsed = null; } }
  const m = (parsed as { message?: unknown } | null)?.message;
  if (typeof m === 'string' && m !== '') return m;
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
}

/** A BackendError for a failed call `what` ("create pods", "list nodes"). */
export function toBackendError(err: unknown, what: string, ref: ClusterRef): BackendError {
  if (err instanceof BackendError) return err;
  const code = httpCode(err);
  const where = `namespace ${ref.namespace} (context ${ref.context})`;
  if (code === undefined) {
    return new BackendError('error', `kubernetes: cannot reach the cluster at ${ref.server} (context ${ref.context}) to ${what}: ${apiMessage(err)}. Check that the cluster is up and that KUBECONFIG / DSTACK_VSC_KUBE_CONTEXT name the right one.`);
  }
  if (code === 401) return new BackendError('auth', `kubernetes: the cluster at ${ref.server} rejected the credentials of context ${ref.context} (${what}): ${apiMessage(err)}. Refresh the context's credentials (e.g. log in again).`);
  if (code === 403) return new BackendError('auth', `kubernetes: not allowed to ${what} in ${where}: ${apiMessage(err)}. Ask the cluster admin for a Role allowing it, or set DSTACK_VSC_KUBE_NAMESPACE to a namespace you may use.`);
  if (code === 404) return new BackendError('invalid', `kubernetes: cannot ${what} in ${where}: ${apiMessage(err)}. Check that the namespace exists (DSTACK_VSC_KUBE_NAMESPACE).`);
  if (code === 422 || code === 400) return new BackendError('invalid', `kubernetes: the cluster refused to ${what} in ${where}: ${apiMessage(err)}.`);
  if (code === 429) return new BackendError('throttled', `kubernetes: the API server throttled "${what}" (${ref.server}): ${apiMessage(err)}.`);
  return new BackendError('error', `kubernetes: ${what} failed in ${where} (HTTP ${code}): ${apiMessage(err)}.`);
}
