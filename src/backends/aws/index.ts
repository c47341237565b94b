// The AWS (EC2) backend. Import from here (and only lazily: it loads the AWS SDK).
export { AwsBackend, AWS_SSH_USER, providerStateOf, type AwsBackendOptions } from './aws-backend';
export { type AwsKeys, type AwsClientConfig, createEc2Client } from './client';
export { classifyCode, quotaFor, quotaNameFor, toBackendError, withRetry, type RetryPolicy } from './errors';
export { GPU_IMAGE, CPU_IMAGE, findImage, type ImageQuery, type ChosenImage } from './images';
export { ensureSecurityGroup, securityGroupName } from './security-group';
export { TAG_INSTALLATION, TAG_RUN, TAG_INSTANCE, clientToken, ec2Tags, resourceTagsOf } from './tags';
export { cloudInitUserData } from './user-data';
export { AWS_CAPABILITIES } from './capabilities';
export { LazyAwsBackend, awsOptionsFromEnv, AWS_CHUNK } from './lazy';
