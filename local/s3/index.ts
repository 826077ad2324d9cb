export { LocalS3, type LocalS3Options, type S3Operation } from './service';
