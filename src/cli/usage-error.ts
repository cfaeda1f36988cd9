import { GatehouseError } from '../errors.js';

/** A command line the CLI cannot run (exit code 2, with a pointer to --help). */
export class UsageError extends GatehouseError {
  constructor(description: string) {
    super('usage_error', description);
  }
}
