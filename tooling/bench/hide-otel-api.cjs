// Preloaded (`node --require`) by tracing-cost.mjs's "absent" runs: Node's
// resolver then answers MODULE_NOT_FOUND for @opentelemetry/*, as it would in
// an application that never installed the optional peer. Worker threads
// inherit the preload through execArgv.
const Module = require('node:module');

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveWithoutOpenTelemetry(request, ...rest) {
  if (request.startsWith('@opentelemetry/')) {
    const error = new Error(`Cannot find module '${request}' (hidden by hide-otel-api.cjs)`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolveFilename.call(this, request, ...rest);
};
