// The browser's time zone, so the server can show times as the user's clock reads them.
export function timeZone() {
  return {
    name: Intl.DateTimeFormat().resolvedOptions().timeZone ?? null,
    offsetMinutes: -new Date().getTimezoneOffset(),
  };
}
