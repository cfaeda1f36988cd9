/** `npm run dev`: the CLI from source under tsx, as bin/gatehouse.js runs it from dist. */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
