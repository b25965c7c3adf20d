/** One diagnostic record of the engine's own (never a run's events: those go to the event log). */
export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  /** Which part of the engine speaks: `driver`, `pipeline`, `lease`, `control`, … */
  component: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** The engine's diagnostics, injected: library code never writes to the terminal itself. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** The same sink, speaking for another component. */
  child(component: string): Logger;
}

/** A logger that hands every record to `sink`. */
export function createLogger(sink: (record: LogRecord) => void, component = 'engine'): Logger {
  const at =
    (level: LogRecord['level']) =>
    (message: string, fields?: Record<string, unknown>): void =>
      sink({ level, component, message, ...(fields ? { fields } : {}) });
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (name) => createLogger(sink, name),
  };
}

/** The default: diagnostics go nowhere unless the caller asks for them. */
export const silentLogger: Logger = createLogger(() => undefined);

/** The message of anything thrown, for a log line. */
export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
