export { createRemoteBackend } from './create-remote-backend.js';
export * from './remote-api.js';
