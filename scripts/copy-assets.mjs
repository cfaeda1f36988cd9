#!/usr/bin/env node
// tsc compiles only TypeScript: copy the UI's static files next to the compiled pages.
import { cpSync } from 'node:fs';

cpSync(new URL('../src/ui/assets', import.meta.url), new URL('../dist/ui/assets', import.meta.url), { recursive: true });
// The sign-in button's browser files sit beside the TypeScript that serves them: copy only those.
cpSync(new URL('../src/ui/button', import.meta.url), new URL('../dist/ui/button', import.meta.url), {
  recursive: true,
  filter: (source) => !source.endsWith('.ts'),
});
