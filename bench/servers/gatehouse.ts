/** Gatehouse from source (never a stale dist/): `gatehouse serve` configured by the environment. */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(['serve']);
