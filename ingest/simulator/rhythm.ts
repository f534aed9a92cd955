// Diurnal and weekly rhythms: how busy the office (people) and the Internet-facing servers are at
// an instant of event time, as a factor in [0, 1] where 1 is a weekday's peak hour.

// Office activity by local hour on a weekday: quiet night, morning ramp, lunch dip, evening tail.
const WEEKDAY_OFFICE = [
  0.04, 0.03, 0.03, 0.03, 0.03, 0.05, 0.1, 0.3, 0.7, 0.95, 1, 1, 0.7, 0.85, 1, 0.95, 0.85, 0.55, 0.3, 0.18,
  0.12, 0.09, 0.06, 0.05,
];
const WEEKEND_OFFICE = [
  0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.04, 0.05, 0.07, 0.09, 0.1, 0.1, 0.1, 0.1, 0.1, 0.09, 0.08, 0.07, 0.06,
  0.05, 0.05, 0.04, 0.04, 0.03,
];
// Customers and the Internet at large: flatter, evening-heavy, never zero.
const INTERNET = [
  0.45, 0.4, 0.35, 0.33, 0.33, 0.35, 0.45, 0.6, 0.75, 0.85, 0.9, 0.95, 1, 0.95, 0.9, 0.9, 0.9, 0.92, 0.95, 1,
  0.95, 0.85, 0.7, 0.55,
];

const HOUR_MS = 3_600_000;

function interpolate(curve: readonly number[], hour: number): number {
  const h = Math.floor(hour);
  const f = hour - h;
  return curve[h % 24]! * (1 - f) + curve[(h + 1) % 24]! * f;
}

/** Local time parts for an epoch-ms instant at a fixed UTC offset. */
function localClock(epochMs: number, utcOffsetHours: number): { hour: number; weekday: number } {
  const local = epochMs + utcOffsetHours * HOUR_MS;
  const day = Math.floor(local / (24 * HOUR_MS));
  // 1970-01-01 was a Thursday (weekday 4, Sunday = 0).
  const weekday = (((day + 4) % 7) + 7) % 7;
  const hour = (local - day * 24 * HOUR_MS) / HOUR_MS;
  return { hour, weekday };
}

export function isWeekend(epochMs: number, utcOffsetHours: number): boolean {
  const { weekday } = localClock(epochMs, utcOffsetHours);
  return weekday === 0 || weekday === 6;
}

/** How busy people in the office are (workstation traffic). */
export function officeActivity(epochMs: number, utcOffsetHours: number): number {
  const { hour, weekday } = localClock(epochMs, utcOffsetHours);
  const weekend = weekday === 0 || weekday === 6;
  return interpolate(weekend ? WEEKEND_OFFICE : WEEKDAY_OFFICE, hour);
}

/** How busy Internet-facing services are (inbound web and mail, server chatter). */
export function internetActivity(epochMs: number, utcOffsetHours: number): number {
  const { hour, weekday } = localClock(epochMs, utcOffsetHours);
  const weekend = weekday === 0 || weekday === 6;
  return interpolate(INTERNET, hour) * (weekend ? 0.8 : 1);
}
