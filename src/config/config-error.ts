// A setting that is missing or wrong: the message names the setting, and the CLI prints
// it as it is (no stack trace).
export class ConfigError extends Error {
  override name = 'ConfigError';
}
