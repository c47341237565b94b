// EC2 clients per region: credentials from explicit keys or the SDK's default chain (env, profiles, SSO), the
// profile from config, and the endpoint from the SDK's standard AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL (which the
// SDK reads itself from process.env; an explicit `endpoint` overrides them).

import { EC2Client } from '@aws-sdk/client-ec2';

/** Keys the user entered (the extension feeds these from SecretStorage). Never logged. */
export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** How clients authenticate and where they connect. */
export interface AwsClientConfig {
  /** Explicit keys; absent = the SDK's default credential chain. */
  keys?: AwsKeys;
  /** Shared config/credentials profile (absent = AWS_PROFILE or `default`). */
  profile?: string;
  /** Endpoint override (absent = the SDK's AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL handling, then AWS). */
  endpoint?: string;
}

/** An EC2 client for `region`. SDK retries are off: the backend's own bounded retry is the only one. */
export function createEc2Client(region: string, config: AwsClientConfig): EC2Client {
  return new EC2Client({
    region,
    maxAttempts: 1,
    ...(config.keys ? { credentials: { ...config.keys } } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
  });
}
