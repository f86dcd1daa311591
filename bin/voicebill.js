#!/usr/bin/env node
// The published entry point: the compiled CLI (built by `npm run build`, run on install).
import '../dist/cli/main.js';
