import { greet } from './util.js';
document.body.textContent = greet('world');
