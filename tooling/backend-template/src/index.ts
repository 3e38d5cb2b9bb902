export { createTemplateBackend, TemplateBackend, type TemplateBackendOptions } from './create-template-backend.js';
