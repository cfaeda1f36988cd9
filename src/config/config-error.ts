/** A setting Gatehouse cannot run with: the message names the variable, so start-up can say it in one line. */
import { InternalError } from '../errors.js';

/** An InternalError: the operator must fix it, and no response ever shows it. */
export class ConfigError extends InternalError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}
