/** A setting Gatehouse cannot run with: the message names the variable, so start-up can say it in one line. */
import { GatehouseError } from '../errors.js';

export class ConfigError extends GatehouseError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}
