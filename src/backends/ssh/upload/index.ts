// Code upload: plan (git-aware listing), limit check, preview, tar writer and safe extractor.

export { planUpload, type PlanOptions } from './plan';
export { tarStream, archiveSize } from './tar-writer';
export { extractTar, type ExtractResult } from './tar-extract';
export { checkUploadLimit, uploadLimitFromEnv, DEFAULT_UPLOAD_LIMIT, UPLOAD_LIMIT_ENV, formatBytes } from './limit';
export { uploadPreview, type UploadPreview } from './preview';
export { IgnoreMatcher } from './gitignore';
export * from './types';
