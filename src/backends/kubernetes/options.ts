// The Kubernetes backend's configuration, read from the environment (SDK-free: the registry reads it eagerly).

/** How the backend reaches the cluster and what it puts in pods. */
export interface KubernetesBackendOptions {
  /** Kubeconfig file; absent = the default loading rules (KUBECONFIG, else ~/.kube/config). */
  kubeconfig?: string;
  /** Context to use; absent = the kubeconfig's current context. */
  context?: string;
  /** Namespace for the pods; absent = the context's namespace, else `default`. */
  namespace?: string;
  /** $ per hour of every offer (default 0). */
  pricePerHour?: number;
  /** Image of runs whose configuration names none (default DEFAULT_KUBE_IMAGE). */
  image?: string;
  /** Port of the environment's sshd inside the pod (default 10022). */
  sshPort?: number;
}

/** The default image: dstack's base image (Ubuntu, OpenSSH server, CUDA-ready). */
export const DEFAULT_KUBE_IMAGE = 'dstackai/base:0.15-base-ubuntu24.04';

/** The sshd port inside the pod. */
export const POD_SSH_PORT = 10022;

/** Whether the environment turns the backend on: DSTACK_VSC_KUBERNETES=1 (or true), or a DSTACK_VSC_KUBE_CONTEXT. */
export function kubernetesEnabledInEnv(env: NodeJS.ProcessEnv): boolean {
  const on = env['DSTACK_VSC_KUBERNETES'];
  return on === '1' || on === 'true' || Boolean(env['DSTACK_VSC_KUBE_CONTEXT']);
}

/**
 * The Kubernetes configuration in the environment, or null when it is not configured: DSTACK_VSC_KUBERNETES=1
 * (or DSTACK_VSC_KUBE_CONTEXT) turns it on; DSTACK_VSC_KUBE_CONTEXT, DSTACK_VSC_KUBE_NAMESPACE,
 * DSTACK_VSC_KUBE_PRICE ($/hour) and DSTACK_VSC_KUBE_IMAGE are optional; KUBECONFIG names the kubeconfig.
 */
export function kubernetesOptionsFromEnv(env: NodeJS.ProcessEnv): KubernetesBackendOptions | null {
  if (!kubernetesEnabledInEnv(env)) return null;
  const context = env['DSTACK_VSC_KUBE_CONTEXT'];
  const options: KubernetesBackendOptions = {};
  const kubeconfig = env['KUBECONFIG'];
  if (kubeconfig) options.kubeconfig = kubeconfig;
  if (context) options.context = context;
  const ns = env['DSTACK_VSC_KUBE_NAMESPACE'];
  if (ns) options.namespace = ns;
  const price = env['DSTACK_VSC_KUBE_PRICE'];
  if (price) {
    const n = Number(price);
    if (!Number.isFinite(n) || n < 0) throw new Error(`DSTACK_VSC_KUBE_PRICE=${JSON.stringify(price)} is not a price: set it to dollars per hour, e.g. 0 or 1.5.`);
    options.pricePerHour = n;
  }
  const image = env['DSTACK_VSC_KUBE_IMAGE'];
  if (image) options.image = image;
  return options;
}
