export { serveFolder, type ServedFolder } from './serve-folder.js';
