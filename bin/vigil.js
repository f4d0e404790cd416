#!/usr/bin/env node
// Vigil's command line. TypeScript sources run through tsx's loader: no build step between an edit and a run.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
