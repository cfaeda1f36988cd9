#!/usr/bin/env node
// The CLI runs from the compiled output; `npm start` and `npm install` build it.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
