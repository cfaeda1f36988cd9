/** `gatehouse serve` from source, for tests that start Gatehouse as a process of its own. */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(['serve']);
