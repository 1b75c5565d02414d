/** The logging calls community management makes; pino's logger fits. */
export interface CommunityLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: CommunityLogger = { info() {}, warn() {}, error() {} };
