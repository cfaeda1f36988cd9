/** The Gatehouse process the reliability tests start, kill and restart: `gatehouse serve` from source. */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(['serve']);
