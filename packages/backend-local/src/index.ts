export { createLocalBackend, LocalBackend } from './create-local-backend.js';
export type { LocalBackendOptions } from './create-local-backend.js';
