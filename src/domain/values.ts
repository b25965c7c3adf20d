/** Whether `value` is a plain key/value object as YAML or JSON gives one (not null, not an array). */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
