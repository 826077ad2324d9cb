export { LocalSqs, type LocalSqsOptions, type StoredMessage } from './service';
