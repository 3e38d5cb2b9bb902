import { defineConfig } from 'vite';

export default defineConfig({
  // The pool starts every worker with `type: 'module'`, so the worker bundle must be a module too.
  worker: { format: 'es' },
  build: { target: 'es2022' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
