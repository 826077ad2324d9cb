export { LocalS3, type LocalS3Options } from './service';
export type { S3Operation } from './request';
